"""Numba kernels: network evaluation on all inputs, truth-table hash tables, parallel sampling.

A network is described by plain arrays so one compiled kernel serves every
architecture:

* ``widths``: ``[n, h_1, ..., h_L, 1]`` (int64);
* parameters of one network: a flat vector ``theta``; layer ``l`` (0-based) has
  its weight matrix at ``theta[w_off[l] : w_off[l] + fan_in * width]`` in row-major
  order (``W[k, j]`` = weight from input/unit ``k`` to unit ``j``), followed by its
  biases at ``b_off[l]`` (``b_off[l] = -1`` without biases);
* ``act``: activation code of the hidden layers (see ``ACTIVATIONS``);
* ``pm1``: inputs encoded as -1/+1 instead of 0/1.

The first layer is computed for all ``2**n`` inputs by subset sums: input ``i``
differs from ``i & (i - 1)`` by its lowest set bit, so its pre-activations are
those of ``i & (i - 1)`` plus one weight row (twice the row for pm1, starting
from ``bias - sum of rows``): ``2**n * h_1`` additions instead of a matrix
product. The output unit gives 1 iff its pre-activation is strictly > 0.

Hash tables of packed truth tables are ``(capacity, 3)`` uint64 arrays: words 0
and 1 of the truth table (word 1 is 0 for n <= 6) and the count; a slot is empty
iff its count is 0. Open addressing with linear probing; capacity a power of
two; callers keep the load at or below one half.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from boolnet.sampling._rng import BLOCK_SIZE, fill_parameters, seed_block, splitmix_mix

#: Activation name -> code used by the kernels.
ACTIVATIONS = {"relu": 0, "tanh": 1, "step": 2, "sign": 3, "linear": 4}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_ONE = np.uint64(1)


# ---------------------------------------------------------------------------
# Hash tables of truth tables.
# ---------------------------------------------------------------------------


@njit(inline="always", cache=True)
def table_add(table, lo, hi, inc):
    """Add ``inc`` to the count of truth table ``(lo, hi)``; return 1 if it was new, else 0."""
    mask = np.uint64(table.shape[0] - 1)
    i = np.int64(splitmix_mix(lo + hi * _GOLDEN) & mask)
    while True:
        c = table[i, 2]
        if c == 0:
            table[i, 0] = lo
            table[i, 1] = hi
            table[i, 2] = inc
            return 1
        if table[i, 0] == lo and table[i, 1] == hi:
            table[i, 2] = c + inc
            return 0
        i = (i + 1) & np.int64(mask)


@njit(cache=True)
def merge_tables(sources, used, target):
    """Add every entry of ``sources[t]`` to ``target``, then empty the sources.

    Returns the number of entries that were new in ``target``. The caller makes
    sure ``target`` has room (load <= 1/2 afterwards).
    """
    new = 0
    for t in range(sources.shape[0]):
        if used[t] == 0:
            continue
        src = sources[t]
        for i in range(src.shape[0]):
            c = src[i, 2]
            if c != 0:
                new += table_add(target, src[i, 0], src[i, 1], c)
                src[i, 2] = 0
        used[t] = 0
    return new


@njit(cache=True)
def rehash(table, capacity):
    """A new table of ``capacity`` slots holding the entries of ``table``."""
    out = np.zeros((capacity, 3), np.uint64)
    for i in range(table.shape[0]):
        if table[i, 2] != 0:
            table_add(out, table[i, 0], table[i, 1], table[i, 2])
    return out


@njit(cache=True)
def table_entries(table):
    """Occupied entries: ``(words (m, 2) uint64, counts (m,) int64)`` in slot order."""
    m = 0
    for i in range(table.shape[0]):
        if table[i, 2] != 0:
            m += 1
    words = np.empty((m, 2), np.uint64)
    counts = np.empty(m, np.int64)
    k = 0
    for i in range(table.shape[0]):
        if table[i, 2] != 0:
            words[k, 0] = table[i, 0]
            words[k, 1] = table[i, 1]
            counts[k] = np.int64(table[i, 2])
            k += 1
    return words, counts


@njit(cache=True)
def table_from_entries(words, counts, capacity):
    """A table of ``capacity`` slots holding the given entries (counts > 0)."""
    out = np.zeros((capacity, 3), np.uint64)
    for k in range(counts.shape[0]):
        table_add(out, words[k, 0], words[k, 1], np.uint64(counts[k]))
    return out


# ---------------------------------------------------------------------------
# Network evaluation on all 2**n inputs. Works for float32 (sampling) and
# float64 (grid enumeration) buffers alike.
# ---------------------------------------------------------------------------


@njit(inline="always", cache=True)
def _activate(x, act):
    if act == 0:  # relu
        return x if x > 0 else x * 0
    if act == 1:  # tanh
        return np.tanh(x)
    if act == 2:  # step: 1 if x > 0 else 0 (step(0) = 0, like the output rule)
        return x * 0 + (1 if x > 0 else 0)
    if act == 3:  # sign: 1, 0 or -1 (sign(0) = 0)
        return x * 0 + (1 if x > 0 else (-1 if x < 0 else 0))
    return x  # linear


@njit(cache=True)
def first_layer(theta, n, width, w_off, b_off, pm1, lowbit, out):
    """Pre-activations of the first layer for all inputs, by subset sums: ``out[i, j]``."""
    N = 1 << n
    for j in range(width):
        v = theta[b_off + j] if b_off >= 0 else theta[0] * 0
        if pm1:
            for k in range(n):
                v -= theta[w_off + k * width + j]
        out[0, j] = v
    for i in range(1, N):
        prev = i & (i - 1)
        row = w_off + (n - 1 - lowbit[i]) * width  # lowest set bit p is coordinate x_{n-p}
        if pm1:
            for j in range(width):
                out[i, j] = out[prev, j] + 2 * theta[row + j]
        else:
            for j in range(width):
                out[i, j] = out[prev, j] + theta[row + j]


@njit(cache=True)
def evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b):
    """Packed truth table ``(word0, word1)`` of the network with parameters ``theta``.

    ``buf_a`` and ``buf_b`` are scratch arrays of shape ``(2**n, max hidden width)``
    (or ``(2**n, 1)`` for a perceptron) with the dtype of the arithmetic.
    """
    n = widths[0]
    N = 1 << n
    L = widths.shape[0] - 1  # number of layers with parameters
    w0 = np.uint64(0)
    w1 = np.uint64(0)
    if L == 1:
        # Perceptron: one pre-activation per input, thresholded.
        first_layer(theta, n, 1, w_off[0], b_off[0], pm1, lowbit, buf_a)
        for i in range(N):
            if buf_a[i, 0] > 0:
                if i < 64:
                    w0 |= _ONE << np.uint64(i)
                else:
                    w1 |= _ONE << np.uint64(i - 64)
        return w0, w1
    h = widths[1]
    first_layer(theta, n, h, w_off[0], b_off[0], pm1, lowbit, buf_a)
    for i in range(N):
        for j in range(h):
            buf_a[i, j] = _activate(buf_a[i, j], act)
    cur = buf_a
    nxt = buf_b
    for layer in range(1, L - 1):
        fan_in = widths[layer]
        width = widths[layer + 1]
        wo = w_off[layer]
        bo = b_off[layer]
        for i in range(N):
            acc = nxt[i]
            if bo >= 0:
                for j in range(width):
                    acc[j] = theta[bo + j]
            else:
                for j in range(width):
                    acc[j] = 0
            src = cur[i]
            for k in range(fan_in):
                a = src[k]
                if a != 0:  # relu/step leave about half the units at 0: skip their rows
                    row = wo + k * width
                    for j in range(width):
                        acc[j] += a * theta[row + j]
            for j in range(width):
                acc[j] = _activate(acc[j], act)
        cur, nxt = nxt, cur
    # Output unit.
    fan_in = widths[L - 1]
    wo = w_off[L - 1]
    bo = b_off[L - 1]
    for i in range(N):
        o = theta[bo] if bo >= 0 else theta[0] * 0
        src = cur[i]
        for k in range(fan_in):
            o += src[k] * theta[wo + k]
        if o > 0:
            if i < 64:
                w0 |= _ONE << np.uint64(i)
            else:
                w1 |= _ONE << np.uint64(i - 64)
    return w0, w1


@njit(cache=True)
def tables_from_parameters(thetas, widths, w_off, b_off, act, pm1, lowbit, buf_width):
    """Packed truth tables ``(S, 2)`` of ``S`` networks given as rows of ``thetas``."""
    N = 1 << widths[0]
    buf_a = np.empty((N, buf_width), thetas.dtype)
    buf_b = np.empty((N, buf_width), thetas.dtype)
    out = np.empty((thetas.shape[0], 2), np.uint64)
    for s in range(thetas.shape[0]):
        w0, w1 = evaluate(thetas[s], widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b)
        out[s, 0] = w0
        out[s, 1] = w1
    return out


# ---------------------------------------------------------------------------
# Parallel sampling.
# ---------------------------------------------------------------------------


@njit(parallel=True, cache=True)
def sample_blocks(key0, key1, total_samples, first_block, n_blocks, next_rel, scales, gaussian,
                  widths, w_off, b_off, act, pm1, lowbit, buf_width, worker_tables, worker_used, max_used):
    """Sample blocks ``first_block .. first_block + n_blocks - 1`` into per-worker tables.

    Worker ``t`` owns the blocks ``first_block + t + k * W`` (``W`` workers) and
    resumes at relative block ``next_rel[t]``. Before each block it checks that
    its table can take ``BLOCK_SIZE`` more entries within ``max_used``; if not it
    stops, and the caller merges the tables and calls again. A block is always
    done whole by one worker with its own stream, and counts only add up, so the
    result does not depend on the number of workers or on where calls stop.
    """
    W = worker_tables.shape[0]
    N = 1 << widths[0]
    P = scales.shape[0]
    for t in prange(W):
        state = np.empty(4, np.uint64)
        theta = np.empty(P, np.float32)
        buf_a = np.empty((N, buf_width), np.float32)
        buf_b = np.empty((N, buf_width), np.float32)
        table = worker_tables[t]
        rel = next_rel[t]
        used = worker_used[t]
        while rel < n_blocks:
            if used + BLOCK_SIZE > max_used:
                break
            block = first_block + rel
            count = min(BLOCK_SIZE, total_samples - block * BLOCK_SIZE)
            seed_block(state, key0, key1, block)
            for _ in range(count):
                fill_parameters(state, scales, gaussian, theta)
                w0, w1 = evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b)
                used += table_add(table, w0, w1, _ONE)
            rel += W
        next_rel[t] = rel
        worker_used[t] = used


# ---------------------------------------------------------------------------
# Grid enumeration.
# ---------------------------------------------------------------------------


@njit(parallel=True, cache=True)
def enumerate_grid(values, param_mult, first, count, widths, w_off, b_off, act, pm1, lowbit,
                   buf_width, worker_tables, worker_used, max_used, next_index):
    """Evaluate grid points ``first .. first + count - 1`` (mixed-radix digits, parameter 0 fastest).

    Point ``g`` has ``theta[p] = values[digit_p(g)] * param_mult[p]`` (float64).
    The range is cut into one equal slice per worker; worker ``t`` starts at
    relative point ``next_index[t]`` (initially ``t * ceil(count / W)``), stops
    early when its table reaches ``max_used`` entries, and records where it
    stopped in ``next_index[t]``.
    """
    W = worker_tables.shape[0]
    N = 1 << widths[0]
    P = param_mult.shape[0]
    m = values.shape[0]
    per = (count + W - 1) // W
    for t in prange(W):
        theta = np.empty(P, np.float64)
        digits = np.zeros(P, np.int64)
        buf_a = np.empty((N, buf_width), np.float64)
        buf_b = np.empty((N, buf_width), np.float64)
        table = worker_tables[t]
        used = worker_used[t]
        stop = min(count, (t + 1) * per)
        g = next_index[t]
        # Digits of the starting point.
        rest = first + g
        for p in range(P):
            digits[p] = rest % m
            rest //= m
            theta[p] = values[digits[p]] * param_mult[p]
        while g < stop:
            if used + 1 > max_used:
                break
            w0, w1 = evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b)
            used += table_add(table, w0, w1, _ONE)
            g += 1
            # Increment the mixed-radix counter.
            for p in range(P):
                d = digits[p] + 1
                if d < m:
                    digits[p] = d
                    theta[p] = values[d] * param_mult[p]
                    break
                digits[p] = 0
                theta[p] = values[0] * param_mult[p]
        next_index[t] = g
        worker_used[t] = used
