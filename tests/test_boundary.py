"""The boundary: each failure found by trying bad input over every front door, fixed and held here.

Every bad call is a BoolnetError naming the Python parameter (never a flag), and every bad
command line one stderr line and exit status 2.
"""

from __future__ import annotations

import json
import time
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import boolnet as bn
from boolnet.checks import as_prior, check_scheduler, check_seed, check_whole, check_workers
from boolnet.errors import BoolnetError
from boolnet.io import read_table, write_counts, write_table
from boolnet.priors import Prior


def raises(param, call, *args, **kwargs):
    with pytest.raises(BoolnetError) as info:
        call(*args, **kwargs)
    assert info.value.param == param, (info.value.param, str(info.value))
    assert "--" not in str(info.value), str(info.value)  # the library names parameters, not flags
    assert "\n" not in str(info.value)
    return str(info.value)


# --- one rule per parameter ---------------------------------------------------------------------------------
def test_seeds_follow_the_rule_of_every_whole_number():
    # check_seed("1e3") used to raise while the trainer took it as 1000.
    assert check_seed("1e3") == 1000 == check_whole("1e3", "runs")
    assert bn.training_set(3, 4, seed="1e3") == bn.training_set(3, 4, seed=1000)
    raises("seed", check_seed, "1" * 5000)       # a 5000-digit seed: refused before it is parsed
    raises("seed", check_seed, 2**128)
    raises("seed", check_seed, True)


def test_sigma_with_a_huge_exponent_is_refused_at_once():
    # Fraction("1e100000000") computes 10**100000000: it used to hang.
    begin = time.perf_counter()
    for sigma in ("1e100000000", "1e-100000000", "9" * 100):
        raises("sigma_w", Prior, sigma_w=sigma)
        raises("sigma_b", Prior, sigma_b=sigma)
    raises("sigma_b", Prior, sigma_b="1e100000000,1")
    assert time.perf_counter() - begin < 1.0


def test_prior_names_say_what_they_mean():
    # "cube" is the box [-1, 1] of every parameter: AND fills 1/48 of [-1, 1]^3 (docs/guide.md, by hand).
    assert bn.probability("0001", prior="cube").probability_exact == Fraction(1, 48)
    assert as_prior("cube") == Prior("uniform", fan_in_scaling=False)
    # "uniform" keeps boolnet's convention (fan-in scaling), in every front door alike.
    assert as_prior("uniform") == Prior("uniform")
    assert bn.probability("0001", prior="uniform").probability != pytest.approx(1 / 48)
    sampled = bn.sample_table("2-1", prior="cube", samples=20_000, seed=1)     # used to be refused
    assert sampled.attrs["boolnet"]["fan_in_scaling"] is False
    assert "'cube'" in raises("prior", bn.sample_table, "2-1", prior="box", samples=10)
    raises("fan_in_scaling", Prior, fan_in_scaling="no")  # "no" used to be truthy


def test_bools_are_bools():
    raises("bias", bn.exact_table, 2, bias="no")  # used to mean bias=True
    raises("bias", bn.probability, "0001", bias="no")
    raises("bias", bn.regions_table, 2, bias=0)


def test_complex_parameters_are_refused_not_cast():
    raises("parameters", bn.truth_tables, "2-1", [1 + 2j, 0, 0])
    raises("parameters", bn.truth_tables, "2-1", ["1", "a", "0"])


def test_exact_refusal_names_the_architecture(assert_usage_error):
    raises("arch", bn.exact_table, "7-1")
    assert_usage_error("exact", "--arch", "7-1", mentions=["--arch 7-1", "at most 6 inputs", "--encoding pm1"])


# --- datasets and merges ------------------------------------------------------------------------------------
@pytest.fixture
def dataset(tmp_path):
    """A 2-part dataset of three n = 2 functions: 0001 x 5, 1110 x 3, 0110 x 2 of 10 samples."""
    words = np.array([[8, 0], [7, 0], [6, 0]], dtype=np.uint64)
    meta = {"n": 2, "volume_method": "sampled", "architecture": "2-2-1", "activation": "relu", "seed": 1,
            "samples": 10, "samples_done": 10}
    write_counts(words, np.array([5, 3, 2]), 2, 10, meta, f"{tmp_path}/d/", partitions=2)
    return tmp_path / "d"


def _manifest(path):
    return json.loads((path / "_boolnet_dataset.json").read_text())


def _rewrite(path, manifest):
    (path / "_boolnet_dataset.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", ["no parts", "parts 3", "fewer parts", "part without file"])
def test_damaged_manifests_are_one_line_errors(dataset, damage):
    manifest = _manifest(dataset)
    if damage == "no parts":
        del manifest["parts"]
    elif damage == "parts 3":
        manifest["parts"] = 3
    elif damage == "fewer parts":  # used to stop a part-by-part merge with StopIteration
        manifest["parts"] = manifest["parts"][:1]
    else:
        del manifest["parts"][0]["file"]
    _rewrite(dataset, manifest)
    assert "damaged" in raises("path", read_table, dataset)
    assert "damaged" in raises("path", bn.write_merged, [dataset], f"{dataset.parent}/m/")


@pytest.mark.parametrize("content", [b"", b"PAR1 not really parquet", None])
def test_truncated_or_random_parts_are_one_line_errors(dataset, content):
    part = dataset / _manifest(dataset)["parts"][0]["file"]
    data = part.read_bytes()
    part.write_bytes(content if content is not None else data[: len(data) // 2])
    assert "not valid Parquet" in raises("path", read_table, dataset)
    # The part-by-part merge used to end in ArrowInvalid.
    assert "not valid Parquet" in raises("path", bn.write_merged, [dataset], f"{dataset.parent}/m/")


def test_a_part_with_arrow_string_functions_is_read(dataset):
    # pyarrow's default string type (not large_string) in a part written by another tool.
    part = dataset / _manifest(dataset)["parts"][0]["file"]
    table = pq.read_table(part)
    k = table.column_names.index("function")
    pq.write_table(table.set_column(k, "function", table.column(k).cast(pa.string())), part)
    df = read_table(dataset)
    assert df["function"].tolist() == ["0001", "1110", "0110"] and df["count"].tolist() == [5, 3, 2]


def test_a_part_with_truth_tables_of_mixed_lengths_is_refused(dataset):
    part = dataset / _manifest(dataset)["parts"][0]["file"]
    table = pq.read_table(part)
    k = table.column_names.index("function")
    mixed = pa.array(["0" * (i % 2 + 1) * 4 for i in range(table.num_rows)], type=pa.large_string())
    if table.num_rows < 2:
        table = pa.concat_tables([table, table])
        mixed = pa.array(["0001", "00010001"], type=pa.large_string())
    pq.write_table(table.set_column(k, "function", mixed), part)
    raises("path", read_table, dataset)


def test_merge_partitions_are_whole_numbers(dataset, run_cli):
    # merge --partitions N used to refuse every N (text compared with a number).
    status, _, err = run_cli("merge", dataset, "-o", f"{dataset.parent}/m/", "--partitions", "4", "--quiet")
    assert status == 0, err
    assert _manifest(dataset.parent / "m")["partitions"] == 4
    assert read_table(dataset.parent / "m")["count"].tolist() == [5, 3, 2]


def test_merge_of_metadata_with_words_for_samples(dataset):
    manifest = _manifest(dataset)
    manifest["metadata"]["samples_done"] = "lots"
    _rewrite(dataset, manifest)
    raises("tables", bn.merge_tables, [dataset])


def test_one_type_whatever_the_options(tmp_path):
    frame = bn.merge_tables([bn.sample_table("2-1", samples=4096, seed=s) for s in (1, 2)])
    assert isinstance(frame, pd.DataFrame)
    meta = bn.write_sampled("2-1", tmp_path / "s.parquet", samples=4096, seed=3)
    assert isinstance(meta, dict) and read_table(tmp_path / "s.parquet")["count"].sum() == 4096
    raises("output", bn.write_sampled, "2-1", None, samples=10)


def test_write_table_wants_a_table(tmp_path):
    raises("df", write_table, None, tmp_path / "t.csv")
    raises("df", write_table, pd.DataFrame({"probability": [1.0]}), tmp_path / "t.csv")
    assert not (tmp_path / "t.csv").exists()


# --- Dask ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", ["notanaddress", "http://127.0.0.1:1", "", "tcp://:8786", "tcp://host:99999",
                                     "tcp://host:port"])
def test_scheduler_addresses_are_parsed_before_connecting(address, assert_usage_error):
    raises("scheduler", check_scheduler, address)
    begin = time.perf_counter()
    raises("scheduler", bn.sample_table, "2-1", samples=10, backend="dask", scheduler=address)
    assert time.perf_counter() - begin < 5
    assert_usage_error("sample", "--arch", "2-1", "--samples", "10", "--backend", "dask", "--scheduler", address,
                       mentions=["--scheduler"])


def test_local_workers_are_bounded():
    raises("workers", check_workers, 100000)
    raises("workers", bn.sample_table, "2-1", samples=10, backend="dask", workers=100000)
    assert check_workers(100000, local=False) == 100000  # a remote scheduler's workers are not started here


def test_a_refused_scheduler_fails_within_seconds():
    begin = time.perf_counter()
    message = raises("scheduler", bn.sample_table, "2-1", samples=10, backend="dask", scheduler="tcp://127.0.0.1:1")
    assert "cannot connect" in message
    assert time.perf_counter() - begin < 15  # 34-44 s before


def test_a_scheduler_without_workers_fails_after_a_bounded_wait(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    from boolnet.sampling import dask_backend

    monkeypatch.setattr(dask_backend, "WORKER_WAIT_SECONDS", 2)
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as cluster:
        begin = time.perf_counter()
        message = raises("scheduler", bn.sample_table, "2-1", samples=10, backend="dask",
                         scheduler=cluster.scheduler_address)
        assert "0 worker(s) after waiting 2 s" in message
        raises("workers", bn.sample_table, "2-1", samples=10, backend="dask", scheduler=cluster.scheduler_address,
               workers=3)
        assert time.perf_counter() - begin < 30


# --- the CLI speaks in flags ----------------------------------------------------------------------------------
def test_cli_messages_use_flags_not_python_spellings(assert_usage_error):
    line = assert_usage_error("sample", "--arch", "2-1", "--samples", "10", "--workers", "2")
    assert "--backend dask" in line and "backend='dask'" not in line
    assert_usage_error("sample", "--arch", "2-1", "--samples", "10", "--seed", "1" * 5000, mentions=["--seed"])
    assert_usage_error("sample", "--arch", "2-1", "--samples", "10", "--sigma-w", "1e100000000",
                       mentions=["--sigma-w", "out of range"])


def test_levin_says_when_no_row_is_left(tmp_path, assert_usage_error):
    df = bn.sample_table("3-1", samples=20_000, seed=1)
    write_table(df, tmp_path / "s.csv")
    line = assert_usage_error("levin", tmp_path / "s.csv", "--min-count", "1000000000", mentions=["--min-count"])
    assert "pass the trust rule" in line
