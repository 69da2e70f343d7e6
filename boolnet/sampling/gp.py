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
from boolnet.sampling.counts import Counts
from boolnet.sampling.jobs import BlockJob


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


class GaussianProcessJob(BlockJob):
    """Blocks of Gaussian-process samples (the infinite-width limit)."""

    what = "Gaussian-process sampler's"
    kernels = (GK.gp_sample_worker,)

    def __init__(self, net: LimitNetwork, samples: int, seed: int, counts: Counts, threads: int,
                 fit: np.ndarray | None = None):
        super().__init__(net.arch, samples, seed, counts, threads, fit)
        self.factor = padded_factor(net)
        self.n_inputs = net.reduction.size
        self.output_bias = float(net.output_bias)

    def run_blocks(self, blocks, start, t):
        c = self.counts
        return GK.gp_sample_worker(self.key0, self.key1, self.total, blocks, start, self.factor, self.n_inputs,
                                   self.output_bias, c.worker_tables[t], c.worker_used[t : t + 1], c.worker_limit,
                                   self.fit)
