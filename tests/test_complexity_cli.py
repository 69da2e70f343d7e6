"""`boolnet complexity`: tabulating all functions, adding measures to tables, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from boolnet.cli import main
from boolnet.io import read_table, write_table
from boolnet.table.schema import attach


def test_all_functions_of_n2_to_csv(tmp_path):
    out = tmp_path / "c.csv"
    assert main(["complexity", "--n", "2", "-o", str(out), "--quiet"]) == 0
    df = read_table(out)
    meta = df.attrs["boolnet"]
    assert len(df) == 16 and df["function"].tolist()[:3] == ["0000", "1000", "0100"]
    assert meta["command"] == "complexity" and meta["n"] == 2
    assert meta["measures"] == df.columns.tolist()[1:]
    assert "formula_length" in meta["measures"]
    row = df.set_index("function").loc["0110"]   # XOR
    assert (row["ones"], row["relevant_vars"], row["threshold"], row["gf2_degree"], row["dnf_terms"]) == (2, 2, 0, 1, 2)


def test_measures_added_to_a_table_keep_its_metadata(tmp_path):
    src = tmp_path / "t.parquet"
    write_table(attach(pd.DataFrame({"function": ["0001", "0110", "0111"], "probability": [0.25, 0.05, 0.7]}),
                       {"volume_method": "quadrature", "n": 2, "prior": "gaussian"}), src)
    out = tmp_path / "t2.parquet"
    assert main(["complexity", str(src), "--measures", "lz,npn_class", "-o", str(out), "--quiet"]) == 0
    df = read_table(out)
    meta = df.attrs["boolnet"]
    assert df.columns.tolist() == ["function", "probability", "lz", "npn_class"]
    assert df["npn_class"].tolist() == ["0001", "0110", "0001"]  # AND's class, shown as AND
    assert df["probability"].tolist() == [0.25, 0.05, 0.7]
    assert meta["prior"] == "gaussian" and meta["volume_method"] == "quadrature"
    assert meta["measures"] == ["lz", "npn_class"]
    # A second pass adds to the list instead of replacing it.
    assert main(["complexity", str(out), "--measures", "ones", "-o", str(out), "--quiet"]) == 0
    assert read_table(out).attrs["boolnet"]["measures"] == ["lz", "npn_class", "ones"]


def test_default_measures_for_a_large_n_table_skip_limited_ones(tmp_path):
    src = tmp_path / "t7.csv"
    write_table(attach(pd.DataFrame({"function": ["01" * 64, "0" * 128]}), {"n": 7}), src)
    out = tmp_path / "o.csv"
    assert main(["complexity", str(src), "--measures", "lz,csr,threshold", "-o", str(out), "--quiet"]) == 0
    df = read_table(out)
    assert df["lz"].tolist() == [21.0, 7.0] and df["csr"].tolist() == [1.0, 0.0] and df["threshold"].tolist() == [1, 1]


@pytest.mark.parametrize("argv,message", [
    (["complexity", "--n", "5"], "0 <= n <= 4"),
    (["complexity", "--n", "2", "--measures", "lz,nope"], "valid names for n = 2: lz, ones"),
    (["complexity"], "either a TABLE"),
    (["complexity", "missing.csv"], "does not exist"),
    (["complexity", "--n", "2", "-o", "out.txt"], ".csv or .parquet"),
])
def test_usage_errors(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_limit_on_n_is_a_usage_error(tmp_path, capsys):
    src = tmp_path / "t5.csv"
    write_table(pd.DataFrame({"function": ["01" * 16]}), src)
    assert main(["complexity", str(src), "--measures", "formula_length"]) == 2
    assert "formula_length needs n <= 4" in capsys.readouterr().err


def test_default_for_n7_tables_leaves_out_the_per_function_solvers(tmp_path, capsys):
    src = tmp_path / "t7.parquet"
    write_table(attach(pd.DataFrame({"function": ["01" * 64, "0001" * 32]}), {"n": 7}), src)
    out = tmp_path / "o.parquet"
    assert main(["complexity", str(src), "-o", str(out)]) == 0
    assert "skipping bool_complexity, dnf_terms, dnf_literals" in capsys.readouterr().err
    df = read_table(out)
    meta = df.attrs["boolnet"]
    assert "dnf_terms" not in df.columns and "formula_length" not in df.columns and "npn_class" not in df.columns
    assert meta["measures"] == df.columns.tolist()[1:] and "block_sensitivity" in meta["measures"]
    assert df["relevant_vars"].tolist() == [1, 2]
