"""The PAC-Bayes experiment of issue 18: the bound beside the measured test errors of the posterior and of SGD.

    python docs/experiments/pac_bayes.py [--seed 0] [-o docs/data/pac_bayes_7-40-40-1.csv]
                                         [--figure docs/images/pac_bayes_7-40-40-1.png]

7-40-40-1 relu, gaussian prior (sigma_w = sigma_b = 1, fan-in scaling), 0/1 inputs, bias. For every
target (a constant-like one, conjunctions, majority, parity, random functions) and training-set size m,
with S = training_set(7, m, seed=train_seed):

* ``lz``: the target's LZ complexity (``bn.measure(target, "lz")``);
* ``evidence`` (P(S)) with its 95% interval and the posterior's mean test error (fraction of the
  128 - m test inputs wrong, over networks drawn from the prior restricted to S), both from one run of
  ``boolnet.estimate.posterior.posterior_errors`` (the splitting estimator's replicas and their final
  particles), with the replicas' spread as a diagnostic;
* ``bound``: McAllester's realisable PAC-Bayes bound (``bn.pac_bayes_bound``, delta = 0.05) at the
  estimated P(S), and ``bound_low_evidence`` at the interval's low end;
* ``rejection_test_error``: where P(S) >= --rejection-min, the same posterior error from the conditioned
  (rejection) sampler, an independent check of the particles;
* ``sgd_*``: ``bn.train_table`` with boolnet's defaults (SGD lr 1e-3, momentum 0.9, batch 8,
  cross-entropy, at most 20,000 epochs, initialised from the same prior): the fraction of runs that fit S
  and the mean test error of those that did, with a 95% t-interval over runs;
* ``evidence_check``: ``rejection`` (P(S) large enough for the rejection check), ``consistent`` (the
  replicas agree about as well as ideal splitting would), ``spread`` (they disagree more: the moves do
  not mix), ``deep`` (P(S) < 1e-20, where docs/estimate.md found the moves do not mix), ``stalled``.

The table is written with ``bn.write_table`` (CSV and its metadata sidecar, which records this command's
options); the run depends on the options and the seed only (every stream is seeded from them), so
the command reproduces the table exactly (the CSV; the sidecar's timings differ from run to run). Everything runs on one thread (``--threads``).
Why here: the script produces the table and the figure that docs/sgd_bayes.md quotes; it measures results,
not speed, so it is not one of benchmarks/, and it is not part of the package. Its table is a summary (one
row per target and m), not a volume table, so it lives in docs/data/ beside the other summaries the pages
quote (tables/ holds volume tables only, which tests/test_tables_dir.py checks).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

#: Below this P(S), evidence estimates of 7-40-40-1 are not validated (docs/estimate.md, "Benchmark and limits").
DEEP = 1e-20
#: Replicas whose log-estimates spread more than this many times the ideal splitting's sd (Var ln p_r ~ 1.44
#: ln(1/P) / N) are taken as not mixing; with 8 replicas the sd ratio's own 95% upper end is about 1.4.
SPREAD = 2.0
TARGETS = ("and7", "and2", "and3", "majority", "parity", "random1", "random2")


def target_table(name: str) -> str:
    """Truth table (128 characters, x1 the most significant bit) of a named target."""
    i = np.arange(128)
    x = (i[:, None] >> np.arange(6, -1, -1)[None, :]) & 1  # x[:, 0] = x1
    ones = x.sum(axis=1)
    if name == "and7":
        bits = x.all(axis=1)                 # x1 and ... and x7: one 1 (input 127), constant-like
    elif name == "and2":
        bits = x[:, 0] & x[:, 1]
    elif name == "and3":
        bits = x[:, 0] & x[:, 1] & x[:, 2]
    elif name == "majority":
        bits = ones >= 4
    elif name == "parity":
        bits = ones % 2 == 1
    elif name.startswith("random"):
        bits = np.random.default_rng(int(name[len("random"):])).integers(0, 2, 128)   # random1, random2: seeds 1, 2
    else:
        raise SystemExit(f"unknown target {name!r}: use {', '.join(TARGETS)}")
    return "".join("1" if b else "0" for b in np.asarray(bits).astype(bool))


def _t_interval(values: np.ndarray, weights: np.ndarray) -> tuple[float, float, float]:
    from scipy import stats

    k = float(weights.sum())
    mean = float((weights * values).sum() / k)
    if k < 2:
        return mean, math.nan, math.nan
    var = float((weights * (values - mean) ** 2).sum() / (k - 1))
    half = float(stats.t.ppf(0.975, k - 1)) * math.sqrt(var / k)
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def one_cell(name: str, m: int, args) -> dict:
    import boolnet as bn
    from boolnet.estimate.posterior import posterior_errors
    from boolnet.training.posterior import errors_on_test_inputs

    target = target_table(name)
    train = bn.training_set(7, m, seed=args.train_seed)
    n_test = 128 - m
    row = {"function": target, "target": name, "lz": float(bn.measure(target, "lz")), "m": m,
           "train_seed": args.train_seed, "train_ones": sum(target[i] == "1" for i in train)}
    begin = time.process_time()
    post = posterior_errors("7-40-40-1", target, train, seed=args.seed, particles=args.particles,
                            replicas=args.replicas, max_replicas=args.max_replicas, progress=False)
    lp = np.asarray(post["replica_log10_evidence"])
    finite = lp[np.isfinite(lp)]
    p = post["evidence"]
    # Var(ln p_r) of ideal splitting (exact conditional draws) is about 1.44 ln(1/P) / N (docs/estimate.md).
    ideal_sd = math.sqrt(1.44 * math.log(1 / p) / args.particles) if p > 0 else math.nan
    observed_sd = float(np.std(finite * math.log(10), ddof=1)) if finite.size > 1 else math.nan
    row.update({
        "evidence": p, "evidence_low": post["evidence_low"], "evidence_high": post["evidence_high"],
        "evidence_status": post["status"], "replicas": post["replicas"],
        "replicas_reached": int(finite.size),
        "replica_log10_min": float(finite.min()) if finite.size else math.nan,
        "replica_log10_max": float(finite.max()) if finite.size else math.nan,
        "replica_sd_ratio": observed_sd / ideal_sd if p > 0 else math.nan,
        "effective_replicas": post["effective_replicas"],
        "bound": bn.pac_bayes_bound(p, m) if p > 0 else 1.0,
        "bound_low_evidence": bn.pac_bayes_bound(post["evidence_low"], m) if post["evidence_low"] > 0 else 1.0,
        "posterior_test_error": post["test_error"], "posterior_test_error_low": post["test_error_low"],
        "posterior_test_error_high": post["test_error_high"],
        "posterior_test_error_weighted": post["test_error_weighted"],
    })
    cpu = {"posterior": time.process_time() - begin}
    rej = {"rejection_test_error": math.nan, "rejection_test_error_low": math.nan,
           "rejection_test_error_high": math.nan, "rejection_accepted": 0}
    if p >= args.rejection_min and args.rejection_samples > 0:
        df = bn.sample_table("7-40-40-1", samples=args.rejection_samples, seed=args.seed, fit=target, train=train,
                             threads=args.threads, progress=False)
        if len(df):
            err = errors_on_test_inputs(df["function"], target=target, train=train) / n_test
            mean, lo, hi = _t_interval(err, df["count"].to_numpy(dtype=np.float64))
            rej = {"rejection_test_error": mean, "rejection_test_error_low": lo, "rejection_test_error_high": hi,
                   "rejection_accepted": int(df["count"].sum())}
    row.update(rej)
    if post["status"] != "estimated":
        check = "stalled"              # no replica reached S: P(S) is only bounded
    elif rej["rejection_accepted"] >= 100:
        check = "rejection"            # P(S) large enough for the conditioned sampler to check the posterior's error
    elif p < DEEP:
        check = "deep"                 # below where the moves are known to mix on 7-40-40-1 (docs/estimate.md)
    elif not row["replica_sd_ratio"] <= SPREAD:
        check = "spread"               # replicas disagree more than ideal splitting would: the moves do not mix
    else:
        check = "consistent"           # replicas agree as ideal splitting would; not checked independently
    row["evidence_check"] = check
    cpu["posterior+rejection"] = time.process_time() - begin
    begin = time.process_time()
    sgd = bn.train_table("7-40-40-1", target=target, train=train, runs=args.sgd_runs, seed=args.seed,
                         threads=args.threads, progress=False)
    meta = sgd.attrs["boolnet"]
    err = errors_on_test_inputs(sgd["function"], target=target, train=train) / n_test
    mean, lo, hi = _t_interval(err, sgd["count"].to_numpy(dtype=np.float64)) if len(sgd) else (math.nan,) * 3
    row.update({"sgd_runs": meta["runs"], "sgd_fitted": meta["fitted"], "sgd_fitted_fraction": meta["fitted"] / meta["runs"],
                "sgd_test_error": mean, "sgd_test_error_low": lo, "sgd_test_error_high": hi,
                "sgd_epochs_mean": meta["epochs_mean"]})
    cpu["sgd"] = time.process_time() - begin
    return row, cpu


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the estimator, the sampler and the trainings")
    parser.add_argument("--train-seed", type=int, default=0, help="S = training_set(7, m, seed=TRAIN_SEED)")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--m", default="16,32,64")
    parser.add_argument("--particles", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=8)
    parser.add_argument("--max-replicas", type=int, default=8)
    parser.add_argument("--sgd-runs", type=int, default=200)
    parser.add_argument("--rejection-samples", type=int, default=1_000_000)
    parser.add_argument("--rejection-min", type=float, default=2e-4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("-o", "--output", default="docs/data/pac_bayes_7-40-40-1.csv")
    parser.add_argument("--figure", default="docs/images/pac_bayes_7-40-40-1.png")
    parser.add_argument("--skip", default="", help="cells left out, e.g. random1:64,random2:64")
    parser.add_argument("--resume", action="store_true",
                        help="take the cells OUTPUT.partial already holds from it (each cell depends on the options "
                             "only, so the table is the same as a run from scratch)")
    args = parser.parse_args(argv)
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))  # the splitting kernel's prange, too

    import pandas as pd

    import boolnet as bn
    from boolnet.table.schema import attach

    names = [t for t in args.targets.split(",") if t]
    sizes = [int(v) for v in args.m.split(",") if v]
    begin = time.perf_counter()
    skip = {tuple(c.split(":")) for c in args.skip.split(",") if c}
    partial, timing_path = args.output + ".partial", args.output + ".partial-timings.json"
    done, timings = {}, {}
    if args.resume and os.path.exists(partial):
        old = pd.read_csv(partial, dtype={"function": str, "target": str})
        done = {(r["target"], int(r["m"])): r for r in old.to_dict("records")}
        if os.path.exists(timing_path):
            with open(timing_path) as fh:
                timings = json.load(fh)
    rows = []
    for m in sizes:             # the small training sets (cheap) first
        for name in names:
            if (name, str(m)) in skip:
                continue
            if (name, m) in done:
                rows.append(done[(name, m)])
                continue
            row, cpu = one_cell(name, m, args)
            rows.append(row)
            timings[f"{name} m={m}"] = {k: round(v, 1) for k, v in cpu.items()}
            pd.DataFrame(rows).to_csv(partial, index=False)  # rows so far, if the run is stopped (--resume)
            with open(timing_path, "w") as fh:
                json.dump(timings, fh)
            print(f"{name:9s} m={m:3d} lz={row['lz']:6.1f} P(S)={row['evidence']:.3g} "
                  f"[{row['evidence_low']:.3g}, {row['evidence_high']:.3g}] bound={row['bound']:.3f} "
                  f"posterior={row['posterior_test_error']:.3f} rejection={row['rejection_test_error']:.3f} "
                  f"sgd={row['sgd_test_error']:.3f} fitted={row['sgd_fitted_fraction']:.2f} "
                  f"sd_ratio={row['replica_sd_ratio']:.2f} cpu={cpu}", flush=True)
    df = pd.DataFrame(rows)
    meta = {
        "command": " ".join(["python docs/experiments/pac_bayes.py",
                             *[a for a in (sys.argv[1:] if argv is None else argv) if a != "--resume"]]),
        "resumed": bool(done),
        "experiment": "PAC-Bayes bound vs measured test error of the posterior and of SGD (issue 18 item 3)",
        "n": 7, "architecture": "7-40-40-1", "activation": "relu", "prior": "gaussian", "sigma_w": 1.0,
        "sigma_b": 1.0, "fan_in_scaling": True, "encoding": "01", "bias": True,
        "seed": args.seed, "train_seed": args.train_seed, "targets": names, "m": sizes,
        "particles": args.particles, "replicas": args.replicas, "max_replicas": args.max_replicas,
        "estimator": "boolnet.estimate.posterior.posterior_errors (splitting, defaults otherwise)",
        "delta": 0.05, "bound": "McAllester realisable: -ln(1 - eps) <= (ln(1/P(S)) + ln(2m/delta)) / (m - 1)",
        "test_error": "fraction of the 128 - m inputs not in S where the network disagrees with the target",
        "sgd": "bn.train_table defaults: SGD lr 1e-3, momentum 0.9, batch 8, ce, max_epochs 20000",
        "sgd_runs": args.sgd_runs, "rejection_samples": args.rejection_samples,
        "rejection_min": args.rejection_min, "threads": args.threads,
        "wall_seconds": time.perf_counter() - begin, "cpu_seconds": timings, "boolnet_version": bn.__version__,
    }
    if skip:
        meta["skipped"] = sorted(f"{t}:{m}" for t, m in skip)
    bn.write_table(attach(df, meta), args.output)
    for path in (partial, timing_path):
        if os.path.exists(path):
            os.remove(path)
    print(f"wrote {args.output} ({len(df)} rows, {meta['wall_seconds']:.0f} s)")
    if args.figure:
        from boolnet.plots.pac_bayes import pac_bayes_figure

        pac_bayes_figure(bn.read_table(args.output), args.figure)
        print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
