"""The Gaussian-process sampler (the infinite-width limit, e.g. 7-inf-inf-1) against a plain NumPy sampler of
the same kernel, in the same run.

    python benchmarks/bench_gp_sampler.py [--arch 7-inf-inf-1] [--activation relu] [--samples 2e7]

boolnet: ``bn.sample_table(arch, samples=...)`` on all cores (its kernels compiled by a warm-up run), counted
into the one table. NumPy: the same factor ``F`` of the kernel (``boolnet.nngp.process``), batches of
standard normals from ``numpy.random.Generator`` (PCG64) multiplied by ``F`` with BLAS (``xi @ F``, float32),
signs packed with ``numpy.packbits`` and counted with ``numpy.unique``; both do the whole job (draw, multiply,
pack, count). Timings are printed, never asserted; docs/nngp.md records a run.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import boolnet as bn
from boolnet.checks import check_samples
from boolnet.nngp.process import LimitNetwork
from boolnet.priors import Prior


def numpy_sampler(F: np.ndarray, samples: int, seed: int, batch: int = 65536) -> int:
    """Distinct sign patterns of ``xi @ F`` over ``samples`` draws (the plain NumPy way); returns the count."""
    rng = np.random.default_rng(seed)
    F = F.astype(np.float32)
    seen = []
    done = 0
    while done < samples:
        k = min(batch, samples - done)
        z = rng.standard_normal((k, F.shape[0]), dtype=np.float32) @ F
        seen.append(np.packbits(z > 0, axis=1))
        done += k
    packed = np.concatenate(seen)
    return len(np.unique(packed.view(np.dtype((np.void, packed.shape[1]))).ravel()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="7-inf-inf-1")
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--samples", default="2e7")
    parser.add_argument("--numpy-samples", default="2e6", help="the NumPy sampler's samples (its rate is per sample)")
    args = parser.parse_args()
    samples, numpy_samples = check_samples(args.samples), check_samples(args.numpy_samples)
    print(f"{args.arch} {args.activation}, cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    net = LimitNetwork(args.arch, args.activation, "01", True, Prior())
    F = net.reduction.factor()
    print(f"kernel {F.shape[1]} x {F.shape[1]}, factor rank {F.shape[0]}")

    bn.sample_table(args.arch, activation=args.activation, samples=10**4, seed=1, progress=False)  # compile
    begin = time.perf_counter()
    df = bn.sample_table(args.arch, activation=args.activation, samples=samples, seed=2, progress=False)
    ours = time.perf_counter() - begin
    meta = df.attrs["boolnet"]
    print(f"boolnet: {samples:.3g} samples in {ours:.2f} s = {samples / ours:.3g} samples/s end to end "
          f"({meta['per_second']:.3g}/s sampling and counting; {len(df):,} distinct functions)")

    begin = time.perf_counter()
    distinct = numpy_sampler(F, numpy_samples, seed=2)
    plain = time.perf_counter() - begin
    print(f"NumPy:   {numpy_samples:.3g} samples in {plain:.2f} s = {numpy_samples / plain:.3g} samples/s "
          f"({distinct:,} distinct functions)")
    print(f"ratio (boolnet / NumPy samples per second): {(samples / ours) / (numpy_samples / plain):.2f}")


if __name__ == "__main__":
    main()
