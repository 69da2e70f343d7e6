"""The Gaussian-process sampler: counted tables of the infinite-width limit (``7-inf-inf-1``).

Each sample is ``z = F^T xi`` with ``F`` a factor of the NNGP kernel
(:meth:`boolnet.nngp.process.Reduction.factor`: an eigen factor of the kernel of the free
inputs, with zero-variance inputs given ``z = 0`` and tied inputs their representative's
value or its negative, exactly) and ``xi`` standard normal from the sampler's own
reproducible streams; the function is the sign pattern of ``z``. The run is the finite
sampler's in every other respect (:mod:`boolnet.sampling.sampler`): blocks, the one run
loop, counts, checkpoints, the same table.
"""

from __future__ import annotations

import numpy as np

from boolnet.nngp.process import LimitNetwork
from boolnet.sampling import _gp_kernels as GK
from boolnet.sampling._rng import BLOCK_SIZE, seed_keys
from boolnet.sampling.counts import Counts
from boolnet.sampling.jobs import COUNTING_KERNELS, NO_FIT, _compiling, warm_counting_kernels
from boolnet.runs import Job


def padded_factor(net: LimitNetwork) -> np.ndarray:
    """The kernel's factor as the worker takes it: float32, C order, columns padded with zeros to a multiple of
    :data:`boolnet.sampling._gp_kernels.GP_COLUMNS` (and of 16).

    Examples
    --------
    >>> from boolnet.priors import Prior
    >>> F = padded_factor(LimitNetwork("2-inf-1", "relu", "01", True, Prior()))
    >>> F.shape[0], F.shape[1] % 16, bool((F[:, 4:] == 0).all())
    (4, 0, True)
    """
    F = net.reduction.factor(np.float32)
    step = max(GK.GP_COLUMNS, 16)
    width = -(-F.shape[1] // step) * step
    out = np.zeros((F.shape[0], width), np.float32)
    out[:, : F.shape[1]] = F
    return out


class GaussianProcessJob(Job):
    """Blocks of Gaussian-process samples: worker ``t`` takes blocks ``first + t``, ``first + t + W``, ... of a chunk."""

    unit = "samples"
    granule = BLOCK_SIZE

    def __init__(self, net: LimitNetwork, samples: int, seed: int, counts: Counts, threads: int,
                 fit: np.ndarray | None = None):
        self.total = samples
        self.fit = NO_FIT if fit is None else fit
        self.first_chunk = threads
        self.description = f"sample {net.arch}"
        self.key0, self.key1 = seed_keys(seed)
        self.factor = padded_factor(net)
        self.n_inputs = net.reduction.size
        self.output_bias = float(net.output_bias)
        self.counts = counts

    def prepare(self):
        done = _compiling("Gaussian-process sampler's", [GK.gp_sample_worker, *COUNTING_KERNELS])
        c = self.counts
        GK.gp_sample_worker(self.key0, self.key1, self.total, np.empty(0, np.int64), 0, self.factor, self.n_inputs,
                            self.output_bias, c.worker_tables[0], c.worker_used[0:1], c.worker_limit, self.fit)
        warm_counting_kernels()
        done()

    def make_step(self, first, count, threads):
        assigned = [np.arange(first + t, first + count, threads, dtype=np.int64) for t in range(threads)]
        position = [0] * threads
        c = self.counts

        def step(t):
            position[t] = GK.gp_sample_worker(self.key0, self.key1, self.total, assigned[t], position[t],
                                              self.factor, self.n_inputs, self.output_bias, c.worker_tables[t],
                                              c.worker_used[t : t + 1], c.worker_limit, self.fit)
            return position[t] >= len(assigned[t])

        return step
