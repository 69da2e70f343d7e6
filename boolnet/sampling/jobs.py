"""What a sampling run is: its options, its conditioning mask, and the job that draws its blocks.

The local driver (:mod:`boolnet.runs`) and the Dask backend
(:mod:`boolnet.sampling.dask_backend`) both run a :class:`SampleJob`; the sampler's
front door (:mod:`boolnet.sampling.sampler`) builds it from checked options.
"""

from __future__ import annotations

import time

import numpy as np

from boolnet.network import NetworkSpec
from boolnet.priors import Prior
from boolnet.progress import notice
from boolnet.sampling import _hash_kernels as HK
from boolnet.sampling import _worker_kernels as WK
from boolnet.sampling._rng import BLOCK_SIZE, RNG_NAME, seed_keys
from boolnet.sampling.counts import Counts
from boolnet.runs import Job
from boolnet.table import _table_kernels as TK



def _needs_compiling(dispatchers) -> bool:
    """True when some numba kernel is neither compiled in this process nor in numba's on-disk cache."""
    for dispatcher in dispatchers:
        if getattr(dispatcher, "signatures", None) is None or dispatcher.signatures:
            continue  # not a numba dispatcher (e.g. wrapped by a profiler), or compiled in this process
        try:
            if not dispatcher._cache._cache_file._load_index():  # numba internals: {} when absent or stale
                return True
        except Exception:  # noqa: BLE001 - another numba version: assume a compile
            return True
    return False


def _compiling(what: str, dispatchers):
    """Log, once per process and kernel set, that numba compiles ``what``; returns a function to call when done."""
    if not _needs_compiling(dispatchers):
        return lambda: None
    notice(f"compiling the {what} kernels (once: numba caches them for later runs; this takes a while)")
    begin = time.perf_counter()
    return lambda: notice(f"kernels compiled in {time.perf_counter() - begin:.0f} s (not counted in samples/s)")


#: How a Gaussian-process sample (:mod:`boolnet.sampling.gp`) is computed, recorded in the metadata.
GP_ARITHMETIC = ("z = F^T xi: F an eigen factor of the NNGP kernel (float64, rounded to float32), xi standard normal "
                 "(float32); sums over the factor's rows in float32 in a fixed order by fused multiply-adds")

#: The unconditioned sampler's ``fit`` argument: a zero mask counts every sample.
NO_FIT = np.zeros(4, np.uint64)


def fit_words(target: str, train) -> np.ndarray:
    """The worker kernel's ``fit`` argument: mask words of ``train``, then the target's words under the mask.

    Bit i of word i // 64 is input i, as in the packed truth tables.

    Examples
    --------
    >>> [int(w) for w in fit_words("0001", [0, 3])]
    [9, 0, 8, 0]
    """
    mask = [0, 0]
    words = [0, 0]
    for i in train:
        mask[i >> 6] |= 1 << (i & 63)
    for i, c in enumerate(target):
        if c == "1":
            words[i >> 6] |= 1 << (i & 63)
    return np.array([mask[0], mask[1], words[0] & mask[0], words[1] & mask[1]], np.uint64)


def run_options(spec, prior: Prior, seed: int, samples: int, target: str | None = None,
                train=None) -> dict:
    """The options that define a sampling run: its checkpoint fingerprint, and the first metadata keys.

    A conditioned run (``target``, ``train``) adds ``fit`` (the target) and ``train``;
    an unconditioned run's options are as they always were. ``spec`` is a
    :class:`~boolnet.network.NetworkSpec` or, for the infinite-width limit, a
    :class:`~boolnet.nngp.process.LimitNetwork` (whose run adds the kernel's rank).
    """
    limit = spec.arch.is_limit  # the Gaussian-process sampler (boolnet.sampling.gp)
    options = {
        "command": "sample",
        "architecture": str(spec.arch),
        "activation": spec.activation if spec.arch.hidden else "none (perceptron)",
        **prior.metadata(),
        "encoding": spec.encoding,
        "bias": spec.bias,
        "seed": seed,
        "samples": samples,
        "rng": RNG_NAME,
        "arithmetic": GP_ARITHMETIC if limit else "float32, fixed order, fused multiply-adds",
    }
    if limit:
        options.update({"kernel": "NNGP (infinite-width limit)", "kernel_rank": int(spec.reduction.factor().shape[0])})
        if spec.output_bias > 0:
            options["output"] = ("z = b + G: the output bias b uniform (shared by every input), G Gaussian with "
                                 "kernel K - sigma_b**2 / 3")
    options["ci"] = "Wilson score interval, 95%"
    if target is not None:
        options.update({"fit": target, "train": [int(i) for i in train]})
    return options


class BlockJob(Job):
    """Blocks of samples counted into :class:`Counts`: worker ``t`` takes blocks ``first + t``, ``first + t + W``,
    ... of a chunk (any split of the blocks among workers gives the same counts).

    A kind of sampler defines :meth:`run_blocks` (its worker kernel on worker ``t``'s table),
    ``kernels`` (to say when they compile) and ``what`` (their name in that notice).
    """

    unit = "samples"
    granule = BLOCK_SIZE
    what = "sampler's"
    kernels: tuple = ()

    def __init__(self, arch, samples: int, seed: int, counts: Counts, threads: int, fit: np.ndarray | None = None):
        self.total = samples
        self.fit = NO_FIT if fit is None else fit
        self.first_chunk = threads
        self.description = f"sample {arch}"
        self.key0, self.key1 = seed_keys(seed)
        self.counts = counts

    def run_blocks(self, blocks: np.ndarray, start: int, t: int) -> int:
        """Run the worker kernel on ``blocks[start:]`` into worker table ``t``; return the position reached."""
        raise NotImplementedError

    def prepare(self):
        done = _compiling(self.what, [*self.kernels, *COUNTING_KERNELS])
        self.run_blocks(np.empty(0, np.int64), 0, 0)
        warm_counting_kernels()
        done()

    def make_step(self, first, count, threads):
        assigned = [np.arange(first + t, first + count, threads, dtype=np.int64) for t in range(threads)]
        position = [0] * threads

        def step(t):
            position[t] = self.run_blocks(assigned[t], position[t], t)
            return position[t] >= len(assigned[t])

        return step


class SampleJob(BlockJob):
    """Blocks of samples of a finite network."""

    def __init__(self, spec: NetworkSpec, prior: Prior, samples: int, seed: int, counts: Counts, threads: int,
                 fit: np.ndarray | None = None):
        super().__init__(spec.arch, samples, seed, counts, threads, fit)
        self.scales = spec.parameter_scales(prior)
        self.gaussian = prior.kind == "gaussian"
        self.kargs = spec.kernel_args()
        self.worker = WK.worker_for(spec.arch.widths)  # compiled for perceptrons or for MLPs only
        self.kernels = (self.worker,)

    def run_blocks(self, blocks, start, t):
        c = self.counts
        return self.worker(self.key0, self.key1, self.total, blocks, start, self.scales, self.gaussian, *self.kargs,
                           c.worker_tables[t], c.worker_used[t : t + 1], c.worker_limit, self.fit)


#: The counting and table kernels every sampling job compiles in ``prepare`` (see :func:`warm_counting_kernels`).
COUNTING_KERNELS = (HK.merge_partition, HK.rehash, HK.copy_entries, TK.row_order, TK.wilson, TK.write_truth_tables,
                    TK.write_zeros)


def warm_counting_kernels() -> None:
    """Run the counting and table kernels once on empty tables, so that samples/s leaves out every compilation."""
    empty = Counts(workers=1, capacity=16)
    empty.merge_workers()
    HK.merge_partition(empty.worker_tables[0:1], empty.worker_used[0:1], empty.tables[0], 0, 1)
    HK.rehash(empty.tables[0], np.zeros((32, 3), np.uint64))
    empty.entries()
    TK.row_order(np.zeros((1, 2), np.uint64), np.ones(1, np.int64), np.zeros(1, np.int64),
                 np.zeros((3, 1), np.int64))
    TK.wilson(np.ones(1), 1, 1.96)
    TK.write_truth_tables(np.zeros((1, 2), np.uint64), 8, np.zeros(1, np.uint64), 0, 1)
    TK.write_zeros(np.zeros(1, np.uint8), 0, 1, 1)
