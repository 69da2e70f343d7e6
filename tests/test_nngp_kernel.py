"""The NNGP kernel (boolnet.nngp.kernel) against independent sources.

Oracles: closed forms worked out by hand in the tests (relu arc-cosine at known angles, the sign
kernel's arcsine, step at known correlations, linear = products of the encoded inputs, the
perceptron's covariance); exact rationals of the uniform first layer by SymPy; a brute-force
two-dimensional Gauss-Legendre quadrature (itself checked on erf, whose expectation is known in
closed form) and mpmath at 20 digits for tanh; nested scipy quadrature for a uniform bias plus a
Gaussian (the uniform prior behind an infinite layer); a Monte Carlo of finite networks of width 2000-4000
built in plain NumPy from boolnet's parameter layout (NetworkSpec.parameter_scales / split).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import erf

from boolnet.errors import BoolnetError
from boolnet.network import NetworkSpec
from boolnet.nngp.kernel import (
    gauss_expectation,
    nngp_kernel,
    tanh_mixture_rule,
    uniform_bias_expectation,
    uniform_first_expectation,
)
from boolnet.priors import Prior


def encoded(n: int, encoding: str) -> np.ndarray:
    """All 2**n inputs as rows, x_1 the most significant bit (written out here, not taken from boolnet)."""
    bits = np.array([[(i >> (n - 1 - k)) & 1 for k in range(n)] for i in range(1 << n)], dtype=np.float64)
    return 2.0 * bits - 1.0 if encoding == "pm1" else bits


# ------------------------------------------------------------------------------------------------
# closed forms by hand
# ------------------------------------------------------------------------------------------------


def test_relu_two_inputs_by_hand():
    # 0/1, sigma_w = sigma_b = 1: first layer variance 1 + |x|/2, covariance 1 + (x . x')/2.
    K = nngp_kernel("2-inf-1", activation="relu")
    # input 0 (00) and 3 (11): s1 = 1, s2 = 2, c = 1, angle pi/4.
    e03 = math.sqrt(2) / (2 * math.pi) * (math.sin(math.pi / 4) + (3 * math.pi / 4) * math.cos(math.pi / 4))
    assert K[0, 3] == pytest.approx(1 + e03, abs=1e-14)
    assert K[0, 3] == pytest.approx(1 + 3 / 8 + 1 / (2 * math.pi), abs=1e-14)
    assert K[3, 3] == pytest.approx(1 + 2 / 2, abs=1e-14)  # E[relu(u)^2] = s / 2
    assert K[0, 0] == pytest.approx(1.5, abs=1e-14)
    # inputs 1 (01) and 2 (10): s1 = s2 = 3/2, c = 1, cos(theta) = 2/3.
    th = math.acos(2 / 3)
    assert K[1, 2] == pytest.approx(1 + 1.5 / (2 * math.pi) * (math.sin(th) + (math.pi - th) * 2 / 3), abs=1e-14)


def test_relu_pm1_orthogonal_and_opposite_inputs():
    # -1/+1, n = 2: x . x' in {2, 0, -2}; first layer 1 + x.x'/2 in {2, 1, 0}.
    K = nngp_kernel("2-inf-1", activation="relu", encoding="pm1")
    assert K[0, 0] == pytest.approx(1 + 1.0, abs=1e-14)
    # orthogonal (inputs 0 = (-1,-1) and 1 = (-1,+1)): s = 2, c = 1, theta = pi/3
    assert K[0, 1] == pytest.approx(1 + math.sqrt(3) / (2 * math.pi) + 1 / 3, abs=1e-14)
    # opposite (0 and 3): c = 0, theta = pi/2: s / (2 pi)
    assert K[0, 3] == pytest.approx(1 + 1 / math.pi, abs=1e-14)


def test_sign_kernel_is_the_arcsine_law():
    # -1/+1, no bias, n = 3: rho = x . x' / 3; K = (2/pi) asin(rho) (sigma_w = 1 at the output).
    K = nngp_kernel("3-inf-1", activation="sign", encoding="pm1", bias=False)
    X = encoded(3, "pm1")
    rho = X @ X.T / 3
    assert np.max(np.abs(K - 2 / math.pi * np.arcsin(rho))) < 1e-15
    assert K[0, 1] == pytest.approx(2 / math.pi * math.asin(1 / 3), abs=1e-15)


def test_step_kernel_by_hand():
    # 0/1, sigma_w = 2, sigma_b = 1/2, n = 2: first layer 1/4 + 2 x.x'. Output weight std 2, bias 1/2.
    K = nngp_kernel("2-inf-1", activation="step", prior=Prior(sigma_w=2, sigma_b="0.5"))
    X = encoded(2, "01")
    S = 0.25 + 4 * (X @ X.T) / 2
    d = np.sqrt(np.diag(S))
    expect = 0.25 + 4 * (0.25 + np.arcsin(S / np.outer(d, d)) / (2 * math.pi))
    assert np.max(np.abs(K - expect)) < 1e-14
    # identical inputs: P(u > 0) = 1/2
    assert K[2, 2] == pytest.approx(0.25 + 4 * 0.5, abs=1e-15)


@pytest.mark.parametrize("encoding", ["01", "pm1"])
@pytest.mark.parametrize("kind", ["gaussian", "uniform"])
def test_linear_is_the_composed_perceptron_covariance(encoding, kind):
    # linear: every layer is affine, so K_l = v_b + v_w K_{l-1}, K_0 = v_b + v_w x.x'/n (v = sigma^2, /3 uniform).
    prior = Prior(kind, sigma_w="1.5,0.5,2", sigma_b="0.25,1,3")
    K = nngp_kernel("3-inf-inf-1", activation="linear", prior=prior, encoding=encoding)
    X = encoded(3, encoding)
    v = (lambda s: s * s / 3) if kind == "uniform" else (lambda s: s * s)
    S = v(0.25) + v(1.5) * X @ X.T / 3
    S = v(1.0) + v(0.5) * S
    S = v(3.0) + v(2.0) * S
    assert np.max(np.abs(K - S)) < 1e-13


@pytest.mark.parametrize("kind", ["gaussian", "uniform", "cube"])
def test_perceptron_is_its_exact_covariance(kind):
    prior = Prior(kind, sigma_w=3, sigma_b=2)
    K = nngp_kernel("4-1", prior=prior, encoding="pm1", activation="tanh")
    X = encoded(4, "pm1")
    s2 = 9 / 4 if kind != "cube" else 9  # fan-in scaling 1/sqrt(4), not for the cube
    expect = 4 + s2 * X @ X.T
    if kind != "gaussian":
        expect = expect / 3  # U[-h, h] has variance h^2 / 3
    assert np.max(np.abs(K - expect)) < 1e-13


def test_finite_architecture_gives_the_limit_of_its_depth():
    a = nngp_kernel("3-40-17-1", activation="tanh", encoding="pm1")
    b = nngp_kernel("3-inf-inf-1", activation="tanh", encoding="pm1")
    assert np.array_equal(a, b)


# ------------------------------------------------------------------------------------------------
# tanh: the mixture rule, a brute-force quadrature (checked on erf), mpmath
# ------------------------------------------------------------------------------------------------


def test_tanh_mixture_rule_reproduces_tanh_everywhere():
    # |E[tanh u tanh u'] - E[t(u) t(u')]| <= 2 sup |tanh - t| for the rule's t(y) = sum w_i erf(y / (sqrt 2 k_i)).
    k, w = tanh_mixture_rule()
    assert abs(w.sum() - 1) < 1e-15
    y = np.concatenate([np.linspace(-45, 45, 90001), np.geomspace(1e-12, 1, 200), [1e3, 1e10]])
    t = np.concatenate([erf(chunk[:, None] / (np.sqrt(2) * k[None, :])) @ w for chunk in np.array_split(y, 40)])
    assert np.max(np.abs(t - np.tanh(y))) < 2e-15
    small = np.geomspace(1e-12, 1e-6, 20)  # slope 1 at 0 (relative)
    assert np.max(np.abs((erf(small[:, None] / (np.sqrt(2) * k)) @ w) / np.tanh(small) - 1)) < 1e-14


def brute_force_2d(f, g, s1, s2, c, half_width=10.0, cell=0.25, nodes=20):
    """E[f(u) g(u')] by tensor Gauss-Legendre over (z1, z2) in [-10, 10]^2, u = sqrt(s1) z1,
    u' = sqrt(s2) (rho z1 + sqrt(1 - rho^2) z2); independent of boolnet's code."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    edges = np.arange(-half_width, half_width + cell / 2, cell)
    z = ((edges[:-1] + edges[1:])[:, None] / 2 + cell / 2 * x).ravel()
    wz = np.tile(cell / 2 * w, len(edges) - 1) * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    rho = c / math.sqrt(s1 * s2)
    total = 0.0
    for zi, wi in zip(np.array_split(z, 16), np.array_split(wz, 16)):
        up = math.sqrt(s2) * (rho * zi[:, None] + math.sqrt(1 - rho * rho) * z[None, :])
        total += float(wi * f(math.sqrt(s1) * zi) @ (g(up) @ wz))
    return total


POINTS = [(1.0, 1.0, 0.5), (2.0, 0.5, -0.7), (0.3, 4.0, 1.0), (1.0, 1.0, 0.999), (3.0, 2.0, 0.0)]


@pytest.mark.parametrize("s1,s2,c", POINTS)
def test_tanh_against_brute_force_quadrature_checked_on_erf(s1, s2, c):
    # The reference quadrature reproduces erf's closed form E[erf(a u) erf(b u')] =
    # (2/pi) asin(2ab c / sqrt((1 + 2a^2 s1)(1 + 2b^2 s2))), then it is compared with the kernel's tanh.
    a, b = 0.8, 1.7
    ref_erf = brute_force_2d(lambda y: erf(a * y), lambda y: erf(b * y), s1, s2, c)
    closed = 2 / math.pi * math.asin(2 * a * b * c / math.sqrt((1 + 2 * a * a * s1) * (1 + 2 * b * b * s2)))
    assert abs(ref_erf - closed) < 1e-13
    ref = brute_force_2d(np.tanh, np.tanh, s1, s2, c)
    assert abs(float(gauss_expectation("tanh", s1, s2, c)) - ref) < 1e-13


# E[tanh(u) tanh(u')] by mpmath 1.3 at 20 digits (nested mp.quad on finite intervals cut where the
# integrands' tanh vanishes; the script is test_tanh_mpmath_values_recomputed, marked slow).
MPMATH = {
    (1.0, 1.0, 0.5): 0.186324413203448086,
    (1.0, 1.0, 0.999): 0.39383023742489651,
    (100.0, 100.0, 60.0): 0.405790474846451018,
    (0.01, 0.04, 0.015): 0.0143034815061983142,
}


def mpmath_tanh(s1, s2, c):
    import mpmath as mp

    mp.mp.dps = 20
    s1, s2, c = mp.mpf(s1), mp.mpf(s2), mp.mpf(c)
    r1 = mp.sqrt(s1)
    k = c / r1
    tau = mp.sqrt(s2 - c * c / s1)

    def inner(z1):
        mu = k * z1
        z0 = -mu / tau
        pts = sorted({mp.mpf(-12), mp.mpf(12)} | ({z0} if -12 < z0 < 12 else set()))
        return mp.quad(lambda z2: mp.npdf(z2) * mp.tanh(mu + tau * z2), pts)

    return mp.quad(lambda z1: mp.npdf(z1) * mp.tanh(r1 * z1) * inner(z1), [-12, -1, 0, 1, 12])


@pytest.mark.parametrize("point", list(MPMATH))
def test_tanh_against_mpmath(point):
    assert abs(float(gauss_expectation("tanh", *point)) - MPMATH[point]) < 1e-14


@pytest.mark.slow
@pytest.mark.parametrize("point", list(MPMATH))
def test_tanh_mpmath_values_recomputed(point):
    assert abs(float(mpmath_tanh(*point)) - MPMATH[point]) < 1e-17


def test_zero_variance_gives_zero_without_nan():
    for act in ("relu", "tanh", "step", "sign", "linear"):
        out = gauss_expectation(act, [0.0, 1.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0])
        assert np.array_equal(out, [0.0, 0.0, 0.0]), act
    # correlations rounded past +-1 are clipped: rho = 1 + 1e-16
    assert float(gauss_expectation("sign", 1.0, 1.0, 1.0 + 2e-16)) == 1.0
    assert float(gauss_expectation("relu", 2.0, 2.0, 2.0 + 4e-16)) == pytest.approx(1.0, abs=1e-15)


# ------------------------------------------------------------------------------------------------
# the uniform prior's first layer: exact rationals (SymPy), mpmath for tanh, hand values
# ------------------------------------------------------------------------------------------------


def test_uniform_first_layer_kernel_by_hand():
    # 1-inf-1, uniform, weights and biases U[-1, 1] (variance 1/3), relu, 0/1 inputs:
    # K[0,0] = 1/3 + (1/3) E[relu(b)^2] = 1/3 + 1/18; K[1,1] = 1/3 + (1/3) E[relu(b + w)^2] with b + w
    # triangular on [-2, 2]: E = int_0^2 s^2 (2 - s)/4 ds = 1/3; K[0,1] = 1/3 + (1/3) E[relu(b) relu(b + w)],
    # E = (1/4) int_0^1 b (1 + b)^2 / 2 db = 17/96.
    K = nngp_kernel("1-inf-1", activation="relu", prior="uniform")
    assert K[0, 0] == pytest.approx(7 / 18, abs=1e-15)
    assert K[1, 1] == pytest.approx(4 / 9, abs=1e-15)
    assert K[0, 1] == pytest.approx(113 / 288, abs=1e-15)
    # not the Gaussian of equal variance: its first-layer expectation is 1/8 + 1/(6 pi) at angle pi/4
    assert abs(K[0, 1] - (1 / 3 + (1 / 8 + 1 / (6 * math.pi)) / 3)) > 2e-4


def _sympy_cases():
    import sympy as sp

    b, w1, w2 = sp.symbols("b w1 w2", real=True)
    # (m, p, q) with q None for -1/+1; has bias; u; u'; variables
    return sp, (b, w1, w2), [
        ((1, 0, 0), True, b + w1, b + w1, (w1, b)),
        ((0, 1, 0), True, b + w1, b, (w1, b)),
        ((1, 0, None), True, b + w1, b + w1, (w1, b)),
        ((0, 1, None), True, b + w1, b - w1, (w1, b)),
        ((1, 1, 0), False, w1 + w2, w1, (w1, w2)),
        ((0, 1, 1), False, w1, w2, (w1, w2)),
        ((1, 1, None), False, w1 + w2, w1 - w2, (w1, w2)),
        ((0, 2, None), False, w1 + w2, -w1 - w2, (w1, w2)),
    ]


@pytest.mark.parametrize("activation", ["step", "relu"])
def test_uniform_first_layer_exact_rationals(activation):
    sp, (b, w1, w2), cases = _sympy_cases()
    half = {b: sp.Integer(1), w1: sp.Rational(1, 2), w2: sp.Rational(1, 2)}

    def phi(y):
        return sp.Piecewise((y, y > 0), (0, True)) if activation == "relu" else sp.Piecewise((1, y > 0), (0, True))

    for (m, p, q), has_bias, u, up, variables in cases:
        box = [(v, -half[v], half[v]) for v in variables]
        exact = sp.integrate(phi(u) * phi(up), *box) / sp.Mul(*[2 * half[v] for v in variables])
        exact = Fraction(str(sp.nsimplify(exact)))
        got = uniform_first_expectation(activation, 0.5, 1.0 if has_bias else 0.0, m, p, q)
        assert abs(got - float(exact)) < 1e-15, (m, p, q, has_bias, exact)


def test_uniform_first_layer_sign_and_linear():
    # sign = 2 step - 1 off a null set; linear: E[u u'] is the covariance (v_b + v_w x.x').
    for (m, p, q) in [(1, 1, 2), (2, 1, None), (0, 3, None), (3, 0, 0)]:
        for cb in (0.0, 0.7):
            step = uniform_first_expectation("step", 0.4, cb, m, p, q)
            sign = uniform_first_expectation("sign", 0.4, cb, m, p, q)
            # P(u = 0) = 0 and P(u > 0) = 1/2 (symmetric laws): sign sign' = 4 step step' - 2 step - 2 step' + 1
            assert sign == pytest.approx(4 * step - 1, abs=1e-14)
            lin = uniform_first_expectation("linear", 0.4, cb, m, p, q)
            dot = m - p if q is None else m
            assert lin == pytest.approx(cb * cb / 3 + 0.16 / 3 * dot, abs=1e-14)


# E[tanh(u) tanh(u')] for weights U[-3/4, 3/4], bias U[-5/4, 5/4], by mpmath at 20 digits (2-d mp.quad
# over the box, with E_w tanh(y + w) = (log cosh(y + a) - log cosh(y - a)) / 2a in closed form inside).
MPMATH_UNIFORM = {
    (1, 0, 0): 0.35739293845355365,
    (0, 1, 1): 0.267651022461886335,
    (1, 1, 1): 0.307118992024846361,
    (1, 0, 1): 0.331068740861107768,
    (0, 1, None): 0.181870097205118451,
}


@pytest.mark.parametrize("key", list(MPMATH_UNIFORM))
def test_uniform_first_layer_tanh_against_mpmath(key):
    assert abs(uniform_first_expectation("tanh", 0.75, 1.25, *key) - MPMATH_UNIFORM[key]) < 1e-14


@pytest.mark.parametrize("a,cb", [(4.0, 1e-6), (0.01, 100.0), (30.0, 50.0), (0.5, 1.0)])
def test_uniform_first_layer_tanh_closed_form_any_scale(a, cb):
    # m = 1, p = q = 0: E[tanh(b + w)^2] = 1 - (log cosh(a + c) - log cosh(a - c)) / (2 a c), exactly.
    import mpmath as mp

    mp.mp.dps = 30
    A, C = mp.mpf(a), mp.mpf(cb)
    exact = 1 - (mp.log(mp.cosh(A + C)) - mp.log(mp.cosh(A - C))) / (2 * A * C)
    assert abs(uniform_first_expectation("tanh", a, cb, 1, 0, 0) - float(exact)) < 1e-14


# E[phi(b + G) phi(b + G')], b ~ U[-c, c], (G, G') centred Gaussian (variances t1, t2, covariance d): the law
# behind an infinite layer under the uniform prior. Reference: nested scipy.integrate.quad (bias, then G,
# then G' given G in closed form or by a third quad for tanh), tolerances 1e-14 / 1e-15; recomputed by
# test_uniform_bias_reference_recomputed (slow).
UNIFORM_BIAS = {
    ("relu", 1.0, 1.0, 0.7, 0.5): 0.4441888077333805,
    ("relu", 30.0, 0.3, 0.5, 0.1): 150.05103006453874,
    ("relu", 1.0, 0.01, 4.0, 0.1): 0.3274352811434489,
    ("relu", 1e-5, 2.0, 3.0, 1.0): 0.6728113899244033,
    ("relu", 1.0, 1.0, 1.0, 0.999999): 0.6666661667950555,
    ("step", 1.0, 1.0, 0.7, 0.5): 0.3778355124187026,
    ("step", 30.0, 0.3, 0.5, 0.1): 0.4948496773063574,
    ("step", 1e-5, 2.0, 3.0, 1.0): 0.3169301182016915,
    ("step", 1.0, 0.01, 4.0, 0.1): 0.30844442462811794,
    ("sign", 2.0, 0.3, 0.5, 0.1): 0.6914862073977304,
    ("tanh", 0.5, 2.0, 2.0, -1.2): -0.25633049261184004,
}


def uniform_bias_reference(act, c, t1, t2, d):
    import warnings

    from scipy import integrate
    from scipy.stats import norm

    s1, s2 = math.sqrt(t1), math.sqrt(t2)
    r = d / (s1 * s2)
    tau, kap = s2 * math.sqrt(1 - r * r), s2 * r  # u' = b + kap z1 + tau z2
    # (the tanh value was made with 1e-14 / 200 subintervals: three nested quads take minutes already)
    quad = {"epsabs": 1e-14, "epsrel": 1e-14, "limit": 200} if act == "tanh" else {"epsabs": 1e-15, "epsrel": 1e-14,
                                                                                      "limit": 400}
    if act == "relu":
        def psi(y):
            return y * norm.cdf(y / tau) + tau * norm.pdf(y / tau)
        f = lambda y: max(y, 0.0)
    elif act == "step":
        psi, f = (lambda y: norm.cdf(y / tau)), (lambda y: 1.0 * (y > 0))
    elif act == "sign":
        psi, f = (lambda y: 2 * norm.cdf(y / tau) - 1), (lambda y: float(np.sign(y)))
    else:
        def psi(y):
            return integrate.quad(lambda z: norm.pdf(z) * math.tanh(y + tau * z), -12, 12, points=[-y / tau], **quad)[0]
        f = math.tanh

    def given_bias(b):
        pts = [-b / s1] if -12 < -b / s1 < 12 else None
        return integrate.quad(lambda z1: norm.pdf(z1) * f(b + s1 * z1) * psi(b + kap * z1), -12, 12, points=pts,
                              **quad)[0]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return integrate.quad(given_bias, -c, c, points=[0.0] if c > 0 else None, **quad)[0] / (2 * c)


@pytest.mark.parametrize("key", list(UNIFORM_BIAS))
def test_uniform_bias_against_nested_quadrature(key):
    act, c, t1, t2, d = key
    value = UNIFORM_BIAS[key]
    assert abs(float(uniform_bias_expectation(act, c, t1, t2, d)) - value) < 1e-14 * max(1.0, abs(value))


def test_uniform_bias_step_reference_live():
    assert abs(float(uniform_bias_expectation("step", 1.0, 1.0, 0.7, 0.5))
               - uniform_bias_reference("step", 1.0, 1.0, 0.7, 0.5)) < 1e-14


@pytest.mark.slow
@pytest.mark.parametrize("key", list(UNIFORM_BIAS))
def test_uniform_bias_reference_recomputed(key):
    assert abs(uniform_bias_reference(*key) - UNIFORM_BIAS[key]) < 1e-13 * max(1.0, abs(UNIFORM_BIAS[key]))


# ------------------------------------------------------------------------------------------------
# Monte Carlo of finite networks
# ------------------------------------------------------------------------------------------------


def mc_covariance(arch, activation, prior, encoding, bias, rows, networks, seed):
    """Per network, E[z(x) z(x') | hidden layers] = v_b + v_w sum_k h_k(x) h_k(x') (the output unit is
    linear in its own weights and bias, so this is exact); averaged over networks it estimates the finite
    network's output covariance without the noise of the output weights. Returns (mean, standard error)."""
    spec = NetworkSpec(arch, activation, encoding, bias)
    scales = spec.parameter_scales(prior, np.float64)
    X = encoded(spec.arch.n, encoding)[rows]
    rng = np.random.default_rng(seed)
    act = {"relu": lambda a: np.maximum(a, 0.0), "tanh": np.tanh, "step": lambda a: (a > 0).astype(float),
           "sign": np.sign}[activation]
    out_w = scales[spec.w_off[-1]]
    out_b = scales[spec.b_off[-1]] if bias else 0.0
    var = (lambda s: s * s / 3) if prior.kind == "uniform" else (lambda s: s * s)
    est = []
    for _ in range(networks):
        noise = rng.uniform(-1, 1, scales.shape) if prior.kind == "uniform" else rng.standard_normal(scales.shape)
        layers = spec.split(scales * noise)
        h = X
        for W, bb in layers[:-1]:
            a = h @ W
            if bb is not None:
                a = a + bb
            h = act(a)
        est.append(var(out_b) + var(out_w) * h @ h.T)
    est = np.array(est)
    return est.mean(axis=0), est.std(axis=0, ddof=1) / math.sqrt(networks)


MC_CASES = [
    # arch, activation, prior, encoding, bias, rows, networks
    ("3-4000-1", "relu", Prior(), "01", True, slice(None), 1000),
    ("3-4000-1", "tanh", Prior("uniform"), "pm1", True, slice(None), 1000),
    ("2-4000-1", "step", Prior("uniform", sigma_w="0.5,1.5", sigma_b="1,0.3"), "01", True, slice(None), 1000),
    ("3-4000-1", "sign", Prior(sigma_w=2), "pm1", False, slice(None), 1000),
    ("2-4000-1", "tanh", Prior("uniform", sigma_w=3), "01", False, slice(None), 1000),
    ("3-2000-300-1", "relu", Prior("uniform"), "pm1", True, slice(None), 100),
    ("3-2000-300-1", "tanh", Prior(sigma_w="2,0.5,1.5", sigma_b="0.2,1,0.5"), "01", True, slice(None), 100),
    ("2-2000-300-1", "step", Prior(), "pm1", True, slice(None), 100),
    ("3-2000-300-1", "sign", Prior("uniform", sigma_w=1.5), "01", False, slice(None), 100),
    ("7-2000-300-1", "tanh", Prior("uniform", sigma_b=2), "pm1", True, [0, 1, 6, 45, 77, 100, 127], 100),
]


@pytest.mark.parametrize("case", MC_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2].kind}-{c[3]}-bias{c[4]}")
def test_kernel_against_monte_carlo(case):
    arch, activation, prior, encoding, bias, rows, networks = case
    K = nngp_kernel(arch, activation=activation, prior=prior, encoding=encoding, bias=bias)
    idx = np.arange(K.shape[0])[rows]
    K = K[np.ix_(idx, idx)]
    mean, se = mc_covariance(arch, activation, prior, encoding, bias, rows, networks, seed=sum(map(ord, arch)))
    # Entries every network gives alike (sign(u)^2 = 1; input 0 of 0/1 without bias: 0) up to rounding.
    exact = se <= 1e-13 * np.maximum(np.abs(mean), 1.0)
    assert np.max(np.abs(K[exact] - mean[exact]), initial=0.0) < 1e-12
    z = np.abs(K[~exact] - mean[~exact]) / se[~exact]
    assert z.max() < 4.5, (z.max(), np.max(np.abs(K - mean)))


def test_uniform_first_layer_is_not_the_gaussian_one_monte_carlo():
    # n = 1, 0/1, step, weights U[-1/2, 1/2], bias U[-1, 1]: the kernel's first layer uses the exact law
    # of b + w; the Gaussian of equal variance gives E[step(b) step(b + w)] = 1/4 + asin(sqrt(4/5))/(2 pi)
    # instead of 7/16 (SymPy test above). A Monte Carlo over 2.4e6 units tells them apart.
    prior = Prior("uniform", sigma_w="0.5", sigma_b=1)
    K = nngp_kernel("1-4000-1", activation="step", prior=prior)
    mean, se = mc_covariance("1-4000-1", "step", prior, "01", True, slice(None), 600, seed=7)
    assert abs(K[0, 1] - mean[0, 1]) < 4 * se[0, 1]
    gaussian = 1 / 3 + 0.25 / 3 * (0.25 + math.asin(math.sqrt(0.8)) / (2 * math.pi))
    assert abs(gaussian - mean[0, 1]) > 10 * se[0, 1]
    assert K[0, 1] == pytest.approx(1 / 3 + 7 / 16 / 12, abs=1e-15)


def test_uniform_bias_behind_an_infinite_layer_is_not_gaussian_monte_carlo():
    # Behind the first layer the sum over units becomes Gaussian but each unit's own bias stays uniform:
    # u = b + G. The kernel uses that law; the Gaussian of equal variance (b + G replaced by one normal)
    # is rejected by the Monte Carlo of 3-2000-300-1 networks.
    prior = Prior("uniform", sigma_b=2)
    K = nngp_kernel("3-2000-300-1", activation="tanh", prior=prior, encoding="pm1")
    mean, se = mc_covariance("3-2000-300-1", "tanh", prior, "pm1", True, slice(None), 100, seed=11)
    assert np.max(np.abs(K - mean) / se) < 4.5
    K2 = nngp_kernel("3-inf-1", activation="tanh", prior=prior, encoding="pm1")  # layer 2's pre-activations
    d = np.diag(K2)
    gaussian = 4 / 3 + (1 / 3) * gauss_expectation("tanh", d[:, None], d[None, :], K2)
    assert np.min(np.abs(gaussian - mean) / se) > 8


# ------------------------------------------------------------------------------------------------
# structure: symmetry, positive semidefiniteness, the singular cases
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "step", "sign", "linear"])
@pytest.mark.parametrize("encoding", ["01", "pm1"])
@pytest.mark.parametrize("kind", ["gaussian", "uniform"])
def test_symmetric_positive_semidefinite(activation, encoding, kind):
    for arch in ("7-inf-1", "5-infx3-1"):
        for bias in (True, False):
            K = nngp_kernel(arch, activation=activation, prior=kind, encoding=encoding, bias=bias)
            assert K.dtype == np.float64 and K.shape == (2**int(arch[0]),) * 2
            assert np.array_equal(K, K.T)
            ev = np.linalg.eigvalsh(K)
            assert ev.min() >= -1e-12 * ev.max(), (arch, bias, ev.min(), ev.max())


def test_singular_cases():
    # 0/1 without bias: input 0 has zero variance, so its row is 0.
    K = nngp_kernel("4-inf-inf-1", activation="tanh", bias=False)
    assert np.array_equal(K[0], np.zeros(16)) and np.all(np.diag(K)[1:] > 0)
    # linear: rank n + 1
    K = nngp_kernel("5-inf-inf-1", activation="linear", encoding="pm1")
    ev = np.linalg.eigvalsh(K)
    assert np.sum(ev > 1e-10 * ev.max()) == 6
    # -1/+1 without bias, odd activation: z(-x) = -z(x); input 2**n - 1 - i is -x_i.
    for act in ("tanh", "sign"):
        K = nngp_kernel("3-inf-inf-1", activation=act, encoding="pm1", bias=False)
        assert np.max(np.abs(K[np.arange(8), 7 - np.arange(8)] + np.diag(K))) < 1e-15


def test_deep_tanh_is_fast():
    import time

    start = time.perf_counter()
    K = nngp_kernel("7-infx16-1", activation="tanh", prior="uniform")
    assert time.perf_counter() - start < 10  # about 0.5 s measured; loose bound for a shared machine
    assert np.all(np.isfinite(K))


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,param", [
    ({"arch": "7-inf-40-1"}, "arch"),
    ({"arch": "8-inf-1"}, "arch"),
    ({"arch": 7}, "arch"),
    ({"activation": "gelu"}, "activation"),
    ({"encoding": "binary"}, "encoding"),
    ({"bias": "no"}, "bias"),
    ({"prior": 3}, "prior"),
    ({"prior": "cube"}, "prior"),
    ({"prior": Prior(fan_in_scaling=False)}, "fan_in_scaling"),
    ({"prior": Prior(sigma_w="1,1,1")}, "sigma_w"),
    ({"prior": Prior(sigma_w="1e30", sigma_b="1e30"), "arch": "3-infx16-1"}, "sigma_w"),
])
def test_bad_input_is_a_boolnet_error(kwargs, param):
    kwargs = dict(kwargs)
    arch = kwargs.pop("arch", "3-inf-1")
    with pytest.raises(BoolnetError) as info:
        nngp_kernel(arch, **kwargs)
    assert info.value.param == param
    assert str(info.value)


def test_no_fan_in_scaling_message_says_why_and_what_to_do():
    with pytest.raises(BoolnetError, match="infinite variance.*keep fan-in scaling"):
        nngp_kernel("3-inf-1", prior="cube")
    nngp_kernel("3-1", prior="cube")  # a perceptron has no infinite sum: fine
