"""Figures for volume tables: the Levin plane, the Zipf plot and P(K) (matplotlib, PNG files).

* :func:`plot_levin`: ``log2 P`` against a complexity measure K, one point per function,
  with the fitted Levin bounds and the uniform baseline drawn.
* :func:`plot_zipf`: probability against rank (log-log), the Zipf plot.
* :func:`plot_pk`: P(K), the probability mass at each complexity value.
* :func:`levin_figure`: these side by side in one PNG, titled with the table's metadata,
  written atomically (:func:`boolnet.io.atomic_path`) to a path checked before any work.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.plots._figure import check_path, pyplot, save


def check_plot_path(path, *, param: str = "path") -> Path:
    """Validate a plot path before any work starts: a writable ``.png`` (:func:`boolnet.io.check_output_path`).

    Examples
    --------
    >>> check_plot_path("levin.svg")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: path levin.svg: the file name must end in .png
    """
    if path is None:
        raise BoolnetError(f"{param} must be the name of the .png file to write, got None", param=param)
    return check_path(path, suffixes=(".png",), param=param)


def _column(df, name: str, param: str, what: str):
    """Column ``name`` of the DataFrame ``df`` as floats, or a BoolnetError naming ``param``."""
    if not hasattr(df, "columns"):
        raise BoolnetError(f"{param} must be a pandas DataFrame ({what}), got {type(df).__name__}", param=param)
    if name not in df.columns:
        raise BoolnetError(f"{param} has no {name!r} column ({what}); its columns are {list(df.columns)}",
                           param=param)
    try:
        return np.asarray(df[name], dtype=float)
    except (TypeError, ValueError):
        raise BoolnetError(f"{param}[{name!r}] must hold numbers", param=param) from None


def _mask(used, size: int, param: str = "used") -> np.ndarray:
    """``used`` as a boolean mask of ``size`` rows, or a BoolnetError naming ``param``."""
    mask = np.asarray(used)
    if mask.shape != (size,) or not (mask.dtype == bool or mask.size == 0):
        raise BoolnetError(f"{param} must be one True/False per function ({size}), got "
                           f"{'shape ' + str(mask.shape) if mask.dtype == bool else 'dtype ' + str(mask.dtype)}",
                           param=param)
    return mask.astype(bool)


def plot_levin(ax, k, log2p, bounds=(), *, measure: str = "K", uniform_log2=None, excluded=None, color=None,
               color_label: str = "number of ones", complement_total=None):
    """Scatter ``log2 P`` against ``K`` with the fitted bounds on a matplotlib Axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    k, log2p : array_like
        Complexity and ``log2`` probability of each function used in the fit.
    bounds : iterable of boolnet.levin.Bound
        Lines to draw, each over the range of K it was fitted on (``Bound.k_range``).
    measure : str
        Name of the complexity measure (x-axis label).
    uniform_log2 : float, optional
        ``log2`` of the uniform probability ``2**-(2**n)``, drawn as a dotted line.
    excluded : tuple of arrays (k, log2p), optional
        Functions left out of the fit (drawn in grey).
    color : array_like, optional
        A value per function (for class balance: its number of ones) that colours its dot,
        with a colour bar labelled ``color_label``.
    complement_total : int, optional
        With ``color`` the number of ones: ``2**n``, the ones of a function and of its
        complement added. A function and its complement often share K and P exactly; so
        that both show, functions with fewer ones than zeros are drawn as left half-discs,
        those with more as right half-discs (a pair at one point makes one disc of two
        colours), those with as many as full discs, on a diverging colour scale centred
        at ``complement_total / 2``.

    Examples
    --------
    >>> from boolnet.levin import bound_quality
    >>> plt = pyplot()
    >>> fig, ax = plt.subplots()
    >>> line = bound_quality("hull", 1.0, 1.0, [0, 1], [-1.0, -2.0], [0.5, 0.25])
    >>> plot_levin(ax, [0, 1], [-1.0, -2.0], [line], measure="lz")
    >>> ax.get_xlabel()
    'complexity K = lz'
    >>> plt.close(fig)
    """
    k = np.asarray(k, dtype=float)
    y = np.asarray(log2p, dtype=float)
    if k.shape != y.shape or k.ndim != 1:
        raise BoolnetError(f"k and log2p must be two 1-d sequences of equal length, got shapes {k.shape} and {y.shape}",
                           param="log2p")
    # Many functions share (K, P) exactly (symmetry orbits); size the marker by multiplicity.
    if k.size:
        columns = [k, y] if color is None else [k, y, np.asarray(color, dtype=float)]
        if color is not None and columns[2].shape != k.shape:
            raise BoolnetError(f"color must hold one value per function ({k.size}), got shape {columns[2].shape}",
                               param="color")
        pts, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
        sizes = 12 + 28 * np.log2(counts) / max(1.0, np.log2(counts.max()))
        label = f"functions used in the fit ({k.size:,}; larger dot = more functions)"
        if color is None:
            ax.scatter(pts[:, 0], pts[:, 1], s=sizes, c="tab:blue", alpha=0.55, linewidths=0, zorder=4, label=label)
        else:
            _colour_scatter(ax, pts, counts, sizes * (2.2 if complement_total is not None else 1.0), color_label,
                            complement_total)
    if excluded is not None and len(excluded[0]):
        ax.scatter(excluded[0], excluded[1], s=8, c="0.6", alpha=0.5, linewidths=0,
                   label=f"not trusted, left out ({len(excluded[0]):,})", zorder=1)
    allk = np.concatenate([k, np.asarray(excluded[0], dtype=float)]) if excluded is not None else k
    if allk.size:
        lo, hi = float(np.min(allk)), float(np.max(allk))
        pad = 0.03 * (hi - lo) if hi > lo else 0.5
        xs = np.array([lo - pad, hi + pad])
        styles = {"hull": ("tab:red", "-"), "quantile": ("tab:orange", "--")}
        for bnd in bounds:
            color, ls = styles.get(bnd.kind, ("k", "-"))
            name = "tightest bound (upper hull)" if bnd.kind == "hull" else f"robust bound (quantile {bnd.tau:g})"
            sign = "-" if bnd.b >= 0 else "+"
            k_lo, k_hi = bnd.k_range
            line_x = np.array([k_lo, k_hi]) if np.isfinite(k_lo) and np.isfinite(k_hi) else xs
            ax.plot(line_x, bnd.log2_bound(line_x), color=color, ls=ls, lw=2, zorder=3,
                    label=f"{name}: log2 P = -{bnd.a:.3g} K {sign} {abs(bnd.b):.3g}")
        ax.set_xlim(xs[0], xs[1])
    ally = np.concatenate([y, np.asarray(excluded[1], dtype=float)]) if excluded is not None else y
    if ally.size:
        lo, hi = float(np.min(ally)), float(np.max(ally))
        pad = 0.08 * (hi - lo) if hi > lo else 1.0
        ylo, yhi = lo - pad, hi + pad
    else:
        ylo = yhi = None
    if uniform_log2 is not None:
        label = f"uniform: every function 2^{uniform_log2:g}"
        if ylo is not None and uniform_log2 < ylo - 0.5 * (yhi - ylo):
            # Far below every function (e.g. 2^-128): drawing it would squash the data; name it only.
            ax.plot([], [], color="0.3", ls=":", lw=1.5, label=label + " (far below, not drawn)")
        else:
            ax.axhline(uniform_log2, color="0.3", ls=":", lw=1.5, zorder=1, label=label)
            if ylo is not None:
                ylo = min(ylo, uniform_log2 - 0.5)
    if ylo is not None:
        ax.set_ylim(ylo, yhi)
    ax.set_xlabel(f"complexity K = {measure}")
    ax.set_ylabel("log2 P (bits)")
    ax.grid(True, alpha=0.3)
    # Below the axes: data can fill any corner.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2, fontsize="small", frameon=False)


def _colour_scatter(ax, pts, counts, sizes, color_label: str, complement_total) -> None:
    """The functions as dots coloured by ``pts[:, 2]`` (see :func:`plot_levin`'s ``complement_total``)."""
    from matplotlib.colors import Normalize
    from matplotlib.markers import MarkerStyle

    v = pts[:, 2]
    if complement_total is None:
        norm, cmap = Normalize(float(v.min()), float(max(v.max(), v.min() + 1))), "viridis"
        groups = [("o", np.ones(v.size, dtype=bool), "functions used in the fit")]
    else:
        half = complement_total / 2
        norm, cmap = Normalize(0.0, float(complement_total)), "coolwarm"
        groups = [(MarkerStyle("o", fillstyle="left"), v < half, f"fewer than {half:g} ones: left half-disc"),
                  (MarkerStyle("o", fillstyle="right"), v > half, f"more than {half:g} ones: right half-disc"),
                  ("o", v == half, f"{half:g} ones: full disc")]
    for marker, sel, label in groups:
        if sel.any():
            label = f"{label} ({int(counts[sel].sum()):,} functions; larger = more at one point)"
            ax.scatter(pts[sel, 0], pts[sel, 1], s=sizes[sel], c=v[sel], cmap=cmap, norm=norm, marker=marker,
                       alpha=0.9, linewidths=0, zorder=4, label=label)
    from matplotlib.cm import ScalarMappable

    # The bar hangs on the panel itself: the layout's room for it would sit beyond the (wider) legend below.
    ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=ax.inset_axes([1.02, 0.0, 0.03, 1.0]),
                       label=color_label)


def plot_zipf(ax, probability, *, used=None):
    """Probability against rank on log-log axes (rank 1 = most likely function).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    probability : array_like
        Probability of each function (zeros are skipped).
    used : array_like of bool, optional
        Functions used in the Levin fit; the others are drawn in grey.

    Examples
    --------
    >>> plt = pyplot()
    >>> fig, ax = plt.subplots()
    >>> plot_zipf(ax, [0.5, 0.25, 0.25])
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    >>> plt.close(fig)
    """
    p = np.asarray(probability, dtype=float).ravel()
    used = np.ones(p.size, dtype=bool) if used is None else _mask(used, p.size)
    keep = p > 0
    p, used = p[keep], used[keep]
    order = np.argsort(-p, kind="stable")
    p, used = p[order], used[order]
    rank = np.arange(1, p.size + 1)
    ax.step(rank, p, where="post", color="tab:blue", lw=1.2, zorder=2, label=f"all functions ({p.size:,})")
    if p.size <= 5000:  # few enough to show each function
        ax.scatter(rank, p, s=10, c="tab:blue", zorder=2)
    if not used.all():
        ax.scatter(rank[~used], p[~used], s=6, c="0.6", zorder=3, label=f"left out of the fit ({(~used).sum():,})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rank of the function (1 = most likely)")
    ax.set_ylabel("probability P (share of parameter space)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize="small", framealpha=0.9)


def plot_pk(ax, pk, measure: str):
    """P(K) as bars on a log scale, with its mean under P marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    pk : pandas.DataFrame
        From :func:`boolnet.levin.probability_by_complexity`.
    measure : str
        The K column of ``pk``.

    Examples
    --------
    >>> import pandas as pd
    >>> from boolnet.levin import probability_by_complexity
    >>> plt = pyplot()
    >>> fig, ax = plt.subplots()
    >>> t = pd.DataFrame({"probability": [0.75, 0.25], "lz": [1.0, 2.0]})
    >>> plot_pk(ax, probability_by_complexity(t, "lz"), "lz")
    >>> ax.get_yscale()
    'log'
    >>> plt.close(fig)
    """
    from boolnet.table.schema import metadata_of

    what = "P(K) from boolnet.levin.probability_by_complexity(table, measure)"
    if hasattr(pk, "columns") and measure not in pk.columns:
        raise BoolnetError(f"measure {measure!r} is not a column of pk ({what}); its columns are "
                           f"{list(pk.columns)}", param="measure")
    k = _column(pk, measure, "pk", what)
    mass = _column(pk, "probability", "pk", what)
    distinct = np.unique(k)
    width = 0.8 * float(np.min(np.diff(distinct))) if distinct.size > 1 else 0.8
    ax.bar(k, mass, width=width, color="tab:green", alpha=0.8, label="P(K): mass of the functions at K")
    info = metadata_of(pk).get("pk", {})
    if "uniform" in pk.columns:
        share = pk["uniform"].to_numpy(dtype=float)
        ax.plot(k[share > 0], share[share > 0], "o--", color="0.3", ms=4,
                label="uniform: share of all functions at K")
        if "mean_uniform" in info:
            ax.axvline(info["mean_uniform"], color="0.3", ls=":", lw=1.2,
                       label=f"mean K, uniform = {info['mean_uniform']:.3g}")
    if "mean" in info and np.isfinite(info["mean"]):
        ax.axvline(info["mean"], color="k", ls="--", lw=1.2, label=f"mean K under P = {info['mean']:.3g}")
    ax.set_yscale("log")
    ax.set_xlabel(f"complexity K = {measure}")
    ax.set_ylabel("P(K)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2, fontsize="small", frameon=False)


def _levin_figure(df, report, shown, used, pk):
    """The matplotlib Figure :func:`levin_figure` saves (arguments checked there)."""
    from boolnet.levin import describe_metadata
    from boolnet.table.schema import metadata_of, table_n

    p = _column(df, "probability", "df", "the volume table")
    k = _column(df, report.measure, "df", "the volume table")
    plt = pyplot()
    left_out = shown & ~used
    panels = 3 if pk is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(7 * panels, 7.4), constrained_layout=True)
    ax1, ax2 = axes[0], axes[1]
    color = complement_total = None
    within = getattr(report, "within", None)
    color_label = ""
    if within is not None:  # class balance: colour each function by its stratum
        from boolnet.levin.strata import strata_values

        color = strata_values(df, within.by)[used]
        if within.by == "ones":
            n = report.n if report.n is not None else table_n(df)
            complement_total = (1 << n) if n is not None else None
            color_label = "number of ones" + (f" (of {complement_total})" if complement_total else "")
        else:
            color_label = str(within.by)
    plot_levin(ax1, k[used], np.log2(p[used]), [report.hull, report.quantile], measure=report.measure,
               uniform_log2=report.uniform_log2,
               excluded=(k[left_out], np.log2(p[left_out])) if left_out.any() else None,
               color=color, color_label=color_label, complement_total=complement_total)
    rho = report.spearman_rho
    rho_text = f"Spearman rho = {rho:+.3f}" if np.isfinite(rho) else "Spearman rho undefined"
    title = f"Levin bound log2 P <= -a K - b  ({rho_text} over all used functions)"
    if within is not None:
        by = "the number of ones" if within.by == "ones" else repr(within.by)
        pooled = (f"{within.rho:+.3f} (z = {within.z:.2f}, p = {within.p:.2g}; {within.n_informative} strata)"
                  if np.isfinite(within.rho) else "undefined (no stratum with two distinct K and P)")
        title += f"\nclass balance: pooled Spearman rho within strata of {by} = {pooled}"
    ax1.set_title(title, fontsize="medium")
    plot_zipf(ax2, p, used=used)
    ax2.set_title("Zipf plot: probability against rank")
    if pk is not None:
        plot_pk(axes[2], pk, report.measure)
        axes[2].set_title("P(K): probability mass at each complexity")
    options = [f"measure {report.measure}", f"robust bound at quantile tau = {report.quantile.tau:g}",
               f"fit on {report.n_used:,} of {report.n_functions:,} functions ({report.trust_rule})"]
    if within is not None:
        options.append(f"within={within.by!r}")
    fig.suptitle(f"boolnet volumes: {describe_metadata(metadata_of(df))}\n{'; '.join(options)}", fontsize="large")
    return fig


def levin_figure(df, report, path, *, used=None, pk=None) -> Path:
    """Write the PNG of ``boolnet levin --plot``: the Levin plane and the Zipf plot (and P(K)).

    A report fitted with ``within="ones"`` colours each function by its number of ones (a
    function with fewer ones than zeros as a left half-disc, one with more as a right half-disc,
    so that a function and its complement at one point both show) and prints the pooled
    within-stratum Spearman rho in the panel's title. The title names the table's metadata
    (:func:`boolnet.levin.describe_metadata`) and the fit's options.

    Parameters
    ----------
    df : pandas.DataFrame
        The volume table with ``probability`` and the report's measure column; its
        metadata (``df.attrs["boolnet"]``) names the title.
    report : boolnet.levin.LevinReport
    path : str or Path
        A ``.png`` file, checked before drawing and written atomically.
    used : array_like of bool, optional
        Rows used in the fit (default: every row with P > 0).
    pk : pandas.DataFrame, optional
        P(K) (:func:`boolnet.levin.probability_by_complexity`), drawn as a third panel.

    Returns
    -------
    Path
    """
    from boolnet.levin import LevinReport

    path = check_plot_path(path)
    if not isinstance(report, LevinReport):
        raise BoolnetError(f"report must be a LevinReport from boolnet.levin_fit(df, measure), got "
                           f"{type(report).__name__}", param="report")
    p = _column(df, "probability", "df", "the volume table")
    k = _column(df, report.measure, "df", f"the volume table the report's measure {report.measure!r} was fitted on")
    shown = (p > 0) & np.isfinite(k)
    if not shown.any():
        raise BoolnetError(f"df has no function with probability > 0 and a finite {report.measure}: nothing to draw",
                           param="df")
    used = shown if used is None else _mask(used, p.size)
    if pk is not None:
        _column(pk, report.measure, "pk", "P(K) from boolnet.probability_by_complexity(df, measure)")
        _column(pk, "probability", "pk", "P(K) from boolnet.probability_by_complexity(df, measure)")
    fig = _levin_figure(df, report, shown, used, pk)
    try:
        save(fig, path, dpi=110)
    finally:
        pyplot().close(fig)
    return path
