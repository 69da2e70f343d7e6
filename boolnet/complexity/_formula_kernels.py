"""Numba kernel: minimal formula length of every function of n <= 4 inputs (full binary basis)."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def formula_length_table(n, leaves):
    """``length[t]`` for every truth table t (an integer, bit i = f(input i)) of n inputs.

    ``leaves`` are the tables of cost 0 (constants, variables and their complements).
    Level L holds the tables of minimal length exactly L; a formula of length L is
    ``g op h`` with lengths a + b = L - 1. Levels are closed under complement, so
    AND and XOR with both output polarities give all ten non-degenerate binary
    operations (degenerate ones never shorten a formula).
    """
    size = 1 << n
    n_tables = 1 << size
    full = n_tables - 1
    length = np.full(n_tables, -1, dtype=np.int8)
    order = np.empty(n_tables, dtype=np.int64)  # tables sorted by length
    starts = np.zeros(64, dtype=np.int64)       # level L is order[starts[L]:starts[L+1]]
    count = 0
    for t in leaves:
        if length[t] < 0:
            length[t] = 0
            order[count] = t
            count += 1
    starts[1] = count
    level = 0
    while count < n_tables:
        level += 1
        for a in range(level):
            b = level - 1 - a
            if a > b:
                break
            for p in range(starts[a], starts[a + 1]):
                g = order[p]
                q0 = starts[b] if a != b else p
                for q in range(q0, starts[b + 1]):
                    h = order[q]
                    for t in (g & h, g ^ h):
                        for u in (t, t ^ full):
                            if length[u] < 0:
                                length[u] = level
                                order[count] = u
                                count += 1
        starts[level + 1] = count
    return length
