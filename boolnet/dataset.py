"""Tables of any size: partitioned Parquet datasets, streamed table files, and merged runs.

A **dataset** is a directory of Parquet part files, ``part-00000.parquet`` ...,
holding the rows of one volume table (the schema of :mod:`boolnet.schema`) split
by a hash of the function: row ``f`` is in part ``partition_of(f) mod P``, with
the hash of :func:`partition_ids` (a fixed SplitMix64 mix of the packed truth
table, the same in every version and on every machine, so two datasets with the
same ``P`` hold the same functions in the same parts and can be merged part by
part). Every part carries the table's metadata in its Parquet schema metadata
(key ``boolnet``, plus ``partition`` and ``partitions``), and the directory has a
manifest, ``_boolnet_dataset.json``: the format, the metadata, the hash, and each
part's file name, rows, count sum and singletons. Within a part, rows are in the
table's order (count descending, then the truth table's integer value).

Nothing here builds the whole table in memory: counts go to disk part by part
(:func:`write_counts`), datasets are read part by part (:func:`iter_partitions`),
and :func:`merge_tables` adds datasets part by part. :func:`boolnet.io.read_table`
reads a dataset whole (for tables that fit in memory); :func:`write_counts` also
streams a single ``.parquet`` or ``.csv`` file in slices of rows.

Directories are written atomically in the sense of :func:`boolnet.io.atomic_path`:
into ``.NAME.PID.tmp`` beside the target, then renamed over it (an existing
dataset at the target is moved aside first, then removed), so a killed writer
never leaves a half-written dataset under the target's name.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from boolnet import __version__
from boolnet.errors import BoolnetError
from boolnet.io import parquet_options

#: File name of a dataset's manifest.
MANIFEST = "_boolnet_dataset.json"
#: Format tag of the manifest.
DATASET_FORMAT = "boolnet-dataset 1"
#: The partition hash, as recorded in every manifest.
HASH_NAME = "splitmix64(w0 ^ splitmix64(w1 + 0x9E3779B97F4A7C15)) mod partitions"
#: Rows per slice when streaming (one Parquet row group, or one CSV write): 32 MiB of strings at n = 7.
SLICE_ROWS = 1 << 18
#: Rows a part aims at when the number of partitions is chosen automatically.
PART_ROWS = 1 << 21
#: Most partitions of one dataset.
MAX_PARTITIONS = 1 << 16


_kernels: dict = {}


def made_ahead(items):
    """Iterate over ``items`` while a background thread makes the next one.

    The slices of a table are built (NumPy, numba) while the previous one is being
    compressed and written by pyarrow, which releases the GIL: on two cores that hides
    most of the building. An exception in the background thread is raised here, at the
    item where it happened; leaving the loop early stops the thread after its current item.

    Examples
    --------
    >>> list(made_ahead(x * x for x in range(4)))
    [0, 1, 4, 9]
    """
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            box.put((done, exc))
            return
        box.put((done, None))

    thread = threading.Thread(target=produce, name="boolnet-slices", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = box.get()
            if item is done:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to put, then let it finish
            try:
                box.get(timeout=0.1)
            except queue.Empty:
                pass


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


def words_from_strings(functions, n: int | None = None) -> np.ndarray:
    """Packed truth tables ``(m, 2)`` uint64 of truth-table strings (the inverse of the table's strings).

    Examples
    --------
    >>> words_from_strings(["0001", "1110"]).tolist()
    [[8, 0], [7, 0]]
    """
    import pyarrow as pa

    array = pa.array(functions, type=pa.large_string()) if not isinstance(functions, pa.Array) else functions
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    m = len(array)
    if m == 0:
        return np.zeros((0, 2), np.uint64)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64, count=m + 1, offset=array.offset * 8)
    length = int(offsets[1] - offsets[0])
    if n is not None and length != 1 << n:
        raise BoolnetError(f"truth tables have {length} characters, expected {1 << n}")
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8, count=int(offsets[-1]) - int(offsets[0]),
                         offset=int(offsets[0]))
    bits = (data.reshape(m, length) - ord("0")).astype(np.uint8)
    packed = np.zeros((m, 16), np.uint8)
    packed[:, : (length + 7) // 8] = np.packbits(bits, axis=1, bitorder="little")
    return packed.view("<u8").astype(np.uint64).reshape(m, 2)


def is_dataset(path) -> bool:
    """True if ``path`` is a directory holding a boolnet dataset manifest."""
    return (Path(path) / MANIFEST).is_file()


def is_dataset_target(path) -> bool:
    """True if ``path`` names a dataset to write: it ends with ``/``, or is an existing dataset.

    Examples
    --------
    >>> is_dataset_target("big/"), is_dataset_target("big.parquet")
    (True, False)
    """
    text = os.fspath(path)
    return text.endswith("/") or text.endswith(os.sep) or is_dataset(text)


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


def check_partitions(partitions) -> int:
    """``partitions`` as an int in ``[1, MAX_PARTITIONS]``."""
    try:
        value = int(partitions)
        ok = not isinstance(partitions, bool) and value == partitions and 1 <= value <= MAX_PARTITIONS
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise BoolnetError(f"partitions must be a whole number from 1 to {MAX_PARTITIONS}, got {partitions!r}",
                           param="partitions")
    return value


def check_dataset_target(path, param: str = "output") -> Path:
    """Check, before any long work, that a dataset can be written at ``path``."""
    path = Path(os.fspath(path).rstrip("/" + os.sep) or ".")
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
    return path


@contextlib.contextmanager
def atomic_dir(path):
    """Yield a temporary directory beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    for stale in folder.glob(f".{path.name}.*.tmp"):  # a killed writer's directory (its pid is gone)
        tag = stale.name[len(path.name) + 2 : -4]
        if stale.is_dir() and tag.isdigit() and not _alive(int(tag)):
            shutil.rmtree(stale, ignore_errors=True)
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
        raise BoolnetError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _json(metadata: dict) -> str:
    return json.dumps(metadata, sort_keys=True, default=str)


def _with_metadata(table, metadata: dict):
    from boolnet.schema import METADATA_KEY

    meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"pandas"}
    meta[METADATA_KEY.encode()] = _json(metadata).encode()
    return table.replace_schema_metadata(meta)


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
                piece = _with_metadata(piece, metadata)
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


def write_counts(words: np.ndarray, counts: np.ndarray, n: int, total: int, metadata: dict, path, *,
                 partitions: int | None = None, exact: bool = False) -> dict:
    """Write the volume table of counts to ``path`` without building it in memory.

    Parameters
    ----------
    words, counts : numpy.ndarray
        Packed truth tables ``(m, 2)`` uint64 and their counts (any order).
    n, total : int
        Inputs, and the samples (or grid points) the counts are out of.
    metadata : dict
    path : str or Path
        A dataset directory (ends with ``/`` or is an existing directory), or a
        ``.parquet`` file (written in row groups of :data:`SLICE_ROWS` rows) or a
        ``.csv`` file (written slice by slice, with its CSVW sidecar).
    partitions : int, optional
        Parts of a dataset (default: :func:`default_partitions` of the rows).

    Memory: besides ``words`` and ``counts`` (24 bytes per row), 12 bytes per row
    (partition ids and an order) and one part or slice of rows at a time.

    Returns
    -------
    dict
        The metadata written.

    Examples
    --------
    >>> import tempfile, os
    >>> d = os.path.join(tempfile.mkdtemp(), "t/")
    >>> meta = write_counts(np.array([[8, 0], [7, 0]], dtype=np.uint64), np.array([1, 3]), 2, 4, {"n": 2}, d,
    ...                     partitions=2)
    >>> from boolnet.io import read_table
    >>> read_table(d)["function"].tolist()
    ['1110', '0001']
    """
    from boolnet.sampling.counts import _row_order, arrow_from_sorted

    metadata = dict(metadata)
    metadata.setdefault("boolnet_version", __version__)
    words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 2)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    m = counts.shape[0]
    if is_dataset_target(path):
        parts = check_partitions(partitions) if partitions is not None else default_partitions(m)
        ids = partition_ids(words, parts)
        small = ids.astype(np.uint16) if parts <= 1 << 16 else ids
        del ids
        order = np.argsort(small, kind="stable")  # a radix sort for 16-bit keys
        bounds = np.concatenate([[0], np.cumsum(np.bincount(small, minlength=parts))])
        del small
        with DatasetWriter(path, parts, metadata) as writer:
            for p in range(parts):
                idx = order[bounds[p] : bounds[p + 1]]
                w, c = words[idx], counts[idx]
                within = _row_order(w, c)
                w, c = w[within], c[within]
                writer.write_part(p, made_ahead(arrow_from_sorted(w[k : k + SLICE_ROWS], c[k : k + SLICE_ROWS], n,
                                                                  total, exact)
                                                for k in range(0, max(len(c), 1), SLICE_ROWS)))
        return writer.metadata
    from boolnet.io import check_output_path

    path = check_output_path(path)
    order = _row_order(words, counts)
    if path.suffix == ".csv":
        _write_csv_slices(path, order, words, counts, n, total, exact, metadata)
        return metadata
    import pyarrow.parquet as pq

    from boolnet.io import atomic_path

    first = arrow_from_sorted(words[order[:0]], counts[order[:0]], n, total, exact)
    schema = _with_metadata(first, metadata).schema
    with atomic_path(path) as tmp:
        slices = (_with_metadata(arrow_from_sorted(words[order[k : k + SLICE_ROWS]], counts[order[k : k + SLICE_ROWS]],
                                                   n, total, exact), metadata)
                  for k in range(0, max(m, 1), SLICE_ROWS))
        with pq.ParquetWriter(tmp, schema, **parquet_options(schema)) as writer:
            for piece in made_ahead(slices):
                writer.write_table(piece)
    return metadata


def _write_csv_slices(path: Path, order, words, counts, n, total, exact, metadata) -> None:
    from boolnet.io import _csvw_sidecar, atomic_path, sidecar_path
    from boolnet.sampling.counts import frame_from_sorted

    sidecar = sidecar_path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            for k, start in enumerate(range(0, max(len(order), 1), SLICE_ROWS)):
                idx = order[start : start + SLICE_ROWS]
                frame = frame_from_sorted(words[idx], counts[idx], n, total, exact)
                frame.to_csv(fh, index=False, header=k == 0)
                if k == 0:
                    head = frame.head(1)
        with atomic_path(sidecar) as tmp_sidecar:
            tmp_sidecar.write_text(json.dumps(_csvw_sidecar(head, path, metadata), indent=1, sort_keys=True,
                                              default=str) + "\n", encoding="utf-8")


def write_frame_dataset(df, path, metadata: dict | None = None, partitions: int | None = None) -> dict:
    """Write an in-memory table as a dataset (used by :func:`boolnet.io.write_table` for a directory target).

    Tables without a ``count`` column keep their row order (a ``_row`` column,
    dropped again by the readers).
    """
    from boolnet.schema import metadata_of

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
                           param="table") from None
    if not isinstance(manifest, dict) or manifest.get("format") != DATASET_FORMAT:
        raise BoolnetError(f"cannot read dataset {path}: {MANIFEST} is not a boolnet dataset manifest",
                           param="table")
    missing = [p["file"] for p in manifest["parts"] if not (path / p["file"]).is_file()]
    if missing:
        raise BoolnetError(f"dataset {path} is incomplete: part files {', '.join(missing[:3])} are missing",
                           param="table")
    return manifest


def iter_partitions(path, columns=None):
    """Yield ``(partition, DataFrame)`` for each part of dataset ``path``, metadata attached, one at a time."""
    import pyarrow.parquet as pq

    from boolnet.schema import attach

    path = Path(path)
    manifest = read_manifest(path)
    for part in manifest["parts"]:
        df = pq.read_table(path / part["file"], columns=columns).to_pandas()
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
    >>> d = tempfile.mkdtemp()
    >>> _ = write_counts(np.array([[8, 0], [7, 0]], dtype=np.uint64), np.array([1, 3]), 2, 4, {"n": 2},
    ...                  os.path.join(d, "t/"), partitions=2)
    >>> _ = map_partitions(os.path.join(d, "t"), lambda df: add_measures(df, ["lz"], n=2), os.path.join(d, "k/"))
    >>> from boolnet.io import read_table
    >>> read_table(os.path.join(d, "k")).columns.tolist()
    ['function', 'probability', 'probability_low', 'probability_high', 'count', 'lz']
    """
    from boolnet.schema import metadata_of

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
        raise BoolnetError(f"dataset {path} has no parts", param="table")
    writer.__exit__(None, None, None)
    return writer.metadata


def read_dataset(path):
    """Read a whole dataset into one DataFrame in the table's row order (what :func:`boolnet.io.read_table` does).

    Counted tables are put in the order of :func:`boolnet.sampling.counts.frame_from_counts`
    (count descending, then the truth table's integer value); other tables in their
    original order.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from boolnet.schema import attach, check_volume_table, upgrade

    path = Path(path)
    manifest = read_manifest(path)
    try:
        tables = [pq.read_table(path / p["file"]) for p in manifest["parts"]]
    except (pa.ArrowException, OSError) as exc:
        raise BoolnetError(f"cannot read dataset {path}: a part file is not valid Parquet ({exc})",
                           param="table") from None
    tables = [t.replace_schema_metadata(None) for t in tables]
    table = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    if "count" in table.column_names and table.num_rows:
        from boolnet.sampling.counts import _row_order

        words = words_from_strings(table.column("function"))
        order = _row_order(words, table.column("count").to_numpy())
        table = table.take(pa.array(order))
    elif "_row" in table.column_names:
        table = table.sort_by("_row").drop_columns(["_row"])
    df = table.to_pandas()
    df, metadata = upgrade(df, dict(manifest["metadata"]))
    check_volume_table(df, str(path), need_probability=False)
    return attach(df, metadata)


# ---------------------------------------------------------------------------------------------------------------
# Merging runs


#: Metadata keys that must agree for runs to be merged (the options that define the sampled distribution).
MERGE_KEYS = ("n", "architecture", "activation", "prior", "sigma_w", "sigma_b", "fan_in_scaling", "encoding",
              "bias", "rng", "arithmetic")


def _source_metadata(source):
    """``(name, metadata, kind)`` of a table path, dataset path, or DataFrame."""
    import pandas as pd

    from boolnet.schema import metadata_of

    if isinstance(source, pd.DataFrame):
        return "a DataFrame", metadata_of(source), "frame"
    path = Path(source)
    if path.is_dir() and is_dataset(path):
        return str(path), dict(read_manifest(path)["metadata"]), "dataset"
    from boolnet.io import read_table

    return str(path), None, "file"


def _runs_of(meta: dict) -> list[dict]:
    """The runs (seed and samples) a sampled or merged table is made of."""
    if meta.get("volume_method") == "merged":
        return [dict(r) for r in meta.get("runs", [])]
    done = meta.get("samples_done", meta.get("samples"))
    return [{"seed": meta.get("seed"), "samples": done}]


def check_mergeable(named: list[tuple[str, dict]]) -> list[dict]:
    """Refuse tables that cannot be merged; return the runs they are made of.

    Raises
    ------
    BoolnetError
        A table is not a sampled (or merged) one; options differ (each difference
        named, with the tables' values); a seed appears twice.

    Examples
    --------
    >>> a = {"volume_method": "sampled", "n": 2, "architecture": "2-1", "activation": "none (perceptron)",
    ...      "seed": 1, "samples": 10, "samples_done": 10}
    >>> check_mergeable([("a", a), ("b", dict(a, seed=2, architecture="2-2-1", activation="relu"))])
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: cannot merge tables made with different options: architecture: '2-1' in a,
    '2-2-1' in b; activation: 'none (perceptron)' in a, 'relu' in b
    """
    if len(named) < 1:
        raise BoolnetError("give at least one table to merge", param="tables")
    for name, meta in named:
        method = meta.get("volume_method")
        if method not in ("sampled", "merged"):
            raise BoolnetError(f"cannot merge {name}: only sampled (or merged) tables can be merged, its "
                               f"volume_method is {method!r}", param="tables")
    first_name, first = named[0]
    diffs = []
    for key in MERGE_KEYS:
        values = [(name, meta.get(key)) for name, meta in named]
        if any(v != values[0][1] for _, v in values[1:]):
            shown = ", ".join(f"{v!r} in {name}" for name, v in values)
            diffs.append(f"{key}: {shown}")
    if diffs:
        raise BoolnetError("cannot merge tables made with different options: " + "; ".join(diffs), param="tables")
    runs, seen = [], {}
    for name, meta in named:
        for run in _runs_of(meta):
            seed = run.get("seed")
            if seed in seen:
                raise BoolnetError(f"cannot merge: seed {seed} is in both {seen[seed]} and {name}; runs with the "
                                   "same seed draw the same samples (rerun one with another --seed)",
                                   param="tables")
            seen[seed] = name
            runs.append(dict(run, table=name))
    return runs


def _merged_metadata(first: dict, runs: list[dict], total: int, distinct: int, singletons: int, seconds: float):
    meta = {k: first[k] for k in MERGE_KEYS if k in first}
    meta.update({
        "command": "merge",
        "volume_method": "merged",
        "seeds": [r["seed"] for r in runs],
        "runs": [{"seed": r["seed"], "samples": r["samples"]} for r in runs],
        "samples": total,
        "samples_done": total,
        "ci": "Wilson score interval, 95%",
        "distinct": distinct,
        "good_turing_unseen_mass": singletons / total if total else None,
        "seconds": seconds,
        "volume_seconds": seconds,
        "per_second": None,
        "unit": "samples",
        "boolnet_version": __version__,
    })
    return meta


def _sum_counts(frames):
    """Packed words and summed counts of the ``function``/``count`` columns of several frames."""
    words = [words_from_strings(f["function"].astype(str).tolist() if f["function"].dtype == object
                                else f["function"]) for f in frames if len(f)]
    counts = [f["count"].to_numpy(dtype=np.int64) for f in frames if len(f)]
    if not words:
        return np.zeros((0, 2), np.uint64), np.zeros(0, np.int64)
    words = np.concatenate(words)
    counts = np.concatenate(counts)
    keys = np.ascontiguousarray(words).view([("a", "<u8"), ("b", "<u8")]).reshape(-1)
    unique, inverse = np.unique(keys, return_inverse=True)
    summed = np.zeros(unique.shape[0], np.int64)
    np.add.at(summed, inverse.reshape(-1), counts)
    return unique.view("<u8").reshape(-1, 2).astype(np.uint64), summed


def merge_tables(tables, output=None, *, partitions: int | None = None):
    """Add the counts of sampled runs made with the same options and different seeds.

    Parameters
    ----------
    tables : list of paths (files or datasets) or DataFrames
        Sampled (or already merged) tables; all must share the options of
        :data:`MERGE_KEYS`, and no seed may appear twice.
    output : path, optional
        Write the merged table there (a file, or a dataset directory ending in ``/``)
        and return its metadata. When every input is a dataset with the same
        number of partitions, the merge runs part by part (memory: one part of
        each input at a time).
    partitions : int, optional
        Parts of an output dataset (default: those of the inputs, or automatic).

    Returns
    -------
    pandas.DataFrame or dict
        The merged table (``volume_method = "merged"``; counts added; probability,
        Wilson intervals and Good-Turing unseen mass recomputed over all samples;
        ``seeds`` and ``runs`` record the runs), or with ``output`` its metadata.

    Examples
    --------
    >>> import boolnet as bn
    >>> a = bn.sample_table("2-1", samples=4096, seed=1)
    >>> b = bn.sample_table("2-1", samples=4096, seed=2)
    >>> m = merge_tables([a, b])
    >>> int(m["count"].sum()), m.attrs["boolnet"]["seeds"], m.attrs["boolnet"]["volume_method"]
    (8192, [1, 2], 'merged')
    """
    import time

    import pandas as pd

    from boolnet.io import read_table
    from boolnet.sampling.counts import frame_from_counts
    from boolnet.schema import attach, metadata_of

    begin = time.perf_counter()
    if isinstance(tables, (str, os.PathLike, pd.DataFrame)):
        tables = [tables]
    tables = list(tables)
    named, loaded, kinds = [], [], []
    for source in tables:
        name, meta, kind = _source_metadata(source)
        if kind == "file":
            frame = read_table(source)
            meta = metadata_of(frame)
        else:
            frame = source if kind == "frame" else None
        named.append((name, meta))
        loaded.append(frame)
        kinds.append(kind)
    runs = check_mergeable(named)
    for name, meta in named:
        if meta.get("fit") is not None or meta.get("conditioned_on_train"):
            # Its probabilities are count / accepted samples, not count / samples: adding counts would be wrong.
            raise BoolnetError(f"cannot merge {name}: it is conditioned on a training set (--fit); merge the "
                               f"unconditioned runs, then condition with posterior_table", param="tables")
        if "samples_done" not in meta and "samples" not in meta:
            raise BoolnetError(f"cannot merge {name}: its metadata does not say how many samples it has",
                               param="tables")
    total = int(sum(int(r["samples"]) for r in runs))
    n = int(named[0][1]["n"])
    first = named[0][1]
    dataset_parts = {read_manifest(t)["partitions"] for t, k in zip(tables, kinds) if k == "dataset"}
    partwise = all(k == "dataset" for k in kinds) and len(dataset_parts) == 1
    if output is not None and is_dataset_target(output) and partwise and partitions in (None, *dataset_parts):
        parts = dataset_parts.pop()
        readers = [iter_partitions(t, columns=["function", "count"]) for t in tables]
        distinct = singletons = 0
        provisional = _merged_metadata(first, runs, total, None, 0, 0.0)
        with DatasetWriter(output, parts, provisional) as writer:
            for p in range(parts):
                frames = [next(r)[1] for r in readers]
                words, counts = _sum_counts(frames)
                from boolnet.sampling.counts import _row_order, arrow_from_sorted

                order = _row_order(words, counts)
                writer.write_part(p, arrow_from_sorted(words[order], counts[order], n, total))
                distinct += len(counts)
                singletons += int(np.count_nonzero(counts == 1))
            # The totals over all parts are known only now: the manifest has them (the parts have the options).
            writer.metadata = _merged_metadata(first, runs, total, distinct, singletons,
                                               time.perf_counter() - begin)
        return writer.metadata
    frames = []
    for t, kind, frame in zip(tables, kinds, loaded):
        frames.append(read_dataset(t) if kind == "dataset" else frame)
    words, counts = _sum_counts(frames)
    del frames, loaded
    meta = _merged_metadata(first, runs, total, len(counts), int(np.count_nonzero(counts == 1)),
                            time.perf_counter() - begin)
    if output is not None:
        return write_counts(words, counts, n, total, meta, output, partitions=partitions)
    return attach(frame_from_counts(words, counts, n, total), meta)
