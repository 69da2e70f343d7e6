"""Partitioned Parquet datasets: tables of any size, one directory of parts.

A **dataset** is a directory of Parquet part files, ``part-00000.parquet`` ...,
holding the rows of one volume table (the schema of :mod:`boolnet.table.schema`) split
by a hash of the function: row ``f`` is in part ``partition_of(f) mod P``, with
the hash of :func:`partition_ids` (a fixed SplitMix64 mix of the packed truth
table, the same in every version and on every machine, so two datasets with the
same ``P`` hold the same functions in the same parts and can be merged part by
part). Every part carries the table's metadata in its Parquet schema metadata
(key ``boolnet``, plus ``partition`` and ``partitions``), and the directory has a
manifest, ``_boolnet_dataset.json``: the format, the metadata, the hash, and each
part's file name, rows, count sum and singletons. Within a part, rows are in the
table's order (count descending, then the truth table's integer value).

Nothing here builds the whole table in memory: :func:`boolnet.io.tables.write_counts`
writes counts part by part through :class:`DatasetWriter`, :func:`iter_partitions`
reads one part at a time, and :func:`boolnet.sampling.merge.merge_tables` adds
datasets part by part. :func:`read_dataset` reads a dataset whole (for tables that fit
in memory); :func:`boolnet.io.read_table` calls it for a dataset path.

Directories are written atomically by :func:`boolnet.io.paths.atomic_dir`:
into ``.NAME.PID.tmp`` beside the target, then renamed over it (an existing
dataset at the target is moved aside first, then removed), so a killed writer
never leaves a half-written dataset under the target's name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from boolnet import __version__
from boolnet.checks import MAX_PARTITIONS, check_partitions
from boolnet.errors import BoolnetError
from boolnet.functions import words_from_strings
from boolnet.io.formats import parquet_options, with_metadata
from boolnet.io.paths import as_path, atomic_dir, refuse_second_writer
from boolnet.table.build import row_order


#: File name of a dataset's manifest.
MANIFEST = "_boolnet_dataset.json"


#: Format tag of the manifest.
DATASET_FORMAT = "boolnet-dataset 1"


#: The partition hash, as recorded in every manifest.
HASH_NAME = "splitmix64(w0 ^ splitmix64(w1 + 0x9E3779B97F4A7C15)) mod partitions"


#: Rows a part aims at when the number of partitions is chosen automatically.
PART_ROWS = 1 << 21


_kernels: dict = {}


def _partition_kernel():
    if "ids" not in _kernels:
        from numba import njit

        @njit(inline="always")
        def mix(z):
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            return z ^ (z >> np.uint64(31))

        @njit(cache=True)
        def ids(words, parts, out):
            p = np.uint64(parts)
            for k in range(words.shape[0]):
                h = mix(words[k, 0] ^ mix(words[k, 1] + np.uint64(0x9E3779B97F4A7C15)))
                out[k] = np.uint32(h % p)
            return out

        _kernels["ids"] = ids
    return _kernels["ids"]


def partition_ids(words: np.ndarray, partitions: int) -> np.ndarray:
    """Dataset partition of each packed truth table ``(m, 2)`` (uint32 values in ``[0, partitions)``).

    Examples
    --------
    >>> partition_ids(np.array([[8, 0], [8, 0], [7, 0]], dtype=np.uint64), 4).tolist()
    [2, 2, 3]
    """
    words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 2)
    return _partition_kernel()(words, int(partitions), np.empty(words.shape[0], np.uint32))


def is_dataset(path) -> bool:
    """True if ``path`` is a directory holding a boolnet dataset manifest."""
    return isinstance(path, (str, os.PathLike)) and (Path(path) / MANIFEST).is_file()


def is_dataset_target(path) -> bool:
    """True if ``path`` names a dataset to write: it ends with ``/``, or is an existing dataset.

    Examples
    --------
    >>> is_dataset_target("big/"), is_dataset_target("big.parquet")
    (True, False)
    """
    if not isinstance(path, (str, os.PathLike)):
        return False  # not a path at all: the file checks name the parameter
    text = os.fspath(path)
    return text.endswith("/") or text.endswith(os.sep) or is_dataset(text)


def check_dataset_target(path, param: str = "output") -> Path:
    """Check, before any long work, that a dataset can be written at ``path``."""
    path = Path(os.fspath(as_path(path, param)).rstrip("/" + os.sep) or ".")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BoolnetError(f"{param} {path}: folder {parent} does not exist; create it or choose another path",
                           param=param)
    if path.exists() and not path.is_dir():
        raise BoolnetError(f"{param} {path} is a file; a dataset is a directory: give a new or a dataset's path",
                           param=param)
    if path.is_dir() and any(path.iterdir()) and not is_dataset(path):
        raise BoolnetError(f"{param} {path} is a directory that is not a boolnet dataset; give a new path "
                           "(nothing in it is overwritten)", param=param)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BoolnetError(f"{param} {path}: permission denied; choose another path", param=param)
    refuse_second_writer(path, param)
    return path


def default_partitions(distinct: int) -> int:
    """A power of two giving parts of about :data:`PART_ROWS` rows (at least 1).

    Examples
    --------
    >>> default_partitions(10), default_partitions(5 * 10**7)
    (1, 32)
    """
    parts = 1
    while parts * PART_ROWS < distinct and parts < MAX_PARTITIONS:
        parts *= 2
    return parts


class DatasetWriter:
    """Writes the parts of a dataset one at a time, then its manifest.

    Use as a context manager; :meth:`write_part` takes a part's rows (a pyarrow
    Table or a DataFrame in the table's row order). The directory appears under
    its name only when the ``with`` block ends without an error.
    """

    def __init__(self, path, partitions: int, metadata: dict, param: str = "output"):
        self.path = check_dataset_target(path, param=param)
        self.partitions = check_partitions(partitions)
        self.metadata = dict(metadata)
        self.metadata.setdefault("boolnet_version", __version__)
        self.parts: list[dict] = []

    def __enter__(self):
        self._ctx = atomic_dir(self.path)
        self.tmp = self._ctx.__enter__()
        return self

    def write_part(self, p: int, rows) -> dict:
        """Write part ``p``: a pyarrow Table, a DataFrame, or an iterable of Tables (its row groups, in order)."""
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(rows, pd.DataFrame):
            rows = pa.Table.from_pandas(rows, preserve_index=False)
        slices = [rows] if isinstance(rows, pa.Table) else rows
        name = f"part-{p:05d}.parquet"
        info = {"file": name, "partition": p, "rows": 0}
        metadata = dict(self.metadata, partition=p, partitions=self.partitions)
        writer = None
        try:
            for piece in slices:
                piece = with_metadata(piece, metadata)
                if writer is None:
                    writer = pq.ParquetWriter(self.tmp / name, piece.schema, **parquet_options(piece.schema))
                writer.write_table(piece)
                info["rows"] += piece.num_rows
                if "count" in piece.column_names:
                    counts = piece.column("count").to_numpy()
                    info["count_sum"] = info.get("count_sum", 0) + int(counts.sum())
                    info["singletons"] = info.get("singletons", 0) + int(np.count_nonzero(counts == 1))
        except pa.ArrowException as exc:
            raise OSError(5, str(exc).splitlines()[0]) from exc
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError("a part needs at least one (possibly empty) slice of rows")
        self.parts.append(info)
        return info

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            manifest = {"format": DATASET_FORMAT, "hash": HASH_NAME, "partitions": self.partitions,
                        "rows": sum(p["rows"] for p in self.parts), "parts": sorted(self.parts,
                                                                                     key=lambda p: p["partition"]),
                        "metadata": self.metadata}
            (self.tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str) + "\n",
                                             encoding="utf-8")
        return self._ctx.__exit__(exc_type, exc, tb)


def write_frame_dataset(df, path, metadata: dict | None = None, partitions: int | None = None) -> dict:
    """Write an in-memory table as a dataset (used by :func:`boolnet.io.write_table` for a directory target).

    Tables without a ``count`` column keep their row order (a ``_row`` column,
    dropped again by the readers).
    """
    from boolnet.table.schema import metadata_of

    metadata = dict(metadata if metadata is not None else metadata_of(df))
    parts = check_partitions(partitions) if partitions is not None else default_partitions(len(df))
    frame = df.reset_index(drop=True)
    if "count" not in frame.columns:
        frame = frame.assign(_row=np.arange(len(frame), dtype=np.int64))
    ids = partition_ids(words_from_strings(frame["function"].astype(str).tolist()), parts) if len(frame) else \
        np.zeros(0, np.uint32)
    with DatasetWriter(path, parts, metadata) as writer:
        for p in range(parts):
            writer.write_part(p, frame[ids == p])
    return writer.metadata


def read_manifest(path) -> dict:
    """The manifest of dataset ``path`` (checked)."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoolnetError(f"cannot read dataset {path}: its manifest {MANIFEST} is unreadable ({exc})",
                           param="path") from None
    if not isinstance(manifest, dict) or manifest.get("format") != DATASET_FORMAT:
        raise BoolnetError(f"cannot read dataset {path}: {MANIFEST} is not a boolnet dataset manifest",
                           param="path")
    _check_manifest(path, manifest)
    missing = [p["file"] for p in manifest["parts"] if not (path / p["file"]).is_file()]
    if missing:
        raise BoolnetError(f"dataset {path} is incomplete: part files {', '.join(missing[:3])} are missing",
                           param="path")
    return manifest


def _check_manifest(path: Path, manifest: dict) -> None:
    """Refuse a manifest whose parts do not list each partition ``0 .. P-1`` once, with a file name each."""
    def broken(why: str):
        return BoolnetError(f"cannot read dataset {path}: its manifest {MANIFEST} is damaged ({why}); write the "
                            "dataset again", param="path")

    partitions, parts = manifest.get("partitions"), manifest.get("parts")
    if isinstance(partitions, bool) or not isinstance(partitions, int) or not 1 <= partitions <= MAX_PARTITIONS:
        raise broken(f"partitions is {partitions!r}, not a whole number from 1 to {MAX_PARTITIONS}")
    if not isinstance(parts, list):
        raise broken(f"parts is {type(parts).__name__}, not a list" if "parts" in manifest else "no parts listed")
    if not all(isinstance(p, dict) and isinstance(p.get("file"), str) and "/" not in p["file"]
               and isinstance(p.get("partition"), int) for p in parts):
        raise broken("a part lacks its file name or partition number")
    numbers = sorted(p["partition"] for p in parts)
    if numbers != list(range(partitions)):
        raise broken(f"it declares {partitions} partitions but lists {len(parts)} parts"
                     if len(parts) != partitions else "its parts do not number 0 to partitions - 1 once each")
    if not isinstance(manifest.get("metadata"), dict):
        raise broken("no metadata")


def _read_part(path: Path, part: dict, columns=None):
    """One part file as a pyarrow Table, its truth tables as ``large_string`` (whatever wrote it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path / part["file"], columns=columns)
    except (pa.ArrowException, OSError) as exc:
        why = " ".join(str(exc).split())[:120]
        raise BoolnetError(f"cannot read dataset {path}: part {part['file']} is not valid Parquet, or truncated "
                           f"({why}); write the dataset again", param="path") from None
    if "function" in table.column_names:
        k = table.column_names.index("function")
        column = table.column(k)
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            raise BoolnetError(f"cannot read dataset {path}: the function column of part {part['file']} holds "
                               f"{column.type}, not truth-table strings", param="path")
        table = table.set_column(k, "function", column.cast(pa.large_string()))
    return table.replace_schema_metadata(None)


def iter_partitions(path, columns=None):
    """Yield ``(partition, DataFrame)`` for each part of dataset ``path``, metadata attached, one at a time."""
    from boolnet.table.schema import attach

    path = Path(path)
    manifest = read_manifest(path)
    for part in sorted(manifest["parts"], key=lambda p: p["partition"]):
        df = _read_part(path, part, columns).to_pandas()
        if "_row" in df.columns:
            df = df.drop(columns="_row")
        yield part["partition"], attach(df, manifest["metadata"])


def map_partitions(path, func, output, *, metadata: dict | None = None) -> dict:
    """Apply ``func`` to each part of dataset ``path`` and write the results as dataset ``output``, part by part.

    ``func(frame) -> DataFrame`` gets one part (metadata attached) and returns its
    rows for the output (e.g. with complexity measures added); the output keeps the
    parts and hash of the input, and its metadata is ``metadata`` or that of the
    first returned frame. Memory: one part at a time.

    Examples
    --------
    >>> import tempfile, os
    >>> from boolnet.complexity import add_measures
    >>> from boolnet.io import write_counts
    >>> d = tempfile.mkdtemp()
    >>> _ = write_counts(np.array([[8, 0], [7, 0]], dtype=np.uint64), np.array([1, 3]), 2, 4, {"n": 2},
    ...                  os.path.join(d, "t/"), partitions=2)
    >>> _ = map_partitions(os.path.join(d, "t"), lambda df: add_measures(df, ["lz"], n=2), os.path.join(d, "k/"))
    >>> from boolnet.io import read_table
    >>> read_table(os.path.join(d, "k")).columns.tolist()
    ['function', 'probability', 'probability_low', 'probability_high', 'count', 'lz']
    """
    from boolnet.table.schema import metadata_of

    manifest = read_manifest(path)
    writer = None
    try:
        for p, frame in iter_partitions(path):
            out = func(frame)
            if writer is None:
                meta = dict(metadata if metadata is not None else (metadata_of(out) or manifest["metadata"]))
                writer = DatasetWriter(output, manifest["partitions"], meta).__enter__()
            writer.write_part(p, out.reset_index(drop=True))
    except BaseException as exc:
        if writer is not None:
            writer.__exit__(type(exc), exc, exc.__traceback__)
        raise
    if writer is None:
        raise BoolnetError(f"dataset {path} has no parts", param="path")
    writer.__exit__(None, None, None)
    return writer.metadata


def read_dataset(path):
    """Read a whole dataset into one DataFrame in the table's row order (what :func:`boolnet.io.read_table` does).

    Counted tables are put in the order of :func:`boolnet.table.build.frame_from_counts`
    (count descending, then the truth table's integer value); other tables in their
    original order.
    """
    import pyarrow as pa

    from boolnet.table.schema import attach, check_volume_table, upgrade

    path = Path(path)
    manifest = read_manifest(path)
    tables = [_read_part(path, p) for p in manifest["parts"]]
    try:
        table = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    except pa.ArrowException as exc:
        raise BoolnetError(f"cannot read dataset {path}: its parts have different columns "
                           f"({' '.join(str(exc).split())[:120]}); write the dataset again", param="path") from None
    if "count" in table.column_names and table.num_rows:
        try:
            words = words_from_strings(table.column("function"))
        except BoolnetError as exc:
            raise BoolnetError(f"cannot read dataset {path}: {exc}", param="path") from None
        order = row_order(words, table.column("count").to_numpy())
        table = table.take(pa.array(order))
    elif "_row" in table.column_names:
        table = table.sort_by("_row").drop_columns(["_row"])
    df = table.to_pandas()
    df, metadata = upgrade(df, dict(manifest["metadata"]))
    check_volume_table(df, str(path), need_probability=False, param="path")
    return attach(df, metadata)
