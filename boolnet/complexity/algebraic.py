"""Degree over GF(2): the algebraic normal form (Zhegalkin polynomial)."""

from __future__ import annotations

import numpy as np

from boolnet.complexity._words import bits_of, check_words, popcount_table
from boolnet.complexity.base import measure_kernel


def anf_coefficients(words: np.ndarray, n: int) -> np.ndarray:
    """ANF coefficients by the binary Moebius transform, shape (m, 2**n) of 0/1.

    Column ``S`` is the coefficient of the monomial ``prod_{j in S} x``, with bit j of
    ``S`` the coordinate that is bit j of the input index.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> anf_coefficients(pack_strings(["0111"]), 2).tolist()   # OR = x + y + xy
    [[0, 1, 1, 1]]
    """
    words = check_words(words, n)
    a = bits_of(words, n).copy()
    m = a.shape[0]
    h = 1
    while h < (1 << n):
        a = a.reshape(m, -1, 2, h)
        a[:, :, 1, :] ^= a[:, :, 0, :]
        h *= 2
    return a.reshape(m, 1 << n)


@measure_kernel("gf2_degree", definition="degree of the algebraic normal form over GF(2) (0 for constants)",
                reference="Carlet, Boolean Functions for Cryptography and Coding Theory (2021), Ch. 2")
def gf2_degree(words: np.ndarray, n: int) -> np.ndarray:
    """Degree of the algebraic normal form over GF(2) (0 for both constants).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> gf2_degree(pack_strings(["0000", "1111", "0110", "0001", "0111"]), 2).tolist()
    [0, 0, 1, 2, 2]
    """
    coeffs = anf_coefficients(words, n)
    sizes = popcount_table(n)
    return np.where(coeffs != 0, sizes[None, :], 0).max(axis=1)
