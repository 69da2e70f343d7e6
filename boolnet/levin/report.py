"""The text reports of ``boolnet levin``: the fit, the class-balance strata, the measure ranking and P(K)."""

from __future__ import annotations

import math
import textwrap

from boolnet.table import schema


def describe_metadata(metadata: dict | None) -> str:
    """One line naming the network, volume method and prior a table's metadata describes.

    Examples
    --------
    >>> describe_metadata({"architecture": "3-1", "volume_method": "exact", "prior": "gaussian",
    ...                    "sigma_w": "1", "sigma_b": "1", "fan_in_scaling": True, "encoding": "01",
    ...                    "bias": True})
    'arch 3-1, exact, gaussian prior (sigma_w 1, sigma_b 1, fan-in scaled), encoding 01, bias'
    >>> describe_metadata({"volume_method": "sampled", "architecture": "7-40-40-1", "activation": "relu",
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
    method = schema.volume_method(m)
    if method in ("sampled", "trained", "merged"):
        parts.append(f"{method} ({int(float(m['samples'])):,} samples)" if m.get("samples") else method)
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


def _rho_text(rho: float, p: float) -> str:
    if not math.isfinite(rho):
        return "undefined (K or P constant)"
    p_text = "p < 1e-300" if p == 0 else f"p = {p:.3g}"  # 0 means underflow
    return f"{rho:+.4f} ({p_text})"


def format_report(report, metadata: dict | None = None) -> str:
    """The text report of ``boolnet levin`` for a :class:`~boolnet.levin.LevinReport`.

    Examples
    --------
    >>> import pandas as pd
    >>> from boolnet.levin import levin_fit
    >>> r = levin_fit(pd.DataFrame({"probability": [0.5, 0.25, 0.25], "K": [0, 1, 2]}), "K")
    >>> print(format_report(r).splitlines()[0])
    Levin bound  log2 P <= -a K - b,  K = K
    """
    r = report
    table = describe_metadata(metadata) if metadata is not None else (getattr(r, "source", "") or "(no metadata)")
    lines = [f"Levin bound  log2 P <= -a K - b,  K = {r.measure}"]
    lines += _wrapped(f"table:      {table}")
    lines += _wrapped(f"functions:  {r.n_used:,} used of {r.n_functions:,} (trusted: {r.trust_rule}); "
                      f"their probability mass {r.mass_used:.6g}")
    if r.uniform_log2 is not None:
        lines += _wrapped(f"uniform:    2^-(2^{r.n}) = 2^{r.uniform_log2:g} = {r.uniform_probability:.6g} per "
                          "function (the probability of each function if all were equally likely)")
    lines.append(f"Spearman rho(K, log2 P) = {_rho_text(r.spearman_rho, r.spearman_p)}")
    lines.append("")
    lines.append(f"{'bound':<22}{'a':>8}{'b':>9}{'mean gap':>10}  {'within 1 bit':>15}  {'within 5 bits':>15}"
                 f"  {'above':>6}")
    lines.append(f"{'':<22}{'bits/K':>8}{'bits':>9}{'bits':>10}  {'funcs / mass':>15}  {'funcs / mass':>15}"
                 f"  {'':>6}")
    for label, bnd in (("tightest (upper hull)", r.hull), (f"robust (quantile {r.quantile.tau:g})", r.quantile)):
        w1 = f"{_pct(bnd.share_within[1])} / {_pct(bnd.mass_within[1])}"
        w5 = f"{_pct(bnd.share_within[5])} / {_pct(bnd.mass_within[5])}"
        lines.append(f"{label:<22}{bnd.a:>8.4f}{bnd.b:>9.4f}{bnd.mean_gap:>10.3f}  {w1:>15}  {w5:>15}"
                     f"  {_pct(bnd.share_above):>6}")
    lines.append("")
    lines += _wrapped("mean gap: mean of (-a K - b - log2 P) over the used functions; within d bits: "
                      "log2 P >= -a K - b - d (mass: their total probability); above: share of functions over "
                      "the line.", "")
    if r.within is not None:
        lines.append("")
        lines.append(format_within(r.within, r.measure))
    return "\n".join(line.rstrip() for line in "\n".join(lines).splitlines()) + "\n"


#: Width of the printed reports (a notebook cell or a terminal of 100 columns shows them whole).
REPORT_WIDTH = 100


def _wrapped(text: str, indent: str = "            ") -> list[str]:
    """``text`` as lines of at most :data:`REPORT_WIDTH` characters, continuation lines indented."""
    return textwrap.wrap(text, REPORT_WIDTH, subsequent_indent=indent, break_on_hyphens=False) or [""]


def format_within(within, measure: str = "K") -> str:
    """The class-balance section: pooled within-stratum rho, then one line per stratum.

    Examples
    --------
    >>> from boolnet.levin import within_report
    >>> w = within_report([0, 1, 0, 1], [-1.0, -2.0, -3.0, -4.0], [.4, .2, .1, .05], [1, 1, 2, 2])
    >>> print("\\n".join(format_within(w).splitlines()[:2]))
    Within strata of ones (class balance held fixed): pooled Spearman rho(K, log2 P) = -1.0000 (p =
      0.157), z = -1.41
    """
    w = within
    lines = _wrapped(f"Within strata of {w.by} (class balance held fixed): pooled Spearman rho(K, log2 P) = "
                     f"{_rho_text(w.rho, w.p)}" + (f", z = {w.z:+.2f}" if math.isfinite(w.z) else ""), "  ")
    lines += _wrapped(f"  {w.n_informative} of {w.n_strata} strata informative (>= 2 functions, K and P not "
                      f"constant), {w.n_informative_functions:,} functions; strata pooled as blocks (docs/levin.md)",
                      "  ")
    lines += [
        "",
        f"{w.by:>6}{'functions':>11}{'mass':>11}{'rho':>9}{'p':>11}{'hull a':>9}{'hull b':>9}{'gap':>8}"
        f"{'robust a':>10}{'robust b':>10}",
    ]
    for s in w.strata:
        rho = "nan" if not math.isfinite(s.spearman_rho) else f"{s.spearman_rho:+.3f}"
        p = "" if not math.isfinite(s.spearman_p) else f"{s.spearman_p:.2g}"
        if s.hull is not None:
            fit = (f"{s.hull.a:>9.3f}{s.hull.b:>9.3f}{s.hull.mean_gap:>8.2f}{s.quantile.a:>10.3f}"
                   f"{s.quantile.b:>10.3f}")
        else:
            fit = ""
        lines.append(f"{s.value!s:>6}{s.n_used:>11,}{s.mass:>11.4g}{rho:>9}{p:>11}{fit}")
    return "\n".join(lines)


def format_ranking(ranking, metadata: dict | None = None) -> str:
    """The text table of ``boolnet levin --all-measures``.

    Examples
    --------
    >>> import pandas as pd
    >>> from boolnet.levin import rank_measures
    >>> ranking = rank_measures(pd.DataFrame({"probability": [0.5, 0.25, 0.25], "K": [0, 1, 2]}))
    >>> print(format_ranking(ranking).splitlines()[-1].split())
    ['1', 'K', '0.1667', '0.5000', '1.0000', '100.0%', '100.0%', '-0.8660', '1', '3']
    """
    import pandas as pd

    within = "within_rho" in ranking.columns
    lines = [
        "Measures ranked by the tightness of the Levin bound log2 P <= -a K - b" if not within else
        "Measures ranked by what they explain beyond the number of ones (pooled within-stratum rho)",
        f"table: {describe_metadata(metadata)}",
        "rank_tightness: smallest mean gap of the tightest bound first; "
        "rank_prediction: most negative Spearman rho(K, log2 P) first"
        + ("; rank_within: most negative within-stratum rho first" if within else ""),
        "",
    ]
    show = ranking.copy()
    for col in ("share_within_1", "mass_within_1", "share_within_5", "mass_within_5"):
        show[col] = (100 * show[col]).map(lambda v: f"{v:.1f}%")
    for col in ("a", "b", "robust_a", "robust_b", "mean_gap"):
        show[col] = show[col].map(lambda v: f"{v:.4f}")
    rho_cols = ["spearman_rho"] + (["within_rho"] if within else [])
    for col in rho_cols:
        show[col] = show[col].map(lambda v: "nan" if not math.isfinite(v) else f"{v:+.4f}")
    cols = ["rank_tightness", "measure", "mean_gap", "a", "b", "share_within_1", "mass_within_1",
            "spearman_rho", "rank_prediction", "n_used"]
    if within:
        show["within_z"] = show["within_z"].map(lambda v: "nan" if not math.isfinite(v) else f"{v:+.1f}")
        cols = ["rank_within", "measure", "within_rho", "within_z", "spearman_rho", "rank_prediction", "mean_gap",
                "rank_tightness", "n_used"]
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        lines.append(show[cols].to_string(index=False))
    return "\n".join(lines) + "\n"


def format_pk(pk) -> str:
    """The P(K) table of ``boolnet levin --pk`` (a frame from :func:`boolnet.levin.probability_by_complexity`).

    Examples
    --------
    >>> import pandas as pd
    >>> from boolnet.levin import probability_by_complexity
    >>> pk = probability_by_complexity(pd.DataFrame({"probability": [0.75, 0.25], "K": [1.0, 2.0]}), "K")
    >>> print(format_pk(pk).splitlines()[1])
    mean K under P = 1.2500; mean K over the table's 2 functions = 1.5000; mass covered 1
    """
    import pandas as pd

    info = schema.metadata_of(pk)["pk"]
    m = info["measure"]
    lines = [
        f"P(K): probability mass at each value of K = {m}",
        f"mean K under P = {info['mean']:.4f}; mean K over the table's {info['functions']:,} functions = "
        f"{info['mean_over_functions']:.4f}; mass covered {info['mass']:.6g}",
    ]
    if "mean_uniform" in info:
        lines.append(f"uniform: the share of all functions at K (every function equally likely), mean K "
                     f"{info['mean_uniform']:.4f}")
    lines.append("")
    show = pk.copy()
    show[m] = show[m].map(lambda v: f"{v:g}")
    show["probability"] = show["probability"].map(lambda v: f"{v:.6g}")
    show["cumulative"] = show["cumulative"].map(lambda v: f"{v:.6g}")
    if "uniform" in show.columns:
        show["uniform"] = show["uniform"].map(lambda v: f"{v:.6g}")
    with pd.option_context("display.width", 250, "display.max_rows", 500):
        lines.append(show.to_string(index=False))
    return "\n".join(lines) + "\n"
