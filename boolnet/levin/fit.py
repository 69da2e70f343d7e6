"""``levin_fit``: both Levin bounds, Spearman's rho and (optionally) class balance for one measure of a table."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass

import numpy as np

from boolnet.checks import check_progress, check_real, check_text, check_whole
from boolnet.table import schema
from boolnet.errors import BoolnetError
from boolnet.levin.bounds import DEFAULT_TAU, Bound, bound_quality, fit_hull_bound, fit_quantile_bound
from boolnet.levin.report import describe_metadata, format_report
from boolnet.levin.strata import WithinReport, strata_values, within_report
from boolnet.levin.trust import (
    DEFAULT_MIN_COUNT,
    NON_MEASURES,
    TABLE_COLUMNS,
    as_volume_table,
    candidate_measures,
    measure_values,
    trusted_rows,
    used_rows,
)


@dataclass(frozen=True)
class LevinReport:
    """Everything :func:`levin_fit` reports about one measure.

    Attributes
    ----------
    measure : str
    n : int or None
        Inputs of the table's functions.
    n_functions, n_used : int
        Rows of the table, and rows used in the fit.
    mass_used : float
        Total probability of the used rows.
    trust_rule : str
        Which rows were trusted, in words (:func:`boolnet.levin.trusted_rows`).
    spearman_rho, spearman_p : float
        Spearman's rank correlation of K and ``log2 P`` over the used rows and its p-value.
    uniform_log2 : float or None
        ``log2`` of ``2**-(2**n)``, every function's probability if all were equally likely.
    hull, quantile : Bound
        The tightest and the robust bound.
    within : WithinReport or None
        Class balance (``levin_fit(..., within="ones")``).

    Examples
    --------
    >>> import pandas as pd
    >>> r = levin_fit(pd.DataFrame({"probability": [0.5, 0.25, 0.25], "K": [0, 1, 2]}), "K")
    >>> r.n_used, r.to_dict()["hull"]["a"], r.uniform_probability is None
    (3, 0.5, True)
    """

    measure: str
    n: int | None
    n_functions: int
    n_used: int
    mass_used: float
    trust_rule: str
    spearman_rho: float
    spearman_p: float
    uniform_log2: float | None
    hull: Bound
    quantile: Bound
    within: WithinReport | None = None
    #: The fitted table's options in words (for the printed report), not part of :meth:`to_dict`.
    source: str = ""

    def __str__(self) -> str:
        """The report of ``boolnet levin``, within 100 columns (:func:`boolnet.levin.format_report`)."""
        return format_report(self)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"

    @property
    def uniform_probability(self) -> float | None:
        """The probability ``2**-(2**n)`` of every function under a uniform distribution."""
        return None if self.uniform_log2 is None else 2.0 ** self.uniform_log2

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (NaN becomes None)."""
        d = asdict(self)
        d.pop("source")
        d["uniform_probability"] = self.uniform_probability
        return json_clean(d)


def json_clean(obj):
    """``obj`` with NaN and infinities as None and NumPy scalars as Python numbers (for JSON).

    Examples
    --------
    >>> json_clean({"a": float("nan"), 1: [np.int64(2), (3.5,)]})
    {'a': None, '1': [2, [3.5]]}
    """
    if isinstance(obj, dict):
        return {str(k): json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return None if not math.isfinite(v) else v
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def ensure_measures(df, names, *, rows=None, progress: bool = False):
    """``df`` with every measure in ``names`` present, computing missing ones with :mod:`boolnet.complexity`.

    With a boolean mask ``rows``, missing measures are computed for those rows only (the
    others get NaN): fits use trusted rows only, and some measures are slow.

    Raises
    ------
    BoolnetError
        A missing name that is neither a column nor a measure valid for the table's n.

    Examples
    --------
    >>> import pandas as pd
    >>> ensure_measures(pd.DataFrame({"function": ["0001", "0110"], "probability": [.5, .5]}), ["ones"])["ones"].tolist()
    [1, 2]
    """
    missing = [m for m in names if m not in df.columns]
    if not missing:
        return df
    if "function" not in df.columns or len(df) == 0:
        raise BoolnetError(f"the table has no column {missing[0]!r} and no truth tables to compute it from",
                           param="measure")
    from boolnet.complexity import add_measures, measure_names

    n = schema.table_n(df)
    valid = measure_names(n)
    for m in missing:
        if m in TABLE_COLUMNS or m in NON_MEASURES:
            raise BoolnetError(f"{m!r} is not a complexity measure; choose e.g. lz", param="measure")
        if m not in valid:
            present = candidate_measures(df)
            raise BoolnetError(f"unknown measure {m!r} for n = {n}: use a table column ({', '.join(present) or 'none'}) "
                               f"or one of {', '.join(valid)}", param="measure")
    if rows is None or np.all(rows):
        return add_measures(df, missing, progress=progress)
    rows = np.asarray(rows, dtype=bool)
    out = df.copy()
    if rows.any():
        part = add_measures(df.loc[rows, ["function"]], missing, progress=progress)
    for m in missing:
        out[m] = np.nan
        if rows.any():
            out.loc[rows, m] = part[m].to_numpy(dtype=float)
    out.attrs = dict(df.attrs)
    return out


def spearman(k, y) -> tuple[float, float]:
    """Spearman's rho of ``k`` and ``y`` and its p-value; NaN if either is constant or there are < 3 points.

    Examples
    --------
    >>> spearman([1, 2, 3], [3.0, 2.0, 1.0])[0]
    -1.0
    """
    k = np.asarray(k, dtype=float)
    y = np.asarray(y, dtype=float)
    if k.size < 3 or np.ptp(k) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    from scipy import stats

    sp = stats.spearmanr(k, y)
    return float(sp.statistic), float(sp.pvalue)


def levin_fit(
    df,
    measure: str = "lz",
    *,
    tau: float = DEFAULT_TAU,
    min_count: int = DEFAULT_MIN_COUNT,
    within: str | None = None,
    progress: bool | None = None,
) -> LevinReport:
    """Fit both bounds of ``log2 P <= -a K - b`` to a volume table.

    Parameters
    ----------
    df : pandas.DataFrame
        A volume table (:mod:`boolnet.table.schema`): ``probability``, the ``measure`` column
        (computed from ``function`` with :mod:`boolnet.complexity` if absent) and the
        metadata in ``df.attrs["boolnet"]``, whose ``volume_method`` sets which rows are
        trusted (:func:`boolnet.levin.trusted_rows`).
    measure : str
        Column holding the complexity ``K``.
    tau : float
        Level of the robust (quantile) bound, in (0, 1).
    min_count : int
        Smallest count of a trusted function in a counted (sampled) table.
    within : str, optional
        ``"ones"`` (or a numeric column): also report Spearman's rho within each stratum
        of the number of ones, pooled with strata as blocks, and the bounds fitted to
        each stratum (:mod:`boolnet.levin.strata`).
    progress : bool or None
        Progress bar on stderr while a missing measure is computed.
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).

    Returns
    -------
    LevinReport

    Raises
    ------
    BoolnetError
        Probabilities outside [0, 1], no ``probability`` column, an unknown measure, or
        fewer than two usable functions.

    Examples
    --------
    Four functions of n = 1 on the line ``log2 P = -K - 1``:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"function": ["00", "11", "01", "10"],
    ...                    "probability": [0.5, 0.25, 0.125, 0.125], "k": [0, 1, 2, 2]})
    >>> r = levin_fit(df, "k")
    >>> r.hull.a, r.hull.b, r.hull.share_within[1], r.n_used, r.uniform_log2
    (1.0, 1.0, 1.0, 4, -2.0)
    >>> r.spearman_rho  # K and log2 P in exactly reverse order
    -1.0
    >>> levin_fit(df.iloc[:1], "k")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: levin needs at least two usable functions, but only 1 of the table's 1 pass the trust rule (every function with P > 0) with a value of 'k'; the table needs more functions with P > 0
    """
    tau = check_real(tau, "tau", low=0.0, high=1.0, low_open=True, high_open=True)
    measure = check_text(measure, "measure", what="a complexity column such as 'lz'", empty=False)
    min_count = check_whole(min_count, "min_count", low=1)
    if within is not None:
        check_text(within, "within", what="'ones' or a numeric column", empty=False)
    progress = check_progress(progress)
    return fit_checked(as_volume_table(df), measure, tau=tau, min_count=min_count, within=within, progress=progress)


def _blamed(rule: str) -> str:
    """The parameter a fit with too few trusted rows blames: min_count only where counts decide trust."""
    return "min_count" if rule.startswith("count") else "df"


def _remedy(rule: str) -> str:
    if rule.startswith("count"):
        return "sample more, or lower min_count"
    if "within 1%" in rule:
        return "the table needs more functions whose bounds lie within 1% of P"
    return "the table needs more functions with P > 0"


def trusted_enough(df, min_count: int) -> np.ndarray:
    """The trusted rows of ``df`` (:func:`boolnet.levin.trusted_rows`), or a BoolnetError when fewer than two are.

    Said before any measure is computed for them, and without blaming the measure.
    """
    trusted, rule = trusted_rows(df, min_count)
    if trusted.sum() < 2:
        raise BoolnetError(f"levin needs at least two usable functions, but only {int(trusted.sum())} of the "
                           f"table's {len(df):,} pass the trust rule ({rule}); {_remedy(rule)}",
                           param=_blamed(rule))
    return trusted


def fit_checked(df, measure: str, *, tau: float, min_count: int, within: str | None = None,
                progress: bool = False) -> LevinReport:
    """:func:`levin_fit` of a table already checked by :func:`boolnet.levin.trust.as_volume_table`."""
    if measure in TABLE_COLUMNS or measure in NON_MEASURES:
        raise BoolnetError(f"{measure!r} is not a complexity measure; choose e.g. lz", param="measure")
    if measure not in df.columns:
        df = ensure_measures(df, [measure], rows=trusted_enough(df, min_count), progress=progress)
    mask, rule = used_rows(df, measure, min_count)
    if mask.sum() < 2:
        raise BoolnetError(f"levin needs at least two usable functions, but only {int(mask.sum())} of the table's "
                           f"{len(df):,} pass the trust rule ({rule}) with a value of {measure!r}; {_remedy(rule)}",
                           param=_blamed(rule))
    k = measure_values(df, measure)[mask]
    p = df[schema.PROBABILITY].to_numpy(dtype=float)[mask]
    y = np.log2(p)
    hull_ab = fit_hull_bound(k, y)
    quant_ab = fit_quantile_bound(k, y, tau)
    rho, pval = spearman(k, y)
    strata = None
    if within is not None:
        strata = within_report(k, y, p, strata_values(df, within)[mask], by=within, tau=tau)
    n = schema.table_n(df) if "function" in df.columns else schema.metadata_of(df).get("n")
    return LevinReport(
        measure=measure,
        n=n,
        n_functions=int(len(df)),
        n_used=int(mask.sum()),
        mass_used=float(p.sum()),
        trust_rule=rule,
        spearman_rho=rho,
        spearman_p=pval,
        uniform_log2=None if n is None else -float(2**n),
        hull=bound_quality("hull", *hull_ab, k, y, p),
        quantile=bound_quality("quantile", *quant_ab, k, y, p, tau=tau),
        within=strata,
        source=describe_metadata(schema.metadata_of(df)),
    )
