"""Time the exact MLP engine against a plain NumPy Monte Carlo of the same network, in the same run.

    python benchmarks/bench_exact_mlp.py                 # engine vs NumPy MC on a few networks
    python benchmarks/bench_exact_mlp.py --targets       # the measured table of docs/exact_mlp.md
    python benchmarks/bench_exact_mlp.py --arch 3-3-1 --prior uniform --samples 1e6

The baseline is what one does without the engine: draw 10^6 networks from the prior with NumPy
(batched matmuls over all 2^n inputs), count the truth tables with np.unique, and read
probabilities off the counts. The script prints both times, their ratio, the engine's largest
stated error bound and the Monte Carlo's worst absolute error against the exact table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from boolnet.exact.mlp import exact_mlp_table
from boolnet.priors import Prior

PRIORS = {
    "uniform": Prior("uniform", fan_in_scaling=False),     # the cube: exact rationals
    "gaussian": Prior(),                                   # gaussian, fan-in scaling
}

COMPARE = [("2-2-1", "step"), ("2-4-1", "step"), ("2-3-3-1", "step"), ("3-3-1", "sign"), ("4-2-1", "step")]

TARGETS = ([f"2-{h}-1" for h in range(1, 9)] + ["2-1-1-1", "2-2-2-1", "2-2-3-1", "2-3-2-1", "2-3-3-1"]
           + [f"3-{h}-1" for h in range(1, 5)] + ["4-2-1", "4-3-1"])


def numpy_monte_carlo(arch: str, activation: str, prior: Prior, samples: int, seed: int = 0,
                      encoding: str = "01", bias: bool = True, batch: int = 50_000) -> dict:
    """Probabilities of truth tables (as ints, bit x = f(input x)) from ``samples`` random networks."""
    widths = [int(w) for w in arch.split("-")]
    n = widths[0]
    N = 1 << n
    rng = np.random.default_rng(seed)
    x = ((np.arange(N)[:, None] >> np.arange(n - 1, -1, -1)[None, :]) & 1).astype(np.float64)
    if encoding == "pm1":
        x = 2 * x - 1
    powers = (1 << np.arange(N)).astype(np.int64)
    keys = []
    done = 0
    while done < samples:
        b = min(batch, samples - done)
        a = np.broadcast_to(x, (b, N, n))
        for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
            cw, cb = prior.weight_scale(fan_in), prior.bias_scale()
            if prior.kind == "gaussian":
                w = rng.standard_normal((b, fan_in, width)) * cw
                bb = rng.standard_normal((b, 1, width)) * cb if bias else 0.0
            else:
                w = rng.uniform(-cw, cw, (b, fan_in, width))
                bb = rng.uniform(-cb, cb, (b, 1, width)) if bias else 0.0
            pre = a @ w + bb
            if layer == len(widths) - 2:
                a = pre[:, :, 0] > 0
            elif activation == "step":
                a = (pre > 0).astype(np.float64)
            else:
                a = np.sign(pre)
        keys.append(a.astype(np.int64) @ powers)
        done += b
    values, counts = np.unique(np.concatenate(keys), return_counts=True)
    return dict(zip(values.tolist(), (counts / samples).tolist()))


def _as_int(f: str) -> int:
    return int(f[::-1], 2)


def compare(arch: str, activation: str, prior_name: str, samples: int) -> dict:
    prior = PRIORS[prior_name]
    t0 = time.perf_counter()
    table = exact_mlp_table(arch, activation=activation, prior=prior)
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    mc = numpy_monte_carlo(arch, activation, prior, samples)
    t_mc = time.perf_counter() - t0
    exact = {_as_int(f): p for f, p in zip(table["function"], table["probability"])}
    worst = max(abs(exact.get(k, 0.0) - mc.get(k, 0.0)) for k in set(exact) | set(mc))
    bound = float((table["probability_high"] - table["probability"]).max())
    return dict(arch=arch, activation=activation, prior=prior_name, functions=len(table), exact_s=t_exact,
                mc_s=t_mc, ratio=t_exact / t_mc, bound=bound, mc_error=worst, unseen=len(set(exact) - set(mc)))


def targets(priors) -> None:
    print("| architecture | prior | functions | time (s) | multisets | largest bound |")
    print("|---|---|---:|---:|---:|---:|")
    for arch in TARGETS:
        for prior_name in priors:
            prior = PRIORS[prior_name]
            t0 = time.perf_counter()
            try:
                t = exact_mlp_table(arch, activation="step", prior=prior)
            except Exception as err:  # noqa: BLE001 - a benchmark reports every failure and goes on
                print(f"| {arch} | {prior_name} | | | | {type(err).__name__}: {str(err)[:80]} |", flush=True)
                continue
            dt = time.perf_counter() - t0
            meta = t.attrs["boolnet"]
            bound = "0 (exact)" if meta["volume_method"] == "exact" else f"{meta['error_bound_max']:.1e}"
            print(f"| {arch} | {prior_name} | {len(t):,} | {dt:.2f} | {meta.get('multisets', 0):,} | {bound} |",
                  flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", action="store_true", help="print the measured table of docs/exact_mlp.md")
    ap.add_argument("--arch", help="one architecture (default: a fixed list)")
    ap.add_argument("--activation", default="step", choices=["step", "sign"])
    ap.add_argument("--prior", choices=sorted(PRIORS), help="one prior (default: both)")
    ap.add_argument("--samples", type=float, default=1e6, help="Monte Carlo samples (default 1e6)")
    args = ap.parse_args()
    priors = [args.prior] if args.prior else ["uniform", "gaussian"]
    if args.targets:
        targets(priors)
        return
    # warm-up: numba compilation and perceptron tables are not part of the comparison
    exact_mlp_table("2-2-1", prior=PRIORS["gaussian"])
    exact_mlp_table("2-2-1", prior=PRIORS["uniform"])
    runs = [(args.arch, args.activation)] if args.arch else COMPARE
    print("| architecture | activation | prior | functions | exact engine (s) | NumPy MC (s) | ratio | "
          "stated bound | MC worst error | functions MC missed |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for arch, activation in runs:
        for prior_name in priors:
            r = compare(arch, activation, prior_name, int(args.samples))
            print(f"| {r['arch']} | {r['activation']} | {r['prior']} | {r['functions']:,} | {r['exact_s']:.2f} | "
                  f"{r['mc_s']:.2f} | {r['ratio']:.2f} | {r['bound']:.1e} | {r['mc_error']:.1e} | {r['unseen']:,} |",
                  flush=True)


if __name__ == "__main__":
    main()
