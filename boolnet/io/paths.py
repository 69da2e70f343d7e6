"""Paths and atomic writes: every output boolnet writes goes through here.

Every output (tables, datasets, checkpoints, figures, LaTeX) is checked before any long
work (:func:`check_output_path`, :func:`check_dataset_target`) and written through
:func:`atomic_path` (a file) or :func:`atomic_dir` (a dataset directory): into a
temporary ``.NAME.PID.tmp`` in the same folder, synced, then renamed over the target,
so a crash, a kill or a full disk never leaves a half-written output. Temporaries of a
killed writer (whose process id is gone) are removed the next time the same path is
written. Every failure becomes a :class:`~boolnet.errors.BoolnetError` that says what
to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from pathlib import Path

from boolnet.errors import BoolnetError


#: Suffixes of table files.
TABLE_SUFFIXES = (".csv", ".parquet")


_TEMP_PATTERN = re.compile(r"^\.(?P<name>.+)\.(?P<tag>[^.]+)\.tmp$")


def as_path(path, param: str) -> Path:
    """``path`` as a :class:`~pathlib.Path`, or a BoolnetError naming ``param`` when it is not a path.

    Examples
    --------
    >>> as_path(3, "output")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: output must be a file path (str or pathlib.Path), got int
    """
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        try:
            return Path(path)
        except TypeError:
            pass
    raise BoolnetError(f"{param} must be a file path (str or pathlib.Path), got {type(path).__name__}", param=param)


def _describe(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "the disk is full (or a file-size limit was reached); free some space or choose another path"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied; choose another path"
    return exc.strerror or str(exc)


def _first_line(exc: BaseException, limit: int = 160) -> str:
    """The first line of an exception's message, shortened: error messages stay one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def clean_stale_temps(path) -> list[Path]:
    """Remove temporary files left beside ``path`` by a writer that was killed; return them.

    A temporary file ``.NAME.TAG.tmp`` is stale when ``TAG`` is not the process id of
    a running process (files of boolnet <= 0.1 had random tags: always stale).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".t.csv.999999999.tmp").write_text("half a table")
    >>> [p.name for p in clean_stale_temps(d / "t.csv")]
    ['.t.csv.999999999.tmp']
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    try:
        candidates = list(folder.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        match = _TEMP_PATTERN.match(tmp.name)
        if not match or match.group("name") != path.name:
            continue
        tag = match.group("tag")
        if tag.isdigit() and _pid_alive(int(tag)):
            continue
        with contextlib.suppress(OSError):
            if tmp.is_dir():  # a dataset's directory (atomic_dir)
                shutil.rmtree(tmp)
            else:
                tmp.unlink()
            removed.append(tmp)
    return removed


def live_writers(path) -> list[int]:
    """Process ids of other running processes writing ``path`` now (their ``.NAME.PID.tmp`` exists).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> live_writers(pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    []
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        candidates = list(folder.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return []
    pids = []
    for tmp in candidates:
        match = _TEMP_PATTERN.match(tmp.name)
        if match and match.group("name") == path.name and match.group("tag").isdigit():
            pid = int(match.group("tag"))
            if pid != os.getpid() and _pid_alive(pid):
                pids.append(pid)
    return sorted(pids)


def refuse_second_writer(path: Path, param: str) -> None:
    pids = live_writers(path)
    if pids:
        raise BoolnetError(f"{param} {path} is being written by another running process (pid {pids[0]}); wait "
                           "for it to finish or choose another path", param=param)


def glob_escape(name: str) -> str:
    """``name`` with glob metacharacters escaped."""
    return re.sub(r"([\[\]*?])", r"[\1]", name)


def check_output_path(path, *, suffixes=TABLE_SUFFIXES, param: str = "output") -> Path | None:
    """Check, before any long work, that ``path`` can be written; None (stdout) passes.

    Parameters
    ----------
    path : str, Path or None
    suffixes : tuple of str
        Allowed endings (``None`` allows any).
    param : str
        Name of the parameter, for the error message.

    Raises
    ------
    BoolnetError
        Wrong suffix, missing folder, a directory in the way, or no permission.

    Examples
    --------
    >>> check_output_path("results.txt")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: output results.txt: the file name must end in .csv or .parquet
    """
    if path is None:
        return None
    path = as_path(path, param)
    if suffixes and path.suffix not in suffixes:
        raise BoolnetError(f"{param} {path}: the file name must end in {' or '.join(suffixes)}", param=param)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BoolnetError(f"{param} {path}: folder {parent} does not exist; create it or choose another path",
                           param=param)
    if path.is_dir():
        raise BoolnetError(f"{param} {path} is a directory; give a file name", param=param)
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BoolnetError(f"{param} {path}: permission denied; choose another path", param=param)
    refuse_second_writer(path, param)
    clean_stale_temps(path)
    return path


@contextlib.contextmanager
def atomic_path(path, *, param: str = "path"):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    ``param`` is the caller's parameter that holds ``path`` (named by the error).

    The temporary file is synced to disk before the rename. On any exception it is
    removed and an :class:`OSError` becomes a :class:`BoolnetError` naming the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    clean_stale_temps(path)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        raise BoolnetError(f"cannot write {path}: {_describe(exc)}", param=param) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", *, param: str = "path"):
    """Open a temporary file for writing that replaces ``path`` atomically when closed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.tex"
    >>> with atomic_write(target) as fh:
    ...     _ = fh.write("\\\\begin{tabular}")
    >>> target.read_text()
    '\\\\begin{tabular}'
    """
    text = "b" not in mode
    with atomic_path(path, param=param) as tmp:
        with open(tmp, mode, **({"encoding": "utf-8", "newline": ""} if text else {})) as fh:
            yield fh


@contextlib.contextmanager
def atomic_dir(path, *, param: str = "path"):
    """Yield a temporary directory beside ``path``; on success it replaces ``path`` (errors name ``param``)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    clean_stale_temps(path)  # a killed writer's directory (its pid is gone)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    old = folder / f".{path.name}.{os.getpid()}.old"
    try:
        yield tmp
        for f in tmp.iterdir():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise BoolnetError(f"cannot write {path}: {exc.strerror or exc}", param=param) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


#: Suffixes of figure files matplotlib writes.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def save_figure(fig, path, *, dpi=None, param: str = "plot") -> Path:
    """Save a matplotlib figure atomically to a checked ``.png``, ``.pdf`` or ``.svg`` path.

    Examples
    --------
    >>> import tempfile, pathlib, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure()
    >>> save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "f.png").suffix
    '.png'
    >>> plt.close(fig)
    """
    path = check_output_path(path, suffixes=FIGURE_SUFFIXES, param=param)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix[1:], dpi=dpi if dpi is not None else fig.dpi)
    return path
