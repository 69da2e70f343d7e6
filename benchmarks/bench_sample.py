"""Samples/s of `boolnet sample` against plain vectorised float32 NumPy samplers, in the same run.

Cases (issue 13): ``7-1`` at sigma_b = 1 (about 45% of samples are new functions) and sigma_b = 1000 (few
distinct functions), ``7-40-40-1`` relu and tanh, ``7-64x10-1`` tanh and relu. Both sides draw networks
from the same prior (gaussian, fan-in scaling), evaluate them on all 2**n inputs and count the truth
tables. Printed per case:

* samples per wall-clock second and per CPU-second of the NumPy baseline (one BLAS thread: batched float32
  matmul, NumPy's normals, ``np.unique``), of boolnet's sampling + counting (``counts``) and of the whole
  ``sample_table`` call (``table``: also the truth-table strings and the DataFrame);
* the ratios boolnet / NumPy (wall and CPU-second);
* the fraction of the arithmetic limit reached: multiply-adds per sample (a dense forward pass on all
  2**n inputs: 2**n * sum of fan_in * width) times samples per second, over the measured fused
  multiply-add throughput of this machine (float32 FMAs in independent chains on every thread, 8 or 16
  lanes, whichever is faster here, measured at the start); boolnet skips zero terms of relu layers and computes the first layer by subset
  sums, so it can do fewer multiply-adds than this count;
* the share of CPU time the hypervisor stole during each run (``/proc/stat``);
* the ceiling: the wall-clock ratio that a sampler doing the dense forward pass at the FMA throughput measured
  on all threads at once would reach against the baseline (on this machine's two vCPUs, two threads get only
  about 1.2x one thread's FMAs, so the ceiling is low; relu can pass it by skipping zero terms);
* for ``7-1``, also the run that writes the table to a Parquet file (``written``: ``write_sampled``,
  what ``boolnet sample -o t.parquet`` does), the issue's "including writing the table".

Fresh memory: on a virtual machine whose host backs the guest's memory lazily (a Firecracker VM here), the
first touch of a page costs far more than any later use (measured here: 0.22-0.33 GB/s, against 5-10 GB/s
for a page touched before), and the host takes freed memory back a few seconds after it is freed (free page
reporting), so a page freed and handed out again 3 s later costs first-touch again. The script first touches
``--warm-gb`` GiB (default 4), so that the first case does not pay for the machine's boot, and prints the three
rates; on such a machine the ``7-1`` sigma_b = 1 table (1.2 GB of truth-table strings for 9 million rows,
plus the master table and the sort) is bound by fresh memory, not by boolnet's arithmetic.

Usage::

    python benchmarks/bench_sample.py                 # all cases
    python benchmarks/bench_sample.py --quick         # smaller runs
    python benchmarks/bench_sample.py --only 7-64x10-1

On a shared machine, run it several times and report ranges: samples per CPU-second are the steadier figure.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the baseline on one BLAS thread (before numpy loads)
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from llvmlite import ir  # noqa: E402
from numba import njit, types  # noqa: E402
from numba.core import cgutils  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

from boolnet import functions as F  # noqa: E402
from boolnet.network import NetworkSpec  # noqa: E402
from boolnet.priors import Prior  # noqa: E402
from boolnet.sampling import sample_table, write_sampled  # noqa: E402
from boolnet.sampling.sampler import sample_counts  # noqa: E402

CASES = [  # (arch, activation, sigma_b, boolnet samples, numpy samples); --quick divides both by 10
    ("7-1", "relu", 1, 20_000_000, 1_000_000),
    ("7-1", "relu", 1000, 40_000_000, 1_000_000),
    ("7-40-40-1", "relu", 1, 300_000, 6_000),
    ("7-40-40-1", "tanh", 1, 200_000, 6_000),
    ("7-64x10-1", "tanh", 1, 40_000, 1_000),
    ("7-64x10-1", "relu", 1, 60_000, 1_000),
]


# --- the machine's FMA throughput ---------------------------------------------------------------------------

_CHAINS = 12  # independent accumulators: enough to hide the FMA latency (4-5 cycles, 2 units)


def _fma_kernel(lanes):
    """A compiled function ``kernel(iterations)``: 12 independent float32 FMA chains on ``lanes`` lanes."""

    @intrinsic
    def _fma_chains(typingctx, iterations):
        """``iterations`` rounds of 12 independent float32 FMAs on ``lanes`` lanes; returns a lane (kept alive)."""
        sig = types.float32(iterations)

        def codegen(context, builder, signature, args):
            (n,) = args
            vec = ir.VectorType(ir.FloatType(), lanes)
            fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vec, [vec] * 3),
                                                 f"llvm.fma.v{lanes}f32")
            slots = [cgutils.alloca_once_value(builder, ir.Constant(vec, [0.001 * (k + 1)] * lanes))
                     for k in range(_CHAINS)]
            a = ir.Constant(vec, [0.999999] * lanes)
            b = ir.Constant(vec, [1e-7] * lanes)
            with cgutils.for_range(builder, n):
                for s in slots:
                    builder.store(builder.call(fma, [builder.load(s), a, b]), s)
            total = builder.load(slots[0])
            for s in slots[1:]:
                total = builder.fadd(total, builder.load(s))
            return builder.extract_element(total, ir.Constant(ir.IntType(32), 0))

        return sig, codegen

    @njit(nogil=True)
    def kernel(iterations):
        return _fma_chains(iterations)

    return kernel


_FMA_KERNELS = {lanes: _fma_kernel(lanes) for lanes in (8, 16)}


def fma_throughput(threads: int, seconds: float = 1.0) -> tuple[float, float]:
    """Measured float32 fused multiply-adds of ``threads`` threads at once: (per wall second, per CPU-second).

    The better of 8 lanes (AVX2) and 16 lanes (AVX-512; on a CPU without it LLVM splits the vectors, and
    the 8-lane figure wins). The CPU-second figure (each thread's own CPU time) is the one to compare with
    samples per CPU-second: on a shared machine the threads get only part of a core.
    """
    best = (0.0, 0.0)
    for lanes, kernel in _FMA_KERNELS.items():
        kernel(10)
        iterations = 1000
        while iterations < 10**10:
            t = time.thread_time()
            kernel(iterations)
            if time.thread_time() - t > seconds / 10:
                break
            iterations *= 4
        per_call = iterations * 5
        walls, cpus = [], []

        def run():
            t0, c0 = time.perf_counter(), time.thread_time()
            kernel(per_call)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.thread_time() - c0)

        pool = [threading.Thread(target=run) for _ in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        fmas = per_call * _CHAINS * lanes
        measured = (threads * fmas / max(walls), fmas / (sum(cpus) / threads))
        if measured[1] > best[1]:
            best = measured
    return best


# --- the NumPy baseline -------------------------------------------------------------------------------------

def numpy_counts(arch: str, activation: str, prior: Prior, samples: int, seed: int = 0):
    """Plain vectorised float32 NumPy: draw a batch, forward pass (batched matmul), pack, np.unique."""
    spec = NetworkSpec(arch, activation, "01", True)
    widths = spec.arch.widths
    act = {"relu": lambda a: np.maximum(a, 0, out=a), "tanh": lambda a: np.tanh(a, out=a)}[activation]
    x = F.inputs(spec.arch.n, "01", dtype=np.float32)  # (2**n, n)
    rng = np.random.default_rng(seed)
    batch = 100_000 if len(widths) == 2 else 200
    keys = []
    done = 0
    while done < samples:
        b = min(batch, samples - done)
        h = np.broadcast_to(x, (b,) + x.shape)
        for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
            W = rng.standard_normal((b, fan_in, width), dtype=np.float32)
            W *= np.float32(prior.weight_scale(fan_in))
            bias = rng.standard_normal((b, 1, width), dtype=np.float32)
            bias *= np.float32(prior.bias_scale())
            a = np.matmul(h, W)
            a += bias
            h = act(a) if layer < len(widths) - 2 else a
        bits = (h[:, :, 0] > 0).astype(np.uint8)  # (b, 2**n)
        keys.append(F.pack_bits(bits))
        done += b
    keys = np.concatenate(keys)
    uniq, counts = np.unique(keys, axis=0, return_counts=True)
    return uniq, counts


# --- timing -------------------------------------------------------------------------------------------------

def warm_memory(gib: float) -> tuple[float, float, float]:
    """Touch ``gib`` GiB once and free it; returns GB/s of (first touch, touch again, touch after 3 s idle).

    The third figure shows whether the host takes freed memory back (virtio-balloon free page
    reporting on this machine): then every big array a run allocates costs first-touch again.
    """
    size = int(gib * (1 << 30))
    if size <= 0:
        return float("nan"), float("nan"), float("nan")
    rates = []
    for idle in (0.0, 0.0, 3.0):
        time.sleep(idle)
        start = time.perf_counter()
        block = np.ones(size, np.uint8)
        rates.append(size / (time.perf_counter() - start) / 1e9)
        del block
    return rates[0], rates[1], rates[2]


def _steal_ticks() -> tuple[int, int]:
    """(steal, total) clock ticks of all CPUs from /proc/stat: time the hypervisor gave to other machines."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def _measure(fn, samples):
    """(samples per wall second, samples per CPU-second, share stolen, result)."""
    steal0, total0 = _steal_ticks()
    cpu0 = os.times()
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    cpu1 = os.times()
    steal1, total1 = _steal_ticks()
    cpu = cpu1.user - cpu0.user + cpu1.system - cpu0.system
    return samples / wall, samples / max(cpu, 1e-9), (steal1 - steal0) / max(total1 - total0, 1), result


def macs_per_sample(arch: str) -> int:
    """Multiply-adds of a dense forward pass on all 2**n inputs."""
    widths = NetworkSpec(arch, "relu", "01", True).arch.widths
    return (1 << widths[0]) * sum(a * b for a, b in zip(widths[:-1], widths[1:]))


def bench(arch, activation, sigma_b, samples, numpy_samples, threads, fma_rate, fma_cpu, written=False,
          fma_together=None):
    prior = Prior(sigma_b=sigma_b)
    spec = NetworkSpec(arch, activation, "01", True)
    sample_table(arch, activation=activation, prior=prior, samples=4096, threads=threads)  # warm (compiled)
    np_wall, np_cpu, np_steal, _ = _measure(lambda: numpy_counts(arch, activation, prior, numpy_samples),
                                            numpy_samples)
    c_wall, c_cpu, c_steal, _ = _measure(lambda: sample_counts(spec, prior, samples=samples, seed=0,
                                                               threads=threads), samples)
    t_wall, t_cpu, t_steal, df = _measure(lambda: sample_table(arch, activation=activation, prior=prior,
                                                               samples=samples, seed=0, threads=threads), samples)
    w_wall = w_cpu = None
    if written:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            w_wall, w_cpu, _, _ = _measure(lambda: write_sampled(arch, os.path.join(tmp, "t.parquet"),
                                                                 activation=activation, prior=prior, samples=samples,
                                                                 seed=0, threads=threads), samples)
    macs = macs_per_sample(arch)
    name = f"{arch} {activation if '-' in arch[2:] else ''} sigma_b={sigma_b}".replace("  ", " ")
    print(f"{name}: {samples:.0e} samples, {df.attrs['boolnet']['distinct']} distinct; NumPy {numpy_samples:.0e}")
    print(f"  samples/s wall:  numpy {np_wall:9.3g} | boolnet counts {c_wall:9.3g} ({c_wall / np_wall:5.1f}x) | "
          f"table {t_wall:9.3g} ({t_wall / np_wall:5.1f}x)")
    print(f"  per CPU-second:  numpy {np_cpu:9.3g} | boolnet counts {c_cpu:9.3g} ({c_cpu / np_cpu:5.1f}x) | "
          f"table {t_cpu:9.3g} ({t_cpu / np_cpu:5.1f}x)")
    if written:
        print(f"  written (Parquet file): {w_wall:9.3g}/s wall ({w_wall / np_wall:5.1f}x), {w_cpu:9.3g} per CPU-second "
              f"({w_cpu / np_cpu:5.1f}x)")
    print(f"  arithmetic limit ({macs:.3g} multiply-adds/sample): boolnet counts reach {c_cpu * macs / fma_cpu:.1%} "
          f"of the FMA throughput per CPU-second ({c_wall * macs / fma_rate:.1%} of the wall-clock one), numpy "
          f"{np_cpu * macs / fma_cpu:.1%}; stolen: numpy {np_steal:.0%}, counts {c_steal:.0%}, table {t_steal:.0%}",
          flush=True)
    if fma_together:
        # The highest wall-clock ratio any sampler doing this dense arithmetic could reach here: every thread's
        # FMAs at once against the baseline's multiply-adds per second (relu may beat it by skipping zeros).
        print(f"  ceiling: a dense sampler at the measured FMA throughput of all {threads} threads at once would be "
              f"{fma_together / (np_wall * macs):.1f}x the NumPy baseline (wall clock)", flush=True)
    return dict(numpy=np_wall, counts=c_wall, table=t_wall, numpy_cpu=np_cpu, counts_cpu=c_cpu, table_cpu=t_cpu,
                written=w_wall, written_cpu=w_cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="runs 10x smaller")
    parser.add_argument("--threads", type=int, default=None, help="boolnet's worker threads (default: all cores)")
    parser.add_argument("--only", default=None, help="run only the cases of this architecture")
    parser.add_argument("--warm-gb", type=float, default=4.0,
                        help="GiB of memory to touch once before timing (0: none; see the module docstring)")
    args = parser.parse_args()
    threads = args.threads or os.cpu_count()
    first_touch, again, after_idle = warm_memory(args.warm_gb)
    if args.warm_gb > 0:
        print(f"memory: {args.warm_gb:g} GiB touched at {first_touch:.2g} GB/s the first time, {again:.2g} GB/s at once "
              f"again, {after_idle:.2g} GB/s after 3 s idle (where the last is low, the host takes freed memory back "
              "and big tables pay for fresh memory every time)", flush=True)
    fma1, fma_cpu1 = fma_throughput(1)
    fma_all, fma_cpu = fma_throughput(threads)
    fma = max(fma_all, threads * fma1)  # the wall-clock limit: on a shared machine threads at once often get less
    fma_cpu = max(fma_cpu, fma_cpu1)
    print(f"cores: {os.cpu_count()}, boolnet threads: {threads}, load average: {os.getloadavg()[0]:.2f}; measured "
          f"float32 FMA throughput: {fma1:.3g}/s on one thread, {fma_all:.3g}/s on {threads} at once (wall), "
          f"{fma_cpu:.3g} per CPU-second", flush=True)
    for arch, activation, sigma_b, samples, numpy_samples in CASES:
        if args.only and arch != args.only:
            continue
        if args.quick:
            samples, numpy_samples = samples // 10, numpy_samples // 10
        bench(arch, activation, sigma_b, samples, numpy_samples, threads, fma, fma_cpu, written=arch == "7-1",
              fma_together=fma_all)


if __name__ == "__main__":
    main()
