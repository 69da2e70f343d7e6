"""The Bayesian posterior's test error where no sampler reaches: the splitting estimator's final particles.

The posterior restricted to ``S`` (Valle-Pérez et al. 2018) draws a network from the prior
conditioned on agreeing with the target on the training inputs ``S``. Its expected test
error is easy to measure by rejection while ``P(S)`` is large (``train_table(...,
max_epochs=0)`` or ``boolnet sample --fit``), and out of reach below about ``1e-6``. The
splitting estimator of ``P(S)`` (:mod:`boolnet.estimate.splitting`) ends, in every replica
that reaches ``S``, with a population whose particles of score ``>= 0`` agree with the
target on ``S``: approximately draws from that conditioned prior (exactly so as the
population grows, when the moves mix). :func:`posterior_errors` runs the evidence's
replicas (the same stream and stopping rule as :func:`boolnet.estimate.evidence`, so its
``P(S)`` is the same number) and reads off the test error of those particles.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import stats

from boolnet.errors import BoolnetError
from boolnet.estimate.estimator import _EVIDENCE_TAG, _options, provably_zero
from boolnet.estimate.splitting import Forward, Splitter, combine_replicas
from boolnet.functions import check_target, check_train
from boolnet.progress import progress_bar
from boolnet.checks import check_progress


def _t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` and its t-interval (``nan`` bounds for fewer than two values)."""
    k = values.size
    mean = float(values.mean())
    if k < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, k - 1)) * float(values.std(ddof=1)) / math.sqrt(k)
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def _ratio_interval(p: np.ndarray, e: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """``sum p e / sum p`` over all replicas (``e`` ignored where ``p = 0``), with a delta-method t-interval."""
    R = p.size
    e = np.where(p > 0, e, 0.0)
    total = float(p.sum())
    ratio = float((p * e).sum()) / total
    if R < 2:
        return ratio, math.nan, math.nan
    resid = p * (e - ratio)
    se = math.sqrt(float((resid ** 2).sum()) / (R * (R - 1))) / (total / R)
    half = float(stats.t.ppf(0.5 + confidence / 2, R - 1)) * se
    return ratio, max(0.0, ratio - half), min(1.0, ratio + half)


def posterior_errors(arch, target, train, *, activation: str = "relu", prior=None, encoding: str = "01",
                     bias: bool = True, seed: int = 0, rel_error: float = 0.25, particles: int = 200,
                     replicas: int = 8, max_replicas: int | None = 64, moves: int = 10, patience: int = 100,
                     floor: float = 1e-300, unit_moves: int = 40, progress: bool | None = None) -> dict:
    """``P(S)`` and the test error of the posterior restricted to ``S``, from the splitting estimator's particles.

    Runs the replicas of :func:`boolnet.estimate.evidence` (same options, same seed
    stream ``SeedSequence([seed, 0, 1])``, same stopping rule, so the evidence is the
    same number). In each replica that reaches ``S``, the particles of the final
    population that agree with ``target`` on ``train`` are approximately draws from the
    prior restricted to ``{theta : network agrees with target on S}``; the test error of
    each is the fraction of the test inputs (those not in ``train``) where its output
    differs from ``target``. Per replica, ``e_r`` is the mean over its fitting particles.

    Parameters
    ----------
    arch, target, train
        As in :func:`boolnet.estimate.evidence`: the architecture, the target's truth
        table (``2**N`` characters) and the training inputs (indices, or ``"3,5,6"``);
        at least one input must be left out of ``train`` (the test set).
    activation, prior, encoding, bias, seed, rel_error, particles, replicas, max_replicas, moves, patience, floor, unit_moves
        The estimator's options (:func:`boolnet.estimate.estimate_table`).
    progress : bool or None
        A tqdm bar on stderr (None: where someone is watching).

    Returns
    -------
    dict
        ``evidence``, ``evidence_low``, ``evidence_high``, ``status``, ``rel_error``,
        ``replicas``, ``levels``, ``evaluations`` as :func:`boolnet.estimate.evidence`; and

        * ``test_error``, ``test_error_low``, ``test_error_high``: the mean of the
          replicas' ``e_r`` and its 95% t-interval over the replicas that reached ``S``
          (independent, so the interval holds whatever the particles' correlation within a
          replica);
        * ``test_error_weighted`` (and ``_low``, ``_high``): ``sum_r p_r e_r / sum_r p_r``,
          the replicas weighted by their evidence estimates ``p_r`` (the generalised-AMS
          estimate of ``E[error; S] / P(S)``), with a delta-method t-interval; it and
          ``test_error`` agree when the replicas agree on ``P(S)``;
        * ``effective_replicas``: ``(sum p_r)^2 / sum p_r^2``; far below ``replicas`` the
          replicas disagree on ``P(S)`` (the moves do not mix, docs/estimate.md) and
          neither estimate is to be trusted;
        * ``replica_errors`` (``e_r``, NaN for a replica that did not reach ``S``),
          ``replica_log10_evidence``, ``replica_particles`` (fitting particles per replica),
          ``test_size``, ``train_size``, ``seconds``.

        When no replica reaches ``S`` (``status = "upper_bound"``), the errors are NaN.

    Raises
    ------
    BoolnetError
        Bad options (named), a target or training set of the wrong form, a training set
        that covers every input (no test inputs), or one no network of the architecture
        can fit (``P(S)`` provably 0).

    Examples
    --------
    AND of two inputs on a perceptron that must output 0 on input 00 and 1 on 11: the
    functions that fit are AND, x1, x2 and OR, with test errors 0, 1/2, 1/2 and 1 on the
    test inputs 01 and 10. With their exact probabilities (``tables/perceptron_n2_gaussian.csv``:
    0.016403, 0.038785, 0.038785, 0.031027, summing to P(S) = 0.125) the posterior's test
    error is ``(0.5 * 0.038785 * 2 + 0.031027) / 0.125 = 0.5585``:

    >>> out = posterior_errors("2-1", "0001", [0, 3], seed=1)
    >>> out["status"], out["test_size"]
    ('estimated', 2)
    >>> bool(out["test_error_low"] <= 0.5585 <= out["test_error_high"]), bool(0.1 < out["evidence"] < 0.15)
    (True, True)
    """
    begin = time.perf_counter()
    o = _options(arch, activation, prior, encoding, bias, seed, rel_error, particles, replicas, max_replicas,
                 moves, patience, floor, 1, unit_moves)
    spec = o["spec"]
    n = spec.arch.n
    target = check_target(target, n)
    train = check_train(train, n)
    test = np.setdiff1d(np.arange(1 << n), train)
    if test.size == 0:
        raise BoolnetError(f"train lists all {1 << n} inputs: no test inputs are left to measure an error on; "
                           "leave some inputs out of train", param="train")
    progress = check_progress(progress)
    rows = np.asarray(train, dtype=np.int64)
    tbits = np.frombuffer(target.encode(), dtype=np.uint8) - 48
    reason = provably_zero(spec, rows, tbits[rows])
    if reason is not None:
        raise BoolnetError(f"P(S) is provably 0 ({reason}): no network fits the training set, so the posterior is "
                           "undefined; choose another target or training set", param="train")
    rng = np.random.default_rng(np.random.SeedSequence([o["seed"], 0, _EVIDENCE_TAG]))
    splitter = Splitter(spec, o["scales"], o["prior"].kind == "gaussian", rows, tbits[rows],
                        particles=o["particles"], moves=o["moves"], patience=o["patience"], floor=o["floor"],
                        unit_moves=o["unit_moves"])
    everywhere = Forward(spec, np.arange(1 << n, dtype=np.int64))
    test_bits = tbits[test].astype(bool)
    est, up, lev, errs, counts = [], [], [], [], []
    with progress_bar(total=None, disable=not progress, unit="replica", desc="posterior", leave=False) as bar:
        while True:
            out = splitter.run(rng, o["replicas"])
            est.append(out["log_estimate"]), up.append(out["log_upper"]), lev.append(out["levels"])
            for r in range(o["replicas"]):
                keep = out["score"][r] >= 0 if np.isfinite(out["log_estimate"][r]) else np.zeros(0, dtype=bool)
                if not keep.any():
                    errs.append(math.nan), counts.append(0)
                    continue
                z = everywhere(out["theta"][r][keep])[:, test]
                errs.append(float(((z > 0) != test_bits[None, :]).mean()))
                counts.append(int(keep.sum()))
            bar.update(o["replicas"])
            c = combine_replicas(np.concatenate(est), np.concatenate(up))
            done = sum(map(len, est))
            if c["bound"] or c["rel_error"] <= o["rel_error"] or done + o["replicas"] > o["max_replicas"]:
                break
    log_p = np.concatenate(est)
    e = np.asarray(errs)
    reached = np.isfinite(log_p) & np.isfinite(e)
    result = {"evidence": c["probability"], "evidence_low": c["low"], "evidence_high": c["high"],
              "status": "upper_bound" if c["bound"] else "estimated", "rel_error": c["rel_error"],
              "replicas": done, "levels": float(np.concatenate(lev).mean()), "evaluations": splitter.evaluations,
              "replica_errors": e.tolist(), "replica_log10_evidence": (log_p / math.log(10)).tolist(),
              "replica_particles": counts, "test_size": int(test.size), "train_size": len(train)}
    nan3 = (math.nan, math.nan, math.nan)
    if reached.any():
        mean, lo, hi = _t_interval(e[reached])
        p = np.exp(log_p - log_p[reached].max()) * reached  # relative weights; 0 for replicas that did not reach
        w, wlo, whi = _ratio_interval(p, np.where(reached, e, 0.0))
        ess = float(p.sum() ** 2 / (p ** 2).sum())
    else:
        (mean, lo, hi), (w, wlo, whi), ess = nan3, nan3, 0.0
    result.update({"test_error": mean, "test_error_low": lo, "test_error_high": hi, "test_error_weighted": w,
                   "test_error_weighted_low": wlo, "test_error_weighted_high": whi, "effective_replicas": ess,
                   "seconds": time.perf_counter() - begin})
    return result
