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

from importlib import import_module

#: Public name -> module that defines it.
_API = {
    "MEASURES": "boolnet.complexity.registry",
    "Measure": "boolnet.complexity.base",
    "add_measures": "boolnet.complexity.registry",
    "check_measure_names": "boolnet.complexity.registry",
    "compute_measures": "boolnet.complexity.registry",
    "default_measure_names": "boolnet.complexity.registry",
    "measure": "boolnet.complexity.registry",
    "measure_names": "boolnet.complexity.registry",
    "measure_kernel": "boolnet.complexity.base",
    "on_words": "boolnet.complexity.base",
    "register_measure": "boolnet.complexity.base",
    "unregister_measure": "boolnet.complexity.base",
    "BUILTIN_NAMES": "boolnet.complexity.names",
}

__all__ = list(_API)


def __getattr__(name):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'boolnet.complexity' has no attribute {name!r}")
    if module == "boolnet.complexity.base":
        import_module("boolnet.complexity.registry")  # the built-in measures register on import
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_API))
