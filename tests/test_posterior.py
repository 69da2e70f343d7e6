"""P_B(f | S) against exact rationals and rejection sampling; comparison statistics against hand computations."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import BoolnetError
from boolnet.priors import Prior
from boolnet.table.schema import attach
from boolnet.training import compare_tables, posterior_table, train_table

CUBE = Prior("uniform", 1, 1, fan_in_scaling=False)
TARGET = "00010111"  # majority of 3
TRAIN = [1, 6]


def _table(result):
    """Producers return a DataFrame with attrs (or, in older versions, ``(df, meta)``)."""
    return attach(result[0], result[1]) if isinstance(result, tuple) else result


@pytest.fixture(scope="module")
def exact3():
    from boolnet.exact import exact_table

    return _table(exact_table(3, CUBE))


@pytest.fixture(scope="module")
def sampled3():
    from boolnet.sampling import sample_table

    return _table(sample_table("3-1", samples=400_000, seed=7, prior=CUBE, progress=False))


def _fits(f, target=TARGET, train=TRAIN):
    return all(f[i] == target[i] for i in train)


def test_exact_posterior_is_the_renormalised_rational_volume(exact3):
    post = posterior_table(exact3, target=TARGET, train=TRAIN)
    volumes = {f: Fraction(v) for f, v in zip(exact3["function"], exact3["probability_exact"]) if _fits(f)}
    z = sum(volumes.values())
    assert sorted(post["function"]) == sorted(volumes)
    for f, p, lo, hi, q in post[["function", "probability", "probability_low", "probability_high",
                                 "probability_exact"]].itertuples(index=False):
        assert Fraction(q) == volumes[f] / z
        assert p == pytest.approx(float(volumes[f] / z), rel=1e-12) and lo == pytest.approx(p) == hi
    meta = post.attrs["boolnet"]
    assert meta["evidence"] == pytest.approx(float(z), rel=1e-12)
    assert meta["train"] == TRAIN and meta["kept_rows"] == len(volumes)
    errors = [sum(f[i] != TARGET[i] for i in range(8) if i not in TRAIN) for f in post["function"]]
    assert post["test_error"].tolist() == errors


def test_exact_posterior_equals_rejection_sampling_within_intervals(exact3, sampled3):
    from boolnet.table.build import wilson_interval

    post = posterior_table(exact3, target=TARGET, train=TRAIN)
    kept = sampled3[sampled3["function"].map(_fits)]
    n_s = int(kept["count"].sum())
    assert n_s > 3_000  # enough kept draws for the intervals below to be informative
    # z = 4.4: a two-sided 1e-5 interval per function, so the ~100 comparisons all hold unless P_B is wrong.
    lo, hi = wilson_interval(kept["count"].to_numpy(), n_s, z=4.4)
    interval = dict(zip(kept["function"], zip(lo, hi)))
    for f, p in zip(post["function"], post["probability"]):
        if f in interval:
            assert interval[f][0] <= p <= interval[f][1], (f, p, interval[f])
        else:
            assert p * n_s < 12, (f, p)  # never drawn: only plausible for a rare function
    assert set(interval) <= set(post["function"])
    # The sampled table's own posterior is the same rejection sample: count / N_S with Wilson 95% intervals.
    spost = posterior_table(sampled3, target=TARGET, train=TRAIN)
    mine = spost.set_index("function")
    lo95, hi95 = wilson_interval(kept["count"].to_numpy(), n_s)
    for f, c, l95, h95 in zip(kept["function"], kept["count"], lo95, hi95):
        assert mine.loc[f, "probability"] == pytest.approx(c / n_s, rel=1e-12)
        assert (mine.loc[f, "probability_low"], mine.loc[f, "probability_high"]) == pytest.approx((l95, h95))
    assert spost.attrs["boolnet"]["evidence"] == pytest.approx(n_s / sampled3["count"].sum())


def test_trainer_with_no_epochs_is_rejection_sampling_of_the_exact_posterior():
    # max_epochs = 0 keeps exactly the initialisations that already fit S: a rejection sample from P_B, drawn by
    # the trainer's own generator and network evaluation, so it checks both against the exact engine.
    from boolnet.exact import exact_table
    from boolnet.table.build import wilson_interval

    prior = Prior()  # gaussian, fan-in scaling: the trainer's default and the exact engine's quadrature
    exact = _table(exact_table(3, prior))
    post = posterior_table(exact, target=TARGET, train=TRAIN)
    rej = train_table("3-1", target=TARGET, train=TRAIN, runs=60_000, seed=9, max_epochs=0, prior=prior)
    meta = rej.attrs["boolnet"]
    assert meta["fitted"] + meta["unfitted"] == 60_000 and meta["epochs_max"] == 0
    lo, hi = wilson_interval(rej["count"].to_numpy(), meta["fitted"], z=4.4)
    interval = dict(zip(rej["function"], zip(lo, hi)))
    for f, p in zip(post["function"], post["probability"]):
        if f in interval:
            assert interval[f][0] <= p <= interval[f][1], (f, p, interval[f])
        else:
            assert p * meta["fitted"] < 12
    # and the share of initialisations that fit S is the evidence P(S)
    lo, hi = wilson_interval(np.array([meta["fitted"]]), 60_000, z=4.4)
    assert lo[0] <= post.attrs["boolnet"]["evidence"] <= hi[0]


def test_bounds_from_bounded_tables_are_conservative_and_tight():
    rng = np.random.default_rng(0)
    funcs = ["0001", "0011", "0101", "0111", "1111"]  # the last does not fit S = {0, 3}
    p = np.array([0.30, 0.20, 0.15, 0.05, 0.30])
    err = np.array([0.02, 0.01, 0.03, 0.01, 0.05])
    t = pd.DataFrame({"function": funcs, "probability": p, "probability_low": p - err, "probability_high": p + err})
    post = posterior_table(attach(t, {"volume_method": "quadrature"}), target="0001", train=[0, 3])
    post = post.set_index("function")
    assert "1111" not in post.index
    kept = funcs[:4]
    lo_all, hi_all = (p - err)[:4], (p + err)[:4]
    low = post.loc[kept, "probability_low"].to_numpy()
    high = post.loc[kept, "probability_high"].to_numpy()
    q = rng.uniform(lo_all, hi_all, size=(20000, 4))  # any volumes inside the bounds ...
    q /= q.sum(axis=1, keepdims=True)
    assert np.all(q >= low - 1e-12) and np.all(q <= high + 1e-12)  # ... give a posterior inside the bounds
    for i, f in enumerate(kept):  # and the bounds are attained at the extreme corners
        corner_lo = np.where(np.arange(4) == i, lo_all, hi_all)
        corner_hi = np.where(np.arange(4) == i, hi_all, lo_all)
        assert post.loc[f, "probability_low"] == pytest.approx(corner_lo[i] / corner_lo.sum())
        assert post.loc[f, "probability_high"] == pytest.approx(corner_hi[i] / corner_hi.sum())


def test_posterior_errors_name_their_parameter(exact3):
    with pytest.raises(BoolnetError) as e:
        posterior_table(exact3, target="0001", train=[0])
    assert e.value.param == "target"
    with pytest.raises(BoolnetError) as e:
        posterior_table(exact3, target=TARGET, train=[8])
    assert e.value.param == "train"
    t = pd.DataFrame({"function": ["0000"], "probability": [1.0]})
    with pytest.raises(BoolnetError) as e:
        posterior_table(t, target="0001", train=[3])
    assert e.value.param == "table"
    with pytest.raises(BoolnetError) as e:  # one row per orbit: conditioning needs every function
        posterior_table(t.assign(orbit_size=[1]), target="0000", train=[3])
    assert e.value.param == "table"


# ----------------------------------------------------------------------------- comparison
def test_compare_hand_computed():
    a = pd.DataFrame({"function": ["0001", "0011", "0101"], "probability": [0.5, 0.3, 0.2]})
    b = pd.DataFrame({"function": ["0001", "0011", "0111"], "probability": [0.4, 0.4, 0.2]})
    r = compare_tables(a, b, target="0001", train=[0, 3])
    assert (r["common"], r["only_a"], r["only_b"]) == (2, 1, 1)
    assert r["mass_a_only"] == pytest.approx(0.2) and r["mass_b_only"] == pytest.approx(0.2)
    qa, qb = (0.625, 0.375), (0.5, 0.5)
    assert r["kl_ab"] == pytest.approx(sum(x * math.log(x / y) for x, y in zip(qa, qb)))
    assert r["kl_ba"] == pytest.approx(sum(y * math.log(y / x) for x, y in zip(qa, qb)))
    # test inputs 1, 2: 0001 -> 0 errors, 0011 -> 1, 0101 -> 1, 0111 -> 2
    assert r["test_error"]["a"]["mass"] == pytest.approx([0.5, 0.5, 0.0])
    assert r["test_error"]["b"]["mass"] == pytest.approx([0.4, 0.4, 0.2])
    assert r["test_error"]["b"]["mean"] == pytest.approx(0.8) and r["n_test"] == 2
    same = compare_tables(a, a, target="0001", train=[0, 3])
    assert same["kl_ab"] == pytest.approx(0, abs=1e-15) and same["spearman_log"] == pytest.approx(1.0)
    with pytest.raises(BoolnetError) as e:
        compare_tables(a, pd.DataFrame({"function": ["01"], "probability": [1.0]}))
    assert e.value.param == "b"


def test_sgd_against_exact_bayes_on_a_perceptron(exact3):
    trained = train_table("3-1", target=TARGET, train=TRAIN, runs=3000, seed=3, lr=0.1, batch=2, threads=2)
    assert trained.attrs["boolnet"]["fitted"] == 3000
    r = compare_tables(exact3, trained)  # target and training set from the trained table's metadata
    assert r["conditioned_a"] and not r["conditioned_b"]
    assert r["only_b"] == 0  # SGD only finds threshold functions that fit S: all have positive volume
    assert sum(r["test_error"]["a"]["mass"]) == pytest.approx(1.0)
    assert sum(r["test_error"]["b"]["mass"]) == pytest.approx(1.0)
    assert r["spearman_log"] > 0



def test_compare_figure_labels_its_axes_from_the_tables_metadata(exact3):
    from boolnet.levin import describe_metadata
    from boolnet.plots._figure import pyplot
    from boolnet.plots.compare import comparison_figure

    trained = train_table("3-1", target=TARGET, train=TRAIN, runs=300, seed=3, lr=0.05, batch=2, threads=1)
    fig = comparison_figure(exact3, trained)
    try:
        ax = fig.axes[0]
        x, y = ax.get_xlabel(), ax.get_ylabel()
        # a: the exact prior table, conditioned on S by the comparison
        assert x.startswith("P_B(f|S)") and "conditioned" in x and describe_metadata(exact3.attrs["boolnet"]) in x
        assert "uniform prior" in x
        # b: trainings, with the optimiser and its learning rate
        assert y.startswith("P_SGD(f|S)") and "SGD lr 0.05" in y and "batch 2" in y
        assert describe_metadata(trained.attrs["boolnet"]) in y
        assert TARGET in fig._suptitle.get_text()
        legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
        assert legend[0].startswith("P_B(f|S)") and legend[1].startswith("P_SGD(f|S)")
    finally:
        pyplot().close(fig)
    fig = comparison_figure(exact3, trained, labels=("prior, conditioned", "SGD"))
    assert (fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()) == ("prior, conditioned", "SGD")
    pyplot().close(fig)
    with pytest.raises(BoolnetError, match="labels must be two strings"):
        comparison_figure(exact3, trained, labels="AB")


def test_training_does_not_import_the_figures():
    """training/ is below plots/: comparing tables loads neither boolnet.plots nor matplotlib."""
    import subprocess
    import sys

    code = ("import sys, boolnet.training.compare, boolnet.commands.compare; "
            "print(sorted(m for m in ('boolnet.plots', 'boolnet.plots.compare', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ----------------------------------------------------------------------------- command line
def test_cli_posterior_and_compare(run_cli, tmp_path, exact3):
    from boolnet.io import read_table, write_table

    src = tmp_path / "exact3.csv"
    write_table(exact3, src)
    out = tmp_path / "post.csv"
    status, _, err = run_cli("posterior", src, "--target", TARGET, "--train", "1,6", "--quiet", "-o", out)
    assert status == 0, err
    post = read_table(out)
    assert post.attrs["boolnet"]["train"] == TRAIN
    assert post["probability"].sum() == pytest.approx(1.0)
    trained = tmp_path / "sgd.csv"
    status, _, err = run_cli("train", "--arch", "3-1", "--target", TARGET, "--train", "1,6", "--runs", "200",
                             "--lr", "0.1", "--quiet", "-o", trained)
    assert status == 0, err
    plot = tmp_path / "c.png"
    status, out_text, err = run_cli("compare", out, trained, "--plot", plot, "--json")
    assert status == 0, err
    result = json.loads(out_text)
    assert result["n_test"] == 6 and plot.stat().st_size > 0
    status, out_text, err = run_cli("compare", out, trained)
    assert status == 0 and "KL(A||B)" in out_text


def test_cli_posterior_bad_input_is_one_line(assert_usage_error, tmp_path, exact3):
    from boolnet.io import write_table

    src = tmp_path / "exact3.csv"
    write_table(exact3, src)
    assert_usage_error("posterior", src, "--target", TARGET, "--train", "1,99", mentions=("--train",))
    assert_usage_error("posterior", src, "--target", "0101", "--train", "1", mentions=("--target",))
