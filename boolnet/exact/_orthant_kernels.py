"""Numba kernels: Gaussian orthant probabilities with a running error bound.

``P_m(C) = P(Y > 0 componentwise)`` for ``Y ~ N(0, C)``, ``C`` an m x m correlation matrix.

Method (Plackett 1954 reduction along a straight path of correlation matrices):

* ``m <= 3``: closed forms (``1/2``; ``1/4 + asin(r)/(2 pi)``; ``1/8 + sum asin(r_ij)/(4 pi)``).
* ``m >= 4``: split the indices into two blocks (sizes m//2 and m - m//2; of all such splits
  the one with the shortest quadrature interval, see below) and let ``C0`` be the
  block-diagonal part of C. Along
  ``C(t) = C0 + t (C - C0)`` only the cross-block entries move (``C(t)_ij = t r_ij``), and
  Plackett's identity ``dP/dr_ij = phi2(0, 0; r_ij) P_{m-2}(correlation of the rest given
  Y_i = Y_j = 0)`` gives
  ``P_m(C) = P(C0) + sum_{cross i<j} int_0^1 r_ij phi2(0, 0; t r_ij) P_{m-2}(C_ij(t)) dt``,
  with ``P(C0)`` the product of the two blocks' orthant probabilities (closed forms up to
  size 3). m = 6 needs 9 pair integrals instead of the 15 of the classical path from I.
  ``P_{m-2}`` is a closed form (m = 4, 5), or the same reduction one level down
  (m = 6, 7: one nested quadrature; m = 8: two).

Where the integrand can be singular: every singularity of ``t -> integrand`` (complex t
included) sits where a principal block of ``C(t)`` is singular, i.e. at ``t = 1 / (1 - beta)``
for a generalized eigenvalue ``beta`` of that block's pencil ``(C_S, C0_S)``; by Courant-Fischer
these lie in ``[beta_min, beta_max]`` of the full pencil (the eigenvalues of
``C0^-1/2 C C0^-1/2``), so all singularities are on the real rays ``t >= t_s = 1/(1 - beta_min)``
and ``t <= -a = -1/(beta_max - 1)``. The substitution ``u = log((t + a) / (t_s - t))`` maps the
plane cut along these rays onto the strip ``|Im u| < pi``: the integrand is analytic in that
strip whatever the conditioning of ``C``, and the u-interval has length about
``log(beta_max / beta_min)``, so a thin cone costs a few more panels, never a failure of
convergence. (If the block start is numerically too ill-conditioned, the path starts at I,
bounded by C's own spectrum.)

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

from boolnet._numba_copies import renamed

EPS = 2.220446049250313e-16
INV_2PI = 1.0 / (2.0 * math.pi)
HALF_PI = 0.5 * math.pi
#: Most panels one pair integral may use before it stops refining (the error bound then
#: honestly reports the unresolved difference).
MAX_PANELS = 200
#: Default initial panel length in u (the callers pass their own). The integrand is analytic
#: in |Im u| < pi; for a panel of half-length h the Bernstein ellipse parameter is
#: (pi + sqrt(pi^2 + h^2)) / h (= 5.6 for h = 1.2): the 8-point Gauss rule converges like
#: 5.6^-16 ~ 1e-12 relative in the worst case, typically far better, and the Kronrod rule
#: (degree 25) far below that.
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
def _cond_cov(ckl, a_k, b_k, a_l, b_l, s, c2):
    """Entry (k, l) of the covariance given Y_i = Y_j = 0, with an absolute rounding bound.

    Inputs are entries of the current matrix C(t): ``ckl`` (1 on the diagonal),
    ``a_k = C(t)[k, i]``, ``b_k = C(t)[k, j]`` (same for l), ``s = C(t)[i, j]``, ``c2 = 1 - s^2``.

    Conditioning first on Y_j, then on Y_i given Y_j, writes the Schur complement as
    ``ckl - b_k b_l - alpha_k alpha_l / c2`` with ``alpha = a - s b`` (the residual of Y_i's
    regression on Y_j). For a thin cone ``alpha`` is small: its rounding is divided by c2 only
    after multiplication by another small alpha, instead of the O(1) terms of the expanded
    quadratic form.
    """
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
    else:
        e = math.exp(u)
        t = (ts * e - a) / (1.0 + e)
    return t, (ts + a) * e / ((1.0 + e) * (1.0 + e))


@njit(cache=True)
def _path_constants(lam_lo, lam_hi):
    """(a, ts, u0, u1): singularity-free rays t <= -a, t >= ts and the u-interval of t in [0, 1]."""
    lam_lo = min(lam_lo, 0.5)  # a valid lower bound stays valid when lowered
    lam_hi = max(lam_hi, 1.5)
    ts = 1.0 / (1.0 - lam_lo)
    a = 1.0 / (lam_hi - 1.0)
    return a, ts, math.log(a / ts), math.log((1.0 + a) / (ts - 1.0))


@njit(cache=True)
def _pair_weight(rho, t):
    """rho * phi2(0, 0; t rho): the derivative of P_2(t rho) with respect to t."""
    s = t * rho
    return rho * INV_2PI / math.sqrt((1.0 - s) * (1.0 + s))


@njit(cache=True)
def _entry(C, blk, k, l, t):
    """Entry (k, l) of C(t) = C0 + t (C - C0): within-block entries are fixed, cross ones scaled."""
    if blk[k] == blk[l]:
        return C[k, l]
    return t * C[k, l]


@njit(cache=True)
def _pencil_bounds(C, blk, dC):
    """Bounds lam_lo <= beta <= lam_hi on the eigenvalues of C0^-1/2 C C0^-1/2.

    Along C(t) = C0 + t (C - C0) a principal block is singular exactly at t = 1 / (1 - beta) for a
    generalized eigenvalue beta of the block's pencil, and those lie within the full pencil's
    range (Courant-Fischer): these bounds place every singularity of the integrand.
    eigvalsh is backward stable; the slack covers its error and the entries' uncertainty dC,
    both magnified by ||L0^-1||^2 <= ||L0^-1||_F^2.
    """
    m = C.shape[0]
    # Cholesky factor of C0 by hand: a non-positive pivot (numerically singular block) must
    # return "no bound" rather than raise inside a parallel loop.
    L0 = np.zeros((m, m))
    for k in range(m):
        for l in range(k + 1):
            if blk[k] != blk[l]:
                continue
            acc = C[k, l]
            for q in range(l):
                acc -= L0[k, q] * L0[l, q]
            if k == l:
                if acc <= 0.0:
                    return -1.0, 0.0
                L0[k, k] = math.sqrt(acc)
            else:
                L0[k, l] = acc / L0[l, l]
    # L0^-1 by forward substitution and B = L0^-1 C L0^-T by loops (m <= 8; avoids compiling
    # more LAPACK wrappers)
    Linv = np.zeros((m, m))
    for col in range(m):
        for k in range(m):
            acc = 1.0 if k == col else 0.0
            for q in range(k):
                acc -= L0[k, q] * Linv[q, col]
            Linv[k, col] = acc / L0[k, k]
    tmp = np.zeros((m, m))
    for k in range(m):
        for l in range(m):
            acc = 0.0
            for q in range(m):
                acc += Linv[k, q] * C[q, l]
            tmp[k, l] = acc
    B = np.zeros((m, m))
    for k in range(m):
        for l in range(k + 1):
            acc = 0.0
            for q in range(m):
                acc += tmp[k, q] * Linv[l, q]
            B[k, l] = acc
            B[l, k] = acc
    ev = np.linalg.eigvalsh(B)
    norm2 = 0.0
    for k in range(m):
        for l in range(m):
            norm2 += Linv[k, l] * Linv[k, l]
    slack = (64.0 * m * m * EPS + m * dC) * norm2 + 64.0 * m * EPS * abs(ev[m - 1])
    return 0.99 * ev[0] - slack, 1.01 * ev[m - 1] + slack


@njit(cache=True)
def _block_indices(blk, which, out):
    n = 0
    for k in range(blk.shape[0]):
        if blk[k] == which:
            out[n] = k
            n += 1
    return n


@njit(cache=True)
def _small_orthant(C, idx, n, dC, tol, xq, wk, wg, plen, block_start):
    """(P, bound) of the principal block C[idx[:n], idx[:n]] for n <= 3 (closed forms).

    The signature is `_block_orthant`'s, so that either can be a level's block orthant (see
    `_level`); the quadrature arguments tol .. block_start are unused.
    """
    if n == 1:
        return 0.5, 0.0
    if n == 2:
        return orthant2(C[idx[0], idx[1]], dC)
    return orthant3(C[idx[0], idx[1]], C[idx[0], idx[2]], C[idx[1], idx[2]], dC, dC, dC)


@njit(cache=True)
def _input_sensitivity(C, dC):
    """Bound on the change of P_m when every off-diagonal entry moves by <= dC.

    |dP/dr_ij| = phi2(0, 0; r_ij) P_{m-2}(...) <= (d asin(r_ij) / d r_ij) / (4 pi).
    """
    m = C.shape[0]
    err = 0.0
    for i in range(m):
        for j in range(i + 1, m):
            err += 0.5 * INV_2PI * asin_change_bound(C[i, j], dC)
    return err


# Inlined (at numba IR level) into the loop: it runs at every quadrature node, and a real call
# would pass the seven arguments it does not use (arrays travel as several words each). Inlining
# moves no arithmetic, so the values are the same either way (timing in docs/gaussian.md).
@njit(cache=True, inline="always")
def _inner_closed(C, blk, i, j, t, rest, scratch, tol, xq, wk, wg, plen, block_start):
    """(P_{m-2}, bound) given Y_i = Y_j = 0 on C(t), m = 4, 5: a closed form.

    The signature is the one `_plackett_loop` calls every level's inner orthant with; this
    level needs none of scratch, tol, xq, wk, wg, plen, block_start. Each conditional
    correlation keeps its own error bound here (the nested levels share the largest one).
    """
    m = C.shape[0]
    s = t * C[i, j]
    c2 = (1.0 - s) * (1.0 + s)
    k = rest[0]
    l = rest[1]
    a_k = _entry(C, blk, k, i, t)
    b_k = _entry(C, blk, k, j, t)
    a_l = _entry(C, blk, l, i, t)
    b_l = _entry(C, blk, l, j, t)
    skk, ekk = _cond_cov(1.0, a_k, b_k, a_k, b_k, s, c2)
    sll, ell = _cond_cov(1.0, a_l, b_l, a_l, b_l, s, c2)
    skl, ekl = _cond_cov(_entry(C, blk, k, l, t), a_k, b_k, a_l, b_l, s, c2)
    r_kl, d_kl = _corr_from_cov(skl, ekl, skk, ekk, sll, ell)
    if m == 4:
        p, pe = orthant2(r_kl, d_kl)
    else:
        q = rest[2]
        a_q = _entry(C, blk, q, i, t)
        b_q = _entry(C, blk, q, j, t)
        sqq, eqq = _cond_cov(1.0, a_q, b_q, a_q, b_q, s, c2)
        skq, ekq = _cond_cov(_entry(C, blk, k, q, t), a_k, b_k, a_q, b_q, s, c2)
        slq, elq = _cond_cov(_entry(C, blk, l, q, t), a_l, b_l, a_q, b_q, s, c2)
        r_kq, d_kq = _corr_from_cov(skq, ekq, skk, ekk, sqq, eqq)
        r_lq, d_lq = _corr_from_cov(slq, elq, sll, ell, sqq, eqq)
        p, pe = orthant3(r_kl, r_kq, r_lq, d_kl, d_kq, d_lq)
    return p, pe


@njit(cache=True)
def _conditional_corr(C, blk, i, j, t, rest, inner):
    """Fill `inner` with the correlation of C(t) given Y_i = Y_j = 0; returns its entries' bound."""
    mm = inner.shape[0]
    s = t * C[i, j]
    c2 = (1.0 - s) * (1.0 + s)
    var = np.empty(mm)
    var_err = np.empty(mm)
    for a in range(mm):
        k = rest[a]
        a_k = _entry(C, blk, k, i, t)
        b_k = _entry(C, blk, k, j, t)
        var[a], var_err[a] = _cond_cov(1.0, a_k, b_k, a_k, b_k, s, c2)
    dmax = 0.0
    for a in range(mm):
        inner[a, a] = 1.0
        k = rest[a]
        a_k = _entry(C, blk, k, i, t)
        b_k = _entry(C, blk, k, j, t)
        for b in range(a + 1, mm):
            l = rest[b]
            v, ve = _cond_cov(_entry(C, blk, k, l, t), a_k, b_k, _entry(C, blk, l, i, t),
                              _entry(C, blk, l, j, t), s, c2)
            r, dr = _corr_from_cov(v, ve, var[a], var_err[a], var[b], var_err[b])
            inner[a, b] = r
            inner[b, a] = r
            dmax = max(dmax, dr)
    return dmax


@njit(cache=True)
def _rest_of(m, i, j, rest):
    n = 0
    for k in range(m):
        if k != i and k != j:
            rest[n] = k
            n += 1


@njit(cache=True)
def _pencil_bounds_small(C, blk, dC):
    """_pencil_bounds for m = 4, 5 (a block of 2 and one of m - 2), in closed form.

    With C0 = blockdiag(C_PP, C_QQ), C0^-1/2 C C0^-1/2 = [[I, M], [M^T, I]] has eigenvalues
    1 +- sigma_i(M) (and 1), where sigma_i^2 are the eigenvalues of the 2 x 2 matrix
    N = C_PP^-1 C_PQ C_QQ^-1 C_QP (the squared canonical correlations of the two blocks).
    """
    m = C.shape[0]
    p = np.empty(2, dtype=np.int64)
    q = np.empty(3, dtype=np.int64)
    npp = 0
    nq = 0
    for k in range(m):
        if blk[k] == 1 and npp < 2:
            p[npp] = k
            npp += 1
        else:
            q[nq] = k
            nq += 1
    if npp != 2 or nq != m - 2:
        return -1.0, 0.0
    r = C[p[0], p[1]]
    dp = (1.0 - r) * (1.0 + r)
    # C_PP^-1 = [[1, -r], [-r, 1]] / dp
    ipp00 = 1.0 / dp
    ipp01 = -r / dp
    norm_p = (abs(ipp00) + abs(ipp01)) * 2.0
    iqq = np.empty((3, 3))
    if nq == 2:
        rq = C[q[0], q[1]]
        dq = (1.0 - rq) * (1.0 + rq)
        iqq[0, 0] = 1.0 / dq
        iqq[1, 1] = 1.0 / dq
        iqq[0, 1] = -rq / dq
        iqq[1, 0] = -rq / dq
    else:
        a = C[q[0], q[1]]
        b = C[q[0], q[2]]
        c = C[q[1], q[2]]
        det = 1.0 - a * a - b * b - c * c + 2.0 * a * b * c
        if det <= 0.0:
            return -1.0, 0.0
        iqq[0, 0] = (1.0 - c * c) / det
        iqq[1, 1] = (1.0 - b * b) / det
        iqq[2, 2] = (1.0 - a * a) / det
        iqq[0, 1] = iqq[1, 0] = (b * c - a) / det
        iqq[0, 2] = iqq[2, 0] = (a * c - b) / det
        iqq[1, 2] = iqq[2, 1] = (a * b - c) / det
    norm_q = 0.0
    for x in range(nq):
        for y in range(nq):
            norm_q += abs(iqq[x, y])
    # X = C_QQ^-1 C_QP  (nq x 2), then N = C_PP^-1 (C_PQ X)  (2 x 2)
    x0 = np.zeros(3)
    x1 = np.zeros(3)
    for x in range(nq):
        for y in range(nq):
            x0[x] += iqq[x, y] * C[q[y], p[0]]
            x1[x] += iqq[x, y] * C[q[y], p[1]]
    g00 = 0.0
    g01 = 0.0
    g10 = 0.0
    g11 = 0.0
    for x in range(nq):
        g00 += C[p[0], q[x]] * x0[x]
        g01 += C[p[0], q[x]] * x1[x]
        g10 += C[p[1], q[x]] * x0[x]
        g11 += C[p[1], q[x]] * x1[x]
    n00 = ipp00 * g00 + ipp01 * g10
    n01 = ipp00 * g01 + ipp01 * g11
    n10 = ipp01 * g00 + ipp00 * g10
    n11 = ipp01 * g01 + ipp00 * g11
    tr = n00 + n11
    disc = (n00 - n11) * (n00 - n11) + 4.0 * n01 * n10
    lam = 0.5 * (tr + math.sqrt(max(disc, 0.0)))
    lam = min(max(lam, 0.0), 1.0)
    sig = math.sqrt(lam)
    beta_min = (1.0 - lam) / (1.0 + sig)
    beta_max = 1.0 + sig
    # ||C0^-1|| <= max of the blocks' inverse norms (entrywise sums bound the 2-norm); the
    # products above magnify rounding and the entries' uncertainty by about that much squared.
    norm = max(norm_p, norm_q)
    slack = (64.0 * m * m * EPS + m * dC) * norm * norm
    return 0.99 * beta_min - slack, 1.01 * beta_max + slack


@njit(cache=True)
def _setup(C, dC, block_start):
    """Block split and path bounds: (blk, lam_lo, lam_hi, mode).

    block_start=False forces the classical path from the identity (a second, independent
    method, used by the tests).

    mode 2: two blocks, the path starts at their block-diagonal part; mode 1: identity start
    (every index its own block, base 2^-m); mode 0: numerically singular, no bound possible.
    """
    m = C.shape[0]
    blk = np.empty(m, dtype=np.int64)
    trial = np.empty(m, dtype=np.int64)
    size = m // 2
    best_len = np.inf
    lam_lo = -1.0
    lam_hi = 0.0
    # Try every split into blocks of sizes m//2 and m - m//2 and keep the one with the shortest
    # quadrature interval (about log(beta_max / beta_min)); for m = 4 there are 3 distinct ones.
    for mask in range(1 << m if block_start else 0):
        cnt = 0
        for k in range(m):
            cnt += (mask >> k) & 1
        if cnt != size or (2 * size == m and (mask & 1) == 0):
            continue
        for k in range(m):
            trial[k] = (mask >> k) & 1
        if m <= 5:
            lo_t, hi_t = _pencil_bounds_small(C, trial, dC)
        else:
            lo_t, hi_t = _pencil_bounds(C, trial, dC)
        if lo_t <= 0.0:
            continue
        a, ts, u0, u1 = _path_constants(lo_t, hi_t)
        if u1 - u0 < best_len:
            best_len = u1 - u0
            lam_lo = lo_t
            lam_hi = hi_t
            for k in range(m):
                blk[k] = trial[k]
    if lam_lo > 0.0:
        return blk, lam_lo, lam_hi, 2
    # Too ill-conditioned for the block start: fall back to the identity start, bounded by
    # C's own spectrum.
    for k in range(m):
        blk[k] = k
    ev = np.linalg.eigvalsh(C)
    slack = 64.0 * m * m * EPS + m * dC
    lam_lo = 0.99 * ev[0] - slack
    return blk, lam_lo, 1.01 * ev[m - 1] + slack, 1 if lam_lo > 0.0 else 0


# One adaptive Plackett loop, `_plackett_loop`, serves every dimension m >= 4. The levels
# differ in three functions, which the loop calls by the global names below:
#
# * `_level_block_orthant`: P of a diagonal block of C0, the start of the path
#   (`_small_orthant`: closed forms, blocks <= 3; `_block_orthant`: blocks <= 5);
# * `_level_inner_orthant`: P_{m-2} given Y_i = Y_j = 0 on C(t), at every quadrature node
#   (`_inner_closed`: closed forms, m = 4, 5; `_inner_by_closed`, `_inner_by_nested`: the same
#   loop one level down, m = 6, 7 and m = 8);
# * `_level_scratch`: the work matrix for the inner orthant.
#
# `_level` compiles the loop's one Python source once per level, with those names bound to that
# level's functions: numba resolves globals at compile time, so the calls are direct and the
# arithmetic is that of a copy written out by hand. Passing the functions as arguments instead
# would make numba embed the dispatchers' addresses ("dynamic globals": no on-disk cache), and
# one function taking the level as a number would be recursive (plackett_nested calls
# plackett_closed inside its loop), which neither numba's type inference nor its cache handles
# reliably. The small per-level functions are inlined (numba ``inline="always"``): a function
# numba compiles on its own is linked with everything it calls and optimised again, which for
# the wrappers around plackett_closed and plackett_nested would add about a second of compile
# time.


def _unbound(*args):
    """Placeholder for the per-level functions; `_level` binds the real ones."""
    raise NotImplementedError("bound per level by _level")


_level_block_orthant = _level_inner_orthant = _level_scratch = _unbound


def _plackett_loop(C, dC, tol, xq, wk, wg, plen, block_start):
    """(P_m(C), bound) for m >= 4 by the adaptive Gauss-Kronrod Plackett loop (see _level)."""
    m = C.shape[0]
    blk, lam_lo, lam_hi, mode = _setup(C, dC, block_start)
    if mode == 0:
        return 0.5 ** m, 1.0
    # the start of the path: independent blocks, P(C0) = the product of the blocks' P
    if mode == 2:
        idx0 = np.empty(m, dtype=np.int64)
        idx1 = np.empty(m, dtype=np.int64)
        # int64 block numbers, not literals: numba would compile _block_indices once per literal
        n0 = _block_indices(blk, np.int64(0), idx0)
        n1 = _block_indices(blk, np.int64(1), idx1)
        v0, e0 = _level_block_orthant(C, idx0, n0, dC, 0.25 * tol, xq, wk, wg, plen, block_start)
        v1, e1 = _level_block_orthant(C, idx1, n1, dC, 0.25 * tol, xq, wk, wg, plen, block_start)
        value = v0 * v1
        err = v0 * e1 + v1 * e0 + e0 * e1 + 2.0 * EPS * value
    else:
        value = 0.5 ** m
        err = 0.0
    scratch = _level_scratch(C)
    err += _input_sensitivity(C, dC)
    a, ts, u0, u1 = _path_constants(lam_lo, lam_hi)
    length = u1 - u0
    n_init = max(1, int(math.ceil(length / plen)))
    ncross = 0
    for i in range(m):
        for j in range(i + 1, m):
            if blk[i] != blk[j]:
                ncross += 1
    tol_pair = tol / max(ncross, 1)
    rest = np.empty(m, dtype=np.int64)
    lo = np.empty(MAX_PANELS + n_init + 2)
    hi = np.empty(MAX_PANELS + n_init + 2)
    abs_sum = abs(value)
    for i in range(m):
        for j in range(i + 1, m):
            rho = C[i, j]
            if blk[i] == blk[j] or rho == 0.0:
                continue
            _rest_of(m, i, j, rest)
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
                    p_in, e_in = _level_inner_orthant(C, blk, i, j, t, rest, scratch, tol_pair,
                                                      xq, wk, wg, plen, block_start)
                    w = _pair_weight(rho, t)
                    f = w * p_in
                    fe = abs(w) * (e_in + 8.0 * EPS * p_in)
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
    err += 2.0 * (ncross + 1) * EPS * abs_sum
    return value, err


def _level(name, doc, block_orthant, inner_orthant, scratch):
    """`_plackett_loop` compiled for one level, its per-level functions bound (see above)."""
    return njit(cache=True)(renamed(
        _plackett_loop, name, doc, _level_block_orthant=block_orthant,
        _level_inner_orthant=inner_orthant, _level_scratch=scratch))


_LEVEL_DOC = """Orthant probability of {what}.

Parameters
----------
C : ndarray, shape (m, m)
    Correlation matrix, m = {m}.
dC, tol, xq, wk, wg, plen, block_start
    As for `orthant_corr`.

Returns
-------
value, bound : float
    P(Y > 0) for Y ~ N(0, C), and a bound on its error.
"""


@njit(cache=True, inline="always")
def _no_scratch(C):
    # m = 4, 5 need no work matrix: hand back C rather than allocate (this level runs at every
    # quadrature node of the levels above)
    return C


@njit(cache=True, inline="always")
def _inner_matrix(C):
    m = C.shape[0]
    return np.empty((m - 2, m - 2))


plackett_closed = _level(
    "plackett_closed", _LEVEL_DOC.format(what="a 4 x 4 or 5 x 5 correlation matrix", m="4 or 5"),
    _small_orthant, _inner_closed, _no_scratch)


@njit(cache=True)
def _block_orthant(C, idx, n, dC, tol, xq, wk, wg, plen, block_start):
    """(P, bound) of the principal block C[idx[:n], idx[:n]], n <= 5."""
    if n <= 3:
        return _small_orthant(C, idx, n, dC, tol, xq, wk, wg, plen, block_start)
    sub = np.empty((n, n))
    for a in range(n):
        for b in range(n):
            sub[a, b] = C[idx[a], idx[b]]
    return plackett_closed(sub, dC, tol, xq, wk, wg, plen, block_start)


@njit(cache=True, inline="always")
def _inner_by_closed(C, blk, i, j, t, rest, scratch, tol, xq, wk, wg, plen, block_start):
    """(P_{m-2}, bound) given Y_i = Y_j = 0 on C(t), m = 6, 7: by plackett_closed."""
    d_in = _conditional_corr(C, blk, i, j, t, rest, scratch)
    return plackett_closed(scratch, d_in, tol, xq, wk, wg, plen, block_start)


plackett_nested = _level(
    "plackett_nested",
    _LEVEL_DOC.format(what="a 6 x 6 or 7 x 7 correlation matrix (one nested quadrature)",
                      m="6 or 7"),
    _block_orthant, _inner_by_closed, _inner_matrix)


@njit(cache=True, inline="always")
def _inner_by_nested(C, blk, i, j, t, rest, scratch, tol, xq, wk, wg, plen, block_start):
    """(P_6, bound) given Y_i = Y_j = 0 on C(t), m = 8: by plackett_nested."""
    d_in = _conditional_corr(C, blk, i, j, t, rest, scratch)
    return plackett_nested(scratch, d_in, tol, xq, wk, wg, plen, block_start)


plackett_nested2 = _level(
    "plackett_nested2",
    _LEVEL_DOC.format(what="an 8 x 8 correlation matrix (two nested quadratures)", m="8"),
    _block_orthant, _inner_by_nested, _inner_matrix)


@njit(cache=True, inline="always")
def orthant_corr_closed(C, dC, tol, xq, wk, wg, plen, block_start):
    """`orthant_corr` for m = 1..5 only: the same calls, without the nested levels.

    The batch kernels for stacks of m <= 5 call this one, so that a command whose cones are
    all of dimension <= 5 (the n <= 4 perceptrons) never compiles plackett_nested and
    plackett_nested2, most of a cold compile. `orthant_corr` calls it for m <= 5, so the
    two give the same values and bounds there; m > 5 is the caller's error. Inlined into the
    batch kernels and into `orthant_corr` (a dispatch on m: no speed to gain from a separate
    function, whose own compile, linked with plackett_closed and optimised again, would add
    compile time; figures in docs/gaussian.md).
    """
    m = C.shape[0]
    if m == 1:
        return 0.5, 0.0
    if m == 2:
        return orthant2(C[0, 1], dC)
    if m == 3:
        return orthant3(C[0, 1], C[0, 2], C[1, 2], dC, dC, dC)
    return plackett_closed(C, dC, tol, xq, wk, wg, plen, block_start)


@njit(cache=True)
def orthant_corr(C, dC, tol, xq, wk, wg, plen, block_start):
    """Orthant probability of an m x m correlation matrix, m = 1..8, with an error bound.

    Parameters
    ----------
    C : ndarray, shape (m, m)
        Correlation matrix (unit diagonal, symmetric positive definite).
    dC : float
        Absolute error bound of the off-diagonal entries.
    tol : float
        Target of the quadrature part of the bound.
    xq, wk, wg : ndarray
        Nodes on [-1, 1] of a Gauss-Kronrod pair, its Kronrod weights and the weights of the
        embedded Gauss rule (zero on the Kronrod-only nodes).
    plen : float
        Initial panel length in the strip variable u.
    block_start : bool
        Start the path at the block-diagonal part (default) or at the identity (the classical
        path: a second, independent method, used by the tests and for very thin cones).

    Returns
    -------
    value, bound : float
        P(Y > 0) for Y ~ N(0, C), and a bound on its error.
    """
    m = C.shape[0]
    if m <= 5:
        return orthant_corr_closed(C, dC, tol, xq, wk, wg, plen, block_start)
    if m <= 7:
        return plackett_nested(C, dC, tol, xq, wk, wg, plen, block_start)
    return plackett_nested2(C, dC, tol, xq, wk, wg, plen, block_start)


def _orthant_corr_stack(corrs, dcs, tol, xq, wk, wg, plen, block_start):
    k = corrs.shape[0]
    values = np.empty(k)
    errors = np.empty(k)
    # prange is plain range in the serial compile
    for c in prange(k):
        v, e = orthant_corr(corrs[c], dcs[c], tol, xq, wk, wg, plen, block_start)
        values[c] = v
        errors[c] = e
    return values, errors


_BATCH_DOC = """Orthant probabilities of a stack of correlation matrices, {how}.

`orthant_corr_batch` and `orthant_corr_serial` are one source compiled twice (numba's
``prange`` is ``range`` in the serial compile): the same arithmetic, the same bits.

Parameters
----------
corrs : ndarray, shape (k, m, m)
    C-contiguous stack of correlation matrices, m = 1..8.
dcs : ndarray, shape (k,)
    Absolute error bound of each matrix's off-diagonal entries.
tol, xq, wk, wg, plen, block_start
    As for `orthant_corr`.

Returns
-------
values, bounds : ndarray, shape (k,)
    The orthant probabilities and their error bounds.
"""

orthant_corr_batch = njit(cache=True, parallel=True)(renamed(
    _orthant_corr_stack, "orthant_corr_batch",
    _BATCH_DOC.format(how="in parallel over the stack (numba prange)")))
orthant_corr_serial = njit(cache=True)(renamed(
    _orthant_corr_stack, "orthant_corr_serial",
    _BATCH_DOC.format(how="in the calling thread (small batches: waking the thread pool "
                          "costs milliseconds on a busy machine)")))
# The same two for stacks of m <= 5 (`orthant_corr_closed` bound in place of `orthant_corr`):
# compiled only when such a stack comes, without the nested levels (see orthant_corr_closed).
orthant_corr_batch_closed = njit(cache=True, parallel=True)(renamed(
    _orthant_corr_stack, "orthant_corr_batch_closed",
    _BATCH_DOC.format(how="in parallel over the stack (numba prange), m <= 5 only"),
    orthant_corr=orthant_corr_closed))
orthant_corr_serial_closed = njit(cache=True)(renamed(
    _orthant_corr_stack, "orthant_corr_serial_closed",
    _BATCH_DOC.format(how="in the calling thread, m <= 5 only"), orthant_corr=orthant_corr_closed))
