"""Benchmark: complexity measures on n = 7 functions, against plain Python/NumPy versions.

Run: python benchmarks/bench_complexity.py [--m 1000000] [--baseline 20000]

Times `lz` (numba, both cores) on m random 7-input truth tables against a plain
Python Kaspar-Schuster scan on strings (run on a subset, per-function times
compared), then the throughput of every other measure on a sample.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np


def lz76_python(s: str) -> int:
    """Plain Python Kaspar-Schuster scan (the baseline)."""
    n = len(s)
    if n == 1:
        return 1
    i, k, l, c, k_max = 0, 1, 1, 1, 1
    while True:
        if s[i + k - 1] == s[l + k - 1]:
            k += 1
            if l + k > n:
                c += 1
                break
        else:
            k_max = max(k, k_max)
            i += 1
            if i == l:
                c += 1
                l += k_max
                if l + 1 > n:
                    break
                i, k, k_max = 0, 1, 1
            else:
                k = 1
    return c


def lz_python(tables: list[str]) -> np.ndarray:
    out = np.empty(len(tables))
    for r, s in enumerate(tables):
        scale = math.log2(len(s))
        out[r] = scale if len(set(s)) == 1 else scale * (lz76_python(s) + lz76_python(s[::-1])) / 2
    return out


def main() -> None:
    from boolnet.complexity import MEASURES, compute_measures, measure_names
    from boolnet.complexity.lz import lz
    from boolnet.functions import strings_from_packed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=1_000_000, help="functions for lz (default 1e6)")
    parser.add_argument("--baseline", type=int, default=20_000, help="functions for the Python baseline")
    parser.add_argument("--sample", type=int, default=2_000, help="functions per measure for the throughput table")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    n = 7
    # Half uniform random tables, half sparse ones (share of ones 0.05), as sampled tables hold both.
    uniform = rng.integers(0, 2**63, size=(args.m // 2, 2), dtype=np.uint64) * np.uint64(2) + rng.integers(
        0, 2, size=(args.m // 2, 2), dtype=np.uint64)
    sparse_bits = (rng.random((args.m - args.m // 2, 128)) < 0.05).astype(np.uint64)
    sparse = (sparse_bits.reshape(-1, 2, 64) << np.arange(64, dtype=np.uint64)).sum(axis=2, dtype=np.uint64)
    words = np.ascontiguousarray(np.concatenate([uniform, sparse]))

    lz(words[:10], n)  # compile / load the numba cache outside the timing
    start = time.perf_counter()
    fast = lz(words, n)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    compute_measures(words, n, ["lz"])
    t_table = time.perf_counter() - start

    pick = rng.choice(len(words), size=min(args.baseline, len(words)), replace=False)
    tables = strings_from_packed(words[pick], n)
    start = time.perf_counter()
    slow = lz_python(tables)
    t_slow = time.perf_counter() - start
    assert np.array_equal(slow, fast[pick]), "baseline and numba lz disagree"

    per_fast = t_fast / len(words)
    per_slow = t_slow / len(tables)
    print(f"lz, n = 7, {len(words):,} functions: {t_fast:.2f} s with numba "
          f"({t_table:.2f} s through compute_measures, which first removes repeated rows)")
    print(f"plain Python scan: {per_slow * 1e6:.1f} us per function (on {len(tables):,}), "
          f"i.e. {per_slow * len(words):.0f} s for all; numba {per_fast * 1e6:.2f} us per function")
    print(f"ratio (Python / numba): {per_slow / per_fast:.0f}x")

    print(f"\nthroughput of each measure, n = 7, {args.sample:,} random functions (after warm-up):")
    sample = words[rng.choice(len(words) // 2, size=args.sample, replace=False)]
    for name in measure_names(n):
        # Measures that solve a problem per function (sympy, set cover) get a smaller sample.
        rows = sample if MEASURES[name].rows_per_call > 256 else sample[-50:]
        compute_measures(sample[:4], n, [name])
        start = time.perf_counter()
        compute_measures(rows, n, [name])
        took = time.perf_counter() - start
        print(f"  {name:18s} {took / len(rows) * 1e6:10.1f} us per function on {len(rows):5d}  "
              f"(max_n {MEASURES[name].max_n})")

    start = time.perf_counter()
    all4 = np.arange(1 << 16, dtype=np.uint64)[:, None]
    compute_measures(all4, 4)
    print(f"\nevery measure for all 65,536 functions of 4 inputs: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
