"""Numba kernels: Gaussian orthant probabilities with a running error bound.

``P_m(C) = P(Y > 0 componentwise)`` for ``Y ~ N(0, C)``, ``C`` an m x m correlation matrix.

Method (Plackett 1954 reduction along the straight path from the identity):

* ``m <= 3``: closed forms (``1/2``; ``1/4 + asin(r)/(2 pi)``; ``1/8 + sum asin(r_ij)/(4 pi)``).
* ``m >= 4``: with ``C(t) = I + t (C - I)``, Plackett's identity
  ``dP/dr_ij = phi2(0, 0; r_ij) P_{m-2}(correlation of the rest given Y_i = Y_j = 0)`` gives
  ``P_m(C) = 2^-m + sum_{i<j} int_0^1 r_ij phi2(0, 0; t r_ij) P_{m-2}(C_ij(t)) dt``.
  ``P_{m-2}`` is a closed form (m = 4, 5), or the same reduction one level down
  (m = 6, 7: one nested quadrature; m = 8: two).

Where the integrand can be singular: every singularity of ``t -> integrand`` (complex t included)
sits where a principal block of ``C(t)`` is singular, i.e. at ``t = 1 / (1 - beta)`` for an
eigenvalue ``beta`` of a principal block; by interlacing these lie on the real rays
``t >= t_s = 1 / (1 - lam_min)`` and ``t <= -a = -1 / (lam_max - 1)``. The substitution
``u = log((t + a) / (t_s - t))`` maps the plane cut along these two rays onto the strip
``|Im u| < pi``: the integrand is analytic in that strip whatever the conditioning of ``C``, and
the u-interval has length ``log(lam_max / lam_min)`` (the log of the condition number), so a
thin cone costs a few more panels, never a failure of convergence.

Each pair integral is computed by adaptive Gauss-Kronrod quadrature (8-point Gauss rule inside
a 17-point Kronrod rule, same evaluations) on panels of the u-interval: the panel is accepted
when the two rules differ by less than its share of the tolerance, otherwise it is bisected.
The accepted value is the Kronrod rule (degree 25); its error bound is the full difference
(which measures the Gauss rule's error; the Kronrod rule's own error is orders of magnitude
smaller for analytic integrands), plus the propagated error bounds of the inner
``P_{m-2}`` evaluations, plus a floating-point allowance: a running first-order error analysis
of the conditional correlations, propagated through the exact sensitivity
``|dP_m / dr_ij| = phi2(0, 0; r_ij) P_{m-2} <= (d asin(r_ij) / d r_ij) / (4 pi)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

EPS = 2.220446049250313e-16
INV_2PI = 1.0 / (2.0 * math.pi)
HALF_PI = 0.5 * math.pi
#: Most panels one pair integral may use before it stops refining (the error bound then
#: honestly reports the unresolved difference).
MAX_PANELS = 200
#: Initial panel length in u. The integrand is analytic in |Im u| < pi; for a panel of
#: half-length h the Bernstein ellipse parameter is (pi + sqrt(pi^2 + h^2)) / h (= 5.6 for h = 1.2),
#: so the order-10 rule is already near 1e-15 and the order-20 rule far below.
PANEL_LENGTH = 2.4


@njit(cache=True)
def asin_change_bound(r, dr):
    """Bound on ``|asin(r') - asin(r)|`` over all ``|r' - r| <= dr`` (r' clipped to [-1, 1])."""
    if dr <= 0.0:
        return 0.0
    gap = 1.0 - abs(r)
    if gap > 2.0 * dr:
        # mean value theorem; the derivative 1/sqrt(1 - x^2) is largest at the end nearer +-1
        return dr / math.sqrt((gap - dr) * (2.0 - gap + dr))
    # within reach of +-1: asin(1) - asin(1 - h) = acos(1 - h) <= (pi/2) sqrt(h)
    return HALF_PI * (math.sqrt(min(gap + dr, 2.0)) + math.sqrt(min(dr, 2.0)))


@njit(cache=True)
def _clip_unit(r):
    if r > 1.0:
        return 1.0
    if r < -1.0:
        return -1.0
    return r


@njit(cache=True)
def orthant2(r, dr):
    """(P_2, bound) for a correlation r known to within dr."""
    a = math.asin(_clip_unit(r))
    value = 0.25 + a * INV_2PI
    err = (asin_change_bound(r, dr) + 2.0 * EPS * abs(a)) * INV_2PI + 2.0 * EPS
    return value, err


@njit(cache=True)
def orthant3(r12, r13, r23, d12, d13, d23):
    """(P_3, bound) from three correlations and their error bounds."""
    a = math.asin(_clip_unit(r12)) + math.asin(_clip_unit(r13)) + math.asin(_clip_unit(r23))
    value = 0.125 + 0.5 * a * INV_2PI
    err = (asin_change_bound(r12, d12) + asin_change_bound(r13, d13)
           + asin_change_bound(r23, d23) + 6.0 * EPS * HALF_PI) * 0.5 * INV_2PI + 2.0 * EPS
    return value, err


@njit(cache=True)
def _cond_cov(ckl, cki, ckj, cli, clj, t, s, c2):
    """Entry (k, l) of the covariance of C(t) given Y_i = Y_j = 0, with an absolute rounding bound.

    ``ckl`` is the entry of C(t) itself (1 on the diagonal, ``t C[k, l]`` off it);
    ``cki = C[k, i]`` etc. unscaled; ``s = t C[i, j]``; ``c2 = 1 - s^2``.

    Conditioning first on Y_j, then on Y_i given Y_j, writes the Schur complement as
    ``ckl - b_k b_l - alpha_k alpha_l / c2`` with ``b = t C[., j]`` and
    ``alpha = t C[., i] - s b`` (the residual of Y_i's regression on Y_j). For a thin cone
    ``alpha`` is small: its rounding is divided by c2 only after multiplication by another
    small alpha, instead of the O(1) terms of the expanded quadratic form.
    """
    b_k = t * ckj
    b_l = t * clj
    a_k = t * cki
    a_l = t * cli
    alpha_k = a_k - s * b_k
    alpha_l = a_l - s * b_l
    ea_k = 3.0 * EPS * (abs(a_k) + abs(s * b_k))
    ea_l = 3.0 * EPS * (abs(a_l) + abs(s * b_l))
    value = ckl - b_k * b_l - alpha_k * alpha_l / c2
    terms = abs(ckl) + abs(b_k * b_l) + abs(alpha_k * alpha_l) / c2
    err = 8.0 * EPS * terms + 2.0 * (abs(alpha_k) * ea_l + abs(alpha_l) * ea_k + ea_k * ea_l) / c2
    return value, err


@njit(cache=True)
def _corr_from_cov(skl, ekl, skk, ekk, sll, ell):
    """Correlation from conditional covariances with absolute error bounds; (r, dr)."""
    if skk <= 2.0 * ekk or sll <= 2.0 * ell:
        # a conditional variance is lost in rounding: no information left about r
        return 0.0, 2.0
    denom = math.sqrt(skk * sll)
    r = skl / denom
    dr = ekl / denom + abs(r) * (ekk / (skk - ekk) + ell / (sll - ell)) + 4.0 * EPS * abs(r)
    return _clip_unit(r), dr


@njit(cache=True)
def _u_map(u, a, ts):
    """t(u) and dt/du for u = log((t + a) / (ts - t))."""
    if u > 0.0:
        e = math.exp(-u)
        t = (ts - a * e) / (1.0 + e)
        jac = (ts + a) * e / ((1.0 + e) * (1.0 + e))
    else:
        e = math.exp(u)
        t = (ts * e - a) / (1.0 + e)
        jac = (ts + a) * e / ((1.0 + e) * (1.0 + e))
    return t, jac


@njit(cache=True)
def _path_constants(lam_lo, lam_hi):
    """(a, ts, u0, u1): singularity-free rays t <= -a, t >= ts and the u-interval of t in [0, 1]."""
    lam_lo = min(lam_lo, 0.5)  # a valid lower bound stays valid when lowered
    lam_hi = max(lam_hi, 1.5)
    ts = 1.0 / (1.0 - lam_lo)
    a = 1.0 / (lam_hi - 1.0)
    u0 = math.log(a / ts)
    u1 = math.log((1.0 + a) / (ts - 1.0))
    return a, ts, u0, u1


@njit(cache=True)
def _pair_weight(rho, t):
    """rho * phi2(0, 0; t rho): the derivative of P_2 along the path."""
    s = t * rho
    return rho * INV_2PI / math.sqrt((1.0 - s) * (1.0 + s))


@njit(cache=True)
def _integrand_closed(C, m, i, j, t, idx):
    """(rho phi2 P_{m-2}(C_ij(t)), bound) for m = 4, 5 (closed-form inner orthant)."""
    rho = C[i, j]
    s = t * rho
    c2 = (1.0 - s) * (1.0 + s)
    w = _pair_weight(rho, t)
    n_rest = 0
    for k in range(m):
        if k != i and k != j:
            idx[n_rest] = k
            n_rest += 1
    k = idx[0]
    l = idx[1]
    skk, ekk = _cond_cov(1.0, C[k, i], C[k, j], C[k, i], C[k, j], t, s, c2)
    sll, ell = _cond_cov(1.0, C[l, i], C[l, j], C[l, i], C[l, j], t, s, c2)
    skl, ekl = _cond_cov(t * C[k, l], C[k, i], C[k, j], C[l, i], C[l, j], t, s, c2)
    r_kl, d_kl = _corr_from_cov(skl, ekl, skk, ekk, sll, ell)
    if m == 4:
        p, pe = orthant2(r_kl, d_kl)
    else:
        q = idx[2]
        sqq, eqq = _cond_cov(1.0, C[q, i], C[q, j], C[q, i], C[q, j], t, s, c2)
        skq, ekq = _cond_cov(t * C[k, q], C[k, i], C[k, j], C[q, i], C[q, j], t, s, c2)
        slq, elq = _cond_cov(t * C[l, q], C[l, i], C[l, j], C[q, i], C[q, j], t, s, c2)
        r_kq, d_kq = _corr_from_cov(skq, ekq, skk, ekk, sqq, eqq)
        r_lq, d_lq = _corr_from_cov(slq, elq, sll, ell, sqq, eqq)
        p, pe = orthant3(r_kl, r_kq, r_lq, d_kl, d_kq, d_lq)
    return w * p, abs(w) * (pe + 8.0 * EPS * p)


@njit(cache=True)
def _conditional_corr(C, m, i, j, t, lam_lo, lam_hi, idx, inner):
    """Fill `inner` with the correlation of C(t) given Y_i = Y_j = 0.

    Returns (rounding bound of its entries, lower and upper eigenvalue bounds).
    """
    rho = C[i, j]
    s = t * rho
    c2 = (1.0 - s) * (1.0 + s)
    mm = m - 2
    n_rest = 0
    for k in range(m):
        if k != i and k != j:
            idx[n_rest] = k
            n_rest += 1
    var = np.empty(mm)
    var_err = np.empty(mm)
    min_var = 1.0
    for a in range(mm):
        k = idx[a]
        var[a], var_err[a] = _cond_cov(1.0, C[k, i], C[k, j], C[k, i], C[k, j], t, s, c2)
        min_var = min(min_var, var[a])
    dmax = 0.0
    for a in range(mm):
        inner[a, a] = 1.0
        k = idx[a]
        for b in range(a + 1, mm):
            l = idx[b]
            v, ve = _cond_cov(t * C[k, l], C[k, i], C[k, j], C[l, i], C[l, j], t, s, c2)
            r, dr = _corr_from_cov(v, ve, var[a], var_err[a], var[b], var_err[b])
            inner[a, b] = r
            inner[b, a] = r
            dmax = max(dmax, dr)
    # Schur complements and the rescaling to unit diagonal (variances <= 1) keep the smallest
    # eigenvalue above that of C(t); the trace bounds the largest.
    inner_lo = 1.0 - t * (1.0 - lam_lo)
    inner_hi = float(mm)
    if min_var > 0.0:
        inner_hi = min(inner_hi, (1.0 + t * (lam_hi - 1.0)) / min_var)
    # The actual spectrum is usually much tighter (a shorter quadrature interval); eigvalsh is
    # backward stable, and the entries' own uncertainty moves eigenvalues by <= mm * dmax (Weyl).
    if dmax < 1e-3:
        ev = np.linalg.eigvalsh(inner)
        slack = 64.0 * mm * mm * EPS + mm * dmax
        inner_lo = max(inner_lo, 0.99 * ev[0] - slack)
        inner_hi = min(inner_hi, 1.01 * ev[mm - 1] + slack)
    return dmax, inner_lo, inner_hi


# The three Plackett drivers below share one adaptive loop; they differ only in the integrand
# (closed-form inner orthant, one nested level, two nested levels). Numba's on-disk cache does
# not support recursion or closures reliably, hence the explicit levels.


@njit(cache=True)
def plackett_closed(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen):
    """(P_m(C), bound) for m = 4, 5."""
    m = C.shape[0]
    npairs = m * (m - 1) // 2
    tol_pair = tol / npairs
    a, ts, u0, u1 = _path_constants(lam_lo, lam_hi)
    length = u1 - u0
    n_init = max(1, int(math.ceil(length / plen)))
    idx = np.empty(m, dtype=np.int64)
    lo = np.empty(MAX_PANELS + n_init + 2)
    hi = np.empty(MAX_PANELS + n_init + 2)
    value = 0.5 ** m
    err = 0.0
    abs_sum = value
    for i in range(m):
        for j in range(i + 1, m):
            rho = C[i, j]
            err += 0.5 * INV_2PI * asin_change_bound(rho, dC)
            if rho == 0.0:
                continue
            pair_val = 0.0
            pair_err = 0.0
            top = 0
            for p in range(n_init):
                lo[top] = u0 + length * p / n_init
                hi[top] = u0 + length * (p + 1) / n_init
                top += 1
            panels = n_init
            while top > 0:
                top -= 1
                ua = lo[top]
                ub = hi[top]
                half = 0.5 * (ub - ua)
                mid = 0.5 * (ua + ub)
                q_short = 0.0
                e_short = 0.0
                q_long = 0.0
                e_long = 0.0
                for k in range(xq.shape[0]):
                    t, jac = _u_map(mid + half * xq[k], a, ts)
                    f, fe = _integrand_closed(C, m, i, j, t, idx)
                    q_long += wk[k] * jac * f
                    e_long += wk[k] * jac * fe
                    q_short += wg[k] * jac * f
                    e_short += wg[k] * jac * fe
                q_short *= half
                q_long *= half
                diff = abs(q_long - q_short)
                # Bisecting cannot help once the difference is within the evaluation errors
                # themselves (rounding, inner quadratures): those are in the bound anyway.
                noise = half * (e_long + e_short)
                if diff <= max(tol_pair * (ub - ua) / length, 2.0 * noise) or panels >= MAX_PANELS:
                    pair_val += q_long
                    pair_err += diff + half * e_long + 2.0 * xq.shape[0] * EPS * abs(q_long)
                else:
                    lo[top] = ua
                    hi[top] = mid
                    lo[top + 1] = mid
                    hi[top + 1] = ub
                    top += 2
                    panels += 1
            value += pair_val
            abs_sum += abs(pair_val)
            err += pair_err
    err += 2.0 * npairs * EPS * abs_sum
    return value, err


@njit(cache=True)
def plackett_nested(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen):
    """(P_m(C), bound) for m = 6, 7: the inner P_{m-2} by plackett_closed."""
    m = C.shape[0]
    npairs = m * (m - 1) // 2
    tol_pair = tol / npairs
    a, ts, u0, u1 = _path_constants(lam_lo, lam_hi)
    length = u1 - u0
    n_init = max(1, int(math.ceil(length / plen)))
    idx = np.empty(m, dtype=np.int64)
    inner = np.empty((m - 2, m - 2))
    lo = np.empty(MAX_PANELS + n_init + 2)
    hi = np.empty(MAX_PANELS + n_init + 2)
    value = 0.5 ** m
    err = 0.0
    abs_sum = value
    for i in range(m):
        for j in range(i + 1, m):
            rho = C[i, j]
            err += 0.5 * INV_2PI * asin_change_bound(rho, dC)
            if rho == 0.0:
                continue
            pair_val = 0.0
            pair_err = 0.0
            top = 0
            for p in range(n_init):
                lo[top] = u0 + length * p / n_init
                hi[top] = u0 + length * (p + 1) / n_init
                top += 1
            panels = n_init
            while top > 0:
                top -= 1
                ua = lo[top]
                ub = hi[top]
                half = 0.5 * (ub - ua)
                mid = 0.5 * (ua + ub)
                q_short = 0.0
                e_short = 0.0
                q_long = 0.0
                e_long = 0.0
                for k in range(xq.shape[0]):
                    t, jac = _u_map(mid + half * xq[k], a, ts)
                    d_in, lo_in, hi_in = _conditional_corr(C, m, i, j, t, lam_lo, lam_hi, idx, inner)
                    p_in, e_in = plackett_closed(inner, d_in, lo_in, hi_in, tol_pair, xq, wk, wg, plen)
                    w = _pair_weight(rho, t)
                    fe = jac * abs(w) * (e_in + 8.0 * EPS * p_in)
                    q_long += wk[k] * jac * w * p_in
                    e_long += wk[k] * fe
                    q_short += wg[k] * jac * w * p_in
                    e_short += wg[k] * fe
                q_short *= half
                q_long *= half
                diff = abs(q_long - q_short)
                # Bisecting cannot help once the difference is within the evaluation errors
                # themselves (rounding, inner quadratures): those are in the bound anyway.
                noise = half * (e_long + e_short)
                if diff <= max(tol_pair * (ub - ua) / length, 2.0 * noise) or panels >= MAX_PANELS:
                    pair_val += q_long
                    pair_err += diff + half * e_long + 2.0 * xq.shape[0] * EPS * abs(q_long)
                else:
                    lo[top] = ua
                    hi[top] = mid
                    lo[top + 1] = mid
                    hi[top + 1] = ub
                    top += 2
                    panels += 1
            value += pair_val
            abs_sum += abs(pair_val)
            err += pair_err
    err += 2.0 * npairs * EPS * abs_sum
    return value, err


@njit(cache=True)
def plackett_nested2(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen):
    """(P_8(C), bound): the inner P_6 by plackett_nested."""
    m = C.shape[0]
    npairs = m * (m - 1) // 2
    tol_pair = tol / npairs
    a, ts, u0, u1 = _path_constants(lam_lo, lam_hi)
    length = u1 - u0
    n_init = max(1, int(math.ceil(length / plen)))
    idx = np.empty(m, dtype=np.int64)
    inner = np.empty((m - 2, m - 2))
    lo = np.empty(MAX_PANELS + n_init + 2)
    hi = np.empty(MAX_PANELS + n_init + 2)
    value = 0.5 ** m
    err = 0.0
    abs_sum = value
    for i in range(m):
        for j in range(i + 1, m):
            rho = C[i, j]
            err += 0.5 * INV_2PI * asin_change_bound(rho, dC)
            if rho == 0.0:
                continue
            pair_val = 0.0
            pair_err = 0.0
            top = 0
            for p in range(n_init):
                lo[top] = u0 + length * p / n_init
                hi[top] = u0 + length * (p + 1) / n_init
                top += 1
            panels = n_init
            while top > 0:
                top -= 1
                ua = lo[top]
                ub = hi[top]
                half = 0.5 * (ub - ua)
                mid = 0.5 * (ua + ub)
                q_short = 0.0
                e_short = 0.0
                q_long = 0.0
                e_long = 0.0
                for k in range(xq.shape[0]):
                    t, jac = _u_map(mid + half * xq[k], a, ts)
                    d_in, lo_in, hi_in = _conditional_corr(C, m, i, j, t, lam_lo, lam_hi, idx, inner)
                    p_in, e_in = plackett_nested(inner, d_in, lo_in, hi_in, tol_pair, xq, wk, wg, plen)
                    w = _pair_weight(rho, t)
                    fe = jac * abs(w) * (e_in + 8.0 * EPS * p_in)
                    q_long += wk[k] * jac * w * p_in
                    e_long += wk[k] * fe
                    q_short += wg[k] * jac * w * p_in
                    e_short += wg[k] * fe
                q_short *= half
                q_long *= half
                diff = abs(q_long - q_short)
                # Bisecting cannot help once the difference is within the evaluation errors
                # themselves (rounding, inner quadratures): those are in the bound anyway.
                noise = half * (e_long + e_short)
                if diff <= max(tol_pair * (ub - ua) / length, 2.0 * noise) or panels >= MAX_PANELS:
                    pair_val += q_long
                    pair_err += diff + half * e_long + 2.0 * xq.shape[0] * EPS * abs(q_long)
                else:
                    lo[top] = ua
                    hi[top] = mid
                    lo[top + 1] = mid
                    hi[top + 1] = ub
                    top += 2
                    panels += 1
            value += pair_val
            abs_sum += abs(pair_val)
            err += pair_err
    err += 2.0 * npairs * EPS * abs_sum
    return value, err


@njit(cache=True)
def orthant_corr(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen):
    """(P_m(C), error bound) for an m x m correlation matrix, m = 1..8.

    dC: absolute error bound of the off-diagonal entries; lam_lo, lam_hi: bounds
    0 < lam_lo <= lambda_min(C), lambda_max(C) <= lam_hi; tol: target of the quadrature part;
    xq, wk, wg: nodes on [-1, 1] of a Gauss-Kronrod pair, its Kronrod weights and the weights
    of the embedded Gauss rule (zero on the Kronrod-only nodes).
    """
    m = C.shape[0]
    if m == 1:
        return 0.5, 0.0
    if m == 2:
        return orthant2(C[0, 1], dC)
    if m == 3:
        return orthant3(C[0, 1], C[0, 2], C[1, 2], dC, dC, dC)
    if m <= 5:
        return plackett_closed(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen)
    if m <= 7:
        return plackett_nested(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen)
    return plackett_nested2(C, dC, lam_lo, lam_hi, tol, xq, wk, wg, plen)


@njit(cache=True, parallel=True)
def orthant_corr_batch(corrs, dcs, lam_los, lam_his, tol, xq, wk, wg, plen):
    """orthant_corr over a (k, m, m) stack of correlation matrices, in parallel over k."""
    k = corrs.shape[0]
    values = np.empty(k)
    errors = np.empty(k)
    for c in prange(k):
        v, e = orthant_corr(corrs[c], dcs[c], lam_los[c], lam_his[c], tol, xq, wk, wg, plen)
        values[c] = v
        errors[c] = e
    return values, errors
