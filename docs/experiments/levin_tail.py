"""The Levin plot with its tail, in the infinite-width limit of 7-40-40-1 relu (issue 18 item 4).

    python docs/experiments/levin_tail.py [--seed 0] [--samples 1e7] [--per-cell 10]
                                          [-o docs/data/levin_tail_7-inf-inf-1_relu.parquet]
                                          [--figure docs/images/levin_tail_7-inf-inf-1.png]

Architecture ``7-inf-inf-1`` (the NNGP limit of 7-40-40-1), relu, gaussian prior (sigma_w = sigma_b = 1,
fan-in scaling), 0/1 inputs, bias. The finite network's own tail cannot be estimated (the splitting
estimator does not mix below P ~ 1e-20, docs/estimate.md); the limit's can (minimax tilting, docs/nngp.md).

* **Head**: ``bn.sample_table("7-inf-inf-1", samples=--samples, seed=--seed)``; the functions counted at
  least ``--min-count`` times, with their sampled P and 95% Wilson interval (``volume_method`` ``sampled``).
* **Tail**: for each number of ones m in ``--ones`` (by the symmetry z -> -z of the output layer
  P(not f) = P(f) in the limit, and LZ(not f) = LZ(f), so m <= 64 covers every balance), candidates with
  exactly m ones from six processes (``generator``): uniformly random positions; r runs of ones (r random,
  so LZ is low for few runs); runs with a few ones and zeros swapped; threshold functions (the m inputs
  with the largest w.x, w standard normal); threshold functions with swaps; unions of random subcubes
  trimmed or filled to m ones at random points. Candidates already in the head are dropped. Within each m
  the candidates' LZ range is cut into ``--lz-bins`` equal bins (or one bin per LZ value if there are
  fewer values) and up to ``--per-cell`` candidates are drawn at random from each bin. Each is estimated
  with ``bn.estimate_table(..., method="tilting", rel_error=--rel-error, threads=1)`` (``volume_method``
  ``minimax_tilting``, 95% interval).
* **Head check**: ``--head-check`` head functions spread over log(count) are re-estimated by tilting and
  compared with their counts in an independent sample of the same size (seed ``--check-seed``; the counts
  that put them in the head are biased upwards near the threshold), by the z of the log difference with
  both standard errors.

Analysis (printed and stored in the metadata under ``analysis``), on the head, the tail and both: the
Levin fit (``bn.levin_fit``, measure lz), ``rank_measures(within="ones")`` for the cheap n = 7 measures
(pooled within-stratum Spearman rho, z, p), and R^2 of least-squares fits of log10 P on one dummy per
number of ones, then adding LZ (or each other measure, or all of them).

The fits here use the script's own trust rule (head: count >= --min-count; tail: every tilting estimate),
so the analysis frame passed to ``levin_fit`` has no count or bound columns (every row with P > 0 used).
The stored table mixes methods (a per-row ``volume_method`` column); it is a summary in docs/data/, not a
volume table of tables/ (whose test admits one method per table). The run depends on the options only
(every stream is seeded from --seed), so the command reproduces the table (timings aside). One thread.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

N_INPUTS = 7
N = 2 ** N_INPUTS
MEASURES = ["lz", "ones", "entropy", "csr", "sensitivity_avg", "sensitivity_max", "block_sensitivity", "certificate",
            "dt_depth", "fourier_degree", "spectral_entropy", "fourier_l1", "gf2_degree", "relevant_vars"]
GENERATORS = ("random", "runs", "runs_swapped", "threshold", "threshold_swapped", "subcubes")
ARCH = "7-inf-inf-1"


def inputs() -> np.ndarray:
    """The 128 x 7 input matrix in boolnet's order (row i = the bits of i, x1 the most significant)."""
    i = np.arange(N)
    return ((i[:, None] >> np.arange(N_INPUTS - 1, -1, -1)[None, :]) & 1).astype(np.int8)


def _composition(rng, total: int, parts: int, positive: bool) -> np.ndarray:
    """A random composition of ``total`` into ``parts`` parts (all >= 1 if positive, else >= 0)."""
    if positive:
        cuts = np.sort(rng.choice(np.arange(1, total), parts - 1, replace=False)) if parts > 1 else np.array([], int)
        return np.diff(np.concatenate([[0], cuts, [total]]))
    cuts = np.sort(rng.integers(0, total + 1, parts - 1))
    return np.diff(np.concatenate([[0], cuts, [total]]))


def runs(rng, m: int) -> np.ndarray:
    """m ones in r runs (r uniform in 1..min(m, 129 - m)), zeros between them at random lengths."""
    z = N - m
    r = int(rng.integers(1, min(m, z + 1) + 1))
    ones = _composition(rng, m, r, True)
    # r + 1 zero gaps, the r - 1 inner ones at least 1
    gaps = _composition(rng, z - (r - 1), r + 1, False)
    gaps[1:-1] += 1
    bits = np.zeros(N, np.int8)
    pos = 0
    for j in range(r):
        pos += gaps[j]
        bits[pos:pos + ones[j]] = 1
        pos += ones[j]
    return bits


def swapped(rng, bits: np.ndarray) -> np.ndarray:
    """``bits`` with s (1..8) random ones and zeros exchanged: the same number of ones."""
    bits = bits.copy()
    one, zero = np.flatnonzero(bits == 1), np.flatnonzero(bits == 0)
    s = min(int(rng.integers(1, 9)), one.size, zero.size)
    if s:
        bits[rng.choice(one, s, replace=False)] = 0
        bits[rng.choice(zero, s, replace=False)] = 1
    return bits


def threshold(rng, m: int, x: np.ndarray) -> np.ndarray:
    """The m inputs with the largest w.x (w standard normal): a threshold function with m ones."""
    score = x @ rng.standard_normal(N_INPUTS)
    bits = np.zeros(N, np.int8)
    bits[np.argsort(-score, kind="stable")[:m]] = 1
    return bits


def subcubes(rng, m: int, x: np.ndarray) -> np.ndarray:
    """A union of random subcubes until it has >= m ones, then trimmed to m at random ones (or filled)."""
    bits = np.zeros(N, np.int8)
    for _ in range(64):
        if bits.sum() >= m:
            break
        k = int(rng.integers(1, N_INPUTS + 1))
        var = rng.choice(N_INPUTS, k, replace=False)
        val = rng.integers(0, 2, k)
        bits[(x[:, var] == val).all(axis=1)] = 1
    extra = int(bits.sum()) - m
    if extra > 0:
        bits[rng.choice(np.flatnonzero(bits == 1), extra, replace=False)] = 0
    elif extra < 0:
        bits[rng.choice(np.flatnonzero(bits == 0), -extra, replace=False)] = 1
    return bits


def candidates(rng, m: int, per_generator: int, x: np.ndarray):
    """(bits matrix, generator names) of ``per_generator`` candidates of each process, all with m ones."""
    rows, names = [], []
    for name in GENERATORS:
        for _ in range(per_generator):
            if name == "random":
                b = np.zeros(N, np.int8)
                b[rng.choice(N, m, replace=False)] = 1
            elif name == "runs":
                b = runs(rng, m)
            elif name == "runs_swapped":
                b = swapped(rng, runs(rng, m))
            elif name == "threshold":
                b = threshold(rng, m, x)
            elif name == "threshold_swapped":
                b = swapped(rng, threshold(rng, m, x))
            else:
                b = subcubes(rng, m, x)
            rows.append(b)
            names.append(name)
    bits = np.array(rows, dtype=np.int8)
    assert (bits.sum(axis=1) == m).all()
    return bits, np.array(names)


def as_strings(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint8) + ord("0")).view(f"S{N}").ravel().astype(str)


def select_tail(args, head_functions: set, log) -> "pd.DataFrame":
    """The tail functions: up to --per-cell per (ones, LZ bin) cell, not in the head."""
    import pandas as pd

    import boolnet as bn

    x = inputs()
    rng = np.random.default_rng(np.random.SeedSequence([args.seed, 1]))
    out = []
    for m in [int(v) for v in args.ones.split(",") if v]:
        bits, gen = candidates(rng, m, args.candidates, x)
        strings = as_strings(bits)
        frame = pd.DataFrame({"function": strings, "generator": gen}).drop_duplicates("function")
        frame = frame[~frame["function"].isin(head_functions)].reset_index(drop=True)
        if frame.empty:
            log(f"ones {m:3d}: every candidate is in the head")
            continue
        frame["lz"] = bn.add_measures(frame[["function"]].copy(), measures=["lz"], progress=False)["lz"].to_numpy()
        values = np.unique(frame["lz"])
        if values.size <= args.lz_bins:
            frame["lz_bin"] = np.searchsorted(values, frame["lz"])
        else:
            edges = np.linspace(values[0], values[-1], args.lz_bins + 1)
            frame["lz_bin"] = np.clip(np.searchsorted(edges, frame["lz"], side="right") - 1, 0, args.lz_bins - 1)
        picked = []
        for b, cell in frame.groupby("lz_bin", sort=True):
            order = rng.permutation(len(cell))[: args.per_cell]
            picked.append(cell.iloc[np.sort(order)])
        chosen = pd.concat(picked)
        log(f"ones {m:3d}: {len(frame):5d} distinct candidates, LZ {values[0]:.1f}..{values[-1]:.1f} "
            f"({values.size} values), {chosen.lz_bin.nunique()} bins, {len(chosen)} chosen")
        out.append(chosen.assign(ones_stratum=m))
    return pd.concat(out, ignore_index=True)


def tilting(functions, args, chunk_seed: int):
    import boolnet as bn

    return bn.estimate_table(ARCH, list(functions), activation="relu", method="tilting", seed=chunk_seed,
                             rel_error=args.rel_error, threads=args.threads, progress=False)


def chunk_seed(seed: int, stream: int, chunk: int) -> int:
    return int(np.random.SeedSequence([seed, stream, chunk]).generate_state(1)[0])


def estimate_all(functions: list, args, stream: int, partial: str, log):
    """Tilting estimates of ``functions`` in chunks (seeded per chunk), saved to ``partial`` as they come."""
    import pandas as pd

    done = pd.read_parquet(partial) if args.resume and os.path.exists(partial) else None
    parts, chunk = [], args.chunk
    for c, start in enumerate(range(0, len(functions), chunk)):
        block = functions[start:start + chunk]
        if done is not None and set(block) <= set(done["function"]):
            parts.append(done[done["function"].isin(block)].set_index("function").loc[block].reset_index())
            continue
        begin = time.process_time()
        est = tilting(block, args, chunk_seed(args.seed, stream, c))
        cpu = time.process_time() - begin
        est = est[["function", "probability", "probability_low", "probability_high", "status", "seconds"]].copy()
        parts.append(est)
        pd.concat(parts, ignore_index=True).to_parquet(partial)
        log(f"  tilting {start + len(block)}/{len(functions)} ({cpu:.0f} CPU-s for {len(block)}; "
            f"log10 P {np.log10(est.probability).min():.1f}..{np.log10(est.probability).max():.1f})")
    return pd.concat(parts, ignore_index=True)


def r_squared(y: np.ndarray, strata: np.ndarray, extra: np.ndarray | None = None) -> float:
    """R^2 of least squares of y on one dummy per stratum (plus the columns of ``extra``)."""
    levels, idx = np.unique(strata, return_inverse=True)
    design = np.zeros((y.size, levels.size))
    design[np.arange(y.size), idx] = 1.0
    if extra is not None:
        extra = np.asarray(extra, float).reshape(y.size, -1)
        design = np.hstack([design, extra - extra.mean(axis=0)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))


def analyse(frame, label: str, measures: list, log) -> dict:
    """Levin fit (lz), within-ones ranking of every measure, R^2 of ones dummies (+ measures)."""
    import pandas as pd

    import boolnet as bn
    from boolnet.levin import rank_measures

    df = pd.DataFrame(frame[["function", "probability", *measures]]).reset_index(drop=True)
    df.attrs["boolnet"] = {}   # no count or bound columns: every row with P > 0 is used (the script's rule)
    rep = bn.levin_fit(df, "lz", within="ones", progress=False)
    ranking = rank_measures(df, [m for m in measures if m != "ones"], within="ones")
    y = np.log10(df["probability"].to_numpy())
    ones = df["ones"].to_numpy()
    r2 = {"ones": r_squared(y, ones)}
    for m in measures:
        if m not in ("ones", "entropy"):
            r2[f"ones+{m}"] = r_squared(y, ones, df[m].to_numpy())
    r2["ones+all"] = r_squared(y, ones, df[[m for m in measures if m not in ("ones", "entropy")]].to_numpy())
    r2["ones+sensitivity_avg+lz"] = r_squared(y, ones, df[["sensitivity_avg", "lz"]].to_numpy())
    r2["lz alone (linear)"] = float(np.corrcoef(df["lz"], y)[0, 1] ** 2)
    out = {
        "functions": int(len(df)), "ones_values": int(np.unique(ones).size),
        "log10_p_range": [float(y.min()), float(y.max())], "lz_range": [float(df.lz.min()), float(df.lz.max())],
        "hull": {"a": rep.hull.a, "b": rep.hull.b, "mean_gap_bits": rep.hull.mean_gap},
        "quantile": {"a": rep.quantile.a, "b": rep.quantile.b, "mean_gap_bits": rep.quantile.mean_gap},
        "spearman_lz": rep.spearman_rho, "spearman_lz_p": rep.spearman_p,
        "within_lz": {"rho": rep.within.rho, "z": rep.within.z, "p": rep.within.p,
                      "informative_strata": rep.within.n_informative},
        "r2": r2,
        "lz_strata": [{"ones": st.value, "functions": st.n_used, "rho": (None if not math.isfinite(st.spearman_rho) else st.spearman_rho)} for st in rep.within.strata],
        "ranking": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                     for k, v in row.items()} for row in ranking.reset_index().to_dict("records")],
    }
    log(f"\n== {label}: {len(df)} functions, {out['ones_values']} values of ones, log10 P "
        f"{y.min():.1f}..{y.max():.1f}")
    log(f"hull a={rep.hull.a:.4f} b={rep.hull.b:.3f} gap={rep.hull.mean_gap:.2f} bits; quantile a={rep.quantile.a:.4f} "
        f"b={rep.quantile.b:.3f}; rho(lz)={rep.spearman_rho:.3f}; within ones rho={rep.within.rho:.3f} "
        f"z={rep.within.z:.2f} p={rep.within.p:.3g} ({rep.within.n_informative} strata)")
    log("R^2: " + ", ".join(f"{k} {v:.3f}" for k, v in r2.items()))
    cols = [c for c in ("measure", "spearman_rho", "within_rho", "within_z", "within_p", "rank_within")
            if c in ranking.reset_index().columns]
    log(ranking.reset_index()[cols].to_string(index=False))
    return out


def figure(table, fit: dict, head_fit: dict, path: str) -> None:
    from boolnet.plots._figure import pyplot, save

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.35, 1]})
    balance = np.minimum(table["ones"], N - table["ones"]).to_numpy()
    y = np.log10(table["probability"].to_numpy())
    head = (table["source"] == "head").to_numpy()
    ax = axes[0]
    sc = None
    for sel, marker, label, size in ((head, "o", "head (sampled, count >= min)", 14),
                                     (~head, "^", "tail (minimax tilting)", 22)):
        sc = ax.scatter(table["lz"][sel], y[sel], c=balance[sel], cmap="viridis", vmin=0, vmax=64, s=size,
                        marker=marker, edgecolors="none", alpha=0.8, label=label)
    k = np.linspace(table["lz"].min(), table["lz"].max(), 50)
    log10_2 = math.log10(2)
    ax.plot(k, (-fit["hull"]["a"] * k - fit["hull"]["b"]) * log10_2, "k-", lw=1.2,
            label=f"tightest bound, all: log2 P <= -{fit['hull']['a']:.3f} K {-fit['hull']['b']:+.2f}")
    ax.plot(k, (-fit["quantile"]["a"] * k - fit["quantile"]["b"]) * log10_2, "k--", lw=1,
            label=f"quantile 0.99, all: a = {fit['quantile']['a']:.3f}, b = {fit['quantile']['b']:.2f}")
    ax.plot(k, (-head_fit["hull"]["a"] * k - head_fit["hull"]["b"]) * log10_2, ":", color="tab:red", lw=1.2,
            label=f"tightest bound, head only: a = {head_fit['hull']['a']:.3f}, b = {head_fit['hull']['b']:.2f}")
    ax.axhline(-N * log10_2, color="grey", lw=0.8, ls="-.", label="uniform 2^-128")
    ax.set_xlabel("K = LZ complexity")
    ax.set_ylabel("log10 P(f)")
    ax.set_title(f"7-inf-inf-1 relu (NNGP limit of 7-40-40-1): {int(head.sum())} head + {int((~head).sum())} tail "
                 f"functions", fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label("min(ones, 128 - ones)")
    ax = axes[1]
    sc2 = ax.scatter(balance, y, c=table["lz"], cmap="plasma", s=np.where(head, 10, 18), edgecolors="none", alpha=0.8)
    ax.set_xlabel("min(ones, 128 - ones)")
    ax.set_ylabel("log10 P(f)")
    ax.set_title("the same functions against class balance", fontsize=10)
    fig.colorbar(sc2, ax=ax).set_label("LZ")
    fig.tight_layout()
    save(fig, path, dpi=130)
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=float, default=1e7)
    parser.add_argument("--min-count", type=int, default=10)
    parser.add_argument("--ones", default="1,2,3,4,5,6,8,10,12,14,16,20,24,28,32,40,48,56,64")
    parser.add_argument("--candidates", type=int, default=1500, help="candidates per generator and number of ones")
    parser.add_argument("--lz-bins", type=int, default=10)
    parser.add_argument("--per-cell", type=int, default=10)
    parser.add_argument("--head-check", type=int, default=40)
    parser.add_argument("--check-seed", type=int, default=None, help="seed of the head check's independent sample "
                        "(default: --seed + 1)")
    parser.add_argument("--rel-error", type=float, default=0.2)
    parser.add_argument("--chunk", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("-o", "--output", default="docs/data/levin_tail_7-inf-inf-1_relu.parquet")
    parser.add_argument("--figure", default="docs/images/levin_tail_7-inf-inf-1.png")
    parser.add_argument("--resume", action="store_true", help="reuse the tilting estimates in OUTPUT.*.partial")
    parser.add_argument("--figure-only", action="store_true",
                        help="redraw --figure from the table OUTPUT and the analysis in its metadata")
    parser.add_argument("--analyse-only", action="store_true",
                        help="redo the analysis of the table OUTPUT (no sampling or estimation), store it, redraw")
    args = parser.parse_args(argv)
    if args.figure_only or args.analyse_only:
        import boolnet as bn
        from boolnet.table.schema import attach

        table = bn.read_table(args.output)
        meta = dict(table.attrs["boolnet"])
        if args.analyse_only:
            meta["analysis"] = {label: analyse(table[sel], label, MEASURES, print) for label, sel in (
                ("all", np.ones(len(table), bool)), ("head", table.source == "head"), ("tail", table.source == "tail"))}
            bn.write_table(attach(table, meta), args.output)
            print(f"rewrote the analysis in {args.output}")
        figure(table, meta["analysis"]["all"], meta["analysis"]["head"], args.figure)
        print(f"wrote {args.figure}")
        return
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    if args.check_seed is None:
        args.check_seed = args.seed + 1

    import pandas as pd

    import boolnet as bn
    from boolnet.table.schema import attach

    def log(msg):
        print(msg, flush=True)

    begin, cpu0 = time.perf_counter(), time.process_time()
    timings = {}
    t = time.process_time()
    sampled = bn.sample_table(ARCH, activation="relu", samples=int(args.samples), seed=args.seed,
                              threads=args.threads, progress=False)
    timings["sample_cpu_seconds"] = time.process_time() - t
    distinct = len(sampled)
    head = sampled[sampled["count"] >= args.min_count].copy()
    log(f"sampled {int(args.samples):.2e}: {distinct} distinct functions, {len(head)} with count >= {args.min_count} "
        f"({timings['sample_cpu_seconds']:.0f} CPU-s)")
    head_set = set(head["function"])
    del sampled

    t = time.process_time()
    tail = select_tail(args, head_set, log)
    timings["select_cpu_seconds"] = time.process_time() - t
    log(f"tail: {len(tail)} functions to estimate")
    t = time.process_time()
    est = estimate_all(tail["function"].tolist(), args, 2, args.output + ".tail.partial", log)
    timings["tail_tilting_cpu_seconds"] = time.process_time() - t
    tail = tail.drop(columns=["lz"]).merge(est, on="function", how="left")

    # head check: head functions spread over log(count), re-estimated by tilting and compared with their counts
    # in an independent sample (seed --check-seed): comparing with the counts that selected them (count >=
    # --min-count) would be biased near the threshold (a function is in the head because its count was high)
    rng = np.random.default_rng(np.random.SeedSequence([args.seed, 3]))
    counts = head["count"].to_numpy()
    picked = []
    for target in np.geomspace(args.min_count, counts.max(), args.head_check):
        near = np.flatnonzero(np.abs(np.log(counts) - math.log(target)) == np.abs(np.log(counts) - math.log(target)).min())
        picked.append(int(rng.choice(near)))
    picks = head.iloc[sorted(set(picked))]
    t = time.process_time()
    second = bn.sample_table(ARCH, activation="relu", samples=int(args.samples), seed=args.check_seed,
                             threads=args.threads, progress=False)
    second = second[second["function"].isin(set(picks["function"]))].set_index("function")
    timings["check_sample_cpu_seconds"] = time.process_time() - t
    t = time.process_time()
    check = estimate_all(picks["function"].tolist(), args, 4, args.output + ".check.partial", log)
    timings["head_check_cpu_seconds"] = time.process_time() - t
    check = picks[["function", "count"]].merge(check, on="function")
    count2 = second["count"].reindex(check["function"]).fillna(0).to_numpy(dtype=float)
    p_s = count2 / int(args.samples)
    p_t = check["probability"].to_numpy()
    se_s = 1 / np.sqrt(np.maximum(count2, 1))
    se_t = (check["probability_high"] - check["probability_low"]).to_numpy() / (2 * 1.96 * p_t)
    diff = np.log(p_t / np.maximum(p_s, 0.5 / int(args.samples)))
    zc = diff / np.sqrt(se_s ** 2 + se_t ** 2)
    lo2 = second["probability_low"].reindex(check["function"]).fillna(0).to_numpy()
    hi2 = second["probability_high"].reindex(check["function"]).fillna(3.7 / int(args.samples)).to_numpy()
    overlap = (check["probability_low"].to_numpy() <= hi2) & (check["probability_high"].to_numpy() >= lo2)
    head_check = {"functions": int(len(check)), "check_seed": args.check_seed,
                  "count_range": [int(check["count"].min()), int(check["count"].max())],
                  "count2_range": [int(count2.min()), int(count2.max())],
                  "mean_log10_ratio": float(np.mean(diff) / math.log(10)),
                  "sd_log10_ratio": float(np.std(diff, ddof=1) / math.log(10)),
                  "max_abs_z": float(np.max(np.abs(zc))), "share_abs_z_below_2": float(np.mean(np.abs(zc) < 2)),
                  "intervals_overlap": float(np.mean(overlap)),
                  "rows": [{"function": f, "count": int(c), "count_independent": int(c2), "tilting": float(p),
                            "z": float(z)}
                           for f, c, c2, p, z in zip(check["function"], check["count"], count2, p_t, zc)]}
    log(f"head check ({len(check)} functions, counts {head_check['count_range']}, independent counts "
        f"{head_check['count2_range']}): mean log10(tilting/sampled) {head_check['mean_log10_ratio']:+.4f} "
        f"(sd {head_check['sd_log10_ratio']:.4f}), |z| < 2 for {100 * head_check['share_abs_z_below_2']:.0f}%, "
        f"max |z| {head_check['max_abs_z']:.2f}, intervals overlap {100 * head_check['intervals_overlap']:.0f}%")

    head_rows = head[["function", "probability", "probability_low", "probability_high", "count"]].rename(
        columns={"count": "head_count"}).assign(source="head", volume_method="sampled")
    tail_rows = tail.assign(source="tail", volume_method="minimax_tilting")
    bad = tail_rows["status"] != "estimated"
    if bad.any():
        log(f"{int(bad.sum())} tail functions not estimated: left out")
        tail_rows = tail_rows[~bad]
    table = pd.concat([head_rows, tail_rows], ignore_index=True)
    t = time.process_time()
    table = bn.add_measures(table, measures=MEASURES, progress=False)
    timings["measures_cpu_seconds"] = time.process_time() - t

    analysis = {}
    for label, sel in (("all", np.ones(len(table), bool)), ("head", table.source == "head"),
                       ("tail", table.source == "tail")):
        analysis[label] = analyse(table[sel], label, MEASURES, log)
    figure(table, analysis["all"], analysis["head"], args.figure)
    log(f"wrote {args.figure}")

    timings["wall_seconds"] = time.perf_counter() - begin
    timings["cpu_seconds"] = time.process_time() - cpu0
    meta = {
        "command": " ".join(["python docs/experiments/levin_tail.py",
                             *[a for a in (sys.argv[1:] if argv is None else argv) if a != "--resume"]]),
        "experiment": "Levin plot with the tail resolved, NNGP limit of 7-40-40-1 relu (issue 18 item 4)",
        "n": 7, "architecture": ARCH, "activation": "relu", "prior": "gaussian", "sigma_w": 1.0, "sigma_b": 1.0,
        "fan_in_scaling": True, "encoding": "01", "bias": True,
        "volume_method": "mixed: per-row column volume_method (head sampled, Wilson 95%; tail minimax_tilting, "
                         "95% interval)",
        "seed": args.seed, "samples": int(args.samples), "distinct_sampled": distinct, "min_count": args.min_count,
        "ones_strata": args.ones, "candidates_per_generator": args.candidates, "generators": list(GENERATORS),
        "lz_bins": args.lz_bins, "per_cell": args.per_cell, "rel_error": args.rel_error, "threads": args.threads,
        "head_check": head_check, "analysis": analysis, "timings": timings, "boolnet_version": bn.__version__,
    }
    bn.write_table(attach(table, meta), args.output)
    for suffix in (".tail.partial", ".check.partial"):
        if os.path.exists(args.output + suffix):
            os.remove(args.output + suffix)
    log(f"wrote {args.output} ({len(table)} rows; {timings['wall_seconds']:.0f} s wall, "
        f"{timings['cpu_seconds']:.0f} CPU-s)")


if __name__ == "__main__":
    main()
