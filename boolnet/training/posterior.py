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

A table that is already conditioned (a posterior, a conditioned-sampler table or a
trained table, all of whose functions fit their ``S``) is not a prior: conditioning it on
another target or training set is refused, and on its own is a no-op.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from boolnet.errors import BoolnetError
from boolnet.table.schema import COUNTED_METHODS, attach, metadata_of, upgrade, volume_method
from boolnet.functions import check_target, check_train

#: Rows converted to bit matrices at a time (bounds the memory of big sampled tables).
_CHUNK = 1 << 18


def _n_of(df: pd.DataFrame, param: str) -> int:
    if len(df) == 0:
        raise BoolnetError(f"{param} is an empty table", param=param)
    length = len(str(df["function"].iloc[0]))
    if length < 1 or length & (length - 1):
        raise BoolnetError(f"{param}: truth tables must have 2**n characters, got {length}", param=param)
    return length.bit_length() - 1


def _check_functions(functions: list, param: str) -> None:
    """Every truth table of ``functions`` has the first one's length and only the characters 0 and 1."""
    if not functions:
        return
    L = len(functions[0])
    for start in range(0, len(functions), _CHUNK):
        part = functions[start : start + _CHUNK]
        lengths = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
        wrong = np.flatnonzero(lengths != L)
        if wrong.size:
            i = int(wrong[0])
            raise BoolnetError(f"{param} mixes truth tables of different lengths ({L} characters in row 0, "
                               f"{lengths[i]} in row {start + i}: {part[i]!r}); a table holds the functions of "
                               "one n", param=param)
        raw = "".join(part).encode("utf-8")
        chars = np.frombuffer(raw, dtype=np.uint8)
        bad = np.flatnonzero((chars != ord("0")) & (chars != ord("1"))) if len(raw) == L * len(part) else [0]
        if len(bad):
            i = next(k for k, f in enumerate(part) if any(c not in "01" for c in f))
            raise BoolnetError(f"{param} row {start + i}: truth table {part[i]!r} has characters other than 0 and 1",
                               param=param)


def _check_numbers(df: pd.DataFrame, param: str) -> None:
    """Probabilities (and their bounds) finite and >= 0; counts whole and >= 0."""
    for col in ("probability", "probability_low", "probability_high", "count"):
        if col not in df.columns:
            continue
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values) | (values < 0)
        if col == "count":
            bad |= values != np.floor(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            what = "whole numbers >= 0" if col == "count" else "finite numbers >= 0"
            raise BoolnetError(f"{param} row {i}: {col} is {df[col].iloc[i]!r}; the {col} column must hold "
                               f"{what} (no NaN or empty cells)", param=param)


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
    _check_functions(df["function"].tolist(), param)
    _check_numbers(df, param)
    return df, meta


def _target_text(target: str) -> str:
    return target if len(target) <= 32 else target[:32] + "..."


def _train_text(train: list[int]) -> str:
    return str(list(train)) if len(train) <= 12 else "[" + ", ".join(map(str, train[:12])) + f", ...] ({len(train)})"


def _short(target: str, train: list[int]) -> str:
    """``target T on train [..]``, shortened for one line."""
    return f"target {_target_text(target)} on train {_train_text(train)}"


def _conditioning(meta: dict, n: int, param: str) -> tuple[str, list[int]] | None:
    """The ``(target, train)`` a table is already conditioned on (posterior, conditioned-sampler or trained
    table, from its metadata), or None for a prior table."""
    if not (meta.get("conditioned_on_train") or volume_method(meta) == "trained"):
        return None
    if meta.get("target") is None or meta.get("train") is None:
        raise BoolnetError(f"{param} is conditioned on a training set, but its metadata does not record the target "
                           "and the training inputs (target, train): use a table written by boolnet", param=param)
    try:
        return check_target(meta["target"], n), check_train(meta["train"], n)
    except BoolnetError as exc:
        raise BoolnetError(f"{param} has unusable target/train metadata: {exc}", param=param) from None


def conditioned_on(table: pd.DataFrame) -> tuple[str, list[int]] | None:
    """The ``(target, train)`` a table is already conditioned on, or None for a prior (unconditioned) table.

    Posterior tables, tables of the conditioned sampler (``conditioned_on_train``) and
    trained tables (every function they hold fits the training set) are conditioned;
    exact, sampled and merged tables are not.

    Examples
    --------
    >>> t = pd.DataFrame({"function": ["0001", "0111", "0000"], "probability": [0.25, 0.25, 0.5]})
    >>> conditioned_on(t) is None
    True
    >>> conditioned_on(posterior_table(t, target="0001", train=[3, 0]))
    ('0001', [0, 3])
    """
    if not isinstance(table, pd.DataFrame):
        raise BoolnetError("table must be a pandas DataFrame (read files with boolnet's read_table)", param="table")
    head, meta = _prepared(attach(table.head(1).copy(), metadata_of(table)), "table")  # metadata and n only
    return _conditioning(meta, _n_of(head, "table"), "table")


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

        A table already conditioned on this same target and training set (a posterior
        table, a table of the conditioned sampler, or a trained table: see
        :func:`conditioned_on`) is returned as it is, with ``test_error`` added:
        conditioning twice on ``S`` changes nothing, and its metadata (its ``evidence``,
        where it has one) stays the recorded one.

    Raises
    ------
    boolnet.errors.BoolnetError
        ``table`` is not a volume table (missing columns, NaN or negative
        probabilities, truth tables of mixed lengths or with characters other than
        0/1); no row with positive probability fits ``S`` (``P(S) = 0``); ``table`` is
        already conditioned on another target or training set; or ``target``/``train``
        do not match the table's ``n``.

    Examples
    --------
    >>> t = pd.DataFrame({"function": ["0001", "0111", "0000"], "probability": [0.25, 0.25, 0.5]})
    >>> post = posterior_table(t, target="0001", train=[0, 3])
    >>> post[["function", "probability", "test_error"]].values.tolist()
    [['0001', 0.5, 0], ['0111', 0.5, 2]]
    >>> post.attrs["boolnet"]["evidence"]
    0.5
    """
    df, meta = _prepared(table, "table")
    n = _n_of(df, "table")
    return _posterior(df, meta, n, check_target(target, n), check_train(train, n), "table")


def _posterior(df: pd.DataFrame, meta: dict, n: int, target: str, train: list[int], param: str) -> pd.DataFrame:
    """:func:`posterior_table` of a prepared table; errors name ``param``."""
    from boolnet.table.build import wilson_interval

    already = _conditioning(meta, n, param)
    if already is not None and already != (target, train):
        raise BoolnetError(f"{param} is already conditioned on {_short(*already)}, not on {_short(target, train)}: "
                           "a conditioned table cannot be conditioned again on another target or training set; "
                           "condition the prior table it came from (exact or sampled) instead", param=param)
    fits, errors = _agreement(df["function"].tolist(), target, train)
    if already is not None:
        if not fits.all():
            raise BoolnetError(f"{param}'s metadata says it is conditioned on {_short(target, train)}, but row "
                               f"{int(np.flatnonzero(~fits)[0])} disagrees with the target there: the table is "
                               "damaged", param=param)
        # Conditioning again on the same S changes nothing: the table as it is (its evidence stays the recorded one).
        out = df.copy()
        out["test_error"] = errors
        meta.update(target=target, train=list(train), train_size=len(train))
        return attach(out, meta)
    kept = df[fits].copy()
    kept["test_error"] = errors[fits]
    counted = _is_counted(df, meta)
    if counted:
        counts = kept["count"].to_numpy(dtype=np.int64)
        total = int(df["count"].sum())
        n_s = int(counts.sum())
    else:
        prob = kept["probability"].to_numpy(dtype=np.float64)
        n_s = total = None
    if len(kept) == 0 or (n_s == 0 if counted else not prob.sum() > 0):
        raise BoolnetError(f"no function in {param} agrees with the target on the {len(train)} training inputs "
                           f"with positive probability ({len(kept)} of {len(df)} rows fit them, P(S) = 0), so "
                           "P_B(f | S) is undefined: sample more, use a smaller training set or another target",
                           param=param)
    if counted:
        p = counts / n_s
        lo, hi = wilson_interval(counts, n_s)
        ev_lo, ev_hi = wilson_interval(np.array([n_s]), total)
        evidence, evidence_low, evidence_high = n_s / total, float(ev_lo[0]), float(ev_hi[0])
    else:
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
