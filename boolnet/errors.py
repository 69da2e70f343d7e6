"""The exceptions of boolnet's library, and nothing else.

Library code raises :class:`BoolnetError` (a :class:`ValueError`) for bad input:
its message names the *Python parameter* (``sigma_w``, ``samples``), says what was
wrong and what to do. The command line alone maps parameter names to flags
(``--sigma-w``), prints one line on stderr and exits with status 2.

A run that is interrupted (Ctrl-C, SIGTERM) raises :class:`Interrupted`, a
:class:`KeyboardInterrupt` that carries what was done so far, so a notebook user
keeps the partial result.
"""

from __future__ import annotations


class BoolnetError(ValueError):
    """Bad input or an unusable file: the message says what was wrong and how to fix it.

    Parameters
    ----------
    message : str
        One line, naming Python parameters the way the library spells them.
    param : str, optional
        The parameter at fault (``"sigma_w"``); the CLI shows it as its flag.

    Examples
    --------
    >>> err = BoolnetError("sigma_w must be > 0, got 0", param="sigma_w")
    >>> isinstance(err, ValueError), err.param
    (True, 'sigma_w')
    """

    def __init__(self, message: str, *, param: str | None = None):
        super().__init__(message)
        self.param = param


#: The name older code and tests use; the same class.
UsageError = BoolnetError


class Interrupted(KeyboardInterrupt):
    """A long run stopped by Ctrl-C or SIGTERM, carrying its partial result.

    Attributes
    ----------
    partial : object
        What was computed before the stop (for the sampler: a volume table of the
        samples done, with its metadata in ``partial.attrs["boolnet"]``), or None.
    done, total : int
        Work units (samples, grid points) done and asked for.
    checkpoint : str or None
        Where the counts were saved, if a checkpoint was asked for.
    signal_name : str
        ``"SIGINT"`` or ``"SIGTERM"``.
    """

    def __init__(self, message: str, *, partial=None, done: int = 0, total: int = 0, checkpoint=None,
                 signal_name: str = "SIGINT"):
        super().__init__(message)
        self.partial = partial
        self.done = done
        self.total = total
        self.checkpoint = checkpoint
        self.signal_name = signal_name


class BoolnetWarning(UserWarning):
    """Something went wrong that the run survived (for example a checkpoint that could not be saved).

    The library warns with :func:`warnings.warn`; the command line prints each one as
    a single ``boolnet CMD: warning: ...`` line on stderr.
    """
