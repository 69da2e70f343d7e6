"""Complexity measures: published oracles, brute force from the definitions, invariances.

The brute-force functions below are written straight from each definition in
plain Python on truth-table strings, independently of boolnet.complexity.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from boolnet.complexity import MEASURES, add_measures, compute_measures, measure_names
from boolnet.complexity.lz import lz76_phrases
from boolnet.errors import UsageError
from boolnet.functions import pack_strings, strings_from_packed

# --------------------------------------------------------------------------- helpers


def all_tables(n):
    """Every truth-table string of n inputs."""
    return ["".join(bits) for bits in itertools.product("01", repeat=1 << n)]


def point(i, n):
    """Input i as the tuple (x_1, ..., x_n), x_1 the most significant bit."""
    return tuple((i >> (n - 1 - k)) & 1 for k in range(n))


def index(x):
    return sum(bit << (len(x) - 1 - k) for k, bit in enumerate(x))


def value(table, x):
    return int(table[index(x)])


def flip(x, coords):
    return tuple(1 - b if k in coords else b for k, b in enumerate(x))


def measure(name, tables):
    n = (len(tables[0])).bit_length() - 1
    return compute_measures(pack_strings(tables), n, [name])[name].tolist()


SMALL = [(n, all_tables(n)) for n in range(0, 4)]

# --------------------------------------------------------------------------- lz


def lz76_by_definition(s):
    """Lempel & Ziv (1976): each phrase is the shortest word at the current position that is
    not a substring of everything before its last character (the last phrase may be a copy)."""
    count, pos = 0, 0
    while pos < len(s):
        length = 1
        while pos + length <= len(s) and s[pos:pos + length] in s[:pos + length - 1]:
            length += 1
        count += 1
        pos += length
    return count


def lz_dingle_by_definition(s):
    if len(set(s)) == 1:
        return math.log2(len(s))
    return math.log2(len(s)) * (lz76_by_definition(s) + lz76_by_definition(s[::-1])) / 2


def parity_table(n):
    return "".join(str(bin(i).count("1") % 2) for i in range(1 << n))


def test_lz_oracles():
    tables = ["0" * 128, "1" * 128, "01" * 64, "0011" * 32, parity_table(7)]
    assert measure("lz", tables) == [7, 7, 21, 28, 91]
    assert lz76_phrases("0001101001000101") == 6
    assert lz76_by_definition("0001101001000101") == 6


def test_lz76_scan_matches_definition_on_every_short_string():
    for length in range(1, 11):
        for bits in itertools.product("01", repeat=length):
            s = "".join(bits)
            assert lz76_phrases(s) == lz76_by_definition(s), s


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7, 8])
def test_lz_matches_definition(n):
    rng = np.random.default_rng(n)
    tables = all_tables(n) if n <= 3 else ["".join(rng.choice(["0", "1"], 1 << n, p=[q, 1 - q]))
                                           for q in (0.5, 0.1, 0.02) for _ in range(30)]
    got = measure("lz", tables)
    for t, g in zip(tables, got):
        assert g == pytest.approx(lz_dingle_by_definition(t), abs=1e-12), t


@pytest.mark.parametrize("n", [5, 6, 7])
def test_lz_bit_parallel_parse_agrees_with_the_scan(n):
    from boolnet.complexity import _lz_kernels

    rng = np.random.default_rng(100 + n)
    words = rng.integers(0, 2**63, size=(3000, max(1, (1 << n) // 64)), dtype=np.uint64)
    bits = rng.random((3000, 1 << n)) < 0.03
    sparse = pack_strings(["".join("1" if b else "0" for b in row) for row in bits])
    for w in (words, sparse):
        w = np.ascontiguousarray(w & np.uint64((1 << (1 << n)) - 1) if n < 6 else w)
        assert np.array_equal(_lz_kernels._lz_dingle_128(w, 1 << n), _lz_kernels._lz_dingle_scan(w, 1 << n))


def test_lz_is_not_invariant_under_input_permutation():
    # x_1 AND x_2 and x_6 AND x_7 on 7 inputs: the same function up to relabelling the inputs.
    first_two = "0" * 96 + "1" * 32
    last_two = "0001" * 32
    assert measure("lz", [first_two, last_two]) == [lz_dingle_by_definition(first_two),
                                                    lz_dingle_by_definition(last_two)]
    assert lz_dingle_by_definition(first_two) != lz_dingle_by_definition(last_two)


# --------------------------------------------------------------------------- counting


@pytest.mark.parametrize("n,tables", SMALL)
def test_ones_and_entropy(n, tables):
    assert measure("ones", tables) == [t.count("1") for t in tables]
    for t, h in zip(tables, measure("entropy", tables)):
        p = t.count("1") / len(t)
        expected = 0.0 if p in (0, 1) else -p * math.log2(p) - (1 - p) * math.log2(1 - p)
        assert h == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------------------- two-level forms


def sympy_operator_count_by_string(table):
    """Literature definition: operators in sympy's SOP / POS answers, counted in the printed form."""
    from sympy import symbols
    from sympy.logic import POSform, SOPform

    n = len(table).bit_length() - 1
    if len(set(table)) == 1:
        return 0
    xs = symbols(f"x1:{n + 1}")
    minterms = [list(point(i, n)) for i, c in enumerate(table) if c == "1"]
    counts = []
    for form in (SOPform, POSform):
        text = str(form(xs, minterms))
        counts.append(text.count("&") + text.count("|") + text.count("~"))
    return min(counts)


@pytest.mark.parametrize("n,tables", SMALL)
def test_bool_complexity_matches_sympy(n, tables):
    assert measure("bool_complexity", tables) == [sympy_operator_count_by_string(t) for t in tables]


@pytest.mark.slow
def test_bool_complexity_n4_table_matches_sympy_everywhere():
    tables = all_tables(4)
    assert measure("bool_complexity", tables) == [sympy_operator_count_by_string(t) for t in tables]


def test_bool_complexity_n4_table_matches_sympy_on_a_sample():
    rng = np.random.default_rng(4)
    values = [int(v) for v in rng.choice(1 << 16, size=40, replace=False)]
    tables = strings_from_packed(np.array(values, dtype=np.uint64)[:, None], 4)
    assert measure("bool_complexity", tables) == [sympy_operator_count_by_string(t) for t in tables]


def implicants(table):
    """Every subcube on which f is 1, as (literal count, frozenset of its inputs)."""
    n = len(table).bit_length() - 1
    out = []
    for pattern in itertools.product((0, 1, None), repeat=n):
        members = frozenset(i for i in range(1 << n)
                            if all(p is None or p == b for p, b in zip(pattern, point(i, n))))
        if all(table[i] == "1" for i in members):
            out.append((sum(p is not None for p in pattern), members))
    return out


def min_dnf_by_definition(table, cost):
    """Cheapest set of implicants whose union is the set of ones, by DP over covered sets."""
    ones = frozenset(i for i, c in enumerate(table) if c == "1")
    cubes = implicants(table)

    @lru_cache(maxsize=None)
    def best(todo):
        if not todo:
            return 0
        first = min(todo)
        return min(cost(lits) + best(todo - members) for lits, members in cubes if first in members)

    return best(ones)


@pytest.mark.parametrize("n,tables", SMALL)
def test_dnf_terms_and_literals(n, tables):
    assert measure("dnf_terms", tables) == [min_dnf_by_definition(t, lambda lits: 1) for t in tables]
    assert measure("dnf_literals", tables) == [min_dnf_by_definition(t, lambda lits: lits) for t in tables]


def test_dnf_known_values():
    # Parity of 4 inputs needs all 8 minterms (8 terms, 32 literals); the majority of 3 needs 3 x 2.
    assert measure("dnf_terms", [parity_table(4)]) == [8]
    assert measure("dnf_literals", [parity_table(4)]) == [32]
    majority = "".join("1" if bin(i).count("1") >= 2 else "0" for i in range(8))
    assert measure("dnf_terms", [majority]) == [3]
    assert measure("dnf_literals", [majority]) == [6]


# --------------------------------------------------------------------------- formula length


def formula_lengths_by_definition(n):
    """Shortest formulas by brute force: leaves are constants, variables and their complements;
    every node applies one of the 16 two-input operations to two smaller formulas."""
    size = 1 << n
    full = (1 << size) - 1

    def table_int(fn):
        return sum(fn(point(i, n)) << i for i in range(size))

    leaves = {0, full}
    for k in range(n):
        v = table_int(lambda x, k=k: x[k])
        leaves |= {v, v ^ full}
    # Operation o maps input bits (p, q) to bit 2p + q of o; applied to whole tables at once.
    ops = [lambda a, b, o=o: ((o >> 0 & 1) * (~a & ~b) | (o >> 1 & 1) * (~a & b)
                              | (o >> 2 & 1) * (a & ~b) | (o >> 3 & 1) * (a & b)) & full
           for o in range(16)]
    length = {t: 0 for t in leaves}
    levels = [sorted(leaves)]
    while len(length) < 1 << size:
        level = len(levels)
        new = set()
        for a in range(level):
            for g in levels[a]:
                for h in levels[level - 1 - a]:
                    for op in ops:
                        t = op(g, h)
                        if t not in length:
                            new.add(t)
        for t in new:
            length[t] = level
        levels.append(sorted(new))
    return length


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_formula_length_matches_brute_force(n):
    expected = formula_lengths_by_definition(n)
    tables = all_tables(n)
    ints = [int(t[::-1], 2) for t in tables]
    assert measure("formula_length", tables) == [expected[v] for v in ints]


def test_formula_length_knuth_counts_n4():
    values = compute_measures(np.arange(1 << 16, dtype=np.uint64)[:, None], 4, ["formula_length"])
    counts = np.bincount(values["formula_length"]).tolist()
    assert counts == [10, 60, 456, 2474, 10624, 24184, 24640, 3088]  # Knuth, TAOCP 7.1.2


# --------------------------------------------------------------------------- sensitivity family


def sensitivity_at(table, x):
    n = len(x)
    return sum(value(table, flip(x, {k})) != value(table, x) for k in range(n))


def block_sensitivity_at(table, x):
    n = len(x)
    sensitive = [frozenset(c) for r in range(1, n + 1) for c in itertools.combinations(range(n), r)
                 if value(table, flip(x, set(c))) != value(table, x)]

    def most(used, start):
        best = 0
        for j in range(start, len(sensitive)):
            if not sensitive[j] & used:
                best = max(best, 1 + most(used | sensitive[j], j + 1))
        return best

    return most(frozenset(), 0)


def certificate_at(table, x):
    n = len(x)
    for size in range(n + 1):
        for fixed in itertools.combinations(range(n), size):
            ys = (point(i, n) for i in range(1 << n))
            if all(value(table, y) == value(table, x) for y in ys if all(y[k] == x[k] for k in fixed)):
                return size
    raise AssertionError("the full set of coordinates is always a certificate")


def dt_depth_by_definition(table):
    n = len(table).bit_length() - 1

    @lru_cache(maxsize=None)
    def depth(restriction):  # tuple of 0, 1 or None per coordinate
        points = [point(i, n) for i in range(1 << n)]
        values = {value(table, y) for y in points if all(r is None or r == b for r, b in zip(restriction, y))}
        if len(values) == 1:
            return 0
        return 1 + min(max(depth(restriction[:k] + (b,) + restriction[k + 1:]) for b in (0, 1))
                       for k in range(n) if restriction[k] is None)

    return depth((None,) * n)


@pytest.mark.parametrize("n,tables", SMALL)
def test_sensitivity_family(n, tables):
    points = [point(i, n) for i in range(1 << n)]
    s = [[sensitivity_at(t, x) for x in points] for t in tables]
    assert measure("csr", tables) == pytest.approx([sum(v > 0 for v in row) / len(row) for row in s])
    assert measure("sensitivity_avg", tables) == pytest.approx([sum(row) / len(row) for row in s])
    assert measure("sensitivity_max", tables) == [max(row) for row in s]
    assert measure("block_sensitivity", tables) == [max(block_sensitivity_at(t, x) for x in points) for t in tables]
    assert measure("certificate", tables) == [max(certificate_at(t, x) for x in points) for t in tables]
    assert measure("dt_depth", tables) == [dt_depth_by_definition(t) for t in tables]


def test_block_sensitivity_above_sensitivity():
    # 4-input functions with bs(f) > s(f) (the block-sensitivity search is pruned with s(f) and
    # certificate sizes, so these exercise the packing search itself); values from brute force.
    tables = ["0001101111011000", "0001110110111000", "0010011111100100", "0010111001110100"]
    points = [point(i, 4) for i in range(16)]
    expected_bs = [max(block_sensitivity_at(t, x) for x in points) for t in tables]
    expected_s = [max(sensitivity_at(t, x) for x in points) for t in tables]
    assert all(b > s for b, s in zip(expected_bs, expected_s))
    assert measure("block_sensitivity", tables) == expected_bs
    rng = np.random.default_rng(44)
    sparse = ["".join(rng.choice(["0", "1"], 16, p=[0.8, 0.2])) for _ in range(60)]
    assert measure("block_sensitivity", sparse) == [max(block_sensitivity_at(t, x) for x in points) for t in sparse]


def test_sensitivity_family_on_random_n5():
    rng = np.random.default_rng(5)
    tables = ["".join(rng.choice(["0", "1"], 32, p=[q, 1 - q])) for q in (0.5, 0.15) for _ in range(4)]
    points = [point(i, 5) for i in range(32)]
    assert measure("block_sensitivity", tables) == [max(block_sensitivity_at(t, x) for x in points) for t in tables]
    assert measure("certificate", tables) == [max(certificate_at(t, x) for x in points) for t in tables]
    assert measure("dt_depth", tables) == [dt_depth_by_definition(t) for t in tables]


# --------------------------------------------------------------------------- Fourier and GF(2)


def fourier_by_definition(table):
    n = len(table).bit_length() - 1
    points = [point(i, n) for i in range(1 << n)]
    coeffs = {}
    for subset in itertools.product((0, 1), repeat=n):
        total = sum((-1) ** (value(table, x) + sum(s * b for s, b in zip(subset, x))) for x in points)
        coeffs[subset] = Fraction(total, 1 << n)
    return coeffs


@pytest.mark.parametrize("n,tables", SMALL)
def test_fourier_measures(n, tables):
    degree, entropy, l1 = [], [], []
    for t in tables:
        coeffs = fourier_by_definition(t)
        assert sum(c * c for c in coeffs.values()) == 1  # Parseval: the check is on the oracle itself
        degree.append(max((sum(s) for s, c in coeffs.items() if c != 0), default=0))
        entropy.append(-sum(float(c * c) * math.log2(float(c * c)) for c in coeffs.values() if c != 0))
        l1.append(float(sum(abs(c) for c in coeffs.values())))
    assert measure("fourier_degree", tables) == degree
    assert measure("spectral_entropy", tables) == pytest.approx(entropy, abs=1e-12)
    assert measure("fourier_l1", tables) == pytest.approx(l1, abs=1e-12)


def gf2_degree_by_definition(table):
    """Coefficient of prod_{k in S} x_k in the ANF is the XOR of f over inputs below S."""
    n = len(table).bit_length() - 1
    degree = 0
    for subset in itertools.product((0, 1), repeat=n):
        below = [x for x in itertools.product((0, 1), repeat=n) if all(b <= s for b, s in zip(x, subset))]
        if sum(value(table, x) for x in below) % 2:
            degree = max(degree, sum(subset))
    return degree


@pytest.mark.parametrize("n,tables", SMALL)
def test_gf2_degree(n, tables):
    assert measure("gf2_degree", tables) == [gf2_degree_by_definition(t) for t in tables]


# --------------------------------------------------------------------------- structure


def relevant_by_definition(table):
    n = len(table).bit_length() - 1
    points = [point(i, n) for i in range(1 << n)]
    return sum(any(value(table, flip(x, {k})) != value(table, x) for x in points) for k in range(n))


def threshold_tables_by_enumeration(n):
    """Every f(x) = [w.x + b > 0] with small integer weights and half-integer biases
    (enough for n <= 3: the largest weight needed there is 2)."""
    points = [point(i, n) for i in range(1 << n)]
    found = set()
    for w in itertools.product(range(-3, 4), repeat=n):
        for b2 in range(-15, 16, 2):
            found.add("".join("1" if 2 * sum(a * c for a, c in zip(w, x)) + b2 > 0 else "0" for x in points))
    return found


def npn_class_by_definition(table):
    n = len(table).bit_length() - 1
    images = set()
    for perm in itertools.permutations(range(n)):
        for neg in itertools.product((0, 1), repeat=n):
            image = "".join(table[index(tuple(x[perm[k]] ^ neg[k] for k in range(n)))]
                            for x in (point(i, n) for i in range(1 << n)))
            images.add(image)
            images.add("".join("1" if c == "0" else "0" for c in image))
    return min(images)  # the convention: the lexicographically smallest truth-table string


@pytest.mark.parametrize("n,tables", SMALL)
def test_structure_measures(n, tables):
    assert measure("relevant_vars", tables) == [relevant_by_definition(t) for t in tables]
    separable = threshold_tables_by_enumeration(n)
    assert measure("threshold", tables) == [int(t in separable) for t in tables]
    assert measure("npn_class", tables) == [npn_class_by_definition(t) for t in tables]


@pytest.mark.parametrize("n,expected", [(0, 2), (1, 4), (2, 14), (3, 104), (4, 1882)])
def test_threshold_counts_oeis_a000609(n, expected):
    values = compute_measures(np.arange(1 << (1 << n), dtype=np.uint64)[:, None], n, ["threshold"])
    assert int(values["threshold"].sum()) == expected


@pytest.mark.parametrize("n,expected", [(2, 4), (3, 14), (4, 222)])
def test_npn_class_counts(n, expected):
    values = compute_measures(np.arange(1 << (1 << n), dtype=np.uint64)[:, None], n, ["npn_class"])
    assert values["npn_class"].nunique() == expected


@pytest.mark.parametrize("n", [6, 7])
def test_threshold_accepts_random_perceptrons_and_rejects_unate_non_threshold(n):
    rng = np.random.default_rng(n)
    x = np.array([point(i, n) for i in range(1 << n)])
    tables = []
    for _ in range(40):
        w = rng.normal(size=n) * rng.choice([0.1, 1, 10], size=n)
        pre = x @ w + rng.normal() * 2
        tables.append("".join("1" if v > 0 else "0" for v in pre))
    # x1 x2 OR x3 x4 is monotone (so unate) but not a threshold function (Muroga 1971).
    two_and = "".join("1" if (p[0] and p[1]) or (p[2] and p[3]) else "0" for p in map(tuple, x))
    assert measure("threshold", tables + [two_and]) == [1] * len(tables) + [0]


def test_threshold_known_n7_functions():
    majority7 = "".join("1" if bin(i).count("1") >= 4 else "0" for i in range(128))
    assert measure("threshold", [majority7, parity_table(7), "0" * 127 + "1"]) == [1, 0, 1]


# --------------------------------------------------------------------------- invariances


def transformed(table, perm, neg, negate_output=False):
    n = len(table).bit_length() - 1
    out = "".join(table[index(tuple(x[perm[k]] ^ neg[k] for k in range(n)))]
                  for x in (point(i, n) for i in range(1 << n)))
    return "".join("1" if c == "0" else "0" for c in out) if negate_output else out


INVARIANT_UNDER_NPN = ["csr", "sensitivity_avg", "sensitivity_max", "block_sensitivity", "certificate", "dt_depth",
                       "fourier_degree", "spectral_entropy", "fourier_l1", "relevant_vars", "threshold",
                       "npn_class", "formula_length", "entropy"]
INVARIANT_UNDER_NP = ["dnf_terms", "dnf_literals", "gf2_degree", "ones"]


@pytest.mark.parametrize("n", [4, 5])
def test_invariance_under_input_permutations_and_negations(n):
    rng = np.random.default_rng(10 + n)
    tables = ["".join(rng.choice(["0", "1"], 1 << n)) for _ in range(25)]
    names = [m for m in INVARIANT_UNDER_NPN + INVARIANT_UNDER_NP if MEASURES[m].valid_for(n)]
    before = compute_measures(pack_strings(tables), n, names)
    for trial in range(3):
        perm = list(rng.permutation(n))
        neg = list(rng.integers(0, 2, n))
        moved = [transformed(t, perm, neg) for t in tables]
        assert moved != tables
        after = compute_measures(pack_strings(moved), n, names)
        pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-12)
        complemented = [transformed(t, perm, neg, True) for t in tables]
        npn_names = [m for m in INVARIANT_UNDER_NPN if MEASURES[m].valid_for(n)]
        pd.testing.assert_frame_equal(before[npn_names],
                                      compute_measures(pack_strings(complemented), n, npn_names),
                                      check_exact=False, rtol=1e-12)


# --------------------------------------------------------------------------- registry and API


def test_registry_entries_are_documented():
    for name, m in MEASURES.items():
        assert m.name == name and m.definition and m.reference
    assert measure_names(3) == list(MEASURES)
    assert "formula_length" not in measure_names(5) and "npn_class" in measure_names(5)
    assert set(measure_names(7)) == set(MEASURES) - {"formula_length", "npn_class"}


def test_compute_measures_on_repeated_rows_and_wide_tables():
    tables = ["01" * 64, "0" * 128, "01" * 64, parity_table(7)]
    df = compute_measures(pack_strings(tables), 7, ["lz", "ones", "gf2_degree"])
    assert df["lz"].tolist() == [21, 7, 21, 91]
    assert df["ones"].tolist() == [64, 0, 64, 64]
    assert df["gf2_degree"].tolist() == [1, 0, 1, 1]


def test_add_measures_keeps_columns_and_order():
    df = pd.DataFrame({"function": ["0110", "0001", "0110"], "probability": [0.2, 0.3, 0.5]})
    out = add_measures(df, ["ones", "threshold"])
    assert out.columns.tolist() == ["function", "probability", "ones", "threshold"]
    assert out["ones"].tolist() == [2, 1, 2] and out["threshold"].tolist() == [0, 1, 0]
    assert df.columns.tolist() == ["function", "probability"]  # input untouched


def test_bad_names_and_limits_raise_usage_errors():
    words = pack_strings(["0" * 32])
    with pytest.raises(UsageError, match="valid names.*lz"):
        compute_measures(words, 5, ["lz", "kolmogorov"])
    with pytest.raises(UsageError, match="formula_length needs n <= 4"):
        compute_measures(words, 5, ["formula_length"])
    with pytest.raises(UsageError, match="same length"):
        add_measures(pd.DataFrame({"function": ["01", "0110"]}))
    with pytest.raises(UsageError, match="0 and 1"):
        add_measures(pd.DataFrame({"function": ["01x0"]}))


def test_multiword_tables_n8_against_definitions():
    # 256-input tables span four uint64 words: the packed paths past one word.
    rng = np.random.default_rng(8)
    tables = ["".join(rng.choice(["0", "1"], 256, p=[q, 1 - q])) for q in (0.5, 0.97)]
    n = 8
    points = [point(i, n) for i in range(1 << n)]
    s = [[sensitivity_at(t, x) for x in points] for t in tables]
    assert measure("ones", tables) == [t.count("1") for t in tables]
    assert measure("csr", tables) == pytest.approx([sum(v > 0 for v in row) / 256 for row in s])
    assert measure("sensitivity_avg", tables) == pytest.approx([sum(row) / 256 for row in s])
    assert measure("sensitivity_max", tables) == [max(row) for row in s]
    assert measure("relevant_vars", tables) == [relevant_by_definition(t) for t in tables]
    assert measure("gf2_degree", tables) == [gf2_degree_by_definition(t) for t in tables]
    l1 = [float(sum(abs(c) for c in fourier_by_definition(t).values())) for t in tables]
    assert measure("fourier_l1", tables) == pytest.approx(l1, abs=1e-12)
