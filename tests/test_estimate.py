"""Rare-event estimates (boolnet.estimate) against independent values: exact tables, the plain sampler, symmetry."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import boolnet as bn
from boolnet.errors import BoolnetError
from boolnet.priors import Prior
from boolnet.table.schema import check_volume_table

TABLES = Path(__file__).resolve().parent.parent / "tables"
CUBE = Prior("uniform", fan_in_scaling=False)


def _spread(table: pd.DataFrame, k: int, seed: int) -> pd.DataFrame:
    """``k`` functions of ``table`` with P <= 1e-2, spread evenly in log10 P down to the rarest (seeded)."""
    t = table[(table["probability"] > 0) & (table["probability"] <= 1e-2)]
    lp = np.log10(t["probability"].to_numpy())
    edges = np.linspace(lp.min(), -2, 11)
    bins = np.clip(np.digitize(lp, edges) - 1, 0, 9)
    w = 1.0 / np.bincount(bins, minlength=10)[bins]
    pick = np.random.default_rng(seed).choice(len(t), size=min(k, len(t)), replace=False, p=w / w.sum())
    return t.iloc[np.sort(pick)]


def _coverage(path: str, k: int, *, prior=None, activation="relu", seed=0, pick_seed=12345):
    table = bn.read_table(TABLES / path)
    meta = table.attrs["boolnet"]
    arch = meta.get("architecture") or f"{meta['n']}-1"
    chosen = _spread(table, k, pick_seed)
    est = bn.estimate_table(arch, chosen["function"].tolist(), activation=activation, prior=prior, seed=seed)
    exact = chosen["probability"].to_numpy()
    covered = (est["probability_low"].to_numpy() <= exact) & (exact <= est["probability_high"].to_numpy())
    log_ratio = np.log(est["probability"].to_numpy() / exact)
    return est, exact, covered, log_ratio


# ------------------------------------------------------------------------------------- coverage vs exact
def test_coverage_perceptron_n4_gaussian_40_functions():
    """40 functions from P = 1e-2 down to the rarest (3.6e-5): the 95% intervals cover the exact values.

    Tolerance on the mean log ratio: 0.1. Measured per-function sd of log(estimate/exact) is
    0.09 - 0.17 (docs/estimate.md), so the mean of 40 has a standard error near 0.02; 0.1
    leaves room for the small bias of the approximate (MCMC) conditional draws while still
    catching a systematic 10% error.
    """
    est, exact, covered, log_ratio = _coverage("perceptron_n4_gaussian.csv", 40)
    assert len(est) == 40 and exact.min() < 1e-4
    assert (est["status"] == "estimated").all()
    assert covered.mean() >= 0.85, covered.mean()
    assert abs(log_ratio.mean()) < 0.1, log_ratio.mean()


@pytest.mark.slow
@pytest.mark.parametrize("path, prior, activation", [
    ("perceptron_n4_gaussian.csv", None, "relu"),
    ("perceptron_n4_cube.csv", CUBE, "relu"),
    ("mlp_3-3-1_step_cube.csv", CUBE, "step"),
    ("perceptron_n5_gaussian.parquet", None, "relu"),
])
def test_coverage_against_exact_tables_slow(path, prior, activation):
    """>= 100 functions per exact table (P = 1e-2 down to 4e-7): coverage >= 88%, |mean log ratio| < 0.05.

    0.05: the measured sd of the log ratio is <= 0.17 per function, so the mean of >= 100
    has a standard error <= 0.017 (the tolerance is 3 of them).
    """
    k = 150
    est, exact, covered, log_ratio = _coverage(path, k, prior=prior, activation=activation)
    assert len(est) >= 100
    assert covered.mean() >= 0.88, (path, covered.mean())
    assert abs(log_ratio.mean()) < 0.05, (path, log_ratio.mean())


@pytest.mark.slow
def test_deep_tail_perceptron_n6_cube():
    """60 functions of the exact n = 6 cube table (one per orbit row), P from 1e-2 down to 3.8e-11."""
    est, exact, covered, log_ratio = _coverage("exact_perceptron_n6_cube_orbits.parquet", 60, prior=CUBE)
    assert exact.min() < 1e-9
    assert covered.mean() >= 0.88, covered.mean()
    assert abs(log_ratio.mean()) < 0.1, log_ratio.mean()


def test_step_mlp_rarest_functions_against_exact():
    """The step MLP's 12 rarest functions (exact 4.2e-6 upward): at least 10 covered, and within a factor 2."""
    table = bn.read_table(TABLES / "mlp_3-3-1_step_cube.csv").nsmallest(12, "probability")
    est = bn.estimate_table("3-3-1", table["function"].tolist(), activation="step", prior=CUBE, seed=3)
    exact = table["probability"].to_numpy()
    covered = (est["probability_low"].to_numpy() <= exact) & (exact <= est["probability_high"].to_numpy())
    assert covered.sum() >= 10, covered
    assert np.all(np.abs(np.log(est["probability"].to_numpy() / exact)) < math.log(2))


# ------------------------------------------------------------------------------------ against the sampler
@pytest.mark.parametrize("arch, activation, prior, encoding, bias", [
    ("3-4-1", "relu", None, "01", True),
    ("3-3-1", "tanh", Prior("uniform", sigma_w="1,2", sigma_b="1,0.5"), "pm1", True),
    ("3-3-1", "step", None, "01", False),
    ("3-3-1", "sign", CUBE, "pm1", True),
    ("3-2-1", "linear", None, "pm1", True),
    ("3-1", "relu", None, "pm1", True),
])
def test_intervals_overlap_the_samplers(arch, activation, prior, encoding, bias):
    """Six functions with 1e-4 <= P <= 3e-2 in 1e6 samples: splitting and Wilson intervals overlap (every
    activation, both priors with per-layer sigmas, both encodings, with and without bias)."""
    s = bn.sample_table(arch, activation=activation, prior=prior, encoding=encoding, bias=bias, samples=10**6,
                        seed=5, threads=2)
    s = s[(s["probability"] >= 1e-4) & (s["probability"] <= 3e-2)]
    chosen = s.iloc[np.linspace(0, len(s) - 1, min(6, len(s))).astype(int)]
    assert len(chosen) >= 2
    est = bn.estimate_table(arch, chosen["function"].tolist(), activation=activation, prior=prior,
                            encoding=encoding, bias=bias, seed=2)
    lo = np.maximum(est["probability_low"].to_numpy(), chosen["probability_low"].to_numpy())
    hi = np.minimum(est["probability_high"].to_numpy(), chosen["probability_high"].to_numpy())
    # Two 95% intervals of the same value fail to overlap rarely (< 1% each when both cover at their rate); of
    # six functions at most one may (seed 2, 3-3-1 tanh: one of six did, 0.0131 [0.0111, 0.0154] against the
    # sampler's 0.0103 [0.0101, 0.0105]; other seeds of that function cover it).
    assert np.count_nonzero(lo > hi) <= 1, pd.DataFrame({"f": chosen["function"].to_numpy(),
                                                         "est": est["probability"].to_numpy(),
                                                         "sampled": chosen["probability"].to_numpy()})


# ------------------------------------------------------------------------------------------- symmetries
def test_complement_and_input_permutation_agree():
    """Under a symmetric gaussian prior, P(f) = P(not f) (negate the output unit) and P(f) = P(f o pi)
    (permute the first layer's rows): three independent estimates whose intervals must overlap."""
    f = "0110100110010110"[:8]  # parity of 3 inputs, P ~ 1e-3 for 3-4-1 relu, pm1
    n = 3
    comp = "".join("1" if c == "0" else "0" for c in f)
    g = "01000110"
    perm = (2, 0, 1)  # x'_k = x_perm[k]
    def permuted(t):
        out = []
        for i in range(1 << n):
            bits = [(i >> (n - 1 - k)) & 1 for k in range(n)]
            j = sum(bits[perm[k]] << (n - 1 - k) for k in range(n))
            out.append(t[j])
        return "".join(out)
    g_perm = permuted(g)
    assert g_perm != g
    est = bn.estimate_table("3-4-1", [f, comp, g, g_perm], encoding="pm1", seed=11)
    lo, hi = est["probability_low"].to_numpy(), est["probability_high"].to_numpy()
    assert max(lo[0], lo[1]) <= min(hi[0], hi[1])
    assert max(lo[2], lo[3]) <= min(hi[2], hi[3])


# ---------------------------------------------------------------------------------------------- zeros
def test_exact_zeros():
    xor = bn.estimate_table("2-1", ["0110", "1001", "0001"])
    assert xor["status"].tolist() == ["provably_zero", "provably_zero", "estimated"]
    assert (xor[["probability", "probability_low", "probability_high"]].iloc[:2].to_numpy() == 0).all()
    # no bias, 0/1 inputs: input 0 always gives z = 0, output 0, in every architecture
    nb = bn.estimate_table("2-3-1", ["1000", "0111"], bias=False, activation="tanh")
    assert nb["status"].tolist() == ["provably_zero", "estimated"]
    assert nb["probability_high"].iloc[0] == 0 and nb["probability"].iloc[1] > 0
    # a training set no perceptron fits (XOR of x2, x3 where x1 = 0): the linear program's verdict
    e = bn.evidence("3-1", "01101001", [0, 1, 2, 3])
    assert e["status"] == "provably_zero" and e["evidence_high"] == 0
    assert bn.evidence("3-1", "01101001", [0, 1, 2])["status"] == "estimated"
    # odd networks without bias on -1/+1 inputs: f(x) = f(not x) is impossible
    odd = bn.estimate_table("2-2-1", ["1001", "0110", "0011"], activation="tanh", encoding="pm1", bias=False)
    assert odd["status"].tolist() == ["provably_zero", "provably_zero", "estimated"]


def test_a_stalled_function_is_zero_with_an_upper_bound():
    """2-1-1 relu without bias on -1/+1 inputs: z(x) = w2 relu(w1.x), and relu(a) relu(-a) = 0, so XOR
    ("0110": f(-1,1) = f(1,-1) = 1) is impossible, though no rule proves it: splitting stalls."""
    df = bn.estimate_table("2-1-1", ["0110"], bias=False, encoding="pm1", patience=20)
    row = df.iloc[0]
    assert row["status"] == "upper_bound"
    assert row["probability"] == 0 and row["probability_low"] == 0 and 0 < row["probability_high"] < 1e-3


# ----------------------------------------------------------------------------------- reproducibility
def test_same_seed_same_table_for_any_thread_count():
    functions = ["0001011101111111", "0000000100010111", "0110100110010110"[:16]]
    a = bn.estimate_table("4-2-1", functions, seed=4, threads=1).drop(columns="seconds")
    b = bn.estimate_table("4-2-1", functions, seed=4, threads=2).drop(columns="seconds")
    pd.testing.assert_frame_equal(a, b)
    c = bn.estimate_table("4-2-1", functions, seed=5, threads=2).drop(columns="seconds")
    assert not np.array_equal(a["probability"].to_numpy(), c["probability"].to_numpy())
    # hidden layers of 16 units or more go through the numba kernel (numba's own threads): same rule
    import numba

    wide = ["00010111", "01111111"]
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        d = bn.estimate_table("3-16-1", wide, seed=4, threads=1, particles=40).drop(columns="seconds")
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        e = bn.estimate_table("3-16-1", wide, seed=4, threads=2, particles=40).drop(columns="seconds")
    finally:
        numba.set_num_threads(before)
    pd.testing.assert_frame_equal(d, e)


def test_table_schema_and_roundtrip(tmp_path):
    df = bn.estimate_table("3-1", ["00000001", "01101001"], prior="cube", seed=1)
    check_volume_table(df)
    meta = df.attrs["boolnet"]
    assert meta["volume_method"] == "splitting" and meta["prior"] == "uniform" and meta["fan_in_scaling"] is False
    assert {"levels", "replicas", "evaluations", "rel_error", "status"} <= set(df.columns)
    bn.write_table(df, tmp_path / "e.csv")
    back = bn.read_table(tmp_path / "e.csv")
    assert back["function"].tolist() == df["function"].tolist()
    assert back.attrs["boolnet"]["volume_method"] == "splitting"


# ------------------------------------------------------------------------------------------- evidence
def _exact_evidence(table: pd.DataFrame, target: str, train) -> float:
    chars = np.array([list(f) for f in table["function"]])
    fits = (chars[:, train] == np.array(list(target))[train]).all(axis=1)
    return float(table["probability"].to_numpy()[fits].sum())


def test_evidence_against_exact_sums():
    """P(S) for 20 (target, S) pairs of the n = 4 gaussian perceptron against the exact sum over consistent f."""
    table = bn.read_table(TABLES / "perceptron_n4_gaussian.csv")
    rng = np.random.default_rng(2)
    covered, ratios = [], []
    for k in range(20):
        target = table["function"].iloc[int(rng.integers(len(table)))]
        train = sorted(rng.choice(16, size=int(rng.integers(4, 17)), replace=False).tolist())
        exact = _exact_evidence(table, target, train)
        e = bn.evidence("4-1", target, train, seed=k)
        covered.append(e["evidence_low"] <= exact <= e["evidence_high"])
        ratios.append(math.log(e["evidence"] / exact))
    assert np.mean(covered) >= 0.85, covered
    assert abs(np.mean(ratios)) < 0.1


@pytest.mark.slow
def test_evidence_of_a_wide_network_against_the_conditioned_sampler():
    """7-40-40-1 relu, target x1 and x2 and x3, S = training_set(7, 32, seed=0) (docs/sgd_bayes.md): P(S) from
    the conditioned sampler (1e7 samples, about 840 accepted) and from splitting overlap."""
    target, train = "0" * 112 + "1" * 16, bn.training_set(7, 32, seed=0)
    s = bn.sample_table("7-40-40-1", samples=10**7, seed=3, fit=target, train=train, threads=2)
    ms = s.attrs["boolnet"]
    e = bn.evidence("7-40-40-1", target, train, seed=1)
    assert e["status"] == "estimated" and e["rel_error"] < 0.25
    assert max(e["evidence_low"], ms["evidence_low"]) <= min(e["evidence_high"], ms["evidence_high"]), (e, ms)


def test_posterior_table_against_exact():
    table = bn.read_table(TABLES / "perceptron_n4_gaussian.csv")
    target, train = "0001011101111111", [0, 2, 5, 6, 9, 13]
    exact_post = bn.posterior_table(table, target=target, train=train)
    chosen = exact_post.iloc[np.linspace(0, len(exact_post) - 1, 8).astype(int)]
    post = bn.estimate_table("4-1", chosen["function"].tolist(), target=target, train=train, seed=3)
    meta = post.attrs["boolnet"]
    assert meta["conditioned_on_train"] is True and meta["train"] == train and meta["train_size"] == 6
    assert meta["target"] == target
    exact_ps = exact_post.attrs["boolnet"]["evidence"]
    assert meta["evidence_low"] <= exact_ps <= meta["evidence_high"]
    ex = chosen["probability"].to_numpy()
    covered = (post["probability_low"].to_numpy() <= ex) & (ex <= post["probability_high"].to_numpy())
    assert covered.mean() >= 0.85
    assert post["test_error"].tolist() == chosen["test_error"].tolist()
    np.testing.assert_allclose(post["probability"], post["prior_probability"] / meta["evidence"])
    assert bn.training.posterior.conditioned_on(post) == (target, train)


def test_posterior_refuses_functions_that_do_not_fit():
    with pytest.raises(BoolnetError, match="disagrees with target") as info:
        bn.estimate_table("2-1", ["0111"], target="0001", train=[1])
    assert info.value.param == "functions"


# ------------------------------------------------------------------------------------------ PAC-Bayes
def test_pac_bayes_bound_by_hand():
    # ln(1/1e-10) = 23.02585, ln(2 * 100 / 0.05) = 8.29405; (31.3199) / 99 = 0.316363; 1 - e^-0.316363 = 0.271205
    assert bn.pac_bayes_bound(1e-10, 100) == pytest.approx(0.271205, abs=1e-6)
    # m = 10, delta = 0.1, P(S) = 0.5: (ln 2 + ln 200) / 9 = (0.693147 + 5.298317) / 9 = 0.665718
    assert bn.pac_bayes_bound(0.5, 10, delta=0.1) == pytest.approx(1 - math.exp(-0.665718), abs=1e-6)
    with pytest.raises(BoolnetError, match="evidence"):
        bn.pac_bayes_bound(0.0, 10)
    with pytest.raises(BoolnetError, match="m must"):
        bn.pac_bayes_bound(0.5, 1)


# ------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs, param", [
    (dict(functions=["000"]), "functions"),
    (dict(functions=["0001", "0001"]), "functions"),
    (dict(functions=["0001"], rel_error=0), "rel_error"),
    (dict(functions=["0001"], particles=2), "particles"),
    (dict(functions=["0001"], seed=-1), "seed"),
    (dict(functions=["0001"], activation="gelu"), "activation"),
    (dict(functions=["0001"], prior=Prior(sigma_w="1,2")), "sigma_w"),
    (dict(functions=["0001"], train=[0]), "target"),
])
def test_bad_options_name_the_parameter(kwargs, param):
    with pytest.raises(BoolnetError) as info:
        bn.estimate_table("2-1", **kwargs)
    assert info.value.param == param


# -------------------------------------------------------------------------------------------------- CLI
def test_cli_writes_a_csv(tmp_path, capsys):
    from boolnet.cli import main

    out = tmp_path / "e.csv"
    listing = tmp_path / "f.txt"
    listing.write_text("00000001\n01101001\n")
    assert main(["estimate", "--arch", "3-1", "--functions", str(listing), "--prior", "cube", "-o", str(out)]) == 0
    df = bn.read_table(out)
    assert df["function"].tolist() == ["00000001", "01101001"]
    assert df["status"].tolist() == ["estimated", "provably_zero"]
    assert df.attrs["boolnet"]["volume_method"] == "splitting"
    # any boolnet table as the list of functions
    out2 = tmp_path / "e2.csv"
    assert main(["estimate", "--arch", "3-1", "--functions", str(out), "--quiet", "-o", str(out2)]) == 0
    assert bn.read_table(out2)["function"].tolist() == ["00000001", "01101001"]
    # the evidence and the posterior
    out3 = tmp_path / "post.csv"
    assert main(["estimate", "--arch", "3-1", "--target", "00010111", "--train", "0,3,7", "--quiet",
                 "-o", str(out3)]) == 0
    post = bn.read_table(out3)
    assert post.attrs["boolnet"]["conditioned_on_train"] and post["function"].tolist() == ["00010111"]


@pytest.mark.parametrize("argv, flag", [
    (["--function", "0001"], "--function"),
    (["--function", "00000001", "--rel-error", "-1"], "--rel-error"),
    (["--function", "00000001", "--train", "0,1"], "--target"),
    (["--functions", "/nonexistent/list.txt"], "--functions"),
    (["--function", "00000001", "--sigma-w", "1,2,3"], "--sigma-w"),
])
def test_cli_bad_input_is_one_line_exit_2(argv, flag, capsys):
    from boolnet.cli import main

    assert main(["estimate", "--arch", "3-1", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err and flag in err, err
