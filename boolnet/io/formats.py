"""The two file formats of a table: CSV with its CSVW sidecar, and Parquet.

Tables are the DataFrames of :mod:`boolnet.table.schema`, their metadata in
``df.attrs["boolnet"]``. On disk:

* CSV: a plain CSV file that ``pandas.read_csv(path)``, R or a spreadsheet reads as it
  is, with its metadata beside it in ``FILE.csv-metadata.json``, the W3C "CSV on the
  Web" sidecar convention: that file names the CSV (``url``), describes its columns
  (``tableSchema``) and holds boolnet's metadata under the key ``urn:boolnet:metadata``
  (CSVW lets other vocabularies in as absolute IRIs).
* Parquet: the metadata in the file's schema metadata under the key ``boolnet``.

This module reads and writes one file; :mod:`boolnet.io.tables` chooses between a file
and a partitioned dataset (:mod:`boolnet.io.dataset`).
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

from boolnet import __version__
from boolnet.errors import BoolnetError
from boolnet.io.paths import atomic_path, check_output_path


#: Key under which a CSVW sidecar holds boolnet's metadata (an absolute IRI, as CSVW requires).
CSVW_METADATA_KEY = "urn:boolnet:metadata"


_OLD_CSV_PREFIX = "# boolnet-metadata: "


def sidecar_path(path) -> Path:
    """Where the metadata of CSV table ``path`` lives: ``path`` + ``-metadata.json``.

    Examples
    --------
    >>> sidecar_path("t.csv").name
    't.csv-metadata.json'
    """
    path = Path(path)
    return path.with_name(path.name + "-metadata.json")


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


def with_metadata(table, metadata: dict):
    """A pyarrow Table with boolnet's ``metadata`` in its schema metadata (pandas' own entry dropped)."""
    from boolnet.table.schema import METADATA_KEY

    meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"pandas"}
    meta[METADATA_KEY.encode()] = _json(metadata).encode()
    return table.replace_schema_metadata(meta)


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


def _read_csv(path: Path):
    import pandas as pd

    from boolnet.table.schema import TRUTH_TABLE_COLUMNS

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
            raise BoolnetError(f"cannot read {sidecar}: not a CSVW metadata file ({exc}); delete or repair it",
                               param="path") from None
    df = pd.read_csv(path, skiprows=skip, dtype={c: str for c in TRUTH_TABLE_COLUMNS}, keep_default_na=True)
    return df, metadata


def _read_parquet(path: Path):
    import pyarrow.parquet as pq

    from boolnet.table.schema import METADATA_KEY

    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(METADATA_KEY.encode())
    metadata = json.loads(raw) if raw else {}
    return table.to_pandas(), metadata


def write_csv(df, path: Path, metadata: dict) -> None:
    """Write ``df`` to the checked path ``path`` as CSV with its CSVW sidecar, both atomically."""
    sidecar = sidecar_path(path)
    check_output_path(sidecar, suffixes=None)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
        # The sidecar is renamed into place just before the table, so the two change together.
        with atomic_path(sidecar) as tmp_sidecar:
            _write_sidecar(tmp_sidecar, df, path, metadata)


def write_parquet(df, path: Path, metadata: dict) -> None:
    """Write ``df`` to the checked path ``path`` as one Parquet file, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = with_metadata(pa.Table.from_pandas(df, preserve_index=False), metadata)
    with atomic_path(path) as tmp:
        try:
            pq.write_table(table, tmp, **parquet_options(table.schema))
        except pa.ArrowException as exc:  # pyarrow wraps some OSErrors (a full disk) in its own types
            raise OSError(errno.EIO, str(exc).splitlines()[0]) from exc


def write_csv_slices(path: Path, frames, metadata: dict) -> None:
    """Write DataFrames ``frames`` (slices of one table, in order) as one CSV file with its sidecar."""
    sidecar = sidecar_path(path)
    check_output_path(sidecar, suffixes=None)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            for k, frame in enumerate(frames):
                frame.to_csv(fh, index=False, header=k == 0)
                if k == 0:
                    head = frame.head(1)
        with atomic_path(sidecar) as tmp_sidecar:
            _write_sidecar(tmp_sidecar, head, path, metadata)


def write_parquet_slices(path: Path, slices, metadata: dict) -> None:
    """Write pyarrow Tables ``slices`` (of one schema, in order) as the row groups of one Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    with atomic_path(path) as tmp:
        try:
            for piece in made_ahead(with_metadata(s, metadata) for s in slices):
                if writer is None:
                    writer = pq.ParquetWriter(tmp, piece.schema, **parquet_options(piece.schema))
                writer.write_table(piece)
        except pa.ArrowException as exc:
            raise OSError(errno.EIO, str(exc).splitlines()[0]) from exc
        finally:
            if writer is not None:
                writer.close()


def _write_sidecar(tmp: Path, df, path: Path, metadata: dict) -> None:
    tmp.write_text(json.dumps(_csvw_sidecar(df, path, metadata), indent=1, sort_keys=True, default=str) + "\n",
                   encoding="utf-8")


def read_file(path: Path):
    """``(DataFrame, metadata)`` of one ``.csv`` (with its sidecar) or ``.parquet`` table file."""
    return _read_csv(path) if path.suffix == ".csv" else _read_parquet(path)
