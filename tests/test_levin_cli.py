"""`boolnet levin` end to end, through the command line."""

import json

import numpy as np
import pandas as pd
import pytest

from boolnet.io import read_table, write_table
from boolnet.table.schema import attach


def table(df, metadata):
    return attach(df, metadata)


@pytest.fixture
def line_table(tmp_path):
    """n = 3 functions on or below log2 P = -0.5 K - 2 (K = the 'k' column), with metadata."""
    functions = [format(i, "08b") for i in range(40)]
    k = np.arange(40) % 10
    gap = np.where(np.arange(40) < 10, 0.0, 1.0 + (np.arange(40) % 7))
    p = 2.0 ** (-0.5 * k - 2 - gap)
    df = pd.DataFrame({"function": functions, "probability": p, "k": k})
    path = tmp_path / "line.csv"
    write_table(table(df, {"volume_method": "exact", "architecture": "3-1", "prior": "gaussian", "encoding": "01",
                           "bias": True}), path)
    return path


def test_levin_text_report(run_cli, line_table):
    status, out, err = run_cli("levin", line_table, "--measure", "k")
    assert status == 0
    assert "K = k" in out
    assert "arch 3-1" in out
    assert "2^-8" in out  # uniform baseline for n = 3
    hull_line = next(line for line in out.splitlines() if line.startswith("tightest"))
    assert hull_line.split()[3:5] == ["0.5000", "2.0000"]


def test_levin_json_recovers_the_line(run_cli, line_table):
    status, out, _ = run_cli("levin", line_table, "--measure", "k", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["hull"]["a"] == pytest.approx(0.5, abs=1e-9)
    assert report["hull"]["b"] == pytest.approx(2.0, abs=1e-9)
    assert report["hull"]["k_range"] == [0.0, 9.0]
    assert report["quantile"]["a"] == pytest.approx(0.5, abs=1e-6)
    assert report["n_used"] == 40
    assert report["uniform_log2"] == -8
    # 10 functions lie on the line, the 30 others 1..7 bits below it: (i % 7) + 1 <= 1 iff i % 7 == 0
    on_or_within_1 = 10 + sum(1 for i in range(10, 40) if (i % 7) == 0)
    assert report["hull"]["share_within"]["1"] == pytest.approx(on_or_within_1 / 40)
    assert report["metadata"]["architecture"] == "3-1"


def test_levin_plot_writes_png_atomically(run_cli, line_table, tmp_path):
    png = tmp_path / "fig.png"
    status, out, _ = run_cli("levin", line_table, "--measure", "k", "--plot", png, "--pk", "--within", "ones")
    assert status == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fig.png", "line.csv", "line.csv-metadata.json"])


def test_levin_fitted_lines_are_drawn_over_the_fitted_range():
    from boolnet.levin import levin_fit
    from boolnet.plots import plot_levin
    from boolnet.plots._figure import pyplot

    df = pd.DataFrame({"probability": [0.5, 0.25, 0.125, 0.0625], "K": [2.0, 3.0, 5.0, 9.0]})
    r = levin_fit(df, "K")
    plt = pyplot()
    fig, ax = plt.subplots()
    plot_levin(ax, df["K"], np.log2(df["probability"]), [r.hull, r.quantile], excluded=([0.0, 12.0], [-1.0, -9.0]))
    lines = [line for line in ax.get_lines() if line.get_label().startswith(("tightest", "robust"))]
    assert len(lines) == 2
    for line in lines:
        assert line.get_xdata().tolist() == [2.0, 9.0]
    plt.close(fig)


def _drawn_figures(monkeypatch):
    """The Figures saved while the test runs (levin_figure closes its figure after saving)."""
    import matplotlib.figure

    figures = []
    original = matplotlib.figure.Figure.savefig

    def keep(fig, *args, **kwargs):
        figures.append(fig)
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", keep)
    return figures


def test_levin_figure_colours_by_ones_with_within(tmp_path, monkeypatch):
    from boolnet.levin import levin_fit
    from boolnet.plots import levin_figure

    df = pd.DataFrame({"function": ["0001", "0011", "0111", "0110", "1000"], "probability": [.3, .3, .2, .1, .1],
                       "K": [1, 2, 3, 4, 1]})
    figures = _drawn_figures(monkeypatch)
    levin_figure(df, levin_fit(df, "K", within="ones"), tmp_path / "w.png")
    levin_figure(df, levin_fit(df, "K"), tmp_path / "plain.png")
    labels = [[a.get_ylabel() for ax in fig.axes for a in (ax, *ax.child_axes)] for fig in figures]  # colour bar
    assert any(label.startswith("number of ones") for label in labels[0])
    assert not any(label.startswith("number of ones") for label in labels[1])


def test_levin_within_ones_shows_a_function_and_its_complement_apart(tmp_path, monkeypatch):
    """Complements share K and P here: both colours show (half-discs), and the pooled within-rho is printed."""
    from matplotlib.colors import to_hex

    from boolnet.levin import describe_metadata, levin_fit
    from boolnet.plots import levin_figure

    functions = ["0001", "1110", "0111", "1000", "0011", "1100", "0101", "1010", "0000", "1111"]
    k = [2, 2, 3, 3, 4, 4, 4, 4, 1, 1]
    p = np.array([.05, .05, .04, .04, .03, .06, .02, .01, .35, .35])
    meta = {"volume_method": "exact", "architecture": "2-1", "prior": "uniform", "sigma_w": 1, "sigma_b": 1,
            "encoding": "01", "bias": True}
    df = table(pd.DataFrame({"function": functions, "probability": p / p.sum(), "K": k}), meta)
    report = levin_fit(df, "K", within="ones")
    figures = _drawn_figures(monkeypatch)
    levin_figure(df, report, tmp_path / "w.png")
    fig = figures[0]
    ax = fig.axes[0]
    drawn = {}   # (K, log2 P) -> [(colour, x-extent of the marker's path)]
    for coll in ax.collections:
        if not coll.get_label() or "ones" not in coll.get_label():
            continue
        xs = coll.get_paths()[0].vertices[:, 0]
        for (x, y), colour in zip(coll.get_offsets(), coll.get_facecolors()):
            drawn.setdefault((round(x, 9), round(y, 9)), []).append((to_hex(colour), (xs.min(), xs.max())))
    log2p = np.log2(df["probability"].to_numpy())
    for f, kf, yf in zip(functions, k, log2p):
        twin = "".join("1" if c == "0" else "0" for c in f)
        marks = drawn[(float(kf), round(float(yf), 9))]
        if f.count("1") == 2:
            assert any(lo < 0 < hi for _, (lo, hi) in marks), f   # balanced: a full disc
            continue
        side = [(lo, hi) for _, (lo, hi) in marks]
        if twin in functions and k[functions.index(twin)] == kf and np.isclose(log2p[functions.index(twin)], yf):
            # f and its complement at one point: two colours, one left half, one right half
            assert len({c for c, _ in marks}) == 2, (f, marks)
            assert any(hi <= 1e-9 for lo, hi in side) and any(lo >= -1e-9 for lo, hi in side), (f, marks)
    title = ax.get_title()
    assert f"{report.within.rho:+.3f}" in title and "within strata of the number of ones" in title
    caption = fig._suptitle.get_text()
    assert describe_metadata(meta) in caption and "uniform prior" in caption
    assert "measure K" in caption and f"tau = {report.quantile.tau:g}" in caption and "within='ones'" in caption


def test_levin_computes_a_missing_measure(run_cli, line_table):
    # 'csr' is not in the table: it is computed from the truth tables.
    status, out, _ = run_cli("levin", line_table, "--measure", "csr", "--json", "--quiet")
    assert status == 0
    assert json.loads(out)["measure"] == "csr"


def test_levin_all_measures_ranks_every_measure(run_cli, line_table):
    from boolnet.complexity import measure_names

    status, out, _ = run_cli("levin", line_table, "--measure", "k", "--all-measures", "--json", "--quiet")
    assert status == 0
    ranking = json.loads(out)["ranking"]
    names = {row["measure"] for row in ranking}
    assert "k" in names
    assert set(measure_names(3)) - {"npn_class", "threshold"} <= names
    assert sorted(row["rank_tightness"] for row in ranking) == list(range(1, len(ranking) + 1))
    k_row = next(row for row in ranking if row["measure"] == "k")
    expected_gap = np.mean([0.0] * 10 + [1.0 + (i % 7) for i in range(10, 40)])
    assert k_row["mean_gap"] == pytest.approx(expected_gap, abs=1e-9)


def test_levin_within_ones_and_pk(run_cli, line_table):
    status, out, _ = run_cli("levin", line_table, "--measure", "k", "--within", "ones", "--pk", "--all-measures",
                             "--quiet")
    assert status == 0
    assert "Within strata of ones" in out
    assert "rank_within" in out
    assert "P(K): probability mass at each value of K = k" in out
    status, out, _ = run_cli("levin", line_table, "--measure", "k", "--within", "ones", "--pk", "--json")
    report = json.loads(out)
    assert report["within"]["by"] == "ones"
    assert sum(s["n_used"] for s in report["within"]["strata"]) == 40
    assert report["pk"]["mass"] == pytest.approx(sum(2.0 ** (-0.5 * (i % 10) - 2 - (0 if i < 10 else 1 + i % 7))
                                                     for i in range(40)))
    assert [row["k"] for row in report["pk"]["table"]] == list(range(10))


def test_levin_sampled_table_reports_trust_rule(run_cli, tmp_path):
    df = pd.DataFrame({"function": ["0001", "0111", "0000", "0110"], "count": [500, 300, 199, 1],
                       "probability": [0.5, 0.3, 0.199, 0.001], "k": [1, 2, 0, 4]})
    path = tmp_path / "s.parquet"
    write_table(table(df, {"volume_method": "sampled", "architecture": "2-1", "samples": 1000}), path)
    status, out, _ = run_cli("levin", path, "--measure", "k", "--json")
    report = json.loads(out)
    assert report["n_used"] == 3
    assert "count >= 10" in report["trust_rule"]


def test_levin_bad_input(assert_usage_error, line_table, tmp_path):
    assert_usage_error("levin", tmp_path / "missing.csv", mentions=["does not exist"])
    assert_usage_error("levin", line_table, "--measure", "no_such_measure", mentions=["no_such_measure"])
    no_p = tmp_path / "nop.csv"
    write_table(pd.DataFrame({"function": ["01"], "k": [1]}), no_p)
    assert_usage_error("levin", no_p, "--measure", "k", mentions=["probability"])
    no_fn = tmp_path / "nofn.csv"
    pd.DataFrame({"probability": [0.5, 0.5]}).to_csv(no_fn, index=False)
    assert_usage_error("levin", no_fn, mentions=["function"])
    assert_usage_error("levin", line_table, "--plot", tmp_path / "fig.jpg", mentions=[".png", "--plot"])
    assert_usage_error("levin", line_table, "--plot", tmp_path / "nodir" / "f.png", mentions=["--plot"])
    assert_usage_error("levin", line_table, "--plot", tmp_path, mentions=["--plot"])
    assert_usage_error("levin", line_table, "--measure", "probability", mentions=["--measure"])
    assert_usage_error("levin", line_table, "--tau", "1.5", mentions=["--tau"])
    assert_usage_error("levin", line_table, "--tau", "nan", mentions=["--tau"])
    assert_usage_error("levin", line_table, "--min-count", "0", mentions=["--min-count"])
    assert_usage_error("levin", line_table, "--within", "zeros", mentions=["--within"])


def test_levin_refuses_impossible_probabilities(assert_usage_error, tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"function": ["00", "01"], "probability": [-0.5, 1.5], "k": [0, 1]}).to_csv(bad, index=False)
    assert_usage_error("levin", bad, "--measure", "k", mentions=["[0, 1]"])


def test_levin_with_fewer_than_two_usable_functions(assert_usage_error, tmp_path):
    one = tmp_path / "one.csv"
    write_table(table(pd.DataFrame({"function": ["00", "01"], "probability": [1.0, 0.0], "k": [0, 1]}),
                      {"volume_method": "exact"}), one)
    assert_usage_error("levin", one, "--measure", "k", mentions=["at least two usable functions", "only 1"])
    few = tmp_path / "few.csv"
    write_table(table(pd.DataFrame({"function": ["00", "01", "11"], "count": [50, 3, 2],
                                    "probability": [50 / 55, 3 / 55, 2 / 55], "k": [0, 1, 2]}),
                      {"volume_method": "sampled"}), few)
    assert_usage_error("levin", few, "--measure", "k", mentions=["at least two usable functions", "--min-count"])


def test_levin_reads_tables_of_boolnet_0_1(run_cli, tmp_path):
    # Old CSV: metadata in a leading comment line, error_bound column, command names.
    path = tmp_path / "old.csv"
    path.write_text('# boolnet-metadata: {"command": "exact", "prior": "gaussian", "boolnet_version": "0.1.0"}\n'
                    "function,probability,error_bound,k\n0000,0.5,1e-12,0\n0001,0.25,0.1,1\n0011,0.25,0,2\n")
    status, out, _ = run_cli("levin", path, "--measure", "k", "--json")
    assert status == 0, out
    report = json.loads(out)
    assert report["n_used"] == 2 and "within 1% of P" in report["trust_rule"]


def test_parser_defaults_match_the_library():
    from boolnet.commands import levin as cmd
    from boolnet.levin import DEFAULT_MIN_COUNT, DEFAULT_TAU

    assert (cmd.DEFAULT_TAU, cmd.DEFAULT_MIN_COUNT) == (DEFAULT_TAU, DEFAULT_MIN_COUNT)


def test_read_table_round_trip_keeps_what_levin_reads(tmp_path, line_table):
    df = read_table(line_table)
    assert df.attrs["boolnet"]["volume_method"] == "exact"
