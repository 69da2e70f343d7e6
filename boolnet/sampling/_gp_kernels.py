"""Numba kernel: the Gaussian-process sampler's worker (imports numpy, numba and boolnet's other kernels only).

A sample of the infinite-width network is ``z = F^T xi`` with ``xi`` standard normal in
``r`` dimensions (``F`` the ``r x 2**n`` factor of the NNGP kernel, float32) and its truth
table the sign pattern of ``z`` (1 iff ``z_i > 0``). The normals come from the sampler's own
streams (:mod:`boolnet.sampling._rng`: block ``b`` from ``(seed, b)``), so a table depends on
the options and the seed only, never on the thread count.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from boolnet.sampling._hash_kernels import slot_shift, table_add
from boolnet.sampling._rng import (BLOCK_SIZE, fill_parameters, next_u64, scratch_words, seed_block,
                                   uniform_pm1_from_u32)
from boolnet.sampling._simd import block_inputs, dense_block4, mask16_greater

_ONE = np.uint64(1)
_LOW32 = np.uint64(0xFFFFFFFF)


#: Samples evaluated together: the dense-layer micro-kernel computes 4 of them per call, over the factor's rows.
GP_BATCH = 8
#: Inputs per micro-kernel call; :func:`boolnet.sampling.gp.padded_factor` pads the factor's columns to a multiple.
GP_COLUMNS = block_inputs(4)


@njit(nogil=True, cache=True)
def gp_sample_worker(key0, key1, total_samples, blocks, start, factor, n_inputs, output_bias, table, used,
                     max_used, fit):
    """Sample the blocks ``blocks[start:]`` of the Gaussian process into ``table``; return the position reached.

    ``factor`` is ``F`` (``r x M`` float32, C order: the ``N = n_inputs`` columns of the
    kernel's factor padded with zero columns to a multiple of :data:`GP_COLUMNS`). Sample
    ``b``'s pre-activations ``z_b = sum_k xi_bk F[k]`` come from the dense-layer
    micro-kernel of the finite sampler (:func:`boolnet.sampling._simd.dense_block4`, with
    ``F`` as the layer's input and the normals as its weights): sums over ``k`` in
    increasing order by fused multiply-adds, one rounding each, so every machine gives the
    same bits. The normals of a sample are ``r`` consecutive values of its block's stream
    (:func:`boolnet.sampling._rng.fill_parameters`), so batching changes no value. ``fit``
    conditions the count as in the finite sampler
    (:func:`boolnet.sampling._worker_kernels._sample_worker`). Stops before a block when
    the table could exceed ``max_used`` entries.

    ``output_bias > 0`` (the uniform prior with biases): each sample also draws its output
    bias ``b`` uniform on ``(-output_bias, output_bias)`` (the next 64-bit output of its
    stream, after its normals) and ``z_b`` starts from ``b`` (the micro-kernel's bias slot):
    ``F`` is then the factor of the Gaussian part ``K - output_bias**2 / 3``.
    """
    r = factor.shape[0]
    M = factor.shape[1]
    N = n_inputs
    state = np.empty(4, np.uint64)
    xs = np.empty(r, np.float32)
    # The normals, k-major (theta[k * GP_BATCH + b]), then the output biases of the batch's samples.
    theta = np.zeros(r * GP_BATCH + GP_BATCH, np.float32)
    b_off = r * GP_BATCH if output_bias > 0 else -1
    half = np.float32(output_bias)
    live = np.empty((1, r + 1), np.int64)        # the micro-kernel's list of rows k to sum: all of them
    live[0, 0] = r
    for k in range(r):
        live[0, k + 1] = k
    ones = np.ones(r, np.float32)
    words = scratch_words(r)
    z = np.empty((GP_BATCH, M), np.float32)
    entries = used[0]
    shift = slot_shift(table.shape[0])
    m0, m1, t0, t1 = fit[0], fit[1], fit[2], fit[3]
    zero = np.float32(0.0)
    i = start
    while i < blocks.shape[0]:
        if entries + BLOCK_SIZE > max_used:
            break
        block = blocks[i]
        count = min(BLOCK_SIZE, total_samples - block * BLOCK_SIZE)
        seed_block(state, key0, key1, block)
        for first in range(0, count, GP_BATCH):
            B = min(GP_BATCH, count - first)
            for b in range(B):
                fill_parameters(state, ones, True, xs, words)
                for k in range(r):
                    theta[k * GP_BATCH + b] = xs[k]
                if b_off >= 0:
                    theta[b_off + b] = half * uniform_pm1_from_u32(next_u64(state) & _LOW32)
            for col in range(0, M, GP_COLUMNS):
                for j in range(0, GP_BATCH, 4):
                    dense_block4(factor, theta, 0, b_off, GP_BATCH, live, 0, r, j, col, z)
            for b in range(B):
                row = z[b]
                w0 = np.uint64(0)
                w1 = np.uint64(0)
                for g in range(0, min(N, 64), 16):
                    w0 |= mask16_greater(row, g, zero) << np.uint64(g)
                for g in range(64, N, 16):
                    w1 |= mask16_greater(row, g, zero) << np.uint64(g - 64)
                if N < 64:  # padded columns hold the output bias when there is one: not inputs
                    w0 &= (_ONE << np.uint64(N)) - _ONE
                if (w0 & m0) == t0 and (w1 & m1) == t1:
                    entries += table_add(table, w0, w1, _ONE, shift)
        i += 1
    used[0] = entries
    return i
