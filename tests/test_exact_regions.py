"""Regions and enumeration of the exact perceptron engine against independent oracles."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from boolnet.exact import count_threshold_functions, region, regions_table, threshold_orbits
from boolnet.exact.regions import augmented_inputs
from boolnet.functions import bits_from_string, orbit, string_from_bits

# OEIS A000609: threshold functions of n or fewer variables (perceptrons with a bias).
A000609 = [2, 4, 14, 104, 1882, 94572, 15028134]
SETTINGS = [("01", True), ("01", False), ("pm1", True), ("pm1", False)]


def test_issue_oracle_n2():
    table = regions_table(2)
    meta = table.attrs["boolnet"]
    assert len(table) == 16
    assert meta["feasible"] == 14
    assert sorted(table.loc[~table.feasible, "function"]) == ["0110", "1001"]  # XOR, XNOR
    feasible = table[table.feasible].set_index("function")["facets"]
    four = {"0000", "1111", "0011", "1100", "0101", "1010"}  # constants and the four one-input functions
    assert {f for f, k in feasible.items() if k == 4} == four
    assert all(k == 3 for f, k in feasible.items() if f not in four)
    assert len(feasible) - len(four) == 8


@pytest.mark.parametrize("encoding", ["01", "pm1"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_threshold_counts_match_oeis(n, encoding):
    assert count_threshold_functions(n, encoding, bias=True) == A000609[n]


def test_threshold_count_n5_pm1():
    # The symmetry group of pm1 is large (7680), so n = 5 is quick there.
    assert count_threshold_functions(5, "pm1", bias=True) == A000609[5]


@pytest.mark.slow
def test_threshold_count_n5_01():
    assert count_threshold_functions(5, "01", bias=True) == A000609[5]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_pm1_without_bias_is_self_dual_count(n):
    # Without a bias, f(-x) = not f(x) generically: these are the self-dual threshold functions of n
    # variables, as many as threshold functions of n - 1 variables (a classical bijection).
    assert count_threshold_functions(n, "pm1", bias=False) == A000609[n - 1]


def _lp_margin(rows, strict):
    """max t s.t. row . theta >= t (strict rows) / >= 0 (others), |theta_k| <= 1: an independent LP."""
    d = rows.shape[1]
    c = np.zeros(d + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-rows, strict[:, None].astype(float)])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(rows)), bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    return -res.fun


@pytest.mark.parametrize("encoding,bias", SETTINGS)
def test_feasibility_and_dimension_against_lp(encoding, bias):
    n = 3
    a = augmented_inputs(n, encoding, bias).astype(float)
    table = regions_table(n, encoding, bias)
    table = table.set_index("function")
    for bits in itertools.product([0, 1], repeat=1 << n):
        bits = np.array(bits, dtype=np.uint8)
        name = string_from_bits(bits)
        g = a * (2.0 * bits - 1)[:, None]
        live = a.any(axis=1)
        if np.any(bits[~live]):
            feasible = full = False
        else:
            feasible = _lp_margin(g[live], bits[live] == 1) > 1e-9
            full = _lp_margin(g[live], np.ones(int(live.sum()), dtype=bool)) > 1e-9
        assert table.loc[name, "feasible"] == feasible, name
        assert table.loc[name, "full_dimensional"] == full, name


@pytest.mark.parametrize("encoding,bias", SETTINGS)
def test_facet_counts_against_lp_redundancy(encoding, bias):
    # A half-space g . theta >= 0 is redundant iff min g . theta over the others (in a box) is >= 0.
    n = 3
    a = augmented_inputs(n, encoding, bias).astype(float)
    for orb in threshold_orbits(n, encoding, bias):
        reg = orb.representative
        bits = bits_from_string(reg.function)
        g = (a * (2.0 * bits - 1)[:, None])[a.any(axis=1)]
        g = np.unique(g, axis=0)
        irredundant = 0
        for k in range(len(g)):
            others = np.delete(g, k, axis=0)
            res = linprog(g[k], A_ub=-others, b_ub=np.zeros(len(others)),
                          bounds=[(-1, 1)] * g.shape[1], method="highs")
            irredundant += res.fun < -1e-9
        assert reg.facets == irredundant, reg.function


def test_member_regions_match_direct_computation():
    rng = np.random.default_rng(1)
    for encoding, bias in SETTINGS:
        for orb in threshold_orbits(4, encoding, bias):
            for k in rng.choice(len(orb.members), size=min(2, len(orb.members)), replace=False):
                derived = orb.member_region(int(k))
                direct = region(derived.function, encoding, bias)
                assert derived.facet_normals == direct.facet_normals
                assert derived.facet_inputs == direct.facet_inputs
                assert derived.inequalities_text() == direct.inequalities_text()


def test_orbits_are_the_symmetry_orbits():
    for orb in threshold_orbits(3, "01", True):
        members = {string_from_bits(b) for b in
                   (np.array([(int(m) >> i) & 1 for i in range(8)], dtype=np.uint8) for m in orb.members)}
        assert members == orbit(orb.representative.function, "01", True)


def test_pm1_without_bias_lower_dimensional_functions():
    # AND in pm1 without a bias: w1 + w2 > 0 with w1 = w2: computable, but only on a plane (volume 0).
    r = region("0001", "pm1", bias=False)
    assert r.feasible and not r.full_dimensional
    assert r.inequalities_text() == "w1 + w2 > 0; w1 - w2 = 0"
    # Input 00...0 without a bias in 01 always gives 0.
    assert not region("1000", "01", bias=False).feasible
    assert not region("1", "01", bias=False).feasible


def test_inequality_text_reads_as_the_output_rule():
    r = region("0111")  # OR: b <= 0, w2 + b > 0, w1 + b > 0
    assert r.inequalities_text() == "b <= 0; w2 + b > 0; w1 + b > 0"
    rels = r.inequalities()
    # theta = (1, 1, -0.5) computes OR and satisfies each sympy relation
    import sympy

    w1, w2, b = sympy.symbols("w1 w2 b", real=True)
    assert all(bool(rel.subs({w1: 1, w2: 1, b: sympy.Rational(-1, 2)})) for rel in rels)
