"""Merged runs: the counts of sampled tables made with the same options and different seeds, added.

Inputs are table files, datasets or DataFrames; when every input is a dataset with the
same number of partitions, the merge runs part by part (one part of each input in
memory at a time, :mod:`boolnet.io.dataset`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from boolnet import __version__
from boolnet.checks import check_partitions
from boolnet.errors import BoolnetError
from boolnet.functions import words_from_strings
from boolnet.io.dataset import DatasetWriter, check_dataset_target, is_dataset, is_dataset_target, iter_partitions, \
    read_dataset, read_manifest
from boolnet.io.paths import check_output_path
from boolnet.io.tables import read_table, write_counts
from boolnet.table.build import arrow_from_sorted, frame_from_counts, row_order
from boolnet.table.schema import attach, metadata_of


#: Metadata keys that must agree for runs to be merged (the options that define the sampled distribution).
MERGE_KEYS = ("n", "architecture", "activation", "prior", "sigma_w", "sigma_b", "fan_in_scaling", "encoding",
              "bias", "rng", "arithmetic")


def _source_metadata(source):
    """``(name, metadata, kind)`` of a table path, dataset path, or DataFrame."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return "a DataFrame", metadata_of(source), "frame"
    path = Path(source)
    if path.is_dir() and is_dataset(path):
        return str(path), dict(read_manifest(path)["metadata"]), "dataset"
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
                                   "same seed draw the same samples (rerun one with another seed)",
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
    try:
        words = [words_from_strings(f["function"].astype(str).tolist() if f["function"].dtype == object
                                    else f["function"]) for f in frames if len(f)]
    except BoolnetError as exc:
        raise BoolnetError(f"cannot merge: {exc}", param="tables") from None
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


def _gathered(tables):
    """The inputs of a merge, checked: ``(tables, kinds, frames, named, runs, total)``."""
    import pandas as pd

    if isinstance(tables, (str, os.PathLike, pd.DataFrame)):
        tables = [tables]
    try:
        tables = list(tables)
    except TypeError:
        raise BoolnetError(f"tables must be a list of table paths or DataFrames, got {type(tables).__name__}",
                           param="tables") from None
    named, frames, kinds = [], [], []
    for source in tables:
        if not isinstance(source, (str, os.PathLike, pd.DataFrame)):
            raise BoolnetError(f"tables must hold table paths or DataFrames, got {type(source).__name__}",
                               param="tables")
        name, meta, kind = _source_metadata(source)
        frame = source if kind == "frame" else None
        if kind == "file":
            frame = read_table(source)
            meta = metadata_of(frame)
        named.append((name, meta))
        frames.append(frame)
        kinds.append(kind)
    runs = check_mergeable(named)
    for name, meta in named:
        if meta.get("fit") is not None or meta.get("conditioned_on_train"):
            # Its probabilities are count / accepted samples, not count / samples: adding counts would be wrong.
            raise BoolnetError(f"cannot merge {name}: it is conditioned on a training set; merge the "
                               f"unconditioned runs, then condition with posterior_table", param="tables")
        if "samples_done" not in meta and "samples" not in meta:
            raise BoolnetError(f"cannot merge {name}: its metadata does not say how many samples it has",
                               param="tables")
    try:
        total = int(sum(int(r["samples"]) for r in runs))
    except (TypeError, ValueError):
        raise BoolnetError("cannot merge: a table's metadata gives its number of samples as something other than "
                           "a whole number", param="tables") from None
    return tables, kinds, frames, named, runs, total


def _summed(tables, kinds, frames):
    whole = [read_dataset(t) if kind == "dataset" else frame for t, kind, frame in zip(tables, kinds, frames)]
    return _sum_counts(whole)


def merge_tables(tables):
    """Add the counts of sampled runs made with the same options and different seeds.

    Parameters
    ----------
    tables : list of paths (files or datasets) or DataFrames
        Sampled (or already merged) tables; all must share the options of
        :data:`MERGE_KEYS`, and no seed may appear twice.

    Returns
    -------
    pandas.DataFrame
        The merged table (``volume_method = "merged"``; counts added; probability,
        Wilson intervals and Good-Turing unseen mass recomputed over all samples;
        ``seeds`` and ``runs`` record the runs). :func:`write_merged` writes it to a
        file or dataset without holding it whole.

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

    begin = time.perf_counter()
    tables, kinds, frames, named, runs, total = _gathered(tables)
    words, counts = _summed(tables, kinds, frames)
    del frames
    first = named[0][1]
    meta = _merged_metadata(first, runs, total, len(counts), int(np.count_nonzero(counts == 1)),
                            time.perf_counter() - begin)
    return attach(frame_from_counts(words, counts, int(first["n"]), total), meta)


def write_merged(tables, output, *, partitions: int | None = None) -> dict:
    """:func:`merge_tables` written to ``output`` (a file, or a dataset directory ending in ``/``); its metadata.

    When every input is a dataset with the same number of partitions and ``output`` is a
    dataset with as many (the default), the merge runs part by part: one part of each
    input in memory at a time.

    Parameters
    ----------
    tables : list of paths (files or datasets) or DataFrames
    output : str or Path
    partitions : int, optional
        Parts of an output dataset (default: those of the inputs, or automatic).

    Returns
    -------
    dict
        The metadata written.

    Examples
    --------
    >>> import boolnet as bn, tempfile, os
    >>> a = bn.sample_table("2-1", samples=4096, seed=1)
    >>> b = bn.sample_table("2-1", samples=4096, seed=2)
    >>> write_merged([a, b], os.path.join(tempfile.mkdtemp(), "m.parquet"))["samples"]
    8192
    """
    import time

    begin = time.perf_counter()
    if partitions is not None:
        partitions = check_partitions(partitions)
    if output is None:
        raise BoolnetError("output must be a .csv or .parquet path or a dataset directory ending in /; "
                           "merge_tables returns the merged table in memory", param="output")
    check_dataset_target(output) if is_dataset_target(output) else check_output_path(output)
    tables, kinds, frames, named, runs, total = _gathered(tables)
    first = named[0][1]
    n = int(first["n"])
    dataset_parts = {read_manifest(t)["partitions"] for t, k in zip(tables, kinds) if k == "dataset"}
    partwise = all(k == "dataset" for k in kinds) and len(dataset_parts) == 1
    if is_dataset_target(output) and partwise and partitions in (None, *dataset_parts):
        parts = dataset_parts.pop()
        readers = [iter_partitions(t, columns=["function", "count"]) for t in tables]
        distinct = singletons = 0
        provisional = _merged_metadata(first, runs, total, None, 0, 0.0)
        with DatasetWriter(output, parts, provisional) as writer:
            for p in range(parts):
                frames = [next(r)[1] for r in readers]
                words, counts = _sum_counts(frames)
                order = row_order(words, counts)
                writer.write_part(p, arrow_from_sorted(words[order], counts[order], n, total))
                distinct += len(counts)
                singletons += int(np.count_nonzero(counts == 1))
            # The totals over all parts are known only now: the manifest has them (the parts have the options).
            writer.metadata = _merged_metadata(first, runs, total, distinct, singletons,
                                               time.perf_counter() - begin)
        return writer.metadata
    words, counts = _summed(tables, kinds, frames)
    del frames
    meta = _merged_metadata(first, runs, total, len(counts), int(np.count_nonzero(counts == 1)),
                            time.perf_counter() - begin)
    return write_counts(words, counts, n, total, meta, output, partitions=partitions)
