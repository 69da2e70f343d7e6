"""Reading and writing a table wherever it lives: one file (CSV or Parquet) or a partitioned dataset.

:func:`read_table` and :func:`write_table` take a DataFrame in the schema of
:mod:`boolnet.table.schema`; :func:`write_counts` writes the table of packed truth
tables and their counts without ever holding its strings whole. A path that ends with
``/`` (or is an existing dataset) is a dataset (:mod:`boolnet.io.dataset`); a ``.csv``
or ``.parquet`` name is one file (:mod:`boolnet.io.formats`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from boolnet import __version__
from boolnet.checks import check_path
from boolnet.checks import check_partitions
from boolnet.errors import BoolnetError
from boolnet.io import dataset as D
from boolnet.io.formats import made_ahead, read_file, write_csv, write_csv_slices, write_parquet, write_parquet_slices
from boolnet.io.paths import TABLE_SUFFIXES, _describe, _first_line, check_output_path
from boolnet.io.render import format_table
from boolnet.table.build import arrow_from_sorted, frame_from_sorted, row_order

#: Rows per slice when streaming (one Parquet row group, or one CSV write): 32 MiB of strings at n = 7.
SLICE_ROWS = 1 << 18


def _check_frame(df, param: str = "df"):
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise BoolnetError(f"{param} must be a pandas DataFrame (a boolnet table), got {type(df).__name__}",
                           param=param)
    if "function" not in df.columns:
        raise BoolnetError(f"{param} has no 'function' column: a boolnet table holds one truth table per row "
                           f"(its columns: {', '.join(map(str, df.columns[:6])) or 'none'})", param=param)


def write_table(df, path=None, metadata: dict | None = None) -> None:
    """Write a table (CSV with its CSVW sidecar, Parquet, or a dataset) atomically, or print it.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with a ``function`` column; its metadata is ``df.attrs["boolnet"]``
        unless ``metadata`` is given.
    path : str, Path or None
        ``.csv`` or ``.parquet``, a dataset directory (ends with ``/``), or None to print
        a readable summary to stdout.
    metadata : dict, optional

    Raises
    ------
    BoolnetError
        ``df`` is not a table, or ``path`` cannot be written (see
        :func:`boolnet.io.paths.check_output_path`).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from boolnet.table.schema import attach
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> write_table(attach(pd.DataFrame({"function": ["0001"], "probability": [0.25]}), {"n": 2}), path)
    >>> pd.read_csv(path, dtype=str)["function"].tolist()      # a plain CSV
    ['0001']
    >>> read_table(path).attrs["boolnet"]["n"]
    2
    """
    from boolnet.table.schema import metadata_of

    _check_frame(df)
    if metadata is not None and not isinstance(metadata, dict):
        raise BoolnetError(f"metadata must be a dict, got {type(metadata).__name__}", param="metadata")
    metadata = dict(metadata if metadata is not None else metadata_of(df))
    metadata.setdefault("boolnet_version", __version__)
    if path is None:
        sys.stdout.write(format_table(df, metadata))
        return
    check_path(path, "path")
    if D.is_dataset_target(path):
        D.write_frame_dataset(df, path, metadata)
        return
    path = check_output_path(path, param="path")
    (write_csv if path.suffix == ".csv" else write_parquet)(df, path, metadata)


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
        A dataset directory (ends with ``/`` or is an existing dataset), or a
        ``.parquet`` file (written in row groups of :data:`SLICE_ROWS` rows) or a
        ``.csv`` file (written slice by slice, with its CSVW sidecar).
    partitions : int, optional
        Parts of a dataset (default: :func:`boolnet.io.dataset.default_partitions` of the rows).
    exact : bool
        The counts are exact (a grid): both bounds equal the probability.

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
    >>> read_table(d)["function"].tolist()
    ['1110', '0001']
    """
    metadata = dict(metadata)
    metadata.setdefault("boolnet_version", __version__)
    words = np.ascontiguousarray(words, dtype=np.uint64).reshape(-1, 2)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    m = counts.shape[0]
    if D.is_dataset_target(path):
        parts = check_partitions(partitions) if partitions is not None else D.default_partitions(m)
        ids = D.partition_ids(words, parts)
        small = ids.astype(np.uint16) if parts <= 1 << 16 else ids
        del ids
        order = np.argsort(small, kind="stable")  # a radix sort for 16-bit keys
        bounds = np.concatenate([[0], np.cumsum(np.bincount(small, minlength=parts))])
        del small
        with D.DatasetWriter(path, parts, metadata) as writer:
            for p in range(parts):
                idx = order[bounds[p] : bounds[p + 1]]
                w, c = words[idx], counts[idx]
                within = row_order(w, c)
                w, c = w[within], c[within]
                writer.write_part(p, made_ahead(arrow_from_sorted(w[k : k + SLICE_ROWS], c[k : k + SLICE_ROWS],
                                                                    n, total, exact)
                                                  for k in range(0, max(len(c), 1), SLICE_ROWS)))
        return writer.metadata
    if path is None:
        raise BoolnetError("path must be a .csv or .parquet file or a dataset directory ending in /", param="path")
    path = check_output_path(path, param="path")
    order = row_order(words, counts)
    starts = range(0, max(m, 1), SLICE_ROWS)
    if path.suffix == ".csv":
        write_csv_slices(path, (frame_from_sorted(words[order[k : k + SLICE_ROWS]], counts[order[k : k + SLICE_ROWS]],
                                                  n, total, exact) for k in starts), metadata)
    else:
        write_parquet_slices(path, (arrow_from_sorted(words[order[k : k + SLICE_ROWS]],
                                                      counts[order[k : k + SLICE_ROWS]], n, total, exact)
                                    for k in starts), metadata)
    return metadata


def read_table(path):
    """Read a table written by boolnet (any version) or any CSV/Parquet with a ``function`` column.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` file (with its CSVW sidecar, if any), a ``.parquet`` file or a dataset directory.

    Returns
    -------
    pandas.DataFrame
        Columns in the schema of :mod:`boolnet.table.schema` (old files are upgraded: see
        :func:`boolnet.table.schema.upgrade`), metadata in ``df.attrs["boolnet"]``.

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

    from boolnet.table.schema import attach, check_volume_table, upgrade

    try:
        path = Path(path)
    except TypeError:
        raise BoolnetError(f"path must be a file or dataset path, got {type(path).__name__}", param="path") from None
    if not path.exists():
        raise BoolnetError(f"table {path} does not exist", param="path")
    if path.is_dir():
        if D.is_dataset(path):
            return D.read_dataset(path)
        raise BoolnetError(f"table {path} is a directory but not a boolnet dataset; give a .csv or .parquet file",
                           param="path")
    if path.suffix not in TABLE_SUFFIXES:
        raise BoolnetError(f"cannot read {path}: tables are .csv or .parquet files", param="path")
    try:
        df, metadata = read_file(path)
    except BoolnetError:
        raise
    except pd.errors.EmptyDataError:
        raise BoolnetError(f"table {path} is empty; regenerate it", param="path") from None
    except pa.ArrowException as exc:  # before ValueError: some Arrow errors are ValueErrors too
        raise BoolnetError(f"cannot read {path}: not a valid Parquet file, or truncated ({_first_line(exc)})",
                           param="path") from None
    except (pd.errors.ParserError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise BoolnetError(f"cannot read {path}: not a valid {path.suffix[1:].upper()} table ({_first_line(exc)})",
                           param="path") from None
    except OSError as exc:
        raise BoolnetError(f"cannot read {path}: {_describe(exc)}", param="path") from None
    if not isinstance(metadata, dict):
        metadata = {}
    if "function" in df.columns and not df["function"].isna().any():
        df["function"] = df["function"].astype(str)
    df, metadata = upgrade(df, metadata)
    check_volume_table(df, str(path), need_probability=False, param="path")
    return attach(df, metadata)
