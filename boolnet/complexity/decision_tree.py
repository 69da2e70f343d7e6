"""Deterministic decision-tree depth (query complexity), computed exactly."""

from __future__ import annotations

import numpy as np

from boolnet.complexity import _cube_kernels
from boolnet.complexity.base import measure_kernel


@measure_kernel("dt_depth", max_n=10,
                definition="depth of the shallowest deterministic decision tree computing f (exact)",
                reference="Buhrman & de Wolf, TCS 288, 21 (2002)", rows_per_call=1 << 13)
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
    return _cube_kernels.dt_depth(words, n)
