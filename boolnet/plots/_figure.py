"""The one place the figures get :mod:`matplotlib.pyplot` and save a figure.

Importing a figure module never touches matplotlib: its backend is the user's choice
(``MPLBACKEND``, a ``matplotlibrc``, ``matplotlib.use`` or Jupyter's ``%matplotlib``).
Only when nothing chose one and there is no display to open a window on does
:func:`pyplot` pick Agg, the file-only backend, so that a script on a server draws
PNGs instead of failing to start a GUI toolkit.
"""

from __future__ import annotations

import os
import sys


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


def save(fig, path, *, dpi=None, param: str = "path"):
    """Write ``fig`` to a checked ``.png``, ``.svg`` or ``.pdf`` path atomically (:func:`boolnet.io.save_figure`).

    ``path=None`` writes nothing and returns None.
    """
    if path is None:
        return None
    from boolnet.io import save_figure

    return save_figure(fig, path, dpi=dpi, param=param)
