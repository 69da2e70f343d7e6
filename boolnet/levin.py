"""Fitting the simplicity-bias (Levin) bound ``log2 P(f) <= -a K(f) - b`` to a volume table.

A volume table has one row per Boolean function with its probability ``P`` (share of
parameter space) and a complexity measure ``K``. The coding-theorem style bound of
Dingle et al. (2018) says that high-probability functions are simple. Two lines are
fitted in the plane of points ``(K_f, log2 P_f)``:

``hull`` (the tightest bound)
    The line that no function exceeds and whose mean gap
    ``mean_f(-a K_f - b - log2 P_f)`` (in bits) is smallest, with ``a >= 0``. It is the
    linear program ``minimise -a mean(K) - b  subject to  a K_f + b <= -log2 P_f``
    (:func:`scipy.optimize.linprog`); only the vertices of the upper convex hull of the
    points can be active, so they are the only constraints passed. The optimum is the
    supporting line of the upper hull at ``K = mean(K)``. When several lines are optimal
    (``mean(K)`` falls on a hull vertex, or every ``K`` is equal) the one with the
    smallest slope ``a`` is chosen: the weakest claim of simplicity bias.
``quantile`` (the robust bound)
    Linear quantile regression at level ``tau`` (default 0.99, ``a >= 0``): the line
    minimising the pinball loss ``sum_f rho_tau(log2 P_f + a K_f + b)``, solved as a
    linear program. About a share ``1 - tau`` of functions may lie above it, so a few
    outliers (or noisy estimates) cannot pull it up.

Only trusted rows enter a fit (:func:`trusted_rows`): rows with ``P > 0`` and a finite
measure; in sampled tables (a ``count`` column) only functions seen at least
``min_count`` times (default 10: the relative standard error of ``P`` is about
``1/sqrt(count)``, at most 32%, under half a bit of ``log2 P``); in exact tables with an
``error_bound`` column only rows whose error bound is at most 1% of ``P``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from boolnet.errors import UsageError

#: Default minimum count for a sampled function to enter a fit.
DEFAULT_MIN_COUNT = 10
#: Default quantile level of the robust bound.
DEFAULT_TAU = 0.99
#: Distances (bits below the bound) reported as "within d bits".
WITHIN_BITS = (1, 5)
#: Largest error bound, relative to P, of a trusted row of an exact table.
MAX_RELATIVE_ERROR = 0.01

#: Columns of volume tables that are not complexity measures.
TABLE_COLUMNS = frozenset(
    {"function", "probability", "probability_exact", "error_bound", "count", "ci_low", "ci_high", "facets", "orbit"}
)
#: Registry columns that describe a function but do not measure its complexity.
NON_MEASURES = frozenset({"npn_class", "threshold"})


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Bound:
    """One fitted line ``log2 P <= -a K - b`` and how tightly it fits.

    Attributes
    ----------
    kind : {"hull", "quantile"}
    a, b : float
        Slope (``a >= 0``, bits per unit of K) and intercept (bits) of the bound.
    tau : float or None
        Quantile level of a ``quantile`` bound.
    mean_gap : float
        Mean over the used functions of ``-a K_f - b - log2 P_f`` (bits; negative
        terms are functions above the bound).
    share_within, mass_within : dict
        For each d in :data:`WITHIN_BITS`: share of used functions, and their total
        probability, with ``log2 P_f >= -a K_f - b - d`` (within d bits below the bound,
        or above it).
    share_above : float
        Share of used functions strictly above the bound (0 for ``hull``).
    """

    kind: str
    a: float
    b: float
    tau: float | None
    mean_gap: float
    share_within: dict = field(default_factory=dict)
    mass_within: dict = field(default_factory=dict)
    share_above: float = 0.0

    def log2_bound(self, k) -> np.ndarray:
        """The bound ``-a K - b`` at complexity ``k`` (bits)."""
        return -self.a * np.asarray(k, dtype=float) - self.b


@dataclass(frozen=True)
class LevinReport:
    """Everything :func:`levin_fit` reports about one measure."""

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

    @property
    def uniform_probability(self) -> float | None:
        """The probability ``2**-(2**n)`` of every function under a uniform distribution."""
        return None if self.uniform_log2 is None else 2.0 ** self.uniform_log2

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (NaN becomes None)."""
        d = asdict(self)
        d["uniform_probability"] = self.uniform_probability
        return _json_clean(d)


def _json_clean(obj):
    if isinstance(obj, dict):
        return {str(k): _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return None if not math.isfinite(v) else v
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


# --------------------------------------------------------------------------- geometry and fits


def upper_hull(k, y) -> np.ndarray:
    """Indices of the vertices of the upper convex hull of the points ``(k_i, y_i)``.

    Returned in increasing ``k``. A line lies on or above every point exactly when it
    lies on or above these vertices. For equal ``k`` only the highest point counts.

    Examples
    --------
    >>> upper_hull([0, 1, 2, 3], [0.0, 0.5, 0.0, -3.0]).tolist()
    [0, 1, 2, 3]
    >>> upper_hull([0, 1, 2], [0.0, -1.0, -2.0]).tolist()  # collinear: the ends only
    [0, 2]
    """
    k = np.asarray(k, dtype=float)
    y = np.asarray(y, dtype=float)
    if k.shape != y.shape or k.ndim != 1:
        raise ValueError("k and y must be 1-d arrays of one length")
    if k.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-y, k))  # by k, highest y first within equal k
    first = np.ones(order.size, dtype=bool)
    first[1:] = k[order[1:]] != k[order[:-1]]
    candidates = order[first]
    hull: list[int] = []
    for i in candidates:  # Andrew's monotone chain, upper half
        while len(hull) >= 2:
            o, p = hull[-2], hull[-1]
            cross = (k[p] - k[o]) * (y[i] - y[o]) - (y[p] - y[o]) * (k[i] - k[o])
            if cross >= 0:  # p is on or below the chord o-i: not a vertex
                hull.pop()
            else:
                break
        hull.append(int(i))
    return np.asarray(hull, dtype=np.int64)


def _check_points(k, y) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(k, dtype=float)
    y = np.asarray(y, dtype=float)
    if k.shape != y.shape or k.ndim != 1:
        raise ValueError("k and log2p must be 1-d arrays of one length")
    if k.size == 0:
        raise UsageError("no function is left to fit the bound to (check the trust rule and the measure column)")
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(y))):
        raise ValueError("k and log2p must be finite")
    return k, y


def _linprog(c, **kw):
    from scipy import optimize  # imported on use: keeps `boolnet --help` fast

    res = optimize.linprog(c, method="highs", **kw)
    if res.status != 0:
        raise RuntimeError(f"linear program failed: {res.message}")
    return res


def fit_hull_bound(k, log2p) -> tuple[float, float]:
    """The tightest line ``log2 P <= -a K - b`` that no point exceeds.

    Minimises the mean gap ``mean(-a K - b - log2 P)`` over ``a >= 0`` and free ``b``
    subject to every point lying on or below the line (a linear program over the
    upper-hull vertices). Ties are broken towards the smallest ``a``. ``b`` is finally
    set so that the highest point touches the line exactly in floating point.

    Parameters
    ----------
    k : array_like
        Complexity of each function.
    log2p : array_like
        ``log2`` of each function's probability.

    Returns
    -------
    (a, b) : tuple of float

    Examples
    --------
    Points on the line ``log2 P = -K - 1`` and one below it:

    >>> a, b = fit_hull_bound([0, 1, 2, 3], [-1.0, -2.0, -3.0, -9.0])
    >>> round(a, 9), round(b, 9)
    (1.0, 1.0)
    """
    k, y = _check_points(k, log2p)
    idx = upper_hull(k, y)
    hk, hy = k[idx], y[idx]
    k_mean = float(k.mean())
    a_ub = np.column_stack([hk, np.ones_like(hk)])
    b_ub = -hy
    bounds = [(0, None), (None, None)]
    first = _linprog([-k_mean, -1.0], A_ub=a_ub, b_ub=b_ub, bounds=bounds)
    # Second stage: among (nearly) optimal lines take the flattest, so ties are deterministic.
    slack = 1e-9 * (1.0 + abs(first.fun))
    second = _linprog(
        [1.0, 0.0],
        A_ub=np.vstack([a_ub, [-k_mean, -1.0]]),
        b_ub=np.append(b_ub, first.fun + slack),
        bounds=bounds,
    )
    a = _snap_slope(float(second.x[0]), float(second.x[1]), hk, hy)
    b = float(-np.max(y + a * k))  # the line touches the highest point: nothing exceeds it
    return a, b


def _snap_slope(a: float, b: float, hk: np.ndarray, hy: np.ndarray) -> float:
    """Recompute an LP slope exactly from the hull vertices the LP line touches.

    The solver meets constraints only to about 1e-9; the optimal line passes through
    two hull vertices (or is flat), so its slope is read off those vertices instead.
    """
    if a <= 1e-9:
        return 0.0
    slack = -a * hk - b - hy
    active = np.flatnonzero(slack <= 1e-7 * (1.0 + np.abs(hy)))
    if active.size < 2 or hk[active].max() == hk[active].min():
        return max(0.0, a)
    lo, hi = active[np.argmin(hk[active])], active[np.argmax(hk[active])]
    return max(0.0, float(-(hy[hi] - hy[lo]) / (hk[hi] - hk[lo])))


def fit_quantile_bound(k, log2p, tau: float = DEFAULT_TAU, weights=None) -> tuple[float, float]:
    """Quantile regression of ``log2 P`` on ``K`` at level ``tau`` with slope ``-a <= 0``.

    Minimises ``sum_f w_f rho_tau(log2 P_f + a K_f + b)`` with the pinball loss
    ``rho_tau(r) = tau * r`` for ``r >= 0`` (a point above the line) and
    ``(tau - 1) * r`` for ``r < 0``, as a linear program. At most about a share
    ``1 - tau`` of the (weighted) points lies above the result.

    Parameters
    ----------
    k, log2p : array_like
        Complexity and ``log2 P`` of each point.
    tau : float
        Quantile level in (0, 1).
    weights : array_like, optional
        Multiplicity of each point (identical points may be merged this way).

    Returns
    -------
    (a, b) : tuple of float

    Examples
    --------
    Forty points on ``log2 P = -2 K - 3`` and one far above it (2.4% of the points):
    at ``tau = 0.9`` the outlier does not move the line.

    >>> import numpy as np
    >>> k = np.r_[np.arange(40) % 8, 3]
    >>> y = np.r_[-2.0 * (np.arange(40) % 8) - 3, 10.0]
    >>> a, b = fit_quantile_bound(k, y, tau=0.9)
    >>> round(a, 6), round(b, 6)
    (2.0, 3.0)
    """
    k, y = _check_points(k, log2p)
    if not 0.0 < tau < 1.0:
        raise UsageError(f"the quantile level must lie strictly between 0 and 1, got {tau}")
    w = np.ones_like(k) if weights is None else np.asarray(weights, dtype=float)
    # Merge identical points: exact tables repeat (K, P) across each symmetry orbit.
    pts = pd.DataFrame({"k": k, "y": y, "w": w}).groupby(["k", "y"], sort=True, as_index=False)["w"].sum()
    k, y, w = (pts[c].to_numpy(dtype=float) for c in ("k", "y", "w"))
    # The primal LP has 2 + 2m variables; its dual has m bounded variables and two rows,
    # which HiGHS solves in about a second for m = 1e5:
    #   maximise  sum_f y_f l_f  subject to  sum_f l_f = 0,  sum_f K_f l_f >= 0,
    #             -(1 - tau) w_f <= l_f <= tau w_f.
    # The row multipliers are the primal solution (b for the equality, -a for K).
    res = _linprog(
        -y,
        A_ub=-k[None, :],
        b_ub=[0.0],
        A_eq=np.ones((1, k.size)),
        b_eq=[0.0],
        bounds=np.column_stack([-(1.0 - tau) * w, tau * w]),
    )
    a = max(0.0, float(-res.ineqlin.marginals[0]))
    b = float(res.eqlin.marginals[0])
    # Strong duality check: the primal loss of (a, b) equals the dual optimum.
    r = y + a * k + b
    primal = float(np.sum(w * np.where(r >= 0, tau * r, (tau - 1.0) * r)))
    if abs(primal - (-res.fun)) > 1e-6 * (1.0 + abs(primal)):
        raise RuntimeError(f"quantile fit: primal {primal} and dual {-res.fun} objectives disagree")
    return a, b


def bound_quality(kind: str, a: float, b: float, k, log2p, probability, tau=None) -> Bound:
    """Gap statistics of the line ``-a K - b`` over the given points.

    Examples
    --------
    Line ``log2 P <= -K``; gaps 0, 0.5, 2 and 6 bits:

    >>> q = bound_quality("hull", 1.0, 0.0, [0, 1, 2, 3], [0.0, -1.5, -4.0, -9.0],
    ...                   [0.5, 0.25, 0.125, 0.125])
    >>> q.mean_gap, q.share_within, q.mass_within
    (2.125, {1: 0.5, 5: 0.75}, {1: 0.75, 5: 0.875})
    """
    k = np.asarray(k, dtype=float)
    y = np.asarray(log2p, dtype=float)
    p = np.asarray(probability, dtype=float)
    gap = -a * k - b - y
    # A point touching the bound has gap 0 up to rounding; only clear crossings count as "above".
    above = gap < -1e-9 * (1.0 + np.abs(y))
    return Bound(
        kind=kind,
        a=float(a),
        b=float(b),
        tau=tau,
        mean_gap=float(gap.mean()),
        share_within={d: float(np.mean(gap <= d)) for d in WITHIN_BITS},
        mass_within={d: float(p[gap <= d].sum()) for d in WITHIN_BITS},
        share_above=float(above.mean()),
    )


# --------------------------------------------------------------------------- tables


def table_n(df: pd.DataFrame, metadata: dict | None = None) -> int | None:
    """Number of inputs of a table: from its truth-table strings, else its metadata."""
    if "function" in df.columns and len(df):
        length = len(str(df["function"].iloc[0]))
        if length >= 1 and length & (length - 1) == 0:
            return length.bit_length() - 1
    if metadata and isinstance(metadata.get("n"), int):
        return int(metadata["n"])
    return None


def is_grid_table(metadata: dict | None) -> bool:
    """True for tables of ``boolnet enumerate``: counts over a finite grid are exact, not estimates."""
    if not metadata:
        return False
    return "enumerate" in (metadata.get("command"), metadata.get("volume_command"))


def trusted_rows(df: pd.DataFrame, min_count: int = DEFAULT_MIN_COUNT, *,
                 metadata: dict | None = None) -> tuple[np.ndarray, str]:
    """Which rows of a volume table are trustworthy enough to fit a bound to.

    Rules: ``probability > 0`` always; with a ``count`` column (a sampled table),
    ``count >= min_count``, except for grid enumerations (metadata command
    ``enumerate``), whose counts are exact; with an ``error_bound`` column (an exact
    Gaussian table), ``error_bound <= 0.01 * probability``.

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
    >>> mask, rule = trusted_rows(df)
    >>> mask.tolist(), rule
    ([True, False, True], 'count >= 10 (relative standard error of P about 1/sqrt(count) <= 32%)')
    """
    if "probability" not in df.columns:
        raise UsageError("the table has no 'probability' column; make it with `boolnet table`, `exact` or `sample`")
    p = pd.to_numeric(df["probability"], errors="coerce").to_numpy(dtype=float)
    mask = np.isfinite(p) & (p > 0)
    rules = []
    if "count" in df.columns and is_grid_table(metadata):
        rules.append("every function with P > 0 (grid enumeration: exact counts)")
    elif "count" in df.columns:
        if min_count < 1:
            raise UsageError(f"--min-count must be at least 1, got {min_count}")
        count = pd.to_numeric(df["count"], errors="coerce").to_numpy(dtype=float)
        mask &= count >= min_count
        rules.append(
            f"count >= {min_count} (relative standard error of P about 1/sqrt(count) <= {100 / math.sqrt(min_count):.0f}%)"
        )
    if "error_bound" in df.columns:
        err = pd.to_numeric(df["error_bound"], errors="coerce").to_numpy(dtype=float)
        # A missing error bound (e.g. an exact rational volume) means no error.
        err = np.where(np.isfinite(err), err, 0.0)
        mask &= err <= MAX_RELATIVE_ERROR * p
        rules.append("error_bound <= 1% of P")
    if not rules:
        rules.append("every function with P > 0")
    return mask, "; ".join(rules)


def _measure_values(df: pd.DataFrame, measure: str) -> np.ndarray:
    if measure not in df.columns:
        raise UsageError(f"the table has no column {measure!r}")
    col = df[measure]
    if col.dtype == bool or not (pd.api.types.is_numeric_dtype(col) or col.dtype == object):
        raise UsageError(f"column {measure!r} is not a numeric complexity measure")
    values = pd.to_numeric(col, errors="coerce")
    if values.notna().sum() == 0:
        raise UsageError(f"column {measure!r} is not a numeric complexity measure")
    return values.to_numpy(dtype=float)


def used_rows(df: pd.DataFrame, measure: str, min_count: int = DEFAULT_MIN_COUNT, *,
              metadata: dict | None = None) -> tuple[np.ndarray, str]:
    """Rows a fit of ``measure`` uses: trusted (:func:`trusted_rows`) with a finite measure."""
    mask, rule = trusted_rows(df, min_count, metadata=metadata)
    return mask & np.isfinite(_measure_values(df, measure)), rule


def levin_fit(
    df: pd.DataFrame,
    measure: str = "lz",
    *,
    tau: float = DEFAULT_TAU,
    min_count: int = DEFAULT_MIN_COUNT,
    metadata: dict | None = None,
) -> LevinReport:
    """Fit both bounds of ``log2 P <= -a K - b`` to a volume table.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``probability`` and ``measure`` (and optionally ``function``,
        ``count``, ``error_bound``; see :func:`trusted_rows`).
    measure : str
        Column holding the complexity ``K``.
    tau : float
        Level of the robust (quantile) bound.
    min_count : int
        Smallest count of a trusted function in a sampled table.
    metadata : dict, optional
        Table metadata (used for ``n`` when there is no ``function`` column).

    Returns
    -------
    LevinReport

    Examples
    --------
    Four functions of n = 1 on the line ``log2 P = -K - 1``:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"function": ["00", "11", "01", "10"],
    ...                    "probability": [0.5, 0.25, 0.125, 0.125], "k": [0, 1, 2, 2]})
    >>> r = levin_fit(df, "k")
    >>> round(r.hull.a, 6), round(r.hull.b, 6), r.hull.share_within[1], r.n_used, r.uniform_log2
    (1.0, 1.0, 1.0, 4, -2.0)
    >>> r.spearman_rho  # K and log2 P in exactly reverse order
    -1.0
    """
    mask, rule = used_rows(df, measure, min_count, metadata=metadata)
    if not mask.any():
        raise UsageError(f"no function of the table passes the trust rule ({rule}) with a value of {measure!r}; "
                         f"sample more, or lower --min-count")
    k_all = _measure_values(df, measure)
    p = pd.to_numeric(df["probability"], errors="coerce").to_numpy(dtype=float)[mask]
    k = k_all[mask]
    y = np.log2(p)
    hull_ab = fit_hull_bound(k, y)
    quant_ab = fit_quantile_bound(k, y, tau)
    if np.ptp(k) > 0 and np.ptp(y) > 0:
        from scipy import stats

        sp = stats.spearmanr(k, y)
        rho, pval = float(sp.statistic), float(sp.pvalue)
    else:  # a constant has no rank correlation
        rho, pval = float("nan"), float("nan")
    n = table_n(df, metadata)
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
    )


def candidate_measures(df: pd.DataFrame) -> list[str]:
    """Numeric columns of ``df`` that are complexity measures (not volumes, not labels).

    Examples
    --------
    >>> import pandas as pd
    >>> candidate_measures(pd.DataFrame({"function": ["01"], "probability": [1.0],
    ...                                  "lz": [2.0], "threshold": [True], "facets": [2]}))
    ['lz']
    """
    out = []
    for name in df.columns:
        if name in TABLE_COLUMNS or name in NON_MEASURES:
            continue
        col = df[name]
        if col.dtype == bool or not pd.api.types.is_numeric_dtype(col):
            continue
        out.append(str(name))
    return out


def rank_measures(
    df: pd.DataFrame,
    measures=None,
    *,
    tau: float = DEFAULT_TAU,
    min_count: int = DEFAULT_MIN_COUNT,
    metadata: dict | None = None,
) -> pd.DataFrame:
    """Rank complexity measures by how tightly they bound, and how well they predict, ``log2 P``.

    Ranking rule: ``rank_tightness`` orders measures by the mean gap (bits) of their
    tightest (hull) bound, smallest first; ties by the share of probability mass
    within 1 bit of it, largest first. ``rank_prediction`` orders them by Spearman's
    rho between K and ``log2 P``, most negative first (the bound predicts that simpler
    functions are more likely). Rows are sorted by ``rank_tightness``. A measure that
    is constant on the used functions cannot rank and gets rho NaN (ranked last).

    Parameters
    ----------
    df : pandas.DataFrame
        A volume table with the measure columns.
    measures : list of str, optional
        Columns to rank; default :func:`candidate_measures`.

    Returns
    -------
    pandas.DataFrame
        Columns ``measure, n_used, a, b, mean_gap, share_within_1, mass_within_1,
        share_within_5, mass_within_5, robust_a, robust_b, spearman_rho,
        rank_tightness, rank_prediction``.

    Examples
    --------
    ``good`` follows ``log2 P`` exactly; ``bad`` is unrelated to it:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"probability": [0.5, 0.25, 0.125, 0.125],
    ...                    "good": [1, 2, 3, 3], "bad": [2, 1, 2, 1]})
    >>> rank_measures(df)[["measure", "rank_tightness", "rank_prediction"]].values.tolist()
    [['good', 1, 1], ['bad', 2, 2]]
    """
    measures = candidate_measures(df) if measures is None else list(measures)
    if not measures:
        raise UsageError("the table has no complexity-measure columns to rank; add some with `boolnet complexity`")
    rows = []
    for name in measures:
        r = levin_fit(df, name, tau=tau, min_count=min_count, metadata=metadata)
        rows.append(
            {
                "measure": name,
                "n_used": r.n_used,
                "a": r.hull.a,
                "b": r.hull.b,
                "mean_gap": r.hull.mean_gap,
                "share_within_1": r.hull.share_within[1],
                "mass_within_1": r.hull.mass_within[1],
                "share_within_5": r.hull.share_within[5],
                "mass_within_5": r.hull.mass_within[5],
                "robust_a": r.quantile.a,
                "robust_b": r.quantile.b,
                "spearman_rho": r.spearman_rho,
            }
        )
    out = pd.DataFrame(rows)
    tight = out.sort_values(["mean_gap", "mass_within_1"], ascending=[True, False], kind="stable")
    out.loc[tight.index, "rank_tightness"] = np.arange(1, len(out) + 1)
    pred = out.sort_values("spearman_rho", ascending=True, na_position="last", kind="stable")
    out.loc[pred.index, "rank_prediction"] = np.arange(1, len(out) + 1)
    out["rank_tightness"] = out["rank_tightness"].astype(int)
    out["rank_prediction"] = out["rank_prediction"].astype(int)
    return out.sort_values("rank_tightness", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- text


def describe_metadata(metadata: dict | None) -> str:
    """One line naming the network, volume method and prior a table's metadata describes.

    Examples
    --------
    >>> describe_metadata({"architecture": "3-1", "volume_method": "exact", "prior": "gaussian",
    ...                    "sigma_w": "1", "sigma_b": "1", "fan_in_scaling": True, "encoding": "01",
    ...                    "bias": True})
    'arch 3-1, exact, gaussian prior (sigma_w 1, sigma_b 1, fan-in scaled), encoding 01, bias'
    >>> describe_metadata({"command": "sample", "architecture": "7-40-40-1", "activation": "relu",
    ...                    "samples": 1000000, "prior": "uniform"})
    'arch 7-40-40-1, relu, sampled (1,000,000 samples), uniform prior'
    """
    if not metadata:
        return "(no metadata)"
    m = metadata
    parts = []
    arch = m.get("architecture") or m.get("arch") or (f"{m['n']}-1" if m.get("n") is not None else None)
    if arch:
        parts.append(f"arch {arch}")
        if str(arch).count("-") > 1 and m.get("activation"):
            parts.append(str(m["activation"]))
    method = m.get("volume_method") or {"exact": "exact", "sample": "sample", "enumerate": "grid"}.get(
        str(m.get("command")))
    if method == "sample":
        parts.append(f"sampled ({int(float(m['samples'])):,} samples)" if m.get("samples") else "sampled")
    elif method == "grid":
        parts.append("grid enumeration")
    elif method:
        parts.append(str(method))
    if m.get("prior"):
        detail = []
        if m.get("sigma_w") is not None:
            detail.append(f"sigma_w {m['sigma_w']}")
        if m.get("sigma_b") is not None and m.get("bias", True) is not False:
            detail.append(f"sigma_b {m['sigma_b']}")
        if "fan_in_scaling" in m:
            detail.append("fan-in scaled" if m["fan_in_scaling"] else "no fan-in scaling")
        parts.append(f"{m['prior']} prior" + (f" ({', '.join(detail)})" if detail else ""))
    if m.get("encoding"):
        parts.append(f"encoding {m['encoding']}")
    if "bias" in m:
        parts.append("bias" if m["bias"] else "no bias")
    return ", ".join(parts) if parts else "(no metadata)"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def format_report(report: LevinReport, metadata: dict | None = None) -> str:
    """The text report of ``boolnet levin``."""
    r = report
    lines = [
        f"Levin bound  log2 P <= -a K - b,  K = {r.measure}",
        f"table:      {describe_metadata(metadata)}",
        f"functions:  {r.n_used:,} used of {r.n_functions:,} (trusted: {r.trust_rule}); "
        f"their probability mass {r.mass_used:.6g}",
    ]
    if r.uniform_log2 is not None:
        lines.append(
            f"uniform:    2^-(2^{r.n}) = 2^{r.uniform_log2:g} = {r.uniform_probability:.6g} per function "
            f"(the probability of each function if all were equally likely)"
        )
    p_text = "p < 1e-300" if r.spearman_p == 0 else f"p = {r.spearman_p:.3g}"  # 0 means underflow
    rho = "undefined (K or P constant)" if not math.isfinite(r.spearman_rho) else (
        f"{r.spearman_rho:+.4f} ({p_text})")
    lines.append(f"Spearman rho(K, log2 P) = {rho}")
    lines.append("")
    header = f"{'bound':<24}{'a':>10}{'b':>10}{'mean gap':>11}  {'within 1 bit':>21}  {'within 5 bits':>21}  {'above':>7}"
    lines.append(header)
    lines.append(f"{'':<24}{'bits/unit':>10}{'bits':>10}{'bits':>11}  {'functions / mass':>21}  "
                 f"{'functions / mass':>21}  {'':>7}")
    for label, bnd in (("tightest (upper hull)", r.hull), (f"robust (quantile {r.quantile.tau:g})", r.quantile)):
        w1 = f"{_pct(bnd.share_within[1])} / {_pct(bnd.mass_within[1])}"
        w5 = f"{_pct(bnd.share_within[5])} / {_pct(bnd.mass_within[5])}"
        lines.append(
            f"{label:<24}{bnd.a:>10.4f}{bnd.b:>10.4f}{bnd.mean_gap:>11.3f}  {w1:>21}  {w5:>21}  "
            f"{_pct(bnd.share_above):>7}"
        )
    lines.append("")
    lines.append("mean gap: mean of (-a K - b - log2 P) over the used functions; within d bits: log2 P >= -a K - b - d "
                 "(mass: their total probability); above: share of functions over the line.")
    return "\n".join(lines) + "\n"


def format_ranking(ranking: pd.DataFrame, metadata: dict | None = None) -> str:
    """The text table of ``boolnet levin --all-measures``."""
    lines = [
        "Measures ranked by the tightness of the Levin bound log2 P <= -a K - b",
        f"table: {describe_metadata(metadata)}",
        "rank_tightness: smallest mean gap of the tightest bound first; "
        "rank_prediction: most negative Spearman rho(K, log2 P) first",
        "",
    ]
    show = ranking.copy()
    for col in ("share_within_1", "mass_within_1", "share_within_5", "mass_within_5"):
        show[col] = (100 * show[col]).map(lambda v: f"{v:.1f}%")
    for col in ("a", "b", "robust_a", "robust_b", "mean_gap"):
        show[col] = show[col].map(lambda v: f"{v:.4f}")
    show["spearman_rho"] = show["spearman_rho"].map(lambda v: "nan" if not math.isfinite(v) else f"{v:+.4f}")
    cols = ["rank_tightness", "measure", "mean_gap", "a", "b", "share_within_1", "mass_within_1",
            "spearman_rho", "rank_prediction", "n_used"]
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        lines.append(show[cols].to_string(index=False))
    return "\n".join(lines) + "\n"
