"""Rare events: time for ``estimate_table`` to reach a relative error <= 0.3 on a random 128-bit function of a
7-40-40-1 relu network, against the time the plain sampler would need to see that function once.

    python benchmarks/bench_estimate.py [--seed S] [--rel-error X]

The sampler's rate is measured on 1e5 samples of ``bn.sample_table`` (2 threads, numba compile excluded by a
warm-up run); the time it would need is ``1 / (P samples/s)``, P the splitting estimate. Timings are not
asserted anywhere: docs/estimate.md records the figures of a run.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

import boolnet as bn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rel-error", type=float, default=0.3)
    parser.add_argument("--arch", default="7-40-40-1")
    parser.add_argument("--max-replicas", type=int, default=16)
    parser.add_argument("--replicas", type=int, default=8)
    parser.add_argument("--particles", type=int, default=200)
    parser.add_argument("--inputs", type=int, default=None,
                        help="a random function of the last INPUTS inputs only (default: of all of them)")
    args = parser.parse_args()
    n = int(args.arch.split("-")[0])
    k = n if args.inputs is None else args.inputs
    g = "".join(map(str, np.random.default_rng(args.seed).integers(0, 2, 1 << k)))
    f = "".join(g[i % (1 << k)] for i in range(1 << n))
    print(f"function (seed {args.seed}): {f}")
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")

    bn.estimate_table(args.arch, ["0" * (1 << n)], particles=20, replicas=2, max_replicas=2)  # compiles the kernel
    begin = time.perf_counter()
    df = bn.estimate_table(args.arch, [f], rel_error=args.rel_error, seed=args.seed, threads=2,
                           max_replicas=args.max_replicas, replicas=args.replicas, particles=args.particles)
    seconds = time.perf_counter() - begin
    row = df.iloc[0]
    print(f"splitting: P = {row['probability']:.4g} [{row['probability_low']:.4g}, {row['probability_high']:.4g}] "
          f"status {row['status']}, relative error {row['rel_error']:.3f}, {row['replicas']} replicas, "
          f"{row['levels']:.0f} levels per replica, {row['evaluations']:.3g} network evaluations, {seconds:.1f} s "
          f"({row['evaluations'] / seconds:.3g} evaluations/s)")

    bn.sample_table(args.arch, samples=10**4, seed=1, threads=2)  # warm-up: numba compile
    begin = time.perf_counter()
    s = bn.sample_table(args.arch, samples=10**5, seed=2, threads=2)
    rate = 1e5 / (time.perf_counter() - begin)
    seen = f in set(s["function"])
    print(f"sampler: {rate:.3g} samples/s (1e5 samples, {len(s)} distinct functions, target seen: {seen})")
    if row["probability"] > 0:
        wait = 1.0 / (row["probability"] * rate)
        print(f"sampler's expected time to see the function once: {wait:.3g} s = {wait / 3.156e7:.3g} years; "
              f"ratio to splitting: {wait / seconds:.3g}")
        print(f"log10 P = {math.log10(row['probability']):.2f}")


if __name__ == "__main__":
    main()
