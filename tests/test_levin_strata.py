"""boolnet.levin.strata: class balance on planted data, against scipy and a permutation test."""

import math

import numpy as np
import pandas as pd
import pytest

from boolnet.levin import levin_fit, rank_measures, stratified_spearman


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
