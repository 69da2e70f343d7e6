"""Complexity measures of Boolean functions, vectorised over packed truth tables.

Every measure is a :class:`Measure` in :data:`MEASURES` (name, kernel, limit on n,
one-line definition, reference), registered by the decorator
:func:`~boolnet.complexity.base.measure_kernel` that also checks every kernel's input.
Apply them with :func:`measure` (one function), :func:`compute_measures` (packed
tables) or :func:`add_measures` (a table with a ``function`` column). Add your own
with :func:`register_measure`, or pass ``add_measures(df, {"mine": function})``.

Names are loaded on first use, so importing this package (and ``boolnet --help``)
loads no numba.

Examples
--------
>>> from boolnet.complexity import compute_measures, measure
>>> from boolnet.functions import pack_strings
>>> compute_measures(pack_strings(["0" * 128, "01" * 64]), 7, ["lz", "csr"])
     lz  csr
0   7.0  0.0
1  21.0  1.0
>>> measure("0110", "lz")
6.0
"""

from boolnet._lazy import lazy_exports

#: Public name -> module that defines it.
_API = {
    "MEASURES": "boolnet.complexity.registry",
    "Measure": "boolnet.complexity.registry",
    "add_measures": "boolnet.complexity.registry",
    "check_measure_names": "boolnet.complexity.registry",
    "compute_measures": "boolnet.complexity.registry",
    "default_measure_names": "boolnet.complexity.registry",
    "measure": "boolnet.complexity.registry",
    "measure_names": "boolnet.complexity.registry",
    "measure_kernel": "boolnet.complexity.registry",
    "on_words": "boolnet.complexity.registry",
    "register_measure": "boolnet.complexity.registry",
    "unregister_measure": "boolnet.complexity.registry",
    "BUILTIN_NAMES": "boolnet.complexity.names",
}

__all__ = list(_API)


# The registration API is taken from the registry, whose import registers the built-in measures first.
__getattr__, __dir__ = lazy_exports(__name__, _API, globals())
