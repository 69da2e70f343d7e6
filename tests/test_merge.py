"""Merging sampled runs: counts add, intervals recomputed, seeds recorded, bad merges refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boolnet.sampling.merge import merge_tables, write_merged
from boolnet.errors import BoolnetError
from boolnet.io import read_table, write_table
from boolnet.table.build import wilson_interval
from boolnet.sampling.sampler import sample_table


@pytest.fixture(scope="module")
def runs():
    return {seed: sample_table("4-1", samples=40_000 + 4096 * seed, seed=seed, threads=1) for seed in (1, 2, 3)}


def same_rows(a, b):
    assert list(a.columns) == list(b.columns)
    assert a["function"].astype(str).tolist() == b["function"].astype(str).tolist()
    for col in a.columns[1:]:
        assert (a[col].to_numpy() == b[col].to_numpy()).all(), col


def test_counts_add_and_everything_else_is_recomputed(runs):
    a, b = runs[1], runs[2]
    m = merge_tables([a, b])
    total = len(a) and int(a["count"].sum() + b["count"].sum())
    expected = pd.concat([a, b]).groupby("function")["count"].sum()
    got = m.set_index("function")["count"]
    assert got.sort_index().equals(expected.sort_index().astype(got.dtype))
    lo, hi = wilson_interval(m["count"].to_numpy(), total)
    assert np.allclose(m["probability"], m["count"] / total) and np.allclose(m["probability_low"], lo)
    assert np.allclose(m["probability_high"], hi)
    meta = m.attrs["boolnet"]
    assert meta["volume_method"] == "merged" and meta["seeds"] == [1, 2] and meta["samples"] == total
    assert meta["runs"] == [{"seed": 1, "samples": len(a) and 44096}, {"seed": 2, "samples": 48192}]
    assert meta["good_turing_unseen_mass"] == (m["count"] == 1).sum() / total
    assert meta["distinct"] == len(m) and meta["architecture"] == "4-1"
    assert m["count"].is_monotonic_decreasing


def test_files_datasets_and_nested_merges_agree(runs, tmp_path):
    for seed, df in runs.items():
        write_table(df, tmp_path / f"r{seed}.parquet")
        write_table(df, f"{tmp_path}/d{seed}/")
    in_memory = merge_tables(list(runs.values()))
    from_files = merge_tables([tmp_path / f"r{s}.parquet" for s in runs])
    same_rows(in_memory, from_files)
    meta = write_merged([tmp_path / f"d{s}" for s in runs], f"{tmp_path}/m/")  # part by part
    assert meta["seeds"] == [1, 2, 3] and meta["distinct"] == len(in_memory)
    same_rows(in_memory, read_table(tmp_path / "m"))
    nested = merge_tables([merge_tables([runs[1], runs[2]]), runs[3]])
    same_rows(in_memory, nested)
    assert nested.attrs["boolnet"]["seeds"] == [1, 2, 3]


def test_refusals_name_each_difference(runs):
    other = sample_table("4-1", samples=4096, seed=9, threads=1, encoding="pm1",
                         prior=__import__("boolnet").Prior("uniform"))
    with pytest.raises(BoolnetError) as info:
        merge_tables([runs[1], other])
    message = str(info.value)
    assert "prior: 'gaussian'" in message and "'uniform'" in message and "encoding: '01'" in message
    with pytest.raises(BoolnetError, match="seed 1 is in both"):
        merge_tables([runs[1], runs[1]])
    with pytest.raises(BoolnetError, match="seed 2 is in both"):
        merge_tables([merge_tables([runs[1], runs[2]]), runs[2]])
    exact = pd.DataFrame({"function": ["0001"], "probability": [1.0]})
    exact.attrs["boolnet"] = {"volume_method": "exact", "n": 2}
    with pytest.raises(BoolnetError, match="only sampled"):
        merge_tables([runs[1], exact])


def test_cli(runs, tmp_path, run_cli, assert_usage_error):
    for seed, df in runs.items():
        write_table(df, tmp_path / f"r{seed}.parquet")
    status, out, err = run_cli("merge", tmp_path / "r1.parquet", tmp_path / "r2.parquet", "-o",
                               tmp_path / "m.csv")
    assert status == 0, err
    assert "2 runs (seeds 1, 2)" in err
    same_rows(merge_tables([runs[1], runs[2]]), read_table(tmp_path / "m.csv"))
    assert_usage_error("merge", tmp_path / "r1.parquet", tmp_path / "r1.parquet", mentions=["seed 1 is in both"])
    assert_usage_error("merge", tmp_path / "r1.parquet", "-o", tmp_path / "m.txt", mentions=["--output"])
