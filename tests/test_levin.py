"""The Levin-bound fits against known answers, brute force and hand-computed values."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import UsageError
from boolnet.levin import (
    candidate_measures,
    fit_hull_bound,
    fit_hull_bound_lp,
    probability_by_complexity,
    stratified_spearman,
    fit_quantile_bound,
    levin_fit,
    rank_measures,
    trusted_rows,
    upper_hull,
)


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
    with pytest.raises(UsageError, match="at least two"):
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
    with pytest.raises(UsageError):
        fit_quantile_bound([0, 1], [-1.0, -2.0], tau=1.0)


# ----------------------------------------------------------------------------- report values


def hand_table():
    """Five functions; the tightest bound is log2 P = -K - 1 (through K = 0 and K = 4).

    Gaps below it (bits): 0, 0.5, 2, 6, 0.
    """
    k = [0, 1, 2, 3, 4]
    y = [-1.0, -2.5, -5.0, -10.0, -5.0]
    return pd.DataFrame({"probability": [2.0**v for v in y], "K": k})


def test_within_1_and_5_bits_by_hand():
    r = levin_fit(hand_table(), "K")
    assert r.hull.a == pytest.approx(1.0, abs=1e-12)
    assert r.hull.b == pytest.approx(1.0, abs=1e-12)
    assert r.hull.mean_gap == pytest.approx(8.5 / 5, abs=1e-12)
    assert r.hull.share_within == {1: 3 / 5, 5: 4 / 5}
    assert r.hull.mass_within[1] == pytest.approx(0.5 + 2**-2.5 + 2**-5, abs=1e-15)
    assert r.hull.mass_within[5] == pytest.approx(0.5 + 2**-2.5 + 2**-5 + 2**-5, abs=1e-15)
    assert r.hull.share_above == 0.0
    assert r.mass_used == pytest.approx(0.5 + 2**-2.5 + 2**-5 + 2**-10 + 2**-5)
    assert r.n_used == r.n_functions == 5
    assert r.uniform_log2 is None  # no truth tables, no n


def test_spearman_by_hand():
    # K ranks 1..5; log2 P ranks 5,3,4,1,2; sum d^2 = 36; rho = 1 - 6*36/(5*24) = -0.8.
    df = pd.DataFrame({"probability": [2.0**v for v in [-1, -3, -2, -5, -4]], "K": [1, 2, 3, 4, 5]})
    assert levin_fit(df, "K").spearman_rho == pytest.approx(-0.8, abs=1e-12)


def test_spearman_undefined_for_a_constant_measure():
    df = pd.DataFrame({"probability": [0.5, 0.25], "K": [3, 3]})
    assert math.isnan(levin_fit(df, "K").spearman_rho)


def test_uniform_baseline_from_truth_tables():
    df = pd.DataFrame({"function": ["00000000", "00000001"], "probability": [0.75, 0.25], "K": [0, 1]})
    r = levin_fit(df, "K")
    assert r.n == 3
    assert r.uniform_log2 == -8.0
    assert r.uniform_probability == 1 / 256


# ----------------------------------------------------------------------------- trust rules


def test_sampled_table_uses_only_trusted_counts():
    # Function "c" was seen 3 times only: though far above the line of the others, it is left out.
    df = pd.DataFrame({
        "function": ["0001", "0111", "0110", "1000"],
        "count": [400, 100, 3, 10],
        "probability": [0.4, 0.1, 0.3, 0.01],
        "K": [1, 3, 9, 5],
    })
    mask, rule = trusted_rows(df)
    assert mask.tolist() == [True, True, False, True]
    assert "count >= 10" in rule
    r = levin_fit(df, "K")
    assert r.n_used == 3
    assert r.mass_used == pytest.approx(0.51)
    # line through (1, log2 .4) and (3, log2 .1): slope -1 bit per unit of K
    assert r.hull.a == pytest.approx(1.0, abs=1e-9)
    assert levin_fit(df, "K", min_count=3).n_used == 4


def with_method(df, method):
    df.attrs["boolnet"] = {"volume_method": method}
    return df


def test_grid_enumeration_counts_are_exact_and_all_used():
    df = pd.DataFrame({"count": [60, 30, 9, 1], "probability": [0.6, 0.3, 0.09, 0.01], "K": [0, 1, 2, 3]})
    mask, rule = trusted_rows(with_method(df.copy(), "grid"))
    assert mask.all()
    assert "grid" in rule
    assert levin_fit(with_method(df.copy(), "grid"), "K").n_used == 4
    assert levin_fit(with_method(df.copy(), "sampled"), "K").n_used == 2
    assert levin_fit(df, "K").n_used == 2  # a count column and no method: counted


@pytest.mark.parametrize("method", ["sampled", "trained", "merged"])
def test_counted_methods_use_min_count(method):
    df = pd.DataFrame({"count": [60, 30, 9, 1], "probability": [0.6, 0.3, 0.09, 0.01], "K": [0, 1, 2, 3]})
    assert trusted_rows(with_method(df, method), 5)[0].tolist() == [True, True, True, False]


def test_command_names_are_not_read():
    # volume_method decides, whatever command made the table.
    df = pd.DataFrame({"count": [60, 30, 9, 1], "probability": [0.6, 0.3, 0.09, 0.01], "K": [0, 1, 2, 3]})
    df.attrs["boolnet"] = {"command": "enumerate", "volume_method": "sampled", "boolnet_version": "0.2.0"}
    assert trusted_rows(df)[0].tolist() == [True, True, False, False]


def test_quadrature_table_drops_rows_with_wide_bounds():
    p = np.array([0.5, 0.3, 1e-9])
    err = np.array([1e-11, 0.0, 1e-10])
    df = with_method(pd.DataFrame({"probability": p, "probability_low": p - err, "probability_high": p + err,
                                   "K": [0, 1, 2]}), "quadrature")
    mask, rule = trusted_rows(df)
    assert mask.tolist() == [True, True, False]
    assert "1% of P" in rule
    # bounds 2^-8 from P = 0.5 (0.8%) are kept; 2^-7 (1.6%) below P are not
    q = pd.DataFrame({"probability": [0.5, 0.5], "probability_low": [0.5 - 2**-8, 0.5 - 2**-7],
                      "probability_high": [0.5 + 2**-8, 0.5],
                      "K": [0, 1]})
    assert trusted_rows(with_method(q, "quadrature"))[0].tolist() == [True, False]
    # exact tables trust every row
    assert trusted_rows(with_method(df.copy(), "exact"))[0].all()


def test_old_dialect_dataframes_are_upgraded():
    df = pd.DataFrame({"probability": [0.5, 0.3, 1e-9], "error_bound": [1e-11, 0.0, 1e-10], "K": [0, 1, 2]})
    mask, rule = trusted_rows(df)
    assert mask.tolist() == [True, True, False]
    assert levin_fit(df, "K").n_used == 2


def test_zero_probability_and_missing_measure_rows_are_left_out():
    df = pd.DataFrame({"probability": [0.5, 0.0, 0.25, 0.25], "K": [0, 1, np.nan, 2]})
    assert levin_fit(df, "K").n_used == 2


def test_missing_columns_are_usage_errors():
    with pytest.raises(UsageError):
        levin_fit(pd.DataFrame({"K": [1, 2]}), "K")
    with pytest.raises(UsageError):
        levin_fit(pd.DataFrame({"probability": [0.5, 0.5]}), "lz")
    with pytest.raises(UsageError):  # nothing trusted
        levin_fit(pd.DataFrame({"probability": [0.5], "count": [1], "K": [1]}), "K")


# ----------------------------------------------------------------------------- ranking


def test_ranking_rule():
    # exact: log2 P = -K exactly, so its tightest bound has mean gap 0 and rho -1.
    # coarse: monotone in K but merges levels, rho -0.9ish, positive gap.
    # rising: increases with P: flat bound, rho +1.
    y = np.array([-1.0, -2.0, -3.0, -4.0, -5.0])
    df = pd.DataFrame({
        "probability": 2.0**y,
        "exact": -y,
        "coarse": [1, 1, 2, 2, 3],
        "rising": y,
    })
    ranking = rank_measures(df)
    assert ranking["measure"].tolist() == ["exact", "coarse", "rising"]
    assert ranking["rank_tightness"].tolist() == [1, 2, 3]
    assert ranking["rank_prediction"].tolist() == [1, 2, 3]
    row = ranking.set_index("measure")
    assert row.loc["exact", "mean_gap"] == pytest.approx(0.0, abs=1e-12)
    assert row.loc["exact", "spearman_rho"] == pytest.approx(-1.0)
    assert row.loc["rising", "spearman_rho"] == pytest.approx(1.0)
    assert row.loc["rising", "a"] == 0.0
    # coarse: hull through (1, -1) and (3, -5): line -2K + 1; gaps 0, 1, 0, 1, 0 -> mean 0.4
    assert row.loc["coarse", "mean_gap"] == pytest.approx(0.4, abs=1e-9)


def test_candidate_measures_skip_volumes_and_labels():
    df = pd.DataFrame({"function": ["01"], "probability": [1.0], "count": [3], "error_bound": [0.0],
                       "facets": [2], "orbit": ["01"], "npn_class": [1], "threshold": [1], "lz": [2.0],
                       "csr": [1.0], "note": ["x"]})
    assert candidate_measures(df) == ["lz", "csr"]


def test_fewer_than_two_usable_functions_is_an_error():
    df = pd.DataFrame({"probability": [1.0, 0.0], "K": [0, 1]})
    with pytest.raises(UsageError, match="at least two usable functions"):
        levin_fit(df, "K")


@pytest.mark.parametrize("bad", [-0.5, 1.5, np.inf])
def test_probabilities_outside_0_1_are_refused(bad):
    df = pd.DataFrame({"function": ["00", "01"], "probability": [0.5, bad], "K": [0, 1]})
    with pytest.raises(UsageError, match=r"\[0, 1\]"):
        levin_fit(df, "K")
    with pytest.raises(UsageError, match=r"\[0, 1\]"):
        rank_measures(df, ["K"])


def test_missing_measure_is_computed_from_truth_tables():
    df = pd.DataFrame({"function": ["0000", "0001", "0111", "0110"], "probability": [0.4, 0.3, 0.2, 0.1]})
    r = levin_fit(df, "ones")
    assert r.n_used == 4 and "ones" not in df.columns
    with pytest.raises(UsageError, match="unknown measure"):
        levin_fit(df, "nonsense")


# ----------------------------------------------------------------------------- class balance


def planted(seed, *, within_slope):
    """Functions of n = 4 with log2 P = -2 * ones (+ within_slope * K) + noise; K independent of P given ones."""
    rng = np.random.default_rng(seed)
    functions = [format(i, "016b") for i in rng.choice(1 << 16, 3000, replace=False)]
    ones = np.array([f.count("1") for f in functions])
    k = ones + rng.normal(0, 2, ones.size)  # correlated with ones, as real measures are
    log2p = -0.5 * ones - within_slope * k + rng.normal(0, 1, ones.size) - 12
    df = pd.DataFrame({"function": functions, "probability": 2.0**log2p, "K": k})
    return df, k, log2p, ones


def test_probability_set_by_ones_alone_gives_no_within_stratum_correlation():
    df, k, log2p, ones = planted(1, within_slope=0.0)
    r = levin_fit(df, "K", within="ones")
    assert r.spearman_rho < -0.3  # over all functions K "predicts" P, through the number of ones
    assert abs(r.within.rho) < 0.05 and r.within.p > 0.01
    assert sum(s.n_used for s in r.within.strata) == 3000


def test_probability_depending_on_k_within_strata_is_recovered():
    df, k, log2p, ones = planted(2, within_slope=0.5)
    r = levin_fit(df, "K", within="ones")
    assert r.within.rho < -0.4 and r.within.p < 1e-50
    # per-stratum fits recover slopes close to the planted one where strata are large
    big = [s for s in r.within.strata if s.n_used > 300]
    assert big and all(s.spearman_rho < -0.3 for s in big)


def test_stratified_rho_equals_spearman_in_one_stratum():
    from scipy import stats

    rng = np.random.default_rng(3)
    k = rng.integers(0, 5, 200).astype(float)  # ties
    y = -k + rng.normal(0, 2, 200)
    rho, z, p, strata, functions = stratified_spearman(k, y, np.zeros(200))
    assert rho == pytest.approx(stats.spearmanr(k, y).statistic, abs=1e-12)
    assert (strata, functions) == (1, 200)


def test_stratified_z_against_a_permutation_test():
    rng = np.random.default_rng(4)
    g = rng.integers(0, 3, 60)
    k = rng.normal(0, 1, 60) + g
    y = 0.3 * k + rng.normal(0, 1, 60) - g
    _, z, _, _, _ = stratified_spearman(k, y, g)
    zs = []
    for _ in range(2000):  # permute log2 P within strata: the null distribution of the statistic
        yp = y.copy()
        for s in range(3):
            idx = np.flatnonzero(g == s)
            yp[idx] = rng.permutation(yp[idx])
        zs.append(stratified_spearman(k, yp, g)[1])
    zs = np.array(zs)
    assert abs(zs.mean()) < 0.1 and abs(zs.std() - 1.0) < 0.1
    assert np.mean(np.abs(zs) >= abs(z)) == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=0.03)


def test_rank_within_orders_by_what_measures_explain_beyond_ones():
    df, k, log2p, ones = planted(5, within_slope=0.5)
    df["noise"] = ones + np.random.default_rng(6).normal(0, 2, ones.size)  # follows ones, not P given ones
    df["ones"] = ones
    ranking = rank_measures(df, ["noise", "K", "ones"], within="ones")
    assert ranking["measure"].tolist() == ["K", "noise", "ones"]
    assert ranking["rank_within"].tolist() == [1, 2, 3]
    assert np.isnan(ranking.set_index("measure").loc["ones", "within_rho"])  # constant within strata


# ----------------------------------------------------------------------------- P(K)


def test_probability_by_complexity_by_hand():
    df = pd.DataFrame({"function": ["0000", "0001", "0111", "0110", "1111"],
                       "probability": [0.4, 0.2, 0.1, 0.05, 0.25], "K": [0, 2, 2, 5, 0]})
    pk = probability_by_complexity(df, "K")
    assert pk["K"].tolist() == [0, 2, 5]
    assert pk["functions"].tolist() == [2, 2, 1]
    assert pk["probability"].tolist() == pytest.approx([0.65, 0.3, 0.05])
    assert pk["cumulative"].tolist() == pytest.approx([0.65, 0.95, 1.0])
    info = pk.attrs["boolnet"]["pk"]
    assert info["mean"] == pytest.approx(0.3 * 2 + 0.05 * 5)
    assert info["mean_over_functions"] == pytest.approx(9 / 5)
    assert info["mass"] == pytest.approx(1.0)
