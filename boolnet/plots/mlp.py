"""A figure for the exact MLP engine: XOR and the constants against hidden width (n = 2).

:func:`width_sweep_figure` draws, for one hidden layer of widths 1..8 on 2 inputs, the exact
probability of XOR and of the two constant functions for step hidden units (from
:func:`boolnet.exact.mlp.exact_mlp_table`) beside sampled ReLU and tanh networks of the same
widths (from :func:`boolnet.sampling.sample_table`, 95% Wilson intervals).
"""

from __future__ import annotations

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.plots._figure import check_path, pyplot, save, whole_number
from boolnet.priors import Prior

XOR = "0110"
CONSTANTS = ("0000", "1111")

#: The two curves of each series in :func:`width_sweep_data`'s output.
KEYS = ("xor", "constants")


def _widths(widths) -> list:
    wanted = "widths must be a non-empty sequence of hidden widths, whole numbers >= 1 (such as range(1, 9))"
    try:
        widths = list(widths)
    except TypeError:
        raise BoolnetError(f"{wanted}, got {widths!r}", param="widths") from None
    if not widths:
        raise BoolnetError(f"{wanted}, got an empty sequence", param="widths")
    bad = [h for h in widths if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1]
    if bad:
        raise BoolnetError(f"{wanted}, got {bad[0]!r} among them", param="widths")
    return [int(h) for h in widths]


def _prior_of(prior) -> Prior:
    if prior is None:
        return Prior()
    if isinstance(prior, str):
        return Prior(prior)
    if not isinstance(prior, Prior):
        raise BoolnetError(f"prior must be a boolnet.Prior, a prior name ('gaussian', 'uniform') or None, "
                           f"got {prior!r}", param="prior")
    return prior


def _activations(activations) -> tuple:
    from boolnet.network import ACTIVATIONS

    wanted = f"sampled_activations must be a sequence of activation names from {', '.join(ACTIVATIONS)}"
    if isinstance(activations, str):   # "relu" would be read as the letters r, e, l, u
        raise BoolnetError(f"{wanted}, such as ({activations!r},); got the string {activations!r}",
                           param="sampled_activations")
    try:
        out = tuple(activations)
    except TypeError:
        raise BoolnetError(f"{wanted}, got {activations!r}", param="sampled_activations") from None
    bad = [a for a in out if not isinstance(a, str) or a not in ACTIVATIONS]
    if bad:
        raise BoolnetError(f"{wanted}, got {bad[0]!r}", param="sampled_activations")
    return out


def _series(data: dict) -> dict:
    """The curves of ``data`` (everything but its widths and its options)."""
    return {k: v for k, v in data.items() if k not in ("widths", "options")}


def _check_data(data) -> dict:
    """``data`` if it has the shape :func:`width_sweep_data` returns, else a BoolnetError saying that shape."""
    wanted = ('data must be the dict width_sweep_data() returns: {"widths": [h, ...], "step": {"xor": '
              '[(p, lo, hi), ...], "constants": [...]}, ...}, one (p, lo, hi) per width')
    if not isinstance(data, dict) or "widths" not in data:
        raise BoolnetError(f"{wanted}; got {data!r:.80}", param="data")
    try:
        widths = np.asarray(data["widths"], dtype=float)
    except (TypeError, ValueError):
        widths = np.array([[]])
    if widths.ndim != 1 or widths.size == 0:
        raise BoolnetError(f"{wanted}; its widths are {data['widths']!r:.80}", param="data")
    series = _series(data)
    if not series:
        raise BoolnetError(f"{wanted}; it has no series besides widths", param="data")
    for act, curves in series.items():
        if not isinstance(curves, dict) or any(key not in curves for key in KEYS):
            raise BoolnetError(f"{wanted}; its {act!r} entry is not a dict with 'xor' and 'constants'", param="data")
        for key in KEYS:
            try:
                vals = np.asarray(curves[key], dtype=float)
            except (TypeError, ValueError):
                vals = np.array([])
            if vals.shape != (widths.size, 3):
                raise BoolnetError(f"{wanted}; its {act!r} {key!r} entry is not {widths.size} (p, lo, hi) triples",
                                   param="data")
    return data


def _sampled(arch: str, activation: str, prior: Prior, samples: int, seed: int) -> dict:
    from boolnet.sampling import sample_table
    from boolnet.table.build import wilson_interval

    df = sample_table(arch, activation=activation, prior=prior, samples=samples, seed=seed, progress=False)
    counts = dict(zip(df["function"], df["count"]))
    out = {}
    for name, fs in (("xor", (XOR,)), ("constants", CONSTANTS)):
        c = int(sum(counts.get(f, 0) for f in fs))
        lo, hi = wilson_interval(np.array([c]), samples)
        out[name] = (c / samples, float(lo[0]), float(hi[0]))
    return out


def _options(prior: Prior, samples: int, seed: int, sampled_activations) -> dict:
    return {"prior": prior.metadata(), "samples": int(samples), "seed": int(seed),
            "sampled": list(sampled_activations)}


def caption(options: dict) -> str:
    """The line under :func:`width_sweep_figure`'s panels: the prior and the options of the numbers drawn.

    Examples
    --------
    >>> print(caption(_options(Prior(), 200_000, 0, ("relu", "tanh"))))
    one hidden layer on 0/1 inputs; gaussian prior (sigma_w 1, sigma_b 1, fan-in scaled); step: exact engine; relu, tanh: 200,000 sampled networks per width (seed 0), 95% Wilson intervals
    """
    from boolnet.levin import describe_metadata

    text = f"one hidden layer on 0/1 inputs; {describe_metadata(options.get('prior'))}; step: exact engine"
    if options.get("sampled"):
        text += (f"; {', '.join(options['sampled'])}: {options['samples']:,} sampled networks per width "
                 f"(seed {options['seed']}), 95% Wilson intervals")
    return text


def width_sweep_data(widths=range(1, 9), prior: Prior | None = None, samples: int = 200_000, seed: int = 0,
                     sampled_activations=("relu", "tanh")) -> dict:
    """The numbers behind :func:`width_sweep_figure`.

    Parameters
    ----------
    widths : iterable of int
        Hidden widths of the networks ``2-H-1``, each >= 1 (not empty).
    prior : boolnet.priors.Prior or str, optional
        Default: gaussian with fan-in scaling.
    samples, seed : int
        Sampled networks per width and activation (>= 1), and the sampler's seed (>= 0).
    sampled_activations : sequence of str
        Hidden activations to sample beside the exact step units; ``()`` for none.

    Returns
    -------
    dict
        ``{"widths": [...], "options": {...}, "step": {"xor": [(p, lo, hi)], "constants": [...]},
        "relu": {...}, ...}``; ``options`` names the prior, samples and seed (the figure's caption);
        exact entries have ``lo = hi = p`` up to their error bound; widths the exact engine cannot
        do under ``prior`` are NaN.

    Examples
    --------
    >>> d = width_sweep_data(widths=[1, 2], prior=Prior("uniform", fan_in_scaling=False), samples=2000,
    ...                      sampled_activations=())
    >>> d["step"]["xor"][0][0], round(d["step"]["xor"][1][0] * 9216)      # 2-1-1: none; 2-2-1: 7/9216
    (0.0, 7)
    """
    from boolnet.exact.mlp import exact_mlp_table

    widths = _widths(widths)
    prior = _prior_of(prior)
    sampled_activations = _activations(sampled_activations)
    samples = whole_number(samples, "samples", 1)
    seed = whole_number(seed, "seed", 0)
    data = {"widths": widths, "options": _options(prior, samples, seed, sampled_activations),
            "step": {"xor": [], "constants": []}}
    for h in widths:
        try:
            t = exact_mlp_table(f"2-{h}-1", activation="step", prior=prior)
        except BoolnetError:
            for key in ("xor", "constants"):
                data["step"][key].append((np.nan, np.nan, np.nan))
            continue
        p = dict(zip(t["function"], zip(t["probability"], t["probability_low"], t["probability_high"])))
        for key, fs in (("xor", (XOR,)), ("constants", CONSTANTS)):
            vals = [p.get(f, (0.0, 0.0, 0.0)) for f in fs]
            data["step"][key].append(tuple(float(sum(v[k] for v in vals)) for k in range(3)))
    for act in sampled_activations:
        data[act] = {"xor": [], "constants": []}
        for h in widths:
            s = _sampled(f"2-{h}-1", act, prior, samples, seed)
            for key in ("xor", "constants"):
                data[act][key].append(s[key])
    return data


def width_sweep_figure(widths=range(1, 9), prior: Prior | None = None, samples: int = 200_000, seed: int = 0,
                       path=None, data: dict | None = None):
    """XOR's and the constants' probability against hidden width, n = 2, one hidden layer.

    Exact step hidden units (markers joined by lines) beside sampled ReLU and tanh networks at the
    same widths (95% Wilson intervals). The title states the prior, the samples and the seed
    (:func:`caption`); the y-range is padded so that no point or interval end lies on the frame. The gaussian prior does widths 1..8 exactly; the uniform
    cube widths 1..5 (see docs/exact_mlp.md).

    Parameters
    ----------
    widths : iterable of int
        Hidden widths, each >= 1 (not empty).
    prior : boolnet.priors.Prior or str, optional
        Default: gaussian with fan-in scaling.
    samples, seed : int
        Sampled networks per width and activation, and the sampler's seed.
    path : str or Path, optional
        Save the figure there as PNG.
    data : dict, optional
        Output of :func:`width_sweep_data` (skips the computation; its ``options`` name the
        prior in the title; data without them are described by ``prior``, ``samples`` and ``seed``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> cube = Prior("uniform", fan_in_scaling=False)
    >>> d = width_sweep_data(widths=[1, 2, 3], prior=cube, sampled_activations=())   # exact step only
    >>> fig = width_sweep_figure(data=d)
    >>> [ax.get_title() for ax in fig.axes]
    ['constants (0000 + 1111)', 'XOR (0110)']
    """
    check_path(path)   # before a computation that can take a minute
    if data is not None:
        data = _check_data(data)
        options = data.get("options") or _options(_prior_of(prior), whole_number(samples, "samples", 1),
                                                   whole_number(seed, "seed", 0),
                                                   [a for a in _series(data) if a != "step"])
    else:
        data = width_sweep_data(widths, prior, samples, seed)
        options = data["options"]
    w = np.array(data["widths"], dtype=float)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.6), constrained_layout=True)
    styles = {"step": dict(color="black", marker="o"), "relu": dict(color="tab:blue", marker="s"),
              "tanh": dict(color="tab:orange", marker="^")}
    series = _series(data)
    for ax, key, title in ((axes[0], "constants", "constants (0000 + 1111)"), (axes[1], "xor", "XOR (0110)")):
        for k, (act, curves) in enumerate(series.items()):
            vals = np.array(curves[key], dtype=float)
            offset = (k - 1) * 0.08
            label = "step (exact)" if act == "step" else f"{act} (sampled, 95% Wilson)"
            style = styles.get(act, {})
            if act == "step":
                ax.plot(w, vals[:, 0], label=label, **style)
            else:
                err = np.clip(np.vstack([vals[:, 0] - vals[:, 1], vals[:, 2] - vals[:, 0]]), 0.0, None)
                ax.errorbar(w + offset, vals[:, 0], yerr=err, linestyle="--", capsize=3, label=label, **style)
        ax.set_title(title)
        ax.set_xlabel("hidden width H (network 2-H-1)")
        ax.set_ylabel("probability")
        ax.set_xticks(w)
        values = np.array([v for curves in series.values() for v in curves[key]], dtype=float)
        values = values[np.isfinite(values)]
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        if key == "xor" and hi > 0:
            linthresh = 1e-5
            ax.set_yscale("symlog", linthresh=linthresh)
            # Pad in the drawn (symlog) scale: a tenth of a decade above the top, a third of the linear part below 0.
            top = hi * 10 ** 0.15 if hi > linthresh else hi + 0.3 * linthresh
            ax.set_ylim(min(lo, 0.0) - 0.3 * linthresh, top)
        else:
            pad = 0.06 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1e-12)
            ax.set_ylim(lo - pad, hi + pad)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    import textwrap

    fig.suptitle("XOR and the constant functions against hidden width, n = 2 (networks 2-H-1)\n"
                 + textwrap.fill(caption(options), 125), fontsize=9.5)
    save(fig, path, dpi=120)
    return fig


__all__ = ["width_sweep_figure", "width_sweep_data", "caption"]
