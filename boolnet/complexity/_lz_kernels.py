"""Numba kernels: Lempel-Ziv (1976) phrase counts of packed truth tables.

Two ways to the same parse: the Kaspar-Schuster scan (any length) and a
bit-parallel version for strings of at most 128 bits (n <= 7), which is about
ten times faster because it has no data-dependent branch per comparison.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def _bit(words, row, pos, reverse, length):
    # Reading the reversed string is just reading position length-1-pos.
    if reverse:
        pos = length - 1 - pos
    return (words[row, pos >> 6] >> np.uint64(pos & 63)) & np.uint64(1)


@nb.njit(cache=True)
def phrase_count(words, row, length, reverse):
    """LZ76 phrase count of row ``row`` (its first ``length`` bits), read forwards or backwards.

    Kaspar & Schuster (1987), Phys. Rev. A 36, 842: ``l`` is the start of the
    phrase being built, ``i`` the start of the candidate earlier copy, ``k`` the
    current match length and ``k_max`` the longest match seen for this phrase.
    """
    if length == 1:
        return 1
    i = 0
    k = 1
    l = 1
    count = 1
    k_max = 1
    while True:
        if _bit(words, row, i + k - 1, reverse, length) == _bit(words, row, l + k - 1, reverse, length):
            k += 1
            if l + k > length:
                count += 1
                break
        else:
            if k > k_max:
                k_max = k
            i += 1
            if i == l:
                count += 1
                l += k_max
                if l + 1 > length:
                    break
                i = 0
                k = 1
                k_max = 1
            else:
                k = 1
    return count


@nb.njit(cache=True, inline="always")
def _shr128(lo, hi, k):
    # (hi:lo) >> k for 0 <= k < 128, without shifting a uint64 by 64 (undefined).
    if k == 0:
        return lo, hi
    if k < 64:
        return (lo >> np.uint64(k)) | (hi << np.uint64(64 - k)), hi >> np.uint64(k)
    return hi >> np.uint64(k - 64), np.uint64(0)


@nb.njit(cache=True, inline="always")
def _bit128(lo, hi, pos):
    if pos < 64:
        return (lo >> np.uint64(pos)) & np.uint64(1)
    return (hi >> np.uint64(pos - 64)) & np.uint64(1)


@nb.njit(cache=True)
def phrase_count_128(lo, hi, length):
    """LZ76 phrase count of a string of ``length <= 128`` bits held in two words (bit p = s[p]).

    The same parse as the Kaspar-Schuster scan, bit-parallel: ``cand`` holds every
    earlier start i < l whose copy s[i:i+k] still equals the phrase s[l:l+k]; one
    AND per character extends all of them at once. The phrase ends when no
    candidate survives (a new character) or the string ends (a copy). No
    data-dependent branch per comparison, which is what makes the scan slow.
    """
    count = 1
    l = 1
    all_ones = ~np.uint64(0)
    while l < length:
        if l >= 64:
            cand_lo = all_ones
            cand_hi = (np.uint64(1) << np.uint64(l - 64)) - np.uint64(1)
        else:
            cand_lo = (np.uint64(1) << np.uint64(l)) - np.uint64(1)
            cand_hi = np.uint64(0)
        k = 0
        while True:
            if l + k >= length:
                return count + 1
            # all ones when the next phrase character is 0: then keep the starts whose bit is 0
            flip = _bit128(lo, hi, l + k) - np.uint64(1)
            shifted_lo, shifted_hi = _shr128(lo, hi, k)
            cand_lo &= shifted_lo ^ flip
            cand_hi &= shifted_hi ^ flip
            if (cand_lo | cand_hi) == np.uint64(0):
                count += 1
                l += k + 1
                break
            k += 1
    return count


@nb.njit(cache=True, parallel=True)
def _lz_dingle_128(words, length):
    m = words.shape[0]
    out = np.empty(m, dtype=np.float64)
    scale = np.log2(length)
    two_words = words.shape[1] > 1
    full_lo = ~np.uint64(0) if length >= 64 else (np.uint64(1) << np.uint64(length)) - np.uint64(1)
    full_hi = ~np.uint64(0) if length == 128 else np.uint64(0)
    for r in nb.prange(m):
        lo = words[r, 0]
        hi = words[r, 1] if two_words else np.uint64(0)
        if (lo == 0 and hi == 0) or (lo == full_lo and hi == full_hi):
            out[r] = scale  # constant strings score log2(length), by definition
            continue
        rev_lo = np.uint64(0)
        rev_hi = np.uint64(0)
        for p in range(length):
            b = _bit128(lo, hi, length - 1 - p)
            if p < 64:
                rev_lo |= b << np.uint64(p)
            else:
                rev_hi |= b << np.uint64(p - 64)
        out[r] = scale * (phrase_count_128(lo, hi, length) + phrase_count_128(rev_lo, rev_hi, length)) / 2.0
    return out


def lz_dingle(words, length):
    """Dingle et al. (2018) C_LZ of every row (see :func:`boolnet.complexity.lz.lz`)."""
    if length <= 128:
        return _lz_dingle_128(words, length)
    return _lz_dingle_scan(words, length)


@nb.njit(cache=True, parallel=True)
def _lz_dingle_scan(words, length):
    m = words.shape[0]
    out = np.empty(m, dtype=np.float64)
    scale = np.log2(length)
    n_full = length >> 6
    for r in nb.prange(m):
        # Constant strings score log2(length), by definition.
        constant = True
        if length < 64:
            w = words[r, 0]
            mask = (np.uint64(1) << np.uint64(length)) - np.uint64(1)
            constant = (w == np.uint64(0)) or (w == mask)
        else:
            first = words[r, 0]
            if first != np.uint64(0) and first != ~np.uint64(0):
                constant = False
            for j in range(1, n_full):
                if words[r, j] != first:
                    constant = False
        if constant:
            out[r] = scale
        else:
            forward = phrase_count(words, r, length, False)
            backward = phrase_count(words, r, length, True)
            out[r] = scale * (forward + backward) / 2.0
    return out
