"""Exact volumes against independent oracles: hand derivations, Lasserre's recursion, Monte Carlo,
spherical excess, sums and symmetry."""

import math
from fractions import Fraction

import numpy as np
import pytest

from boolnet.exact import exact_table, region, threshold_orbits
from boolnet.exact.lasserre import cube_fraction
from boolnet.exact.regions import constraint_rows
from boolnet.exact.volumes import gaussian_probability, uniform_probability
from boolnet.functions import bits_from_string, inputs, strings_from_packed
from boolnet.priors import Prior

CUBE = Prior("uniform", fan_in_scaling=False)
SETTINGS = [("01", True), ("01", False), ("pm1", True), ("pm1", False)]


def test_hand_derived_values():
    # n = 1, cube: constant 0 needs b <= 0 and w + b <= 0: area 3/2 of the square's 4 -> 3/8.
    t = exact_table(1, CUBE)
    assert dict(zip(t.function, t.probability_exact)) == {"00": "3/8", "11": "3/8", "01": "1/8", "10": "1/8"}
    # n = 2: the two constants fill more than half of the cube.
    t = exact_table(2, CUBE)
    p = dict(zip(t.function, t.probability_exact.map(Fraction)))
    assert p["0000"] + p["1111"] > Fraction(1, 2)
    assert "0110" not in p and "1001" not in p  # XOR and XNOR have volume 0


@pytest.mark.parametrize("encoding,bias", SETTINGS)
def test_uniform_sums_to_exactly_one(encoding, bias):
    for n in (1, 2, 3, 4):
        meta = exact_table(n, CUBE, encoding, bias).attrs["boolnet"]
        assert meta["probability_sum_exact"] == "1"


@pytest.mark.parametrize("encoding,bias", SETTINGS)
def test_normaliz_agrees_with_lasserre(encoding, bias):
    # Two independent exact methods: Normaliz (triangulation) vs Lasserre's recursion on all 2^n rows.
    for n in (1, 2, 3):
        for orb in threshold_orbits(n, encoding, bias):
            bits = bits_from_string(orb.representative.function)
            rows = constraint_rows(bits, n, encoding, bias)
            rows = rows[rows.any(axis=1)]
            assert uniform_probability(orb.representative, CUBE)[1] == cube_fraction(rows)


def test_rational_box_other_than_cube():
    # sigma_w = 1/2, sigma_b = 3, no fan-in scaling: still rational, checked against Lasserre on the
    # rescaled normals (weights * 1/2, bias * 3).
    prior = Prior("uniform", "0.5", "3", fan_in_scaling=False)
    for orb in threshold_orbits(2):
        g = constraint_rows(bits_from_string(orb.representative.function), 2)
        scaled = [tuple(Fraction(int(c)) * s for c, s in zip(row, (Fraction(1, 2), Fraction(1, 2), Fraction(3))))
                  for row in g]
        assert uniform_probability(orb.representative, prior)[1] == cube_fraction(scaled)
    # fan-in scaling with n = 4 is rational too (s = 1/2)
    meta = exact_table(4, Prior("uniform")).attrs["boolnet"]
    assert meta["probability_sum_exact"] == "1"


def test_symmetric_functions_have_equal_volume_computed_directly():
    rng = np.random.default_rng(7)
    for prior in (CUBE, Prior("uniform", "2", "1"), Prior()):
        for orb in threshold_orbits(3):
            rep = uniform_or_gauss(orb.representative, prior)
            k = int(rng.integers(len(orb.members)))
            name = strings_from_packed(orb.members[k:k + 1, None], 3)[0]
            other = uniform_or_gauss(region(name), prior)
            assert abs(rep[0] - other[0]) <= rep[1] + other[1] + 1e-15


def uniform_or_gauss(reg, prior):
    if prior.kind == "uniform":
        p, _, err = uniform_probability(reg, prior)
        return p, err
    return gaussian_probability(reg, prior)


def _monte_carlo(n, prior, encoding, bias, samples, seed):
    rng = np.random.default_rng(seed)
    x = inputs(n, encoding, dtype=np.float64)
    cw, cb = prior.weight_scale(n), prior.bias_scale()
    if prior.kind == "gaussian":
        w = rng.normal(0, cw, size=(samples, n))
        b = rng.normal(0, cb, size=samples) if bias else np.zeros(samples)
    else:
        w = rng.uniform(-cw, cw, size=(samples, n))
        b = rng.uniform(-cb, cb, size=samples) if bias else np.zeros(samples)
    bits = (w @ x.T + b[:, None] > 0).astype(np.int64)
    keys = bits @ (1 << np.arange(1 << n))
    values, counts = np.unique(keys, return_counts=True)
    return {"".join(str((int(v) >> i) & 1) for i in range(1 << n)): c / samples for v, c in zip(values, counts)}


@pytest.mark.parametrize("prior", [CUBE, Prior("uniform"), Prior(), Prior("gaussian", "2", "0.5", False)],
                         ids=["cube", "uniform-fanin", "gaussian", "gaussian-sigmas"])
@pytest.mark.parametrize("encoding,bias", [("01", True), ("pm1", True), ("01", False)])
def test_agrees_with_monte_carlo(prior, encoding, bias):
    n, samples = 3, 400_000
    table = exact_table(n, prior, encoding, bias)
    mc = _monte_carlo(n, prior, encoding, bias, samples, seed=12345)
    assert set(mc) <= set(table.function)  # sampling never finds a function of volume 0
    for f, p in zip(table.function, table.probability):
        sd = math.sqrt(p * (1 - p) / samples)
        assert abs(mc.get(f, 0.0) - p) <= 5 * sd + 1e-12, f


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_gaussian_sums_to_one_within_bounds(n):
    for encoding, bias in SETTINGS:
        t = exact_table(n, Prior(), encoding, bias)
        meta = t.attrs["boolnet"]
        assert meta["volume_method"] == "quadrature"
        assert ((t.probability_high - t.probability) <= 1e-10).all()
        assert ((t.probability - t.probability_low) <= 1e-10).all()
        assert abs(meta["probability_sum"] - 1) <= meta["error_bound_sum"] + 1e-13 * len(t)


def _spherical_polygon_area(rays):
    """Area of the spherical polygon spanned by a pointed 3-D cone's extreme rays (Girard)."""
    v = np.array([r / np.linalg.norm(r) for r in np.asarray(rays, float)])
    centre = v.mean(axis=0)
    centre /= np.linalg.norm(centre)
    e1 = v[0] - centre * (v[0] @ centre)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(centre, e1)
    order = np.argsort([math.atan2(p @ e2, p @ e1) for p in v])
    v = v[order]
    k = len(v)
    angles = 0.0
    for i in range(k):
        a, b, c = v[i - 1], v[i], v[(i + 1) % k]
        t1 = a - b * (a @ b)
        t2 = c - b * (c @ b)
        angles += math.acos(np.clip(t1 @ t2 / np.linalg.norm(t1) / np.linalg.norm(t2), -1, 1))
    return angles - (k - 2) * math.pi


def test_gaussian_n2_against_spherical_excess():
    # Isotropic prior (sigma_w = sigma_b = 1, no fan-in scaling): probability = solid angle / 4 pi.
    prior = Prior("gaussian", fan_in_scaling=False)
    for orb in threshold_orbits(2):
        p, err = gaussian_probability(orb.representative, prior)
        assert err <= 1e-12
        assert p == pytest.approx(_spherical_polygon_area(orb.representative.rays) / (4 * math.pi), abs=1e-12)


def test_irrational_box_bound_brackets_nearby_rational_boxes():
    # With fan-in scaling at n = 3 the weight/bias ratio is 1/sqrt(3). The result must lie between the
    # exact values for rational ratios just below and above (volumes of nested boxes), to its bound.
    reps = threshold_orbits(3)
    for orb in reps[:6]:
        p, exact, err = uniform_probability(orb.representative, Prior("uniform"))
        assert exact is None and 0 < err < 1e-12
        lo = uniform_probability(orb.representative, Prior("uniform", Fraction(577, 1000), 1, False))[1]
        hi = uniform_probability(orb.representative, Prior("uniform", Fraction(578, 1000), 1, False))[1]
        # |F(r) - F(r')| <= 1 - (r / r')^3 for nested boxes
        slack = 1 - (Fraction(577, 1000) / Fraction(578, 1000)) ** 3
        assert min(lo, hi) - slack - err <= p <= max(lo, hi) + slack + err


def test_orbit_rows_agree_with_function_rows():
    full = exact_table(3, CUBE)
    orbits = exact_table(3, CUBE, orbits_only=True)
    meta = orbits.attrs["boolnet"]
    assert orbits.orbit_size.sum() == len(full) == meta["functions"] == 104
    assert sum(Fraction(p) * k for p, k in zip(orbits.probability_exact, orbits.orbit_size)) == 1
    by_orbit = full.groupby("orbit").agg(size=("function", "size"), p=("probability_exact", "first"))
    for rep, size, p in zip(orbits.function, orbits.orbit_size, orbits.probability_exact):
        assert by_orbit.loc[rep, "size"] == size and by_orbit.loc[rep, "p"] == p
