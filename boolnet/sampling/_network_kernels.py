"""Numba kernels: a network's truth table, evaluated on all 2**n inputs at once.

A network is described by plain arrays so one compiled kernel serves every
architecture (the layout is documented in :mod:`boolnet.network`):

* ``widths``: ``[n, h_1, ..., h_L, 1]`` (int64);
* parameters of one network: a flat vector ``theta``; layer ``l`` (0-based) has
  its weight matrix at ``theta[w_off[l] : w_off[l] + fan_in * width]`` in row-major
  order (``W[k, j]`` = weight from input/unit ``k`` to unit ``j``), followed by its
  biases at ``b_off[l]`` (``b_off[l] = -1`` without biases);
* ``act``: activation code of the hidden layers (:data:`boolnet.network.ACTIVATIONS`);
* ``pm1``: inputs encoded as -1/+1 instead of 0/1.

The first layer is computed for all ``2**n`` inputs by subset sums: a unit's
pre-activation on input ``i`` is ``H[high bits of i] + L[low 4 bits of i]``,
where ``H`` (bias included) and ``L`` hold the sums of the weights of every
subset of the high and of the low input bits (each built by doubling, one
addition per entry; for pm1 from ``-sum of the weights``, adding twice a
weight): about ``2**n + 24`` additions per unit instead of a matrix product.
The output unit gives 1 iff its pre-activation is strictly > 0.

The kernels work for float32 (sampling) and float64 (grid enumeration) buffers
alike. The hidden layers and the bit packing use the LLVM vector helpers of
:mod:`boolnet.sampling._simd`. :func:`boolnet.sampling.evaluate.truth_tables` is the public
face of :func:`tables_from_parameters`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from numba import types
from numba.extending import overload

from boolnet.sampling._simd import (TANH_LANES, VECTOR_BYTES, dense_block1, dense_block4, fma, mask16_greater,
                                   outer_sum_row, subset_sums16, tanh16)


def tanh_row(row, N):
    """``row[:N] = tanh(row[:N])`` in place: float32 by :func:`boolnet.sampling._simd.tanh16` (the same bits
    on every machine, max error stated in docs/sampling.md), float64 (grids) by NumPy's ``tanh``."""
    for i in range(N):
        row[i] = np.tanh(row[i])


@overload(tanh_row)
def _tanh_row_overload(row, N):
    if row.dtype == types.float32:
        def impl(row, N):
            for i in range(0, N, TANH_LANES):
                tanh16(row, i, N - i)
        return impl

    def impl(row, N):
        for i in range(N):
            row[i] = np.tanh(row[i])
    return impl


@njit(cache=True)
def tanh_array(x):
    """tanh of a 1-D float32 or float64 array, as the kernels compute it (a new array; for tests)."""
    y = x.copy()
    tanh_row(y, y.shape[0])
    return y


@njit(cache=True)
def first_layer(theta, n, width, w_off, b_off, pm1, out, low, high):
    """First-layer pre-activations ``out[j, i]`` of unit ``j`` on input ``i``, by subset sums.

    Input ``i`` splits into its high bits (x_1..x_{n-4}) and its low 4 bits.
    For each unit, ``H[hi]`` = bias + the weights of the high bits that are
    set, and ``L[lo]`` = the weights of the low bits that are set, are subset
    sums built by doubling (each entry is an earlier one plus one weight; in
    pm1 the starting point is minus the sum of the weights and each step adds
    twice a weight). Then ``out[j, hi * 16 + lo] = H[hi] + L[lo]``: blocks of
    16 additions that vectorise. About 2**n + 24 additions per unit. ``low``
    and ``high`` are scratch rows (at least 2**min(n, 4) and 2**max(n - 4, 0)).
    """
    nl = min(n, 4)
    nh = n - nl
    NL = 1 << nl
    NH = 1 << nh
    zero = theta[0] - theta[0]
    for j in range(width):
        # Low part: bit p of lo is coordinate x_{n-p}, weight theta[w_off + (n-1-p) * width + j].
        low[0] = zero
        if pm1:
            for p in range(nl):
                low[0] -= theta[w_off + (n - 1 - p) * width + j]
        if NL == 16:
            # The same doubling written out for 4 low bits (loops of 1, 2, 4
            # and 8 sums cost more in loop set-up than in additions).
            w0 = theta[w_off + (n - 1) * width + j]
            w1 = theta[w_off + (n - 2) * width + j]
            w2 = theta[w_off + (n - 3) * width + j]
            w3 = theta[w_off + (n - 4) * width + j]
            if pm1:
                w0, w1, w2, w3 = w0 + w0, w1 + w1, w2 + w2, w3 + w3
            l0 = low[0]
            l1 = l0 + w0
            l2, l3 = l0 + w1, l1 + w1
            l4, l5, l6, l7 = l0 + w2, l1 + w2, l2 + w2, l3 + w2
            l8, l9, l10, l11 = l0 + w3, l1 + w3, l2 + w3, l3 + w3
            l12, l13, l14, l15 = l4 + w3, l5 + w3, l6 + w3, l7 + w3
        else:
            for p in range(nl):
                w = theta[w_off + (n - 1 - p) * width + j]
                if pm1:
                    w = w + w
                step = 1 << p
                for i in range(step):
                    low[step + i] = low[i] + w
        # High part: bit q of hi is coordinate x_{nh-q}.
        high[0] = theta[b_off + j] if b_off >= 0 else zero
        if pm1:
            for q in range(nh):
                high[0] -= theta[w_off + (nh - 1 - q) * width + j]
        for q in range(nh):
            w = theta[w_off + (nh - 1 - q) * width + j]
            if pm1:
                w = w + w
            step = 1 << q
            for i in range(step):
                high[step + i] = high[i] + w
        if NL == 16:
            low[0], low[1], low[2], low[3] = l0, l1, l2, l3
            low[4], low[5], low[6], low[7] = l4, l5, l6, l7
            low[8], low[9], low[10], low[11] = l8, l9, l10, l11
            low[12], low[13], low[14], low[15] = l12, l13, l14, l15
            outer_sum_row(out, j, high, NH, low)
        else:
            for hi in range(NH):
                h = high[hi]
                base = hi * NL
                for lo in range(NL):
                    out[j, base + lo] = h + low[lo]


@njit(inline="always", cache=True)
def _pack(values, N):
    """Packed words of ``values[i] > 0`` for i < N (branch-free: the signs are unpredictable)."""
    w0 = np.uint64(0)
    w1 = np.uint64(0)
    for i in range(min(N, 64)):
        w0 |= np.uint64(values[i] > 0) << np.uint64(i)
    for i in range(64, N):
        w1 |= np.uint64(values[i] > 0) << np.uint64(i - 64)
    return w0, w1


@njit(cache=True)
def _perceptron(theta, n, w_off, b_off, pm1, lowbit, low, high):
    """Truth table of a perceptron from two subset-sum tables.

    ``pre(i) = H[high bits of i] + L[low 4 bits of i]`` with ``H`` the bias plus
    the weights of x_1..x_{n-4} and ``L`` the weights of the last four inputs.
    Bit i is ``L[lo] > -H[hi]``, which is exactly ``fl(H[hi] + L[lo]) > 0``:
    rounding never changes the sign of a sum of two floats.
    """
    nl = min(n, 4)
    nh = n - nl
    NL = 1 << nl
    NH = 1 << nh
    zero = theta[0] - theta[0]
    # Low part: bit p of lo is coordinate x_{n-p}.
    low[0] = zero
    if pm1:
        for p in range(nl):
            low[0] -= theta[w_off + n - 1 - p]
    if NL == 16:
        w0, w1, w2, w3 = theta[w_off + n - 1], theta[w_off + n - 2], theta[w_off + n - 3], theta[w_off + n - 4]
        if pm1:
            w0, w1, w2, w3 = w0 + w0, w1 + w1, w2 + w2, w3 + w3
        subset_sums16(low, low[0], w0, w1, w2, w3)
    else:
        for lo in range(1, NL):
            w = theta[w_off + n - 1 - lowbit[lo]]
            low[lo] = low[lo & (lo - 1)] + ((w + w) if pm1 else w)
    # High part: bias, and bit q of hi is coordinate x_{nh-q}.
    high[0] = theta[b_off] if b_off >= 0 else zero
    if pm1:
        for q in range(nh):
            high[0] -= theta[w_off + nh - 1 - q]
    for hi in range(1, NH):
        w = theta[w_off + nh - 1 - lowbit[hi]]
        high[hi] = high[hi & (hi - 1)] + ((w + w) if pm1 else w)
    w0 = np.uint64(0)
    w1 = np.uint64(0)
    if NL == 16:
        for hi in range(NH):
            m = mask16_greater(low, 0, -high[hi])
            shift = hi * 16
            if shift < 64:
                w0 |= m << np.uint64(shift)
            else:
                w1 |= m << np.uint64(shift - 64)
    else:
        t = -high[0]
        for lo in range(NL):
            w0 |= np.uint64(low[lo] > t) << np.uint64(lo)
    return w0, w1


#: Inputs per block of the live lists (units that are nonzero somewhere in the block). Measured
#: on 7-40-40-1 relu: 32 is faster than 16 (more skipped terms, but more lists) and than 128.
LIVE_BLOCK = 32


@njit(cache=True)
def block_size(N, itemsize):
    """Inputs per block of the dense micro-kernel (two vectors: 32 or 16 float32, 16 or 8 float64), or ``N`` if fewer."""
    size = 2 * (VECTOR_BYTES // itemsize)
    return size if N >= size else N


@njit(cache=True)
def _dense(theta, fan_in, width, w_off, b_off, src, live, bs, dst, N):
    """``dst[j, i] = b_j + sum_k src[k, i] * W[k, j]`` for all units ``j`` and inputs ``i < N``.

    The inputs are taken in blocks of ``bs``; row ``r`` of ``live`` lists
    (after its count in column 0) the source units that are nonzero somewhere
    in inputs ``r * N / rows .. (r + 1) * N / rows - 1``, in increasing order. A unit that is 0 on the whole block
    adds only zeros there, so leaving it out changes no sum (at most the sign
    of a zero, which no later step can see: relu, step, sign, tanh and the
    output rule give the same value for +0 and -0). The remaining terms are
    added in increasing ``k`` after the bias, each by an IEEE fused multiply-add.
    Full blocks go to the register-blocked micro-kernel of
    :mod:`boolnet.sampling._simd`; fewer than a block's inputs (n <= 3) take the
    plain loop, which adds in the same order with the same fused multiply-adds.
    """
    zero = theta[0] - theta[0]
    if bs == block_size(np.int64(1 << 30), dst.itemsize):  # an int64, not a literal: no second compile
        lbs = N // live.shape[0]
        for blk in range(N // bs):
            col = blk * bs
            row = col // lbs
            m = live[row, 0]
            j = 0
            while j + 4 <= width:
                dense_block4(src, theta, w_off, b_off, width, live, row, m, j, col, dst)
                j += 4
            while j < width:
                dense_block1(src, theta, w_off, b_off, width, live, row, m, j, col, dst)
                j += 1
        return
    m = live[0, 0]
    for j in range(width):
        b = theta[b_off + j] if b_off >= 0 else zero
        for i in range(N):
            d = b
            for t in range(m):
                k = live[0, 1 + t]
                d = fma(src[k, i], theta[w_off + k * width + j], d)
            dst[j, i] = d


@njit(cache=True)
def _activate_rows(buf, width, N, act, live):
    """Apply the activation to ``buf[:width, :N]`` and list, per block of inputs, the nonzero units.

    With ``bs = N / live.shape[0]`` inputs per block, row ``blk`` of ``live``
    gets the count in column 0 and then the units (increasing) that are
    nonzero somewhere in inputs ``blk * bs .. blk * bs + bs - 1``.
    relu is written ``(x + |x|) / 2`` and step/sign as comparisons converted to
    numbers: exact (``x + |x|`` is ``2x`` or ``+0``), and unlike a select these
    forms vectorise.
    """
    half = np.float32(0.5)
    blocks = live.shape[0]
    bs = N // blocks
    for blk in range(blocks):
        live[blk, 0] = 0
    for j in range(width):
        row = buf[j]
        if act == 0 and bs == LIVE_BLOCK:
            # relu and the block test in one pass; LIVE_BLOCK is a constant, so
            # the inner loop unrolls into a few vector instructions.
            for blk in range(blocks):
                base = blk * LIVE_BLOCK
                nonzero = False
                for i in range(LIVE_BLOCK):
                    x = row[base + i]
                    y = (x + abs(x)) * half
                    row[base + i] = y
                    nonzero |= y != 0
                # Branch-free append (which blocks are zero is unpredictable).
                c = live[blk, 0]
                live[blk, c + 1] = j
                live[blk, 0] = c + nonzero
            continue
        if act == 0:  # relu
            for i in range(N):
                x = row[i]
                row[i] = (x + abs(x)) * half
        elif act == 2:  # step: 1 if x > 0 else 0 (step(0) = 0, like the output rule)
            for i in range(N):
                row[i] = row[i] > 0
        elif act == 3:  # sign: 1, 0 or -1 (sign(0) = 0)
            for i in range(N):
                x = row[i]
                row[i] = np.int32(x > 0) - np.int32(x < 0)
        elif act == 1:
            tanh_row(row, N)
        for blk in range(blocks):
            nonzero = False
            for i in range(blk * bs, blk * bs + bs):
                nonzero |= row[i] != 0
            c = live[blk, 0]
            live[blk, c + 1] = j
            live[blk, 0] = c + nonzero


@njit(cache=True)
def make_buffers(widths, dtype):
    """Scratch space for :func:`evaluate`: ``(buf_a, buf_b, live)``.

    ``buf_a`` and ``buf_b`` have one row per unit of the widest hidden layer
    (at least 16) plus one, each row holding a unit's values on all ``2**n``
    inputs; ``live`` has a row per block of inputs (see :func:`_activate_rows`).
    """
    N = 1 << widths[0]
    widest = 16
    for layer in range(1, widths.shape[0] - 1):
        widest = max(widest, widths[layer])
    buf_a = np.zeros((widest + 1, N), dtype)
    bs = block_size(N, buf_a.itemsize)
    return buf_a, np.zeros((widest + 1, N), dtype), np.zeros((max(1, N // max(bs, LIVE_BLOCK)), widest + 1), np.int64)


@njit(cache=True)
def evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b, live):
    """Packed truth table ``(word0, word1)`` of the network with parameters ``theta``.

    ``buf_a``, ``buf_b``, ``live``: scratch from :func:`make_buffers`, with the
    dtype of the arithmetic (float32 when sampling, float64 on grids). Row ``j``
    of a buffer holds unit ``j`` on all ``2**n`` inputs, so inner loops run over
    inputs and vectorise. Sums are accumulated in a fixed order (bias, then k
    ascending), each term by an IEEE fused multiply-add (``llvm.fma``, exactly
    specified), so results are the same on every machine.
    """
    n = widths[0]
    N = 1 << n
    L = widths.shape[0] - 1  # number of layers with parameters
    rows = buf_a.shape[0]
    if L == 1:
        return _perceptron(theta, n, w_off[0], b_off[0], pm1, lowbit, buf_a[rows - 1], buf_a[rows - 2])
    h = widths[1]
    bs = block_size(N, buf_a.itemsize)
    first_layer(theta, n, h, w_off[0], b_off[0], pm1, buf_a, buf_b[rows - 1], buf_b[rows - 2])
    _activate_rows(buf_a, h, N, act, live)
    cur = buf_a
    nxt = buf_b
    for layer in range(1, L - 1):
        fan_in = widths[layer]
        width = widths[layer + 1]
        _dense(theta, fan_in, width, w_off[layer], b_off[layer], cur, live, bs, nxt, N)
        _activate_rows(nxt, width, N, act, live)
        cur, nxt = nxt, cur
    # Output unit, computed into row 0 of the free buffer.
    _dense(theta, widths[L - 1], 1, w_off[L - 1], b_off[L - 1], cur, live, bs, nxt, N)
    return _pack(nxt[0], N)


@njit(cache=True)
def tables_from_parameters(thetas, widths, w_off, b_off, act, pm1, lowbit):
    """Packed truth tables ``(S, 2)`` of ``S`` networks given as rows of ``thetas``."""
    buf_a, buf_b, live = make_buffers(widths, thetas.dtype)
    out = np.empty((thetas.shape[0], 2), np.uint64)
    for s in range(thetas.shape[0]):
        w0, w1 = evaluate(thetas[s], widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b, live)
        out[s, 0] = w0
        out[s, 1] = w1
    return out
