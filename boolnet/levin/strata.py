"""Class balance: the rank correlation of K and ``log2 P`` within strata of the number of ones.

A function with few ones (or few zeros) is both simple by most measures and likely
under most priors, so a correlation between complexity and probability over all
functions may only restate the share of ones. Holding the number of ones fixed:

* within each stratum ``s`` (the functions with the same number of ones), Spearman's
  rho between K and ``log2 P`` (:func:`scipy.stats.spearmanr`, with its p-value);
* pooled over strata, with strata as blocks: the within-stratum ranks (midranks) of K
  and of ``log2 P`` are centred and scaled by ``1 / (n_s + 1)``, giving ``u`` and
  ``v``; the pooled rho is ``sum_s S_s / sqrt(sum_s A_s * sum_s B_s)`` with
  ``S_s = sum u v``, ``A_s = sum u^2``, ``B_s = sum v^2`` (about a weighted mean of the
  strata's rho, weights about ``n_s``). Under the null hypothesis that K and P are
  independent given the stratum, each ``S_s`` has mean 0 and permutation variance
  ``A_s B_s / (n_s - 1)`` (exactly, ties included), so
  ``z = sum_s S_s / sqrt(sum_s A_s B_s / (n_s - 1))`` is about standard normal; the
  p-value is two-sided. This is the stratified rank-correlation test in the spirit of
  van Elteren's stratified rank-sum test. Strata with fewer than two functions, or
  with K or P constant, carry no information and are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.levin.bounds import Bound, bound_quality, fit_hull_bound, fit_quantile_bound


@dataclass(frozen=True)
class Stratum:
    """The functions of one stratum (one number of ones) and what they say.

    Attributes
    ----------
    value : int
        The stratum (for ``within="ones"``: the number of ones).
    n_used : int
        Functions of the stratum used in the fit.
    mass : float
        Their total probability.
    spearman_rho, spearman_p : float
        Spearman's rho between K and ``log2 P`` in the stratum, and its p-value (NaN with
        fewer than three functions or K or P constant).
    hull, quantile : Bound or None
        The Levin bounds fitted to the stratum alone (None with fewer than two functions).
    """

    value: int
    n_used: int
    mass: float
    spearman_rho: float
    spearman_p: float
    hull: Bound | None = None
    quantile: Bound | None = None


@dataclass(frozen=True)
class WithinReport:
    """The stratified rank correlation of K and ``log2 P`` (module docstring).

    Attributes
    ----------
    by : str
        What defines a stratum (``"ones"``).
    rho, z, p : float
        Pooled within-stratum rho, its z statistic and two-sided p-value (NaN if no
        stratum carries information).
    n_strata, n_informative : int
        Strata with a used function, and those that enter the pooled statistic.
    n_informative_functions : int
        Functions in the informative strata.
    strata : tuple of Stratum
    """

    by: str
    rho: float
    z: float
    p: float
    n_strata: int
    n_informative: int
    n_informative_functions: int
    strata: tuple = ()


def _midranks(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.Series(values).groupby(groups).rank(method="average").to_numpy(dtype=float)


def stratified_spearman(k, log2p, strata) -> tuple[float, float, float, int, int]:
    """Pooled within-stratum Spearman rho of ``k`` and ``log2p``, its z and two-sided p-value.

    Parameters
    ----------
    k, log2p, strata : array_like
        One entry per function: complexity, ``log2 P`` and stratum label.

    Returns
    -------
    (rho, z, p, n_informative, n_functions) : tuple
        ``n_informative`` strata (two or more functions, K and P not constant) hold
        ``n_functions`` functions.

    Examples
    --------
    Two strata; within each, K and log2 P are in exactly reverse order:

    >>> rho, z, p, strata, functions = stratified_spearman([1, 2, 3, 1, 2, 3], [-1, -2, -3, -5, -6, -7],
    ...                                                    [0, 0, 0, 1, 1, 1])
    >>> round(rho, 12), strata, functions
    (-1.0, 2, 6)

    Planted: log2 P set by the stratum alone, K unrelated within strata:

    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 5, 2000)
    >>> k = s + rng.normal(0, 1, 2000)          # K correlates with the stratum ...
    >>> y = -3.0 * s + rng.normal(0, 1, 2000)   # ... and so does log2 P, but not with each other
    >>> rho, z, p, _, _ = stratified_spearman(k, y, s)
    >>> abs(rho) < 0.05, p > 0.01
    (True, True)
    """
    k = np.asarray(k, dtype=float)
    y = np.asarray(log2p, dtype=float)
    g = np.asarray(strata)
    if not (k.shape == y.shape == g.shape) or k.ndim != 1:
        raise BoolnetError(f"k, log2p and strata must be 1-d arrays of one length, got shapes {k.shape}, {y.shape} "
                           f"and {g.shape}", param="k" if k.ndim != 1 else "log2p" if y.shape != k.shape else "strata")
    nan = float("nan")
    if k.size == 0:
        return nan, nan, nan, 0, 0
    _, codes = np.unique(g, return_inverse=True)
    sizes = np.bincount(codes).astype(float)
    n_s = sizes[codes]
    u = (_midranks(k, codes) - (n_s + 1) / 2) / (n_s + 1)
    v = (_midranks(y, codes) - (n_s + 1) / 2) / (n_s + 1)
    s_sum = np.bincount(codes, weights=u * v, minlength=sizes.size)
    a_sum = np.bincount(codes, weights=u * u, minlength=sizes.size)
    b_sum = np.bincount(codes, weights=v * v, minlength=sizes.size)
    tiny = 1e-12 * sizes  # midrank sums are exact to rounding; a constant column gives 0 up to that
    ok = (sizes >= 2) & (a_sum > tiny) & (b_sum > tiny)
    if not ok.any():
        return nan, nan, nan, 0, 0
    total = float(s_sum[ok].sum())
    rho = total / math.sqrt(float(a_sum[ok].sum()) * float(b_sum[ok].sum()))
    var = float(np.sum(a_sum[ok] * b_sum[ok] / (sizes[ok] - 1)))
    z = total / math.sqrt(var)
    p = math.erfc(abs(z) / math.sqrt(2.0))
    return float(rho), float(z), float(p), int(ok.sum()), int(sizes[ok].sum())


def _spearman(k: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    if k.size < 3 or np.ptp(k) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    from scipy import stats

    sp = stats.spearmanr(k, y)
    return float(sp.statistic), float(sp.pvalue)


def within_report(k, log2p, probability, strata, *, by: str = "ones", tau: float | None = None,
                  fits: bool = True) -> WithinReport:
    """Per-stratum rho and fits, and the pooled stratified rho (:func:`stratified_spearman`).

    Parameters
    ----------
    k, log2p, probability, strata : array_like
        One entry per used function.
    by : str
        Name of the stratifying quantity, for reports.
    tau : float, optional
        Quantile level of the per-stratum robust bounds (default :data:`~boolnet.levin.bounds.DEFAULT_TAU`).
    fits : bool
        Fit both bounds in every stratum with two or more functions (False: rho only).

    Examples
    --------
    >>> r = within_report([0, 1, 0, 1], [-1.0, -2.0, -3.0, -4.0], [.4, .2, .1, .05], [1, 1, 2, 2])
    >>> [(s.value, s.n_used, s.hull.a, s.hull.b) for s in r.strata]
    [(1, 2, 1.0, 1.0), (2, 2, 1.0, 3.0)]
    >>> round(r.rho, 12), r.n_informative
    (-1.0, 2)
    """
    from boolnet.levin.bounds import DEFAULT_TAU

    tau = DEFAULT_TAU if tau is None else tau
    k = np.asarray(k, dtype=float)
    y = np.asarray(log2p, dtype=float)
    p = np.asarray(probability, dtype=float)
    g = np.asarray(strata)
    rho, z, pval, n_inf, n_fun = stratified_spearman(k, y, g)
    out = []
    for value in np.unique(g):
        sel = g == value
        ks, ys, ps = k[sel], y[sel], p[sel]
        s_rho, s_p = _spearman(ks, ys)
        hull = quant = None
        if fits and ks.size >= 2:
            hull = bound_quality("hull", *fit_hull_bound(ks, ys), ks, ys, ps)
            quant = bound_quality("quantile", *fit_quantile_bound(ks, ys, tau), ks, ys, ps, tau=tau)
        out.append(Stratum(int(value) if float(value).is_integer() else value, int(sel.sum()), float(ps.sum()),
                           s_rho, s_p, hull, quant))
    return WithinReport(by, rho, z, pval, len(out), n_inf, n_fun, tuple(out))


def strata_values(df, within: str) -> np.ndarray:
    """The stratum of every row: the column ``within``, or for ``"ones"`` the ones of each truth table.

    Examples
    --------
    >>> import pandas as pd
    >>> strata_values(pd.DataFrame({"function": ["0001", "0111"]}), "ones").tolist()
    [1, 3]
    """
    import pandas as pd

    if within in df.columns:
        values = pd.to_numeric(df[within], errors="coerce")
        if values.isna().any():
            raise BoolnetError(f"column {within!r} must hold a number for every row to stratify by it",
                               param="within")
        return values.to_numpy()
    if within == "ones":
        if "function" not in df.columns:
            raise BoolnetError("within='ones' needs a 'function' column of truth tables (or a 'ones' column)",
                               param="within")
        return df["function"].astype(str).str.count("1").to_numpy(dtype=np.int64)
    raise BoolnetError(f"cannot stratify by {within!r}: use 'ones' or a numeric column of the table",
                       param="within")
