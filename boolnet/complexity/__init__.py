"""Complexity measures of Boolean functions, vectorised over packed truth tables.

Every measure is a :class:`Measure` in :data:`MEASURES` (name, function, limit on
n, one-line definition, reference). Apply them with :func:`compute_measures`
(packed tables) or :func:`add_measures` (a table with a ``function`` column).

Examples
--------
>>> from boolnet.complexity import compute_measures
>>> from boolnet.functions import pack_strings
>>> compute_measures(pack_strings(["0" * 128, "01" * 64]), 7, ["lz", "csr"])
     lz  csr
0   7.0  0.0
1  21.0  1.0
"""

from boolnet.complexity.registry import (
    MEASURES,
    Measure,
    add_measures,
    check_measure_names,
    compute_measures,
    default_measure_names,
    measure_names,
)

__all__ = ["MEASURES", "Measure", "add_measures", "check_measure_names", "compute_measures", "default_measure_names",
           "measure_names"]
