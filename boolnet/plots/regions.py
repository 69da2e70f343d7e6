"""Pictures of the n = 2 perceptron's parameter space, coloured by the function each point computes.

A perceptron ``f(x) = [w1 x1 + w2 x2 + b > 0]`` has three parameters ``(w1, w2, b)``.
Each of the four inputs ``x`` cuts parameter space by the plane ``w . x + b = 0``;
the four planes cut it into 14 cones, one per function a perceptron can compute
(XOR ``0110`` and XNOR ``1001`` get none).

* :func:`sphere_figure`: the unit sphere S^2, seen from two opposite sides, coloured by
  function. Under an isotropic Gaussian prior (``fan_in_scaling=False``,
  ``sigma_w == sigma_b``) a cone's share of the sphere's area *is* its probability; for
  other Gaussian priors the sphere is drawn in standardised coordinates
  ``(w1 / c_w, w2 / c_w, b / c_b)`` (``c`` the prior's scales), where the same holds.
* :func:`cube_figure`: slices ``b = const`` of the cube ``[-1, 1]^3`` (uniform prior,
  in the same standardised coordinates); a cone's share of the cube's volume is its
  probability (exact rationals such as AND 1/48).
* :func:`sphere_html`: a self-contained interactive page (plotly, works offline): rotate
  the sphere, hover a region for its function, half-spaces and exact share.

The colours are computed point by point from the output rule (``1`` iff
``w . x + b > 0``), the printed shares come from the exact engine
(:func:`boolnet.exact_table`), never from counting pixels;
:func:`sphere_area_shares` and :func:`cube_monte_carlo_shares` count points as an
independent check. matplotlib and plotly are imported on first use.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.plots._figure import check_path, pyplot, save, whole_number

#: Everyday names of the 16 functions of two inputs (character i of the truth table is f(x1 x2 = i in binary)).
NAMES_2 = {
    "0000": "FALSE", "0001": "AND", "0010": "x1 AND NOT x2", "0011": "x1",
    "0100": "NOT x1 AND x2", "0101": "x2", "0110": "XOR", "0111": "OR",
    "1000": "NOR", "1001": "XNOR", "1010": "NOT x2", "1011": "x1 OR NOT x2",
    "1100": "NOT x1", "1101": "NOT x1 OR x2", "1110": "NAND", "1111": "TRUE",
}

#: One colour per function, chosen so that neighbouring regions differ (constants grey, AND/NAND red,
#: OR/NOR blue, the four one-input functions green/olive, the four "one input only" functions purple/orange).
COLOURS_2 = {
    "0000": "#dedede", "1111": "#6e6e6e",
    "0001": "#d62728", "1110": "#ff9896",
    "0111": "#1f77b4", "1000": "#aec7e8",
    "0011": "#2ca02c", "1100": "#98df8a", "0101": "#bcbd22", "1010": "#dbdb8d",
    "0010": "#9467bd", "1101": "#c5b0d5", "0100": "#ff7f0e", "1011": "#ffbb78",
}

#: Short names written on the regions of the pictures (the others only by truth table).
SHORT_2 = {"0000": "FALSE", "1111": "TRUE", "0001": "AND", "0111": "OR", "1000": "NOR", "1110": "NAND",
           "0011": "x1", "0101": "x2", "1100": "NOT x1", "1010": "NOT x2"}

#: Slices of the cube drawn by :func:`cube_figure`, in units of the bias scale.
CUBE_SLICES = (-0.9, -0.6, -0.3, 0.3, 0.6, 0.9)

#: The two views (elevation, azimuth in degrees) of :func:`sphere_figure`: straight from above, the hemisphere
#: b > 0 and nothing else (w1 to the right, w2 up), and straight from below, the hemisphere b < 0 (w1 to the
#: right, w2 down, as seen from below); together they show the whole sphere, each point once.
SPHERE_VIEWS = ((90.0, -90.0), (-90.0, -90.0))

#: Pixels across a picture: enough for a thumbnail at the low end; at the high end one view already
#: holds 4 million points (a few hundred MB of intermediate arrays).
RESOLUTION_RANGE = (1, 2000)


# ---------------------------------------------------------------------------
# Checks and the prior's scales.

def _check_n(n) -> None:
    if n == 2 and not isinstance(n, bool):
        return
    if n == 3:
        raise BoolnetError("n = 3 cannot be drawn: its parameters (w1, w2, w3, b) live in 4 dimensions and its "
                           "regions on the sphere S^3; use boolnet.regions_table(3) for their half-spaces and "
                           "boolnet.exact_table('3-1') for their shares", param="n")
    raise BoolnetError(f"n must be 2 (two inputs, three parameters: a sphere S^2 or a cube can show them), got {n!r}",
                       param="n")


def _prior(prior, kind: str):
    from boolnet.priors import Prior

    if prior is None:
        return Prior(kind, fan_in_scaling=False)
    prior = _as_prior(prior)
    if prior.kind != kind:
        shape, other = ("sphere", "cube") if kind == "gaussian" else ("cube", "sphere")
        raise BoolnetError(f"the {shape} picture needs a {kind} prior (its shares are the {shape}'s "
                           f"{'areas' if shape == 'sphere' else 'volumes'}), got {prior.kind}; a {prior.kind} prior is "
                           f"drawn on the {other}", param="prior")
    return prior


def _as_prior(prior):
    """A :class:`~boolnet.priors.Prior` from a Prior or a prior name (then without fan-in scaling, as drawn)."""
    from boolnet.priors import Prior

    if isinstance(prior, str):
        return Prior(prior, fan_in_scaling=False)
    if not isinstance(prior, Prior):
        raise BoolnetError(f"prior must be a boolnet.Prior or a prior name ('gaussian', 'uniform'), got {prior!r}",
                           param="prior")
    return prior


def _resolution(resolution) -> int:
    return whole_number(resolution, "resolution", *RESOLUTION_RANGE)


def _encoding(encoding: str) -> str:
    from boolnet.functions import check_encoding

    try:
        return check_encoding(encoding)
    except BoolnetError:
        raise
    except ValueError as exc:  # pragma: no cover - check_encoding raises BoolnetError
        raise BoolnetError(str(exc), param="encoding") from None


def scales(prior, n: int = 2) -> np.ndarray:
    """The prior's scale of each parameter ``(w1, ..., wn, b)``: std (gaussian) or half-width (uniform).

    Dividing each parameter by its scale turns the prior into the standard one (isotropic
    Gaussian, or the cube ``[-1, 1]^(n+1)``): the coordinates of the pictures.

    Examples
    --------
    >>> from boolnet.priors import Prior
    >>> scales(Prior("gaussian", fan_in_scaling=False)).tolist()
    [1.0, 1.0, 1.0]
    >>> scales(Prior("gaussian")).round(4).tolist()      # fan-in scaling: weights' std 1/sqrt(2)
    [0.7071, 0.7071, 1.0]
    """
    prior = _as_prior(prior)
    c_w = prior.weight_scale(n)
    return np.array([c_w] * n + [prior.bias_scale()], dtype=float)


def _coordinates_note(prior, n: int = 2) -> str:
    c = scales(prior, n)
    if np.allclose(c, 1.0):
        return "axes: w1, w2, b"
    return f"axes: w1/{c[0]:.3g}, w2/{c[1]:.3g}, b/{c[-1]:.3g} (each parameter over its prior scale)"


def _inputs_text(encoding: str) -> str:
    """The inputs of an encoding in words, for titles: ``0/1`` or ``-1/+1``."""
    return "0/1" if encoding == "01" else "-1/+1"


def prior_text(prior) -> str:
    """A one-line description of a prior for a figure's title.

    Examples
    --------
    >>> from boolnet.priors import Prior
    >>> prior_text(Prior("uniform", fan_in_scaling=False))
    'uniform prior, sigma_w = sigma_b = 1, no fan-in scaling'
    """
    prior = _as_prior(prior)
    sig = (f"sigma_w = sigma_b = {prior.sigma_w}" if prior.sigma_w == prior.sigma_b
           else f"sigma_w = {prior.sigma_w}, sigma_b = {prior.sigma_b}")
    scaling = "fan-in scaling (weights' scale sigma_w/sqrt(2))" if prior.fan_in_scaling else "no fan-in scaling"
    return f"{prior.kind} prior, {sig}, {scaling}"


# ---------------------------------------------------------------------------
# The output rule on many parameter vectors at once.

def truth_codes(theta, encoding: str = "01") -> np.ndarray:
    """The function each parameter vector ``(w1, w2, b)`` computes, as an integer code.

    Bit ``i`` of the code is ``f(input i) = [w . x_i + b > 0]`` (ties give 0), inputs in
    truth-table order (``x1`` the most significant bit); ``string_of_code`` turns a code
    into its truth table.

    Parameters
    ----------
    theta : array_like, shape (..., 3)
    encoding : {"01", "pm1"}

    Returns
    -------
    numpy.ndarray of int, shape (...)

    Examples
    --------
    >>> [string_of_code(c) for c in truth_codes([[1, 1, -1.5], [1, 1, -0.5], [1, -1, 0.5]])]
    ['0001', '0111', '1011']
    >>> string_of_code(truth_codes([1, 1, 0.5], encoding="pm1"))     # -1/+1 inputs: OR
    '0111'
    """
    from boolnet.exact.regions import augmented_inputs

    a = augmented_inputs(2, _encoding(encoding), True).astype(float)   # (4, 3): rows (x1, x2, 1)
    try:
        theta = np.asarray(theta, dtype=float)
    except (TypeError, ValueError):
        raise BoolnetError(f"theta must be numbers (w1, w2, b), one row per parameter vector, got {theta!r:.80}",
                           param="theta") from None
    if theta.shape[-1:] != (3,):
        raise BoolnetError(f"theta must have 3 columns (w1, w2, b), got shape {theta.shape}", param="theta")
    out = (theta @ a.T) > 0                                              # (..., 4)
    return (out * (1 << np.arange(4))).sum(axis=-1)


def string_of_code(code, n: int = 2) -> str:
    """Truth table of an integer code (bit ``i`` is ``f(input i)``).

    Examples
    --------
    >>> string_of_code(8)
    '0001'
    """
    from boolnet.functions import string_from_int

    n = whole_number(n, "n", 1, 5)
    code = whole_number(code, "code", 0, (1 << (1 << n)) - 1)
    return string_from_int(code, n)


def _code_of(table: str) -> int:
    from boolnet.functions import int_from_string

    return int_from_string(table)


# ---------------------------------------------------------------------------
# Exact shares (the numbers printed on the pictures) and independent counts.

def exact_shares(prior=None, encoding: str = "01"):
    """Every function of two inputs with its exact share under ``prior``, from the exact engine.

    Parameters
    ----------
    prior : Prior or {"gaussian", "uniform"}, optional
        Default: gaussian without fan-in scaling (the share of the sphere). A name means
        that prior without fan-in scaling, as in the pictures (``"uniform"``: the cube).
    encoding : {"01", "pm1"}

    Returns
    -------
    pandas.DataFrame
        16 rows: ``function, name, feasible, probability, probability_low,
        probability_high, probability_exact`` (a fraction as text, or None), ``inequalities``
        (the irredundant half-spaces, or ``"infeasible"``), ``colour``; sorted by share, largest
        first, XOR and XNOR last with share 0.

    Examples
    --------
    >>> t = exact_shares("uniform")
    >>> t.set_index("function").loc[["0001", "0111", "0000", "0110"], "probability_exact"].tolist()
    ['1/48', '1/24', '13/48', '0']
    """
    from fractions import Fraction

    import pandas as pd

    from boolnet.pipeline import exact_table, regions_table
    from boolnet.priors import Prior

    if prior is None:
        prior = Prior("gaussian", fan_in_scaling=False)
    elif isinstance(prior, str):
        prior = Prior(prior, fan_in_scaling=False)
    encoding = _encoding(encoding)
    vol = exact_table("2-1", prior=prior, encoding=encoding)
    reg = regions_table(2, encoding=encoding)
    df = reg[["function", "feasible", "inequalities"]].merge(vol, on="function", how="left")
    for col in ("probability", "probability_low", "probability_high"):
        df[col] = df[col].fillna(0.0)
    if "probability_exact" not in df:
        df["probability_exact"] = None
    df["probability_exact"] = [("0" if not f else (str(v) if isinstance(v, (str, Fraction)) else None))
                               for v, f in zip(df["probability_exact"], df["feasible"])]
    df["name"] = df["function"].map(NAMES_2)
    df["colour"] = df["function"].map(COLOURS_2).fillna("#ffffff")
    df = df.sort_values(["feasible", "probability", "function"], ascending=[False, False, True], kind="stable")
    cols = ["function", "name", "feasible", "probability", "probability_low", "probability_high",
            "probability_exact", "inequalities", "colour"]
    out = df[cols].reset_index(drop=True).astype({"probability": float, "probability_low": float,
                                                 "probability_high": float, "feasible": bool})
    out["probability_exact"] = pd.Series(list(df["probability_exact"]), dtype=object)
    out.attrs["boolnet"] = {"prior": prior.metadata(), "encoding": encoding}
    return out


def fibonacci_sphere(points: int) -> np.ndarray:
    """``points`` nearly evenly spread points on the unit sphere S^2 (a Fibonacci lattice).

    Each point stands for the same area ``4 pi / points``: the share of points in a region
    estimates its share of the sphere's area, with no random numbers.

    Examples
    --------
    >>> p = fibonacci_sphere(1000)
    >>> p.shape, bool(np.allclose((p ** 2).sum(axis=1), 1))
    ((1000, 3), True)
    """
    points = whole_number(points, "points", 1)
    i = np.arange(points, dtype=float) + 0.5
    z = 1.0 - 2.0 * i / points                     # equal-area bands
    r = np.sqrt(np.maximum(0.0, 1.0 - z * z))
    phi = i * math.pi * (3.0 - math.sqrt(5.0))     # golden angle
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


def sphere_area_shares(prior=None, encoding: str = "01", points: int = 400_000) -> dict:
    """Each function's share of the sphere's area, by counting the points of a Fibonacci lattice.

    An independent check of the exact Gaussian shares: the sphere is in the prior's
    standardised coordinates, so the area share equals the probability.

    Examples
    --------
    >>> s = sphere_area_shares(points=20_000)
    >>> len(s), round(sum(s.values()), 12), "0110" in s       # 14 regions; XOR gets no point
    (14, 1.0, False)
    """
    prior = _prior(prior, "gaussian")
    points = whole_number(points, "points", 1)
    theta = fibonacci_sphere(points) * scales(prior)
    codes = truth_codes(theta, encoding)
    values, counts = np.unique(codes, return_counts=True)
    return {string_of_code(v): int(c) / points for v, c in zip(values, counts)}


def cube_monte_carlo_shares(prior=None, encoding: str = "01", samples: int = 400_000, seed: int = 0) -> dict:
    """Each function's share of the box of a uniform prior, by Monte Carlo.

    Examples
    --------
    >>> s = cube_monte_carlo_shares(samples=20_000)
    >>> len(s), abs(s["0000"] - 13 / 48) < 0.02
    (14, True)
    """
    prior = _prior(prior, "uniform")
    samples = whole_number(samples, "samples", 1)
    rng = np.random.default_rng(whole_number(seed, "seed", 0))
    theta = rng.uniform(-1.0, 1.0, size=(samples, 3)) * scales(prior)
    codes = truth_codes(theta, encoding)
    values, counts = np.unique(codes, return_counts=True)
    return {string_of_code(v): int(c) / samples for v, c in zip(values, counts)}


def _share_text(row, cube: bool) -> str:
    p = row["probability"]
    if cube and isinstance(row["probability_exact"], str):
        return f"{row['probability_exact']} = {100 * p:.2f}%"
    return f"{100 * p:.2f}%"


# ---------------------------------------------------------------------------
# matplotlib helpers.

def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[k:k + 2], 16) / 255 for k in (0, 2, 4)])


def _palette(encoding_codes=None) -> np.ndarray:
    """RGB of every code 0..15 (white for the two that never occur)."""
    pal = np.ones((16, 3))
    for table, colour in COLOURS_2.items():
        pal[_code_of(table)] = _rgb(colour)
    return pal


def _legend(ax, table, title: str, cube: bool, encoding: str) -> None:
    """The key: colour, truth table, name, share, half-spaces; XOR/XNOR's absence."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.text(0.0, 1.0, title, fontsize=10.5, fontweight="bold", va="top")
    ax.text(0.0, 0.955, "function  name" + " " * 12 + ("share of cube" if cube else "share"),
            fontsize=8.5, va="top", family="monospace", color="#444444")
    rows = table[table["feasible"]]
    step = 0.86 / 16
    y = 0.92
    for _, row in rows.iterrows():
        ax.add_patch(_rect((0.0, y - step * 0.78), 0.045, step * 0.7, row["colour"]))
        share = _share_text(row, cube)
        ax.text(0.06, y - step * 0.08, f"{row['function']}  {row['name']:<15.15s} {share}", fontsize=8.5,
                va="top", family="monospace")
        ax.text(0.06, y - step * 0.52, row["inequalities"].replace(" <= ", " ≤ ").replace("; ", ",  "),
                fontsize=7, va="top", family="monospace", color="#555555")
        y -= step
    y -= step * 0.25
    absent = table[~table["feasible"]]
    names = ", ".join(f"{f} ({NAMES_2[f]})" for f in absent["function"])
    ax.text(0.0, y, f"{names}: no region, share 0", fontsize=9, va="top", fontweight="bold", color="#b00000")
    inputs = "0/1" if encoding == "01" else "-1/+1"
    ax.text(0.0, y - step * 0.6, f"inputs {inputs}; output 1 iff w1 x1 + w2 x2 + b > 0; "
            "black lines: w1 x1 + w2 x2 + b = 0", fontsize=8, va="top", color="#444444")
    ax.text(0.0, y - step * 1.05, "for each input x: crossing one flips f(x)", fontsize=8, va="top", color="#444444")


def _rect(xy, w, h, colour):
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=colour, edgecolor="black", linewidth=0.5)


def _label(ax, x, y, text, fontsize=8):
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5, linespacing=1.0,
            bbox=dict(boxstyle="round,pad=0.18", facecolor="white", edgecolor="none", alpha=0.8))


# ---------------------------------------------------------------------------
# The sphere.

def _view_basis(elev_deg: float, azim_deg: float):
    """Unit vectors (towards the viewer, screen right, screen up) of an orthographic camera.

    Screen right is horizontal (``b`` constant); at the poles (elevation +-90) it is the limit
    of the oblique views, ``(-sin azimuth, cos azimuth, 0)``.

    Examples
    --------
    >>> [(v.round(12) + 0.0).tolist() for v in _view_basis(90, -90)]      # from above: w1 right, w2 up
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    el, az = math.radians(elev_deg), math.radians(azim_deg)
    d = np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])
    right = np.array([-math.sin(az), math.cos(az), 0.0])
    up = np.cross(d, right)
    return d, right, up


def sphere_view_pixels(view, prior, encoding: str = "01", resolution: int = 520):
    """The pixels of one orthographic view of the sphere: the code each computes, its depth, and the disc.

    Pixel centres ``(sx, sy)`` on a ``resolution`` x ``resolution`` grid of ``[-1, 1]^2``; inside the
    unit disc each shows the visible point ``sx right + sy up + depth d`` of the sphere
    (standardised coordinates). A pixel stands for the area ``pixel / depth`` of the sphere, so
    two opposite views, weighted so, measure each region's area: the tests use this to check
    that what the picture shows matches the exact shares.

    Parameters
    ----------
    view : tuple (d, right, up) of unit vectors, from ``_view_basis(elevation, azimuth)``
    prior : Prior
    encoding : {"01", "pm1"}
    resolution : int

    Returns
    -------
    codes, depth, inside : numpy.ndarray, each of shape (resolution, resolution)
    """
    resolution = _resolution(resolution)
    try:
        d, right, up = np.asarray(view, dtype=float).reshape(3, 3)
    except (TypeError, ValueError):
        raise BoolnetError("view must be three unit vectors (towards the viewer, screen right, screen up), as "
                           f"_view_basis(elevation, azimuth) gives, got {view!r:.80}", param="view") from None
    c = scales(prior)
    s = (np.arange(resolution) + 0.5) / resolution * 2 - 1
    sx, sy = np.meshgrid(s, s[::-1])
    rr = sx ** 2 + sy ** 2
    inside = rr <= 1.0
    depth = np.sqrt(np.clip(1.0 - rr, 0.0, None))
    p = sx[..., None] * right + sy[..., None] * up + depth[..., None] * d       # visible points of the sphere
    return truth_codes(p * c, encoding), depth, inside


def _draw_sphere_view(ax, view, prior, encoding, table, resolution, title):
    d, right, up = view
    codes, depth, inside = sphere_view_pixels(view, prior, encoding, resolution)
    c = scales(prior)
    s = (np.arange(resolution) + 0.5) / resolution * 2 - 1
    sx, sy = np.meshgrid(s, s[::-1])
    rgb = _palette()[codes]
    light = np.array([-0.4, 0.5, 0.77])
    light /= np.linalg.norm(light)
    lam = np.clip(sx * light[0] + sy * light[1] + depth * light[2], 0, 1)
    rgb = rgb * (0.72 + 0.28 * lam)[..., None]
    img = np.ones(sx.shape + (4,))
    img[..., :3] = rgb
    img[..., 3] = inside
    ax.imshow(img, extent=(-1, 1, -1, 1), interpolation="antialiased")
    # The four planes w . x + b = 0 (one per input) are great circles: draw their visible halves.
    from boolnet.exact.regions import augmented_inputs

    a = augmented_inputs(2, encoding, True).astype(float)
    t = np.linspace(0, 2 * math.pi, 721)
    for row in a:
        normal = row * c                      # a_x . theta = (a_x * c) . u in standardised coordinates u
        normal /= np.linalg.norm(normal)
        e1 = np.cross(normal, [0.3, 0.5, 0.8])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(normal, e1)
        pts = np.cos(t)[:, None] * e1 + np.sin(t)[:, None] * e2
        vis = pts @ d > 0
        x, y = pts @ right, pts @ up
        x = np.where(vis, x, np.nan)
        ax.plot(x, np.where(vis, y, np.nan), color="black", linewidth=0.9)
    from matplotlib.patches import Circle

    ax.add_patch(Circle((0, 0), 1, fill=False, linewidth=1.2))
    # Axis tripod in the lower left corner (the frame grows downwards for an axis that points down).
    origin = np.array([-1.05, -1.02])
    low = -1.2
    for k, name in enumerate(("w1", "w2", "b")):
        e = np.zeros(3)
        e[k] = 1
        v = np.array([e @ right, e @ up]) * 0.28
        alpha = 1.0 if e @ d >= -1e-9 else 0.45
        if np.hypot(*v) < 0.03:     # along the line of sight: a dot (towards the viewer) or a cross (away)
            toward = e @ d > 0
            ax.plot(*origin, marker="o" if toward else "x", color="black", ms=5 if toward else 6)
            ax.text(origin[0] + 0.06, origin[1] - 0.09, f"{name} {'towards you' if toward else 'away from you'}",
                    fontsize=8.5, ha="left", va="center")
            continue
        ax.annotate("", xy=origin + v, xytext=origin,
                    arrowprops=dict(arrowstyle="-|>", color="black", lw=1.0, alpha=alpha))
        ax.text(*(origin + v * 1.3), name, fontsize=8.5, ha="center", va="center", alpha=alpha)
        low = min(low, origin[1] + 1.3 * v[1] - 0.08)
    ax.set_xlim(-1.2, 1.1)
    ax.set_ylim(low, 1.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    return d, right, up


def _region_centres(prior, encoding, points=60_000) -> dict:
    """Spherical centroid (unit vector, standardised coordinates) of each region."""
    u = fibonacci_sphere(points)
    codes = truth_codes(u * scales(prior), encoding)
    out = {}
    for code in np.unique(codes):
        m = u[codes == code].mean(axis=0)
        out[string_of_code(code)] = m / np.linalg.norm(m)
    return out


def _views(views) -> list:
    """One or two (elevation, azimuth) pairs in degrees, elevation from -90 to 90."""
    wanted = ("views must be one or two (elevation, azimuth) pairs in degrees with -90 <= elevation <= 90 "
              f"(the figure has room for two views), got {views!r:.80}")
    try:
        out = [(float(el), float(az)) for el, az in views]
    except (TypeError, ValueError):
        raise BoolnetError(wanted, param="views") from None
    if not 1 <= len(out) <= 2 or not all(-90 <= el <= 90 and math.isfinite(az) for el, az in out):
        raise BoolnetError(wanted, param="views")
    return out


def _view_title(el: float, az: float, encoding: str) -> str:
    """What a view of the sphere shows: a whole hemisphere of b from a pole, else the half facing the viewer."""
    if abs(el) == 90:
        sign, where = (">", "above") if el > 0 else ("<", "below")
        note = f" (f(00) = {1 if el > 0 else 0})" if encoding == "01" else ""
        return f"the hemisphere b {sign} 0{note},\nseen from straight {where}"
    return (f"the half of the sphere facing a viewer at elevation {el:g}°, azimuth {az:g}°\n"
            "(it holds points with b > 0 and with b < 0)")


def sphere_figure(n: int = 2, prior=None, encoding: str = "01", path=None, *, resolution: int = 520,
                  views=SPHERE_VIEWS):
    """The parameter sphere of the n = 2 perceptron, coloured by the function each point computes.

    Two views show the whole sphere S^2 in ``(w1, w2, b)``: by default the hemisphere ``b > 0``
    from straight above and the hemisphere ``b < 0`` from straight below (each panel's title says
    what it shows; an oblique view shows the half facing it, ``b`` of both signs); each region is labelled
    with its truth table and exact share (from :func:`exact_shares`, i.e. the exact
    engine), and a key lists every function with its half-spaces. Black lines are the four
    planes ``w . x + b = 0``, one per input.

    Parameters
    ----------
    n : int
        Must be 2 (n = 3 lives on S^3 in four dimensions and is refused).
    prior : Prior or "gaussian", optional
        A Gaussian prior; default ``Prior("gaussian", fan_in_scaling=False)``, an isotropic
        Gaussian, whose probability of a region is exactly its share of the sphere's
        area (``"gaussian"`` means this one). Any other Gaussian prior is drawn in
        standardised coordinates (each parameter over its scale), where the same holds.
    encoding : {"01", "pm1"}
    path : str or Path, optional
        Also write the figure there (``.png``, ``.svg`` or ``.pdf``; atomically).
    resolution : int
        Pixels across each view of the sphere, from 1 to 2000.
    views : sequence of (elevation, azimuth) in degrees
        One or two views; elevation from -90 (straight from below) to 90 (straight from above).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = sphere_figure(resolution=80)
    >>> len(fig.axes)                        # two views and the key
    3
    >>> sphere_figure(n=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: n = 3 cannot be drawn: its parameters (w1, w2, w3, b) live in 4 dimensions ...
    >>> sphere_figure(resolution=0)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: resolution must be a whole number from 1 to 2000, got 0
    """
    _check_n(n)
    prior = _prior(prior, "gaussian")
    encoding = _encoding(encoding)
    check_path(path)
    resolution = _resolution(resolution)
    views = _views(views)
    table = exact_shares(prior, encoding)
    plt = pyplot()
    fig = plt.figure(figsize=(14.5, 6.4), dpi=100)
    gs = fig.add_gridspec(1, 3, width_ratios=[1, 1, 1.12], wspace=0.02, left=0.01, right=0.99, top=0.86,
                          bottom=0.02)
    centres = _region_centres(prior, encoding)
    shares = dict(zip(table["function"], table["probability"]))
    labelled = {}
    cams = []
    for k, (el, az) in enumerate(views):
        ax = fig.add_subplot(gs[0, k])
        cams.append((ax, _draw_sphere_view(ax, _view_basis(el, az), prior, encoding, table, resolution,
                                           _view_title(el, az, encoding))))
    low = min(ax.get_ylim()[0] for ax, _ in cams)     # one scale for both views
    for ax, _ in cams:
        ax.set_ylim(low, 1.1)
    for f, m in centres.items():
        best = max(range(len(cams)), key=lambda j: m @ cams[j][1][0])
        for j, (ax, (d, right, up)) in enumerate(cams):
            if m @ d > 0.35 or j == best:
                _label(ax, m @ right, m @ up, f"{f} {SHORT_2.get(f, '')}".strip() + f"\n{100 * shares.get(f, 0):.1f}%")
                labelled[f] = True
    _legend(fig.add_subplot(gs[0, 2]), table, "Key (share = probability, exact engine)", False, encoding)
    fig.suptitle(f"The n = 2 perceptron's parameter sphere, inputs {_inputs_text(encoding)}: 14 regions, one per "
                 "computable function (XOR and XNOR have none)", fontsize=12.5, fontweight="bold", y=0.985)
    fig.text(0.5, 0.915, f"{prior_text(prior)}; {_coordinates_note(prior)}; "
             f"each region's share of the sphere's area = its probability", ha="center", fontsize=9.5)
    save(fig, path)
    return fig


# ---------------------------------------------------------------------------
# The cube.

def _slice(b) -> float:
    if isinstance(b, bool) or not isinstance(b, (int, float, np.integer, np.floating)) or not -1 <= b <= 1:
        raise BoolnetError(f"b must be a number in [-1, 1] (the bias over its scale), got {b!r}", param="b")
    return float(b)


def slice_pixels(b: float, prior, encoding: str = "01", resolution: int = 400) -> np.ndarray:
    """The code computed at each pixel of the slice at bias ``b`` of the cube (standardised coordinates).

    Row 0 is ``w2 = 1`` (the top of the picture), column 0 is ``w1 = -1``; pixel centres.

    Examples
    --------
    >>> from boolnet.priors import Prior
    >>> codes = slice_pixels(-0.6, Prior("uniform", fan_in_scaling=False), resolution=4)
    >>> [string_of_code(v) for v in codes[0]]      # the top row, w2 = 0.75; w1 = -0.75, -0.25, 0.25, 0.75
    ['0100', '0100', '0101', '0111']
    """
    resolution = _resolution(resolution)
    b = _slice(b)
    s = (np.arange(resolution) + 0.5) / resolution * 2 - 1
    w1, w2 = np.meshgrid(s, s[::-1])
    u = np.stack([w1, w2, np.full_like(w1, b)], axis=-1)
    return truth_codes(u * scales(prior), encoding)


def cube_figure(n: int = 2, prior=None, encoding: str = "01", path=None, *, slices=CUBE_SLICES,
                resolution: int = 400):
    """Slices ``b = const`` of the parameter cube ``[-1, 1]^3``, coloured by function.

    Each panel is the square ``[-1, 1]^2`` of ``(w1, w2)`` at one bias ``b``; the lines are
    ``w1 + b = 0``, ``w2 + b = 0``, ``w1 + w2 + b = 0`` (and ``b = 0`` between panels).
    A function's share of the cube is the average over ``b`` of its share of the slices;
    the key prints the exact rational shares from the exact engine.

    Parameters
    ----------
    n : int
        Must be 2.
    prior : Prior or "uniform", optional
        A uniform prior; default ``Prior("uniform", fan_in_scaling=False)``: the cube
        ``[-1, 1]^3`` itself (``"uniform"`` means this one). Other uniform priors are drawn
        in standardised coordinates.
    encoding : {"01", "pm1"}
    path : str or Path, optional
        Also write the figure there (``.png``, ``.svg`` or ``.pdf``).
    slices : sequence of float
        Values of ``b`` (over its scale), in [-1, 1].
    resolution : int
        Pixels across each slice, from 1 to 2000.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = cube_figure(resolution=60)
    >>> len(fig.axes)                        # six slices and the key
    7
    """
    _check_n(n)
    prior = _prior(prior, "uniform")
    encoding = _encoding(encoding)
    check_path(path)
    resolution = _resolution(resolution)
    try:
        bs = [_slice(b) for b in slices]
    except (TypeError, BoolnetError):
        bs = []
    if not bs:
        raise BoolnetError(f"slices must be a non-empty sequence of values of b in [-1, 1], got {slices!r:.80}",
                           param="slices")
    slices = bs
    table = exact_shares(prior, encoding)
    c = scales(prior)
    plt = pyplot()
    cols = math.ceil(len(slices) / 2) if len(slices) > 3 else len(slices)
    rows = math.ceil(len(slices) / cols)
    fig = plt.figure(figsize=(3.3 * cols + 5.6, 3.35 * rows + 1.0), dpi=100)
    gs = fig.add_gridspec(rows, cols + 1, width_ratios=[1] * cols + [1.75], wspace=0.12, hspace=0.22,
                          left=0.035, right=0.995, top=0.86, bottom=0.06)
    pal = _palette()
    s = (np.arange(resolution) + 0.5) / resolution * 2 - 1
    w1, w2 = np.meshgrid(s, s[::-1])
    from boolnet.exact.regions import augmented_inputs

    a = augmented_inputs(2, encoding, True).astype(float)
    for k, b in enumerate(slices):
        ax = fig.add_subplot(gs[k // cols, k % cols])
        codes = slice_pixels(b, prior, encoding, resolution)
        ax.imshow(pal[codes], extent=(-1, 1, -1, 1), interpolation="nearest")
        for row in a:                                       # the lines (a_x * c) . u = 0 within this slice
            nx, ny, nb = row * c
            if abs(ny) > 1e-12:
                edge = np.array([-1.0, 1.0])
                ax.plot(edge, -(nx * edge + nb * b) / ny, color="black", lw=0.9)
            elif abs(nx) > 1e-12:
                ax.axvline(-(nb * b) / nx, color="black", lw=0.9)
        for code in np.unique(codes):
            mask = codes == code
            frac = mask.mean()
            if frac < 0.012:
                continue
            f = string_of_code(code)
            text = f"{f} {SHORT_2.get(f, '')}".strip() if frac > 0.04 else f
            size = 8 if frac > 0.04 else 6.5
            x, y = w1[mask].mean(), w2[mask].mean()

            def fits(text, x):
                """The label's both ends lie in this region: inside the panel and not over a neighbour."""
                half = 0.5 * len(text) * size * 0.0062 + 0.03      # half the label's width, in units of w1
                row = min(max(int((1 - y) / 2 * resolution), 0), resolution - 1)
                cols = [int((x + dx + 1) / 2 * resolution) for dx in (-half, half)]
                return all(0 <= col < resolution and codes[row, col] == code for col in cols)

            for candidate in (text, f):                       # the full label, else the truth table only
                inside = [x2 for x2 in [x, *np.linspace(-0.95, 0.95, 39)] if fits(candidate, x2)]
                if inside:
                    text, x = candidate, min(inside, key=lambda x2: abs(x2 - x))
                    break
            else:
                text = f                                        # a thin strip: the truth table at its centre
            _label(ax, x, y, text, fontsize=size)
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        ax.set_aspect("equal")
        note = ("  (f(00) = 1)" if b > 0 else "  (f(00) = 0)") if encoding == "01" else ""   # 01: f(00) = [b > 0]
        ax.set_title(f"slice b = {b:+g}{note}", fontsize=9.5)
        ax.tick_params(labelsize=7)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        if k % cols == 0:
            ax.set_ylabel("w2", fontsize=9)
        if k // cols == rows - 1:
            ax.set_xlabel("w1", fontsize=9)
    _legend(fig.add_subplot(gs[:, cols]), table, "Key (exact share of the cube)", True, encoding)
    fig.suptitle(f"The n = 2 perceptron's parameter cube [-1, 1]^3, inputs {_inputs_text(encoding)}, sliced at "
                 "fixed bias b", fontsize=12.5, fontweight="bold", y=0.985)
    fig.text(0.5, 0.915, f"{prior_text(prior)}; {_coordinates_note(prior)}; a function's share of the cube = "
             "its probability = the average over b of its share of the slice", ha="center", fontsize=9.5)
    save(fig, path)
    return fig


# ---------------------------------------------------------------------------
# The interactive page.

def _region_mesh(rays_u: np.ndarray, depth: int = 4):
    """Vertices and triangles of a convex spherical polygon (unit vectors ``rays_u``), finely subdivided."""
    m = rays_u.mean(axis=0)
    m /= np.linalg.norm(m)
    e1 = rays_u[0] - (rays_u[0] @ m) * m
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(m, e1)
    order = np.argsort(np.arctan2(rays_u @ e2, rays_u @ e1))
    corners = rays_u[order]
    verts, tris = [], []
    k = 1 << depth
    for i in range(len(corners)):
        A, B, C = m, corners[i], corners[(i + 1) % len(corners)]
        base = len(verts)
        index = {}
        for p in range(k + 1):
            for q in range(k + 1 - p):
                r = k - p - q
                v = (r * A + p * B + q * C) / k
                index[p, q] = base + len(index)
                verts.append(v / np.linalg.norm(v))
        for p in range(k):
            for q in range(k - p):
                tris.append((index[p, q], index[p + 1, q], index[p, q + 1]))
                if p + q + 1 < k:
                    tris.append((index[p + 1, q], index[p + 1, q + 1], index[p, q + 1]))
    return np.array(verts), np.array(tris)


#: The interactive sphere: its labels' distance from the centre (the sphere's radius is 1), far enough out that
#: a centred two-line label of a region facing the viewer clears the sphere's outline; the axes' length; the
#: half-width of the scene, beyond every label and axis name.
LABEL_RADIUS = 1.22
AXIS_LENGTH = 1.4
SCENE_HALF_WIDTH = 1.6


def sphere_figure_plotly(n: int = 2, prior=None, encoding: str = "01"):
    """The interactive sphere as a ``plotly.graph_objects.Figure`` (see :func:`sphere_html`).

    Drawn in orthographic projection, each region's label (its truth table and share) centred
    :data:`LABEL_RADIUS` from the centre, outside the sphere: a label is never partly hidden
    behind the sphere's outline, and every label and axis name lies inside the scene.

    Examples
    --------
    >>> fig = sphere_figure_plotly()
    >>> sorted(t.text[0].split("<br>")[0] for t in fig.data if (t.name or "").startswith("label"))[:3]
    ['0000', '0001', '0010']
    """
    import plotly.graph_objects as go

    from boolnet.exact.regions import augmented_inputs, region

    _check_n(n)
    prior = _prior(prior, "gaussian")
    encoding = _encoding(encoding)
    table = exact_shares(prior, encoding)
    cube = exact_shares(_uniform_twin(prior), encoding).set_index("function")
    c = scales(prior)
    fig = go.Figure()
    for _, row in table.iterrows():
        f = row["function"]
        if not row["feasible"]:
            continue
        rays = np.array(region(f, encoding, True).rays, dtype=float) / c        # standardised coordinates
        rays /= np.linalg.norm(rays, axis=1)[:, None]
        v, t = _region_mesh(rays)
        v = v * 1.0
        ineq = row["inequalities"].replace("<=", "≤").replace("; ", "<br>  ")
        cube_row = cube.loc[f]
        hover = (f"<b>{f}</b>  {row['name']}<br>half-spaces:<br>  {ineq}<br>"
                 f"share of the sphere (= Gaussian probability): {100 * row['probability']:.4f}%<br>"
                 f"share of the cube [-1,1]^3 (uniform prior): {cube_row['probability_exact']} "
                 f"= {100 * cube_row['probability']:.3f}%<extra></extra>")
        fig.add_trace(go.Mesh3d(x=v[:, 0], y=v[:, 1], z=v[:, 2], i=t[:, 0], j=t[:, 1], k=t[:, 2],
                                color=row["colour"], opacity=1.0, flatshading=False, name=f"{f} {row['name']}",
                                showlegend=True, hovertemplate=hover,
                                lighting=dict(ambient=0.88, diffuse=0.22, specular=0.02, fresnel=0.0),
                                legendgroup=f))
        m = v.mean(axis=0)
        m = m / np.linalg.norm(m) * LABEL_RADIUS
        fig.add_trace(go.Scatter3d(x=[m[0]], y=[m[1]], z=[m[2]], mode="text", textposition="middle center",
                                   text=[f"{f}<br>{100 * row['probability']:.1f}%"],
                                   textfont=dict(size=11, color="black"), hoverinfo="skip", showlegend=False,
                                   name=f"label {f}", legendgroup=f))
    a = augmented_inputs(2, encoding, True).astype(float)
    t = np.linspace(0, 2 * math.pi, 361)
    for idx, row in enumerate(a):
        normal = row * c
        normal /= np.linalg.norm(normal)
        e1 = np.cross(normal, [0.3, 0.5, 0.8])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(normal, e1)
        pts = (np.cos(t)[:, None] * e1 + np.sin(t)[:, None] * e2) * 1.004
        x = "".join(map(str, [int(b) for b in (row[:2] > 0)]))
        fig.add_trace(go.Scatter3d(x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], mode="lines",
                                   line=dict(color="black", width=3), name=f"plane of input {x}",
                                   hoverinfo="skip", showlegend=False))
    for k, name in enumerate(("w1", "w2", "b")):
        e = np.zeros(3)
        e[k] = AXIS_LENGTH
        fig.add_trace(go.Scatter3d(x=[0, e[0]], y=[0, e[1]], z=[0, e[2]], mode="lines+text", text=["", name],
                                   line=dict(color="#333333", width=4), textfont=dict(size=15),
                                   hoverinfo="skip", showlegend=False))
    absent = ", ".join(f"{f} {NAMES_2[f]}" for f in table.loc[~table["feasible"], "function"])
    fig.add_trace(go.Scatter3d(x=[None], y=[None], z=[None], mode="markers", marker=dict(color="white"),
                               name=f"{absent}: no region", showlegend=True, hoverinfo="skip"))
    axis = dict(range=[-SCENE_HALF_WIDTH, SCENE_HALF_WIDTH], showbackground=False, showgrid=False, zeroline=False, showticklabels=False,
                showspikes=False, title="")
    fig.update_layout(
        title=dict(text=(f"n = 2 perceptron: the parameter sphere, 14 regions (XOR, XNOR: none). "
                         f"Drag to rotate, hover a region.<br><sup>{prior_text(prior)}; "
                         f"{_coordinates_note(prior)}; share of the sphere = probability; "
                         f"inputs {'0/1' if encoding == '01' else '-1/+1'}</sup>"), x=0.02),
        # Orthographic: a label just beyond the rim is drawn beside the sphere, not half behind it (in
        # perspective from close by, the sphere's outline lies in front of its equator and hid the first
        # characters of labels near it: "0111" was read "111").
        scene=dict(xaxis=axis, yaxis=axis, zaxis=axis, aspectmode="cube",
                   camera=dict(eye=dict(x=0.95, y=-0.78, z=0.62), projection=dict(type="orthographic"))),
        legend=dict(title=dict(text="function (click to hide)"), itemsizing="constant"),
        margin=dict(l=10, r=10, t=90, b=10), width=None, height=None, paper_bgcolor="white",
    )
    return fig


def _uniform_twin(prior):
    from boolnet.priors import Prior

    return Prior("uniform", prior.sigma_w, prior.sigma_b, fan_in_scaling=prior.fan_in_scaling)


def sphere_html(path, n: int = 2, prior=None, encoding: str = "01"):
    """Write the interactive sphere to ``path``: one self-contained HTML page that works offline.

    Drag to rotate; hover a region for its truth table, name, half-spaces, exact share of
    the sphere (the Gaussian probability) and exact share of the cube; click a legend
    entry to hide a region.

    Parameters
    ----------
    path : str or Path
        An ``.html`` file (written atomically; the folder must exist).
    n, prior, encoding
        As :func:`sphere_figure`.

    Returns
    -------
    pathlib.Path
        The page written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> page = sphere_html(pathlib.Path(tempfile.mkdtemp()) / "sphere.html")
    >>> text = page.read_text(encoding="utf-8")
    >>> "0001" in text and "XOR" in text and "<script src=" not in text
    True
    """
    from boolnet.io import atomic_path

    path = check_path(path, suffixes=(".html",))
    if path is None:
        raise BoolnetError("path must be the name of the .html file to write, got None", param="path")
    fig = sphere_figure_plotly(n, prior, encoding)
    html = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False, "responsive": True},
                       default_height="100vh")
    with atomic_path(path) as tmp:
        Path(tmp).write_text(html, encoding="utf-8")
    return Path(path)
