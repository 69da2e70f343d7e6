"""Exact volumes of perceptron regions under boolnet's priors.

Parameters ``theta = (w_1..w_n, b)`` are independent with scales
``c_w = sigma_w * s`` (weights) and ``c_b = sigma_b`` (bias). Substituting
``theta_k = c_k u_k`` turns the prior into the standard one (the cube
``[-1, 1]^d`` or the standard Gaussian) and a region ``{g . theta >= 0}`` into
``{(g * c) . u >= 0}``; only the ratio ``r = c_w / c_b`` matters.

* ``uniform``: the probability is vol(cone intersect cube) / 2^d. When r is
  rational the normals are scaled to integers and Normaliz returns the volume as
  an exact rational. When r is irrational (fan-in scaling with n not a perfect
  square) the volume is computed exactly at a rational r' >= r within relative
  1e-14 of r; since the boxes are nested, ``|F(r') - F(r)| <= 1 - (r / r')^n``,
  which is the stated error bound (about 1e-13).
* ``gaussian``: the Gaussian measure of the cone (a solid angle). Normaliz
  triangulates the cone exactly into simplicial cones; each simplicial cone's
  measure is an orthant probability evaluated by :mod:`boolnet.exact.gaussian`
  with its own error bound; the bounds add up.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from boolnet.exact.regions import Region
from boolnet.priors import Prior

#: r' approximates an irrational scale ratio r from above within this relative error.
IRRATIONAL_RATIO_DIGITS = 14


def scale_ratio(prior: Prior, n: int) -> tuple[Fraction, float]:
    """Rational ratio r' >= c_w / c_b and the error bound its use costs on a probability.

    Returns ``(r', bound)`` with ``bound = 0`` when r is rational (then r' = r).
    """
    exact_w = prior.weight_scale_exact(n)
    if exact_w is not None:
        return exact_w / prior.sigma_b, 0.0
    r2 = (prior.sigma_w / prior.sigma_b) ** 2 / n  # r**2, exactly
    scale = 10**IRRATIONAL_RATIO_DIGITS
    target = r2 * scale * scale
    k = math.isqrt(target.numerator // target.denominator)
    while Fraction(k * k) < target:
        k += 1
    r_up = Fraction(k, scale)
    # 1 - (r/r')^n <= n (1 - r/r') <= n (r'/r - 1); the 1e-15 covers rounding of the float ratio.
    ratio_sq = float(r_up * r_up / r2)  # >= 1, within ~1e-14 of 1
    bound = n * (math.sqrt(ratio_sq) - 1.0) + 1e-15
    return r_up, max(bound, 1e-15)


def _integer_normals(region: Region, ratio: Fraction) -> list[list[int]]:
    """Facet normals in u-coordinates, scaled to integers (weights by r' = p/q, bias by 1)."""
    p, q = ratio.numerator, ratio.denominator
    rows = []
    for normal in region.facet_normals:
        normal = list(normal)
        if region.bias:
            rows.append([c * p for c in normal[:-1]] + [normal[-1] * q])
        else:  # without a bias all coordinates share one scale: the cone is unchanged
            rows.append(list(normal))
    return rows


def uniform_probability(region: Region, prior: Prior) -> tuple[float, Fraction | None, float]:
    """Probability of a region under the uniform prior.

    Returns
    -------
    probability : float
    probability_exact : Fraction or None
        The exact rational (None when the box is irrational).
    error_bound : float
        0 for exact results.

    Examples
    --------
    >>> from boolnet.exact.regions import region
    >>> cube = Prior("uniform", fan_in_scaling=False)
    >>> uniform_probability(region("0001"), cube)[1]     # AND on the cube [-1, 1]^3
    Fraction(1, 48)
    """
    from boolnet.exact._normaliz import Cone

    if not region.full_dimensional:
        return 0.0, Fraction(0), 0.0
    n = region.n
    d = n + (1 if region.bias else 0)
    ratio, bound = scale_ratio(prior, n) if region.bias else (Fraction(1), 0.0)
    rows = [r + [0] for r in _integer_normals(region, ratio)]
    for k in range(d):
        for sign in (1, -1):
            box = [0] * d + [1]
            box[k] = sign
            rows.append(box)
    volume = Fraction(str(Cone(inhom_inequalities=rows).Volume()))  # lattice-normalised
    prob = volume / (math.factorial(d) * 2**d)
    if bound:
        return float(prob), None, bound
    return float(prob), prob, 0.0


def gaussian_probabilities(regions: list[Region], prior: Prior) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian measures of several regions (probabilities, error bounds), in one batch.

    Each region is triangulated exactly by Normaliz; the simplicial cones of all regions go to
    :func:`boolnet.exact.gaussian.simplicial_cone_measures` in one call, so its parallel loop has
    enough work for every core.

    Examples
    --------
    >>> from boolnet.exact.regions import region
    >>> p, err = gaussian_probabilities([region("01", bias=False), region("0001")], Prior())
    >>> round(float(p[0]), 12), bool(err.max() < 1e-12)      # w > 0: half of the line
    (0.5, True)
    """
    from boolnet.exact._normaliz import Cone
    from boolnet.exact.gaussian import simplicial_cone_measures

    probs = np.zeros(len(regions))
    errors = np.zeros(len(regions))
    by_dim: dict[tuple, tuple[list, list]] = {}
    for k, reg in enumerate(regions):
        if not reg.full_dimensional:
            continue
        cone = Cone(inequalities=[list(r) for r in reg.facet_normals])
        simplices, generators = cone.Triangulation()[:2]
        gens = np.array(generators, dtype=np.float64)
        scales = np.full(gens.shape[1], prior.weight_scale(reg.n))
        if reg.bias:
            scales[-1] = prior.bias_scale()
        stacks, owners = by_dim.setdefault(tuple(scales), ([], []))
        for s in simplices:
            stacks.append(gens[list(s[0])])
            owners.append(k)
    for scales, (stacks, owners) in by_dim.items():
        values, errs = simplicial_cone_measures(np.stack(stacks), np.array(scales))
        np.add.at(probs, owners, values)
        np.add.at(errors, owners, errs)
    return probs, errors


def gaussian_probability(region: Region, prior: Prior) -> tuple[float, float]:
    """Gaussian measure of one region (probability, error bound); see :func:`gaussian_probabilities`.

    Examples
    --------
    >>> from boolnet.exact.regions import region
    >>> p, err = gaussian_probability(region("01", bias=False), Prior())   # w > 0
    >>> round(p, 12), err < 1e-12
    (0.5, True)
    """
    p, err = gaussian_probabilities([region], prior)
    return float(p[0]), float(err[0])


def probabilities(regions: list[Region], prior: Prior) -> list[tuple[float, Fraction | None, float]]:
    """Probabilities of regions under ``prior``: (float, exact Fraction or None, error bound) each."""
    if prior.kind == "uniform":
        return [uniform_probability(reg, prior) for reg in regions]
    p, err = gaussian_probabilities(regions, prior)
    return [(float(a), None, float(b)) for a, b in zip(p, err)]


def probability(region: Region, prior: Prior) -> tuple[float, Fraction | None, float]:
    """Probability of one region under ``prior``: (float, exact Fraction or None, error bound)."""
    return probabilities([region], prior)[0]


__all__ = ["probability", "probabilities", "uniform_probability", "gaussian_probability", "gaussian_probabilities",
           "scale_ratio"]
