"""boolnet: how much of a tiny neural network's parameter space computes each Boolean function.

Exact volumes for perceptrons (``boolnet.exact``), fast sampling for perceptrons and
MLPs (``boolnet.sampling``), complexity measures (``boolnet.complexity``), tables
(``boolnet.tables``) and the simplicity-bias (Levin) bound fit (``boolnet.levin``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("boolnet")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
