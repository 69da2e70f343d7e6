"""Numba kernels of :mod:`boolnet.nngp.orthant`: the sweep of expectation propagation.

A sweep updates the ``d`` step-function sites one after the other, each with a rank-one
change of the posterior covariance: ``O(d^2)`` per site, ``O(d^3)`` per sweep. In numba
that is about a millisecond at ``d = 128``; NumPy would pay its per-call overhead (and a
multi-threaded BLAS its wake-ups) ``d`` times per sweep.
"""

from __future__ import annotations

import math

from numba import njit

_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
#: Below this ``t`` the left tail is computed from the continued fraction of Mills' ratio.
_TAIL = -3.0
#: Terms of that continued fraction, evaluated backwards (ample at ``|t| >= 3``: the error
#: falls like ``exp(-2 |t| sqrt(terms))``).
_CF_TERMS = 80


@njit(cache=True)
def _mills_fraction(x):
    """``(F1, F2, F3, F4)`` of ``F_k = x + k / F_(k+1)``, for ``x >= 3``.

    Laplace's continued fraction: ``Phi(-x) / phi(x) = 1 / F1``, so ``F1`` is the mean
    ``phi(x) / Phi(-x)`` of ``N(0, 1)`` beyond ``x``, ``F1 - x = 1 / F2`` and the variance is
    ``(x + 4 / F3 - 3 / F4) / (F2^2 F3)``: every quantity as a ratio of positive terms, with
    none of the cancellation of ``1 - r (r - x)`` (which loses ``eps x^4`` relatively).
    """
    f = x
    f2 = f3 = f4 = x
    for k in range(_CF_TERMS, 0, -1):
        f4, f3, f2 = f3, f2, f
        f = x + k / f
    return f, f2, f3, f4


@njit(cache=True)
def log_ndtr(t):
    """``log Phi(t)``, accurate in both tails (``t = -1e5`` included)."""
    if t > 0.0:
        return math.log1p(-0.5 * math.erfc(t / _SQRT2))
    if t > _TAIL:
        return math.log(0.5 * math.erfc(-t / _SQRT2))
    f1, _, _, _ = _mills_fraction(-t)
    return -0.5 * t * t - _LOG_SQRT_2PI - math.log(f1)


@njit(cache=True)
def step_moments(t):
    """``(r, V)`` for ``X ~ N(0, 1)`` truncated to ``[-t, inf)``: ``E X = r = phi(t)/Phi(t)``,
    ``Var X = V = 1 - r (t + r)``; relative accuracy ~1e-13 or better for every ``t``.
    """
    if t > _TAIL:  # the cancellation in V costs at most eps * t^4 ~ 2e-14 here
        r = math.exp(-0.5 * t * t - _LOG_SQRT_2PI - log_ndtr(t))
        return r, 1.0 - r * (t + r)
    x = -t
    f1, f2, f3, f4 = _mills_fraction(x)
    return f1, (x + 4.0 / f3 - 3.0 / f4) / (f2 * f2 * f3)


@njit(cache=True, error_model="numpy")
def ep_sweep(sigma, mu, tau, nu, damping, prior_var):
    """One sequential EP sweep over all sites ``1[y_i > 0]``, in place; returns the largest
    proposed (undamped) site change, relative to the site's own scale.

    ``sigma``, ``mu``: current posterior ``N(mu, sigma)`` (``mu = sigma @ nu`` on entry);
    ``tau``, ``nu``: the sites' natural parameters; ``prior_var``: ``diag(C)``. The change of
    site ``i`` is ``max(|d tau| / p, |d nu| / sqrt(p))`` with ``p = tau_i + 1 / C_ii``, so
    large site precisions (a nearly singular ``C`` gives 1e10) are compared with themselves.
    """
    d = sigma.shape[0]
    change = 0.0
    col = sigma[:, 0].copy()
    for i in range(d):
        s2 = sigma[i, i]
        if not (s2 > 0.0 and math.isfinite(s2)):  # a collapsed posterior: the caller stops
            return math.inf
        tau_cav = 1.0 / s2 - tau[i]
        nu_cav = mu[i] / s2 - nu[i]
        if not tau_cav > 0.0:  # rounding in a nearly singular posterior: leave the site
            continue
        v_cav = 1.0 / tau_cav
        sd = math.sqrt(v_cav)
        t = nu_cav * v_cav / sd
        r, var = step_moments(t)
        var = max(var, 1e-300)
        m_hat = nu_cav * v_cav + sd * r
        v_hat = v_cav * var
        tau_new = max(1.0 / v_hat - tau_cav, 0.0)  # >= 0 exactly: the step is log-concave
        nu_new = m_hat / v_hat - nu_cav
        p = tau[i] + 1.0 / prior_var[i]
        change = max(change, abs(tau_new - tau[i]) / p, abs(nu_new - nu[i]) / math.sqrt(p))
        dtau = damping * (tau_new - tau[i])
        dnu = damping * (nu_new - nu[i])
        tau[i] += dtau
        nu[i] += dnu
        k = dtau / (1.0 + dtau * s2)
        coef = dnu - k * (mu[i] + dnu * s2)  # mu_new = Sigma_new nu_new, using col . nu = mu_i
        for a in range(d):
            col[a] = sigma[a, i]
        for a in range(d):
            mu[a] += coef * col[a]
            ka = k * col[a]
            for b in range(d):
                sigma[a, b] -= ka * col[b]
    return change


@njit(cache=True)
def row_dot(z, coef, k, out):
    """``out = z[:, :k] @ coef[:k]`` for an F-ordered ``z``, single-threaded.

    The sampler needs this once per variable: a multi-threaded BLAS ``gemv`` on a busy
    machine spends more on waking threads than on the arithmetic (measured: 20x slower at
    16000 x 64 with two cores shared), and this loop streams each column once.
    """
    n = z.shape[0]
    for i in range(n):
        out[i] = 0.0
    for j in range(k):
        c = coef[j]
        if c != 0.0:
            for i in range(n):
                out[i] += z[i, j] * c
    return out
