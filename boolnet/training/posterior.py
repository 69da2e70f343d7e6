"""The Bayesian posterior ``P_B(f | S)`` from any volume table.

Given a target function and a training set ``S`` (input indices), ``P_B(f | S)`` is the
prior volume ``P(f)`` of the functions that agree with the target on ``S``, renormalised
to sum to 1. Which functions differ is then decided on the test inputs (those outside
``S``): :func:`errors_on_test_inputs` gives each function's Hamming distance to the target there.

Bounds of the posterior:

- counted tables (``sampled``, ``trained``, ``merged``: a ``count`` column): the rows
  that fit ``S`` are a rejection sample from ``P_B``; each posterior is
  ``count / N_S`` with its 95% Wilson interval over the ``N_S`` kept draws.
- tables with bounds (``exact``, ``quadrature``, ``grid``): with ``lo_g <= P(g) <= hi_g``
  for every kept row ``g``, ``P_B(f|S) = P(f) / (P(f) + R_f)`` with
  ``R_f = sum_{g != f} P(g)`` in ``[L - lo_f, H - hi_f]`` (``L``, ``H`` the sums of the
  kept lows and highs); the ratio increases with ``P(f)`` and decreases with ``R_f``, so
  ``lo_f / (lo_f + H - hi_f) <= P_B(f|S) <= hi_f / (hi_f + L - lo_f)``: conservative,
  and exact (low = high) for exact tables. Exact rational columns are renormalised as
  fractions.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from boolnet.errors import BoolnetError
from boolnet.table.schema import COUNTED_METHODS, attach, metadata_of, upgrade, volume_method
from boolnet.training.train import check_target, check_train

#: Rows converted to bit matrices at a time (bounds the memory of big sampled tables).
_CHUNK = 1 << 18


def _n_of(df: pd.DataFrame, param: str) -> int:
    if len(df) == 0:
        raise BoolnetError(f"{param} is an empty table", param=param)
    length = len(str(df["function"].iloc[0]))
    if length < 1 or length & (length - 1):
        raise BoolnetError(f"{param}: truth tables must have 2**n characters, got {length}", param=param)
    return length.bit_length() - 1


def _agreement(functions, target: str, train: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per function: does it agree with ``target`` on ``train``, and its Hamming distance to it elsewhere."""
    L = len(target)
    tbits = np.frombuffer(target.encode(), dtype=np.uint8)
    train_mask = np.zeros(L, dtype=bool)
    train_mask[train] = True
    functions = list(functions) if not isinstance(functions, list) else functions
    fits = np.empty(len(functions), dtype=bool)
    errors = np.empty(len(functions), dtype=np.int64)
    for start in range(0, len(functions), _CHUNK):
        part = functions[start : start + _CHUNK]
        bits = np.frombuffer("".join(map(str, part)).encode(), dtype=np.uint8).reshape(len(part), L)
        diff = bits != tbits
        fits[start : start + len(part)] = ~diff[:, train_mask].any(axis=1)
        errors[start : start + len(part)] = diff[:, ~train_mask].sum(axis=1)
    return fits, errors


def errors_on_test_inputs(functions, *, target: str, train) -> np.ndarray:
    """Hamming distance of each function to ``target`` on the test inputs (those not in ``train``).

    Examples
    --------
    >>> errors_on_test_inputs(["0001", "0111", "1110"], target="0001", train=[0, 3]).tolist()
    [0, 2, 2]
    """
    target = check_target(target)
    train = check_train(train, len(target).bit_length() - 1)
    return _agreement(list(functions), target, train)[1]


def _prepared(table: pd.DataFrame, param: str) -> tuple[pd.DataFrame, dict]:
    if not isinstance(table, pd.DataFrame):
        raise BoolnetError(f"{param} must be a pandas DataFrame (read files with boolnet's read_table)", param=param)
    if "function" not in table.columns or "probability" not in table.columns:
        raise BoolnetError(f"{param} needs 'function' and 'probability' columns (a volume table)", param=param)
    if "orbit_size" in table.columns:
        raise BoolnetError(f"{param} holds one row per symmetry orbit (an orbit_size column); a training set breaks "
                           "the symmetry: use the table with one row per function (exact without orbits_only)",
                           param=param)
    df, meta = upgrade(table.copy(), metadata_of(table))
    df["function"] = df["function"].astype(str)
    return df, meta


def _is_counted(df: pd.DataFrame, meta: dict) -> bool:
    method = volume_method(meta)
    return "count" in df.columns and (method in COUNTED_METHODS or method is None)


def posterior_table(table: pd.DataFrame, *, target: str, train) -> pd.DataFrame:
    """``P_B(f | S)``: the rows of ``table`` that agree with ``target`` on ``train``, renormalised.

    Parameters
    ----------
    table : pandas.DataFrame
        Any volume table (``function``, ``probability`` and, where known,
        ``probability_low/high``, ``count``, ``probability_exact``), e.g. from
        :func:`boolnet.exact.exact_table`, :func:`boolnet.sampling.sample_table` or
        :func:`boolnet.training.train_table`; metadata in ``attrs["boolnet"]``.
    target : str
        Truth table of the target.
    train : sequence of int or str
        Training inputs ``S`` (indices; ``"3,5,6"`` accepted); see
        :func:`boolnet.training.training_set` for a random one.

    Returns
    -------
    pandas.DataFrame
        ``function, probability, probability_low, probability_high`` (then ``count`` and
        ``probability_exact`` where the source had them) and ``test_error`` (Hamming
        distance to the target on the test inputs), most probable first. Bounds as in
        the module docstring. Metadata: the source's, plus ``target``, ``train``,
        ``train_size``, ``conditioned_on_train = True``, ``evidence`` (``P(S)``, the prior
        mass that fits ``S``) with ``evidence_low/high``, ``source_rows``, ``kept_rows``.

    Raises
    ------
    boolnet.errors.BoolnetError
        No row fits ``S``, or ``target``/``train`` do not match the table's ``n``.

    Examples
    --------
    >>> t = pd.DataFrame({"function": ["0001", "0111", "0000"], "probability": [0.25, 0.25, 0.5]})
    >>> post = posterior_table(t, target="0001", train=[0, 3])
    >>> post[["function", "probability", "test_error"]].values.tolist()
    [['0001', 0.5, 0], ['0111', 0.5, 2]]
    >>> post.attrs["boolnet"]["evidence"]
    0.5
    """
    from boolnet.table.build import wilson_interval

    df, meta = _prepared(table, "table")
    n = _n_of(df, "table")
    target = check_target(target, n)
    train = check_train(train, n)
    fits, errors = _agreement(df["function"].tolist(), target, train)
    kept = df[fits].copy()
    kept["test_error"] = errors[fits]
    if len(kept) == 0:
        raise BoolnetError(f"no function of the table agrees with the target on the {len(train)} training inputs: "
                           "the table holds too few functions (sample more, or use a smaller training set)",
                           param="table")
    counted = _is_counted(df, meta)
    if counted:
        counts = kept["count"].to_numpy(dtype=np.int64)
        total = int(df["count"].sum())
        n_s = int(counts.sum())
        p = counts / n_s
        lo, hi = wilson_interval(counts, n_s)
        ev_lo, ev_hi = wilson_interval(np.array([n_s]), total)
        evidence, evidence_low, evidence_high = n_s / total, float(ev_lo[0]), float(ev_hi[0])
    else:
        prob = kept["probability"].to_numpy(dtype=np.float64)
        low = kept["probability_low"].to_numpy(dtype=np.float64) if "probability_low" in kept else prob
        high = kept["probability_high"].to_numpy(dtype=np.float64) if "probability_high" in kept else prob
        evidence, evidence_low, evidence_high = float(prob.sum()), float(low.sum()), float(high.sum())
        p = prob / evidence
        with np.errstate(divide="ignore", invalid="ignore"):
            lo = np.where(low > 0, low / (low + np.maximum(evidence_high - high, 0.0)), 0.0)
            hi = np.where(high > 0, high / (high + np.maximum(evidence_low - low, 0.0)), 0.0)
        lo = np.clip(np.minimum(lo, p), 0.0, 1.0)
        hi = np.clip(np.maximum(hi, p), 0.0, 1.0)
    out = pd.DataFrame({"function": kept["function"].to_numpy(dtype=object), "probability": p,
                        "probability_low": lo, "probability_high": hi})
    if "count" in kept.columns:
        out["count"] = kept["count"].to_numpy(dtype=np.int64)
    if "probability_exact" in kept.columns and not counted and len(kept) <= 200_000:
        fr = [Fraction(str(v)) for v in kept["probability_exact"]]
        z = sum(fr, Fraction(0))
        out["probability_exact"] = [str(f / z) for f in fr]
    out["test_error"] = kept["test_error"].to_numpy(dtype=np.int64)
    order = np.lexsort((out["function"].to_numpy(dtype=str), -out["probability"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    meta.update(target=target, train=list(train), train_size=len(train), conditioned_on_train=True,
                evidence=evidence, evidence_low=evidence_low, evidence_high=evidence_high,
                source_rows=int(len(df)), kept_rows=int(len(out)))
    if counted:
        meta["kept_count"] = int(out["count"].sum())
    return attach(out, meta)
