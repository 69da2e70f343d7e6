"""How fast finite networks approach the infinite-width limit, and how wrong EP is (issue 19 item 3).

    python docs/experiments/nngp_widths.py [--part all|sweep|tanh|evidence|ep] [--seed 0]
                                           [--data docs/data] [--images docs/images]

Gaussian prior (sigma_w = sigma_b = 1 unless said, fan-in scaling), 0/1 inputs, biases. Four parts, each
writing a summary table ``DATA/nngp_widths_PART.csv`` (the sweep: ``nngp_widths_sweep_n5.csv`` and
``_n7.csv``, since a table's truth tables share one length) with ``bn.write_table`` (CSV and a metadata
sidecar recording this command, the options, the sample sizes and the CPU seconds):

* ``sweep``: for n = 5, 7, relu and tanh, depth 1 and 2, the limit ``n-inf-1`` / ``n-inf-inf-1`` is
  sampled (``--limit-samples``) and compared with finite widths 1, 2, 4, ..., 1024 (depth 1) and
  1, ..., 512 (depth 2; 7-1024-1024-1 runs at about 250 samples/s), with the sample sizes of
  ``schedule()``; a second, independent sample of the limit (``width`` = ``inf``, seed + 1, the size of the
  small widths) gives the level every statistic has from sampling noise alone. Per width: over the
  functions the limit saw >= 20 times and that the width's sample would see >= 20 times if it followed
  the limit (chosen by the limit alone, so that the width's own fluctuations select nothing; a function
  the width never produced counts 0.5), the Spearman rank correlation of P, the mean and sd of
  log10 P(width) - log10 P(limit) and the sd that the counts' Poisson noise alone would give; the KL
  divergence KL(P_width || P_limit) in bits of the distribution of LZ complexity (the limit's LZ values
  seen fewer than 20 times pooled into one cell) and of the partition of function space into the
  limit's head (every function seen >= 20 times in the limit, each its own cell) and the rest (one cell):
  a coarse-graining, hence a lower bound on the KL over functions, which itself cannot be estimated
  (most of the mass at n = 7 is on functions seen once or never); the mean LZ complexity, and P of the
  two constant functions.
* ``tanh``: 7-256-1 and 7-64-64-1 tanh at sigma_w = 1, 2, 4, 8 (sigma_b = 1) against their limits, the
  same statistics.
* ``evidence``: P(S) at m = 32 (``training_set(7, 32, seed=TRAIN_SEED)``) for x1 AND x2, majority and a
  random function: the limit (depth 1 and 2, minimax tilting and EP) and finite widths (the splitting
  estimator ``bn.evidence``, 100 particles, 8 replicas).
* ``ep``: 7-inf-inf-1 relu, 154 functions at seed 0 (sampled from the limit across the range of P, random
  functions with 8, 16, 32, 64 and 96 ones, uniformly random functions, parity and its complement):
  log10 P by minimax tilting (95% interval, relative error 0.1) and by EP, and their LZ complexity.

Figures (``IMAGES/nngp_widths.png``, ``IMAGES/nngp_widths_ep.png``) are drawn from the tables
(``--part figures`` redraws them). Everything runs on one thread; every stream is seeded from
``--seed``, so the command reproduces the tables (the sidecars' timings differ from run to run).
Why here: the tables are summaries that docs/nngp.md quotes (docs/data/README.md), not volume tables.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

#: Functions must be seen this often in both tables to enter the per-function comparisons.
MIN_COUNT = 20
WIDTHS_1 = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
WIDTHS_2 = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def schedule(depth: int, width: int) -> int:
    """Samples of a finite width (cost grows like the width at depth 1 and its square at depth 2)."""
    if depth == 1:
        return 500_000 if width <= 64 else 200_000 if width <= 256 else 100_000
    return 500_000 if width <= 32 else 200_000 if width <= 128 else 50_000 if width <= 256 else 20_000


def arch_of(n: int, width, depth: int) -> str:
    return f"{n}-" + "-".join([str(width)] * depth) + "-1"


def target_table(name: str, n: int = 7) -> str:
    """Truth table of a named target (x1 the most significant bit of the input index)."""
    i = np.arange(2 ** n)
    x = (i[:, None] >> np.arange(n - 1, -1, -1)[None, :]) & 1
    if name == "and2":
        bits = x[:, 0] & x[:, 1]
    elif name == "majority":
        bits = x.sum(axis=1) > n / 2
    elif name == "parity":
        bits = x.sum(axis=1) % 2 == 1
    elif name.startswith("random"):
        bits = np.random.default_rng(int(name[len("random"):])).integers(0, 2, 2 ** n)
    else:
        raise SystemExit(f"unknown target {name!r}")
    return "".join("1" if b else "0" for b in np.asarray(bits).astype(bool))


def with_lz(df):
    import boolnet as bn

    return bn.add_measures(df[["function", "count"]].copy(), measures=["lz"])


def compare(width_df, limit_df, n: int) -> dict:
    """The statistics of one finite table (function, count, lz) against the limit's."""
    from scipy import stats

    nw, nl = float(width_df["count"].sum()), float(limit_df["count"].sum())
    cw = width_df.set_index("function")["count"]
    cl = limit_df.set_index("function")["count"]
    # Functions chosen by the limit alone (so that the width's own fluctuations do not select them): those
    # the limit saw >= MIN_COUNT times and whose expected count in the width's sample is >= MIN_COUNT. A
    # function the width never produced counts as 0.5 (widths 1 and 2 cannot compute some of them).
    chosen = cl.index[(cl.to_numpy() >= MIN_COUNT) & (cl.to_numpy() * nw / nl >= MIN_COUNT)]
    b = cl.reindex(chosen).to_numpy(float)
    a = cw.reindex(chosen, fill_value=0).to_numpy(float)
    mode = width_df.loc[width_df["count"].idxmax()]
    row = {"function": mode["function"], "p_mode": float(mode["count"] / nw), "compared": len(chosen),
           "compared_unseen": int((a == 0).sum())}
    a = np.where(a == 0, 0.5, a)
    if len(chosen) >= 3:
        d = np.log10(a / nw) - np.log10(b / nl)
        row.update({
            "spearman": float(stats.spearmanr(a, b).statistic),
            "dlog10_mean": float(d.mean()), "dlog10_sd": float(d.std(ddof=1)),
            "dlog10_noise_sd": float(np.sqrt(np.mean((1 / a + 1 / b) / math.log(10) ** 2))),
            "dlog10_abs_max": float(np.abs(d).max()),
        })
    else:
        row.update({k: math.nan for k in ("spearman", "dlog10_mean", "dlog10_sd", "dlog10_noise_sd", "dlog10_abs_max")})
    # KL over LZ complexity; the limit's LZ values seen < MIN_COUNT times pooled into one cell.
    kw = width_df.groupby("lz")["count"].sum()
    kl = limit_df.groupby("lz")["count"].sum()
    head = kl.index[kl.to_numpy() >= MIN_COUNT]
    pw = np.append(kw.reindex(head, fill_value=0).to_numpy(float), nw - kw.reindex(head, fill_value=0).sum()) / nw
    pl = np.append(kl.reindex(head).to_numpy(float), nl - kl.reindex(head).sum()) / nl
    row["kl_lz_bits"] = _kl(pw, pl)
    row["kl_lz_cells"] = len(pw)
    # KL over the partition {each head function of the limit} + {the rest}.
    hf = cl.index[cl.to_numpy() >= MIN_COUNT]
    qw = cw.reindex(hf, fill_value=0).to_numpy(float)
    ql = cl.reindex(hf).to_numpy(float)
    pw = np.append(qw, nw - qw.sum()) / nw
    pl = np.append(ql, nl - ql.sum()) / nl
    row["kl_head_bits"] = _kl(pw, pl)
    row["head_functions"] = len(hf)
    row["head_mass_width"] = float(qw.sum() / nw)
    row["head_mass_limit"] = float(ql.sum() / nl)
    row["mean_lz"] = float((width_df["lz"] * width_df["count"]).sum() / nw)
    row["p_zero"] = float(cw.get("0" * 2 ** n, 0) / nw)
    row["p_one"] = float(cw.get("1" * 2 ** n, 0) / nw)
    row["distinct"] = len(width_df)
    row["seen_once_fraction"] = float((width_df["count"] == 1).sum() / nw)
    return row


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    m = p > 0
    if np.any(q[m] <= 0):
        return math.inf
    return float(np.sum(p[m] * np.log2(p[m] / q[m])))


def _sample(arch, activation, samples, seed, prior=None):
    import boolnet as bn

    begin = time.process_time()
    df = bn.sample_table(arch, activation=activation, prior=prior, samples=samples, seed=seed, threads=1,
                         progress=False)
    return with_lz(df), time.process_time() - begin


def part_sweep(args) -> tuple[list, dict]:
    rows, cpu = [], {}
    for n in args.n:
        for activation in args.activations:
            for depth in (1, 2):
                limit_arch = arch_of(n, "inf", depth)
                limit, sec = _sample(limit_arch, activation, args.limit_samples, args.seed)
                cpu[f"{limit_arch} {activation}"] = round(sec, 1)
                null, sec = _sample(limit_arch, activation, args.null_samples, args.seed + 1)
                base = {"n": n, "activation": activation, "depth": depth, "sigma_w": 1.0,
                        "limit_samples": args.limit_samples}
                rows.append({**base, "width": "inf", "arch": limit_arch, "samples": args.null_samples,
                             "cpu_seconds": round(sec, 1), **compare(null, limit, n)})
                print(_line(rows[-1]), flush=True)
                widths = WIDTHS_1 if depth == 1 else WIDTHS_2
                for width in widths:
                    if width > args.max_width[depth - 1]:
                        continue
                    arch = arch_of(n, width, depth)
                    samples = max(1, int(schedule(depth, width) * args.scale))
                    df, sec = _sample(arch, activation, samples, args.seed)
                    cpu[f"{arch} {activation}"] = round(sec, 1)
                    rows.append({**base, "width": str(width), "arch": arch, "samples": samples,
                                 "cpu_seconds": round(sec, 1), **compare(df, limit, n)})
                    print(_line(rows[-1]), flush=True)
    return rows, cpu


def part_tanh(args) -> tuple[list, dict]:
    from boolnet.priors import Prior

    rows, cpu = [], {}
    for arch, limit_arch in (("7-256-1", "7-inf-1"), ("7-64-64-1", "7-inf-inf-1")):
        for sw in (1.0, 2.0, 4.0, 8.0):
            prior = Prior("gaussian", sigma_w=sw, sigma_b=1.0)
            limit, sec_l = _sample(limit_arch, "tanh", args.limit_samples, args.seed, prior)
            null, _ = _sample(limit_arch, "tanh", args.null_samples, args.seed + 1, prior)
            samples = max(1, int(200_000 * args.scale))
            df, sec = _sample(arch, "tanh", samples, args.seed, prior)
            cpu[f"{arch} sigma_w={sw}"] = round(sec, 1)
            cpu[f"{limit_arch} sigma_w={sw}"] = round(sec_l, 1)
            base = {"n": 7, "activation": "tanh", "depth": arch.count("-") - 1, "sigma_w": sw,
                    "limit_samples": args.limit_samples}
            rows.append({**base, "width": "inf", "arch": limit_arch, "samples": args.null_samples,
                         "cpu_seconds": 0.0, **compare(null, limit, 7)})
            print(_line(rows[-1]), flush=True)
            rows.append({**base, "width": arch.split("-")[1], "arch": arch, "samples": samples,
                         "cpu_seconds": round(sec, 1), **compare(df, limit, 7)})
            print(_line(rows[-1]), flush=True)
    return rows, cpu


def _line(r: dict) -> str:
    return (f"n={r['n']} {r['activation']:4s} d={r['depth']} sw={r['sigma_w']:g} w={r['width']:>4s} N={r['samples']:>7d} "
            f"cmp={r['compared']:5d} rho={r['spearman']:.3f} dlog={r['dlog10_mean']:+.3f}+-{r['dlog10_sd']:.3f} "
            f"(noise {r['dlog10_noise_sd']:.3f}) KL_lz={r['kl_lz_bits']:.4f} KL_head={r['kl_head_bits']:.4f} "
            f"<K>={r['mean_lz']:.2f} P0={r['p_zero']:.4f} P1={r['p_one']:.4f} cpu={r['cpu_seconds']}")


def part_evidence(args) -> tuple[list, dict]:
    import boolnet as bn

    train = bn.training_set(7, 32, seed=args.train_seed)
    rows, cpu = [], {}
    for name in args.targets:
        target = target_table(name)
        lz = float(bn.measure(target, "lz"))
        for depth in (1, 2):
            for method in ("tilting", "ep"):
                begin = time.process_time()
                e = bn.evidence(arch_of(7, "inf", depth), target, train, method=method, seed=args.seed,
                                rel_error=0.1, threads=1, progress=False)
                rows.append({"target": name, "function": target, "lz": lz, "depth": depth, "width": "inf",
                             "method": method, **_ev(e), "cpu_seconds": round(time.process_time() - begin, 1)})
                print(rows[-1] | {"function": ""}, flush=True)
            for width in args.evidence_widths[depth - 1]:
                arch = arch_of(7, width, depth)
                begin = time.process_time()
                e = bn.evidence(arch, target, train, seed=args.seed, particles=100, replicas=8, max_replicas=8,
                                threads=1, progress=False)
                sec = time.process_time() - begin
                cpu[f"{name} {arch}"] = round(sec, 1)
                rows.append({"target": name, "function": target, "lz": lz, "depth": depth, "width": str(width),
                             "method": "splitting", **_ev(e), "cpu_seconds": round(sec, 1)})
                print(rows[-1] | {"function": ""}, flush=True)
    return rows, cpu


def _ev(e: dict) -> dict:
    p, lo, hi = e["evidence"], e["evidence_low"], e["evidence_high"]
    lg = (lambda v: math.log10(v) if v and v > 0 and np.isfinite(v) else math.nan)
    return {"evidence": p, "evidence_low": lo, "evidence_high": hi, "log10_evidence": lg(p),
            "log10_evidence_low": lg(lo), "log10_evidence_high": lg(hi), "status": e["status"],
            "replicas": e["replicas"], "rel_error": e["rel_error"]}


def ep_functions(args) -> list[tuple[str, str]]:
    """(kind, truth table): sampled across the range of P, biased random, uniform random, parity."""
    import boolnet as bn

    rng = np.random.default_rng([args.seed, 19, 3])
    df = bn.sample_table("7-inf-inf-1", activation="relu", samples=args.limit_samples, seed=args.seed + 2,
                         threads=1, progress=False)
    logc = np.log10(df["count"].to_numpy(float))
    chosen = []
    edges = np.arange(0.0, math.ceil(logc.max()) + 0.5, 0.5)
    for lo in edges:                       # up to 10 functions per half-decade of count
        idx = np.flatnonzero((logc >= lo) & (logc < lo + 0.5))
        for i in rng.permutation(idx)[:10]:
            chosen.append(("sampled", df["function"].iloc[i]))
    for ones in (8, 16, 32, 64, 96):
        for _ in range(12):
            bits = np.zeros(128, dtype=int)
            bits[rng.choice(128, ones, replace=False)] = 1
            chosen.append((f"random_{ones}_ones", "".join(map(str, bits))))
    for _ in range(40):
        chosen.append(("random", "".join(map(str, rng.integers(0, 2, 128)))))
    par = target_table("parity")
    chosen += [("parity", par), ("parity", "".join("1" if c == "0" else "0" for c in par))]
    seen, out = set(), []
    for kind, f in chosen:
        if f not in seen:
            seen.add(f)
            out.append((kind, f))
    return out


def part_ep(args) -> tuple[list, dict]:
    import boolnet as bn

    funcs = ep_functions(args)
    fs = [f for _, f in funcs]
    cpu = {}
    begin = time.process_time()
    til = bn.estimate_table("7-inf-inf-1", fs, activation="relu", method="tilting", rel_error=0.1, seed=args.seed,
                            threads=1, progress=False)
    cpu["tilting"] = round(time.process_time() - begin, 1)
    begin = time.process_time()
    ep = bn.estimate_table("7-inf-inf-1", fs, activation="relu", method="ep", threads=1, progress=False)
    cpu["ep"] = round(time.process_time() - begin, 1)
    til = til.set_index("function")
    ep = ep.set_index("function")
    lz = bn.add_measures(til.reset_index()[["function"]], measures=["lz"]).set_index("function")["lz"]
    rows = []
    for kind, f in funcs:
        t, e = til.loc[f], ep.loc[f]
        lt = math.log10(t["probability"]) if t["probability"] > 0 else math.nan
        le = math.log10(e["probability"]) if e["probability"] > 0 else math.nan
        rows.append({"kind": kind, "function": f, "lz": float(lz.loc[f]), "ones": f.count("1"),
                     "log10_tilting": lt,
                     "log10_tilting_low": math.log10(t["probability_low"]) if t["probability_low"] > 0 else math.nan,
                     "log10_tilting_high": math.log10(t["probability_high"]),
                     "tilting_status": t["status"], "tilting_seconds": float(t["seconds"]),
                     "log10_ep": le, "ep_status": e["status"], "ep_seconds": float(e["seconds"]),
                     "ep_minus_tilting": le - lt})
        r = rows[-1]
        r["ep_in_interval"] = bool(r["log10_tilting_low"] <= le <= r["log10_tilting_high"])
    return rows, cpu


def figures(args) -> None:
    import boolnet as bn
    from boolnet.plots._figure import pyplot, save

    plt = pyplot()
    paths = [os.path.join(args.data, f"nngp_widths_sweep_n{n}.csv") for n in (5, 7)]
    paths = [p for p in paths if os.path.exists(p)]
    if paths:
        import pandas as pd

        full = pd.concat([bn.read_table(p) for p in paths], ignore_index=True)
        full["p_const"] = full["p_zero"] + full["p_one"]
        full["dlog10_excess_sd"] = np.sqrt(np.clip(full["dlog10_sd"] ** 2 - full["dlog10_noise_sd"] ** 2, 0, None))
        # What plug-in KL estimates give from sampling noise alone: (cells - 1) / (2 ln 2) (1/N + 1/N_limit) bits.
        scale = (1 / full["samples"] + 1 / full["limit_samples"]) / (2 * math.log(2))
        full["kl_lz_bits_noise"] = (full["kl_lz_cells"] - 1) * scale
        full["kl_head_bits_noise"] = full["head_functions"] * scale
        df = full[full["width"].astype(str) != "inf"].copy()
        df["w"] = df["width"].astype(int)
        panels = [("dlog10_mean", "mean of log10 P(w) - log10 P(inf), head functions"),
                  ("dlog10_excess_sd", "its sd beyond the counts' noise"),
                  ("kl_lz_bits", "KL(P_w(K) || P_inf(K)) [bits]"), ("kl_head_bits", "KL over head + rest [bits]"),
                  ("mean_lz", "mean LZ complexity K"), ("p_const", "P(constant functions)")]
        nulls = full[full["width"].astype(str) == "inf"]
        fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
        colors = {("relu", 1): "C0", ("relu", 2): "C1", ("tanh", 1): "C2", ("tanh", 2): "C3"}
        for ax, (col, label) in zip(axes.flat, panels):
            for (n, act, depth), g in df.groupby(["n", "activation", "depth"]):
                g = g.sort_values("w")
                ls = "-" if n == 7 else "--"
                ax.plot(g["w"], g[col], ls, marker="o", ms=3, color=colors[(act, depth)],
                        label=f"n={n} {act} depth {depth}")
                nl = nulls[(nulls.n == n) & (nulls.activation == act) & (nulls.depth == depth)]
                if col.startswith("kl"):
                    ax.plot(g["w"], g[col + "_noise"], ":", color=colors[(act, depth)], lw=0.8)
                elif col in ("mean_lz", "p_const") and len(nl):
                    ax.axhline(float(nl[col].iloc[0]), color=colors[(act, depth)], ls=ls, lw=0.7, alpha=0.6)
            ax.set_xscale("log", base=2)
            if col.startswith("kl"):
                ax.set_yscale("log")
            ax.set_xlabel("hidden width")
            ax.set_title(label, fontsize=10)
        axes[0, 0].legend(fontsize=7)
        axes[0, 1].set_ylim(bottom=0)
        fig.suptitle("Finite widths against the NNGP limit (gaussian prior, sigma_w = sigma_b = 1, 0/1 inputs); "
                     "dashed: n = 5; thin lines: the limit; dotted: the KL that sampling noise alone gives", fontsize=10)
        fig.tight_layout()
        save(fig, os.path.join(args.images, "nngp_widths.png"), dpi=110)
        plt.close(fig)
        print("wrote", os.path.join(args.images, "nngp_widths.png"))
    path = os.path.join(args.data, "nngp_widths_ep.csv")
    if os.path.exists(path):
        df = bn.read_table(path)
        fig, axes = plt.subplots(1, 3, figsize=(13, 4))
        err_lo = df["log10_tilting"] - df["log10_tilting_low"]
        err_hi = df["log10_tilting_high"] - df["log10_tilting"]
        for kind, g in df.groupby(df["kind"].str.replace(r"_\d+_ones", "_k_ones", regex=True)):
            axes[0].scatter(g["log10_tilting"], g["ep_minus_tilting"], s=10, label=kind)
            axes[1].scatter(g["lz"], g["ep_minus_tilting"], s=10, label=kind)
        for ax in axes[:2]:
            ax.axhline(0, color="k", lw=0.7)
            ax.set_ylabel("log10 P_EP - log10 P_tilting")
        axes[0].set_xlabel("log10 P (tilting)")
        axes[1].set_xlabel("LZ complexity")
        axes[0].legend(fontsize=7)
        axes[2].hist(df["ep_minus_tilting"], bins=40, color="C0")
        axes[2].axvline(0, color="k", lw=0.7)
        axes[2].set_xlabel("log10 P_EP - log10 P_tilting")
        axes[2].set_title(f"tilting 95% half-widths: median {np.nanmedian((err_lo + err_hi) / 2):.3f} in log10",
                          fontsize=9)
        fig.suptitle(f"EP against minimax tilting, 7-inf-inf-1 relu, {len(df)} functions", fontsize=10)
        fig.tight_layout()
        save(fig, os.path.join(args.images, "nngp_widths_ep.png"), dpi=110)
        plt.close(fig)
        print("wrote", os.path.join(args.images, "nngp_widths_ep.png"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="all", choices=["all", "sweep", "tanh", "evidence", "ep", "figures"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-seed", type=int, default=0)
    parser.add_argument("--n", default="5,7")
    parser.add_argument("--activations", default="relu,tanh")
    parser.add_argument("--limit-samples", type=int, default=3_000_000)
    parser.add_argument("--null-samples", type=int, default=500_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every finite width's sample size")
    parser.add_argument("--max-width", default="1024,512", help="widest width at depth 1, depth 2")
    parser.add_argument("--targets", default="and2,majority,random1")
    parser.add_argument("--evidence-widths", default="4,16,64,256/4,16,64",
                        help="finite widths of the evidence part, depth 1 / depth 2")
    parser.add_argument("--data", default="docs/data")
    parser.add_argument("--images", default="docs/images")
    args = parser.parse_args(argv)
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    args.n = [int(v) for v in args.n.split(",")]
    args.activations = args.activations.split(",")
    args.max_width = [int(v) for v in args.max_width.split(",")]
    args.targets = args.targets.split(",")
    args.evidence_widths = [[int(v) for v in s.split(",") if v] for s in args.evidence_widths.split("/")]

    import boolnet as bn
    from boolnet.table.schema import attach

    parts = ["sweep", "tanh", "evidence", "ep"] if args.part == "all" else [args.part]
    for part in parts:
        if part == "figures":
            continue
        begin = time.perf_counter()
        rows, cpu = {"sweep": part_sweep, "tanh": part_tanh, "evidence": part_evidence, "ep": part_ep}[part](args)
        import pandas as pd

        meta = {
            "command": " ".join(["python docs/experiments/nngp_widths.py",
                                 *(sys.argv[1:] if argv is None else argv)]),
            "experiment": f"finite widths against the NNGP limit, part {part} (issue 19 item 3)",
            "prior": "gaussian", "sigma_b": 1.0, "fan_in_scaling": True, "encoding": "01", "bias": True,
            "seed": args.seed, "min_count": MIN_COUNT, "limit_samples": args.limit_samples,
            "null_samples": args.null_samples, "scale": args.scale, "threads": 1,
            "kl": "KL(P_width || P_limit) in bits over a partition: LZ values (those the limit saw < min_count "
                  "times pooled) or the limit's head functions (count >= min_count) plus the rest",
            "wall_seconds": round(time.perf_counter() - begin, 1), "cpu_seconds": cpu,
            "boolnet_version": bn.__version__,
        }
        if part == "evidence":
            meta.update({"m": 32, "train_seed": args.train_seed, "train": list(map(int, bn.training_set(7, 32, seed=args.train_seed))),
                         "splitting": "bn.evidence particles=100 replicas=8 max_replicas=8 (defaults otherwise)",
                         "limit": "bn.evidence method=tilting rel_error=0.1, method=ep"})
        if part == "ep":
            meta.update({"architecture": "7-inf-inf-1", "activation": "relu", "tilting_rel_error": 0.1})
        frame = pd.DataFrame(rows)
        # One table per n: a boolnet table's truth tables share one length.
        groups = frame.groupby("n") if part == "sweep" else [(None, frame)]
        for n, g in groups:
            out = os.path.join(args.data, f"nngp_widths_{part}" + (f"_n{n}" if n is not None else "") + ".csv")
            bn.write_table(attach(g.reset_index(drop=True), meta | ({"n": int(n)} if n is not None else {})), out)
            print(f"wrote {out} ({len(g)} rows, {meta['wall_seconds']:.0f} s)", flush=True)
    figures(args)


if __name__ == "__main__":
    main()
