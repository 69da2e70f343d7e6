"""Which rows of a volume table a Levin fit trusts, read from the table's schema.

The rule depends on the table's ``volume_method`` (:func:`boolnet.table.schema.volume_method`),
never on command names:

* always: ``probability > 0`` (and, for a fit, a finite measure value);
* counted tables (``sampled``, ``trained``, ``merged``, or any table with a ``count``
  column and no other method): only functions counted at least ``min_count`` times
  (default 10): the relative standard error of an estimated P is about
  ``1/sqrt(count)``, at most 32% at count 10, under half a bit of ``log2 P``;
* ``grid`` tables: every function (counts over every grid point are exact);
* ``quadrature`` tables (and tables of unknown method with bounds but no counts):
  rows whose bounds ``probability_low``, ``probability_high`` lie within 1% of P
  (``max(P - low, high - P) <= 0.01 P``; the engine's bounds are at most 1e-10);
* ``exact`` tables: every function.
"""

from __future__ import annotations

import math

import numpy as np

from boolnet.checks import check_whole
from boolnet.table import schema
from boolnet.errors import BoolnetError

#: Default minimum count for a counted function to enter a fit.
DEFAULT_MIN_COUNT = 10
#: Largest distance of the bounds from P, relative to P, of a trusted row of a quadrature table.
MAX_RELATIVE_ERROR = 0.01

#: Columns of volume tables that are not complexity measures (today's schema and boolnet 0.1's).
TABLE_COLUMNS = frozenset(schema.VOLUME_COLUMNS) | frozenset(schema.DESCRIPTIVE_COLUMNS) | frozenset(
    {"error_bound", "ci_low", "ci_high"})
#: Measure columns that describe a function but do not measure its complexity.
NON_MEASURES = frozenset({"npn_class", "threshold"})


def as_volume_table(df, where: str = "the table"):
    """``df`` in today's schema (old column names upgraded), checked; BoolnetError if unusable.

    Probabilities outside [0, 1], a missing ``probability`` column or bounds that do
    not contain P are refused (:func:`boolnet.table.schema.check_volume_table`). A table
    without a ``function`` column is accepted (only ``n`` is then unknown).

    Examples
    --------
    >>> import pandas as pd
    >>> as_volume_table(pd.DataFrame({"probability": [-0.5, 1.5], "K": [0, 1]}))
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: the table: column 'probability' has values outside [0, 1] (-0.5 in row 0): probabilities must lie in [0, 1]
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise BoolnetError(f"expected a pandas DataFrame (a volume table), got {type(df).__name__}", param="df")
    df = upgraded(df)
    if schema.PROBABILITY not in df.columns:
        raise BoolnetError(f"{where} has no '{schema.PROBABILITY}' column; make one with boolnet.volume_table, "
                           "exact_table or sample_table", param="df")
    if schema.FUNCTION in df.columns:
        schema.check_volume_table(df, where)
    else:  # check the volume columns alone
        schema.check_volume_table(df.assign(**{schema.FUNCTION: "01"}), where)
    return df


def upgraded(df):
    """``df`` with the column names of boolnet 0.1 (``error_bound``, ``ci_low``, ``ci_high``) upgraded.

    Examples
    --------
    >>> import pandas as pd
    >>> upgraded(pd.DataFrame({"probability": [0.5], "error_bound": [0.25]})).columns.tolist()
    ['probability', 'probability_low', 'probability_high']
    """
    if {"error_bound", "ci_low", "ci_high"} & set(df.columns):
        new, meta = schema.upgrade(df, schema.metadata_of(df))
        return schema.attach(new, meta)
    return df


def counted(df) -> bool:
    """True if the rows of ``df`` are counts of independent draws (a ``min_count`` applies).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"probability": [1.0], "count": [5]})
    >>> counted(t)
    True
    >>> t.attrs["boolnet"] = {"volume_method": "grid"}
    >>> counted(t)
    False
    """
    method = schema.volume_method(df)
    if method in schema.COUNTED_METHODS:
        return True
    return method is None and schema.COUNT in df.columns


def trusted_rows(df, min_count: int = DEFAULT_MIN_COUNT) -> tuple[np.ndarray, str]:
    """Which rows of a volume table are trustworthy enough to fit a bound to (module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        A volume table; its ``volume_method`` is read from ``df.attrs["boolnet"]``.
    min_count : int
        Smallest count of a trusted function in a counted table.

    Returns
    -------
    mask : ndarray of bool
    rule : str
        The rule in words, for reports.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"function": ["00", "01", "11"], "count": [50, 9, 10],
    ...                    "probability": [50 / 69, 9 / 69, 10 / 69]})
    >>> df.attrs["boolnet"] = {"volume_method": "sampled"}
    >>> mask, rule = trusted_rows(df)
    >>> mask.tolist(), rule
    ([True, False, True], 'count >= 10 (relative standard error of P about 1/sqrt(count) <= 32%)')
    """
    import pandas as pd

    df = upgraded(df)
    if schema.PROBABILITY not in df.columns:
        raise BoolnetError("the table has no 'probability' column; make it with boolnet.volume_table, exact_table or "
                           "sample_table", param="df")
    min_count = check_whole(min_count, "min_count", low=1)
    p = pd.to_numeric(df[schema.PROBABILITY], errors="coerce").to_numpy(dtype=float)
    mask = np.isfinite(p) & (p > 0)
    method = schema.volume_method(df)
    if method == "grid":
        return mask, "every function with P > 0 (grid enumeration: exact counts)"
    if counted(df):
        if schema.COUNT not in df.columns:
            raise BoolnetError(f"the table's volume_method is {method!r} but it has no '{schema.COUNT}' column: "
                               "a counted table needs its counts", param="df")
        count = pd.to_numeric(df[schema.COUNT], errors="coerce").to_numpy(dtype=float)
        mask &= count >= min_count
        return mask, (f"count >= {min_count} (relative standard error of P about 1/sqrt(count) <= "
                      f"{100 / math.sqrt(min_count):.0f}%)")
    has_bounds = schema.LOW in df.columns and schema.HIGH in df.columns
    if has_bounds and method in ("quadrature", None):
        lo = pd.to_numeric(df[schema.LOW], errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(df[schema.HIGH], errors="coerce").to_numpy(dtype=float)
        err = np.fmax(p - lo, hi - p)
        err = np.where(np.isfinite(err), err, 0.0)  # a missing bound means no error
        mask &= err <= MAX_RELATIVE_ERROR * p
        return mask, "probability_low/high within 1% of P"
    return mask, "every function with P > 0"


def measure_values(df, measure: str) -> np.ndarray:
    """The numeric values of column ``measure`` (NaN where missing), or BoolnetError.

    Examples
    --------
    >>> import pandas as pd
    >>> measure_values(pd.DataFrame({"lz": [1, None]}), "lz").tolist()
    [1.0, nan]
    """
    import pandas as pd

    if measure not in df.columns:
        raise BoolnetError(f"the table has no column {measure!r}", param="measure")
    col = df[measure]
    if col.dtype == bool or not (pd.api.types.is_numeric_dtype(col) or col.dtype == object):
        raise BoolnetError(f"column {measure!r} is not a numeric complexity measure", param="measure")
    values = pd.to_numeric(col, errors="coerce")
    if values.notna().sum() == 0:
        raise BoolnetError(f"column {measure!r} is not a numeric complexity measure", param="measure")
    return values.to_numpy(dtype=float)


def used_rows(df, measure: str, min_count: int = DEFAULT_MIN_COUNT) -> tuple[np.ndarray, str]:
    """Rows a fit of ``measure`` uses: trusted (:func:`trusted_rows`) with a finite measure.

    Examples
    --------
    >>> import pandas as pd
    >>> used_rows(pd.DataFrame({"probability": [0.5, 0.5, 0.0], "K": [1, None, 2]}), "K")[0].tolist()
    [True, False, False]
    """
    mask, rule = trusted_rows(df, min_count)
    return mask & np.isfinite(measure_values(df, measure)), rule


def candidate_measures(df) -> list[str]:
    """Numeric columns of ``df`` that are complexity measures (not volumes, not labels).

    Examples
    --------
    >>> import pandas as pd
    >>> candidate_measures(pd.DataFrame({"function": ["01"], "probability": [1.0],
    ...                                  "lz": [2.0], "threshold": [True], "facets": [2]}))
    ['lz']
    """
    import pandas as pd

    out = []
    for name in df.columns:
        if name in TABLE_COLUMNS or name in NON_MEASURES:
            continue
        col = df[name]
        if col.dtype == bool or not pd.api.types.is_numeric_dtype(col):
            continue
        out.append(str(name))
    return out
