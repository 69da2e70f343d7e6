"""Benchmark: Gaussian measure of simplicial cones, ours vs SciPy, on real perceptron regions.

The cones are what the exact engine measures: the regions of random threshold functions of
n = 3..6 inputs (with bias, d = n + 1 = 4..7), triangulated by Normaliz into simplicial cones
with integer rays, under the default prior (weights std 1/sqrt(n), bias std 1).

Compared in the same run, per cone:
* ours: ``boolnet.exact.gaussian.simplicial_cone_measures`` (numba, all cores), error bound
  <= ~1e-12;
* SciPy: ``scipy.stats.multivariate_normal.cdf`` at its default tolerance (Genz's randomised
  quasi-Monte Carlo, abseps 1e-5), on the same correlation matrices, P(Y > 0) = cdf(0) by
  symmetry. It cannot reach 1e-10 at all; its error is measured against our value (whose
  accuracy the tests establish against independent oracles).
Plain NumPy Monte Carlo at our accuracy would need ~1/(4 * err^2) = 1e25 samples per cone,
so it is not run; its cost per sample is printed for scale.

Run: python benchmarks/bench_gaussian.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy import stats

from boolnet.exact._normaliz import Cone
from boolnet.exact.gaussian import simplicial_cone_measures


def perceptron_cones(n: int, count: int, seed: int) -> np.ndarray:
    """Simplicial cones (k, d, d) from Normaliz triangulations of random threshold functions."""
    rng = np.random.default_rng(seed)
    x = np.array(list(itertools.product([0, 1], repeat=n)))
    xa = np.hstack([x, np.ones((len(x), 1), dtype=int)])
    seen = set()
    out: list[np.ndarray] = []
    for _ in range(100 * count):
        if len(out) >= count:
            break
        theta = rng.standard_normal(n + 1)
        f = xa @ theta > 0
        if f.tobytes() in seen:
            continue
        seen.add(f.tobytes())
        rows = np.where(f[:, None], xa, -xa)
        triangulation, generators = Cone(inequalities=rows.tolist()).Triangulation()
        generators = np.array(generators)
        for simplex in triangulation:
            out.append(generators[simplex[0]])
    return np.array(out[:count], dtype=float)


def correlations(gens: np.ndarray, scales: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(gens)
    cov = np.einsum("kca,kcb->kab", inv * (scales * scales)[None, :, None], inv)
    sd = np.sqrt(np.einsum("kaa->ka", cov))
    return cov / (sd[:, :, None] * sd[:, None, :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cones")
    args = parser.parse_args()
    counts = {3: 300, 4: 300, 5: 300, 6: 40} if not args.quick else {3: 50, 4: 50, 5: 40, 6: 8}
    scipy_counts = {3: 100, 4: 100, 5: 60, 6: 20} if not args.quick else {3: 20, 4: 20, 5: 10, 6: 5}

    t0 = time.perf_counter()
    simplicial_cone_measures(np.eye(6)[None] + np.tril(np.ones((6, 6)), -1)[None], np.ones(6))
    print(f"numba warm-up (compile or cache load): {time.perf_counter() - t0:.1f} s")
    print(f"{'d':>2} {'cones':>6} {'ours ms/cone':>13} {'cones/s':>9} {'max bound':>10} "
          f"{'scipy ms/cone':>14} {'scipy max err':>14} {'scipy med err':>14} {'ratio':>8}")
    for n, count in counts.items():
        d = n + 1
        gens = perceptron_cones(n, count, seed=n)
        scales = np.r_[np.full(n, 1 / np.sqrt(n)), 1.0]
        simplicial_cone_measures(gens[:1], scales)  # compile this dimension's path
        t = time.perf_counter()
        ours, bounds = simplicial_cone_measures(gens, scales)
        t_ours = (time.perf_counter() - t) / len(gens)

        corr = correlations(gens, scales)
        k = min(scipy_counts[n], len(gens))
        t = time.perf_counter()
        theirs = np.array([
            stats.multivariate_normal(mean=np.zeros(d), cov=c, allow_singular=False).cdf(np.zeros(d))
            for c in corr[:k]
        ])
        t_scipy = (time.perf_counter() - t) / k
        err = np.abs(theirs - ours[:k])
        print(f"{d:>2} {len(gens):>6} {t_ours * 1e3:>13.3f} {1 / t_ours:>9.0f} {bounds.max():>10.1e} "
              f"{t_scipy * 1e3:>14.3f} {err.max():>14.1e} {np.median(err):>14.1e} "
              f"{t_scipy / t_ours:>8.2f}")

    rng = np.random.default_rng(0)
    samples = 2_000_000
    t = time.perf_counter()
    theta = rng.standard_normal((samples, gens.shape[1])) * scales
    lam = np.linalg.solve(gens[0].T, theta.T)
    np.count_nonzero(np.all(lam >= 0, axis=0))
    per_sample = (time.perf_counter() - t) / samples
    print(f"plain NumPy Monte Carlo (d = 7): {per_sample * 1e9:.0f} ns per sample; "
          f"error 1e-12 would need ~2.5e23 samples = {2.5e23 * per_sample / 3.15e7:.1e} years")
    print("ratio = scipy time / ours per cone (ours: error bound <= 1e-12; scipy: errors above)")


if __name__ == "__main__":
    main()
