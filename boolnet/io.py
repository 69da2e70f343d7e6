"""Reading and writing boolnet's files: tables, and atomic writes for every output.

Tables are the DataFrames of :mod:`boolnet.schema`, their metadata in
``df.attrs["boolnet"]``. On disk:

* CSV: a plain CSV file that ``pandas.read_csv(path)``, R or a spreadsheet reads as it
  is, with its metadata beside it in ``FILE.csv-metadata.json``, the W3C "CSV on the
  Web" sidecar convention: that file names the CSV (``url``), describes its columns
  (``tableSchema``) and holds boolnet's metadata under the key ``urn:boolnet:metadata``
  (CSVW lets other vocabularies in as absolute IRIs).
* Parquet: the metadata in the file's schema metadata under the key ``boolnet``.

Every output (tables, checkpoints, plots, LaTeX) is written through
:func:`atomic_path`: to a temporary file ``.NAME.PID.tmp`` in the same folder, synced,
then renamed over the target, so a crash, a kill or a full disk never leaves a
half-written file; temporary files of a killed writer are removed the next time the
same path is written. Every failure becomes a :class:`~boolnet.errors.BoolnetError`
that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sys
from pathlib import Path

from boolnet import __version__
from boolnet.errors import BoolnetError

#: Suffixes of table files.
TABLE_SUFFIXES = (".csv", ".parquet")
#: Key under which a CSVW sidecar holds boolnet's metadata (an absolute IRI, as CSVW requires).
CSVW_METADATA_KEY = "urn:boolnet:metadata"
_OLD_CSV_PREFIX = "# boolnet-metadata: "
_TEMP_PATTERN = re.compile(r"^\.(?P<name>.+)\.(?P<tag>[^.]+)\.tmp$")


def sidecar_path(path) -> Path:
    """Where the metadata of CSV table ``path`` lives: ``path`` + ``-metadata.json``.

    Examples
    --------
    >>> sidecar_path("t.csv").name
    't.csv-metadata.json'
    """
    path = Path(path)
    return path.with_name(path.name + "-metadata.json")


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
            tmp.unlink()
            removed.append(tmp)
    return removed


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
    path = Path(path)
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
    clean_stale_temps(path)
    return path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

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
        raise BoolnetError(f"cannot write {path}: {_describe(exc)}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_write(path, mode: str = "w"):
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
    with atomic_path(path) as tmp:
        with open(tmp, mode, **({"encoding": "utf-8", "newline": ""} if text else {})) as fh:
            yield fh


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


def _json(metadata: dict) -> str:
    return json.dumps(metadata, sort_keys=True, default=str)


def _csvw_sidecar(df, path: Path, metadata: dict) -> dict:
    import pandas as pd

    def datatype(series) -> str:
        if pd.api.types.is_bool_dtype(series):
            return "boolean"
        if pd.api.types.is_integer_dtype(series):
            return "integer"
        if pd.api.types.is_float_dtype(series):
            return "double"
        return "string"

    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": path.name,
        "dc:creator": f"boolnet {metadata.get('boolnet_version', __version__)}",
        "tableSchema": {"columns": [{"name": str(c), "titles": str(c), "datatype": datatype(df[c])}
                                    for c in df.columns]},
        CSVW_METADATA_KEY: metadata,
    }


def write_table(df, path=None, metadata: dict | None = None) -> None:
    """Write a table (CSV with its CSVW sidecar, or Parquet) atomically, or print it.

    Parameters
    ----------
    df : pandas.DataFrame
        Its metadata is ``df.attrs["boolnet"]`` unless ``metadata`` is given.
    path : str, Path or None
        ``.csv`` or ``.parquet``; None prints a readable summary to stdout.
    metadata : dict, optional

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from boolnet.schema import attach
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> write_table(attach(pd.DataFrame({"function": ["0001"], "probability": [0.25]}), {"n": 2}), path)
    >>> pd.read_csv(path, dtype=str)["function"].tolist()      # a plain CSV
    ['0001']
    >>> read_table(path).attrs["boolnet"]["n"]
    2
    """
    from boolnet.schema import METADATA_KEY, metadata_of

    metadata = dict(metadata if metadata is not None else metadata_of(df))
    metadata.setdefault("boolnet_version", __version__)
    if path is None:
        sys.stdout.write(format_table(df, metadata))
        return
    from boolnet.dataset import is_dataset_target, write_frame_dataset

    if is_dataset_target(path):  # a directory: a partitioned Parquet dataset (boolnet/dataset.py)
        write_frame_dataset(df, path, metadata)
        return
    path = check_output_path(path)
    if path.suffix == ".csv":
        sidecar = sidecar_path(path)
        check_output_path(sidecar, suffixes=None)
        with atomic_path(path) as tmp:
            df.to_csv(tmp, index=False)
            # The sidecar is renamed into place just before the table, so the two change together.
            with atomic_path(sidecar) as tmp_sidecar:
                tmp_sidecar.write_text(json.dumps(_csvw_sidecar(df, path, metadata), indent=1, sort_keys=True,
                                                  default=str) + "\n", encoding="utf-8")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"pandas"}
    meta[METADATA_KEY.encode()] = _json(metadata).encode()
    with atomic_path(path) as tmp:
        try:
            pq.write_table(table.replace_schema_metadata(meta), tmp, **parquet_options(table.schema))
        except pa.ArrowException as exc:  # pyarrow wraps some OSErrors (a full disk) in its own types
            raise OSError(errno.EIO, str(exc).splitlines()[0]) from exc


def parquet_options(schema) -> dict:
    """Options of every Parquet file boolnet writes: no dictionary or min/max statistics for truth tables.

    Truth tables are distinct in a counted table, so a dictionary of them is built only
    to be dropped, and the minimum and maximum of long strings say nothing: leaving both
    out writes a 9-million-row table about 10% faster. Other columns keep both.

    Examples
    --------
    >>> import pyarrow as pa
    >>> parquet_options(pa.schema([("function", pa.string()), ("count", pa.int64())]))
    {'use_dictionary': ['count'], 'write_statistics': ['count']}
    """
    others = [name for name in schema.names if name != "function"]
    return {"use_dictionary": others, "write_statistics": others}


def _read_csv(path: Path):
    import pandas as pd

    from boolnet.schema import TRUTH_TABLE_COLUMNS

    metadata: dict = {}
    with open(path, encoding="utf-8") as fh:
        first = fh.readline()
    skip = 0
    if first.startswith(_OLD_CSV_PREFIX):  # boolnet <= 0.1 kept the metadata in a leading comment line
        metadata = json.loads(first[len(_OLD_CSV_PREFIX):])
        skip = 1
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        try:
            described = json.loads(sidecar.read_text(encoding="utf-8"))
            metadata = dict(described.get(CSVW_METADATA_KEY) or {})
        except (json.JSONDecodeError, AttributeError, UnicodeDecodeError) as exc:
            raise BoolnetError(f"cannot read {sidecar}: not a CSVW metadata file ({exc}); delete or repair it") \
                from None
    df = pd.read_csv(path, skiprows=skip, dtype={c: str for c in TRUTH_TABLE_COLUMNS}, keep_default_na=True)
    return df, metadata


def _read_parquet(path: Path):
    import pyarrow.parquet as pq

    from boolnet.schema import METADATA_KEY

    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(METADATA_KEY.encode())
    metadata = json.loads(raw) if raw else {}
    return table.to_pandas(), metadata


def read_table(path):
    """Read a table written by boolnet (any version) or any CSV/Parquet with a ``function`` column.

    Returns
    -------
    pandas.DataFrame
        Columns in the schema of :mod:`boolnet.schema` (old files are upgraded: see
        :func:`boolnet.schema.upgrade`), metadata in ``df.attrs["boolnet"]``.

    Raises
    ------
    BoolnetError
        The file is missing, unreadable, not a table, or holds impossible values.

    Examples
    --------
    >>> read_table("no/such/table.csv")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: table no/such/table.csv does not exist
    """
    import pandas as pd
    import pyarrow as pa

    from boolnet.schema import attach, check_volume_table, upgrade

    path = Path(path)
    if not path.exists():
        raise BoolnetError(f"table {path} does not exist", param="table")
    if path.is_dir():
        from boolnet.dataset import is_dataset, read_dataset

        if is_dataset(path):  # a partitioned Parquet dataset (boolnet/dataset.py)
            return read_dataset(path)
        raise BoolnetError(f"table {path} is a directory; give a .csv or .parquet file", param="table")
    if path.suffix not in TABLE_SUFFIXES:
        raise BoolnetError(f"cannot read {path}: tables are .csv or .parquet files", param="table")
    try:
        df, metadata = _read_csv(path) if path.suffix == ".csv" else _read_parquet(path)
    except pd.errors.EmptyDataError:
        raise BoolnetError(f"table {path} is empty; regenerate it", param="table") from None
    except pa.ArrowException as exc:  # before ValueError: some Arrow errors are ValueErrors too
        raise BoolnetError(f"cannot read {path}: not a valid Parquet file, or truncated ({_first_line(exc)})",
                           param="table") from None
    except (pd.errors.ParserError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise BoolnetError(f"cannot read {path}: not a valid {path.suffix[1:].upper()} table ({_first_line(exc)})",
                           param="table") from None
    except OSError as exc:
        raise BoolnetError(f"cannot read {path}: {_describe(exc)}", param="table") from None
    if not isinstance(metadata, dict):
        metadata = {}
    if "function" in df.columns and not df["function"].isna().any():
        df["function"] = df["function"].astype(str)
    df, metadata = upgrade(df, metadata)
    check_volume_table(df, str(path), need_probability=False)
    return attach(df, metadata)


#: Rows printed in full when a table goes to a terminal; longer tables show their head and a note.
PRINT_ROWS = 60


def format_table(df, metadata: dict, max_rows: int = PRINT_ROWS, width: int | None = None) -> str:
    """A readable rendering for a terminal: the options, then the rows and columns that fit.

    Tables of more than ``max_rows`` rows show their first rows; columns that would make
    a line wider than the terminal are left out. A closing line says what was left out
    and how to get everything (``-o FILE.csv`` or ``.parquet``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"function": ["0001", "0111"], "probability": [0.5, 0.5]})
    >>> print(format_table(df, {"n": 2}))
    # n: 2
    function  probability
        0001          0.5
        0111          0.5
    <BLANKLINE>
    """
    import shutil

    import pandas as pd

    width = width or shutil.get_terminal_size((120, 40)).columns
    lines = [f"# {k}: {v}" for k, v in metadata.items() if k not in ("measures", "grid_values")]
    shown = df if len(df) <= max_rows else df.head(max_rows // 2)
    columns: list = []
    for col in df.columns:
        trial = shown[columns + [col]]
        with pd.option_context("display.max_colwidth", 120):
            text = trial.to_string(index=False)
        if columns and max(len(line) for line in text.splitlines()) > width:
            break
        columns.append(col)
    with pd.option_context("display.max_colwidth", 120):
        body = shown[columns].to_string(index=False)
    notes = []
    if len(shown) < len(df):
        notes.append(f"{len(df) - len(shown):,} more rows")
    if len(columns) < len(df.columns):
        rest = [str(c) for c in df.columns[len(columns):]]
        notes.append(f"{len(rest)} more columns ({', '.join(rest[:6])}{', ...' if len(rest) > 6 else ''})")
    tail = [f"# {' and '.join(notes)}: write the whole table with -o FILE.csv or FILE.parquet"] if notes else []
    return "\n".join(lines + [body] + tail) + "\n"
