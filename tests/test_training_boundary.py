"""Boundaries of the SGD-vs-Bayes band: bad tables, conditioned tables, strict JSON, options refused up front.

Expected values are worked out by hand from the small tables written here (uniform
masses over a few n = 2 functions), not taken from the code's output.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import BoolnetError
from boolnet.io import read_table, write_table
from boolnet.table.schema import attach
from boolnet.training import compare_tables, posterior_table, train_table, training_set
from boolnet.training.posterior import conditioned_on

#: A prior over four n = 2 functions, a quarter each.
PRIOR = attach(pd.DataFrame({"function": ["0001", "0111", "0000", "0011"], "probability": [0.25] * 4}),
               {"volume_method": "exact"})


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _flagless(exc: BaseException) -> None:
    """Library messages name Python parameters, never command-line flags."""
    assert "--" not in str(exc), str(exc)


# ----------------------------------------------------------------------------- bad tables
@pytest.mark.parametrize("functions, probability, what", [
    (["0001", "0111"], [0.5, float("nan")], "probability"),
    (["0001", "0111"], [0.5, -0.1], "probability"),
    (["0001", "01x1"], [0.5, 0.5], "0 and 1"),
    (["0001", "01"], [0.5, 0.5], "different lengths"),
    (["0001", "00011"], [0.5, 0.5], "different lengths"),
    (["0001", "01é1"], [0.5, 0.5], "0 and 1"),
])
def test_bad_tables_are_refused_naming_the_parameter(functions, probability, what):
    bad = pd.DataFrame({"function": functions, "probability": probability})
    with pytest.raises(BoolnetError) as e:
        posterior_table(bad, target="0001", train=[0, 3])
    assert e.value.param == "table" and what in str(e.value) and "row 1" in str(e.value)
    _flagless(e.value)
    with pytest.raises(BoolnetError) as e:
        compare_tables(bad, PRIOR)
    assert e.value.param == "a" and what in str(e.value)
    with pytest.raises(BoolnetError) as e:
        compare_tables(PRIOR, bad, target="0001", train=[0, 3])
    assert e.value.param == "b" and what in str(e.value)


def test_nan_bounds_and_counts_are_refused():
    t = pd.DataFrame({"function": ["0001", "0111"], "probability": [0.5, 0.5],
                      "probability_low": [0.4, np.nan], "probability_high": [0.6, 0.6]})
    with pytest.raises(BoolnetError, match="probability_low") as e:
        posterior_table(t, target="0001", train=[0, 3])
    assert e.value.param == "table"
    c = pd.DataFrame({"function": ["0001", "0111"], "probability": [0.5, 0.5], "count": [1.0, np.nan]})
    with pytest.raises(BoolnetError, match="count") as e:
        compare_tables(PRIOR, c)
    assert e.value.param == "b"


# ----------------------------------------------------------------------------- P(S) = 0
def test_zero_evidence_is_an_error_not_nan_rows():
    # 0001 and 0011 fit S = {0, 3} of target 0001 (f(0) = 0, f(3) = 1) but have probability 0.
    t = pd.DataFrame({"function": ["0001", "0011", "1111"], "probability": [0.0, 0.0, 1.0]})
    with pytest.raises(BoolnetError) as e:
        posterior_table(t, target="0001", train=[0, 3])
    assert e.value.param == "table" and "P(S) = 0" in str(e.value) and "2 of 3 rows" in str(e.value)
    _flagless(e.value)
    # counted tables: fitting rows with count 0
    c = attach(t.assign(count=[0, 0, 7]), {"volume_method": "sampled"})
    with pytest.raises(BoolnetError, match=r"P\(S\) = 0"):
        posterior_table(c, target="0001", train=[0, 3])
    # no fitting row at all
    with pytest.raises(BoolnetError, match=r"P\(S\) = 0"):
        posterior_table(t.iloc[2:], target="0001", train=[0, 3])
    # compare conditions a prior table first: the error names the side
    with pytest.raises(BoolnetError) as e:
        compare_tables(PRIOR, t, target="0001", train=[0, 3])
    assert e.value.param == "b" and "P(S) = 0" in str(e.value)


# ----------------------------------------------------------------------------- conditioned tables
def test_posterior_of_a_posterior():
    post = posterior_table(PRIOR, target="0001", train=[0, 3])  # 0001, 0111, 0011 fit: a third each
    assert conditioned_on(post) == ("0001", [0, 3]) and conditioned_on(PRIOR) is None
    with pytest.raises(BoolnetError) as e:  # another target: the old code re-conditioned silently
        posterior_table(post, target="0011", train=[0, 1])
    assert e.value.param == "table" and "already conditioned" in str(e.value)
    _flagless(e.value)
    with pytest.raises(BoolnetError):  # same target, another training set
        posterior_table(post, target="0001", train=[3])
    same = posterior_table(post, target="0001", train=[3, 0])  # the same S: unchanged
    assert dict(zip(same["function"], same["probability"])) == pytest.approx({"0001": 1 / 3, "0111": 1 / 3,
                                                                                "0011": 1 / 3})
    meta = same.attrs["boolnet"]
    assert meta["evidence"] == pytest.approx(0.75) and meta["source_rows"] == 4  # the recorded P(S), not 1
    # test error on inputs 1, 2 against 0001: 0001 -> 0, 0011 -> 1 (input 1), 0111 -> 2
    assert dict(zip(same["function"], same["test_error"])) == {"0001": 0, "0011": 1, "0111": 2}


def test_trained_tables_are_conditioned_on_their_training_set():
    trained = train_table("2-1", target="0001", train=[0, 3], runs=10, seed=1, lr=0.1, threads=1)
    assert conditioned_on(trained) == ("0001", [0, 3])
    with pytest.raises(BoolnetError, match="already conditioned"):
        posterior_table(trained, target="0111", train=[0, 1])
    with pytest.raises(BoolnetError) as e:
        compare_tables(trained, posterior_table(PRIOR, target="0011", train=[0, 3]))
    assert e.value.param == "b" and "different training data" in str(e.value)


def test_compare_refuses_tables_conditioned_on_different_data():
    p1 = posterior_table(PRIOR, target="0001", train=[0, 3])
    p2 = posterior_table(PRIOR, target="0011", train=[0, 1])
    with pytest.raises(BoolnetError) as e:
        compare_tables(p1, p2)
    assert e.value.param == "b" and "different training data" in str(e.value)
    _flagless(e.value)
    with pytest.raises(BoolnetError) as e:  # a target other than the conditioned table's own
        compare_tables(p1, PRIOR, target="0011")
    assert e.value.param == "target"
    _flagless(e.value)
    with pytest.raises(BoolnetError) as e:
        compare_tables(PRIOR, p1, train=[0])
    assert e.value.param == "train"
    # the same S on both sides (and a prior conditioned on it) is fine
    r = compare_tables(PRIOR, p1)
    assert r["target"] == "0001" and r["train"] == [0, 3] and r["conditioned_a"] and not r["conditioned_b"]
    assert r["kl_ab"] == pytest.approx(0.0, abs=1e-15) and r["common"] == 3


def test_compare_target_and_train_go_together():
    with pytest.raises(BoolnetError) as e:
        compare_tables(PRIOR, PRIOR, target="0001")
    assert e.value.param == "target" and "training set" in str(e.value)
    _flagless(e.value)
    with pytest.raises(BoolnetError) as e:
        compare_tables(PRIOR, PRIOR, train=[0, 3])
    assert e.value.param == "train"


def test_compare_undefined_values_are_none_not_nan():
    # S = every input: no test inputs, so the generalisation error (mean / 0) is undefined.
    r = compare_tables(PRIOR, PRIOR, target="0001", train=[0, 1, 2, 3])
    assert r["n_test"] == 0 and r["common"] == 1
    assert r["test_error"]["a"]["generalisation_error"] is None and r["test_error"]["a"]["mean"] == 0.0
    assert r["spearman_log"] is None  # one common function: no correlation
    _strict_json(json.dumps(r, allow_nan=False))


# ----------------------------------------------------------------------------- training_set
def test_training_set_names_its_own_parameters():
    with pytest.raises(BoolnetError) as e:
        training_set(2, size=5)
    assert e.value.param == "size" and str(e.value).startswith("size must be a whole number from 1 to 4")
    with pytest.raises(BoolnetError) as e:  # train_table's parameter is train_size
        train_table("2-1", target="0001", train_size=0, runs=1)
    assert e.value.param == "train_size" and str(e.value).startswith("train_size must be a whole number from 1 to 4")


def test_trainer_metadata_names_its_generator():
    meta = train_table("2-1", target="0001", train=[0, 3], runs=2, lr=0.1, threads=1).attrs["boolnet"]
    assert "ziggurat" not in meta["rng"] and "Box-Muller" in meta["rng"] and "xoshiro256**" in meta["rng"]


def test_train_table_checks_the_checkpoint_folder_before_training(tmp_path, monkeypatch):
    from boolnet.training import _train_kernels as K

    def never(*args):
        raise AssertionError("training started")

    monkeypatch.setattr(K, "train_runs", never)
    with pytest.raises(BoolnetError) as e:
        train_table("2-1", target="0001", train=[0, 3], runs=2, checkpoint=tmp_path / "missing" / "c.npz")
    assert e.value.param == "checkpoint" and "does not exist" in str(e.value)


# ----------------------------------------------------------------------------- command line
@pytest.fixture
def files(tmp_path):
    prior = tmp_path / "prior.csv"
    write_table(PRIOR, prior)
    p1 = tmp_path / "p1.csv"
    write_table(posterior_table(PRIOR, target="0001", train=[0, 3]), p1)
    p2 = tmp_path / "p2.csv"
    write_table(posterior_table(PRIOR, target="0011", train=[0, 1]), p2)
    return prior, p1, p2


def test_cli_compare_refusals(assert_usage_error, files):
    prior, p1, p2 = files
    line = assert_usage_error("compare", p1, p2, mentions=("different training data",))
    assert "--" not in line.split("error:")[1]  # names the tables, not options
    assert_usage_error("compare", prior, prior, "--target", "0001", mentions=("--target", "training set"))
    assert_usage_error("compare", p1, prior, "--target", "0011", mentions=("--target",))
    assert_usage_error("compare", prior, p1, "--train", "0", mentions=("--train",))
    bad = files[0].with_name("bad.csv")
    write_table(pd.DataFrame({"function": ["0001", "01x1"], "probability": [0.5, 0.5]}), bad)
    assert_usage_error("compare", prior, bad, mentions=("0 and 1",))


def test_cli_compare_json_is_strict(run_cli, files):
    prior, p1, _ = files
    status, out, err = run_cli("compare", prior, prior, "--target", "0001", "--train", "0,1,2,3", "--json")
    assert status == 0, err
    result = _strict_json(out)
    assert result["n_test"] == 0 and result["test_error"]["b"]["generalisation_error"] is None
    assert result["spearman_log"] is None
    status, out, err = run_cli("compare", prior, p1, "--json")  # target and S from p1's metadata
    assert status == 0, err
    result = _strict_json(out)
    # PRIOR conditioned on S = {0, 3}: a third each on 0001, 0011, 0111; test errors 0, 1, 2
    assert result["test_error"]["a"]["mass"] == pytest.approx([1 / 3] * 3)
    assert result["test_error"]["a"]["generalisation_error"] == pytest.approx(0.5)
    status, out, err = run_cli("compare", prior, prior, "--target", "0001", "--train", "0,1,2,3")
    assert status == 0 and "generalisation error n/a" in out


def test_cli_posterior_of_a_posterior(run_cli, assert_usage_error, files, tmp_path):
    _, p1, _ = files
    assert_usage_error("posterior", p1, "--target", "0011", "--train", "0,1", "-o", tmp_path / "x.csv",
                       mentions=("already conditioned",))
    assert not (tmp_path / "x.csv").exists()
    out = tmp_path / "same.csv"
    status, _, err = run_cli("posterior", p1, "--target", "0001", "--train", "3,0", "-o", out)
    assert status == 0 and "already conditioned" in err and "unchanged" in err, err
    same = read_table(out)
    assert same.attrs["boolnet"]["evidence"] == pytest.approx(0.75)
    assert sorted(same["probability"]) == pytest.approx([1 / 3] * 3)


def test_cli_posterior_seed_only_with_train_size(run_cli, assert_usage_error, files, tmp_path):
    prior = files[0]
    assert_usage_error("posterior", prior, "--target", "0001", "--train", "0,3", "--seed", "4",
                       mentions=("--seed", "--train"))
    assert_usage_error("posterior", prior, "--target", "0001", "--train", "0,3", "--seed", "0", mentions=("--seed",))
    assert_usage_error("posterior", prior, "--target", "0001", "--train-size", "9", mentions=("--train-size",))
    out = tmp_path / "s.csv"
    status, _, err = run_cli("posterior", prior, "--target", "0001", "--train-size", "2", "--seed", "4", "--quiet",
                             "-o", out)
    assert status == 0, err
    assert read_table(out).attrs["boolnet"]["train"] == sorted(np.random.default_rng(4).choice(4, 2, replace=False))


@pytest.fixture
def no_training(monkeypatch):
    """Any training kernel call fails the test: refusals must come before the work."""
    from boolnet.training import _train_kernels as K

    def never(*args):
        raise AssertionError("training started")

    monkeypatch.setattr(K, "train_runs", never)


TRAIN = ("train", "--arch", "2-1", "--target", "0001", "--train", "0,3", "--runs", "3", "--quiet")


def test_cli_train_refuses_ignored_options_before_training(assert_usage_error, no_training, tmp_path):
    line = assert_usage_error(*TRAIN, "--checkpoint", tmp_path / "missing" / "c.npz", "-o", tmp_path / "t.csv",
                              mentions=("--checkpoint", "does not exist"))
    assert not (tmp_path / "t.csv").exists(), line
    assert_usage_error(*TRAIN, "--checkpoint-interval", "5", mentions=("--checkpoint-interval", "--checkpoint PATH"))
    assert_usage_error("train", "--arch", "4-1", "--target", "0" * 16, "--train", "0,3", "--runs", "3",
                       "--activation", "tanh", mentions=("--activation", "perceptron"))
    assert_usage_error(*TRAIN, "--activation", "relu", mentions=("--activation",))


def test_cli_train_options_that_apply_are_accepted(run_cli, tmp_path):
    out = tmp_path / "h.csv"
    status, _, err = run_cli("train", "--arch", "2-2-1", "--target", "0001", "--train", "0,3", "--runs", "3",
                             "--lr", "0.1", "--activation", "tanh", "--checkpoint", tmp_path / "c.npz",
                             "--checkpoint-interval", "5", "--quiet", "-o", out)
    assert status == 0, err
    meta = read_table(out).attrs["boolnet"]
    assert meta["activation"] == "tanh" and (tmp_path / "c.npz").exists()


def test_cli_train_help_shows_one_percent_sign(capsys):
    from boolnet.cli import main

    for argv in (["train", "--help"], ["--help"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "100% training accuracy" in text and "%%" not in text
