"""The `regions` and `exact` command-line contract."""

import subprocess
import sys
from fractions import Fraction

import pytest

from boolnet.cli import main
from boolnet.io import read_table


def run_cli(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_regions_n2_prints_readable_table(capsys):
    code, out, _ = run_cli(["regions", "--n", "2"], capsys)
    assert code == 0
    assert "0110" in out and "infeasible" in out
    assert "w1 + w2 + b > 0" in out  # AND's defining facet


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_exact_writes_table_with_metadata(tmp_path, capsys, suffix):
    path = tmp_path / f"t{suffix}"
    code, _, _ = run_cli(["exact", "--n", "3", "--prior", "uniform", "--no-fan-in-scaling", "-o", str(path),
                          "--quiet"], capsys)
    assert code == 0
    df = read_table(path)
    meta = df.attrs["boolnet"]
    assert list(df.columns[:6]) == ["function", "probability", "probability_low", "probability_high",
                                    "probability_exact", "facets"]
    assert meta["volume_method"] == "exact"
    assert len(df) == 104
    assert sum(Fraction(v) for v in df.probability_exact) == 1
    assert meta["prior"] == "uniform" and meta["fan_in_scaling"] is False and meta["n"] == 3
    assert meta["sigma_w"] == "1" and meta["encoding"] == "01" and meta["bias"] is True
    assert df.function.str.len().eq(8).all()  # truth tables stay strings (leading zeros kept)


def test_regions_latex_and_csv(tmp_path, capsys):
    tex = tmp_path / "r.tex"
    assert run_cli(["regions", "--n", "2", "-o", str(tex)], capsys)[0] == 0
    text = tex.read_text()
    assert r"\begin{tabular}" in text and r"w_{1} + w_{2} + b > 0" in text
    csv = tmp_path / "r.csv"
    assert run_cli(["regions", "--n", "2", "--encoding", "pm1", "--no-bias", "-o", str(csv)], capsys)[0] == 0
    df = read_table(csv)
    meta = df.attrs["boolnet"]
    assert meta["encoding"] == "pm1" and meta["bias"] is False
    assert set(df.columns) >= {"function", "feasible", "facets", "inequalities"}


@pytest.mark.parametrize("args", [
    ["exact", "--n", "0"],
    ["exact", "--n", "9"],
    ["exact", "--n", "2", "--prior", "beta"],
    ["exact", "--n", "2", "--sigma-w", "-1"],
    ["exact", "--n", "2", "--sigma-b", "0"],
    ["exact", "--n", "2", "--encoding", "binary"],
    ["exact", "--n", "2", "-o", "/no/such/folder/t.csv"],
    ["exact", "--n", "2", "-o", "t.xlsx"],
    ["regions", "--n", "6"],
    ["exact", "--n", "7"],
    ["regions"],
])
def test_bad_input_exits_2_with_one_line(args, capsys):
    with pytest.raises(SystemExit) if args == ["regions"] else _no_raise() as exc:
        code, _, err = run_cli(args, capsys)
    if args == ["regions"]:
        assert exc.value.code == 2
        err = capsys.readouterr().err
    else:
        assert code == 2
    assert len(err.strip().splitlines()) == 1 and "error" in err and "Traceback" not in err


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_console_script_runs():
    # the installed entry point, as a user types it
    res = subprocess.run([sys.executable, "-m", "boolnet.cli", "exact", "--n", "1", "--prior", "uniform",
                          "--no-fan-in-scaling", "--quiet"], capture_output=True, text=True, check=True)
    assert "3/8" in res.stdout
