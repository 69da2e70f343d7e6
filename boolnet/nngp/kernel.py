"""The NNGP kernel: covariance of the output pre-activations of the infinite-width limit.

A network ``n-inf-...-inf-1`` (every hidden width infinite, fan-in scaling on) has output
pre-activations ``z(x)`` on the ``2**n`` inputs that form a centred Gaussian vector. Its
covariance is computed layer by layer in boolnet's parametrisation (:mod:`boolnet.priors`):
with ``v(sigma) = sigma**2`` for the Gaussian prior and ``sigma**2 / 3`` for the uniform one
(the variance of ``U[-sigma, sigma]``),

* first layer (fan-in ``n``): ``K_1(x, x') = v(sigma_b1) + v(sigma_w1) * (x . x') / n``;
* every later layer ``l``: ``K_l(x, x') = v(sigma_bl) + v(sigma_wl) * E[phi(u) phi(u')]``,
  ``(u, u')`` the previous layer's pre-activations on ``(x, x')``.

Behind a layer of infinite width the sum over its units is Gaussian with covariance
``K_{l-1} - v(sigma_b)`` for either prior (central limit theorem). Under the Gaussian prior so is the
whole pre-activation, and the expectation has a closed form for relu, step, sign and linear and a
quadrature accurate to about 2e-15 for tanh (:func:`gauss_expectation`). Under the uniform prior a
unit's own bias is one term, not a sum: it stays uniform, and ``u = b + G`` is not the Gaussian of
equal variance (:func:`uniform_bias_expectation`). The first hidden layer has only ``n`` inputs: under
the uniform prior its pre-activation is a sum of ``n + 1`` uniforms, and the expectation feeding the
second layer is computed under that law (:func:`uniform_first_expectation`). ``docs/nngp.md`` ("The
kernel") has the formulas, the checks and the timings.

The kernel is computed on classes of input pairs that share every entry of every layer (the
prior is invariant under permutations of the inputs, and under sign flips for ``pm1``): pairs
``(x, x')`` of 0/1 inputs with the same ``(|x and x'|, |x and not x'|, |x' and not x|)``, or
of -1/+1 inputs with the same Hamming distance.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache, lru_cache, partial
from itertools import pairwise

import numpy as np

from boolnet.checks import as_prior, check_bool
from boolnet.errors import BoolnetError
from boolnet.functions import check_encoding
from boolnet.network import check_activation, parse_arch

__all__ = [
    "gauss_expectation",
    "nngp_kernel",
    "tanh_mixture_rule",
    "uniform_bias_expectation",
    "uniform_first_expectation",
]

#: Beyond ``|y| > _Y`` tanh(y) is sign(y) to 1e-17: integrands with tanh are polynomial there.
_Y = 20.0
#: Longest quadrature cell (in pre-activation units) where tanh is not saturated.
_CELL = 1.0
#: Gauss-Legendre nodes per cell: polynomial integrands (degree <= n + 2 <= 9: exact), tanh cells.
_G_POLY = 8
_G_TANH = 16


# ---------------------------------------------------------------------------------------------
# Gaussian expectations E[phi(u) phi(u')], (u, u') ~ N(0, [[s1, c], [c, s2]])
# ---------------------------------------------------------------------------------------------


def _kolmogorov_pdf(k: np.ndarray) -> np.ndarray:
    """Density of the Kolmogorov distribution, ``P(K <= k) = 1 - 2 sum_j (-1)**(j-1) exp(-2 j**2 k**2)``.

    Two theta-function series, each used where it converges fast (30 terms: far past float64).
    """
    k = np.asarray(k, dtype=np.float64)
    out = np.empty_like(k)
    small = k < 1.0
    if small.any():
        ks = k[small]
        q = ((2.0 * np.arange(1, 31) - 1.0) ** 2 * np.pi**2 / 8.0)[:, None]
        out[small] = math.sqrt(2.0 * math.pi) * np.sum(np.exp(-q / ks**2) * (2.0 * q / ks**4 - 1.0 / ks**2), axis=0)
    if (~small).any():
        kl = k[~small]
        j = np.arange(1, 31, dtype=np.float64)[:, None]
        out[~small] = 8.0 * kl * np.sum((-1.0) ** (j + 1) * j**2 * np.exp(-2.0 * j**2 * kl**2), axis=0)
    return out


@lru_cache(maxsize=1)
def tanh_mixture_rule() -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``k_i`` and weights ``w_i`` with ``tanh(y) ~= sum_i w_i erf(y / (sqrt(2) k_i))`` for every real y.

    The logistic distribution is a scale mixture of normals with scale ``2K``, ``K`` Kolmogorov
    distributed (Andrews & Mallows 1974; Stefanski 1991), so ``tanh(y) = E_K[erf(y / (sqrt(2) K))]``
    exactly. The rule is the 40-node Gauss rule of the Kolmogorov distribution: the Stieltjes
    procedure run on a fine discretisation of its density (Gauss-Legendre, 40 nodes on each of 16
    panels between 0.12 and 5.5, outside which the density is below 1e-24), then the eigenvalues of
    the Jacobi matrix (Golub-Welsch). Weights are positive and sum to 1 within 1e-16, and
    ``max_y |tanh(y) - sum_i w_i erf(y / (sqrt(2) k_i))|`` is below 1e-15 (checked in the tests), which
    bounds the error of any expectation ``E[tanh(u) tanh(u')]`` computed through the rule by 2e-15.

    Examples
    --------
    >>> from scipy.special import erf
    >>> k, w = tanh_mixture_rule()
    >>> len(k), bool(abs(w @ erf(0.7 / (np.sqrt(2) * k)) - np.tanh(0.7)) < 1e-15)
    (40, True)
    """
    x, g = np.polynomial.legendre.leggauss(40)
    edges = (0.12, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.2, 2.6, 3.0, 3.5, 4.0, 4.8, 5.5)
    t = np.concatenate([(hi - lo) / 2 * x + (hi + lo) / 2 for lo, hi in pairwise(edges)])
    mass = np.concatenate([(hi - lo) / 2 * g for lo, hi in pairwise(edges)]) * _kolmogorov_pdf(t)
    n = 40
    alpha, beta = np.empty(n), np.empty(n)
    p_prev, p, norm_prev = np.zeros_like(t), np.ones_like(t), 1.0
    for j in range(n):  # monic orthogonal polynomials of the discrete measure, three-term recurrence
        norm = np.sum(mass * p * p)
        alpha[j] = np.sum(mass * t * p * p) / norm
        beta[j] = norm / norm_prev if j else norm
        p_prev, p, norm_prev = p, (t - alpha[j]) * p - (beta[j] if j else 0.0) * p_prev, norm
    off = np.sqrt(beta[1:])
    nodes, vectors = np.linalg.eigh(np.diag(alpha) + np.diag(off, 1) + np.diag(off, -1))
    weights = beta[0] * vectors[0] ** 2
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


def gauss_expectation(activation: str, s1, s2, c) -> np.ndarray:
    """``E[phi(u) phi(u')]`` for ``(u, u')`` centred Gaussian with variances ``s1, s2`` and covariance ``c``.

    Arrays broadcast together. Closed forms with ``rho = c / sqrt(s1 s2)`` (clipped to [-1, 1])
    and ``theta = arccos(rho)``: relu ``sqrt(s1 s2) (sin theta + (pi - theta) cos theta) / (2 pi)``
    (the arc-cosine kernel of degree 1, Cho & Saul 2009), step ``1/4 + asin(rho) / (2 pi)``
    (Sheppard), sign ``(2 / pi) asin(rho)``, linear ``c``. tanh: with ``tanh(y) = E_K[erf(y / (sqrt(2)
    K))]`` (:func:`tanh_mixture_rule`) and ``E[erf(a u) erf(b u')] = (2/pi) asin(2ab c / sqrt((1 + 2a^2
    s1)(1 + 2b^2 s2)))``, ``E[tanh u tanh u'] = E_{K,K'}[(2/pi) asin(c / sqrt((K^2 + s1)(K'^2 + s2)))]``, a
    smooth 2-d integral done with the 40-node rule (1600 terms), accurate to about 2e-15 for every variance.
    A zero variance gives 0 for every activation (each has ``phi(0) = 0``).

    Examples
    --------
    >>> float(gauss_expectation("relu", 1.0, 1.0, 0.0))       # 1 / (2 pi)
    0.15915494309189535
    >>> round(float(gauss_expectation("sign", 2.0, 2.0, 1.0)), 15)   # (2/pi) asin(1/2) = 1/3
    0.333333333333333
    """
    s1, s2, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (s1, s2, c)))
    if activation == "linear":
        return c.copy()
    root = np.where(s1 == s2, s1, np.sqrt(s1) * np.sqrt(s2))  # not sqrt(s1 * s2), which overflows first
    ok = root > 0
    rho = np.clip(np.divide(c, root, out=np.zeros_like(c), where=ok), -1.0, 1.0)
    if activation == "relu":
        sin_t = np.sqrt(np.maximum(1.0 - rho * rho, 0.0))
        theta = np.arctan2(sin_t, rho)
        return root * (sin_t + (np.pi - theta) * rho) / (2.0 * np.pi)
    if activation == "step":
        return np.where(ok, 0.25 + np.arcsin(rho) / (2.0 * np.pi), 0.0)
    if activation == "sign":
        return np.where(ok, np.arcsin(rho) * (2.0 / np.pi), 0.0)
    if activation == "tanh":
        k, w = tanh_mixture_rule()
        k2 = k * k
        shape = c.shape
        s1f, s2f, cf = s1.reshape(-1, 1, 1), s2.reshape(-1, 1, 1), c.reshape(-1, 1, 1)
        arg = cf / (np.sqrt(k2[None, :, None] + s1f) * np.sqrt(k2[None, None, :] + s2f))
        vals = np.arcsin(np.clip(arg, -1.0, 1.0))
        return (np.einsum("mij,i,j->m", vals, w, w) * (2.0 / np.pi)).reshape(shape)
    raise AssertionError(activation)  # pragma: no cover - checked at the door


# ---------------------------------------------------------------------------------------------
# Sums of uniforms: the first hidden layer under the uniform prior
# ---------------------------------------------------------------------------------------------


@cache
def _pieces(k: int, e: int) -> np.ndarray:
    """``(k, e + 1)`` coefficients of ``T(t) = sum_j (-1)**j C(k, j) (t + k - 2j)_+**e / (2**k e!)`` on its pieces.

    ``S_k``, a sum of ``k >= 1`` independent ``U[-1, 1]``, has density ``T`` with ``e = k - 1``, CDF
    ``T`` with ``e = k`` and ``E[(t + S_k)_+] = T`` with ``e = k + 1``. Piece ``J`` is
    ``[-k + 2J, -k + 2J + 2]``; its polynomial is in the local variable ``s = t + k - 2J - 1`` in
    ``[-1, 1]``, with coefficients expanded exactly in rationals and rounded once (ascending powers).
    """
    out = np.zeros((k, e + 1))
    scale = Fraction(1, 2**k * math.factorial(e))
    for J in range(k):
        coef = [0] * (e + 1)
        for j in range(J + 1):
            shift = 2 * J + 1 - 2 * j
            sgn = (-1) ** j * math.comb(k, j)
            for i in range(e + 1):
                coef[i] += sgn * math.comb(e, i) * shift ** (e - i)
        out[J] = [float(cf * scale) for cf in coef]
    out.setflags(write=False)
    return out


def _pp(k: int, e: int, t: np.ndarray) -> np.ndarray:
    """The piecewise polynomial of :func:`_pieces` at ``t`` (pieces extended past ``[-k, k]``; callers mask)."""
    coef = _pieces(k, e)
    J = np.clip(np.floor((t + k) / 2.0), 0, k - 1).astype(np.int64)
    s = t + (k - 1) - 2.0 * J
    val = coef[J, e]
    for i in range(e - 1, -1, -1):
        val = val * s + coef[J, i]
    return val


def _density(k: int, t: np.ndarray) -> np.ndarray:
    """Density of ``S_k`` (``k >= 1``) at ``t``."""
    return np.where(np.abs(t) < k, _pp(k, k - 1, t), 0.0)


def _cdf(k: int, t: np.ndarray) -> np.ndarray:
    """``P(S_k < t)`` (``k >= 1``)."""
    return np.where(t <= -k, 0.0, np.where(t >= k, 1.0, _pp(k, k, t)))


def _relu_mean(k: int, t: np.ndarray) -> np.ndarray:
    """``E[(t + S_k)_+]`` (``k >= 1``)."""
    return np.where(t <= -k, 0.0, np.where(t >= k, t, _pp(k, k + 1, t)))


def _phi(activation: str, y: np.ndarray) -> np.ndarray:
    if activation == "relu":
        return np.maximum(y, 0.0)
    if activation == "tanh":
        return np.tanh(y)
    if activation == "step":
        return (y > 0).astype(np.float64)
    if activation == "sign":
        return np.sign(y)
    return y


@cache
def _gl(g: int):
    return np.polynomial.legendre.leggauss(g)


def _integrate_rows(breaks: np.ndarray, func, g: int) -> np.ndarray:
    """``sum over rows r`` of the Gauss-Legendre integral of ``func`` over the cells of ``breaks[r]`` (sorted)."""
    x, w = _gl(g)
    lo, hi = breaks[:, :-1], breaks[:, 1:]
    half = (hi - lo) / 2.0
    t = ((hi + lo) / 2.0)[..., None] + half[..., None] * x
    return np.einsum("rcg,rc,g->r", func(t), half, w)


def _window(lo: np.ndarray, hi: np.ndarray, length: float) -> np.ndarray:
    """Per row, ``lo .. hi`` cut in equal cells no longer than ``_CELL`` in pre-activation units
    (``length`` is the longest ``hi - lo`` in those units)."""
    cells = max(1, math.ceil(length / _CELL - 1e-9))
    return lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, cells + 1)


def _smoothed(activation: str, k: int, a: float, alpha: np.ndarray) -> np.ndarray:
    """``E[phi(alpha + a S_k)]`` for an array of ``alpha``."""
    if k == 0 or activation == "linear":
        return _phi(activation, alpha)
    t = alpha / a
    if activation == "relu":
        return a * _relu_mean(k, t)
    if activation == "step":
        return _cdf(k, t)
    if activation == "sign":
        return 2.0 * _cdf(k, t) - 1.0
    # tanh: integrate over S_k; tanh(alpha + a t) is +-1 except for |alpha + a t| < _Y, cut finely there.
    R = alpha.shape[0]
    knots = np.broadcast_to(np.arange(-k, k + 1, 2, dtype=np.float64), (R, k + 1))
    lo = np.clip((-alpha - _Y) / a, -k, k)
    hi = np.clip((-alpha + _Y) / a, -k, k)
    win = _window(lo, hi, min(2 * _Y, 2 * k * a))
    breaks = np.sort(np.concatenate([knots, win], axis=1), axis=1)
    return _integrate_rows(breaks, lambda s: _density(k, s) * np.tanh(alpha[:, None, None] + a * s), _G_TANH)


def _mirrored(activation: str, d: int, a: float, alpha: np.ndarray) -> np.ndarray:
    """``E[phi(alpha + a S_d) phi(alpha - a S_d)]`` for an array of ``alpha``."""
    if d == 0:
        return _phi(activation, alpha) ** 2
    R = alpha.shape[0]
    knots = np.broadcast_to(np.arange(-d, d + 1, 2, dtype=np.float64), (R, d + 1))
    kinks = np.clip(np.stack([alpha / a, -alpha / a], axis=1), -d, d)
    parts = [knots, kinks]
    g = _G_POLY
    if activation == "tanh":
        g = _G_TANH
        for centre in (alpha / a, -alpha / a):
            lo = np.clip(centre - _Y / a, -d, d)
            hi = np.clip(centre + _Y / a, -d, d)
            parts.append(_window(lo, hi, min(2 * _Y, 2 * d * a)))
    breaks = np.sort(np.concatenate(parts, axis=1), axis=1)

    def func(s):
        al = alpha[:, None, None]
        return _density(d, s) * _phi(activation, al + a * s) * _phi(activation, al - a * s)

    return _integrate_rows(breaks, func, g)


def _shared_density(m: int, a: float, cb: float, alpha: np.ndarray) -> np.ndarray:
    """Density at ``alpha`` of ``A = b + a S_m``, ``b ~ U[-cb, cb]`` (``cb = 0``: no bias); ``m + (cb > 0) >= 1``."""
    if cb == 0.0:
        return _density(m, alpha / a) / a
    if m == 0:
        return np.where(np.abs(alpha) < cb, 0.5 / cb, 0.0)
    # (1 / 2cb) P(alpha - b in a S_m): Gauss-Legendre on cells cut at the knots of the density (exact for
    # its polynomial pieces). The cells are laid out in the wider of the two variables, so that their
    # lengths are differences of numbers of their own size, not small differences of large ones: over
    # the bias b in [-cb, cb] if the bias is the narrower law, over t = (alpha - b) / a otherwise.
    R = alpha.shape[0]
    knots = np.arange(-m, m + 1, 2, dtype=np.float64)[None, :]
    if cb <= m * a:
        cuts = np.clip(alpha[:, None] - a * knots, -cb, cb)
        ends = np.broadcast_to(np.array([-cb, cb]), (R, 2))
        breaks = np.sort(np.concatenate([ends, cuts], axis=1), axis=1)
        func = lambda beta: _density(m, (alpha[:, None, None] - beta) / a)
        return _integrate_rows(breaks, func, _G_POLY) / (2.0 * cb * a)
    lo = (alpha - cb) / a
    hi = (alpha + cb) / a
    cuts = np.clip(knots, lo[:, None], hi[:, None])
    breaks = np.sort(np.concatenate([lo[:, None], cuts, hi[:, None]], axis=1), axis=1)
    return _integrate_rows(breaks, lambda t: _density(m, t), _G_POLY) / (2.0 * cb)


def _outer_breaks(support: float, knots, centres, tanh: bool) -> np.ndarray:
    """Sorted cell boundaries on ``[-support, support]``: the knots, and for tanh cells of at most
    ``_CELL`` within ``_Y`` of each centre (where the integrand is not a polynomial)."""
    pts = [-support, support] + [p for p in knots if -support < p < support]
    if tanh:
        for centre in centres:
            lo, hi = max(-support, centre - _Y), min(support, centre + _Y)
            if hi > lo:
                pts += list(np.linspace(lo, hi, max(1, math.ceil((hi - lo) / _CELL - 1e-9)) + 1))
    return np.unique(np.asarray(pts, dtype=np.float64))


def _outer(breaks: np.ndarray, func, g: int) -> float:
    x, w = _gl(g)
    lo, hi = breaks[:-1], breaks[1:]
    half = (hi - lo) / 2.0
    t = (((hi + lo) / 2.0)[:, None] + half[:, None] * x).ravel()
    return float(np.sum(func(t) * np.repeat(half, g) * np.tile(w, lo.shape[0])))


def _shared_knots(m: int, a: float, cb: float) -> list:
    base = [(2 * j - m) * a for j in range(m + 1)] if m else [0.0]
    return [kn + sh for kn in base for sh in ((-cb, cb) if cb else (0.0,))]


def uniform_first_expectation(activation: str, a: float, cb: float, m: int, p: int, q: int | None) -> float:
    """``E[phi(u) phi(u')]`` for the first hidden layer under the uniform prior (weights ``U[-a, a]``,
    bias ``U[-cb, cb]``, ``cb = 0`` for no bias), for one class of input pairs.

    0/1 inputs (``q`` given): ``u = A + B``, ``u' = A + B'`` with ``A = b + (sum of m weights)`` (the
    inputs where both are 1), ``B`` and ``B'`` independent sums of ``p`` and ``q`` weights (where only
    one is 1). -1/+1 inputs (``q = None``): ``u = A + B``, ``u' = A - B`` with ``A`` the bias and ``m``
    weights (where the inputs agree; a weight times -1 has the weight's law) and ``B`` a sum of
    ``p`` weights (where they differ). Densities of sums of uniforms are piecewise polynomials
    (exact rational coefficients); relu, step, sign and linear integrands are piecewise polynomials
    integrated exactly by Gauss-Legendre on their pieces; tanh is integrated on cells of at most one
    unit where it is not saturated (error below 1e-14).

    Examples
    --------
    >>> # one input, 0/1, relu, weight and bias U[-1, 1], x = x' = 1: E[relu(b + w)**2] = 1/3
    >>> round(uniform_first_expectation("relu", 1.0, 1.0, 1, 0, 0), 15)
    0.333333333333333
    """
    tanh = activation == "tanh"
    g = _G_TANH if tanh else _G_POLY
    support = cb + m * a
    if q is not None:
        if support == 0.0:  # A = 0 (no bias, no shared input)
            return float(_smoothed(activation, p, a, np.zeros(1))[0] * _smoothed(activation, q, a, np.zeros(1))[0])
        h_knots = [(2 * j - r) * a for r in (p, q) for j in range(r + 1)]
        breaks = _outer_breaks(support, _shared_knots(m, a, cb) + h_knots, h_knots, tanh)

        def func(al):
            return _shared_density(m, a, cb, al) * _smoothed(activation, p, a, al) * _smoothed(activation, q, a, al)

        return _outer(breaks, func, g)
    if support == 0.0:
        return float(_mirrored(activation, p, a, np.zeros(1))[0])
    g_knots = [0.0] + [s * (2 * j - p) * a for j in range(p + 1) for s in (1, -1)]
    breaks = _outer_breaks(support, _shared_knots(m, a, cb) + g_knots, g_knots, tanh)
    return _outer(breaks, lambda al: _shared_density(m, a, cb, al) * _mirrored(activation, p, a, al), g)


# ---------------------------------------------------------------------------------------------
# Behind an infinite layer under the uniform prior: a uniform bias plus a Gaussian
# ---------------------------------------------------------------------------------------------
#
# u = b + G, u' = b + G' with b ~ U[-c, c] the unit's own bias (the same for both inputs) and
# (G, G') centred Gaussian, the limit of the infinite sum over the previous layer. The sum becomes
# Gaussian; the bias, a single term, stays uniform, so the law is not the Gaussian of equal variance.


def _norm_cdf(x):
    from scipy.special import ndtr

    return ndtr(x)


def _norm_pdf(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


_TINY = 1e-300


def _max_cdf_average(c, v1, v2, d):
    """``E_b[P(max(X, Y) < b)]`` over ``b ~ U[-c, c]``, for centred Gaussian ``(X, Y)`` with variances ``v1, v2 > 0``
    and covariance ``d``: ``(E[(c - M)_+] - E[(-c - M)_+]) / 2c`` with ``M = max(X, Y)``.

    ``E[(cc - M)_+] = E[(cc - X) 1{X < cc, X >= Y}] + E[(cc - Y) 1{Y < cc, Y > X}]``. With ``D = X - Y``,
    ``x = X / sqrt(v1)``, ``h = cc / sqrt(v1)``, ``rho = corr(X, D)``, ``rho' = sqrt(1 - rho^2)``:
    ``P(x < h, D > 0) = Phi(h) / 2 - T(h, rho / rho')`` (Owen's T) and ``E[x 1{x < h, D > 0}] =
    -phi(h) Phi(rho h / rho') + rho phi(0) Phi(h / rho')`` (Stein's lemma). T is even in ``h``, so the
    difference between ``cc = c`` and ``cc = -c`` is, per term, ``c (1/2 - 2T) + sqrt(v1) [phi(h) erf(rho h /
    (sqrt 2 rho')) - rho phi(0) erf(h / (sqrt 2 rho'))]``.
    """
    from scipy.special import erf, owens_t

    vD = v1 + v2 - 2.0 * d
    out = np.zeros(np.broadcast(v1, v2, d).shape)
    for va, cov in ((v1, v1 - d), (v2, v2 - d)):
        sa = np.sqrt(va)
        rho = np.clip(cov / np.sqrt(np.maximum(va * vD, _TINY)), -1.0, 1.0)
        rbar = np.maximum(np.sqrt((1.0 - rho) * (1.0 + rho)), _TINY)
        h = c / sa
        out = out + c * (0.5 - 2.0 * owens_t(h, rho / rbar)) + sa * (
            _norm_pdf(h) * erf(rho * h / (rbar * math.sqrt(2.0))) - rho * _norm_pdf(0.0) * erf(h / (rbar * math.sqrt(2.0))))
    out = np.where(vD <= 0, c, out)  # X = Y: E[(c - X)_+] - E[(-c - X)_+] = c
    return out / (2.0 * c)


def _below(cc, v):
    """``E[(cc - X)_+]``, ``X ~ N(0, v)``."""
    s = np.sqrt(v)
    return cc * _norm_cdf(cc / s) + s * _norm_pdf(cc / s)


def _phi2_diagonal(beta, s1, s2, r):
    """``P(G < beta, G' < beta)`` for centred ``G, G'`` with standard deviations ``s1, s2`` and correlation ``r``:
    ``Phi2(h, k; r)`` with ``h = beta / s1``, ``k = beta / s2`` of one sign, ``= (Phi(h) + Phi(k)) / 2 -
    T(h, (s1/s2 - r) / r') - T(k, (s2/s1 - r) / r')`` (Owen 1956; at ``beta = 0``: ``1/4 + asin(r) / 2pi``)."""
    from scipy.special import owens_t

    rbar = np.maximum(np.sqrt((1.0 - r) * (1.0 + r)), _TINY)
    h, k = beta / s1, beta / s2
    ah = ((s1 / s2 - 1.0) + (1.0 - r)) / rbar
    ak = ((s2 / s1 - 1.0) + (1.0 - r)) / rbar
    return 0.5 * (_norm_cdf(h) + _norm_cdf(k)) - owens_t(h, ah) - owens_t(k, ak)


def _narrow(c, v):
    """True where the bias is narrow next to the Gaussian part: the closed forms' difference of two
    nearly equal terms over 2c would lose digits there, so the average over b is a Gauss-Legendre rule
    instead (one cell: the integrand varies on the scale sqrt(v) >= 4c)."""
    return c <= 0.25 * np.sqrt(v)


def _both_positive(c, v1, v2, d):
    """``P(b + G > 0, b + G' > 0)`` averaged over ``b ~ U[-c, c]``: ``E_b[P(max(-G, -G') < b)]``."""
    v1, v2, d = np.broadcast_arrays(v1, v2, d)
    out = np.empty(v1.shape)
    narrow = _narrow(c, np.minimum(v1, v2))
    wide = ~narrow
    if wide.any():
        a, b_, e = v1[wide], v2[wide], d[wide]
        out[wide] = _max_cdf_average(c, a, b_, e)
    if narrow.any():
        x, w = _gl(_G_TANH)
        s1, s2 = np.sqrt(v1[narrow])[:, None], np.sqrt(v2[narrow])[:, None]
        r = np.clip(d[narrow][:, None] / (s1 * s2), -1.0, 1.0)
        out[narrow] = _phi2_diagonal(c * x[None, :], s1, s2, r) @ w / 2.0
    return out


def _positive(c, v):
    """``P(b + G > 0)`` averaged over ``b ~ U[-c, c]``, ``G ~ N(0, v)``."""
    narrow = _narrow(c, v)
    x, w = _gl(_G_TANH)
    safe = np.where(narrow, 1.0, v)
    closed = (_below(c, safe) - _below(-c, safe)) / (2.0 * c)
    rule = _norm_cdf(c * x / np.sqrt(v)[..., None]) @ w / 2.0
    return np.where(narrow, rule, closed)


def _relu_shifted(beta, s1, s2, r):
    """``E[(beta + G)_+ (beta + G')_+]``, ``G, G'`` centred with standard deviations ``s1, s2 > 0`` and correlation ``r``.

    With ``h = beta / s1``, ``k = beta / s2``, ``a1 = (k - r h) / r'``, ``a2 = (h - r k) / r'``:
    ``s1 s2 [(hk + r) Phi2(h, k; r) + h phi(k) Phi(a2) + k phi(h) Phi(a1) + r' phi(h) phi(a1)]`` (moments of the
    truncated bivariate normal by Stein's lemma; ``Phi2`` by :func:`_phi2_diagonal`).
    """
    rbar = np.maximum(np.sqrt((1.0 - r) * (1.0 + r)), _TINY)
    h, k = beta / s1, beta / s2
    phi2 = _phi2_diagonal(beta, s1, s2, r)
    a1, a2 = (k - r * h) / rbar, (h - r * k) / rbar
    inner = (h * k + r) * phi2 + h * _norm_pdf(k) * _norm_cdf(a2) + k * _norm_pdf(h) * _norm_cdf(a1)
    return s1 * s2 * (inner + rbar * _norm_pdf(h) * _norm_pdf(a1))


def uniform_bias_expectation(activation: str, c: float, t1, t2, d) -> np.ndarray:
    """``E[phi(b + G) phi(b + G')]`` with ``b ~ U[-c, c]`` and ``(G, G')`` centred Gaussian, variances ``t1, t2 > 0``,
    covariance ``d`` (arrays): a unit behind an infinite layer under the uniform prior with biases.

    step and sign: closed forms through ``E_b[P(max(X, Y) < b)] = (E[(c - M)_+] - E[(-c - M)_+]) / 2c``, ``M`` the
    maximum of a Gaussian pair (:func:`_max_cdf_average`, Owen's T). tanh: the same for every pair of the mixture
    rule (:func:`tanh_mixture_rule`), since ``erf(y / (sqrt(2) k)) = 2 P(xi < y) - 1`` with ``xi ~ N(0, k^2)``.
    relu: Gauss-Legendre over ``b`` of the closed form :func:`_relu_shifted`, on cells graded geometrically
    away from 0 (beyond 12 standard deviations the integrand is the quadratic ``b^2 + d`` or 0).
    linear: ``c^2 / 3 + d``.

    Examples
    --------
    >>> # sign with a tiny Gaussian part: E[sign(b)^2] = 1
    >>> round(float(uniform_bias_expectation("sign", 1.0, 1e-12, 1e-12, 1e-12)), 9)
    1.0
    """
    t1, t2, d = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (t1, t2, d)))
    t1, t2 = np.maximum(t1, _TINY), np.maximum(t2, _TINY)
    if activation == "linear":
        return c * c / 3.0 + d
    if activation in ("step", "sign"):
        both = _both_positive(c, t1, t2, d)
        if activation == "step":
            return both
        return 4.0 * both - 2.0 * _positive(c, t1) - 2.0 * _positive(c, t2) + 1.0
    if activation == "tanh":
        k, w = tanh_mixture_rule()
        k2 = k * k
        v1 = t1.reshape(-1, 1, 1) + k2[None, :, None]
        v2 = t2.reshape(-1, 1, 1) + k2[None, None, :]
        both = np.einsum("mij,i,j->m", _both_positive(c, v1, v2, d.reshape(-1, 1, 1)), w, w)
        p1 = _positive(c, t1.reshape(-1, 1) + k2[None, :]) @ w
        p2 = _positive(c, t2.reshape(-1, 1) + k2[None, :]) @ w
        return (4.0 * both - 2.0 * p1 - 2.0 * p2 + 1.0).reshape(t1.shape)
    # relu
    s1, s2 = np.sqrt(t1).ravel(), np.sqrt(t2).ravel()
    r = np.clip(d.ravel() / (s1 * s2), -1.0, 1.0)
    out = np.empty(s1.shape)
    for i in range(s1.shape[0]):
        small, large = min(s1[i], s2[i]), max(s1[i], s2[i])
        pts = [-c, c, 0.0]
        step = small / 4.0
        while step < 12.0 * large:
            pts += [step, -step]
            step *= 2.0
        pts += [12.0 * large, -12.0 * large]
        breaks = np.unique(np.clip(pts, -c, c))[None, :]
        func = partial(_relu_shifted, s1=s1[i], s2=s2[i], r=r[i])
        out[i] = _integrate_rows(breaks, func, _G_TANH)[0] / (2.0 * c)
    return out.reshape(t1.shape)


# ---------------------------------------------------------------------------------------------
# Classes of input pairs and the recursion
# ---------------------------------------------------------------------------------------------


def _pair_classes(n: int, pm1: bool):
    """``(inverse (N, N), keys (C, 3), diag1 (C,), diag2 (C,))``: class of each pair, each class's key
    ``(m, p, q)`` (0/1: ones shared, then the ones of one input only and of the other only, ordered
    ``p <= q`` so that the kernel is exactly symmetric; pm1: ``(n - d, d, d)``, d the Hamming distance)
    and the classes of the two inputs' variances, ``(m + p, 0, 0)`` and ``(m + q, 0, 0)``."""
    N = 1 << n
    pop = np.array([i.bit_count() for i in range(N)], dtype=np.int64)
    i = np.arange(N)[:, None]
    j = np.arange(N)[None, :]
    if pm1:
        d = pop[i ^ j]
        key = np.stack(np.broadcast_arrays(n - d, d, d), axis=-1)
    else:
        only_x, only_y = pop[i & ~j], pop[j & ~i]  # ordered p <= q: (x, x') and (x', x) share a class
        key = np.stack(np.broadcast_arrays(pop[i & j], np.minimum(only_x, only_y), np.maximum(only_x, only_y)),
                       axis=-1)
    code = (key[..., 0] * (n + 1) + key[..., 1]) * (n + 1) + key[..., 2]
    codes, inverse = np.unique(code.ravel(), return_inverse=True)
    keys = np.stack([codes // (n + 1) ** 2, (codes // (n + 1)) % (n + 1), codes % (n + 1)], axis=1)
    if pm1:
        diag_code = np.full(len(codes), n * (n + 1) ** 2)
        diag1 = diag2 = np.searchsorted(codes, diag_code)
    else:
        diag1 = np.searchsorted(codes, (keys[:, 0] + keys[:, 1]) * (n + 1) ** 2)
        diag2 = np.searchsorted(codes, (keys[:, 0] + keys[:, 2]) * (n + 1) ** 2)
    return inverse.reshape(N, N), keys, diag1, diag2


def nngp_kernel(arch, *, activation: str = "relu", prior=None, encoding: str = "01", bias: bool = True) -> np.ndarray:
    """Covariance of the output pre-activations ``z(x_i)`` of the infinite-width network, over all ``2**n`` inputs.

    Parameters
    ----------
    arch : str or Architecture
        ``"n-inf-...-inf-1"`` (``"7-infx16-1"``). A finite architecture (``"7-40-40-1"``) gives the
        kernel of the limit of its depth (every hidden width taken to infinity), not a finite-width
        covariance. A perceptron ``"n-1"`` gives the exact covariance of its pre-activation,
        ``v(sigma_b) + v(sigma_w) s**2 x . x'`` (``v(sigma) = sigma**2``, or ``sigma**2 / 3`` for the
        uniform prior; ``s = 1 / sqrt(n)`` with fan-in scaling, else 1).
    activation : {"relu", "tanh", "step", "sign", "linear"}
        Hidden-layer activation (``step(0) = sign(0) = 0``).
    prior : Prior or {"gaussian", "uniform"}, optional
        Default Gaussian with ``sigma_w = sigma_b = 1``; per-layer sigmas give one value per layer
        with parameters (hidden layers, then the output unit). Under the uniform prior the first
        hidden layer's pre-activation is a sum of ``n + 1`` uniforms and a later one is a uniform bias
        plus a Gaussian; both laws are used as they are. With hidden layers, fan-in scaling is
        required (``"cube"`` and ``fan_in_scaling=False`` are refused: an infinite sum of unscaled
        weights has infinite variance).
    encoding : {"01", "pm1"}
        Inputs as 0/1 or -1/+1 bits; input ``i`` is the word ``x_1 .. x_n``, ``x_1`` most significant.
    bias : bool
        False drops every bias.

    Returns
    -------
    numpy.ndarray
        ``(2**n, 2**n)`` float64, symmetric, positive semidefinite: entry ``[i, j]`` is
        ``Cov(z(input i), z(input j))``. Under the Gaussian prior (or without biases) ``z`` is a Gaussian
        vector with this covariance; under the uniform prior with biases ``z`` is the output's uniform
        bias plus a Gaussian vector of covariance ``K - v(sigma_b)``, not a Gaussian vector.

    Raises
    ------
    BoolnetError
        A malformed architecture, unknown activation or encoding, a prior that is not one, a
        non-bool ``bias``, per-layer sigmas of the wrong length, no fan-in scaling with hidden
        layers, or sigmas so large that the kernel overflows.

    Examples
    --------
    With 0/1 inputs, sigma_w = sigma_b = 1, the first layer of ``2-inf-1`` has variance
    ``1 + |x| / 2``: 1 at input 0 (00), 2 at input 3 (11), covariance 1 between them (correlation
    ``1/sqrt(2)``, angle pi/4). The output adds the bias variance 1 to
    ``E[relu(u) relu(u')] = (sin(pi/4) + (3pi/4) cos(pi/4)) sqrt(2) / (2 pi) = 3/8 + 1/(2 pi)``:

    >>> K = nngp_kernel("2-inf-1", activation="relu")
    >>> K.shape, round(float(K[0, 3]), 12), round(1 + 3 / 8 + 1 / (2 * np.pi), 12)
    ((4, 4), 1.534154943092, 1.534154943092)
    >>> float(K[3, 3])                               # 1 + E[relu(u)**2] = 1 + 2 / 2
    2.0
    """
    arch = parse_arch(arch)
    check_activation(activation)
    given_cube = isinstance(prior, str) and prior == "cube"
    prior = as_prior(prior)
    check_encoding(encoding)
    bias = check_bool(bias, "bias")
    prior.check_layers(arch.n_layers)
    n = arch.n
    L = len(arch.hidden)
    if L and not prior.fan_in_scaling:
        raise BoolnetError(
            f"arch {arch}: without fan-in scaling (prior 'cube' or fan_in_scaling=False) the sum over an infinite "
            "hidden layer has infinite variance, so the limit has no kernel; keep fan-in scaling (prior 'gaussian' "
            "or 'uniform')", param="prior" if given_cube else "fan_in_scaling")
    uniform = prior.kind == "uniform"
    var = (lambda s: s * s / 3.0) if uniform else (lambda s: s * s)
    pm1 = encoding == "pm1"
    inverse, keys, diag1, diag2 = _pair_classes(n, pm1)
    m = keys[:, 0].astype(np.float64)
    dot = (m - keys[:, 1]) if pm1 else m  # x . x': agreements minus disagreements, or shared ones
    sw0 = prior.weight_scale(n, 0)
    sb0 = prior.bias_scale(0) if bias else 0.0
    G = var(sw0) * dot  # the part of K that is not the bias: Gaussian behind an infinite layer
    K = var(sb0) + G
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(1, L + 1):
            if layer == 1 and uniform and activation != "linear":
                E = np.array([uniform_first_expectation(activation, sw0, sb0, int(mm), int(pp), None if pm1 else int(qq))
                              for mm, pp, qq in keys])
            elif uniform and bias and activation != "linear":
                c = prior.bias_scale(layer - 1)  # the bias of the units whose pre-activations K describes
                E = uniform_bias_expectation(activation, c, G[diag1], G[diag2], G)
            else:
                E = gauss_expectation(activation, K[diag1], K[diag2], K)
            sw = prior.weight_scale(1, layer)  # sigma_w of this layer: the fan-in factor is in the limit
            sb = prior.bias_scale(layer) if bias else 0.0
            G = var(sw) * E
            K = var(sb) + G
    if not np.all(np.isfinite(K)):
        raise BoolnetError(f"the kernel of {arch} overflows float64 with these sigmas: use smaller sigma_w or sigma_b",
                           param="sigma_w")
    return K[inverse]
