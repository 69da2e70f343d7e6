"""The one place the figures get :mod:`matplotlib.pyplot`, check their paths and numbers, and save.

Importing a figure module never touches matplotlib: its backend is the user's choice
(``MPLBACKEND``, a ``matplotlibrc``, ``matplotlib.use`` or Jupyter's ``%matplotlib``).
Only when nothing chose one and there is no display to open a window on does
:func:`pyplot` pick Agg, the file-only backend, so that a script on a server draws
PNGs instead of failing to start a GUI toolkit.
"""

from __future__ import annotations

import math
import numbers
import os
import sys

from boolnet.errors import BoolnetError


def _backend_chosen(matplotlib) -> bool:
    """Whether a backend was set (rcParams, MPLBACKEND, ``matplotlib.use``), without resolving the default."""
    get = getattr(matplotlib.rcParams, "_get_backend_or_none", None)
    if get is not None:
        return get() is not None
    # Older matplotlib: reading rcParams["backend"] would resolve (and so fix) the automatic choice.
    return bool(os.environ.get("MPLBACKEND")) or "matplotlib.pyplot" in sys.modules


def _display_available() -> bool:
    """A screen a GUI backend could open a window on (Linux and other X11/Wayland systems need one named)."""
    if sys.platform in ("darwin", "win32", "cygwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def pyplot():
    """:mod:`matplotlib.pyplot`, with the backend the user chose, or Agg on a machine without a display.

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Examples
    --------
    >>> plt = pyplot()
    >>> fig, ax = plt.subplots()
    >>> type(fig).__name__
    'Figure'
    >>> plt.close(fig)
    """
    import matplotlib

    if not _backend_chosen(matplotlib) and not _display_available():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


#: File types a matplotlib figure is written as.
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_path(path, suffixes=FIGURE_SUFFIXES, *, param: str = "path"):
    """``path`` as a :class:`~pathlib.Path` that can be written, checked before any drawing; None passes.

    Examples
    --------
    >>> check_path(5)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: path must be a file name (str or pathlib.Path) ending in .png, .svg or .pdf, got 5
    """
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)):
        raise BoolnetError(f"{param} must be a file name (str or pathlib.Path) ending in "
                           f"{', '.join(suffixes[:-1])}{' or ' if len(suffixes) > 1 else ''}{suffixes[-1]}, "
                           f"got {path!r}", param=param)
    from boolnet.io import check_output_path

    return check_output_path(path, suffixes=suffixes, param=param)


def whole_number(value, param: str, low: int, high: int | None = None) -> int:
    """``value`` as an int, if it is a whole number from ``low`` to ``high`` (no upper end if None).

    Examples
    --------
    >>> whole_number(520.0, "resolution", 1, 2000)
    520
    >>> whole_number(0, "resolution", 1, 2000)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: resolution must be a whole number from 1 to 2000, got 0
    """
    wanted = f"from {low} to {high}" if high is not None else f">= {low}"
    ok = isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and math.isfinite(value)
                                                 and float(value).is_integer())
    if isinstance(value, bool) or not ok or not (low <= value and (high is None or value <= high)):
        raise BoolnetError(f"{param} must be a whole number {wanted}, got {value!r}", param=param)
    return int(value)


def save(fig, path, *, dpi=None, param: str = "path"):
    """Write ``fig`` to a checked ``.png``, ``.svg`` or ``.pdf`` path atomically (:func:`boolnet.io.save_figure`).

    ``path=None`` writes nothing and returns None.
    """
    if path is None:
        return None
    check_path(path, param=param)
    from boolnet.io import save_figure

    return save_figure(fig, path, dpi=dpi, param=param)
