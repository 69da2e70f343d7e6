"""Partitioned Parquet datasets and streamed table files: the same rows as the in-memory table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import boolnet.io.dataset as D
from boolnet.functions import words_from_strings
from boolnet.io import write_counts
from boolnet.sampling.sampler import write_sampled
from boolnet.errors import BoolnetError
from boolnet.io import read_table, write_table
from boolnet.sampling.sampler import sample_table


@pytest.fixture(scope="module")
def table():
    return sample_table("5-1", samples=60_000, seed=4, threads=1)


def same_rows(a, b):
    assert list(a.columns) == list(b.columns)
    assert a["function"].astype(str).tolist() == b["function"].astype(str).tolist()
    for col in a.columns[1:]:
        assert (a[col].to_numpy() == b[col].to_numpy()).all(), col


def test_dataset_reads_back_equal_to_the_single_file(table, tmp_path):
    write_table(table, tmp_path / "t.parquet")
    write_table(table, f"{tmp_path}/ds/")
    single, dataset = read_table(tmp_path / "t.parquet"), read_table(tmp_path / "ds")
    same_rows(single, dataset)
    assert dataset.attrs["boolnet"] == single.attrs["boolnet"]


def test_layout_manifest_and_metadata_in_every_part(table, tmp_path):
    meta = write_counts(words_from_strings(table["function"].tolist()), table["count"].to_numpy(), 5,
                          60_000, table.attrs["boolnet"], f"{tmp_path}/ds/", partitions=4)
    manifest = json.loads((tmp_path / "ds" / D.MANIFEST).read_text())
    assert manifest["partitions"] == 4 and manifest["rows"] == len(table) and manifest["hash"] == D.HASH_NAME
    assert sum(p["count_sum"] for p in manifest["parts"]) == 60_000
    assert manifest["metadata"]["seed"] == 4 == meta["seed"]
    for part in manifest["parts"]:
        raw = pq.read_schema(tmp_path / "ds" / part["file"]).metadata[b"boolnet"]
        assert json.loads(raw)["partition"] == part["partition"] and json.loads(raw)["seed"] == 4
    for p, frame in D.iter_partitions(tmp_path / "ds"):  # each part holds the functions its hash names
        words = words_from_strings(frame["function"].tolist())
        assert (D.partition_ids(words, 4) == p).all()
        assert frame["count"].is_monotonic_decreasing
    same_rows(table, read_table(tmp_path / "ds"))


def test_sample_output_streams_files_and_datasets(table, tmp_path, monkeypatch):
    import boolnet.io.tables

    monkeypatch.setattr(boolnet.io.tables, "SLICE_ROWS", 1000)  # several row groups and CSV slices
    for out in ("s.parquet", "s.csv", "ds/"):
        meta = write_sampled("5-1", f"{tmp_path}/{out}", samples=60_000, seed=4, threads=1)
        assert isinstance(meta, dict) and meta["distinct"] == len(table)
        same_rows(table, read_table(tmp_path / out.rstrip("/")))
    assert pq.ParquetFile(tmp_path / "s.parquet").num_row_groups == -(-len(table) // 1000)
    assert pd.read_csv(tmp_path / "s.csv", dtype={"function": str})["function"].tolist() == \
        table["function"].tolist()


def test_tables_without_counts_keep_their_order(tmp_path):
    df = pd.DataFrame({"function": ["0110", "0001", "1111", "0000"], "probability": [0.1, 0.2, 0.3, 0.4]})
    df.attrs["boolnet"] = {"n": 2, "volume_method": "exact"}
    write_table(df, f"{tmp_path}/ds/")
    back = read_table(tmp_path / "ds")
    assert back["function"].tolist() == df["function"].tolist() and "_row" not in back.columns


def test_rewriting_a_dataset_and_refusals(table, tmp_path):
    write_table(table, f"{tmp_path}/ds/")
    write_table(table.head(10), f"{tmp_path}/ds/")  # replaces it whole
    assert len(read_table(tmp_path / "ds")) == 10
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(BoolnetError, match="not a boolnet dataset"):
        write_table(table, f"{tmp_path}/mine/")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    (tmp_path / "ds" / "part-00000.parquet").unlink()
    with pytest.raises(BoolnetError, match="incomplete"):
        read_table(tmp_path / "ds")
    (tmp_path / "plain").mkdir()
    with pytest.raises(BoolnetError, match="is a directory"):
        read_table(tmp_path / "plain")


def test_commands_read_datasets(table, tmp_path, run_cli):
    write_table(table, f"{tmp_path}/ds/")
    status, out, err = run_cli("complexity", tmp_path / "ds", "--measures", "lz", "-o", tmp_path / "k.parquet",
                               "--quiet")
    assert status == 0, err
    assert len(read_table(tmp_path / "k.parquet")) == len(table)
    status, out, err = run_cli("sample", "--arch", "5-1", "--samples", "60000", "--seed", "4", "--threads", "1",
                               "-o", f"{tmp_path}/s/", "--quiet")
    assert status == 0, err
    same_rows(table, read_table(tmp_path / "s"))


def test_words_round_trip():
    words = np.array([[0, 0], [2**64 - 1, 2**64 - 1], [12345, 678]], dtype=np.uint64)
    from boolnet.table.build import truth_table_strings

    assert (words_from_strings(truth_table_strings(words, 7), 7) == words).all()


def test_map_partitions_adds_measures_part_by_part(table, tmp_path):
    from boolnet.complexity import add_measures

    write_table(table, f"{tmp_path}/ds/")
    D.map_partitions(tmp_path / "ds", lambda df: add_measures(df, ["lz"], n=5), f"{tmp_path}/k/")
    whole = add_measures(table, ["lz"], n=5)
    back = read_table(tmp_path / "k")
    same_rows(whole, back)
    assert json.loads((tmp_path / "k" / D.MANIFEST).read_text())["partitions"] == \
        json.loads((tmp_path / "ds" / D.MANIFEST).read_text())["partitions"]


def test_slices_made_ahead_keep_order_and_errors():
    """The background slice maker yields every item in order, raises the maker's error, and stops when left."""
    import threading

    from boolnet.io.formats import made_ahead

    assert list(made_ahead(iter(range(1000)))) == list(range(1000))

    def failing():
        yield "first"
        raise OSError(28, "No space left on device")

    seen = []
    with pytest.raises(OSError, match="No space left"):
        for item in made_ahead(failing()):
            seen.append(item)
    assert seen == ["first"]
    made = []

    def endless():
        k = 0
        while True:
            made.append(k)
            yield k
            k += 1

    it = made_ahead(endless())
    assert [next(it), next(it)] == [0, 1]
    it.close()
    assert not any(t.name == "boolnet-slices" for t in threading.enumerate())
    assert len(made) <= 4  # the maker stopped a slice or two ahead, not at the end of an endless stream
