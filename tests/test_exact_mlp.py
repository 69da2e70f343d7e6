"""The exact MLP engine (boolnet.exact.mlp) against independent sources.

* a second exact method written separately from the fast path: ordered tuples of hidden units
  (no multisets, no histograms, no modular arithmetic), each unit's function distribution from the
  volume of its *partial-function region* (only the realised codes' half-spaces, intersected with
  the cube) computed directly by Normaliz in Python Fractions; for the gaussian prior the same
  regions measured by orthant probabilities after projecting out their lineality space;
* the Monte Carlo sampler (boolnet.sampling), by chi-square;
* facts known by hand (the n = 2 perceptron on the cube; threshold functions; symmetries).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pytest
from scipy import stats

from boolnet.errors import BoolnetError
from boolnet.exact.mlp import exact_mlp_table
from boolnet.priors import Prior

CUBE = Prior("uniform", 1, 1, fan_in_scaling=False)
ISO = Prior("gaussian", 1, 1, fan_in_scaling=False)   # isotropic standard Gaussian


def _probs(t, exact=True):
    col = "probability_exact" if exact else "probability"
    if exact:
        return {f: Fraction(p) for f, p in zip(t["function"], t[col])}
    return dict(zip(t["function"], t[col]))


# --------------------------------------------------------------------------------------------
# The second, independent exact method
# --------------------------------------------------------------------------------------------

def _interior(rows: list[list[int]], d: int) -> bool:
    """Does {theta in [-1, 1]^d : row . theta >= 0 for all rows} have an interior? (LP)"""
    from scipy.optimize import linprog

    if not rows:
        return True
    # maximise t subject to row . theta >= t, -1 <= theta <= 1, t <= 1
    A = [[-c for c in r] + [1.0] for r in rows]
    res = linprog(c=[0.0] * d + [-1.0], A_ub=A, b_ub=[0.0] * len(rows),
                  bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    return res.status == 0 and -res.fun > 1e-9


@lru_cache(maxsize=None)
def _cube_volume(rows: tuple) -> Fraction:
    """Share of the cube [-1, 1]^d in the cone {row . theta >= 0} (Normaliz, exact)."""
    import PyNormaliz

    rows = [list(r) for r in rows]
    d = len(rows[0]) if rows else 0
    if not rows:
        return Fraction(1)
    if not _interior(rows, d):
        return Fraction(0)
    ineq = [r + [0] for r in rows]
    for k in range(d):
        for s in (1, -1):
            box = [0] * d + [1]
            box[k] = s
            ineq.append(box)
    cone = PyNormaliz.Cone(inhom_inequalities=ineq)
    vol = Fraction(str(cone.Volume()))
    return vol / (math.factorial(d) * 2**d)


@lru_cache(maxsize=None)
def _gaussian_measure(rows: tuple) -> tuple[float, float]:
    """Standard-Gaussian measure of {row . theta >= 0} and an error bound.

    The lineality space ker(G) is projected out: with B r independent rows of G, the component
    of theta in row(G) is B^T v with v ~ N(0, (B B^T)^-1), and the cone in v is
    {G B^T v >= 0}, pointed; Normaliz triangulates it, and each simplicial cone {R^T lam, lam >= 0}
    has lam ~ N(0, (R B B^T R^T)^-1), an orthant probability.
    """
    import PyNormaliz
    import sympy

    from boolnet.exact.gaussian import orthant_probability

    rows = [list(r) for r in rows]
    if not rows:
        return 1.0, 0.0
    d = len(rows[0])
    if not _interior(rows, d):
        return 0.0, 0.0
    basis: list[list[int]] = []
    for r in rows:
        if sympy.Matrix(basis + [r]).rank() > len(basis):
            basis.append(r)
    B = sympy.Matrix(basis)
    G = sympy.Matrix(rows)
    W = G * B.T                              # cone in v coordinates
    r_dim = len(basis)
    if r_dim == 1:
        return 0.5, 0.0
    cone = PyNormaliz.Cone(inequalities=[[int(c) for c in W.row(i)] for i in range(W.rows)])
    simplices, generators = cone.Triangulation()[:2]
    BBt = B * B.T
    total, err = 0.0, 0.0
    for s in simplices:
        R = sympy.Matrix([generators[i] for i in s[0]])
        A = R * BBt * R.T
        cov = np.array(A.inv().tolist(), dtype=float)
        p, e = orthant_probability(cov)
        total += p
        err += e + 1e-15
    return total, err


def _unit_distribution(codes: tuple, bias: bool, measure) -> dict:
    """Distribution of the function of the inputs computed by one perceptron over the codes.

    ``codes[x]`` is the tuple of the unit's input values at network input x. Returns
    {truth table (tuple of 0/1 over x): probability}.
    """
    distinct = sorted(set(codes))
    out = {}
    for labels in itertools.product((0, 1), repeat=len(distinct)):
        lab = dict(zip(distinct, labels))
        rows, ok = [], True
        for c in distinct:
            a = list(c) + ([1] if bias else [])
            if not any(a):  # pre-activation identically 0: output 0
                ok = ok and lab[c] == 0
                continue
            rows.append([v if lab[c] else -v for v in a])
        if not ok:
            continue
        p = measure(tuple(tuple(r) for r in rows))
        if (p[0] if isinstance(p, tuple) else p) > 0:
            out[tuple(lab[c] for c in codes)] = p
    return out


def _reference(widths, activation, encoding, bias, measure, combine):
    """P(f) by ordered tuples of hidden units, layer by layer (a Python dict over truth tables)."""
    n = widths[0]
    x_inputs = [tuple((i >> (n - 1 - k)) & 1 for k in range(n)) for i in range(1 << n)]
    if encoding == "pm1":
        x_inputs = [tuple(2 * b - 1 for b in x) for x in x_inputs]
    return _reference_layer(tuple(x_inputs), widths[1:], activation, bias, measure, combine)


def _reference_layer(codes, widths, activation, bias, measure, combine):
    unit = _unit_distribution(codes, bias, measure)
    if len(widths) == 1:  # the output unit
        return unit
    out = {}
    H = widths[0]
    for tup in itertools.product(unit.items(), repeat=H):
        weight = combine([p for _, p in tup])
        hidden = [f for f, _ in tup]
        new_codes = []
        for x in range(len(codes)):
            pre_zero = not bias and not any(codes[x])  # this unit's pre-activation is 0
            if activation == "step":
                new_codes.append(tuple(h[x] for h in hidden))
            else:
                new_codes.append(tuple(0 if pre_zero else 2 * h[x] - 1 for h in hidden))
        for f, q in _reference_layer(tuple(new_codes), widths[1:], activation, bias, measure, combine).items():
            out[f] = out.get(f, None)
            term = combine([weight, q])
            out[f] = term if out[f] is None else _add(out[f], term)
    return out


def _add(a, b):
    if isinstance(a, tuple):
        return (a[0] + b[0], a[1] + b[1])
    return a + b


def _prod_exact(ps):
    return math.prod(ps, start=Fraction(1))


def _prod_float(ps):
    # (value, error) products: |prod(p + e) - prod(p)| <= prod(p + e) - prod(p) for p >= 0
    v = math.prod(p for p, _ in ps)
    hi = math.prod(p + e for p, e in ps)
    return (v, hi - v + 1e-15 * hi)


def _string(bits) -> str:
    return "".join(str(b) for b in bits)


@pytest.mark.parametrize("arch,activation,encoding,bias", [
    ("2-1", "step", "01", True),
    ("2-1-1", "step", "01", True),
    ("2-2-1", "step", "01", True),
    ("2-2-1", "sign", "01", True),
    ("2-2-1", "step", "pm1", True),
    ("2-2-1", "sign", "pm1", False),
    ("2-2-1", "sign", "01", False),
    ("2-2-1", "step", "01", False),
    ("1-2-1-1", "step", "01", True),
    ("1-2-2-1", "sign", "01", False),
])
def test_second_exact_method_uniform(arch, activation, encoding, bias):
    widths = tuple(int(w) for w in arch.split("-"))
    ref = _reference(widths, activation, encoding, bias, _cube_volume, _prod_exact)
    ref = {_string(f): p for f, p in ref.items() if p > 0}
    t = exact_mlp_table(arch, activation=activation, prior=CUBE, encoding=encoding, bias=bias)
    assert _probs(t) == ref                     # every function, to the last digit
    assert sum(ref.values()) == 1


@pytest.mark.parametrize("arch,activation,encoding,bias", [
    ("2-2-1", "step", "01", True),
    ("2-1-1", "sign", "pm1", True),
    ("1-2-2-1", "step", "01", True),
])
def test_second_method_gaussian(arch, activation, encoding, bias):
    widths = tuple(int(w) for w in arch.split("-"))
    ref = _reference(widths, activation, encoding, bias, _gaussian_measure, _prod_float)
    ref = {_string(f): p for f, p in ref.items() if p[0] > 0}
    t = exact_mlp_table(arch, activation=activation, prior=ISO, encoding=encoding, bias=bias)
    assert set(t["function"]) == set(ref)
    err = (t["probability_high"] - t["probability"]).to_numpy()
    assert err.max() <= 1e-10
    for f, p, e in zip(t["function"], t["probability"], err):
        assert abs(p - ref[f][0]) <= e + ref[f][1] + 1e-15, f


def test_perceptron_cube_facts():
    # n = 2 perceptron on [-1, 1]^3: AND = 1/48, OR = 1/24, each constant 13/48
    p = _probs(exact_mlp_table("2-1", prior=CUBE))
    assert p["0001"] == Fraction(1, 48)
    assert p["0111"] == Fraction(1, 24)
    assert p["0000"] == p["1111"] == Fraction(13, 48)
    assert len(p) == 14


@pytest.mark.parametrize("prior", [CUBE, Prior()])
@pytest.mark.parametrize("activation", ["step", "sign"])
def test_all_16_functions_in_2_2_1(prior, activation):
    t = exact_mlp_table("2-2-1", activation=activation, prior=prior)
    assert sorted(t["function"]) == [format(i, "04b") for i in range(16)]
    assert (t["probability"] > 0).all()
    assert t.loc[t.function == "0110", "probability"].item() > 1e-5   # XOR


def _threshold_functions(n: int) -> set[str]:
    """Threshold functions of n inputs by LP feasibility (independent of the engine)."""
    out = set()
    xs = [[(i >> (n - 1 - k)) & 1 for k in range(n)] for i in range(1 << n)]
    for f in range(1 << (1 << n)):
        bits = [(f >> i) & 1 for i in range(1 << n)]
        rows = [[(v if b else -v) for v in x + [1]] for x, b in zip(xs, bits)]
        if _interior(rows, n + 1):
            out.add(_string(bits))
    return out


@pytest.mark.parametrize("n", [2, 3])
def test_n_1_1_computes_only_threshold_functions(n):
    thr = _threshold_functions(n)
    for activation in ("step", "sign"):
        t = exact_mlp_table(f"{n}-1-1", activation=activation, prior=CUBE)
        assert set(t["function"]) <= thr
        assert set(t["function"]) == thr     # h or not h, or a constant: every threshold function
    assert "0110" not in thr and len(_threshold_functions(2)) == 14


def _permute(f: str, n: int, perm) -> str:
    out = []
    for i in range(1 << n):
        bits = [(i >> (n - 1 - k)) & 1 for k in range(n)]
        j = sum(bits[perm[k]] << (n - 1 - k) for k in range(n))
        out.append(f[j])
    return "".join(out)


@pytest.mark.parametrize("arch,activation,prior", [("3-2-1", "step", CUBE), ("3-2-1", "sign", Prior()),
                                                   ("2-2-2-1", "step", CUBE)])
def test_symmetric_functions_have_equal_probability(arch, activation, prior):
    n = int(arch[0])
    t = exact_mlp_table(arch, activation=activation, prior=prior)
    exact = "probability_exact" in t.columns
    p = _probs(t, exact)
    tol = 0 if exact else 2 * (t["probability_high"] - t["probability"]).max()
    for f, v in p.items():
        for perm in itertools.permutations(range(n)):
            g = _permute(f, n, perm)
            assert abs(p[g] - v) <= tol
        neg = "".join("1" if c == "0" else "0" for c in f)   # output negation (with a bias)
        assert abs(p[neg] - v) <= tol


def _chi_square_pvalue(table, sampled) -> float:
    """Pearson chi-square of sampled counts against exact probabilities (bins with expected < 5 pooled)."""
    total = int(sampled["count"].sum())
    counts = dict(zip(sampled["function"], sampled["count"]))
    assert set(counts) <= set(table["function"]), "the sampler found a function of probability 0"
    expected = table["probability"].to_numpy() * total
    observed = np.array([counts.get(f, 0) for f in table["function"]], dtype=float)
    big = expected >= 5
    e = np.append(expected[big], expected[~big].sum())
    o = np.append(observed[big], observed[~big].sum())
    if e[-1] < 5:  # fold a tiny pooled bin into the last big one
        e[-2] += e[-1]
        o[-2] += o[-1]
        e, o = e[:-1], o[:-1]
    chi2 = float(((o - e) ** 2 / e).sum())
    return float(stats.chi2.sf(chi2, len(e) - 1))


@pytest.mark.parametrize("arch,activation,prior,encoding,bias", [
    ("2-2-1", "step", Prior(), "01", True),
    ("2-3-1", "sign", CUBE, "01", True),
    ("3-2-1", "step", Prior("uniform"), "pm1", True),
    ("3-3-1", "sign", Prior(), "01", False),
    ("2-2-2-1", "step", Prior(), "01", True),
    ("2-2-3-1", "sign", CUBE, "pm1", True),
])
def test_agrees_with_the_sampler(arch, activation, prior, encoding, bias):
    from boolnet.sampling import sample_table

    t = exact_mlp_table(arch, activation=activation, prior=prior, encoding=encoding, bias=bias)
    r = sample_table(arch, activation=activation, prior=prior, encoding=encoding, bias=bias, samples=200_000,
                     seed=7, progress=False)
    sampled = r[0] if isinstance(r, tuple) else r
    assert _chi_square_pvalue(t, sampled) > 1e-4


def test_table_schema_and_metadata():
    t = exact_mlp_table("3-2-1", activation="sign", prior=CUBE)
    assert list(t.columns) == ["function", "probability", "probability_low", "probability_high",
                               "probability_exact"]
    meta = t.attrs["boolnet"]
    assert meta["volume_method"] == "exact" and meta["probability_sum_exact"] == "1"
    assert meta["architecture"] == "3-2-1" and meta["activation"] == "sign" and meta["n"] == 3
    assert meta["prior"] == "uniform" and meta["fan_in_scaling"] is False and meta["bias"] is True
    fr = [Fraction(s) for s in t["probability_exact"]]
    assert sum(fr) == 1
    assert all(a > b or (a == b and f < g) for a, b, f, g in
               zip(fr, fr[1:], t["function"], t["function"][1:]))      # most probable first, ties by name
    assert (t["probability_low"] == t["probability"]).all()
    g = exact_mlp_table("2-3-1")                                         # gaussian, fan-in scaling
    gm = g.attrs["boolnet"]
    assert gm["volume_method"] == "quadrature" and "probability_exact" not in g.columns
    bound = (g["probability_high"] - g["probability"]).to_numpy()
    assert bound.max() <= 1e-10 and gm["error_bound_sum"] <= 1e-9
    assert abs(gm["probability_sum"] - 1) <= gm["error_bound_sum"] + 1e-12
    assert (g["probability_low"] <= g["probability"]).all()
    from boolnet.table.schema import check_volume_table, volume_method

    for table in (t, g):
        check_volume_table(table, "exact MLP table")
    assert volume_method(t) == "exact" and volume_method(g) == "quadrature"


def test_uniform_with_fan_in_scaling_is_bounded_not_exact():
    # fan-in 2: the weight/bias ratio 1/sqrt(2) is irrational; the perceptron engine bounds it
    t = exact_mlp_table("2-2-1", prior=Prior("uniform"))
    assert t.attrs["boolnet"]["volume_method"] == "quadrature"
    assert (t["probability_high"] - t["probability"]).max() <= 1e-10
    assert len(t) == 16


@pytest.mark.parametrize("kwargs,param", [
    (dict(arch="2-2"), "arch"),
    (dict(arch="2-x-1"), "arch"),
    (dict(arch="5-2-1"), "arch"),
    (dict(arch="2-6-1", prior=CUBE), "arch"),
    (dict(arch="3-6-1"), "arch"),
    (dict(arch="4-4-1"), "arch"),
    (dict(arch="2-2-1", activation="relu"), "activation"),
    (dict(arch="2-2-1", encoding="binary"), "encoding"),
    (dict(arch="2-2-1", prior="uniform"), "prior"),
])
def test_bad_input_names_the_parameter(kwargs, param):
    arch = kwargs.pop("arch")
    with pytest.raises(BoolnetError) as err:
        exact_mlp_table(arch, **kwargs)
    assert err.value.param == param
    assert "--" not in str(err.value)


@pytest.mark.parametrize("arch,kwargs", [
    ("2-3-1", {}),
    ("2-2-1", dict(activation="sign")),
    ("2-4-1", dict(bias=False)),
    ("2-3-1", dict(activation="sign", bias=False)),
    ("1-2-3-1", dict(activation="sign", encoding="pm1")),
])
def test_covariance_path_agrees_with_the_table_path(arch, kwargs, monkeypatch):
    """Gaussian prior: orthant probabilities of the output's covariance (used for wide last layers)
    against sums of the perceptron table of the output unit."""
    import boolnet.exact.mlp as mlp

    monkeypatch.setattr(mlp, "GRAM_MIN_WIDTH", 99)
    table = mlp.exact_mlp_table(arch, **kwargs)
    monkeypatch.setattr(mlp, "GRAM_MIN_WIDTH", 1)
    gram = mlp.exact_mlp_table(arch, **kwargs)
    assert "covariance_matrices" in gram.attrs["boolnet"]
    a = dict(zip(table.function, zip(table.probability, table.probability_high - table.probability)))
    b = dict(zip(gram.function, zip(gram.probability, gram.probability_high - gram.probability)))
    assert set(a) == set(b)
    for f in a:
        assert abs(a[f][0] - b[f][0]) <= a[f][1] + b[f][1] + 1e-16


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["2-5-1", "2-6-1"])
def test_wide_gaussian_agrees_with_the_sampler(arch):
    from boolnet.sampling import sample_table

    t = exact_mlp_table(arch)
    assert (t["probability_high"] - t["probability"]).max() <= 1e-10
    r = sample_table(arch, activation="step", samples=500_000, seed=3, progress=False)
    sampled = r[0] if isinstance(r, tuple) else r
    assert _chi_square_pvalue(t, sampled) > 1e-4


@pytest.mark.parametrize("arch,prior,kwargs", [
    ("3-2-1", CUBE, dict(activation="sign")),
    ("3-3-1", CUBE, dict(encoding="pm1")),
    ("2-3-1", CUBE, dict(encoding="pm1", bias=False)),
    ("3-2-1", Prior(), dict(bias=False)),
])
def test_input_symmetry_reduction_changes_nothing(arch, prior, kwargs, monkeypatch):
    """Composing only the multisets smallest in their orbit and symmetrising gives the same table."""
    import boolnet.exact.mlp as mlp

    monkeypatch.setattr(mlp, "USE_INPUT_SYMMETRY", False)
    plain = mlp.exact_mlp_table(arch, prior=prior, **kwargs)
    monkeypatch.setattr(mlp, "USE_INPUT_SYMMETRY", True)
    reduced = mlp.exact_mlp_table(arch, prior=prior, **kwargs)
    assert reduced.attrs["boolnet"]["multisets"] < plain.attrs["boolnet"]["multisets"]
    if "probability_exact" in plain.columns:
        assert plain["function"].tolist() == reduced["function"].tolist()
        assert plain["probability_exact"].tolist() == reduced["probability_exact"].tolist()
    else:
        a = dict(zip(plain.function, zip(plain.probability, plain.probability_high - plain.probability)))
        b = dict(zip(reduced.function, zip(reduced.probability, reduced.probability_high - reduced.probability)))
        assert set(a) == set(b)
        assert all(abs(a[f][0] - b[f][0]) <= a[f][1] + b[f][1] for f in a)


def test_rational_primes_are_sympys_and_rebuild_big_integers():
    """The moduli are the largest primes below 2**31 (trial division, checked against sympy), and
    enough of them rebuild any integer up to the bound asked for."""
    import sympy

    from boolnet.exact._rational import crt, primes_below_2_31, primes_covering, residues

    expected, p = [], 2**31
    for _ in range(6):
        p = int(sympy.prevprime(p))
        expected.append(p)
    assert primes_below_2_31(6) == expected
    for bound in (48, 46080**3 * 24, 2**64, 10**40):
        primes = primes_covering(bound)
        assert math.prod(primes) > bound and math.prod(primes[:-1]) <= bound
        for x in (0, 1, bound // 3, bound):
            assert crt(residues([x], primes)[:, 0].tolist(), primes) == x
