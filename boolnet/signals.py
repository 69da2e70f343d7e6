"""Stopping long computations cleanly on Ctrl-C (SIGINT) and SIGTERM.

A numba kernel cannot be interrupted, and a Python exception raised by a signal
handler while a parallel numba kernel runs can crash the interpreter. So long loops
run inside :class:`StopSignals`, whose handlers only set a flag, and check the flag
between pieces of work (chunks of samples, batches of orbits), where stopping is
safe and a checkpoint can be saved.
"""

from __future__ import annotations

import signal
import threading

#: Signals that stop a run cleanly.
STOP_SIGNALS = ("SIGINT", "SIGTERM")


class StopSignals:
    """Context manager turning SIGINT and SIGTERM into a flag checked between chunks.

    A numba kernel cannot be interrupted, and stopping between chunks lets the
    checkpoint be saved. Handlers are installed only on the main thread (Python
    allows no other) and the previous ones are restored on exit.

    Examples
    --------
    >>> with StopSignals() as stop:
    ...     signal.raise_signal(signal.SIGTERM)
    >>> stop.signal_name
    'SIGTERM'
    """

    def __init__(self):
        self.signal_name: str | None = None
        self._previous: dict = {}

    def __enter__(self):
        self.signal_name = None
        if threading.current_thread() is threading.main_thread():
            for name in STOP_SIGNALS:
                signum = getattr(signal, name, None)
                if signum is None:
                    continue
                try:
                    self._previous[signum] = signal.signal(signum, self._handle)
                except (ValueError, OSError):  # e.g. an embedded interpreter
                    pass
        return self

    def _handle(self, signum, frame):
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name

    def __exit__(self, *exc):
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous = {}
        return False
