"""The conditioned sampler (`boolnet sample --fit TARGET --train ...`, `sample_table(fit=...)`).

Oracles:
- the exact posterior of an n = 3 perceptron (`exact_table` then `posterior_table`, an independent method):
  the sampler's P_B(f | S) and P(S) agree with it within wide Wilson intervals;
- the unconditioned sampler with the same seed draws the same samples, so its table filtered to the rows that fit
  S (`posterior_table`) has exactly the conditioned table's counts;
- the counts do not depend on the number of threads or on a stop and resume.
"""

from __future__ import annotations

import numpy as np
import pytest

import boolnet as bn
from boolnet.errors import BoolnetError, Interrupted
from boolnet.io import read_table
from boolnet.sampling._rng import BLOCK_SIZE
from boolnet.table.build import wilson_interval
from boolnet.training import compare_tables, posterior_table, training_set

T3 = "00010111"  # majority of three
S3 = [1, 6]


def _counts(df):
    return dict(zip(df["function"], df["count"].astype(int)))


@pytest.fixture(scope="module")
def exact_posterior():
    return posterior_table(bn.exact_table(3), target=T3, train=S3)


@pytest.fixture(scope="module")
def sampled_posterior():
    return bn.sample_table("3-1", samples=2_000_000, seed=11, fit=T3, train=S3)


def test_matches_the_exact_posterior_within_intervals(exact_posterior, sampled_posterior):
    exact, post = exact_posterior, sampled_posterior
    meta = post.attrs["boolnet"]
    accepted = meta["accepted"]
    assert int(post["count"].sum()) == accepted > 0
    assert meta["volume_method"] == "sampled" and meta["conditioned_on_train"] is True
    assert meta["target"] == meta["fit"] == T3 and meta["train"] == S3 and meta["train_size"] == 2
    assert meta["samples"] == meta["samples_done"] == 2_000_000 and meta["kept_count"] == accepted
    # every sampled function fits S; the exact posterior's functions of mass >= 1e-3 are all seen
    assert set(f[1] + f[6] for f in post["function"]) == {T3[1] + T3[6]}
    seen = set(post["function"])
    assert seen <= set(exact["function"])
    assert set(exact.loc[exact["probability"] >= 1e-3, "function"]) <= seen
    # P_B(f | S) = count / accepted, inside 4-sigma Wilson intervals around the exact values
    np.testing.assert_allclose(post["probability"], post["count"] / accepted, rtol=0, atol=0)
    truth = exact[["function", "probability"]].rename(columns={"probability": "p_exact"})
    joined = truth.merge(post, on="function", how="left").fillna({"count": 0})
    lo, hi = wilson_interval(joined["count"].to_numpy(np.int64), accepted, z=4.0)
    p = joined["p_exact"].to_numpy(np.float64)
    assert np.all((lo <= p) & (p <= hi)), joined[(lo > p) | (p > hi)]
    # the table's own 95% intervals cover most exact values (a few may miss by chance)
    both = post.merge(truth, on="function")
    inside = (both["probability_low"] <= both["p_exact"]) & (both["p_exact"] <= both["probability_high"])
    assert inside.mean() >= 0.8
    # P(S): the acceptance rate, with its Wilson interval, against the exact evidence
    e = exact.attrs["boolnet"]["evidence"]
    assert meta["evidence"] == accepted / 2_000_000
    assert meta["evidence_low"] < meta["evidence"] < meta["evidence_high"]
    elo, ehi = wilson_interval(np.array([accepted]), 2_000_000, z=4.0)
    assert elo[0] <= e <= ehi[0]
    # compare reads the target and the training set from the metadata
    result = compare_tables(exact, post)
    assert result["mass_b_only"] == 0 and result["common"] == len(post)
    assert result["kl_ab"] < 1e-3


def test_equals_the_unconditioned_table_filtered_to_s(sampled_posterior):
    full = bn.sample_table("3-1", samples=2_000_000, seed=11)
    filtered = posterior_table(full, target=T3, train=S3)
    assert _counts(filtered) == _counts(sampled_posterior)
    post = sampled_posterior.set_index("function")
    f = filtered.set_index("function").loc[post.index]
    for col in ("probability", "probability_low", "probability_high"):
        np.testing.assert_array_equal(f[col].to_numpy(), post[col].to_numpy())
    meta, fmeta = sampled_posterior.attrs["boolnet"], filtered.attrs["boolnet"]
    for key in ("evidence", "evidence_low", "evidence_high", "kept_count"):
        assert meta[key] == fmeta[key], key


@pytest.mark.parametrize("arch, samples", [("3-4-1", 40_000), ("7-1", 300_000), ("7-8-1", 40_000)])
def test_other_networks_equal_the_filtered_table(arch, samples):
    """The MLP kernel, and n = 7, where S has inputs in both 64-bit words."""
    n = int(arch.split("-")[0])
    train = [1, 6] if n == 3 else [3, 40, 70, 127]
    target = "".join(np.random.default_rng(0).choice(["0", "1"], 1 << n)) if n == 7 else T3
    full = bn.sample_table(arch, samples=samples, seed=4)
    post = bn.sample_table(arch, samples=samples, seed=4, fit=target, train=train)
    assert post.attrs["boolnet"]["accepted"] > 0
    assert _counts(posterior_table(full, target=target, train=train)) == _counts(post)


def test_threads_and_resume_give_identical_counts(tmp_path):
    options = dict(samples=20 * BLOCK_SIZE, seed=3, fit=T3, train_size=3)
    one = bn.sample_table("3-2-1", threads=1, **options)
    two = bn.sample_table("3-2-1", threads=2, **options)
    assert _counts(one) == _counts(two) and one.attrs["boolnet"]["evidence"] == two.attrs["boolnet"]["evidence"]
    assert one.attrs["boolnet"]["train"] == training_set(3, 3, seed=3)
    ckpt = tmp_path / "c.ckpt"
    with pytest.raises(Interrupted) as stopped:
        bn.sample_table("3-2-1", threads=2, checkpoint=ckpt, checkpoint_interval=1e-9,
                        _stop_after=5 * BLOCK_SIZE, **options)
    partial = stopped.value.partial.attrs["boolnet"]
    assert partial["samples_done"] < options["samples"] and partial["accepted"] == stopped.value.partial["count"].sum()
    resumed = bn.sample_table("3-2-1", threads=1, checkpoint=ckpt, **options)
    assert resumed.attrs["boolnet"]["resumed_from"] > 0
    assert _counts(resumed) == _counts(one)
    assert resumed.attrs["boolnet"]["evidence"] == one.attrs["boolnet"]["evidence"]
    # the fingerprint holds the target and the training set
    with pytest.raises(BoolnetError, match="different options.*train") as other:
        bn.sample_table("3-2-1", checkpoint=ckpt, **dict(options, train_size=None, train=[0, 1, 2]))
    assert other.value.param == "checkpoint"
    with pytest.raises(BoolnetError, match="different options.*fit"):
        bn.sample_table("3-2-1", checkpoint=ckpt, samples=options["samples"], seed=3)


@pytest.mark.parametrize("kwargs, param", [
    (dict(fit="0001011", train=[1]), "fit"),
    (dict(fit="0001", train=[1]), "fit"),
    (dict(fit=T3, train=[1, 8]), "train"),
    (dict(fit=T3, train=[-1]), "train"),
    (dict(fit=T3, train=[1], train_size=2), "train"),
    (dict(fit=T3), "train"),
    (dict(train=[1]), "train"),
    (dict(train_size=2), "train_size"),
    (dict(fit=T3, train_size=9), "train_size"),
    (dict(fit=T3, train=[1], backend="dask"), "backend"),
])
def test_bad_input_names_the_parameter(kwargs, param):
    with pytest.raises(BoolnetError) as exc:
        bn.sample_table("3-1", samples=1000, **kwargs)
    assert exc.value.param == param, (exc.value.param, str(exc.value))
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("extra, flag", [
    (["--fit", "0001011", "--train", "1"], "--fit"),
    (["--fit", T3, "--train", "1,8"], "--train"),
    (["--train", "1"], "--train"),
])
def test_command_line_errors_are_one_line(assert_usage_error, extra, flag):
    assert_usage_error("sample", "--arch", "3-1", "--samples", "1000", *extra, mentions=(flag,))


def test_command_writes_the_conditioned_table(run_cli, tmp_path):
    out = tmp_path / "pb.csv"
    status, _, err = run_cli("sample", "--arch", "3-1", "--samples", "1e5", "--seed", "2", "--fit", T3,
                             "--train-size", "2", "--quiet", "-o", out)
    assert status == 0, err
    df = read_table(out)
    meta = df.attrs["boolnet"]
    same = bn.sample_table("3-1", samples=100_000, seed=2, fit=T3, train_size=2)
    assert _counts(df) == _counts(same)
    assert meta["train"] == training_set(3, 2, seed=2) and meta["target"] == T3
    assert meta["accepted"] == int(df["count"].sum()) and meta["evidence"] == meta["accepted"] / 100_000
    assert isinstance(compare_tables(df, same), dict)


def test_command_line_refuses_train_and_train_size(capsys):
    from boolnet.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["sample", "--arch", "3-1", "--samples", "1000", "--fit", T3, "--train", "1", "--train-size", "2"])
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--train-size" in lines[0] and "--train" in lines[0]


def test_conditioned_tables_are_not_merged():
    import boolnet as bn

    a = bn.sample_table("3-1", samples=4096, seed=1, fit="00010111", train=[1, 6])
    b = bn.sample_table("3-1", samples=4096, seed=2, fit="00010111", train=[1, 6])
    with pytest.raises(bn.BoolnetError, match="conditioned") as info:
        bn.merge_tables([a, b])
    assert info.value.param == "tables"
