"""Progress bars that show where someone is watching: a terminal, or a notebook (as a widget there).

Long calls of the library show progress by default when someone can see it (``progress=None``): in
a Jupyter notebook, or when stderr is a terminal. ``progress=False`` silences them and
``progress=True`` forces them; the command line passes ``not --quiet``. Bars go to stderr.
"""

from __future__ import annotations

import logging
import sys


def watched() -> bool:
    """True in a Jupyter/IPython kernel or when stderr is a terminal: where a progress bar is seen.

    Examples
    --------
    >>> isinstance(watched(), bool)
    True
    """
    if "ipykernel" in sys.modules:
        return True
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


def _notebook() -> bool:
    if "ipykernel" not in sys.modules:
        return False
    try:
        import ipywidgets  # noqa: F401 - tqdm's notebook bar needs it
    except ImportError:
        return False
    return True


def progress_bar(**options):
    """A tqdm bar on stderr: a widget in a notebook (when ipywidgets is there), text elsewhere.

    Examples
    --------
    >>> bar = progress_bar(total=3, disable=True)
    >>> bar.update(3); bar.close()
    """
    if _notebook():
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    options.setdefault("file", sys.stderr)
    return tqdm(**options)


def notice(message: str) -> None:
    """Say ``message`` to whoever is watching: through the "boolnet" logger when someone configured it (the
    command line does), else on stderr where someone is watching (:func:`watched`), else nowhere.

    Examples
    --------
    >>> notice("compiling")  # silent here: no handler, and no terminal or notebook in a doctest
    """
    log = logging.getLogger("boolnet")
    if log.handlers:
        log.info("%s", message)
    elif sys.modules[__name__].watched():  # looked up at call time: tests stand in for the watcher
        print(f"boolnet: {message}", file=sys.stderr, flush=True)
