"""128-dimensional orthants of a relu NNGP kernel: minimax tilting against Genz's QMC, plain Monte Carlo and EP.

    python benchmarks/bench_orthant.py [--seed S] [--rel-error X] [--mc-samples N] [--qmc-points N]

The kernel is the depth-1 relu NNGP kernel with bias on the 128 inputs of {0,1}^7, written out here
(Sigma1(x, x') = 1 + x.x'/7, then the arc-cosine formula). Sign patterns: a random 128-bit function
(``--seed``), x1 AND x2, parity. For each:

* ``orthant_tilting`` to relative error ``--rel-error`` (default 0.1) at 95%, after one untimed
  warm-up call (numba's cache load);
* scipy's ``multivariate_normal`` Genz QMC (the peer; scipy's own variable ordering and randomized
  lattice rules), given ``--qmc-points`` points (default 2e5) and an absolute target of 0.1 times our
  estimate; its private ``_qmvn`` is called when present to get its error estimate (3 standard errors
  of its randomizations), else the public ``cdf``;
* plain NumPy Monte Carlo (Cholesky factor, ``--mc-samples`` draws, default 1e6), with a 95% Wilson
  interval (0 hits: the rule-of-three bound 3/N); the time it would need for the same relative error is
  extrapolated as ``(1.96 / rel_error)^2 / P`` draws at the measured rate;
* EP (``orthant_ep``), which has no interval.

Timings are not asserted anywhere: docs/nngp.md records the figures of a run.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from scipy import stats

from boolnet.nngp.orthant import orthant_ep, orthant_tilting


def relu_nngp_kernel(n: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Depth-1 relu NNGP kernel with bias on {0,1}^n (input i: x_1 is the most significant bit)."""
    x = ((np.arange(1 << n)[:, None] >> np.arange(n - 1, -1, -1)[None, :]) & 1).astype(float)
    s1 = 1.0 + x @ x.T / n
    norm = np.sqrt(np.outer(np.diag(s1), np.diag(s1)))
    t = np.arccos(np.clip(s1 / norm, -1.0, 1.0))
    return 1.0 + norm / (2 * np.pi) * (np.sin(t) + (np.pi - t) * np.cos(t)), x


def genz_qmc(cov: np.ndarray, signs: np.ndarray, points: int, abseps: float, seed: int) -> tuple[float, float]:
    """scipy's Genz QMC for P(s z > 0) = P(-s z < 0): (estimate, its error estimate or nan)."""
    d = len(signs)
    folded = cov * np.outer(signs, signs)
    try:
        from scipy.stats._qmvnt import _qauto, _qmvn  # private: the public cdf drops the error

        p, err, _ = _qauto(_qmvn, folded, np.full(d, -np.inf), np.zeros(d), np.random.default_rng(seed),
                           error=abseps, limit=points, n_batches=10)
        return float(p), float(err)
    except ImportError:
        p = stats.multivariate_normal.cdf(np.zeros(d), mean=np.zeros(d), cov=folded, maxpts=points,
                                          abseps=abseps, lower_limit=np.full(d, -np.inf),
                                          rng=np.random.default_rng(seed))
        return float(p), math.nan


def plain_mc(cov: np.ndarray, signs: np.ndarray, samples: int, seed: int) -> int:
    chol = np.linalg.cholesky(cov)
    rng = np.random.default_rng(seed)
    hits = 0
    for start in range(0, samples, 50_000):
        z = rng.standard_normal((min(50_000, samples - start), len(signs))) @ chol.T
        hits += int(np.count_nonzero(np.all(z * signs > 0, axis=1)))
    return hits


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if k == 0:
        return 0.0, 3.0 / n
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rel-error", type=float, default=0.1)
    parser.add_argument("--mc-samples", type=int, default=10**6)
    parser.add_argument("--qmc-points", type=int, default=200_000)
    args = parser.parse_args()
    kernel, x = relu_nngp_kernel(7)
    ev = np.linalg.eigvalsh(kernel)
    print(f"kernel: 128 x 128, eigenvalues {ev[0]:.3g} .. {ev[-1]:.3g} (condition {ev[-1] / ev[0]:.3g})")
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    bits = {
        f"random (seed {args.seed})": np.random.default_rng(args.seed).integers(0, 2, 128),
        "x1 AND x2": (x[:, 0] * x[:, 1]).astype(int),
        "parity": (x.sum(axis=1) % 2).astype(int),
    }
    orthant_tilting(np.eye(3), [1, 1, 1])  # warm-up: numba cache load
    orthant_ep(np.eye(3), [1, 1, 1])
    rows = []
    for name, f in bits.items():
        s = 2.0 * f - 1.0
        res = orthant_tilting(kernel, f, seed=args.seed, rel_error=args.rel_error)
        t_tilt = res["seconds"]
        begin = time.perf_counter()
        ep = orthant_ep(kernel, f)
        t_ep = time.perf_counter() - begin
        begin = time.perf_counter()
        q, q_err = genz_qmc(kernel, s, args.qmc_points, 0.1 * res["probability"], args.seed)
        t_q = time.perf_counter() - begin
        begin = time.perf_counter()
        hits = plain_mc(kernel, s, args.mc_samples, args.seed)
        t_mc = time.perf_counter() - begin
        lo, hi = wilson(hits, args.mc_samples)
        need = (1.96 / args.rel_error) ** 2 / res["probability"] if res["probability"] > 0 else math.inf
        t_need = need * t_mc / args.mc_samples
        rows.append((name, res, t_tilt, ep, t_ep, q, q_err, t_q, hits, lo, hi, t_mc, t_need))

    print(f"\n{'function':18s} {'method':22s} {'log10 P':>9s} {'95% interval (log10)':>22s} {'seconds':>9s} "
          f"{'time / ours':>12s}")
    for name, res, t_tilt, ep, t_ep, q, q_err, t_q, hits, lo, hi, t_mc, t_need in rows:
        l10 = math.log(10)
        print(f"{name:18s} {'minimax tilting':22s} {res['log_probability'] / l10:9.3f} "
              f"[{res['log_probability_low'] / l10:8.3f}, {res['log_probability_high'] / l10:8.3f}] "
              f"{t_tilt:9.2f} {1.0:12.3g}   ({res['samples']} samples, bound 1e{res['log_upper_bound'] / l10:.2f})")
        print(f"{'':18s} {'EP':22s} {ep['log_probability'] / l10:9.3f} {'(none)':>22s} {t_ep:9.2f} "
              f"{t_ep / t_tilt:12.3g}   ({ep['iterations']} sweeps)")
        qs = f"{math.log10(q):9.3f}" if q > 0 else f"{'<= 0':>9s}"
        qi = (f"+- {q_err:.2g} (abs)" if math.isfinite(q_err) else "(none)")
        print(f"{'':18s} {'scipy Genz QMC':22s} {qs} {qi:>22s} {t_q:9.2f} {t_q / t_tilt:12.3g}   "
              f"(raw {q:.3g}, {args.qmc_points} points)")
        ms = f"{math.log10(hits / args.mc_samples):9.3f}" if hits else f"{'-inf':>9s}"
        mi = f"[{'-inf' if lo == 0 else f'{math.log10(lo):8.3f}'}, {math.log10(hi):8.3f}]"
        print(f"{'':18s} {'plain MC':22s} {ms} {mi:>22s} {t_mc:9.2f} {t_mc / t_tilt:12.3g}   "
              f"({hits} hits in {args.mc_samples}; same relative error would take {t_need:.3g} s "
              f"= {t_need / t_tilt:.3g} x ours)")


if __name__ == "__main__":
    main()
