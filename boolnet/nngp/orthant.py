"""Gaussian orthant probabilities in up to a few hundred dimensions, with intervals.

In the infinite-width limit a network's output pre-activations on the ``2**n`` inputs are
``z ~ N(0, K)``, and a Boolean function ``f`` has probability ``P(s_i z_i > 0 for all i)``
with ``s_i = +1`` where ``f_i = 1`` and ``-1`` where ``f_i = 0``: the Gaussian measure of
one orthant, often ``1e-10 ... 1e-100``. Two estimators:

* :func:`orthant_tilting`: minimax-tilting importance sampling (Botev 2017, "The normal law
  under linear restrictions: simulation and estimation via minimax tilting", JRSS B 79).
  Unbiased, with a confidence interval and Botev's deterministic upper bound.
* :func:`orthant_ep`: expectation propagation with step-function sites (the approximation
  Valle-Pérez, Camargo & Louis 2018 used through GPy): deterministic and fast, no interval.

Why minimax tilting
-------------------
Write the folded covariance ``C = S K S`` (``S = diag(s)``, so the event is ``Y > 0`` with
``Y ~ N(0, C)``), order the coordinates (below) and factor ``C = L L^T``; with ``Y = L Z``,
``Z ~ N(0, I)``, the event is ``Z_k > a_k(Z_1..Z_{k-1})`` for each ``k``. Genz's
separation of variables draws each ``Z_k`` from ``N(0, 1)`` truncated to its half-line,
which is unbiased but whose relative error grows without bound as ``P -> 0``. Botev draws
it from ``N(mu_k, 1)`` truncated to the same half-line; the importance weight is
``exp(psi(Z; mu))`` with

    psi(z; mu) = sum_k [ log Phi(mu_k - a_k(z)) + mu_k^2 / 2 - z_k mu_k ],

and ``mu`` minimises ``max_z psi(z; mu)``. That minimax problem is a smooth saddle point
(``psi`` is concave in ``z`` and convex in ``mu``), found here by Newton's method on its
gradient with the analytic Hessian. Every weight is then at most ``exp(psi*)``, so
``exp(psi*)`` is an upper bound on ``P`` and the weights' relative variance is bounded
(Botev proves vanishing relative error in an asymptotic regime). On the 128-dimensional
relu NNGP kernel, 1,000 to 50,000 samples (0.1 to 1.5 s) gave 10% at ``P = 1e-6 .. 1e-100``
(docs/nngp.md).

Ordering: Botev's (after Gibson, Glasbey & Elston 1994 and Genz): at step ``k`` the
remaining coordinate with the smallest conditional probability of its constraint, given
the earlier ones at their truncated means, goes next.

Rank-deficient covariances
--------------------------
A linear network's kernel on 128 inputs has rank 8; NNGP kernels can be close to singular.
The covariance is rescaled to a correlation matrix; its numerical rank ``r`` counts the
eigenvalues above :data:`RANK_TOL` (1e-10) times the largest, and the ordered Cholesky
factorisation stops after ``r`` pivots, or earlier once every remaining coordinate's residual
(conditional) variance is at most 1e-10 of its own. The remaining coordinates are treated as
deterministic linear functions of the ``r`` standard normals already used. 1e-10 sits far
above rounding (the zero eigenvalues of a computed singular 128 x 128 correlation matrix are
near ``d * eps * d ~ 4e-12``) and far below anything that matters at a 10% target: ignoring a
residual of standard deviation ``1e-5 sigma_i`` flips the indicator of coordinate ``i`` only
on the event ``|Y_i| < ~1e-5 sigma_i``. The tilting is solved over the ``r`` leading
constraints; each remaining constraint ``L_i Z > 0`` multiplies the importance weight by its
indicator. That keeps the estimator unbiased but may make it less efficient (samples with
weight 0). To waste fewer samples, the indicator of a remaining row is folded into the
truncation of the last variable it involves (it is a half-line for that variable given the
earlier ones): the sampler draws that variable inside the intersection, and the weight
carries the intersection's probability, which is the indicator integrated out exactly. An
empty intersection gives the weight 0. Botev's bound ``exp(psi*)`` still bounds ``P``
(it bounds the probability of the ``r`` leading constraints alone). When ``r < d`` a linear
program first checks that some point of the range has every margin positive; if none has
(a function a linear network cannot compute), ``P = 0`` and no sample is drawn.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import special

from boolnet.checks import check_real, check_seed, check_whole
from boolnet.errors import BoolnetError

#: Residual variance, relative to a coordinate's own variance, below which the ordered
#: Cholesky factorisation treats the coordinate as a linear function of earlier ones.
RANK_TOL = 1e-10
#: A remaining row's coefficient on a standard normal counts as zero below this fraction of
#: the row's norm (rounding of the factorisation is far smaller).
COEF_TOL = 1e-9
#: ``cov`` is refused as not symmetric beyond this relative difference.
SYMMETRY_TOL = 1e-8
#: ``cov`` is refused as not positive semidefinite when an eigenvalue is below
#: ``-PSD_TOL * (largest eigenvalue)``; rounding of a computed singular kernel is far smaller.
PSD_TOL = 1e-9
#: A singular ``cov`` whose orthant has no point with every normalised margin above this
#: (linear program, ``|z|_inf <= 1``) is reported empty: ``P = 0`` (see :func:`_largest_margin`).
EMPTY_TOL = 1e-9
#: Botev's bound ``exp(psi*)`` is reported only when the saddle point's gradient is at most
#: this (else the bound is the trivial 1): ``psi`` at an approximate stationary point exceeds
#: its maximum over ``z`` by about the squared gradient over the curvature.
BOUND_RESIDUAL = 1e-7
#: Most samples of one call.
MAX_SAMPLES = 10**9
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


# ---------------------------------------------------------------- validation


def _check_cov(cov) -> tuple[np.ndarray, int]:
    """``cov`` as a symmetric PSD correlation matrix (float64) and its numerical rank.

    Rescaling to unit diagonal does not change any orthant probability and puts every
    coordinate on one scale, so the rank and PSD tolerances below mean the same thing for
    a kernel with variances 1 and 1e6. The rank counts eigenvalues above ``RANK_TOL``
    times the largest: rounding leaves the zero eigenvalues of a computed singular
    correlation matrix near ``d * eps * d``, 4e-12 at ``d = 128``.
    """
    try:
        a = np.array(cov, dtype=np.float64)
    except (TypeError, ValueError):
        raise BoolnetError("cov must be a square matrix of numbers", param="cov") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise BoolnetError(f"cov must be a square d x d matrix with d >= 1, got shape {a.shape}", param="cov")
    if not np.all(np.isfinite(a)):
        raise BoolnetError("cov contains NaN or infinite entries", param="cov")
    scale = float(np.abs(a).max())
    asym = float(np.abs(a - a.T).max())
    if asym > SYMMETRY_TOL * scale:
        raise BoolnetError(f"cov must be symmetric: max |cov - cov.T| = {asym:.3g} "
                           f"(max |cov| = {scale:.3g})", param="cov")
    diag = np.diag(a)
    if np.any(diag <= 0.0):
        i = int(np.flatnonzero(diag <= 0.0)[0])
        raise BoolnetError(f"cov[{i}, {i}] = {diag[i]:.3g}: every coordinate needs a positive variance "
                           "(remove zero-variance coordinates first: such a z_i is 0 and f_i is fixed to 0)",
                           param="cov")
    sd = np.sqrt(diag)
    c = 0.5 * (a + a.T) / np.outer(sd, sd)
    np.fill_diagonal(c, 1.0)
    ev = np.linalg.eigvalsh(c)
    if ev[0] < -PSD_TOL * ev[-1]:
        raise BoolnetError(f"cov is not positive semidefinite: its correlation matrix has the eigenvalue "
                           f"{ev[0]:.3g} (largest {ev[-1]:.3g}; tolerance {PSD_TOL:g} x largest)", param="cov")
    if np.any(np.abs(c) > 1.0 + 1e-9):
        raise BoolnetError("cov is not positive semidefinite: a correlation exceeds 1 in absolute value",
                           param="cov")
    return c, int(np.count_nonzero(ev > RANK_TOL * ev[-1]))


def _check_signs(signs, d: int) -> np.ndarray:
    """``signs`` (0/1 bits, -1/+1, bools or a '0'/'1' string) as a float array of -1/+1."""
    if isinstance(signs, str):
        if len(signs) != d or set(signs) - {"0", "1"}:
            shown = signs if len(signs) <= 40 else signs[:37] + "..."
            raise BoolnetError(f"signs as text must be {d} characters '0'/'1' (a truth table), got {shown!r}",
                               param="signs")
        bits = np.frombuffer(signs.encode("ascii"), dtype=np.uint8) - ord("0")
        return np.where(bits == 1, 1.0, -1.0)
    try:
        s = np.asarray(signs)
    except (TypeError, ValueError):
        raise BoolnetError("signs must be an array of 0/1 or -1/+1", param="signs") from None
    if s.dtype == bool:
        s = s.astype(np.int64)
    if s.ndim != 1 or s.shape[0] != d:
        raise BoolnetError(f"signs must have shape ({d},) to match cov, got {s.shape}", param="signs")
    if s.dtype.kind not in "iuf":
        raise BoolnetError(f"signs must hold 0/1 or -1/+1 numbers, got dtype {s.dtype}", param="signs")
    s = s.astype(np.float64)
    values = set(np.unique(s).tolist())
    if not (values <= {0.0, 1.0} or values <= {-1.0, 1.0}):
        raise BoolnetError(f"signs must be all 0/1 (truth-table bits) or all -1/+1, got the values "
                           f"{sorted(values)[:6]}", param="signs")
    return np.where(s == 1.0, 1.0, -1.0)


def _folded(cov, signs) -> tuple[np.ndarray, int]:
    """Validated correlation matrix of ``Y = S z`` (``S = diag(signs)``; the event is ``Y > 0``)
    and its numerical rank."""
    c, rank = _check_cov(cov)
    s = _check_signs(signs, c.shape[0])
    return c * np.outer(s, s), rank


# ---------------------------------------------------------------- one-dimensional pieces


def _log_mass(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``log(Phi(hi) - Phi(lo))`` for ``lo <= hi``, accurate far in either tail.

    The difference is taken on the side where both masses are small, in log space
    (``Phi(hi) - Phi(lo) = Phi(-lo) - Phi(-hi)``), so a mass of 1e-300 keeps its digits.
    """
    out = np.empty(np.broadcast(lo, hi).shape)
    lo, hi = np.broadcast_arrays(lo, hi)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        right = lo > 0.0
        left = hi < 0.0
        mid = ~(right | left)
        if right.any():
            pa, pb = special.log_ndtr(-lo[right]), special.log_ndtr(-hi[right])
            out[right] = pa + np.log1p(-np.exp(pb - pa))
        if left.any():
            pa, pb = special.log_ndtr(lo[left]), special.log_ndtr(hi[left])
            out[left] = pb + np.log1p(-np.exp(pa - pb))
        if mid.any():
            out[mid] = np.log1p(-special.ndtr(lo[mid]) - special.ndtr(-hi[mid]))
    return out


def _truncnorm(lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of ``N(0, 1)`` truncated to ``[lo, hi]`` from uniforms ``u`` in [0, 1).

    In a tail the mass is counted from the near end in log space (``log_ndtr``) and inverted
    with ``ndtri_exp``, which stays accurate where ``Phi`` underflows (bounds of 30 or 1000
    standard deviations). One uniform per draw, so no rejection loop and the stream of
    random numbers does not depend on the bounds.
    """
    x = np.empty_like(u)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        right = lo > 0.0
        left = hi < 0.0
        mid = ~(right | left)
        if right.any():  # P(X > x) runs from Phi(-lo) down to Phi(-hi)
            pa, pb = special.log_ndtr(-lo[right]), special.log_ndtr(-hi[right])
            x[right] = -special.ndtri_exp(pa + np.log1p(u[right] * np.expm1(pb - pa)))
        if left.any():  # P(X < x) runs from Phi(hi) down to Phi(lo)
            pa, pb = special.log_ndtr(hi[left]), special.log_ndtr(lo[left])
            x[left] = special.ndtri_exp(pa + np.log1p(u[left] * np.expm1(pb - pa)))
        if mid.any():
            a, b, v = lo[mid], hi[mid], u[mid]
            q = special.ndtr(a) + v * (special.ndtr(b) - special.ndtr(a))
            # the same quantile from the upper side when it is past 1/2 (no 1 - tiny rounding)
            q_up = special.ndtr(-a) - v * (special.ndtr(-a) - special.ndtr(-b))
            x[mid] = np.where(q <= 0.5, special.ndtri(q), -special.ndtri(q_up))
    return np.clip(x, lo, hi)  # rounding can step a hair outside the interval


def _upper_mean(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``X ~ N(0, 1)`` truncated to ``[-t, inf)``: ``log P(X > -t)``, mean, d(mean)/dt.

    ``mean = phi(t) / Phi(t)`` (an inverse Mills ratio, exact in log space for any ``t``);
    ``d mean / dt = Var - 1 = mean * (-t - mean)``, in ``(-1, 0)``.
    """
    lp = special.log_ndtr(t)
    m = np.exp(-0.5 * t * t - _LOG_SQRT_2PI - lp)
    return lp, m, m * (-t - m)


# ---------------------------------------------------------------- ordering and factorisation


def _ordered_cholesky(c: np.ndarray, rank: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Botev's ordered Cholesky factor of ``c`` for the event ``Y > 0``, to numerical rank.

    Returns ``(perm, L, r)``: ``c[perm][:, perm] ~= L @ L.T`` with ``L`` of shape (d, r),
    lower triangular in its first ``r`` rows (positive diagonal); the remaining ``d - r``
    rows are coordinates whose residual variance fell below ``RANK_TOL`` times their own, or
    all coordinates left once ``rank`` pivots (the eigenvalue count) are taken: when the
    pivots chosen for their probabilities are nearly collinear, the rounding of the residual
    variances grows with their conditioning and could pass for a spurious extra dimension.
    At each step the live coordinate with the smallest conditional probability
    ``P(Y_j > 0)``, the earlier standard normals set to their truncated means, goes next:
    the most constraining first, which is what makes the tilting and the estimator work best.
    """
    d = c.shape[0]
    a = c.copy()
    perm = np.arange(d)
    var0 = np.diag(c).copy()
    L = np.zeros((d, d))
    zbar = np.zeros(d)
    r = d
    for k in range(d):
        if rank is not None and k == rank:
            r = k
            break
        s2 = np.diag(a)[k:] - np.einsum("ij,ij->i", L[k:, :k], L[k:, :k])
        live = s2 > RANK_TOL * var0[k:]
        if not live.any():
            r = k
            break
        s = np.sqrt(np.where(live, s2, 1.0))
        shift = L[k:, :k] @ zbar[:k]
        logp = np.where(live, special.log_ndtr(shift / s), np.inf)
        j = k + int(np.argmin(logp))
        if j != k:
            a[[k, j]] = a[[j, k]]
            a[:, [k, j]] = a[:, [j, k]]
            L[[k, j]] = L[[j, k]]
            perm[[k, j]] = perm[[j, k]]
            var0[[k, j]] = var0[[j, k]]
        lkk = math.sqrt(s2[j - k])
        L[k, k] = lkk
        L[k + 1:, k] = (a[k + 1:, k] - L[k + 1:, :k] @ L[k, :k]) / lkk
        t = float(shift[j - k]) / lkk
        zbar[k] = float(np.exp(-0.5 * t * t - _LOG_SQRT_2PI - special.log_ndtr(t)))
    return perm, L[:, :r], r


def _extra_rows(L: np.ndarray, r: int) -> dict:
    """Rows ``r..d-1`` of ``L`` grouped by the last standard normal each involves.

    ``{k: (g, positive)}``: row ``i`` with last coefficient ``L[i, k]`` is the constraint
    ``L[i, k] Z_k > -L[i, :k] Z_:k``, i.e. ``Z_k > -(Z_:k @ g)`` when ``positive`` and
    ``Z_k < Z_:k @ g`` otherwise, with ``g = L[i, :k] / |L[i, k]|``.
    """
    groups: dict[int, list] = {}
    for i in range(r, L.shape[0]):
        row = L[i]
        big = np.flatnonzero(np.abs(row) > COEF_TOL * np.linalg.norm(row))
        k = int(big[-1]) if big.size else int(np.argmax(np.abs(row)))
        coef = row[k]
        groups.setdefault(k, []).append((row[:k] / abs(coef), coef > 0))
    return {k: (np.array([g for g, _ in v]), np.array([p for _, p in v])) for k, v in groups.items()}


def _largest_margin(L: np.ndarray) -> float:
    """Largest ``t`` with ``L_i z >= t |L_i|`` for every row and ``|z|_inf <= 1`` (a linear program).

    For a singular covariance ``Y = L Z`` lives in the range of ``L``, and
    ``P(Y > 0) > 0`` iff some ``z`` has ``L z > 0`` (the set is open and ``Z`` has full
    support), i.e. iff this margin is positive. A linear network's kernel makes most sign
    patterns impossible (a function that is not linearly separable): the program says so in
    milliseconds, where sampling would only ever see weights of 0. A margin at or below
    :data:`EMPTY_TOL` is read as 0; a genuinely positive margin that small would mean a cone
    thinner than 1e-9 radians in some direction, whose probability is of that order at most.
    """
    from scipy.optimize import linprog

    d, r = L.shape
    rows = L / np.linalg.norm(L, axis=1)[:, None]
    res = linprog(np.r_[np.zeros(r), -1.0], A_ub=np.hstack([-rows, np.ones((d, 1))]), b_ub=np.zeros(d),
                  bounds=[(-1.0, 1.0)] * r + [(None, 1.0)], method="highs")
    return float(-res.fun) if res.status == 0 else math.nan


# ---------------------------------------------------------------- the minimax saddle point


def _saddle_terms(v: np.ndarray, lt: np.ndarray):
    """``psi``, its gradient ``F`` and Hessian ``J`` in ``v = (x_0..x_{n-1}, mu_0..mu_{n-1})``.

    ``lt`` is the (r, r) strictly lower normalised factor (``L[k, j] / L[k, k]``); the
    constraint of row ``k`` is ``z_k > -t_k + mu_k`` with ``t = lt @ x + mu``, and
    ``mu_{r-1} = 0``, ``x_{r-1}`` unused (``psi`` does not depend on it once ``mu_{r-1} = 0``).
    """
    r = lt.shape[0]
    n = r - 1
    x = np.zeros(r)
    mu = np.zeros(r)
    x[:n], mu[:n] = v[:n], v[n:]
    t = lt @ x + mu
    lp, m, dm = _upper_mean(t)
    psi = float(lp.sum() + np.dot(mu, 0.5 * mu - x))
    ltn = lt[:, :n]
    f1 = m[:n] + mu[:n] - x[:n]            # d psi / d mu
    f2 = ltn.T @ m - mu[:n]                 # d psi / d x
    j11 = dm[:n, None] * ltn[:n] - np.eye(n)   # d f1 / d x
    j12 = np.diag(dm[:n] + 1.0)                 # d f1 / d mu
    j21 = ltn.T @ (dm[:, None] * ltn)           # d f2 / d x
    jac = np.block([[j11, j12], [j21, j11.T]])
    return psi, np.concatenate([f1, f2]), jac


def _solve_saddle(lt: np.ndarray, *, tol: float = 1e-10, newton_iter: int = 30, max_fev: int = 3000):
    """The saddle point of ``psi``: Newton's method, then MINPACK's hybrid method if needed.

    Returns ``(mu, psi*, iterations, residual)``; ``iterations`` counts Newton steps plus
    the fallback's evaluations, ``residual`` is ``max |F|`` (the gradient) at the end.
    ``psi`` is concave in ``x`` and convex in ``mu``, so the Hessian is a nonsingular saddle
    matrix and Newton steps from ``x = mu = 0`` with backtracking on ``|F|^2`` converge in
    10-20 steps on depth-1..4 relu NNGP kernels. On very ill-conditioned kernels (depth 8
    and more: condition numbers of 1e7 and beyond) the backtracking can creep for hundreds
    of steps; after ``newton_iter`` steps the Powell hybrid (trust-region dogleg,
    ``scipy.optimize.root(method="hybr")``) takes over from the best point so far.
    Any ``mu`` keeps the estimator unbiased; only the bound needs the saddle point.
    """
    r = lt.shape[0]
    n = r - 1
    if n == 0:
        return np.zeros(1), float(special.log_ndtr(0.0)), 0, 0.0
    v = np.zeros(2 * n)
    psi, f, jac = _saddle_terms(v, lt)
    merit = float(f @ f)
    it = 0
    while it < newton_iter and np.max(np.abs(f)) > tol:
        it += 1
        try:
            step = np.linalg.solve(jac, -f)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(jac, -f, rcond=None)[0]
        lam = 1.0
        while True:
            trial = v + lam * step
            psi_t, f_t, jac_t = _saddle_terms(trial, lt)
            merit_t = float(f_t @ f_t)
            if np.isfinite(merit_t) and (merit_t <= (1.0 - 1e-4 * lam) * merit or lam < 1e-6):
                break
            lam *= 0.5
        v, psi, f, jac, merit = trial, psi_t, f_t, jac_t, merit_t
    if np.max(np.abs(f)) > tol:
        from scipy import optimize

        sol = optimize.root(lambda w: _saddle_terms(w, lt)[1], v, jac=lambda w: _saddle_terms(w, lt)[2],
                            method="hybr", options={"xtol": 1e-13, "maxfev": max_fev})
        it += int(sol.nfev)
        psi_s, f_s, _ = _saddle_terms(sol.x, lt)
        if np.all(np.isfinite(f_s)) and np.max(np.abs(f_s)) < np.max(np.abs(f)):
            v, psi, f = sol.x, psi_s, f_s
    mu = np.zeros(r)
    mu[:n] = v[n:]
    return mu, psi, it, float(np.max(np.abs(f)))


# ---------------------------------------------------------------- sampling


def _log_weights(rng: np.random.Generator, size: int, lt: np.ndarray, mu: np.ndarray, extras: dict) -> np.ndarray:
    """Log importance weights of ``size`` draws from the tilted sequential proposal.

    ``Z_k ~ N(mu_k, 1)`` truncated to its constraint set given ``Z_:k``: ``Z_k > -lt[k] @ Z``
    intersected with the half-lines of the remaining rows whose last variable is ``Z_k``.
    Weight: ``prod_k (Phi(hi_k - mu_k) - Phi(lo_k - mu_k)) exp(mu_k^2 / 2 - mu_k Z_k)``;
    an empty intersection gives weight 0 (log -inf).
    """
    from boolnet.nngp._orthant_kernels import row_dot

    r = lt.shape[0]
    u = rng.random((r, size))  # row k: the uniforms of variable k (contiguous)
    z = np.empty((size, r), order="F")  # columns contiguous: z[:, :k] @ v is one pass
    logw = np.zeros(size)
    with np.errstate(divide="ignore"):
        log_tail = np.log1p(-u)  # P(X > x) = (1 - u) P(X > lo): the draw for a half-line
    dot = np.empty(size)
    for k in range(r):
        lo = -row_dot(z, lt[k], k, dot)
        if k not in extras:
            # Half-line [lo, inf): one log_ndtr serves the weight and the inverse-CDF draw,
            # and ndtri_exp keeps the draw accurate however deep in the tail lo is.
            lo -= mu[k]
            lm = special.log_ndtr(-lo)
            x = np.maximum(-special.ndtri_exp(log_tail[k] + lm), lo)
            z[:, k] = mu[k] + x
            logw += lm - (0.5 * mu[k] * mu[k]) - mu[k] * x
            continue
        hi = np.full(size, np.inf)
        if k in extras:
            g, positive = extras[k]
            h = z[:, :k] @ g.T
            if positive.any():
                lo = np.maximum(lo, (-h[:, positive]).max(axis=1))
            if (~positive).any():
                hi = np.minimum(hi, h[:, ~positive].min(axis=1))
        lo = lo - mu[k]
        hi = hi - mu[k]
        empty = ~(lo < hi)
        if empty.any():
            logw[empty] = -np.inf
            lo = np.where(empty, 0.0, lo)  # any finite draw: the weight is already 0
            hi = np.where(empty, np.inf, hi)
        x = _truncnorm(lo, hi, u[k])
        z[:, k] = mu[k] + x
        logw += _log_mass(lo, hi) - 0.5 * mu[k] * mu[k] - mu[k] * x
    return logw


class _Weights:
    """Running mean and sum of squared deviations of ``exp(logw)``, kept relative to the
    largest log weight seen (``top``), so weights of 1e-300 and below neither underflow nor
    cost memory: batches are merged by Chan, Golub and LeVeque's pairwise update."""

    def __init__(self):
        self.top, self.n, self.mean, self.m2 = -math.inf, 0, 0.0, 0.0

    def add(self, logw: np.ndarray) -> None:
        top = float(np.max(logw))
        if not np.isfinite(top):  # a batch of zeros
            if self.n:
                self.m2 += self.mean * self.mean * self.n * logw.size / (self.n + logw.size)
                self.mean *= self.n / (self.n + logw.size)
            self.n += logw.size
            return
        if top > self.top:  # rescale what we have to the new reference
            f = math.exp(self.top - top) if self.n else 0.0
            self.mean *= f
            self.m2 *= f * f
            self.top = top
        w = np.exp(logw - self.top)
        nb = w.size
        mb = float(w.mean())
        m2b = float(np.sum((w - mb) ** 2))
        n = self.n + nb
        delta = mb - self.mean
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.mean += delta * nb / n
        self.n = n

    def summary(self, z: float) -> tuple[float, float, float, float]:
        """``(log mean, log low, log high, relative standard error)``; -inf when all are 0."""
        if self.mean <= 0.0:
            return -math.inf, -math.inf, -math.inf, math.nan
        se = math.sqrt(max(self.m2, 0.0) / (self.n - 1) / self.n) if self.n > 1 else math.inf
        low = self.mean - z * se
        return (self.top + math.log(self.mean), self.top + math.log(low) if low > 0 else -math.inf,
                self.top + math.log(self.mean + z * se) if math.isfinite(se) else math.inf, se / self.mean)


def orthant_tilting(cov, signs, *, seed=0, rel_error=0.1, max_samples=10**6, batch=1000,
                    confidence=0.95) -> dict:
    """``P(s_i z_i > 0 for all i)`` for ``z ~ N(0, cov)`` by minimax-tilting importance sampling.

    Botev's (2017) estimator: coordinates ordered most-constraining first, an ordered Cholesky
    factor to numerical rank, the minimax tilting parameter from Newton's method on the
    saddle point, then batches of draws from the tilted sequential truncated normals until
    the estimated relative standard error is at most ``rel_error / z`` (``z`` the
    ``confidence`` quantile, 1.96 for 95%: the interval's half-width is then about
    ``rel_error`` times the estimate) or ``max_samples`` draws are used. Everything is in log
    space, so ``P = 1e-300`` or ``1e-1000`` is fine (read ``log_probability`` then).

    Parameters
    ----------
    cov : array_like, shape (d, d)
        Covariance (or correlation) matrix: symmetric, positive semidefinite (eigenvalues
        down to ``-1e-9`` times the largest are taken as rounding), positive diagonal. It may
        be singular: see the notes.
    signs : array_like, shape (d,), or str
        Truth-table bits 0/1 (``f_i``) or signs -1/+1; bools and a '0'/'1' string of
        length ``d`` are accepted. Bit ``i`` goes with row ``i`` of ``cov``.
    seed : int, optional
        Seed (0 <= seed < 2**128) of ``numpy.random.Generator(PCG64(SeedSequence(seed)))``;
        the same seed and options give the same numbers.
    rel_error : float, optional
        Target half-width of the interval relative to the estimate (default 0.1).
    max_samples : int, optional
        Most importance samples (default 10**6).
    batch : int, optional
        Samples per batch, and the fewest used (default 1000): the stopping rule needs a
        sample variance that means something.
    confidence : float, optional
        Level of the interval (default 0.95).

    Returns
    -------
    dict
        ``probability``, ``probability_low``, ``probability_high`` (the interval: mean
        +- z standard errors, the high end capped by the upper bound; floats, which underflow
        to 0 below ~1e-308), ``log_probability``, ``log_probability_low``,
        ``log_probability_high`` (natural logs, never underflow), ``rel_error`` (the
        estimated relative standard error), ``upper_bound`` and ``log_upper_bound`` (Botev's
        deterministic bound ``exp(psi*) >= P``), ``status`` (``estimated``: target reached;
        ``max_samples``: stopped before it; ``upper_bound``: every weight was 0, so the
        probability is reported as 0 and ``probability_high`` is ``exp(psi*)`` times the
        rule-of-three fraction ``-log(1 - confidence) / samples``), ``samples``, ``seconds``,
        ``dimension``, ``rank``, ``saddle_iterations``, ``saddle_residual`` (max gradient of
        ``psi`` at the solution), ``confidence``, ``method`` (``"minimax_tilting"``).

    Raises
    ------
    BoolnetError
        If ``cov`` is not a finite symmetric PSD matrix with a positive diagonal, if
        ``signs`` has the wrong length or values, or an option is out of range.

    Notes
    -----
    Singular ``cov``: the factorisation stops at numerical rank ``r`` (a residual variance
    below ``RANK_TOL = 1e-10`` times the coordinate's variance counts as 0; see the module
    docstring for why that tolerance). The tilting is solved over the ``r`` leading
    constraints; every other constraint is a linear function of the ``r`` standard normals
    and multiplies the weight by its indicator, folded into the truncation of the last
    variable it involves. The estimator stays unbiased; it can be less efficient than in
    the full-rank case (some weights are 0), which shows in ``samples`` and ``rel_error``.
    The interval uses the normal approximation of the mean of the weights, which are
    bounded by ``exp(psi*)``.

    Examples
    --------
    >>> import numpy as np
    >>> cov = np.array([[1.0, 0.5], [0.5, 1.0]])       # P(z1 > 0, z2 > 0) = 1/3
    >>> res = orthant_tilting(cov, [1, 1], seed=1)
    >>> bool(res["probability_low"] <= 1 / 3 <= res["probability_high"] <= res["upper_bound"])
    True
    >>> res = orthant_tilting(0.5 * np.eye(50) + 0.5, "1" * 25 + "0" * 25, seed=1)
    >>> round(float(res["log_probability"] / np.log(10)), 1)   # exactly -15.809 (a 1-d integral)
    -15.8
    """
    begin = time.perf_counter()
    c, rank = _folded(cov, signs)
    seed = check_seed(seed)
    rel_error = check_real(rel_error, "rel_error", low=0.0, low_open=True)
    max_samples = check_whole(max_samples, "max_samples", low=2, high=MAX_SAMPLES)
    batch = check_whole(batch, "batch", low=2, high=MAX_SAMPLES)
    confidence = check_real(confidence, "confidence", low=0.0, high=1.0, low_open=True, high_open=True)
    z = float(special.ndtri(0.5 + confidence / 2.0))
    d = c.shape[0]

    perm, L, r = _ordered_cholesky(c, rank)
    info = {"dimension": d, "rank": r, "confidence": confidence, "method": "minimax_tilting"}
    if r < d and _largest_margin(L) <= EMPTY_TOL:
        return {"probability": 0.0, "probability_low": 0.0, "probability_high": 0.0, "log_probability": -math.inf,
                "log_probability_low": -math.inf, "log_probability_high": -math.inf, "rel_error": 0.0,
                "upper_bound": 0.0, "log_upper_bound": -math.inf, "status": "empty", "samples": 0,
                "seconds": time.perf_counter() - begin, "saddle_iterations": 0, "saddle_residual": 0.0, **info}
    diag = np.diag(L[:r])
    lt = np.tril(L[:r] / diag[:, None], -1)
    extras = _extra_rows(L, r)
    mu, log_bound, iterations, residual = _solve_saddle(lt)
    if not residual <= BOUND_RESIDUAL:
        log_bound = 0.0  # psi away from its saddle point bounds nothing: keep the trivial bound 1

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    weights = _Weights()
    used = 0
    status = "max_samples"
    while used < max_samples:
        size = min(batch, max_samples - used)
        weights.add(_log_weights(rng, size, lt, mu, extras))
        used += size
        log_p, log_low, log_high, rel = weights.summary(z)
        if math.isfinite(log_p) and rel <= rel_error / z:
            status = "estimated"
            break
    if not math.isfinite(log_p):
        # every weight 0 (possible only for a singular cov): each weight is at most
        # exp(psi*), and P(weight > 0) <= -log(1 - confidence) / samples at that confidence
        status = "upper_bound"
        log_p, log_low = -math.inf, -math.inf
        log_high = log_bound + math.log(min(1.0, -math.log1p(-confidence) / used))
        rel = math.nan
    log_high = min(log_high, log_bound, 0.0)  # every weight is <= exp(psi*), so is P
    log_low = min(log_low, log_p)
    return {
        "probability": math.exp(log_p), "probability_low": math.exp(log_low),
        "probability_high": math.exp(log_high), "log_probability": log_p, "log_probability_low": log_low,
        "log_probability_high": log_high, "rel_error": rel, "upper_bound": math.exp(min(log_bound, 0.0)),
        "log_upper_bound": log_bound, "status": status, "samples": used,
        "seconds": time.perf_counter() - begin, "saddle_iterations": iterations, "saddle_residual": residual,
        **info,
    }


# ---------------------------------------------------------------- expectation propagation


def _ep_posterior(c: np.ndarray, tau: np.ndarray, nu: np.ndarray):
    """Posterior ``N(mu, Sigma)`` of the EP approximation and ``log|B|``, computed afresh.

    ``Sigma = (C^-1 + T)^-1 = C - C T^1/2 B^-1 T^1/2 C`` with ``B = I + T^1/2 C T^1/2``
    (Rasmussen & Williams 2006, section 3.6): no inverse of ``C``, so singular ``C`` is fine.
    """
    d = c.shape[0]
    sw = np.sqrt(tau)
    b = np.eye(d) + sw[:, None] * c * sw[None, :]
    chol = np.linalg.cholesky(b)
    v = np.linalg.solve(chol, sw[:, None] * c)
    sigma = c - v.T @ v
    return sigma, sigma @ nu, 2.0 * float(np.log(np.diag(chol)).sum())


def _ep_log_z(sigma: np.ndarray, mu: np.ndarray, tau: np.ndarray, nu: np.ndarray, log_det_b: float) -> float:
    """EP's approximation of ``log P(Y > 0)`` from the sites' natural parameters.

    Each site is ``exp(c_i - tau_i y^2 / 2 + nu_i y)`` with ``c_i`` chosen so that the site
    times its cavity has the tilted mass ``Zhat_i = Phi(m_cav / s_cav)``:
    ``c_i = log Zhat_i + log(1 + tau_i / tau_cav) / 2 - mu_i^2 / (2 Sigma_ii)
    + nu_cav^2 / (2 tau_cav)``, and the prior times all sites integrates to
    ``exp(sum c_i) |B|^(-1/2) exp(nu^T mu / 2)``. Natural parameters keep sites with
    ``tau_i = 0`` finite.
    """
    s2 = np.diag(sigma)
    tau_cav = 1.0 / s2 - tau
    nu_cav = mu / s2 - nu
    lz = special.log_ndtr(nu_cav / np.sqrt(tau_cav))
    ci = lz + 0.5 * np.log1p(tau / tau_cav) - 0.5 * mu * mu / s2 + 0.5 * nu_cav * nu_cav / tau_cav
    return float(ci.sum() - 0.5 * log_det_b + 0.5 * nu @ mu)


def orthant_ep(cov, signs, *, damping=1.0, tol=1e-7, max_iterations=1000) -> dict:
    """EP approximation of ``P(s_i z_i > 0 for all i)``, ``z ~ N(0, cov)``.

    Expectation propagation with one step-function site ``1[s_i z_i > 0]`` per coordinate,
    the approximation Valle-Pérez, Camargo & Louis (2018) used for ``P(f)`` and ``P(S)``
    (GPy's EP for a GP classifier with a Heaviside link, whose log marginal likelihood is
    this log orthant probability). Sequential sweeps over the sites in index order: each
    site's Gaussian is matched to the mean and variance of its cavity times the step (a
    Gaussian truncated to a half-line), damped, and the posterior is updated by a rank-one
    change (recomputed from scratch after every sweep). Cunningham, Hennig &
    Lacoste-Julien (2011) study EP for Gaussian probabilities: for orthants (axis-aligned
    sites) it is usually accurate, but it has no error bound and it is not exact.

    Parameters
    ----------
    cov : array_like, shape (d, d)
        As for :func:`orthant_tilting` (may be singular).
    signs : array_like, shape (d,), or str
        As for :func:`orthant_tilting`.
    damping : float, optional
        Fraction of each moment-matched update applied (0 < damping <= 1; default 1, no
        damping, as in GPy; 0.5 for a problem whose sweeps oscillate).
    tol : float, optional
        Convergence (default 1e-7): stop when a sweep's largest proposed (undamped) change of
        a site, ``|d tau_i| / p_i`` or ``|d nu_i| / sqrt(p_i)`` with ``p_i = tau_i + 1 / C_ii``
        (relative to the site's own precision, so scale-free), is at most ``tol``. Measuring
        the undamped change keeps heavy damping from passing for convergence. Rounding keeps
        that change near 1e-9 on ill-conditioned kernels (site precisions of 1e5 and more),
        where ``log Z`` has long stopped moving: do not ask for much less than 1e-8.
    max_iterations : int, optional
        Most sweeps (default 1000).

    Returns
    -------
    dict
        ``log_probability`` (EP's log Z), ``probability`` (its exp; 0 below ~1e-308),
        ``iterations`` (sweeps), ``converged``, ``max_change`` (the last sweep's largest
        proposed change), ``seconds``, ``dimension``, ``method`` (``"ep"``). No interval:
        EP has none.

    Raises
    ------
    BoolnetError
        Bad ``cov`` or ``signs`` (as for :func:`orthant_tilting`) or options.

    Examples
    --------
    >>> import numpy as np
    >>> round(orthant_ep(np.eye(1), [1])["probability"], 15)    # one site: exact
    0.5
    >>> res = orthant_ep(np.array([[1.0, 0.5], [0.5, 1.0]]), [1, 1])
    >>> res["converged"], round(res["probability"], 4), round(1 / 3, 4)   # close, not exact
    (True, 0.3327, 0.3333)
    """
    begin = time.perf_counter()
    c, rank = _folded(cov, signs)
    damping = check_real(damping, "damping", low=0.0, high=1.0, low_open=True)
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    max_iterations = check_whole(max_iterations, "max_iterations", low=1, high=10**6)
    d = c.shape[0]
    from boolnet.nngp._orthant_kernels import ep_sweep

    info = {"dimension": d, "method": "ep"}
    _, L, r = _ordered_cholesky(c, rank)
    if r < d and _largest_margin(L) <= EMPTY_TOL:
        return {"log_probability": -math.inf, "probability": 0.0, "iterations": 0, "converged": True,
                "status": "empty", "max_change": 0.0, "seconds": time.perf_counter() - begin, **info}
    prior_var = np.diag(c).copy()
    tau = np.zeros(d)
    nu = np.zeros(d)
    sigma, mu = c.copy(), np.zeros(d)
    change = math.inf
    it = 0
    status = "max_iterations"
    log_det_b = 0.0
    for it in range(1, max_iterations + 1):
        change = ep_sweep(sigma, mu, tau, nu, damping, prior_var)
        if not (math.isfinite(change) and np.all(np.isfinite(tau)) and np.all(np.isfinite(nu))):
            status = "breakdown"
            break
        try:  # afresh after each sweep: rank-one updates accumulate rounding
            sigma, mu, log_det_b = _ep_posterior(c, tau, nu)
        except np.linalg.LinAlgError:
            status = "breakdown"
            break
        if change <= tol:
            status = "converged"
            break
    if status == "breakdown":
        log_z = math.nan
    else:
        log_z = _ep_log_z(sigma, mu, tau, nu, log_det_b)
    return {"log_probability": log_z, "probability": math.exp(min(log_z, 0.0)) if log_z == log_z else math.nan,
            "iterations": it, "converged": status == "converged", "status": status, "max_change": change,
            "seconds": time.perf_counter() - begin, **info}
