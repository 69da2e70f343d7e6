"""Time the exact perceptron engine (``boolnet exact``) for n = 3, 4, 5 under both priors.

The plain-NumPy baseline is what the literature did instead: estimate every function's probability
by sampling random perceptrons and counting truth tables (vectorised NumPy, 10^6 samples). The run
prints both times, their ratio, and the accuracy each reaches (the exact engine's stated bound; the
sampler's worst absolute error against the exact values).

    python benchmarks/bench_exact.py [--n 3 4 5] [--samples 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from boolnet.exact import exact_table
from boolnet.functions import inputs
from boolnet.priors import Prior


def numpy_monte_carlo(n: int, prior: Prior, samples: int, seed: int = 0) -> dict[str, float]:
    """Plain vectorised NumPy: sample perceptrons, compute truth tables, count them."""
    rng = np.random.default_rng(seed)
    x = inputs(n, dtype=np.float64)
    cw, cb = prior.weight_scale(n), prior.bias_scale()
    counts: dict[int, int] = {}
    chunk = 200_000
    for start in range(0, samples, chunk):
        m = min(chunk, samples - start)
        if prior.kind == "gaussian":
            w, b = rng.normal(0, cw, (m, n)), rng.normal(0, cb, m)
        else:
            w, b = rng.uniform(-cw, cw, (m, n)), rng.uniform(-cb, cb, m)
        bits = (w @ x.T + b[:, None] > 0).astype(np.uint64)
        keys = bits @ (np.uint64(1) << np.arange(1 << n, dtype=np.uint64))
        for k, c in zip(*np.unique(keys, return_counts=True)):
            counts[int(k)] = counts.get(int(k), 0) + int(c)
    return {format(k, f"0{1 << n}b")[::-1]: c / samples for k, c in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[3, 4, 5])
    parser.add_argument("--samples", type=int, default=1_000_000)
    args = parser.parse_args()
    priors = {"uniform (cube)": Prior("uniform", fan_in_scaling=False), "gaussian": Prior()}
    print(f"{'n':>2} {'prior':<15} {'functions':>9} {'exact s':>8} {'bound':>9} "
          f"{'numpy MC s':>10} {'MC max err':>10} {'exact/MC time':>13}")
    for n in args.n:
        for name, prior in priors.items():
            t0 = time.perf_counter()
            table, meta = exact_table(n, prior)
            t_exact = time.perf_counter() - t0
            t0 = time.perf_counter()
            mc = numpy_monte_carlo(n, prior, args.samples)
            t_mc = time.perf_counter() - t0
            exact = dict(zip(table.function, table.probability))
            err = max(abs(mc.get(f, 0.0) - p) for f, p in exact.items())
            print(f"{n:>2} {name:<15} {len(table):>9} {t_exact:>8.2f} {table.error_bound.max():>9.1e} "
                  f"{t_mc:>10.2f} {err:>10.1e} {t_exact / t_mc:>13.2f}", flush=True)


if __name__ == "__main__":
    main()
