"""The figure of ``boolnet compare``: two distributions over functions, e.g. P_SGD(f | S) against P_B(f | S).

:func:`plot_comparison` draws a log-log scatter of the two probabilities of every common
function (with both intervals and the diagonal) and, when a target and training set are
known, the mass each side puts at each test error. Each axis is labelled from its table's
metadata (:func:`comparison_label`): what the table measures (``P_B(f|S)``, a posterior;
``P_SGD(f|S)``, trainings; ``P(f)``, a prior), how (optimiser, learning rate, ...) and under
which network and prior (:func:`boolnet.levin.describe_metadata`).
"""

from __future__ import annotations

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.plots._figure import check_path, pyplot, save


def _number(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def comparison_label(metadata: dict | None, *, conditioned: bool = False, fallback: str = "A") -> str:
    """What a table of a comparison holds, in two lines: its symbol and how it was made, then its network and prior.

    Parameters
    ----------
    metadata : dict or None
        The table's metadata (``df.attrs["boolnet"]``, :func:`boolnet.table.schema.metadata_of`).
    conditioned : bool
        The comparison conditioned this (prior) table on the training set first.
    fallback : str
        The table's name when its metadata says nothing.

    Examples
    --------
    >>> print(comparison_label({"volume_method": "trained", "optimizer": "sgd", "lr": 0.001, "momentum": 0.9,
    ...                         "batch": 8, "loss": "ce", "architecture": "4-1", "prior": "gaussian"}))
    P_SGD(f|S) (trained: SGD lr 0.001, momentum 0.9, batch 8, ce loss)
    arch 4-1, trained, gaussian prior
    >>> print(comparison_label({"volume_method": "quadrature", "architecture": "4-1", "prior": "gaussian"},
    ...                        conditioned=True))
    P_B(f|S) (posterior: the prior table conditioned on S)
    arch 4-1, quadrature, gaussian prior
    >>> comparison_label({}, fallback="B")
    'P(f) in table B (no metadata)'
    """
    from boolnet.levin import describe_metadata

    m = metadata or {}
    if not m:
        return f"P(f) in table {fallback} (no metadata)"
    method = m.get("volume_method")
    if method == "trained":
        opt = str(m.get("optimizer", "")).upper() if m.get("optimizer") in ("sgd", "adam") else m.get("optimizer")
        detail = [f"{opt} lr {_number(m['lr'])}" if opt and m.get("lr") is not None else (opt or "")]
        if m.get("optimizer") == "sgd" and m.get("momentum") is not None:
            detail.append(f"momentum {_number(m['momentum'])}")
        if m.get("batch") is not None:
            detail.append(f"batch {m['batch']}")
        if m.get("loss"):
            detail.append(f"{m['loss']} loss")
        head = "P_SGD(f|S) (trained" + (": " + ", ".join(d for d in detail if d) if any(detail) else "") + ")"
    elif conditioned:
        head = "P_B(f|S) (posterior: the prior table conditioned on S)"
    elif m.get("conditioned_on_train") or m.get("target") is not None:
        head = f"P_B(f|S) (posterior{', ' + str(method) if method == 'sampled' else ''})"
    else:
        head = "P(f) (prior, not conditioned on a training set)"
    return f"{head}\n{describe_metadata(m)}"


def _labels(labels, meta_a, meta_b, info):
    if labels is None:
        return (comparison_label(meta_a, conditioned=bool(info.get("conditioned_a")), fallback="A"),
                comparison_label(meta_b, conditioned=bool(info.get("conditioned_b")), fallback="B"))
    wanted = "labels must be two strings (the axis labels of a and b), or None for labels from the tables' metadata"
    if isinstance(labels, str):
        raise BoolnetError(f"{wanted}, got the string {labels!r}", param="labels")
    try:
        out = tuple(labels)
    except TypeError:
        raise BoolnetError(f"{wanted}, got {labels!r}", param="labels") from None
    if len(out) != 2 or not all(isinstance(x, str) for x in out):
        raise BoolnetError(f"{wanted}, got {labels!r:.80}", param="labels")
    return out


def comparison_figure(a, b, *, target=None, train=None, labels=None):
    """The Figure :func:`plot_comparison` saves (see there); the caller closes it.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"function": ["0001", "0011"], "probability": [0.6, 0.4]})
    >>> b = pd.DataFrame({"function": ["0001", "0011"], "probability": [0.5, 0.5]})
    >>> fig = comparison_figure(a, b, labels=("P_B(f|S)", "P_SGD(f|S)"))
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('P_B(f|S)', 'P_SGD(f|S)')
    >>> pyplot().close(fig)
    """
    from boolnet.table.schema import metadata_of
    from boolnet.training.compare import _compare_frame

    frame, info = _compare_frame(a, b, target, train)
    label_a, label_b = _labels(labels, metadata_of(a) if hasattr(a, "attrs") else {},
                               metadata_of(b) if hasattr(b, "attrs") else {}, info)
    has_err = "test_error" in frame
    plt = pyplot()
    fig, axes = plt.subplots(1, 2 if has_err else 1, figsize=(13 if has_err else 6.5, 6.0), squeeze=False,
                             constrained_layout=True)
    ax = axes[0, 0]
    common = frame[(frame["p_a"] > 0) & (frame["p_b"] > 0)]
    if len(common):
        x, y = common["p_a"].to_numpy(), common["p_b"].to_numpy()
        xerr = np.vstack([x - common["p_a_low"].to_numpy(), common["p_a_high"].to_numpy() - x]).clip(0)
        yerr = np.vstack([y - common["p_b_low"].to_numpy(), common["p_b_high"].to_numpy() - y]).clip(0)
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", ms=3, alpha=0.6, elinewidth=0.6,
                    label="a common function (bars: its intervals)")
        lo = min(x.min(), y.min()) / 2
        ax.plot([lo, 1], [lo, 1], "k--", lw=0.8, label="y = x")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel(label_a, fontsize="small")
    ax.set_ylabel(label_b, fontsize="small")
    ax.set_title(f"{len(common)} functions with P > 0 on both sides", fontsize="medium")
    if has_err:
        ax = axes[0, 1]
        n_test = (1 << info["n"]) - len(info["train"])
        d = np.arange(n_test + 1)
        err = frame["test_error"].to_numpy()
        top = 0.0
        for side, label, shift in (("a", label_a, -0.2), ("b", label_b, 0.2)):
            mass = np.bincount(err, weights=frame[f"p_{side}"].to_numpy(), minlength=n_test + 1)
            ax.bar(d + shift, mass, width=0.4, label=label.split("\n")[0])
            top = max(top, float(mass.max()))
        ax.set_ylim(0, 1.3 * top if top > 0 else 1.0)   # room for the legend above the bars
        ax.set_xlabel("test error (Hamming distance to the target on the test inputs)")
        ax.set_ylabel("probability")
        ax.set_title(f"mass at each test error ({n_test} test inputs)", fontsize="medium")
        ax.legend(loc="upper left", fontsize="small")
        from boolnet.training.posterior import _short

        fig.suptitle(f"boolnet compare, both sides on {_short(info['target'], info['train'])}", fontsize="medium")
    return fig


def plot_comparison(a, b, path, *, target=None, train=None, labels=None):
    """Save the figure of ``boolnet compare``: the two probabilities of each common function, and the test error.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Volume tables, as :func:`boolnet.training.compare_tables` takes them.
    path : str or Path
        A ``.png``, ``.svg`` or ``.pdf`` file, checked before any work and written atomically.
    target, train : optional
        As :func:`boolnet.training.compare_tables`.
    labels : (str, str), optional
        The axis labels of ``a`` and ``b``; default from each table's metadata
        (:func:`comparison_label`).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> a = pd.DataFrame({"function": ["0001", "0011"], "probability": [0.6, 0.4]})
    >>> b = pd.DataFrame({"function": ["0001", "0011"], "probability": [0.5, 0.5]})
    >>> path = os.path.join(tempfile.mkdtemp(), "c.png")
    >>> plot_comparison(a, b, path, target="0001", train=[0, 3]).stat().st_size > 0
    True
    """
    path = check_path(path)
    if path is None:
        raise BoolnetError("path must be the name of the .png, .svg or .pdf file to write, got None", param="path")
    fig = comparison_figure(a, b, target=target, train=train, labels=labels)
    try:
        return save(fig, path, dpi=120)
    finally:
        pyplot().close(fig)


__all__ = ["plot_comparison", "comparison_figure", "comparison_label"]
