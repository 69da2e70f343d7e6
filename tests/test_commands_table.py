"""`boolnet table` end to end, through the command line (`boolnet levin`: tests/test_levin_cli.py)."""

import json
from fractions import Fraction

import pytest

from boolnet.io import read_table


# ----------------------------------------------------------------------------- table


def test_table_exact_uniform_n2_rows_and_measures(run_cli, tmp_path):
    out_path = tmp_path / "t2.csv"
    status, _, err = run_cli("table", "--arch", "2-1", "--prior", "uniform", "--no-fan-in-scaling",
                             "--measures", "ones,csr,sensitivity_avg,relevant_vars,gf2_degree", "-o", str(out_path),
                             "--quiet")
    assert status == 0
    assert err == ""
    df = read_table(out_path)
    meta = df.attrs["boolnet"]
    # 14 threshold functions of 2 inputs (XOR, XNOR are not); exact volumes sum to exactly 1.
    assert len(df) == 14
    assert set(df["function"]) == {format(i, "04b") for i in range(16)} - {"0110", "1001"}
    assert sum(Fraction(s) for s in df["probability_exact"]) == 1
    # measures are joined to the right rows: AND by hand
    row = df.set_index("function").loc["0001"]
    assert row["ones"] == 1
    assert row["csr"] == pytest.approx(0.75)  # inputs 01, 10, 11 have a neighbour with another value
    assert row["sensitivity_avg"] == pytest.approx(1.0)  # (0 + 1 + 1 + 2) / 4
    assert row["relevant_vars"] == 2
    assert row["gf2_degree"] == 2
    assert Fraction(row["probability_exact"]) == Fraction(1, 48)
    assert (df["ones"] == df["function"].str.count("1")).all()
    assert meta["command"] == "table"
    assert meta["volume_method"] == "exact"
    assert meta["architecture"] == "2-1"
    assert meta["prior"] == "uniform" and meta["fan_in_scaling"] is False
    assert meta["measures"] == ["ones", "csr", "sensitivity_avg", "relevant_vars", "gf2_degree"]


def test_table_default_measures_are_all_valid_for_n(run_cli, tmp_path):
    from boolnet.complexity import measure_names

    out_path = tmp_path / "t3.parquet"
    status, _, _ = run_cli("table", "--arch", "3-1", "--prior", "uniform", "--no-fan-in-scaling",
                           "-o", str(out_path), "--quiet")
    assert status == 0
    df = read_table(out_path)
    meta = df.attrs["boolnet"]
    assert len(df) == 104  # threshold functions of 3 inputs (OEIS A000609)
    assert meta["measures"] == measure_names(3)
    assert set(measure_names(3)) <= set(df.columns)
    assert sum(Fraction(s) for s in df["probability_exact"]) == 1
    # and levin reads it at once
    status, out, _ = run_cli("levin", str(out_path), "--json")
    assert status == 0
    report = json.loads(out)
    assert report["measure"] == "lz" and report["n_used"] == 104


def test_table_sampled_mlp(run_cli, tmp_path):
    out_path = tmp_path / "mlp.csv"
    status, _, _ = run_cli("table", "--arch", "2-3-1", "--samples", "20000", "--seed", "4",
                           "--measures", "ones,relevant_vars", "-o", str(out_path), "--quiet")
    assert status == 0
    df = read_table(out_path)
    meta = df.attrs["boolnet"]
    assert int(df["count"].sum()) == 20000
    assert df["probability"].sum() == pytest.approx(1.0)
    assert (df["ones"] == df["function"].str.count("1")).all()
    assert meta["volume_method"] == "sampled"
    assert meta["architecture"] == "2-3-1"
    assert meta["activation"] == "relu"
    assert meta["seed"] == 4 and meta["samples"] == 20000


def test_table_bad_input(assert_usage_error, tmp_path):
    assert_usage_error("table", "--arch", "3-4-1", "--method", "exact", mentions=["perceptron", "step"])
    assert_usage_error("table", "--measures", "lz,nonsense", mentions=["nonsense"])
    assert_usage_error("table", "--arch", "3-x-1", mentions=["arch"])
    assert_usage_error("table", "--arch", "9-1")
    assert_usage_error("table", "--prior", "cauchy", mentions=["prior"])
    assert_usage_error("table", "--sigma-w", "-1")
    assert_usage_error("table", "-o", str(tmp_path / "t.txt"), mentions=[".csv"])
    assert_usage_error("table", "--arch", "3-2-1", "--samples", "0")
    assert_usage_error("table", "--arch", "3-2-1", "--activation", "softmax", mentions=["activation"])


def test_table_default_gaussian_sums_to_one_within_error_bounds(run_cli, tmp_path):
    out_path = tmp_path / "g3.csv"
    status, _, _ = run_cli("table", "--measures", "lz", "-o", str(out_path), "--quiet")
    assert status == 0
    df = read_table(out_path)
    meta = df.attrs["boolnet"]
    assert meta["architecture"] == "3-1" and meta["prior"] == "gaussian" and meta["fan_in_scaling"] is True
    assert len(df) == 104
    assert meta["volume_method"] == "quadrature"
    error = df["probability_high"] - df["probability"]
    assert (error <= 1e-10).all() and (df["probability"] - df["probability_low"] <= 1e-10).all()
    assert abs(df["probability"].sum() - 1.0) <= error.sum() + 1e-14
    # lz of the constant 8-bit string is log2(8) (the measure's definition for constant strings)
    assert df.set_index("function").loc["00000000", "lz"] == pytest.approx(3.0)


def test_table_gaussian_n1_closed_form(run_cli, tmp_path):
    # n = 1: f(0) = [b > 0], f(1) = [w + b > 0] with w, b ~ N(0, 1). (b, w + b) is bivariate normal with
    # correlation 1/sqrt(2), so P(both <= 0) = 1/4 + arcsin(1/sqrt 2) / (2 pi) = 3/8; each mixed function 1/8.
    out_path = tmp_path / "g1.csv"
    status, _, _ = run_cli("table", "--arch", "1-1", "--measures", "ones", "-o", str(out_path), "--quiet")
    assert status == 0
    df = read_table(out_path)
    p = df.set_index("function")["probability"]
    assert p["00"] == pytest.approx(3 / 8, abs=1e-10)
    assert p["11"] == pytest.approx(3 / 8, abs=1e-10)
    assert p["01"] == pytest.approx(1 / 8, abs=1e-10)
    assert p["10"] == pytest.approx(1 / 8, abs=1e-10)


def test_table_step_mlp_is_exact_by_default(run_cli, tmp_path):
    # 2-2-1 step network: XOR has positive volume (a perceptron gives it none), and the rows are exact rationals.
    out_path = tmp_path / "t221.csv"
    status, _, _ = run_cli("table", "--arch", "2-2-1", "--activation", "step", "--prior", "uniform",
                           "--no-fan-in-scaling", "--measures", "ones", "-o", out_path, "--quiet")
    assert status == 0
    df = read_table(out_path)
    assert df.attrs["boolnet"]["volume_method"] == "exact"
    assert len(df) == 16 and Fraction(df.set_index("function").loc["0110", "probability_exact"]) > 0
    assert sum(Fraction(s) for s in df["probability_exact"]) == 1


def test_table_refuses_options_it_would_ignore(assert_usage_error):
    assert_usage_error("table", "--arch", "2-1", "--samples", "1000", mentions=["--samples", "exact"])
    assert_usage_error("table", "--arch", "2-1", "--activation", "relu", mentions=["--activation", "perceptron"])


def test_table_without_output_prints_a_summary(run_cli):
    status, out, err = run_cli("table", "--arch", "4-1", "--measures", "ones", "--quiet")
    assert status == 0
    assert "more rows" in out and "-o FILE.csv" in out
    assert max(len(line) for line in out.splitlines() if not line.startswith("# ")) <= 250
