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

from boolnet.exact.regions import Region, augmented_inputs
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


def gaussian_probability(region: Region, prior: Prior) -> tuple[float, float]:
    """Gaussian measure of a region (probability, error bound).

    Examples
    --------
    >>> from boolnet.exact.regions import region
    >>> p, err = gaussian_probability(region("01", bias=False), Prior())   # w > 0
    >>> round(p, 12), err < 1e-12
    (0.5, True)
    """
    from boolnet.exact._normaliz import Cone

    from boolnet.exact.gaussian import simplicial_cone_measures

    if not region.full_dimensional:
        return 0.0, 0.0
    n = region.n
    cone = Cone(inequalities=[list(r) for r in region.facet_normals])
    simplices, generators = cone.Triangulation()[:2]
    gens = np.array(generators, dtype=np.float64)
    stacks = np.stack([gens[list(s[0])] for s in simplices])
    scales = np.full(stacks.shape[2], prior.weight_scale(n))
    if region.bias:
        scales[-1] = prior.bias_scale()
    values, errors = simplicial_cone_measures(stacks, scales)
    return float(values.sum()), float(errors.sum())


def probability(region: Region, prior: Prior) -> tuple[float, Fraction | None, float]:
    """Probability of a region under ``prior``: (float, exact Fraction or None, error bound)."""
    if prior.kind == "uniform":
        return uniform_probability(region, prior)
    p, err = gaussian_probability(region, prior)
    return p, None, err


__all__ = ["probability", "uniform_probability", "gaussian_probability", "scale_ratio", "augmented_inputs"]
