"""Numba kernels over the subcubes of {0,1}^n: decision-tree depth, certificates, block sensitivity.

A subcube is a pair (S, v): S is the bit mask of the fixed coordinates, v (a
submask of S) their values. Tables over subcubes are flat arrays indexed
``S * 2**n + v``; entries with ``v`` not inside ``S`` are unused. Bit j of an
input index is one coordinate; which x_k it is does not matter here, as every
measure in this module is symmetric in the coordinates.
"""

from __future__ import annotations

import numba as nb
import numpy as np

MIXED = 2  # value of a subcube on which f is not constant


@nb.njit(cache=True)
def _row_bits(words, row, size):
    out = np.empty(size, dtype=np.uint8)
    for i in range(size):
        out[i] = (words[row, i >> 6] >> np.uint64(i & 63)) & np.uint64(1)
    return out


@nb.njit(cache=True)
def subcube_values(bits, n):
    """Value of f on every subcube: 0 or 1 if f is constant there, else MIXED."""
    size = 1 << n
    full = size - 1
    val = np.full(size * size, MIXED, dtype=np.uint8)
    for v in range(size):
        val[full * size + v] = bits[v]
    # S|j > S, so descending S sees both halves of a cube before the cube.
    for s in range(full - 1, -1, -1):
        j = 0
        while (s >> j) & 1:
            j += 1
        sj = s | (1 << j)
        v = s
        while True:
            a = val[sj * size + v]
            b = val[sj * size + (v | (1 << j))]
            val[s * size + v] = a if a == b else MIXED
            if v == 0:
                break
            v = (v - 1) & s
    return val


@nb.njit(cache=True)
def _dt_depth_one(bits, n):
    size = 1 << n
    full = size - 1
    val = subcube_values(bits, n)
    depth = np.zeros(size * size, dtype=np.int8)
    for s in range(full - 1, -1, -1):
        v = s
        while True:
            idx = s * size + v
            if val[idx] == MIXED:
                best = 127
                for j in range(n):
                    if not (s >> j) & 1:
                        sj = s | (1 << j)
                        d0 = depth[sj * size + v]
                        d1 = depth[sj * size + (v | (1 << j))]
                        d = d0 if d0 > d1 else d1
                        if d < best:
                            best = d
                depth[idx] = best + 1
            if v == 0:
                break
            v = (v - 1) & s
    return depth[0]


@nb.njit(cache=True, parallel=True)
def dt_depth(words, n):
    m = words.shape[0]
    out = np.empty(m, dtype=np.int64)
    for r in nb.prange(m):
        out[r] = _dt_depth_one(_row_bits(words, np.int64(r), 1 << n), n)
    return out


@nb.njit(cache=True)
def _certificate_one(bits, n, popcount):
    size = 1 << n
    val = subcube_values(bits, n)
    worst = 0
    for x in range(size):
        best = n
        for s in range(size):
            if popcount[s] < best and val[s * size + (x & s)] != MIXED:
                best = popcount[s]
        if best > worst:
            worst = best
    return worst


@nb.njit(cache=True, parallel=True)
def certificate(words, n, popcount):
    m = words.shape[0]
    out = np.empty(m, dtype=np.int64)
    for r in nb.prange(m):
        out[r] = _certificate_one(_row_bits(words, np.int64(r), 1 << n), n, popcount)
    return out


@nb.njit(cache=True)
def _certificate_at(val, x, n, popcount, limit):
    # Smallest certificate size at x, or ``limit`` if none is smaller.
    size = 1 << n
    best = limit
    for s in range(size):
        if popcount[s] < best and val[s * size + (x & s)] != MIXED:
            best = popcount[s]
    return best


@nb.njit(cache=True)
def _block_sensitivity_one(bits, n, popcount):
    size = 1 << n
    # Lower bound: bs(f) >= s(f) (single-coordinate blocks).
    worst = 0
    for x in range(size):
        s_x = 0
        for j in range(n):
            s_x += bits[x ^ (1 << j)] != bits[x]
        if s_x > worst:
            worst = s_x
    if worst == n:
        return worst
    # Upper bound at each x: bs(f, x) <= C(f, x), since a certificate meets every sensitive
    # block and the blocks are disjoint. Inputs that cannot beat the best so far are skipped.
    val = subcube_values(bits, n)
    sensitive = np.zeros(size, dtype=np.bool_)
    packing = np.zeros(size, dtype=np.int64)
    for x in range(size):
        if _certificate_at(val, x, n, popcount, n) <= worst:
            continue
        for b in range(size):
            sensitive[b] = bits[x ^ b] != bits[x]
        # packing[mask]: most disjoint sensitive blocks inside mask. Either the lowest
        # coordinate of mask is in no block, or it is in exactly one block B.
        packing[0] = 0
        for mask in range(1, size):
            low = mask & (-mask)
            rest = mask ^ low
            best = packing[rest]
            sub = rest
            while True:
                block = sub | low
                if sensitive[block]:
                    cand = 1 + packing[mask ^ block]
                    if cand > best:
                        best = cand
                if sub == 0:
                    break
                sub = (sub - 1) & rest
            packing[mask] = best
        if packing[size - 1] > worst:
            worst = packing[size - 1]
    return worst


@nb.njit(cache=True, parallel=True)
def block_sensitivity(words, n, popcount):
    m = words.shape[0]
    out = np.empty(m, dtype=np.int64)
    for r in nb.prange(m):
        out[r] = _block_sensitivity_one(_row_bits(words, np.int64(r), 1 << n), n, popcount)
    return out


@nb.njit(cache=True)
def prime_implicants(bits, n):
    """Prime implicants of f as (mask of fixed coordinates, their values), in arrays.

    A subcube is an implicant if f is 1 on all of it, and prime if freeing any one
    of its fixed coordinates gives a cube that is not an implicant.
    """
    size = 1 << n
    val = subcube_values(bits, n)
    masks = []
    values = []
    for s in range(size):
        v = s
        while True:
            if val[s * size + v] == 1:
                prime = True
                for j in range(n):
                    if (s >> j) & 1:
                        sj = s ^ (1 << j)
                        if val[sj * size + (v & sj)] == 1:
                            prime = False
                            break
                if prime:
                    masks.append(s)
                    values.append(v)
            if v == 0:
                break
            v = (v - 1) & s
    return np.array(masks, dtype=np.int64), np.array(values, dtype=np.int64)
