"""The one volume-table schema shared by every producer (exact, quadrature, sampled, grid, trained, merged,
splitting).

A volume table is a :class:`pandas.DataFrame` with one row per Boolean function and
its metadata (a JSON-serialisable dict) in ``df.attrs["boolnet"]``.

Columns, in this order (``docs/tables.md`` is the reader's version of this list):

``function``
    The truth table as a string (character ``i`` is ``f(input i)``).
``probability``
    The share of parameter space (prior mass) that computes the function.
``probability_low``, ``probability_high``
    Bounds on ``probability``: for ``exact`` tables both equal it; for ``quadrature``
    tables they are ``probability -+ error bound`` (clipped to [0, 1]); for ``sampled``
    and ``trained`` tables the 95% Wilson score interval; for ``grid`` tables both
    equal it (the grid's own distribution is known exactly); for ``splitting`` tables
    (:mod:`boolnet.estimate`) the 95% interval over independent replicas, or 0 and an
    estimated upper bound where the row's ``status`` is ``upper_bound``.
``count``
    Only where something was counted (sampled, grid, trained, merged).
``probability_exact``
    Only for exact rational volumes: the probability as a fraction string (``"1/48"``).

Any further columns describe the function (``facets``, ``orbit``, ``orbit_size``) or
are complexity measures.

Metadata keys every producer writes: ``volume_method`` (one of :data:`VOLUME_METHODS`;
consumers branch on it, never on command names), ``n``, ``architecture``,
``activation``, the prior's keys (``prior``, ``sigma_w``, ``sigma_b``,
``fan_in_scaling``), ``encoding``, ``bias``, ``boolnet_version``; timings and rates
use the names in :data:`TIMING_KEYS`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from boolnet.errors import BoolnetError

#: Key of the metadata dict in ``DataFrame.attrs`` and in Parquet schema metadata.
METADATA_KEY = "boolnet"

FUNCTION = "function"
PROBABILITY = "probability"
LOW = "probability_low"
HIGH = "probability_high"
COUNT = "count"
EXACT = "probability_exact"
#: The volume columns, in the order every table puts them first.
VOLUME_COLUMNS = (FUNCTION, PROBABILITY, LOW, HIGH, COUNT, EXACT)
#: Columns that describe a function rather than its volume or complexity.
DESCRIPTIVE_COLUMNS = ("facets", "orbit", "orbit_size")
#: Columns holding truth-table strings: read as text so leading zeros survive CSV.
TRUTH_TABLE_COLUMNS = (FUNCTION, "orbit", "npn_class")

#: ``volume_method`` values and what ``probability_low`` / ``probability_high`` mean for each.
VOLUME_METHODS = {
    "exact": "exact rational volumes; low = high = probability",
    "quadrature": "numerical integration with a proven error bound; low/high = probability -+ bound",
    "sampled": "Monte Carlo counts; low/high = 95% Wilson score interval",
    "grid": "exact counts over every point of a finite parameter grid; low = high = probability",
    "trained": "counts of functions found by training; low/high = 95% Wilson score interval",
    "merged": "counts of several sampled runs added; low/high = 95% Wilson score interval",
    "splitting": "rare-event estimates by generalised multilevel splitting; low/high = 95% interval over independent "
                 "replicas (probability 0 with high = an estimated upper bound where splitting stalled)",
}
#: Methods whose rows are counts of independent draws (a ``count`` column, Wilson intervals).
COUNTED_METHODS = ("sampled", "trained", "merged")

#: Metadata names for timings and rates, the same for every producer.
TIMING_KEYS = {
    "seconds": "wall time of the whole call that made the table",
    "volume_seconds": "wall time spent computing volumes",
    "measures_seconds": "wall time spent computing complexity measures",
    "per_second": "volume work units (samples, grid points, trainings) per second of volume_seconds",
    "unit": "what per_second counts",
}

#: Old column names and old metadata keys, mapped to today's (read_table upgrades old files).
_OLD_TIMING_KEYS = {"elapsed_seconds": "volume_seconds", "samples_per_second": "per_second",
                    "points_per_second": "per_second"}


def attach(df: pd.DataFrame, metadata: dict) -> pd.DataFrame:
    """Put ``metadata`` in ``df.attrs["boolnet"]`` and return ``df``.

    Examples
    --------
    >>> df = attach(pd.DataFrame({"function": ["01"]}), {"n": 1})
    >>> df.attrs["boolnet"]
    {'n': 1}
    """
    df.attrs[METADATA_KEY] = dict(metadata)
    return df


def metadata_of(df: pd.DataFrame) -> dict:
    """The metadata dict of a table (empty if it has none).

    Examples
    --------
    >>> metadata_of(pd.DataFrame({"function": ["01"]}))
    {}
    """
    return dict(df.attrs.get(METADATA_KEY) or {})


def order_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the volume columns first in schema order, the rest as they were.

    Examples
    --------
    >>> order_columns(pd.DataFrame({"count": [1], "lz": [2.0], "function": ["01"]})).columns.tolist()
    ['function', 'count', 'lz']
    """
    first = [c for c in VOLUME_COLUMNS if c in df.columns]
    rest = [c for c in df.columns if c not in first]
    out = df[first + rest]
    out.attrs = dict(df.attrs)
    return out


def bounds_from_error(probability, error) -> tuple[np.ndarray, np.ndarray]:
    """``probability -+ error``, clipped to [0, 1] (quadrature tables).

    Examples
    --------
    >>> lo, hi = bounds_from_error([0.5, 0.0], [0.25, 0.25])
    >>> lo.tolist(), hi.tolist()
    ([0.25, 0.0], [0.75, 0.25])
    """
    p = np.asarray(probability, dtype=np.float64)
    e = np.asarray(error, dtype=np.float64)
    return np.clip(p - e, 0.0, 1.0), np.clip(p + e, 0.0, 1.0)


def volume_method(df_or_metadata) -> str | None:
    """The ``volume_method`` of a table or metadata dict, inferred for tables of older versions.

    Examples
    --------
    >>> volume_method({"volume_method": "sampled"})
    'sampled'
    >>> volume_method({"command": "exact", "prior": "gaussian", "boolnet_version": "0.1.0"})
    'quadrature'
    """
    meta = metadata_of(df_or_metadata) if isinstance(df_or_metadata, pd.DataFrame) else dict(df_or_metadata or {})
    method = meta.get("volume_method")
    if method in VOLUME_METHODS and not _written_before_schema(meta):
        return method
    # Files of boolnet 0.1 named the command, and `table` wrote "exact" (for Gaussian quadrature too) or "sample".
    command = meta.get("volume_command") or meta.get("command")
    if method == "sample" or command == "sample":
        return "sampled"
    if command == "enumerate":
        return "grid"
    if method == "exact" or command == "exact":
        return "exact" if meta.get("prior") == "uniform" else "quadrature"
    return None


def _written_before_schema(meta: dict) -> bool:
    """True for metadata of boolnet 0.1, written before this schema (version 0.2) existed."""
    return str(meta.get("boolnet_version", "")).startswith("0.1.")


def upgrade(df: pd.DataFrame, metadata: dict) -> tuple[pd.DataFrame, dict]:
    """Rename the columns and metadata keys of tables written by boolnet <= 0.1 to today's schema.

    ``error_bound`` becomes ``probability_low/high = probability -+ error_bound``;
    ``ci_low``/``ci_high`` become ``probability_low``/``probability_high``; timing keys
    take the names of :data:`TIMING_KEYS`; ``volume_method`` is inferred.

    Examples
    --------
    >>> old = pd.DataFrame({"function": ["01"], "count": [3], "probability": [1.0], "ci_low": [0.4],
    ...                     "ci_high": [1.0]})
    >>> new, meta = upgrade(old, {"command": "sample", "samples_per_second": 9.0})
    >>> new.columns.tolist(), meta["volume_method"], meta["per_second"]
    (['function', 'probability', 'probability_low', 'probability_high', 'count'], 'sampled', 9.0)
    """
    meta = dict(metadata)
    df = df.rename(columns={"ci_low": LOW, "ci_high": HIGH})
    if "error_bound" in df.columns and PROBABILITY in df.columns:
        lo, hi = bounds_from_error(df[PROBABILITY], df["error_bound"])
        df = df.drop(columns="error_bound").assign(**{LOW: lo, HIGH: hi})
    for old, new in _OLD_TIMING_KEYS.items():
        if old in meta:
            meta.setdefault(new, meta.pop(old))
    method = volume_method(meta)
    if method is not None:
        meta["volume_method"] = method
    if EXACT in df.columns and (df[EXACT].isna() | (df[EXACT].astype(str) == "")).all():
        df = df.drop(columns=EXACT)
    return order_columns(df), meta


def check_volume_table(df: pd.DataFrame, where: str = "the table", *, need_probability: bool = True,
                       param: str = "df") -> None:
    """Raise :class:`BoolnetError` unless ``df`` is a usable table (see the module docstring).

    ``where`` names the table in the message (a file's path); ``param`` is the caller's
    parameter that holds it (``df``, or ``path`` for a file being read).

    Checks: a ``function`` column of 0/1 strings of one power-of-two length (no empty
    cells); with ``need_probability``, a ``probability`` column of finite numbers in
    [0, 1]; bounds, where present, in [0, 1] with ``low <= probability <= high``;
    counts non-negative whole numbers.

    Examples
    --------
    >>> check_volume_table(pd.DataFrame({"function": ["01"], "probability": [1.5]}), "t.csv")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: t.csv: column 'probability' has values outside [0, 1] (1.5 in row 0): probabilities must lie in [0, 1]
    """
    if FUNCTION not in df.columns:
        raise BoolnetError(f"{where} has no '{FUNCTION}' column of truth-table strings", param=param)
    functions = df[FUNCTION]
    if functions.isna().any():
        row = int(np.flatnonzero(functions.isna().to_numpy())[0])
        raise BoolnetError(f"{where}: the '{FUNCTION}' cell of row {row} is empty; every row needs a truth table", param=param)
    if len(df):
        lengths = functions.astype(str).str.len()
        length = int(lengths.iloc[0])
        if length < 1 or length & (length - 1) or (lengths != length).any():
            raise BoolnetError(f"{where}: truth tables must all have one length 2**n (got lengths "
                               f"{sorted(set(lengths.tolist()))[:4]})", param=param)
        bad = ~functions.astype(str).str.fullmatch(r"[01]+")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise BoolnetError(f"{where}: row {row} has function {str(functions.iloc[row])[:40]!r}; truth tables "
                               f"contain only the characters 0 and 1", param=param)
    if need_probability and PROBABILITY not in df.columns:
        raise BoolnetError(f"{where} has no '{PROBABILITY}' column", param=param)
    for col in (PROBABILITY, LOW, HIGH):
        if col not in df.columns:
            continue
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
        missing = np.isnan(values) & ~df[col].isna().to_numpy()  # text that is not a number (NaN is out of range)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise BoolnetError(f"{where}: column '{col}' holds {str(df[col].iloc[row])[:40]!r} in row {row}, which "
                               "is not a number: probabilities are numbers in [0, 1]", param=param)
        bad = ~np.isfinite(values) | (values < 0) | (values > 1)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise BoolnetError(f"{where}: column '{col}' has values outside [0, 1] ({df[col].iloc[row]} in row "
                               f"{row}): probabilities must lie in [0, 1]", param=param)
    if {LOW, HIGH, PROBABILITY} <= set(df.columns):
        p, lo, hi = (df[c].to_numpy(dtype=np.float64) for c in (PROBABILITY, LOW, HIGH))
        slack = 1e-12 * np.maximum(p, 1e-300)
        bad = (lo > p + slack) | (hi < p - slack)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise BoolnetError(f"{where}: row {row} has bounds [{lo[row]}, {hi[row]}] that do not contain its "
                               f"probability {p[row]}", param=param)
    if COUNT in df.columns:
        counts = pd.to_numeric(df[COUNT], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(counts) | (counts < 0) | (counts != np.floor(counts))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise BoolnetError(f"{where}: column '{COUNT}' must hold whole numbers >= 0 (row {row} has "
                               f"{df[COUNT].iloc[row]})", param=param)


def table_n(df: pd.DataFrame) -> int | None:
    """Number of inputs of a table's functions (from the metadata, else the truth tables).

    Examples
    --------
    >>> table_n(pd.DataFrame({"function": ["0001"]}))
    2
    """
    n = metadata_of(df).get("n")
    if isinstance(n, int):
        return n
    if len(df) == 0:
        return None
    return int(math.log2(len(str(df[FUNCTION].iloc[0]))))
