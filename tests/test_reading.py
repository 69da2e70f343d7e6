"""Results that read: reports within 100 columns, tables whose point shows at 80 columns, commands that say what
they wrote, and the same default measures in Python as on the command line."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

import boolnet as bn
from boolnet.complexity import default_measure_names
from boolnet.io.render import format_table


def test_levin_report_prints_within_100_columns_and_as_html():
    df = bn.read_table("tables/perceptron_n4_gaussian.csv")
    report = bn.levin_fit(df, "lz", within="ones")
    text = str(report)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert text.startswith("Levin bound  log2 P <= -a K - b,  K = lz")
    assert "arch 4-1" in text and "Within strata of ones" in text
    assert report._repr_html_().startswith("<pre>") and "Spearman" in report._repr_html_()
    assert "source" not in report.to_dict()  # the JSON of `boolnet levin --json` is unchanged


def test_comparison_prints_its_report():
    a = pd.DataFrame({"function": ["0001", "0011", "0101"], "probability": [0.5, 0.25, 0.25]})
    b = pd.DataFrame({"function": ["0001", "0011", "0111"], "probability": [0.6, 0.2, 0.2]})
    result = bn.compare_tables(a, b)
    assert isinstance(result, dict) and result["common"] == 2
    # Mass of each side on the two common functions, by hand: A 0.5 + 0.25, B 0.6 + 0.2.
    assert result["mass_a_common"] == 0.75 and abs(result["mass_b_common"] - 0.8) < 1e-12
    text = str(result)
    assert "over the 2 common functions only" in text and "A 0.75, B 0.8" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_one_probability_prints_in_one_line():
    v = bn.probability("0001", prior="cube")
    assert v.probability_exact == Fraction(1, 48)
    assert str(v) == "P(0001) = 1/48 = 0.0208333 (exact)"


def test_terminal_tables_show_their_point_first():
    regions = bn.regions_table(2)
    text = format_table(regions, {"n": 2}, width=80)
    header = [line for line in text.splitlines() if line.startswith("function")][0]
    assert header.split()[:2] == ["function", "inequalities"]
    assert all(len(line) <= 80 for line in text.splitlines())
    df = bn.add_measures(bn.exact_table("3-1"), ["lz", "ones", "csr"])
    text = format_table(df, df.attrs["boolnet"], width=80)
    header = [line for line in text.splitlines() if line.startswith("function")][0]
    assert header.split()[:5] == ["function", "probability", "lz", "ones", "csr"]
    assert all(len(line) <= 80 for line in text.splitlines())


def test_python_and_the_command_line_default_to_the_same_measures():
    df = pd.DataFrame({"function": ["0" * 128, "01" * 64]})
    out = bn.add_measures(df)
    assert out.attrs["boolnet"]["measures"] == default_measure_names(7)
    assert "bool_complexity" not in out.columns  # a per-function solver: opt-in by name above n = 5


def test_plot_and_complexity_say_what_they_wrote(tmp_path, run_cli):
    status, _, err = run_cli("plot", "regions", "--n", "2", "-o", tmp_path / "s.png")
    assert status == 0 and f"-> {tmp_path / 's.png'}" in err and "gaussian prior" in err
    status, _, err = run_cli("complexity", "--n", "2", "--measures", "lz", "-o", tmp_path / "c.csv")
    assert status == 0 and f"1 measure of all 16 functions of n = 2 -> {tmp_path / 'c.csv'}" in err


def test_long_work_speaks_where_someone_watches(monkeypatch, capsys):
    import boolnet.progress

    bn.sample_table("3-1", samples=20_000, seed=1)  # progress=None: nobody watches a test's stderr
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(boolnet.progress, "watched", lambda: True)  # as in a notebook or a terminal
    bn.sample_table("3-1", samples=20_000, seed=2)
    assert "sample 3-1" in capsys.readouterr().err  # the bar
    bn.sample_table("3-1", samples=20_000, seed=3, progress=False)
    assert capsys.readouterr().err == ""
    boolnet.progress.notice("compiling the sampler's kernels")
    assert capsys.readouterr().err == "boolnet: compiling the sampler's kernels\n"


def test_a_slow_measure_says_how_long_before_it_goes_on(monkeypatch, capsys):
    import time as clock

    import boolnet.progress
    from boolnet.complexity import register_measure, unregister_measure

    @register_measure("sleepy_test_measure", rows_per_call=2)
    def sleepy(table: str) -> float:
        clock.sleep(0.01)  # 10 ms per function: after the first chunk (32 rows at n = 3), 168 more take 1.7 s
        return 0.0

    try:
        monkeypatch.setattr(boolnet.progress, "watched", lambda: True)
        monkeypatch.setattr("boolnet.complexity.registry.SLOW_MEASURE_SECONDS", 1.0)
        functions = [format(v, "08b") for v in range(200)]
        bn.add_measures(pd.DataFrame({"function": functions}), ["sleepy_test_measure"], progress=False)
        err = capsys.readouterr().err
        assert "sleepy_test_measure takes about" in err and "200 distinct functions" in err
        bn.add_measures(pd.DataFrame({"function": functions[:40]}), ["sleepy_test_measure"], progress=False)
        assert "takes about" not in capsys.readouterr().err  # 40 functions: 0.1 s left, nothing worth saying
    finally:
        unregister_measure("sleepy_test_measure")
