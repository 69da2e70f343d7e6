"""Numba kernel: the lexicographically smallest image of a truth table under a symmetry group."""

import numba as nb
import numpy as np


@nb.njit(cache=True)
def smallest_image(bits, maps, ties):
    """Return (key, g, negated) of the smallest image of ``bits`` (n <= 6).

    The image of group element g is ``bits[maps[g]]``, negated or not (tie inputs stay 0). The key packs
    the image's string with character 0 as the most significant bit, so the smallest key is the
    lexicographically smallest truth-table string.
    """
    n_groups, length = maps.shape
    best = np.uint64(0xFFFFFFFFFFFFFFFF)
    best_g = 0
    best_neg = False
    one = np.uint64(1)
    for g in range(n_groups):
        key = np.uint64(0)
        key_neg = np.uint64(0)
        for i in range(length):
            b = bits[maps[g, i]]
            shift = np.uint64(length - 1 - i)
            if b:
                key |= one << shift
            elif not ties[i]:
                key_neg |= one << shift
        if key < best:
            best, best_g, best_neg = key, g, False
        if key_neg < best:
            best, best_g, best_neg = key_neg, g, True
    return best, best_g, best_neg


@nb.njit(cache=True)
def _signed_image(self_dual, index, flip, n, out_bits):
    """Truth table (0/1, 2**n entries) of one signed permutation's image of a self-dual table."""
    for x in range(1 << n):
        out_bits[x] = self_dual[index[x] ^ flip]


@nb.njit(cache=True)
def _permuted_index(perm, n, index):
    """index[x]: the self-dual table's index of y with y_perm[j] = (x, 1)_j (before sign flips).

    Coordinate c of y (0 = w_1, ..., n = the bias) is bit n - c of the index, 1 for +1.
    """
    for x in range(1 << n):
        k = 0
        for j in range(n):
            if (x >> (n - 1 - j)) & 1:
                k |= 1 << (n - perm[j])
        k |= 1 << (n - perm[n])  # the bias input is always +1
        index[x] = k


@nb.njit(cache=True)
def signed_image(self_dual, perm, signs, n):
    """0/1 truth table of the function computed by theta' with theta'_j = signs[j] * theta[perm[j]] when theta
    computes the self-dual table ``self_dual`` (2**(n+1) entries over (x, x_0) in -1/+1)."""
    index = np.empty(1 << n, dtype=np.int64)
    _permuted_index(perm, n, index)
    flip = 0
    for j in range(n + 1):
        if signs[j] < 0:
            flip |= 1 << (n - perm[j])
    out = np.empty(1 << n, dtype=np.uint8)
    _signed_image(self_dual, index, flip, n, out)
    return out


@nb.njit(cache=True)
def orbit_member_words(self_dual, magnitudes, perms, n, out):
    """Packed truth tables of every distinct image of a self-dual table under signed permutations.

    ``magnitudes`` are the representative's |Chow parameters| (equal magnitudes give equal images up to
    order, so a permutation is used only if it keeps tied coordinates in order; a zero coordinate takes
    no sign). ``out`` has one row of 2**n // 64 (at least 1) words per member; returns the rows written.
    """
    d = n + 1
    count = 0
    index = np.empty(1 << n, dtype=np.int64)
    bits = np.empty(1 << n, dtype=np.uint8)
    n_words = out.shape[1]
    for p in range(perms.shape[0]):
        perm = perms[p]
        ordered = True
        for j in range(d):
            for k in range(j + 1, d):
                if magnitudes[perm[j]] == magnitudes[perm[k]] and perm[j] > perm[k]:
                    ordered = False
        if not ordered:
            continue
        _permuted_index(perm, n, index)
        free = 0  # coordinates of the image that take a sign
        for j in range(d):
            if magnitudes[perm[j]] != 0:
                free |= 1 << j
        mask = 0
        while True:  # every subset of the free coordinates
            flip = 0
            for j in range(d):
                if (mask >> j) & 1:
                    flip |= 1 << (n - perm[j])
            _signed_image(self_dual, index, flip, n, bits)
            for w in range(n_words):
                out[count, w] = 0
            for x in range(1 << n):
                if bits[x]:
                    out[count, x >> 6] |= np.uint64(1) << np.uint64(x & 63)
            count += 1
            if mask == free:
                break
            mask = (mask - free) & free  # next subset of ``free``
    return count


@nb.njit(cache=True)
def packed_images(bits, maps, ties):
    """Packed truth tables (n <= 6: one word; bit i is input i) of every image g.f, then of every negated image
    (tie inputs stay 0): the order of :func:`boolnet.functions.orbit_bits`."""
    n_groups, length = maps.shape
    out = np.empty(2 * n_groups, dtype=np.uint64)
    one = np.uint64(1)
    for g in range(n_groups):
        word = np.uint64(0)
        negated = np.uint64(0)
        for i in range(length):
            if bits[maps[g, i]]:
                word |= one << np.uint64(i)
            elif not ties[i]:
                negated |= one << np.uint64(i)
        out[g] = word
        out[n_groups + g] = negated
    return out
