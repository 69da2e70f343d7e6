"""boolnet.levin.bounds: the two line fits against brute force, scipy's linprog and hand values."""

import itertools

import numpy as np
import pytest

from boolnet.errors import BoolnetError
from boolnet.levin import fit_hull_bound, fit_hull_bound_lp, fit_quantile_bound, upper_hull


# ----------------------------------------------------------------------------- brute-force oracles


def brute_force_hull(k, y):
    """Smallest mean gap over every line through two points (or flat through one) that no point exceeds.

    Ties (mean gap within 1e-9) go to the smallest slope a, as in fit_hull_bound.
    """
    k = np.asarray(k, float)
    y = np.asarray(y, float)
    candidates = [(0.0, -y.max())]  # a = 0: flat through the highest point
    for i, j in itertools.combinations(range(len(k)), 2):
        if k[i] == k[j]:
            continue
        slope = (y[j] - y[i]) / (k[j] - k[i])
        a = -slope
        if a < 0:
            continue
        b = -y[i] - a * k[i]
        candidates.append((a, b))
    best = None
    for a, b in candidates:
        gap = -a * k - b - y
        if gap.min() < -1e-9:
            continue  # some point above the line
        key = (gap.mean(), a)
        if best is None or key[0] < best[0] - 1e-9 or (abs(key[0] - best[0]) <= 1e-9 and a < best[1]):
            best = (gap.mean(), a, b)
    return best


def pinball(k, y, a, b, tau):
    r = y + a * k + b
    return float(np.sum(np.where(r >= 0, tau * r, (tau - 1) * r)))


def brute_force_quantile(k, y, tau):
    """Smallest pinball loss over lines through two points and flat lines through one (a >= 0).

    A linear quantile regression has an optimal line through two data points (a vertex of
    the LP), or, when the constraint a >= 0 binds, a flat line through one point.
    """
    k = np.asarray(k, float)
    y = np.asarray(y, float)
    best = min(pinball(k, y, 0.0, -yi, tau) for yi in y)
    for i, j in itertools.combinations(range(len(k)), 2):
        if k[i] == k[j]:
            continue
        a = -(y[j] - y[i]) / (k[j] - k[i])
        if a < 0:
            continue
        best = min(best, pinball(k, y, a, -y[i] - a * k[i], tau))
    return best


# ----------------------------------------------------------------------------- hull fit


def test_hull_recovers_a_known_line_exactly():
    # Points on log2 P = -0.75 K - 2.5 at the two ends of K, everything else strictly below:
    # the line through the ends is the unique tightest bound.
    rng = np.random.default_rng(3)
    a_true, b_true = 0.75, 2.5
    k = np.r_[0, 24, rng.integers(1, 24, 300)].astype(float)
    y = -a_true * k - b_true - np.r_[0.0, 0.0, rng.exponential(4.0, 300) + 1e-3]
    a, b = fit_hull_bound(k, y)
    assert a == pytest.approx(a_true, abs=1e-12)
    assert b == pytest.approx(b_true, abs=1e-12)
    assert np.all(y <= -a * k - b)  # no function exceeds it, in floating point


@pytest.mark.parametrize("seed", range(40))
def test_hull_matches_brute_force_over_all_pairs(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 16))
    k = rng.integers(0, 8, m).astype(float)  # repeated K values, as real measures have
    y = -0.5 * k * rng.uniform(0, 2) - rng.exponential(3.0, m)
    if seed % 5 == 0:
        y = 0.3 * k - rng.exponential(1.0, m)  # rising: the bound must be flat (a = 0)
    a, b = fit_hull_bound(k, y)
    gap = -a * k - b - y
    assert gap.min() >= -1e-12
    best_gap, best_a, best_b = brute_force_hull(k, y)
    assert gap.mean() == pytest.approx(best_gap, abs=1e-9)
    assert a == pytest.approx(best_a, abs=1e-7)
    assert b == pytest.approx(best_b, abs=1e-6)


def test_hull_flat_when_complexity_does_not_vary():
    a, b = fit_hull_bound([2, 2, 2], [-1.0, -3.0, -4.0])
    assert (a, b) == (0.0, 1.0)


def test_upper_hull_vertices_by_hand():
    # (0,0) (1,1) (2,1.5) (3,1.5) (4,0): slopes 1, 0.5, 0, -1.5 fall, so all are vertices;
    # (2,-5) shares k = 2 with a higher point.
    k = [0, 1, 2, 3, 4, 2]
    y = [0.0, 1.0, 1.5, 1.5, 0.0, -5.0]
    assert upper_hull(k, y).tolist() == [0, 1, 2, 3, 4]
    # (1, 0.4) lies below the chord from (0, 0) to (2, 1): not a vertex.
    assert upper_hull([0, 1, 2], [0.0, 0.4, 1.0]).tolist() == [0, 2]


@pytest.mark.parametrize("seed", range(60))
def test_hull_closed_form_against_scipy_linprog(seed):
    """The closed form against an independent method: HiGHS on every point, smallest a among optima."""
    rng = np.random.default_rng(1000 + seed)
    m = int(rng.integers(2, 300))
    kind = seed % 4
    if kind == 0:
        k = rng.integers(0, 12, m).astype(float)
    elif kind == 1:
        k = rng.uniform(0, 50, m)
    elif kind == 2:
        k = np.round(rng.uniform(0, 7, m), 1)
    else:
        k = rng.choice([3.0, 5.0], m)
    y = -rng.uniform(0, 2) * k - rng.exponential(rng.uniform(0.1, 6), m)
    if seed % 7 == 0:
        y = 0.4 * k - rng.exponential(1.0, m)  # rising: a = 0
    a, b = fit_hull_bound(k, y)
    a_lp, b_lp = fit_hull_bound_lp(k, y)
    gap, gap_lp = -a * k - b - y, -a_lp * k - b_lp - y
    assert gap.min() >= 0.0  # exactly: nothing above the closed-form line, even in floating point
    assert gap.mean() == pytest.approx(gap_lp.mean(), abs=1e-7 * (1 + abs(y).max()))
    assert a == pytest.approx(a_lp, abs=1e-6)
    assert b == pytest.approx(b_lp, abs=1e-5 * (1 + abs(y).max()))


def test_hull_tie_rule_takes_the_smallest_slope():
    # mean(K) = 1 is a hull vertex: every slope between the edges (-1 on the left, -3 on the right) is optimal.
    k = [0.0, 1.0, 2.0]
    y = [0.0, -1.0, -4.0]
    a, b = fit_hull_bound(k, y)
    assert (a, b) == (1.0, 0.0)
    # mean(K) at the left end when every K is equal: flat
    assert fit_hull_bound([4, 4], [-1.0, -2.0]) == (0.0, 1.0)


def test_hull_needs_two_points():
    with pytest.raises(BoolnetError, match="at least two"):
        fit_hull_bound([1.0], [-1.0])


# ----------------------------------------------------------------------------- quantile fit


def test_quantile_ignores_planted_outliers():
    # 2000 functions on or below log2 P = -0.4 K - 3 (10% exactly on it, at every K),
    # and 10 outliers (0.5%) far above: the 0.99-quantile line is the planted one.
    rng = np.random.default_rng(11)
    a_true, b_true = 0.4, 3.0
    k = rng.integers(0, 40, 2000).astype(float)
    gap = np.where(rng.random(2000) < 0.1, 0.0, rng.exponential(5.0, 2000) + 0.01)
    y = -a_true * k - b_true - gap
    k_out = rng.integers(0, 40, 10).astype(float)
    y_out = -a_true * k_out - b_true + rng.uniform(3, 20, 10)
    kk, yy = np.r_[k, k_out], np.r_[y, y_out]
    a, b = fit_quantile_bound(kk, yy, tau=0.99)
    assert a == pytest.approx(a_true, abs=1e-6)
    assert b == pytest.approx(b_true, abs=1e-6)
    # the hull, by contrast, is pulled up by the outliers
    ah, bh = fit_hull_bound(kk, yy)
    assert np.all(yy <= -ah * kk - bh)
    assert -ah * 20 - bh > -a_true * 20 - b_true + 1


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("tau", [0.5, 0.9, 0.99])
def test_quantile_matches_brute_force(seed, tau):
    rng = np.random.default_rng(100 + seed)
    m = int(rng.integers(3, 25))
    k = rng.integers(0, 10, m).astype(float)
    y = -0.6 * k - rng.exponential(2.0, m)
    if seed % 4 == 0:
        y = 0.2 * k + rng.normal(0, 1, m)  # rising: a >= 0 binds
    a, b = fit_quantile_bound(k, y, tau)
    assert a >= 0
    assert pinball(k, y, a, b, tau) == pytest.approx(brute_force_quantile(k, y, tau), abs=1e-8)


def test_quantile_weights_equal_repeated_points():
    rng = np.random.default_rng(5)
    k = rng.integers(0, 6, 12).astype(float)
    y = -k - rng.exponential(1.0, 12)
    reps = rng.integers(1, 4, 12)
    a1, b1 = fit_quantile_bound(np.repeat(k, reps), np.repeat(y, reps), 0.8)
    a2, b2 = fit_quantile_bound(k, y, 0.8, weights=reps)
    loss = pinball(np.repeat(k, reps), np.repeat(y, reps), a1, b1, 0.8)
    assert pinball(np.repeat(k, reps), np.repeat(y, reps), a2, b2, 0.8) == pytest.approx(loss, abs=1e-9)


def test_quantile_rejects_bad_tau():
    with pytest.raises(BoolnetError):
        fit_quantile_bound([0, 1], [-1.0, -2.0], tau=1.0)
