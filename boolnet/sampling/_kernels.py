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

The first layer is computed for all ``2**n`` inputs by subset sums: a unit's
pre-activation on input ``i`` is ``H[high bits of i] + L[low 4 bits of i]``,
where ``H`` (bias included) and ``L`` hold the sums of the weights of every
subset of the high and of the low input bits (each built by doubling, one
addition per entry; for pm1 from ``-sum of the weights``, adding twice a
weight): about ``2**n + 24`` additions per unit instead of a matrix product.
The output unit gives 1 iff its pre-activation is strictly > 0.

Hash tables of packed truth tables are ``(capacity, 3)`` uint64 arrays: words 0
and 1 of the truth table (word 1 is 0 for n <= 6) and the count; a slot is empty
iff its count is 0. Open addressing with linear probing; capacity a power of
two; callers keep the load at or below 3/4. A truth table's home slot is
the top ``log2(capacity)`` bits of its hash, so every table is (almost) in
hash order: merging one table into another, or into a table twice its size,
walks the target in increasing slot order instead of jumping at random.

The hidden layers and the bit packing use the LLVM vector helpers of
:mod:`boolnet.sampling._simd`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from boolnet.sampling._simd import VECTOR_BYTES, dense_block1, dense_block4, fma, mask16_greater, outer_sum_row, prefetch_row, subset_sums16
from boolnet.sampling._rng import BLOCK_SIZE, fill_parameters, scratch_words, seed_block, splitmix_mix

#: Activation name -> code used by the kernels.
ACTIVATIONS = {"relu": 0, "tanh": 1, "step": 2, "sign": 3, "linear": 4}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_ONE = np.uint64(1)


# ---------------------------------------------------------------------------
# Hash tables of truth tables.
# ---------------------------------------------------------------------------


@njit(inline="always", cache=True)
def _hash(lo, hi):
    """64-bit hash of a truth table: its top bits pick the slot, its low bits the partition."""
    return splitmix_mix(lo + hi * _GOLDEN)


@njit(cache=True)
def slot_shift(capacity):
    """``64 - log2(capacity)``: a hash ``h`` has its home slot at ``h >> shift``."""
    shift = 64
    c = capacity
    while c > 1:
        c >>= 1
        shift -= 1
    return np.uint64(shift)


@njit(inline="always", cache=True)
def table_add_at(table, lo, hi, inc, i):
    """Add ``inc`` to the count of ``(lo, hi)``, probing from slot ``i``; return 1 if it was new, else 0."""
    mask = np.int64(table.shape[0] - 1)
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
        i = (i + 1) & mask


@njit(inline="always", cache=True)
def table_add(table, lo, hi, inc, shift):
    """Add ``inc`` to the count of truth table ``(lo, hi)``; return 1 if it was new, else 0.

    ``shift`` is :func:`slot_shift` of the table's capacity.
    """
    return table_add_at(table, lo, hi, inc, np.int64(_hash(lo, hi) >> shift))


@njit(inline="always", cache=True)
def _partition(lo, hi, parts):
    """Master-table partition of a truth table (low hash bits; slots use the top bits)."""
    return np.int64(_hash(lo, hi) % np.uint64(parts))


#: Entries whose slots are requested ahead of their insertion (see :func:`prefetch_row`).
PREFETCH_AHEAD = 16


@njit(inline="always", cache=True)
def _add_all(src, target, part, parts, clear):
    """Add the entries of table ``src`` in partition ``part`` to ``target``; return how many were new.

    Slots are the top bits of the hash in every table, so walking ``src`` in
    slot order visits the target's slots in increasing order too (a sweep, not
    random jumps), and each slot is requested ``PREFETCH_AHEAD`` entries before
    it is written. With ``clear``, the moved entries are emptied in ``src``.
    """
    shift = slot_shift(target.shape[0])
    ring_src = np.empty(PREFETCH_AHEAD, np.int64)
    ring_slot = np.empty(PREFETCH_AHEAD, np.int64)
    new = 0
    queued = 0
    for i in range(src.shape[0]):
        c = src[i, 2]
        if c == 0:
            continue
        h = _hash(src[i, 0], src[i, 1])
        if np.int64(h % np.uint64(parts)) != part:
            continue
        slot = np.int64(h >> shift)
        prefetch_row(target, slot)
        r = queued % PREFETCH_AHEAD
        if queued >= PREFETCH_AHEAD:  # the entry queued PREFETCH_AHEAD ago: its slot is in cache by now
            k = ring_src[r]
            new += table_add_at(target, src[k, 0], src[k, 1], src[k, 2], ring_slot[r])
            if clear:
                src[k, 2] = 0
        ring_src[r] = i
        ring_slot[r] = slot
        queued += 1
    for q in range(max(0, queued - PREFETCH_AHEAD), queued):
        r = q % PREFETCH_AHEAD
        k = ring_src[r]
        new += table_add_at(target, src[k, 0], src[k, 1], src[k, 2], ring_slot[r])
        if clear:
            src[k, 2] = 0
    return new


@njit(nogil=True, cache=True)
def merge_partition(sources, used, target, part, parts):
    """Add the entries of every ``sources[t]`` that belong to partition ``part`` to ``target``.

    The entries are emptied in the sources as they are moved; tasks for
    different partitions touch different entries, so they can run at once.
    Returns the number of entries that were new in ``target``; the caller makes
    sure ``target`` has room (load <= 3/4 afterwards).
    """
    new = 0
    for t in range(sources.shape[0]):
        if used[t] != 0:
            new += _add_all(sources[t], target, part, parts, True)
    return new


@njit(nogil=True, cache=True)
def rehash(table, capacity):
    """A new table of ``capacity`` slots holding the entries of ``table`` (a sweep in slot order)."""
    out = np.zeros((capacity, 3), np.uint64)
    _add_all(table, out, 0, 1, False)
    return out


@njit(cache=True)
def copy_entries(table, words, counts, start):
    """Copy the occupied entries of ``table`` to ``words[start:]`` and ``counts[start:]``; return the end."""
    k = start
    for i in range(table.shape[0]):
        if table[i, 2] != 0:
            words[k, 0] = table[i, 0]
            words[k, 1] = table[i, 1]
            counts[k] = np.int64(table[i, 2])
            k += 1
    return k


@njit(cache=True)
def table_from_entries(words, counts, capacity, part, parts):
    """A table of ``capacity`` slots holding the given entries of partition ``part``."""
    out = np.zeros((capacity, 3), np.uint64)
    shift = slot_shift(capacity)
    for k in range(counts.shape[0]):
        if _partition(words[k, 0], words[k, 1], parts) == part:
            table_add(out, words[k, 0], words[k, 1], np.uint64(counts[k]), shift)
    return out


@njit(cache=True)
def partition_sizes(words, parts):
    """Number of entries in each partition."""
    sizes = np.zeros(parts, np.int64)
    for k in range(words.shape[0]):
        sizes[_partition(words[k, 0], words[k, 1], parts)] += 1
    return sizes


# ---------------------------------------------------------------------------
# Network evaluation on all 2**n inputs. Works for float32 (sampling) and
# float64 (grid enumeration) buffers alike.
# ---------------------------------------------------------------------------


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
    """Inputs per block of the dense micro-kernel (16 float32 or 8 float64), or ``N`` if fewer."""
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
    if bs == block_size(1 << 30, dst.itemsize):
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
            for i in range(N):
                row[i] = np.tanh(row[i])
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
    N = 1 << widths[0]
    buf_a, buf_b, live = make_buffers(widths, thetas.dtype)
    out = np.empty((thetas.shape[0], 2), np.uint64)
    for s in range(thetas.shape[0]):
        w0, w1 = evaluate(thetas[s], widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b, live)
        out[s, 0] = w0
        out[s, 1] = w1
    return out


# ---------------------------------------------------------------------------
# Workers. Each runs in its own Python thread with the GIL released
# (nogil=True) on its own hash table; the driver merges the tables.
# ---------------------------------------------------------------------------


@njit(nogil=True, cache=True)
def sample_worker(key0, key1, total_samples, blocks, start, scales, gaussian,
                  widths, w_off, b_off, act, pm1, lowbit, table, used, max_used):
    """Sample the blocks ``blocks[start:]`` into ``table``; return the position reached.

    Stops before a block when the table could exceed ``max_used`` entries
    (``used[0]`` is its current number of entries); the caller then merges the
    table and calls again. A block is always done whole, from its own stream,
    so where calls stop never changes a count.
    """
    N = 1 << widths[0]
    P = scales.shape[0]
    state = np.empty(4, np.uint64)
    theta = np.empty(P, np.float32)
    words = scratch_words(P)
    buf_a, buf_b, live = make_buffers(widths, np.float32)
    n = widths[0]
    perceptron = widths.shape[0] == 2
    low = buf_a[buf_a.shape[0] - 1]
    high = buf_a[buf_a.shape[0] - 2]
    entries = used[0]
    shift = slot_shift(table.shape[0])
    i = start
    while i < blocks.shape[0]:
        if entries + BLOCK_SIZE > max_used:
            break
        block = blocks[i]
        count = min(BLOCK_SIZE, total_samples - block * BLOCK_SIZE)
        seed_block(state, key0, key1, block)
        if perceptron and n == 7:  # the literal 7 lets LLVM unroll the perceptron (~30 ns less)
            for _ in range(count):
                fill_parameters(state, scales, gaussian, theta, words)
                w0, w1 = _perceptron(theta, 7, w_off[0], b_off[0], pm1, lowbit, low, high)
                entries += table_add(table, w0, w1, _ONE, shift)
        elif perceptron:  # call the perceptron kernel directly: it takes a few tens of ns
            for _ in range(count):
                fill_parameters(state, scales, gaussian, theta, words)
                w0, w1 = _perceptron(theta, n, w_off[0], b_off[0], pm1, lowbit, low, high)
                entries += table_add(table, w0, w1, _ONE, shift)
        else:
            for _ in range(count):
                fill_parameters(state, scales, gaussian, theta, words)
                w0, w1 = evaluate(theta, widths, w_off, b_off, act, pm1, lowbit, buf_a, buf_b, live)
                entries += table_add(table, w0, w1, _ONE, shift)
        i += 1
    used[0] = entries
    return i


@njit(nogil=True, cache=True)
def grid_worker(values, param_mult, start, stop, widths, w_off, b_off, act, pm1, lowbit, table, used,
                max_used):
    """Evaluate grid points ``start .. stop - 1`` into ``table``; return the point reached.

    Point ``g`` has mixed-radix digits ``d_p`` (parameter 0 fastest) and
    parameters ``theta[p] = values[d_p] * param_mult[p]``, in the dtype of
    ``values`` (float32 when every value is an integer below 2**24, else
    float64). Stops early when the table reaches ``max_used`` entries.
    """
    N = 1 << widths[0]
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
