"""`boolnet levin` and `boolnet table` end to end, through the command line."""

import json
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from boolnet.cli import main
from boolnet.tables import read_table, write_table


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_usage_error(capsys, *argv, mentions=()):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, no traceback
    assert "Traceback" not in err
    for word in mentions:
        assert word in lines[0]


@pytest.fixture
def line_table(tmp_path):
    """n = 3 functions on or below log2 P = -0.5 K - 2 (K = the 'k' column), with metadata."""
    functions = [format(i, "08b") for i in range(40)]
    k = np.arange(40) % 10
    gap = np.where(np.arange(40) < 10, 0.0, 1.0 + (np.arange(40) % 7))
    p = 2.0 ** (-0.5 * k - 2 - gap)
    df = pd.DataFrame({"function": functions, "probability": p, "k": k})
    path = tmp_path / "line.csv"
    write_table(df, path, {"command": "test", "architecture": "3-1", "prior": "gaussian", "encoding": "01",
                           "bias": True})
    return path


# ----------------------------------------------------------------------------- levin


def test_levin_text_report(capsys, line_table):
    status, out, err = run_cli(capsys, "levin", str(line_table), "--measure", "k")
    assert status == 0
    assert "K = k" in out
    assert "arch 3-1" in out
    assert "2^-8" in out  # uniform baseline for n = 3
    hull_line = next(line for line in out.splitlines() if line.startswith("tightest"))
    assert hull_line.split()[3:5] == ["0.5000", "2.0000"]


def test_levin_json_recovers_the_line(capsys, line_table):
    status, out, _ = run_cli(capsys, "levin", str(line_table), "--measure", "k", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["hull"]["a"] == pytest.approx(0.5, abs=1e-9)
    assert report["hull"]["b"] == pytest.approx(2.0, abs=1e-9)
    assert report["quantile"]["a"] == pytest.approx(0.5, abs=1e-6)
    assert report["n_used"] == 40
    assert report["uniform_log2"] == -8
    # 10 functions lie on the line, the 30 others 1..7 bits below it: (i % 7) + 1 <= 1 iff i % 7 == 0
    on_or_within_1 = 10 + sum(1 for i in range(10, 40) if (i % 7) == 0)
    assert report["hull"]["share_within"]["1"] == pytest.approx(on_or_within_1 / 40)
    assert report["metadata"]["architecture"] == "3-1"


def test_levin_plot_writes_png(capsys, line_table, tmp_path):
    png = tmp_path / "fig.png"
    status, out, _ = run_cli(capsys, "levin", str(line_table), "--measure", "k", "--plot", str(png))
    assert status == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000


def test_levin_computes_a_missing_measure(capsys, line_table):
    # 'csr' is not in the table: it is computed from the truth tables.
    status, out, _ = run_cli(capsys, "levin", str(line_table), "--measure", "csr", "--json", "--quiet")
    assert status == 0
    assert json.loads(out)["measure"] == "csr"


def test_levin_all_measures_ranks_every_measure(capsys, line_table):
    from boolnet.complexity import measure_names

    status, out, _ = run_cli(capsys, "levin", str(line_table), "--measure", "k", "--all-measures", "--json",
                             "--quiet")
    assert status == 0
    ranking = json.loads(out)["ranking"]
    names = {row["measure"] for row in ranking}
    assert "k" in names
    assert set(measure_names(3)) - {"npn_class", "threshold"} <= names
    assert sorted(row["rank_tightness"] for row in ranking) == list(range(1, len(ranking) + 1))
    # k bounds log2 P exactly on 10 functions; its mean gap is the hand value
    k_row = next(row for row in ranking if row["measure"] == "k")
    expected_gap = np.mean([0.0] * 10 + [1.0 + (i % 7) for i in range(10, 40)])
    assert k_row["mean_gap"] == pytest.approx(expected_gap, abs=1e-9)


def test_levin_sampled_table_reports_trust_rule(capsys, tmp_path):
    df = pd.DataFrame({"function": ["0001", "0111", "0000", "0110"], "count": [500, 300, 199, 1],
                       "probability": [0.5, 0.3, 0.199, 0.001], "k": [1, 2, 0, 4]})
    path = tmp_path / "s.parquet"
    write_table(df, path, {"command": "sample", "architecture": "2-1", "samples": 1000})
    status, out, _ = run_cli(capsys, "levin", str(path), "--measure", "k", "--json")
    report = json.loads(out)
    assert report["n_used"] == 3
    assert "count >= 10" in report["trust_rule"]


def test_levin_bad_input(capsys, line_table, tmp_path):
    assert_usage_error(capsys, "levin", str(tmp_path / "missing.csv"), mentions=["does not exist"])
    assert_usage_error(capsys, "levin", str(line_table), "--measure", "no_such_measure",
                       mentions=["no_such_measure"])
    no_p = tmp_path / "nop.csv"
    write_table(pd.DataFrame({"function": ["01"], "k": [1]}), no_p, {})
    assert_usage_error(capsys, "levin", str(no_p), "--measure", "k", mentions=["probability"])
    no_fn = tmp_path / "nofn.csv"
    pd.DataFrame({"probability": [0.5, 0.5]}).to_csv(no_fn, index=False)
    assert_usage_error(capsys, "levin", str(no_fn), mentions=["function"])
    assert_usage_error(capsys, "levin", str(line_table), "--plot", str(tmp_path / "fig.jpg"), mentions=[".png"])
    assert_usage_error(capsys, "levin", str(line_table), "--plot", str(tmp_path / "nodir" / "f.png"))
    assert_usage_error(capsys, "levin", str(line_table), "--measure", "probability")
    assert_usage_error(capsys, "levin", str(line_table), "--tau", "1.5")


# ----------------------------------------------------------------------------- table


def test_table_exact_uniform_n2_rows_and_measures(capsys, tmp_path):
    out_path = tmp_path / "t2.csv"
    status, _, err = run_cli(capsys, "table", "--arch", "2-1", "--prior", "uniform", "--no-fan-in-scaling",
                             "--measures", "ones,csr,sensitivity_avg,relevant_vars,gf2_degree", "-o", str(out_path),
                             "--quiet")
    assert status == 0
    assert err == ""
    df, meta = read_table(out_path)
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


def test_table_default_measures_are_all_valid_for_n(capsys, tmp_path):
    from boolnet.complexity import measure_names

    out_path = tmp_path / "t3.parquet"
    status, _, _ = run_cli(capsys, "table", "--arch", "3-1", "--prior", "uniform", "--no-fan-in-scaling",
                           "-o", str(out_path), "--quiet")
    assert status == 0
    df, meta = read_table(out_path)
    assert len(df) == 104  # threshold functions of 3 inputs (OEIS A000609)
    assert meta["measures"] == measure_names(3)
    assert set(measure_names(3)) <= set(df.columns)
    assert sum(Fraction(s) for s in df["probability_exact"]) == 1
    # and levin reads it at once
    status, out, _ = run_cli(capsys, "levin", str(out_path), "--json")
    assert status == 0
    report = json.loads(out)
    assert report["measure"] == "lz" and report["n_used"] == 104


def test_table_sampled_mlp(capsys, tmp_path):
    out_path = tmp_path / "mlp.csv"
    status, _, _ = run_cli(capsys, "table", "--arch", "2-3-1", "--samples", "20000", "--seed", "4",
                           "--measures", "ones,relevant_vars", "-o", str(out_path), "--quiet")
    assert status == 0
    df, meta = read_table(out_path)
    assert int(df["count"].sum()) == 20000
    assert df["probability"].sum() == pytest.approx(1.0)
    assert (df["ones"] == df["function"].str.count("1")).all()
    assert meta["volume_method"] == "sample"
    assert meta["architecture"] == "2-3-1"
    assert meta["activation"] == "relu"
    assert meta["seed"] == 4 and meta["samples"] == 20000


def test_table_bad_input(capsys, tmp_path):
    assert_usage_error(capsys, "table", "--arch", "3-4-1", "--method", "exact", mentions=["perceptron"])
    assert_usage_error(capsys, "table", "--measures", "lz,nonsense", mentions=["nonsense"])
    assert_usage_error(capsys, "table", "--arch", "3-x-1", mentions=["arch"])
    assert_usage_error(capsys, "table", "--arch", "9-1")
    assert_usage_error(capsys, "table", "--prior", "cauchy", mentions=["prior"])
    assert_usage_error(capsys, "table", "--sigma-w", "-1")
    assert_usage_error(capsys, "table", "-o", str(tmp_path / "t.txt"), mentions=[".csv"])
    assert_usage_error(capsys, "table", "--arch", "3-2-1", "--samples", "0")
    assert_usage_error(capsys, "table", "--arch", "3-2-1", "--activation", "softmax", mentions=["activation"])


def test_table_default_gaussian_sums_to_one_within_error_bounds(capsys, tmp_path):
    out_path = tmp_path / "g3.csv"
    status, _, _ = run_cli(capsys, "table", "--measures", "lz", "-o", str(out_path), "--quiet")
    assert status == 0
    df, meta = read_table(out_path)
    assert meta["architecture"] == "3-1" and meta["prior"] == "gaussian" and meta["fan_in_scaling"] is True
    assert len(df) == 104
    assert (df["error_bound"] <= 1e-10).all()
    assert abs(df["probability"].sum() - 1.0) <= df["error_bound"].sum() + 1e-14
    # lz of the constant 8-bit string is log2(8) (the measure's definition for constant strings)
    assert df.set_index("function").loc["00000000", "lz"] == pytest.approx(3.0)


def test_table_gaussian_n1_closed_form(capsys, tmp_path):
    # n = 1: f(0) = [b > 0], f(1) = [w + b > 0] with w, b ~ N(0, 1). (b, w + b) is bivariate normal with
    # correlation 1/sqrt(2), so P(both <= 0) = 1/4 + arcsin(1/sqrt 2) / (2 pi) = 3/8; each mixed function 1/8.
    out_path = tmp_path / "g1.csv"
    status, _, _ = run_cli(capsys, "table", "--arch", "1-1", "--measures", "ones", "-o", str(out_path), "--quiet")
    assert status == 0
    df, _ = read_table(out_path)
    p = df.set_index("function")["probability"]
    assert p["00"] == pytest.approx(3 / 8, abs=1e-10)
    assert p["11"] == pytest.approx(3 / 8, abs=1e-10)
    assert p["01"] == pytest.approx(1 / 8, abs=1e-10)
    assert p["10"] == pytest.approx(1 / 8, abs=1e-10)
