"""Lazy package attributes (PEP 562): public names are imported on first use.

Packages whose modules import numba, pandas or scipy export their names this way, so
that ``import boolnet`` and ``boolnet --help`` load none of those libraries.
"""

from importlib import import_module


def lazy_exports(package: str, exports: dict, namespace: dict):
    """``(__getattr__, __dir__)`` for ``package``, resolving ``exports`` (name -> module) on first use.

    A resolved name is stored in ``namespace`` (the package's globals), so later
    look-ups do not come back here.

    Examples
    --------
    >>> ns = {}
    >>> getattr_, dir_ = lazy_exports("demo", {"sqrt": "math"}, ns)
    >>> getattr_("sqrt")(9.0), "sqrt" in ns, dir_()
    (3.0, True, ['sqrt'])
    """

    def __getattr__(name):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
