"""Samples/s of `boolnet sample` against a plain vectorised NumPy sampler, in the same run.

Both sides draw networks from the default prior (gaussian, fan-in scaling),
evaluate them on all 2**n inputs, and count the truth tables; the ratio of
their rates is printed. Two figures are given for boolnet:

* ``counts``: sampling + counting (what the NumPy baseline also does: packed
  truth tables and their counts);
* ``table``: the whole ``sample_table`` call, which also turns every distinct
  function into a truth-table string and builds the DataFrame (the 7-1
  perceptron has millions of distinct functions, so this step shows).

Usage::

    python benchmarks/bench_sample.py                   # 7-1 and 7-40-40-1 relu
    python benchmarks/bench_sample.py --quick           # smaller runs

Timing is wall clock; on a shared machine, run it when the machine is idle. The
samples per CPU-second of each side and the share of time the hypervisor
stole from this virtual machine during each run (``/proc/stat``) are printed
too: on the development machine the steal was 20-40% even when idle, which
moves wall-clock figures by up to 2x between runs.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from boolnet import functions as F
from boolnet.priors import Prior
from boolnet.sampling import sample_table
from boolnet.network import NetworkSpec
from boolnet.sampling.sampler import sample_counts


def numpy_counts(arch: str, samples: int, seed: int = 0, batch: int | None = None):
    """Plain vectorised NumPy: draw a batch, forward pass (batched matmul), pack, np.unique."""
    spec = NetworkSpec(arch, "relu", "01", True)
    prior = Prior()
    widths = spec.arch.widths
    x = F.inputs(spec.arch.n, "01", dtype=np.float32)  # (2**n, n)
    rng = np.random.default_rng(seed)
    if batch is None:
        batch = 100_000 if len(widths) == 2 else 200
    keys = []
    done = 0
    while done < samples:
        b = min(batch, samples - done)
        h = np.broadcast_to(x, (b,) + x.shape)
        for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
            W = rng.standard_normal((b, fan_in, width), dtype=np.float32) * np.float32(prior.weight_scale(fan_in))
            bias = rng.standard_normal((b, 1, width), dtype=np.float32) * np.float32(prior.bias_scale())
            a = np.matmul(h, W) + bias
            h = np.maximum(a, 0) if layer < len(widths) - 2 else a
        bits = (h[:, :, 0] > 0).astype(np.uint8)  # (b, 2**n)
        keys.append(F.pack_bits(bits))
        done += b
    keys = np.concatenate(keys)
    uniq, counts = np.unique(keys, axis=0, return_counts=True)
    return uniq, counts


CPU = {}
STEAL = {}


def _steal_ticks() -> tuple[int, int]:
    """(steal, total) clock ticks of all CPUs from /proc/stat: time the hypervisor gave to other machines."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def _rate(fn, samples):
    """Samples per wall-clock second; also records samples per CPU-second (robust to a busy machine)
    and the share of the machine's time stolen by the hypervisor during the run."""
    steal0, total0 = _steal_ticks()
    cpu0 = os.times()
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    cpu1 = os.times()
    steal1, total1 = _steal_ticks()
    CPU[fn] = samples / max(cpu1.user - cpu0.user + cpu1.system - cpu0.system, 1e-9)
    STEAL[fn] = (steal1 - steal0) / max(total1 - total0, 1)
    return samples / wall, result


def bench(arch: str, samples: int, numpy_samples: int, threads: int | None):
    spec = NetworkSpec(arch, "relu", "01", True)
    # Warm up (numba loads its cached machine code).
    sample_table(arch, samples=4096, progress=False, threads=threads)
    run_numpy = lambda: numpy_counts(arch, numpy_samples)  # noqa: E731
    run_counts = lambda: sample_counts(spec, Prior(), samples=samples, seed=0, threads=threads,  # noqa: E731
                                       progress=False)
    run_table = lambda: sample_table(arch, samples=samples, seed=0, threads=threads, progress=False)  # noqa: E731
    numpy_rate, _ = _rate(run_numpy, numpy_samples)
    counts_rate, _ = _rate(run_counts, samples)
    table_rate, df = _rate(run_table, samples)
    meta = df.attrs["boolnet"]
    print(f"{arch:>10}  samples/s (wall): numpy {numpy_rate:9.3g} ({numpy_samples:.0e} samples) | boolnet counts "
          f"{counts_rate:9.3g}, full table {table_rate:9.3g} ({samples:.0e} samples, {meta['distinct']} distinct) "
          f"| ratio counts/numpy {counts_rate / numpy_rate:5.1f}x, table/numpy {table_rate / numpy_rate:5.1f}x")
    print(f"{'':>10}  samples per CPU-second: numpy {CPU[run_numpy]:9.3g} | boolnet counts {CPU[run_counts]:9.3g}, "
          f"full table {CPU[run_table]:9.3g} | ratio counts/numpy {CPU[run_counts] / CPU[run_numpy]:5.1f}x")
    print(f"{'':>10}  CPU time stolen by the hypervisor: numpy {STEAL[run_numpy]:.0%}, boolnet counts "
          f"{STEAL[run_counts]:.0%}, full table {STEAL[run_table]:.0%}")
    return numpy_rate, counts_rate, table_rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    if args.quick:
        bench("7-1", 2_000_000, 200_000, args.threads)
        bench("7-40-40-1", 20_000, 2_000, args.threads)
    else:
        bench("7-1", 20_000_000, 1_000_000, args.threads)
        bench("7-40-40-1", 300_000, 6_000, args.threads)


if __name__ == "__main__":
    main()
