"""Deterministic decision-tree depth (query complexity), computed exactly."""

from __future__ import annotations

import numpy as np

from boolnet.complexity import _cube_kernels
from boolnet.complexity._words import check_words


def dt_depth(words: np.ndarray, n: int) -> np.ndarray:
    """Depth of the shallowest deterministic decision tree that computes f.

    Exact, by the recursion ``D(f) = 0`` if f is constant, else
    ``1 + min_j max(D(f|x_j=0), D(f|x_j=1))``, evaluated once on each of the
    ``3**n`` subcubes.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> dt_depth(pack_strings(["0000", "0011", "0001", "0110"]), 2).tolist()
    [0, 1, 2, 2]
    """
    words = check_words(words, n)
    return _cube_kernels.dt_depth(words, n)
