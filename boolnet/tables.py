"""Reading and writing boolnet tables: pandas DataFrames with metadata.

Every table has a ``function`` column (truth-table strings) and carries a
metadata dict (the command, its options, the boolnet version) that travels with
it: in CSV as leading ``# boolnet-metadata: {json}`` comment lines (read them
with ``pandas.read_csv(path, comment="#", dtype={"function": str})`` or with
:func:`read_table`), in Parquet in the schema's key-value metadata under
``boolnet``. Without a path, a readable table goes to stdout.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from boolnet import __version__
from boolnet.errors import UsageError

METADATA_KEY = "boolnet"
#: Columns holding truth-table strings: read as text so leading zeros survive CSV.
TRUTH_TABLE_COLUMNS = ("function", "orbit", "npn_class")
_CSV_PREFIX = "# boolnet-metadata: "


def with_version(metadata: dict) -> dict:
    """Copy of ``metadata`` with the boolnet version added."""
    out = dict(metadata)
    out.setdefault("boolnet_version", __version__)
    return out


def _check_writable(path: Path) -> None:
    if path.suffix not in (".csv", ".parquet"):
        raise UsageError(f"cannot write {path}: the output file must end in .csv or .parquet")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {path}: permission denied; choose another -o path")


def check_output_path(path) -> Path | None:
    """Validate an ``-o`` path before long work starts (None means stdout)."""
    if path is None:
        return None
    path = Path(path)
    _check_writable(path)
    return path


def write_table(df: pd.DataFrame, path, metadata: dict) -> None:
    """Write ``df`` with ``metadata`` to CSV/Parquet, atomically, or to stdout.

    Parameters
    ----------
    df : pandas.DataFrame
    path : str, Path or None
        ``.csv`` or ``.parquet``; None prints a readable table to stdout.
    metadata : dict
        JSON-serialisable options of the command that made the table.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_table(pd.DataFrame({"function": ["0001"], "probability": [0.25]}),
    ...             os.path.join(d, "t.csv"), {"n": 2})
    >>> df, meta = read_table(os.path.join(d, "t.csv"))
    >>> df["function"].tolist(), meta["n"]
    (['0001'], 2)
    """
    metadata = with_version(metadata)
    if path is None:
        sys.stdout.write(format_table(df, metadata))
        return
    path = Path(path)
    _check_writable(path)
    # Write to a temporary file in the same folder, then rename: no half-written tables.
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a table is an ordinary file
    try:
        if path.suffix == ".csv":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(_CSV_PREFIX + json.dumps(metadata, sort_keys=True, default=str) + "\n")
                df.to_csv(fh, index=False)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[METADATA_KEY.encode()] = json.dumps(metadata, sort_keys=True, default=str).encode()
            pq.write_table(table.replace_schema_metadata(meta), tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_table(path) -> tuple[pd.DataFrame, dict]:
    """Read a table written by :func:`write_table` (or any CSV/Parquet with a ``function`` column).

    Returns the DataFrame (``function`` as strings) and its metadata (empty if none).
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"table {path} does not exist")
    metadata: dict = {}
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(METADATA_KEY.encode())
        if raw:
            metadata = json.loads(raw)
        df = table.to_pandas()
    elif path.suffix == ".csv":
        with open(path, encoding="utf-8") as fh:
            first = fh.readline()
        if first.startswith(_CSV_PREFIX):
            metadata = json.loads(first[len(_CSV_PREFIX):])
        df = pd.read_csv(path, comment="#", dtype={c: str for c in TRUTH_TABLE_COLUMNS})
    else:
        raise UsageError(f"cannot read {path}: tables are .csv or .parquet files")
    if "function" not in df.columns:
        raise UsageError(f"table {path} has no 'function' column of truth-table strings")
    df["function"] = df["function"].astype(str)
    return df, metadata


def format_table(df: pd.DataFrame, metadata: dict, max_rows: int = 200) -> str:
    """A readable text rendering: metadata lines, then the rows."""
    lines = [f"# {k}: {v}" for k, v in metadata.items()]
    with pd.option_context("display.max_colwidth", 200, "display.width", 250):
        body = df.to_string(index=False, max_rows=max_rows)
    return "\n".join(lines + [body]) + "\n"
