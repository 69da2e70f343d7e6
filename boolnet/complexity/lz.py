"""Lempel-Ziv complexity of the truth-table string (Dingle et al. 2018).

The string is the truth table in boolnet's input order (``x_1`` the most
significant bit), so unlike the other measures ``lz`` depends on the order of
the inputs: it is *not* invariant under input permutations, by design.
"""

from __future__ import annotations

import numpy as np

from boolnet.complexity import _lz_kernels
from boolnet.complexity.base import measure_kernel


def lz76_phrases(table: str) -> int:
    """Number of LZ76 phrases of a 0/1 string, by the Kaspar-Schuster scan.

    Parameters
    ----------
    table : str
        A string of ``0`` and ``1`` of any length >= 1 (not only a power of two).

    Returns
    -------
    int

    Examples
    --------
    >>> lz76_phrases("0001101001000101")   # 0 | 001 | 10 | 100 | 1000 | 101
    6
    """
    if not table or set(table) - {"0", "1"}:
        raise ValueError("lz76_phrases needs a non-empty string of 0 and 1")
    bits = np.frombuffer(table.encode("ascii"), dtype=np.uint8) - ord("0")
    padded = np.zeros(((len(bits) + 63) // 64) * 64, dtype=np.uint64)
    padded[: len(bits)] = bits
    words = np.bitwise_or.reduce(
        padded.reshape(-1, 64) << np.arange(64, dtype=np.uint64), axis=1
    ).astype(np.uint64)[None, :]
    return int(_lz_kernels.phrase_count(words, 0, len(bits), False))


@measure_kernel(
    "lz",
    definition="log2(N) * (LZ76 phrases of the truth table + of its reverse) / 2; log2(N) if constant (N = 2**n)",
    reference="Dingle, Camargo & Louis, Nat. Commun. 9, 761 (2018); Lempel & Ziv (1976); Kaspar & Schuster (1987)",
)
def lz(words: np.ndarray, n: int) -> np.ndarray:
    """Dingle et al. (2018) Lempel-Ziv complexity of packed truth tables.

    ``C_LZ(x) = log2(N)`` for a constant string ``x`` of length ``N = 2**n``, else
    ``log2(N) * (N_w(x) + N_w(reverse(x))) / 2`` with ``N_w`` the LZ76 phrase count
    (Kaspar-Schuster scan).

    Parameters
    ----------
    words : ndarray of uint64, shape (m, n_words)
        Packed truth tables (bit ``i`` of word ``i // 64`` is ``f(input i)``).
    n : int
        Number of inputs.

    Returns
    -------
    ndarray of float64, shape (m,)

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> lz(pack_strings(["0" * 128, "01" * 64, "0011" * 32]), 7).tolist()
    [7.0, 21.0, 28.0]
    """
    return _lz_kernels.lz_dingle(words, 1 << n)
