"""The PAC-Bayes figure: the bound beside the measured test errors of the posterior and of SGD.

:func:`pac_bayes_figure` draws the table of ``docs/experiments/pac_bayes.py``
(``docs/data/pac_bayes_7-40-40-1.csv``): one panel per training-set size ``m``, the targets along
the x axis in order of LZ complexity, and for each the PAC-Bayes bound (at the estimated
``P(S)``, its bar reaching the bound at the interval's low end of ``P(S)``), the posterior's mean
test error and SGD's, with their 95% intervals. Cells whose evidence is not validated (see
``evidence_check``) are drawn hollow.
"""

from __future__ import annotations

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.plots._figure import check_path, pyplot, save

#: Columns :func:`pac_bayes_figure` reads.
COLUMNS = ("target", "lz", "m", "bound", "bound_low_evidence", "posterior_test_error", "posterior_test_error_low",
           "posterior_test_error_high", "sgd_test_error", "sgd_test_error_low", "sgd_test_error_high",
           "evidence_check")
#: Values of ``evidence_check`` whose evidence is trusted (drawn filled).
TRUSTED = ("rejection", "consistent")


def _prior_text(meta: dict) -> str:
    if not meta:
        return "prior not recorded"
    scaling = ", fan-in scaling" if meta.get("fan_in_scaling", True) else ""
    return (f"{meta.get('architecture', '?')} {meta.get('activation', '')}, {meta.get('prior', '?')} prior "
            f"sigma_w = {meta.get('sigma_w', '?')}, sigma_b = {meta.get('sigma_b', '?')}{scaling}, "
            f"{meta.get('encoding', '01')} inputs")


def pac_bayes_figure(table, path=None):
    """The PAC-Bayes bound, the posterior's and SGD's test errors per target, one panel per ``m``.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of ``docs/experiments/pac_bayes.py`` (columns :data:`COLUMNS`; its
        metadata, if any, names the network and the prior in the title).
    path : str or Path, optional
        Save the figure there (``.png``, ``.svg`` or ``.pdf``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    BoolnetError
        ``table`` is not a DataFrame with those columns, or ``path`` cannot be written.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"target": ["and2", "parity"], "lz": [20.0, 70.0], "m": [32, 32], "bound": [0.4, 0.9],
    ...                   "bound_low_evidence": [0.45, 0.95], "posterior_test_error": [0.1, 0.5],
    ...                   "posterior_test_error_low": [0.09, 0.45], "posterior_test_error_high": [0.11, 0.55],
    ...                   "sgd_test_error": [0.12, 0.6], "sgd_test_error_low": [0.1, 0.55],
    ...                   "sgd_test_error_high": [0.14, 0.65], "evidence_check": ["rejection", "spread"]})
    >>> fig = pac_bayes_figure(t)
    >>> [ax.get_title() for ax in fig.axes]
    ['m = 32']
    """
    import pandas as pd

    check_path(path)
    if not isinstance(table, pd.DataFrame):
        raise BoolnetError(f"table must be the DataFrame of docs/experiments/pac_bayes.py, got "
                           f"{type(table).__name__}", param="table")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise BoolnetError(f"table lacks the column(s) {', '.join(missing)}: give the table "
                           "docs/experiments/pac_bayes.py writes (docs/data/pac_bayes_7-40-40-1.csv)", param="table")
    if table.empty:
        raise BoolnetError("table has no rows: nothing to draw", param="table")
    meta = dict(table.attrs.get("boolnet") or {})
    order = table.groupby("target")["lz"].first().sort_values(kind="stable")
    xpos = {name: k for k, name in enumerate(order.index)}
    sizes = sorted(int(m) for m in table["m"].unique())
    plt = pyplot()
    fig, axes = plt.subplots(1, len(sizes), figsize=(4.2 * len(sizes) + 1.0, 4.8), sharey=True,
                             constrained_layout=True, squeeze=False)
    series = (("bound", "PAC-Bayes bound (delta 0.05)", "tab:red", "v", -0.22),
              ("posterior_test_error", "posterior (prior restricted to S)", "tab:blue", "o", 0.0),
              ("sgd_test_error", "SGD (boolnet train defaults)", "tab:green", "s", 0.22))
    for ax, m in zip(axes[0], sizes):
        rows = table[table["m"] == m]
        x = np.array([xpos[t] for t in rows["target"]], dtype=float)
        trusted = rows["evidence_check"].isin(TRUSTED).to_numpy()
        for col, label, colour, marker, dx in series:
            y = rows[col].to_numpy(dtype=float)
            if col == "bound":
                lo, hi = y, rows["bound_low_evidence"].to_numpy(dtype=float)
            else:
                lo, hi = rows[f"{col}_low"].to_numpy(dtype=float), rows[f"{col}_high"].to_numpy(dtype=float)
            err = np.clip(np.vstack([y - lo, hi - y]), 0.0, None)
            err = np.nan_to_num(err)
            needs_evidence = col != "sgd_test_error"
            for mask, filled in ((trusted | (not needs_evidence), True), (~trusted & needs_evidence, False)):
                if not mask.any():
                    continue
                ax.errorbar(x[mask] + dx, y[mask], yerr=err[:, mask], fmt=marker, color=colour, capsize=3,
                            markerfacecolor=colour if filled else "white",
                            label=label if filled or not (trusted | (not needs_evidence)).any() else None)
        ax.set_title(f"m = {m}")
        ax.set_xticks(range(len(order)))
        ax.set_xticklabels([f"{name}\nLZ {lz:.0f}" for name, lz in order.items()], fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.axhline(0.5, color="grey", lw=0.6, ls=":")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("generalisation error on the 128 - m test inputs")
    handles, labels = axes[0][0].get_legend_handles_labels()
    if not (table["evidence_check"].isin(TRUSTED)).all():
        labels = list(labels) + ["hollow: P(S) not validated (evidence_check)"]
        handles = list(handles) + [plt.Line2D([], [], marker="o", ls="", color="grey", markerfacecolor="white")]
    fig.legend(handles, labels, loc="outside lower center", ncol=2 if len(sizes) == 1 else 4, fontsize=8,
               frameon=False)
    fig.suptitle(f"PAC-Bayes bound vs measured test error\n{_prior_text(meta)}", fontsize=10)
    save(fig, path)
    return fig
