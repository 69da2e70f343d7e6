"""The boundary of boolnet/plots/: bad input raises BoolnetError naming the Python parameter, and importing a
figure module leaves matplotlib's backend alone."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import BoolnetError
from boolnet.plots import levin as lv
from boolnet.plots import mlp
from boolnet.plots import regions as rg
from boolnet.priors import Prior

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def refused(param: str, *words: str):
    """Expect a BoolnetError whose ``param`` is ``param``, whose message names it and each of ``words``, no flag."""
    with pytest.raises(BoolnetError) as info:
        yield info
    err = info.value
    assert err.param == param, (err.param, str(err))
    for word in (param, *words):
        assert word in str(err), (word, str(err))
    assert "--" not in str(err), f"a library message names a CLI flag: {err}"


# ---------------------------------------------------------------------------
# The width sweep.

def test_width_sweep_refuses_empty_widths_and_malformed_data():
    with refused("widths", "non-empty", ">= 1"):
        mlp.width_sweep_figure(widths=[])
    with refused("widths", ">= 1"):
        mlp.width_sweep_data(widths=[0], sampled_activations=())   # was a silent NaN
    with refused("widths"):
        mlp.width_sweep_data(widths=5, sampled_activations=())
    with refused("data", "width_sweep_data()", '"widths"'):
        mlp.width_sweep_figure(data={"bogus": 1})
    with refused("data", "'xor'"):
        mlp.width_sweep_figure(data={"widths": [1, 2], "step": {"constants": [(1, 1, 1)] * 2}})
    with refused("data", "2 (p, lo, hi) triples"):
        mlp.width_sweep_figure(data={"widths": [1, 2], "step": {"xor": [(0, 0, 0)], "constants": [(1, 1, 1)]}})


def test_width_sweep_refuses_bad_prior_activations_samples_and_path(tmp_path):
    with refused("prior"):
        mlp.width_sweep_data(widths=[1], prior=5, sampled_activations=())
    with refused("sampled_activations", "('relu',)"):
        mlp.width_sweep_data(widths=[1], sampled_activations="relu")
    with refused("sampled_activations", "gelu"):
        mlp.width_sweep_data(widths=[1], sampled_activations=("gelu",))
    with refused("samples", ">= 1"):
        mlp.width_sweep_data(widths=[1], samples=0)
    with refused("seed", ">= 0"):
        mlp.width_sweep_data(widths=[1], seed=-1)
    good = {"widths": [1], "step": {"xor": [(0.0, 0.0, 0.0)], "constants": [(0.5, 0.5, 0.5)]}}
    with refused("path", "str or pathlib.Path"):
        mlp.width_sweep_figure(data=good, path=5)
    with refused("path", ".png"):
        mlp.width_sweep_figure(data=good, path=tmp_path / "w.txt")


def test_width_sweep_figure_draws_hand_made_data(tmp_path):
    """Values given by hand (not computed) are the ones plotted."""
    data = {"widths": [1, 2], "step": {"xor": [(0.0, 0.0, 0.0), (0.25, 0.25, 0.25)],
                                       "constants": [(0.75, 0.75, 0.75), (0.5, 0.5, 0.5)]}}
    fig = mlp.width_sweep_figure(data=data, path=tmp_path / "w.png")
    consts = fig.axes[0].get_lines()[0]
    assert consts.get_ydata().tolist() == [0.75, 0.5]
    assert (tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"



def _drawn_points_in_axes_fraction(ax):
    """Every drawn data point and error-bar end of ``ax``, in axes coordinates (0..1 inside the frame)."""
    ax.figure.canvas.draw()
    pts = [line.get_xydata() for line in ax.get_lines() if len(line.get_xdata())]
    pts += [np.concatenate(c.get_segments()) for c in ax.collections
            if hasattr(c, "get_segments") and len(c.get_segments())]
    xy = np.concatenate(pts)
    xy = xy[np.isfinite(xy).all(axis=1)]
    return ax.transAxes.inverted().transform(ax.transData.transform(xy))


def test_width_sweep_figure_states_its_prior_and_no_point_touches_the_frame(tmp_path):
    """The top XOR value and the zero at width 1 (the old figure put both on the frame) lie inside, padded."""
    cube = Prior("uniform", fan_in_scaling=False)
    data = mlp.width_sweep_data(widths=[1, 2, 3], prior=cube, sampled_activations=())
    fig = mlp.width_sweep_figure(data=data)
    title = " ".join(fig._suptitle.get_text().split())
    assert "uniform prior" in title and "no fan-in scaling" in title and "0/1 inputs" in title
    hand = {"widths": [1, 2], "step": {"xor": [(0.0, 0.0, 0.0), (2e-3, 2e-3, 2e-3)],
                                       "constants": [(0.9, 0.9, 0.9), (0.8, 0.8, 0.8)]},
            "relu": {"xor": [(0.0, 0.0, 2e-5), (3e-4, 2e-4, 4e-4)],
                     "constants": [(0.89, 0.88, 0.9), (0.79, 0.785, 0.795)]}}
    for fig in (mlp.width_sweep_figure(data=data), mlp.width_sweep_figure(data=hand, samples=1000, seed=4)):
        for ax in fig.axes:
            frac = _drawn_points_in_axes_fraction(ax)
            assert frac[:, 1].min() > 0.02 and frac[:, 1].max() < 0.98, (ax.get_title(), frac[:, 1])
    title = " ".join(fig._suptitle.get_text().split())   # data without options: described by the arguments
    assert "gaussian prior (sigma_w 1, sigma_b 1, fan-in scaled)" in title
    assert "relu: 1,000 sampled networks per width (seed 4)" in title


# ---------------------------------------------------------------------------
# The region pictures.

@pytest.mark.parametrize("resolution", [0, -5, 2.5, 2001, "a", None, True])
def test_sphere_and_cube_refuse_a_resolution_out_of_range(resolution):
    with refused("resolution", "from 1 to 2000"):
        rg.sphere_figure(resolution=resolution)
    with refused("resolution", "from 1 to 2000"):
        rg.cube_figure(resolution=resolution)
    with refused("resolution", "from 1 to 2000"):
        rg.slice_pixels(0.5, "uniform", resolution=resolution)


def test_smallest_resolution_still_draws():
    fig = rg.sphere_figure(resolution=1)
    assert len(fig.axes) == 3   # two views and the key


def test_n_3_refusal_names_python_functions_not_flags():
    import boolnet

    with refused("n", "S^3", "boolnet.regions_table(3)", "boolnet.exact_table('3-1')") as info:
        rg.sphere_figure(n=3)
    # The functions it names exist and do that job.
    assert callable(boolnet.regions_table) and callable(boolnet.exact_table)
    assert "boolnet regions" not in str(info.value)
    with refused("n", "boolnet.regions_table(3)"):
        rg.sphere_html("s.html", n=3)


def test_region_pictures_refuse_bad_views_slices_and_paths(tmp_path):
    for views in ([], [1], [(91, 0)], [(-90.5, 0)], [(10, 0)] * 3, "ab"):
        with refused("views", "(elevation, azimuth)"):
            rg.sphere_figure(views=views, resolution=8)
    for slices in (5, ["a"], [], [1.5]):
        with refused("slices", "[-1, 1]"):
            rg.cube_figure(slices=slices, resolution=8)
    with refused("path", "str or pathlib.Path"):
        rg.sphere_figure(path=5, resolution=8)
    with refused("path", ".html"):
        rg.sphere_html(5)
    with refused("path", ".html"):
        rg.sphere_html(tmp_path / "s.png")


def test_region_helpers_refuse_bad_numbers():
    with refused("points", ">= 1"):
        rg.sphere_area_shares(points=0)
    with refused("points", ">= 1"):
        rg.fibonacci_sphere(-1)
    with refused("samples", ">= 1"):
        rg.cube_monte_carlo_shares(samples=-1)
    with refused("seed", ">= 0"):
        rg.cube_monte_carlo_shares(samples=10, seed="a")
    with refused("code", "from 0 to 15"):       # 2 inputs: 16 functions
        rg.string_of_code(16)
    with refused("theta"):
        rg.truth_codes("abc")
    with refused("b", "[-1, 1]"):
        rg.slice_pixels("a", "uniform", resolution=4)
    with refused("view"):
        rg.sphere_view_pixels(5, "gaussian", resolution=4)
    with refused("prior"):
        rg.scales(5)


def test_scales_and_prior_text_accept_a_prior_name():
    # A name means that prior without fan-in scaling (as the pictures draw it): every scale 1.
    assert rg.scales("uniform").tolist() == [1.0, 1.0, 1.0]
    assert rg.prior_text("gaussian") == "gaussian prior, sigma_w = sigma_b = 1, no fan-in scaling"


# ---------------------------------------------------------------------------
# The Levin figure.

@pytest.fixture(scope="module")
def fitted():
    from boolnet.levin import levin_fit

    df = pd.DataFrame({"probability": [0.5, 0.25, 0.125, 0.0625], "K": [2.0, 3.0, 5.0, 9.0]})
    return df, levin_fit(df, "K")


def test_levin_figure_refuses_bad_tables_reports_masks_and_paths(tmp_path, fitted):
    df, report = fitted
    png = tmp_path / "l.png"
    with refused("df", "'probability'"):
        lv.levin_figure(df.rename(columns={"probability": "p"}), report, png)
    with refused("df", "'K'"):
        lv.levin_figure(df.rename(columns={"K": "J"}), report, png)
    with refused("df", "DataFrame"):
        lv.levin_figure([1, 2], report, png)
    with refused("df", "nothing to draw"):
        lv.levin_figure(df.iloc[:0], report, png)
    with refused("report", "levin_fit"):
        lv.levin_figure(df, "K", png)
    with refused("used", "(4)"):
        lv.levin_figure(df, report, png, used=[True])
    with refused("pk", "'K'"):
        lv.levin_figure(df, report, png, pk=pd.DataFrame({"x": [1.0]}))
    with refused("path", ".png"):
        lv.levin_figure(df, report, tmp_path / "l.svg")
    with refused("path", "str or pathlib.Path"):
        lv.levin_figure(df, report, 5)
    with refused("path", "None"):
        lv.levin_figure(df, report, None)
    assert not png.exists()


def test_levin_panels_refuse_mismatched_inputs():
    from boolnet.plots._figure import pyplot

    plt = pyplot()
    fig, ax = plt.subplots()
    try:
        with refused("used", "(2)"):
            lv.plot_zipf(ax, [0.5, 0.5], used=[True])
        with refused("log2p", "equal length"):
            lv.plot_levin(ax, [1.0, 2.0], [-1.0])
        with refused("measure", "'J'"):
            lv.plot_pk(ax, pd.DataFrame({"probability": [1.0], "K": [1.0]}), "J")
    finally:
        plt.close(fig)


# ---------------------------------------------------------------------------
# Importing a figure module leaves matplotlib's backend as the user set it.

@pytest.mark.parametrize("module", ["boolnet.plots", "boolnet.plots.levin", "boolnet.plots.mlp",
                                    "boolnet.plots.regions", "boolnet.plots._figure"])
@pytest.mark.parametrize("backend", ["svg", "pdf"])
def test_import_keeps_the_users_backend(module, backend):
    code = (f"import importlib, matplotlib; importlib.import_module({module!r}); "
            "import boolnet.plots as p; [getattr(p, n) for n in p.__all__]; "   # resolve every lazy name too
            "print(matplotlib.get_backend())")
    env = {**os.environ, "MPLBACKEND": backend, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == backend


def test_drawing_keeps_a_chosen_backend_and_picks_agg_only_without_display_or_choice():
    def backend_after_drawing(env_changes: dict) -> str:
        code = ("import matplotlib; from boolnet.plots._figure import pyplot; plt = pyplot(); "
                "fig = plt.figure(); print(matplotlib.get_backend().lower())")
        env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
        env.update(env_changes, PYTHONPATH=str(ROOT), MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", ""))
        env = {k: v for k, v in env.items() if v != ""}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                             timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.strip()

    assert backend_after_drawing({"MPLBACKEND": "svg"}) == "svg"
    assert backend_after_drawing({}) == "agg"   # no choice, no display: files only


def test_figure_helper_respects_display_and_choice(monkeypatch):
    """Unit check of the rule without starting a GUI: Agg only when no backend is chosen and no display."""
    import matplotlib

    from boolnet.plots import _figure

    calls = []
    monkeypatch.setattr(matplotlib, "use", lambda name, **kw: calls.append(name))
    for chosen, display, expected in ((True, False, []), (False, True, []), (False, False, ["Agg"])):
        calls.clear()
        monkeypatch.setattr(_figure, "_backend_chosen", lambda mpl, c=chosen: c)
        monkeypatch.setattr(_figure, "_display_available", lambda d=display: d)
        _figure.pyplot()
        assert calls == expected, (chosen, display)


def test_display_detection_reads_the_environment(monkeypatch):
    from boolnet.plots import _figure

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not _figure._display_available()
    monkeypatch.setenv("DISPLAY", ":0")
    assert _figure._display_available()
