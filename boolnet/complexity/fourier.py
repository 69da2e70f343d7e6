"""Fourier (Walsh-Hadamard) measures of the +-1 function ``F(x) = (-1)**f(x)``.

``F = sum_S Fhat(S) chi_S`` with ``chi_S(x) = (-1)**(sum_{k in S} x_k)`` and
``Fhat(S) = 2**-n sum_x F(x) chi_S(x)``; by Parseval the weights ``Fhat(S)**2``
sum to 1 (O'Donnell, *Analysis of Boolean Functions*, 2014). All three measures
are unchanged by input permutations, input negations and output negation.
"""

from __future__ import annotations

import numpy as np

from boolnet.complexity._words import bits_of, check_words, popcount_table
from boolnet.complexity.base import measure_kernel


def walsh_coefficients(words: np.ndarray, n: int) -> np.ndarray:
    """Unnormalised coefficients ``2**n * Fhat(S)`` as exact integers, shape (m, 2**n).

    Column ``S`` is the coordinate set whose bit j is bit j of the input index.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> walsh_coefficients(pack_strings(["0001"]), 2).tolist()    # AND
    [[2, 2, 2, -2]]
    """
    words = check_words(words, n)
    a = 1 - 2 * bits_of(words, n).astype(np.int32)
    m = a.shape[0]
    h = 1
    while h < (1 << n):
        a = a.reshape(m, -1, 2, h)
        a = np.stack([a[:, :, 0, :] + a[:, :, 1, :], a[:, :, 0, :] - a[:, :, 1, :]], axis=2)
        h *= 2
    return a.reshape(m, 1 << n)


@measure_kernel("fourier_degree", definition="largest |S| with a non-zero Fourier coefficient of (-1)^f",
                reference="O'Donnell, Analysis of Boolean Functions (2014), Ch. 1")
def fourier_degree(words: np.ndarray, n: int) -> np.ndarray:
    """Largest ``|S|`` with ``Fhat(S) != 0`` (0 for constant functions).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> fourier_degree(pack_strings(["0000", "0011", "0001", "0110"]), 2).tolist()
    [0, 1, 2, 2]
    """
    coeffs = walsh_coefficients(words, n)
    sizes = popcount_table(n)
    return np.where(coeffs != 0, sizes[None, :], 0).max(axis=1)


@measure_kernel("spectral_entropy", definition="Shannon entropy (bits) of the Fourier weights fhat(S)^2 of (-1)^f",
                reference="Friedgut & Kalai (1996); O'Donnell, Analysis of Boolean Functions (2014)")
def spectral_entropy(words: np.ndarray, n: int) -> np.ndarray:
    """Shannon entropy, in bits, of the Fourier weights: ``-sum_S Fhat(S)**2 log2 Fhat(S)**2``.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> spectral_entropy(pack_strings(["0000", "0110", "0001"]), 2).tolist()
    [0.0, 0.0, 2.0]
    """
    coeffs = walsh_coefficients(words, n).astype(np.float64)
    weights = (coeffs / float(1 << n)) ** 2
    safe = np.where(weights > 0, weights, 1.0)
    return -(weights * np.log2(safe)).sum(axis=1) + 0.0


@measure_kernel("fourier_l1", definition="spectral norm: sum over S of |fhat(S)| for (-1)^f",
                reference="O'Donnell, Analysis of Boolean Functions (2014)")
def fourier_l1(words: np.ndarray, n: int) -> np.ndarray:
    """Spectral norm ``sum_S |Fhat(S)|`` (1 for parities and constants; at least 1 always).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> fourier_l1(pack_strings(["0000", "0110", "0001"]), 2).tolist()
    [1.0, 1.0, 2.0]
    """
    coeffs = walsh_coefficients(words, n)
    return np.abs(coeffs).sum(axis=1) / float(1 << n)
