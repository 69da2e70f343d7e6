"""Every boundary validator: one rule per parameter, used by every front door.

A public function checks its parameters here once, at the door, and hands the
engines values they can trust. Each check returns the value in its one accepted
type or raises :class:`~boolnet.errors.BoolnetError` naming the Python parameter
(the command line shows it as its flag). The rules:

* whole numbers (samples, seeds, runs, threads, workers, partitions) are ints or
  text or floats holding a whole number (``"1e8"``, ``1e8``, ``"12"``), never bools;
* real numbers are finite;
* a prior is ``None`` (the default Gaussian), a :class:`~boolnet.priors.Prior` or a
  name (:func:`as_prior`).
"""

from __future__ import annotations

import math
import os
import re

from boolnet.errors import BoolnetError
from boolnet.priors import Prior
from boolnet import progress as _progress

#: Most samples of one run.
MAX_SAMPLES = 10**15
#: Seeds are whole numbers below this (128 bits: the generator's key is drawn from them).
SEED_LIMIT = 1 << 128
#: Most worker threads of one process.
MAX_THREADS = 256
#: Most local Dask worker processes (each holds a copy of the kernels: about 0.3 GB).
MAX_LOCAL_WORKERS = 64
#: Most partitions of one dataset.
MAX_PARTITIONS = 1 << 16
#: Longest text accepted as a number (longer text is refused before it is parsed).
_MAX_NUMBER_TEXT = 64
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _as_number(value, param: str, what: str):
    """``value`` as an int or a float, from a number or its text (bools refused)."""
    if isinstance(value, bool):
        raise BoolnetError(f"{param} must be {what}, got {value!r}", param=param)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_NUMBER_TEXT or not _DECIMAL.match(text):
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise BoolnetError(f"{param} must be {what}, got {shown!r}", param=param)
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        return float(text)
    try:
        import numpy as np

        if isinstance(value, np.bool_):
            raise BoolnetError(f"{param} must be {what}, got {value!r}", param=param)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    raise BoolnetError(f"{param} must be {what}, got {value!r}", param=param)


def _shown(bound: int) -> str:
    """A bound as people write it: ``10**15`` rather than its sixteen digits."""
    exponent = len(str(bound)) - 1
    return f"10**{exponent}" if bound >= 10**6 and bound == 10**exponent else str(bound)


def check_whole(value, param: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]``; accepts whole-number text and floats (``"1e3"``, ``12.0``).

    Examples
    --------
    >>> check_whole("1e3", "runs", low=1)
    1000
    >>> check_whole(2.5, "runs")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: runs must be a whole number, got 2.5
    """
    number = _as_number(value, param, "a whole number")
    if isinstance(number, float):
        if not math.isfinite(number) or number != int(number):
            raise BoolnetError(f"{param} must be a whole number, got {value!r}", param=param)
        number = int(number)
    if (low is not None and number < low) or (high is not None and number > high):
        if high is None:
            span = f">= {low}"
        elif low is None:
            span = f"<= {_shown(high)}"
        else:
            span = f"from {low} to {_shown(high)}"
        raise BoolnetError(f"{param} must be a whole number {span}, got {value!r}", param=param)
    return number


def check_real(value, param: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float within the given bounds (open or closed).

    Examples
    --------
    >>> check_real("0.5", "lr", low=0, low_open=True)
    0.5
    >>> check_real("nan", "lr")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: lr must be a finite number, got 'nan'
    """
    if isinstance(value, str) and value.strip().lower() in ("nan", "inf", "+inf", "-inf", "infinity"):
        raise BoolnetError(f"{param} must be a finite number, got {value!r}", param=param)
    number = float(_as_number(value, param, "a number"))
    if not math.isfinite(number):
        raise BoolnetError(f"{param} must be a finite number, got {value!r}", param=param)
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        parts = []
        if low is not None:
            parts.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            parts.append(f"{'<' if high_open else '<='} {high:g}")
        raise BoolnetError(f"{param} must be {' and '.join(parts)}, got {value!r}", param=param)
    return number


def check_choice(value, param: str, options) -> str:
    """``value`` if it is one of ``options``.

    Examples
    --------
    >>> check_choice("adam", "optimizer", ("sgd", "adam"))
    'adam'
    """
    if not isinstance(value, str) or value not in options:
        names = [repr(o) for o in options]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        raise BoolnetError(f"{param} must be {listed}, got {value!r}", param=param)
    return value


def check_bool(value, param: str) -> bool:
    """``value`` if it is a bool (``True``/``False``; text such as ``"no"`` is refused, not read as truthy).

    Examples
    --------
    >>> check_bool("no", "bias")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: bias must be True or False, got 'no'
    """
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # numpy's bool
        return bool(value)
    raise BoolnetError(f"{param} must be True or False, got {value!r}", param=param)


def check_samples(samples) -> int:
    """``samples`` as a positive int; accepts ``"1e8"`` and ``1e8``.

    Examples
    --------
    >>> check_samples("1e8")
    100000000
    >>> check_samples(0)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: samples must be a whole number from 1 to 10**15, got 0
    """
    return check_whole(samples, "samples", low=1, high=MAX_SAMPLES)


def check_seed(seed, param: str = "seed") -> int:
    """``seed`` as a non-negative int below 2**128 (``"12"`` and ``"1e3"`` are accepted).

    Examples
    --------
    >>> check_seed("1e3")
    1000
    >>> check_seed(-5)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: seed must be a whole number from 0 to 2**128 - 1, got -5
    """
    number = check_whole(seed, param)
    if not 0 <= number < SEED_LIMIT:
        raise BoolnetError(f"{param} must be a whole number from 0 to 2**128 - 1, got {seed!r}", param=param)
    return number


def check_threads(threads) -> int:
    """Number of worker threads: ``None`` means one per core.

    Examples
    --------
    >>> check_threads("2")
    2
    >>> check_threads(0)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: threads must be a whole number from 1 to 256, got 0
    """
    if threads is None:
        return os.cpu_count() or 1
    return check_whole(threads, "threads", low=1, high=MAX_THREADS)


def check_checkpoint_interval(seconds) -> float:
    """Seconds between checkpoint saves: a finite number > 0.

    Examples
    --------
    >>> check_checkpoint_interval("nan")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: checkpoint_interval must be a finite number of seconds > 0, got 'nan'
    """
    try:
        return check_real(seconds, "checkpoint_interval", low=0, low_open=True)
    except BoolnetError:
        raise BoolnetError(f"checkpoint_interval must be a finite number of seconds > 0, got {seconds!r}",
                           param="checkpoint_interval") from None


def check_backend(backend) -> str:
    """``"local"`` or ``"dask"``.

    Examples
    --------
    >>> check_backend("spark")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: backend must be 'local' or 'dask', got 'spark'
    """
    return check_choice(backend, "backend", ("local", "dask"))


def check_workers(workers, *, local: bool = True) -> int | None:
    """``None`` (default) or a whole number of workers, at most :data:`MAX_LOCAL_WORKERS` for a local cluster.

    Examples
    --------
    >>> check_workers("2")
    2
    >>> check_workers(100000)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: workers must be a whole number from 1 to 64, got 100000
    """
    if workers is None:
        return None
    return check_whole(workers, "workers", low=1, high=MAX_LOCAL_WORKERS if local else 1 << 20)


def check_partitions(partitions) -> int:
    """``partitions`` as an int in ``[1, MAX_PARTITIONS]``.

    Examples
    --------
    >>> check_partitions("8")
    8
    """
    return check_whole(partitions, "partitions", low=1, high=MAX_PARTITIONS)


def as_prior(prior) -> Prior:
    """The prior a front door was given: ``None`` (Gaussian), a :class:`Prior`, or a name.

    Names: ``"gaussian"`` and ``"uniform"`` are those priors with their default options
    (fan-in scaling on, as everywhere in boolnet: ``"uniform"`` is the box
    ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` for weights); ``"cube"`` is the box
    ``[-1, 1]`` for every parameter (uniform, no fan-in scaling), where the exact
    engines give rational volumes.

    Examples
    --------
    >>> as_prior("cube").metadata()["fan_in_scaling"]
    False
    >>> as_prior(3)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: prior must be 'gaussian', 'uniform', 'cube' or a boolnet.Prior, got 3
    """
    if prior is None:
        return Prior()
    if isinstance(prior, Prior):
        return prior
    if isinstance(prior, str) and prior in ("gaussian", "uniform", "cube"):
        return Prior(prior)
    raise BoolnetError(f"prior must be 'gaussian', 'uniform', 'cube' or a boolnet.Prior, got {prior!r}",
                       param="prior")


#: Protocols of a Dask scheduler address.
SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")


def check_scheduler(address) -> str | None:
    """A Dask scheduler address, parsed before any connection: ``PROTOCOL://HOST:PORT`` or ``HOST:PORT``.

    Examples
    --------
    >>> check_scheduler("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_scheduler("http://127.0.0.1:1")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: scheduler 'http://127.0.0.1:1' is not a Dask scheduler address: use PROTOCOL://HOST:PORT with PROTOCOL tcp, tls, ws, wss or ucx (e.g. tcp://10.0.0.5:8786)
    """
    if address is None:
        return None
    hint = (f"use PROTOCOL://HOST:PORT with PROTOCOL {', '.join(SCHEDULER_PROTOCOLS[:-1])} or "
            f"{SCHEDULER_PROTOCOLS[-1]} (e.g. tcp://10.0.0.5:8786)")
    if not isinstance(address, str):
        raise BoolnetError(f"scheduler must be an address such as tcp://10.0.0.5:8786, got {address!r}",
                           param="scheduler")
    text = address.strip()
    protocol, sep, rest = text.partition("://")
    if not sep:
        protocol, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    ok = (protocol in SCHEDULER_PROTOCOLS and colon and host and port.isdigit() and 1 <= int(port) <= 65535
          and "/" not in host and " " not in host)
    if not ok:
        raise BoolnetError(f"scheduler {address!r} is not a Dask scheduler address: {hint}", param="scheduler")
    return text


def check_text(value, param: str, *, what: str = "text", empty: bool = True) -> str:
    """``value`` if it is a string (non-empty unless ``empty``); ``what`` says what the text is for.

    Examples
    --------
    >>> check_text("lz", "measure", what="a column name")
    'lz'
    >>> check_text(3, "measure", what="a column name")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: measure must be a column name (text), got 3
    """
    if not isinstance(value, str) or (not empty and not value.strip()):
        shown = value if not isinstance(value, str) or len(value) <= 40 else value[:37] + "..."
        raise BoolnetError(f"{param} must be {what} (text), got {shown!r}", param=param)
    return value


def check_path(value, param: str = "path"):
    """``value`` if it is a file path: a non-empty string or an :class:`os.PathLike` of text.

    Examples
    --------
    >>> check_path("t.csv")
    't.csv'
    >>> check_path(1.5)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: path must be a file path (text or pathlib.Path), got 1.5
    """
    text = value
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
    if not isinstance(text, str) or not text.strip():
        raise BoolnetError(f"{param} must be a file path (text or pathlib.Path), got {value!r}", param=param)
    return value


def check_callable(value, param: str, what: str = "a function") -> object:
    """``value`` if it can be called.

    Examples
    --------
    >>> check_callable(None, "func", "a function of a truth-table string")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: func must be a function of a truth-table string, got None
    """
    if not callable(value):
        raise BoolnetError(f"{param} must be {what}, got {value!r}", param=param)
    return value


def check_names(value, param: str, what: str = "names") -> list[str] | None:
    """``None``, a comma-separated string or a list of strings, as a list of names (or None).

    Examples
    --------
    >>> check_names("lz, csr", "measures")
    ['lz', 'csr']
    >>> check_names(3, "measures", "measure names")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: measures must be measure names: a list of text or 'a,b', got 3
    """
    if value is None:
        return None
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, (list, tuple)) or type(value).__name__ in ("ndarray", "Index", "Series"):
        names = list(value)
        bad = [v for v in names if not isinstance(v, str)]
        if not bad:
            return names
    raise BoolnetError(f"{param} must be {what}: a list of text or 'a,b', got {value!r}", param=param)


def check_progress(progress) -> bool:
    """``progress`` as a bool: ``None`` (the front doors' default) shows progress where someone is watching.

    Examples
    --------
    >>> check_progress(False), check_progress(True)
    (False, True)
    """
    if progress is None:
        return _progress.watched()
    return check_bool(progress, "progress")


def check_backend_options(backend, scheduler, workers) -> tuple[str, str | None, int | None]:
    """``(backend, scheduler, workers)`` checked: the Dask options only with ``backend="dask"``.

    Examples
    --------
    >>> check_backend_options("dask", "tcp://10.0.0.5:8786", "4")
    ('dask', 'tcp://10.0.0.5:8786', 4)
    >>> check_backend_options("local", None, 2)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: workers is used only with backend='dask': add backend='dask', or leave it out
    """
    backend = check_backend(backend)
    scheduler = check_scheduler(scheduler)
    workers = check_workers(workers, local=scheduler is None)
    if backend == "local" and (scheduler is not None or workers is not None):
        name = "scheduler" if scheduler is not None else "workers"
        raise BoolnetError(f"{name} is used only with backend='dask': add backend='dask', or leave it out", param=name)
    return backend, scheduler, workers
