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
