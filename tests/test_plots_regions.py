"""Pictures of the n = 2 perceptron's regions (boolnet/plots/regions.py, `boolnet plot regions`).

The shares on the pictures come from the exact engine; here they are checked against
sources independent of it: the rationals a reader derived by hand (AND 1/48, OR 1/24,
constants 13/48 of the cube), the solid angle of each cone by the Van Oosterom-Strackee
formula, a Fibonacci-lattice count of the sphere's area and a Monte Carlo of the cube.
The colours are checked against the sampler's own evaluation kernel (bn.truth_tables).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import boolnet as bn
from boolnet.plots import regions as pr

#: Shares of the cube [-1, 1]^3 derived by hand (issue 10): AND 1/48, OR 1/24, each constant 13/48;
#: the other one-sided and one-input functions follow from OR by the symmetries w1 <-> w2 and theta -> -theta.
CUBE_01 = {"0000": Fraction(13, 48), "1111": Fraction(13, 48), "0001": Fraction(1, 48), "1110": Fraction(1, 48),
           "0111": Fraction(1, 24), "1000": Fraction(1, 24)}


def solid_angle_share(rays) -> float:
    """Share of the sphere of the convex cone spanned by ``rays`` (Van Oosterom-Strackee, fanned)."""
    r = np.array(rays, dtype=float)
    r /= np.linalg.norm(r, axis=1)[:, None]
    m = r.mean(axis=0)
    m /= np.linalg.norm(m)
    e1 = r[0] - (r[0] @ m) * m
    e2 = np.cross(m, e1)
    r = r[np.argsort(np.arctan2(r @ e2, r @ e1))]
    total = 0.0
    for i in range(len(r)):
        a, b, c = m, r[i], r[(i + 1) % len(r)]
        num = abs(a @ np.cross(b, c))
        den = 1 + a @ b + b @ c + c @ a
        total += 2 * math.atan2(num, den)
    return total / (4 * math.pi)


def test_colouring_is_the_samplers_output_rule():
    rng = np.random.default_rng(3)
    theta = rng.normal(size=(500, 3))
    for encoding in ("01", "pm1"):
        mine = [pr.string_of_code(c) for c in pr.truth_codes(theta, encoding)]
        assert mine == bn.truth_tables("2-1", theta, encoding=encoding)
    # ties give 0: on the plane b = 0 input 00 outputs 0
    assert pr.string_of_code(pr.truth_codes([1.0, 1.0, 0.0])) == "0111"


def test_exact_cube_shares_are_the_hand_derived_rationals():
    t = pr.exact_shares("uniform").set_index("function")
    for f, q in CUBE_01.items():
        assert Fraction(t.loc[f, "probability_exact"]) == q
    assert set(t.index[~t.feasible]) == {"0110", "1001"}
    assert t.loc[["0110", "1001"], "probability"].tolist() == [0.0, 0.0]
    assert sum(Fraction(v) for v in t.probability_exact) == 1


def test_cube_monte_carlo_agrees_with_exact_rationals():
    samples = 400_000
    mc = pr.cube_monte_carlo_shares(samples=samples, seed=11)
    exact = pr.exact_shares("uniform").set_index("function")
    assert set(mc) == set(exact.index[exact.feasible])
    for f, share in mc.items():
        p = float(Fraction(exact.loc[f, "probability_exact"]))
        assert abs(share - p) < 5 * math.sqrt(p * (1 - p) / samples), (f, share, p)
    for f, q in CUBE_01.items():
        assert abs(mc[f] - float(q)) < 5 * math.sqrt(float(q) / samples)


def test_sphere_shares_are_gaussian_probabilities():
    """Isotropic Gaussian: exact engine == solid angle (closed form) ~= area count on the sphere."""
    from boolnet.exact.regions import region

    table = pr.exact_shares(bn.Prior("gaussian", fan_in_scaling=False)).set_index("function")
    area = pr.sphere_area_shares(points=400_000)
    assert set(area) == set(table.index[table.feasible])
    for f in area:
        p = table.loc[f, "probability"]
        assert abs(solid_angle_share(region(f).rays) - p) < 1e-9, f
        assert abs(area[f] - p) < 2e-3, (f, area[f], p)
    # OR's cone happens to be exactly 1/24 of the sphere (its solid angle is pi/6)
    assert abs(table.loc["0111", "probability"] - 1 / 24) < 1e-12


def test_sphere_with_fan_in_scaling_is_drawn_in_standardised_coordinates():
    from boolnet.exact.regions import region

    prior = bn.Prior("gaussian")  # weights' std 1/sqrt(2)
    table = pr.exact_shares(prior).set_index("function")
    c = pr.scales(prior)
    area = pr.sphere_area_shares(prior, points=200_000)
    for f in area:
        rays = np.array(region(f).rays, dtype=float) / c
        assert abs(solid_angle_share(rays) - table.loc[f, "probability"]) < 1e-9, f
        assert abs(area[f] - table.loc[f, "probability"]) < 3e-3, f


def test_and_or_differ_with_01_inputs_but_not_with_pm1():
    cube01 = pr.exact_shares("uniform", "01").set_index("function")
    cubepm = pr.exact_shares("uniform", "pm1").set_index("function")
    assert Fraction(cube01.loc["0001", "probability_exact"]) * 2 == Fraction(cube01.loc["0111", "probability_exact"])
    assert cubepm.loc["0001", "probability_exact"] == cubepm.loc["0111", "probability_exact"]
    # pm1 by Monte Carlo, independently of the exact engine
    mc = pr.cube_monte_carlo_shares(encoding="pm1", samples=200_000, seed=5)
    assert abs(mc["0001"] - mc["0111"]) < 0.004
    sph = pr.sphere_area_shares(encoding="pm1", points=200_000)
    assert abs(sph["0001"] - sph["0111"]) < 1e-3


def test_cube_slice_areas_match_closed_forms():
    """At b = -t the AND triangle has area t^2/2 and the OR square (1 - t)^2 (integrate: 1/48, 1/24)."""
    s = np.linspace(-1, 1, 801)
    w1, w2 = np.meshgrid(s, s)
    for t in (0.3, 0.6, 0.9):
        codes = pr.truth_codes(np.stack([w1, w2, np.full_like(w1, -t)], axis=-1))
        cell = (2 / 800) ** 2
        and_area = (codes == 8).sum() * cell
        or_area = (codes == 14).sum() * cell
        assert abs(and_area - t * t / 2) < 0.01
        assert abs(or_area - (1 - t) ** 2) < 0.01


def test_what_the_pictures_show_has_the_exact_shares():
    """Pixels of the drawn views and slices, weighted by the area or volume they stand for."""
    sphere = pr.exact_shares().set_index("function")
    prior = bn.Prior("gaussian", fan_in_scaling=False)
    weight = {}
    for elev, azim in pr.SPHERE_VIEWS:  # two opposite views: the whole sphere
        codes, depth, inside = pr.sphere_view_pixels(pr._view_basis(elev, azim), prior, resolution=1000)
        # The rim stands for little area but gets huge weights; leave it out. From the poles the rim is the
        # band |b| < 0.01 (1% of the area, shared by the regions that cross the equator): a bias below 2e-3.
        ok = inside & (depth > 0.01)
        for code, w in zip(codes[ok], 1 / depth[ok]):
            weight[code] = weight.get(code, 0.0) + w
    total = sum(weight.values())
    assert {pr.string_of_code(c) for c in weight} == set(sphere.index[sphere.feasible])
    for code, w in weight.items():
        assert abs(w / total - sphere.loc[pr.string_of_code(code), "probability"]) < 3e-3
    cube = bn.Prior("uniform", fan_in_scaling=False)
    bs = (np.arange(100) + 0.5) / 100 * 2 - 1          # 100 slices: the midpoint rule in b
    codes = np.concatenate([pr.slice_pixels(b, cube, resolution=97).ravel() for b in bs])  # no grid ties
    for f, q in CUBE_01.items():
        assert abs((codes == pr._code_of(f)).mean() - float(q)) < 1e-3, f


def _texts(fig):
    texts = [t for ax in fig.axes for t in ax.texts] + list(fig.texts) + [fig._suptitle]
    return " ".join(t.get_text() for t in texts)


def test_sphere_figure_labels_every_region_and_xor_absence(tmp_path):
    path = tmp_path / "s.png"
    fig = pr.sphere_figure(path=path, resolution=120)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = _texts(fig)
    table = pr.exact_shares()
    for f, p in zip(table.function[table.feasible], table.probability[table.feasible]):
        assert f"{f} " in text and f"{100 * p:.1f}%" in text
    assert "0110 (XOR), 1001 (XNOR): no region" in text
    assert "no fan-in scaling" in text


def test_sphere_figure_says_which_prior_it_shows():
    text = _texts(pr.sphere_figure(prior=bn.Prior("gaussian"), resolution=60))
    assert "with fan-in scaling" not in text and "fan-in scaling (weights' scale sigma_w/sqrt(2))" in text
    assert "w1/0.707" in text
    share = pr.exact_shares(bn.Prior("gaussian")).set_index("function").loc["0000", "probability"]
    assert f"{100 * share:.1f}%" in text and abs(share - 0.2770) > 0.01   # not the isotropic share



def test_sphere_views_from_above_and_below_show_one_hemisphere_each():
    """The view from above shows the points with b > 0 and nothing else; the one from below b < 0."""
    prior = bn.Prior("gaussian", fan_in_scaling=False)
    signs = []
    for elev, azim in pr.SPHERE_VIEWS:
        d, right, up = pr._view_basis(elev, azim)
        s = (np.arange(300) + 0.5) / 300 * 2 - 1
        sx, sy = np.meshgrid(s, s[::-1])
        codes, depth, inside = pr.sphere_view_pixels((d, right, up), prior, resolution=300)
        b = (sx[..., None] * right + sy[..., None] * up + depth[..., None] * d)[..., 2][inside]
        signs.append(np.sign(b[np.abs(b) > 1e-9]))
        # with 0/1 inputs f(00) = [b > 0]: every pixel from above computes f(00) = 1, from below f(00) = 0
        assert {pr.string_of_code(c)[0] for c in np.unique(codes[inside & (depth > 1e-6)])} == \
            ({"1"} if elev > 0 else {"0"})
    assert set(signs[0]) == {1.0} and set(signs[1]) == {-1.0}
    fig = pr.sphere_figure(resolution=60)
    above, below = fig.axes[0], fig.axes[1]
    assert "hemisphere b > 0" in above.get_title() and "above" in above.get_title()
    assert "hemisphere b < 0" in below.get_title() and "below" in below.get_title()
    # region labels: from above only the functions with f(00) = 1, from below only those with f(00) = 0
    labels = [[t.get_text().split()[0] for t in ax.texts if t.get_text()[:4].isdigit()] for ax in (above, below)]
    assert labels[0] and all(f[0] == "1" for f in labels[0])
    assert labels[1] and all(f[0] == "0" for f in labels[1])
    assert len(labels[0]) + len(labels[1]) == 14
    oblique = pr.sphere_figure(resolution=40, views=[(28, -58)])
    assert "b > 0 and with b < 0" in oblique.axes[0].get_title()


@pytest.mark.parametrize("encoding, inputs", [("01", "0/1"), ("pm1", "-1/+1")])
def test_region_titles_state_the_encoding_and_prior(encoding, inputs):
    cube = pr.cube_figure(encoding=encoding, resolution=30)
    sphere = pr.sphere_figure(encoding=encoding, resolution=30)
    for fig, prior in ((cube, "uniform prior"), (sphere, "gaussian prior")):
        title = fig._suptitle.get_text()
        assert f"inputs {inputs}" in title, title
        assert prior in " ".join(t.get_text() for t in fig.texts)
    other = "-1/+1" if encoding == "01" else "inputs 0/1"
    assert other not in cube._suptitle.get_text()


def test_cube_figure_prints_exact_rationals(tmp_path):
    fig = pr.cube_figure(path=tmp_path / "c.png", resolution=60)
    text = _texts(fig)
    for f, q in CUBE_01.items():
        assert f"{f}" in text and f"{q.numerator}/{q.denominator} = " in text
    assert "no region" in text


def test_pictures_refuse_what_cannot_be_drawn():
    with pytest.raises(bn.BoolnetError, match="S\\^3"):
        pr.sphere_figure(n=3)
    with pytest.raises(bn.BoolnetError, match="n must be 2"):
        pr.cube_figure(n=4)
    with pytest.raises(bn.BoolnetError, match="gaussian prior"):
        pr.sphere_figure(prior="uniform")
    with pytest.raises(bn.BoolnetError, match="uniform prior"):
        pr.cube_figure(prior=bn.Prior("gaussian"))


def test_html_is_self_contained_with_hover_text(tmp_path):
    import json
    import re

    page = pr.sphere_html(tmp_path / "s.html")
    html = page.read_text(encoding="utf-8")
    assert "<script src=" not in html  # plotly.js is inside the page: it works offline
    assert len(html) > 3_000_000
    hovers = [json.loads(f'"{h}"') for h in re.findall(r'"hovertemplate":"((?:[^"\\]|\\.)*)"', html)]
    by_function = {re.match(r"<b>(\d{4})</b>", h).group(1): h for h in hovers}
    regions = bn.regions_table(2)
    gauss = bn.exact_table("2-1", prior=bn.Prior("gaussian", fan_in_scaling=False)).set_index("function")
    assert set(by_function) == set(regions.function[regions.feasible])
    for f, ineq in zip(regions.function, regions.inequalities):
        if ineq == "infeasible":
            continue
        for half_space in ineq.split("; "):
            assert half_space.replace("<=", "≤") in by_function[f], (f, half_space)
        assert f"{100 * gauss.loc[f, 'probability']:.4f}%" in by_function[f]
    assert "13/48" in by_function["0000"] and "1/48" in by_function["0001"]
    assert "0110 XOR, 1001 XNOR: no region" in html


def test_interactive_sphere_labels_are_whole_and_clear_of_the_sphere():
    """Labels were cut ("0111" read "111"): in perspective from close by, a centred label near the rim lay
    partly inside the sphere's outline and behind it. Now: orthographic, labels centred well outside the sphere,
    their full truth tables, every label and axis name inside the scene, and room around the scene."""
    fig = pr.sphere_figure_plotly()
    layout = fig.layout
    assert layout.scene.camera.projection.type == "orthographic"
    labels = [t for t in fig.data if t.type == "scatter3d" and t.mode == "text"]
    table = pr.exact_shares()
    feasible = set(table.function[table.feasible])
    shown = {t.text[0].split("<br>")[0] for t in labels}
    assert shown == feasible and all(len(f) == 4 for f in shown)     # each label its whole truth table
    half = [abs(x) for ax in (layout.scene.xaxis, layout.scene.yaxis, layout.scene.zaxis) for x in ax.range]
    for t in labels:
        assert t.textposition == "middle center"
        p = np.array([t.x[0], t.y[0], t.z[0]])
        # a centred label of half-width at most 0.15 sphere radii stays off the sphere's outline in any view
        # in which its region's centre faces the viewer
        assert np.linalg.norm(p) >= 1.15
        assert np.abs(p).max() < 0.9 * min(half)
    names = [t for t in fig.data if t.type == "scatter3d" and t.mode == "lines+text"]
    assert {t.text[-1] for t in names} == {"w1", "w2", "b"}
    for t in names:
        assert max(abs(v) for v in (*t.x, *t.y, *t.z)) < 0.95 * min(half)
    m = layout.margin
    assert min(m.l, m.r, m.b) >= 10 and m.t >= 80     # the two-line title and the scene's edges have room


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


#: Dispatched onto the page after it loads: a mouse move over the sphere, so plotly shows a hover box.
HOVER_JS = """<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var c = document.querySelector('.gl-container canvas') || document.querySelector('canvas');
    [0, 1].forEach(function (dx, k) { setTimeout(function () {
      ['mousemove', 'pointermove'].forEach(function (t) {
        c.dispatchEvent(new MouseEvent(t, {clientX: 470 + dx, clientY: 470, bubbles: true})); });
    }, 500 * k); });
  }, 1500);
});
</script></body>"""


@pytest.mark.skipif(_chromium() is None, reason="no chromium binary (apt-get install chromium)")
def test_html_renders_and_hovers_in_a_headless_browser(tmp_path):
    """In a real browser: the legend's 14 colours, a sphere, and a hover box over a region.

    benchmarks/check_regions_html.sh makes the same screenshots to look at.
    """
    import matplotlib.image as mpimg

    page = pr.sphere_html(tmp_path / "s.html")
    hover = tmp_path / "hover.html"
    hover.write_text(page.read_text(encoding="utf-8").replace("</body>", HOVER_JS), encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
                    f"--screenshot={shot}", "--window-size=1200,900", "--virtual-time-budget=10000",
                    hover.as_uri()], check=True, capture_output=True, timeout=180)
    img = (mpimg.imread(shot)[..., :3] * 255).round().astype(int)
    flat = img.reshape(-1, 3)
    counts = {}
    for f, colour in pr.COLOURS_2.items():
        rgb = (pr._rgb(colour) * 255).round().astype(int)
        counts[f] = int((np.abs(flat - rgb).max(axis=1) <= 2).sum())
    assert min(counts.values()) > 0, counts          # every legend swatch is drawn
    # The hover box is filled with its region's colour (a swatch has ~110 pixels; the lit grey of the
    # constants' large regions can match their flat colour, so they are left out).
    assert max(v for f, v in counts.items() if f not in ("0000", "1111")) > 5000, counts
    centre = img[200:700, 200:750]
    assert (np.abs(centre - 255).max(axis=2) > 30).mean() > 0.2  # the sphere is drawn (WebGL)


def test_cli_plot_regions(tmp_path, run_cli, assert_usage_error):
    png = tmp_path / "sphere.png"
    status, out, err = run_cli("plot", "regions", "--n", "2", "-o", png)
    assert status == 0, err
    assert png.read_bytes()[:4] == b"\x89PNG"
    status, _, err = run_cli("plot", "regions", "--n", "2", "--kind", "cube", "-o", tmp_path / "cube.png")
    assert status == 0, err
    assert_usage_error("plot", "regions", "--n", "3", "-o", png, mentions=("S^3", "boolnet regions --n 3"))
    assert_usage_error("plot", "regions", "--n", "2", "-o", tmp_path / "x.svg", mentions=(".png or .html",))
    assert_usage_error("plot", "regions", "--n", "2", "--kind", "cube", "-o", tmp_path / "x.html",
                       mentions=("--kind cube", ".png"))
    assert_usage_error("plot", "regions", "--n", "2", "--kind", "cube", "--prior", "gaussian",
                       "-o", tmp_path / "c.png", mentions=("--prior", "uniform"))
    assert_usage_error("plot", "regions", "--n", "2", "-o", tmp_path / "missing" / "x.png", mentions=("folder",))
    html = tmp_path / "s.html"
    status, _, err = run_cli("plot", "regions", "--n", "2", "-o", html)
    assert status == 0, err
    assert "Plotly" in html.read_text(encoding="utf-8")[:5_000_000]


def test_plot_help_imports_no_numerical_library():
    code = ("import sys, argparse; from boolnet.commands import plot; p = argparse.ArgumentParser(); "
            "plot.add_arguments(p); p.parse_args(['regions', '--n', '2', '-o', 'x.png']); "
            "print(sorted(m for m in ('matplotlib', 'plotly', 'pandas', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
