"""Fitting one line ``log2 P <= -a K - b`` to points ``(K_f, log2 P_f)``: the tightest and the robust bound.

``hull`` (the tightest bound)
    The line that no point exceeds and whose mean gap ``mean_f(-a K_f - b - log2 P_f)``
    (bits) is smallest, with ``a >= 0``. As a linear program: minimise
    ``-a mean(K) - b`` subject to ``a K_f + b <= -log2 P_f``. Its answer has a closed
    form, computed here: the objective is the height of the line at ``K = mean(K)``,
    and the lowest line on or above every point at that ``K`` is the supporting line
    of the upper convex hull there. Its slope ``-a`` is the slope of the hull edge
    that contains ``mean(K)``; when ``mean(K)`` is a hull vertex every slope between
    the two edges meeting there is optimal, and the tie rule takes the smallest ``a``
    (the weakest claim of simplicity bias): the slope of the edge on the left. A
    positive slope is not allowed (``a >= 0``), so the line is flat when that edge
    rises. ``b`` is then set so that the highest point touches the line exactly,
    in floating point: no point lies above it.
``quantile`` (the robust bound)
    Linear quantile regression at level ``tau`` with ``a >= 0``: the line minimising
    the pinball loss ``sum_f rho_tau(log2 P_f + a K_f + b)``, solved as a linear
    program. About a share ``1 - tau`` of the points may lie above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from boolnet.errors import BoolnetError

#: Default quantile level of the robust bound.
DEFAULT_TAU = 0.99
#: Distances (bits below the bound) reported as "within d bits".
WITHIN_BITS = (1, 5)


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
    k_range : tuple of float
        Smallest and largest K of the points the line was fitted to (where it is drawn).

    Examples
    --------
    >>> Bound("hull", 1.0, 2.0, None, 0.0).log2_bound([0, 1]).tolist()
    [-2.0, -3.0]
    """

    kind: str
    a: float
    b: float
    tau: float | None
    mean_gap: float
    share_within: dict = field(default_factory=dict)
    mass_within: dict = field(default_factory=dict)
    share_above: float = 0.0
    k_range: tuple = (float("nan"), float("nan"))

    def log2_bound(self, k) -> np.ndarray:
        """The bound ``-a K - b`` at complexity ``k`` (bits)."""
        return -self.a * np.asarray(k, dtype=float) - self.b


def upper_hull(k, y) -> np.ndarray:
    """Indices of the vertices of the upper convex hull of the points ``(k_i, y_i)``.

    Returned in increasing ``k``. A line lies on or above every point exactly when it
    lies on or above these vertices. For equal ``k`` only the highest point counts;
    points on a hull edge (collinear) are not vertices.

    Examples
    --------
    >>> upper_hull([0, 1, 2, 3], [0.0, 0.5, 0.0, -3.0]).tolist()
    [0, 1, 2, 3]
    >>> upper_hull([0, 1, 2], [0.0, -1.0, -2.0]).tolist()  # collinear: the ends only
    [0, 2]
    """
    k, y = _float_arrays(k, y, ("k", "y"))
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


def _float_arrays(k, y, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """``k`` and ``y`` as float arrays of one length, or a BoolnetError naming the one at fault."""
    arrays = []
    for values, name in zip((k, y), names):
        try:
            arrays.append(np.asarray(values, dtype=float))
        except (TypeError, ValueError):
            raise BoolnetError(f"{name} must be a 1-d array of numbers", param=name) from None
    k, y = arrays
    if k.ndim != 1:
        raise BoolnetError(f"{names[0]} must be a 1-d array, got shape {k.shape}", param=names[0])
    if y.shape != k.shape:
        raise BoolnetError(f"{names[0]} and {names[1]} must be 1-d arrays of one length, got shapes {k.shape} and "
                           f"{y.shape}", param=names[1])
    return k, y


def check_points(k, y) -> tuple[np.ndarray, np.ndarray]:
    """``(k, y)`` as finite float arrays of one length with at least two points, or BoolnetError.

    Examples
    --------
    >>> check_points([1], [-1.0])
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: a bound needs at least two functions to fit; got 1 (check the trust rule and the measure column)
    """
    k, y = _float_arrays(k, y, ("k", "log2p"))
    if k.size < 2:
        raise BoolnetError(f"a bound needs at least two functions to fit; got {k.size} (check the trust rule "
                           f"and the measure column)", param="k")
    for values, name in ((k, "k"), (y, "log2p")):
        if not np.all(np.isfinite(values)):
            raise BoolnetError(f"{name} must be finite (drop functions with P = 0 or no measure value)", param=name)
    return k, y


def _linprog(c, **kw):
    from scipy import optimize  # imported on use: keeps `boolnet --help` fast

    res = optimize.linprog(c, method="highs", **kw)
    if res.status != 0:
        raise RuntimeError(f"linear program failed: {res.message}")
    return res


def fit_hull_bound(k, log2p) -> tuple[float, float]:
    """The tightest line ``log2 P <= -a K - b`` that no point exceeds (closed form).

    Minimises the mean gap ``mean(-a K - b - log2 P)`` over ``a >= 0`` and free ``b``
    subject to every point lying on or below the line: the supporting line of the
    upper convex hull at ``K = mean(K)`` (module docstring). Ties go to the smallest
    ``a``; ``b`` makes the highest point touch the line exactly.

    Parameters
    ----------
    k : array_like
        Complexity of each function.
    log2p : array_like
        ``log2`` of each function's probability.

    Returns
    -------
    (a, b) : tuple of float

    Raises
    ------
    BoolnetError
        Fewer than two points, or non-finite values.

    Examples
    --------
    Points on the line ``log2 P = -K - 1`` and one below it:

    >>> fit_hull_bound([0, 1, 2, 3], [-1.0, -2.0, -3.0, -9.0])
    (1.0, 1.0)

    A rising cloud gets a flat bound through its highest point:

    >>> fit_hull_bound([0, 1, 2], [-3.0, -2.0, -1.5])
    (0.0, 1.5)
    """
    k, y = check_points(k, log2p)
    idx = upper_hull(k, y)
    hk, hy = k[idx], y[idx]
    a = 0.0
    if hk.size >= 2:
        # mean(K) lies in [min K, max K] in exact arithmetic; clip away rounding of the mean.
        k_mean = min(max(float(k.mean()), float(hk[0])), float(hk[-1]))
        j = int(np.searchsorted(hk, k_mean, side="left"))  # first vertex at or right of mean(K)
        if j > 0:  # the edge (j-1, j) contains mean(K), or ends at it (the tie rule: the left edge)
            slope = float((hy[j] - hy[j - 1]) / (hk[j] - hk[j - 1]))
            a = max(0.0, -slope)
        # j == 0: mean(K) is the leftmost vertex (every K equal): any a works, the smallest is 0
    b = float(-np.max(y + a * k))  # the line touches the highest point: nothing exceeds it
    return a, b


def fit_hull_bound_lp(k, log2p) -> tuple[float, float]:
    """The same bound as :func:`fit_hull_bound`, by linear programming (a check, not used in fits).

    Two stages in HiGHS: minimise ``-a mean(K) - b`` subject to every point on or
    below the line and ``a >= 0``; then, among lines within 1e-9 of that optimum, the
    smallest ``a``. Agrees with the closed form to solver tolerance (about 1e-7).

    Examples
    --------
    >>> a, b = fit_hull_bound_lp([0, 1, 2, 3], [-1.0, -2.0, -3.0, -9.0])
    >>> round(a, 6), round(b, 6)
    (1.0, 1.0)
    """
    k, y = check_points(k, log2p)
    k_mean = float(k.mean())
    a_ub = np.column_stack([k, np.ones_like(k)])
    bounds = [(0, None), (None, None)]
    first = _linprog([-k_mean, -1.0], A_ub=a_ub, b_ub=-y, bounds=bounds)
    slack = 1e-9 * (1.0 + abs(first.fun))
    second = _linprog([1.0, 0.0], A_ub=np.vstack([a_ub, [-k_mean, -1.0]]), b_ub=np.append(-y, first.fun + slack),
                      bounds=bounds)
    return float(second.x[0]), float(second.x[1])


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
    import pandas as pd

    k, y = check_points(k, log2p)
    if not 0.0 < tau < 1.0:
        raise BoolnetError(f"tau (the quantile level) must lie strictly between 0 and 1, got {tau}", param="tau")
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
    >>> q.mean_gap, q.share_within, q.mass_within, q.k_range
    (2.125, {1: 0.5, 5: 0.75}, {1: 0.75, 5: 0.875}, (0.0, 3.0))
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
        k_range=(float(k.min()), float(k.max())) if k.size else (float("nan"), float("nan")),
    )
