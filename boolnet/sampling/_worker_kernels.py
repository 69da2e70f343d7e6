"""Numba kernels: the workers of the sampler and of the grid enumerator.

Each runs in its own Python thread with the GIL released (``nogil=True``),
filling its own hash table (:mod:`boolnet.sampling._hash_kernels`) with the
truth tables of the networks it evaluates (:mod:`boolnet.sampling._network_kernels`);
the driver (:mod:`boolnet.runs`) merges the tables.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from boolnet._numba_copies import renamed
from boolnet.sampling._hash_kernels import slot_shift, table_add
from boolnet.sampling._network_kernels import _perceptron, evaluate, make_buffers
from boolnet.sampling._rng import (BATCH, BLOCK_SIZE, batch_scratch, fill_batch, fill_parameters, scratch_words,
                                   seed_block)

_ONE = np.uint64(1)


#: Rebound in each compiled copy of :func:`_sample_worker` (see :func:`worker_for`).
_PERCEPTRON = True


def _sample_worker(key0, key1, total_samples, blocks, start, scales, gaussian,
                   widths, w_off, b_off, act, pm1, lowbit, table, used, max_used, fit):
    """Sample the blocks ``blocks[start:]`` into ``table``; return the position reached.

    ``fit`` (4 uint64: mask word 0, mask word 1, target word 0, target word 1, the
    target already masked) conditions the count: a sample is counted only when its
    truth-table words agree with the target on the mask's bits (the training set
    ``S``: rejection sampling of ``P_B(f | S)``). A zero mask counts every sample.

    Stops before a block when the table could exceed ``max_used`` entries
    (``used[0]`` is its current number of entries); the caller then merges the
    table and calls again. A block is always done whole, from its own stream,
    so where calls stop never changes a count.
    """
    P = scales.shape[0]
    state = np.empty(4, np.uint64)
    theta = np.empty(P, np.float32)
    words = scratch_words(P)
    batch = np.empty(BATCH * P, np.float32)  # flat rows: the kernel reads row i at offsets + i * P, no views
    batch_words, batch_normals = batch_scratch(P, BATCH if widths.shape[0] == 2 else 0)
    buf_a, buf_b, live = make_buffers(widths, np.float32)
    n = widths[0]
    low = buf_a[buf_a.shape[0] - 1]
    high = buf_a[buf_a.shape[0] - 2]
    entries = used[0]
    shift = slot_shift(table.shape[0])
    m0, m1, t0, t1 = fit[0], fit[1], fit[2], fit[3]
    i = start
    while i < blocks.shape[0]:
        if entries + BLOCK_SIZE > max_used:
            break
        block = blocks[i]
        count = min(BLOCK_SIZE, total_samples - block * BLOCK_SIZE)
        seed_block(state, key0, key1, block)
        if _PERCEPTRON:  # parameters drawn BATCH samples at a time (the same values, vector stores)
            for first in range(0, count, BATCH):
                k = min(BATCH, count - first)
                fill_batch(state, scales, gaussian, batch, k, batch_words, batch_normals)
                if n == 7:  # the literal 7 lets LLVM unroll the perceptron
                    for r in range(k):
                        bo = b_off[0] + r * P if b_off[0] >= 0 else b_off[0]
                        w0, w1 = _perceptron(batch, 7, w_off[0] + r * P, bo, pm1, lowbit, low, high)
                        if (w0 & m0) == t0 and (w1 & m1) == t1:
                            entries += table_add(table, w0, w1, _ONE, shift)
                else:  # call the perceptron kernel directly: it takes a few tens of ns
                    for r in range(k):
                        bo = b_off[0] + r * P if b_off[0] >= 0 else b_off[0]
                        w0, w1 = _perceptron(batch, n, w_off[0] + r * P, bo, pm1, lowbit, low, high)
                        if (w0 & m0) == t0 and (w1 & m1) == t1:
                            entries += table_add(table, w0, w1, _ONE, shift)
        else:
            for _ in range(count):
                fill_parameters(state, scales, gaussian, theta, words)
                w0, w1 = evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b, live)
                if (w0 & m0) == t0 and (w1 & m1) == t1:
                    entries += table_add(table, w0, w1, _ONE, shift)
        i += 1
    used[0] = entries
    return i


_WORKER_DOC = _sample_worker.__doc__ + """
    This copy is compiled for {what} only: numba drops the other path, so a run compiles
    only the code it uses.
    """
sample_worker_perceptron = njit(nogil=True, cache=True)(renamed(
    _sample_worker, "sample_worker_perceptron", _WORKER_DOC.format(what="perceptrons (``widths`` of length 2)"),
    _PERCEPTRON=True))
sample_worker_mlp = njit(nogil=True, cache=True)(renamed(
    _sample_worker, "sample_worker_mlp", _WORKER_DOC.format(what="networks with hidden layers"), _PERCEPTRON=False))


def worker_for(widths):
    """The sampler's worker kernel for a network of these layer widths (perceptron or MLP).

    Examples
    --------
    >>> worker_for([7, 1]) is sample_worker_perceptron, worker_for([7, 40, 40, 1]) is sample_worker_mlp
    (True, True)
    """
    return sample_worker_perceptron if len(widths) == 2 else sample_worker_mlp


@njit(nogil=True, cache=True)
def grid_worker(values, param_mult, start, stop, widths, w_off, b_off, act, pm1, lowbit, table, used,
                max_used):
    """Evaluate grid points ``start .. stop - 1`` into ``table``; return the point reached.

    Point ``g`` has mixed-radix digits ``d_p`` (parameter 0 fastest) and
    parameters ``theta[p] = values[d_p] * param_mult[p]``, in the dtype of
    ``values`` (float32 when every value is an integer below 2**24, else
    float64). Stops early when the table reaches ``max_used`` entries.
    """
    P = param_mult.shape[0]
    m = values.shape[0]
    theta = np.empty(P, values.dtype)
    digits = np.zeros(P, np.int64)
    buf_a, buf_b, live = make_buffers(widths, values.dtype)
    entries = used[0]
    shift = slot_shift(table.shape[0])
    rest = start
    for p in range(P):
        digits[p] = rest % m
        rest //= m
        theta[p] = values[digits[p]] * param_mult[p]
    g = start
    while g < stop:
        if entries + 1 > max_used:
            break
        w0, w1 = evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b, live)
        entries += table_add(table, w0, w1, _ONE, shift)
        g += 1
        for p in range(P):  # next point: increment the mixed-radix counter
            d = digits[p] + 1
            if d < m:
                digits[p] = d
                theta[p] = values[d] * param_mult[p]
                break
            digits[p] = 0
            theta[p] = values[0] * param_mult[p]
    used[0] = entries
    return g
