"""The posterior's test error from the splitting particles (boolnet.estimate.posterior) against independent values.

Independent values: the exact posterior of the n = 4 perceptron (quadrature table in tables/,
conditioned by ``posterior_table``), and the conditioned (rejection) sampler ``sample_table(...,
fit=T, train=S)`` for relu MLPs, whose accepted networks are exact draws of the prior restricted to S.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import boolnet as bn
from boolnet.errors import BoolnetError
from boolnet.estimate.posterior import posterior_errors
from boolnet.functions import training_set
from boolnet.training.posterior import errors_on_test_inputs

TABLES = Path(__file__).resolve().parent.parent / "tables"


def _se(out: dict) -> float:
    """Standard error behind the splitting estimate's 95% t-interval (over the replicas that reached S)."""
    k = sum(np.isfinite(out["replica_errors"]))
    from scipy import stats

    return (out["test_error_high"] - out["test_error_low"]) / 2 / stats.t.ppf(0.975, k - 1)


def _rejection(arch: str, target: str, train: list[int], samples: int, seed: int) -> tuple[float, float, float]:
    """Mean test error, its standard error and P(S) of the conditioned sampler's accepted networks."""
    df = bn.sample_table(arch, samples=samples, seed=seed, fit=target, train=train, threads=1, progress=False)
    err = errors_on_test_inputs(df["function"], target=target, train=train) / (len(target) - len(train))
    c = df["count"].to_numpy(dtype=np.float64)
    mean = float((c * err).sum() / c.sum())
    sd = math.sqrt(float((c * (err - mean) ** 2).sum() / c.sum()))
    return mean, sd / math.sqrt(c.sum()), df.attrs["boolnet"]["evidence"]


@pytest.mark.parametrize("target, train_seed, m", [
    ("0001011101111111", None, 6),        # at least two of four, S of docs/sgd_bayes.md
    ("0000000100010111", 2, 5),
    ("0110100110010110", 4, 5),          # parity on 5 inputs a perceptron can fit (P(S) = 1.2e-3)
])
def test_perceptron_n4_against_exact_posterior(target, train_seed, m):
    """Exact mean test error of P_B(f | S) from the exact n = 4 table, inside a 3.5-sigma band of the estimate."""
    train = [0, 2, 5, 6, 9, 13] if train_seed is None else training_set(4, m, seed=train_seed)
    exact_table = bn.read_table(TABLES / "perceptron_n4_gaussian.csv")
    post = bn.posterior_table(exact_table, target=target, train=train)
    exact = float((post["probability"] * post["test_error"]).sum() / post["probability"].sum()) / (16 - len(train))
    out = posterior_errors("4-1", target, train, seed=3, progress=False)
    assert out["status"] == "estimated"
    assert abs(out["test_error"] - exact) <= 3.5 * _se(out), (out["test_error"], exact, _se(out))
    assert abs(out["test_error_weighted"] - exact) <= 3.5 * _se(out) + 0.01
    # the evidence is the exact P(S) within its interval's reach
    p_exact = post.attrs["boolnet"]["evidence"]
    assert out["evidence_low"] / 1.5 <= p_exact <= out["evidence_high"] * 1.5


def test_mlp_against_rejection_sampler():
    """5-10-1 relu, x1 and x2, m = 12 (P(S) ~ 2e-3): splitting's particles and 1e6 rejection draws agree.

    The posterior's error (about 0.24) is far from that of the same networks without the condition
    (asserted below), so the check has power: particles that ignored S would fail it.
    """
    arch, target = "5-10-1", "0" * 24 + "1" * 8
    train = training_set(5, 12, seed=3)
    rej, rej_se, p_rej = _rejection(arch, target, train, 1_000_000, seed=5)
    out = posterior_errors(arch, target, train, seed=2, progress=False)
    assert out["status"] == "estimated" and out["replicas"] >= 8
    se = _se(out)
    assert abs(out["test_error"] - rej) <= 3 * math.hypot(se, rej_se), (out["test_error"], rej, se, rej_se)
    assert abs(out["test_error_weighted"] - rej) <= 3 * math.hypot(se, rej_se) + 0.01
    assert out["evidence_low"] <= p_rej * 1.2 and p_rej <= out["evidence_high"] * 1.2
    # power: unconditioned networks err far more on the same test inputs
    prior = bn.sample_table(arch, samples=20_000, seed=6, threads=1, progress=False)
    err = errors_on_test_inputs(prior["function"], target=target, train=train) / (32 - 12)
    prior_mean = float((prior["count"] * err).sum() / prior["count"].sum())
    assert prior_mean - out["test_error"] > 10 * math.hypot(se, rej_se)


@pytest.mark.slow
def test_wide_mlp_against_rejection_sampler():
    """7-40-40-1 relu (the PAC-Bayes experiment's network), x1 and x2 and x3, m = 16: P(S) ~ 1e-3."""
    arch, target = "7-40-40-1", "0" * 112 + "1" * 16
    train = training_set(7, 16, seed=0)
    rej, rej_se, p_rej = _rejection(arch, target, train, 2_000_000, seed=5)
    out = posterior_errors(arch, target, train, seed=2, progress=False)
    se = _se(out)
    assert abs(out["test_error"] - rej) <= 3 * math.hypot(se, rej_se), (out["test_error"], rej, se, rej_se)
    assert out["evidence_low"] <= p_rej * 1.2 and p_rej <= out["evidence_high"] * 1.2


def test_same_evidence_as_evidence():
    """The replicas are those of bn.evidence (same stream and stopping rule): the same P(S), to the bit."""
    target, train = "0001011101111111", [0, 2, 5, 6, 9, 13]
    out = posterior_errors("4-1", target, train, seed=11, progress=False)
    ev = bn.evidence("4-1", target, train, seed=11, progress=False)
    assert (out["evidence"], out["evidence_low"], out["evidence_high"]) == (
        ev["evidence"], ev["evidence_low"], ev["evidence_high"])
    assert out["replicas"] == ev["replicas"] and len(out["replica_errors"]) == out["replicas"]


def test_refuses_bad_training_sets():
    with pytest.raises(BoolnetError, match="no test inputs"):
        posterior_errors("2-1", "0001", [0, 1, 2, 3])
    with pytest.raises(BoolnetError, match="provably 0"):
        posterior_errors("2-1", "1001", [0, 3], bias=False)       # f(0) = 1 without bias on 0/1 inputs
    with pytest.raises(BoolnetError, match="target"):
        posterior_errors("2-1", "00011", [0, 3])


def test_figure_refuses_other_tables():
    import pandas as pd

    from boolnet.plots.pac_bayes import pac_bayes_figure

    with pytest.raises(BoolnetError, match="lacks the column"):
        pac_bayes_figure(pd.DataFrame({"target": ["and2"], "m": [16]}))
    with pytest.raises(BoolnetError, match="DataFrame"):
        pac_bayes_figure([1, 2])
