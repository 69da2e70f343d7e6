"""The one place boolnet talks to Normaliz (exact polyhedral computation, via PyNormaliz).

Normaliz parallelises each computation with OpenMP; boolnet's cones are tiny
(dimension <= 7, <= 64 inequalities), so thread start-up dominates and one thread
is faster per cone (docs/exact.md); parallelism, where wanted, belongs at the
level of many cones.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def _single_threaded() -> None:
    import PyNormaliz

    PyNormaliz.NmzSetNumberOfNormalizThreads(1)


def Cone(**kwargs):
    """A ``PyNormaliz.Cone`` (same keyword arguments), with Normaliz pinned to one thread."""
    import PyNormaliz

    _single_threaded()
    return PyNormaliz.Cone(**kwargs)
