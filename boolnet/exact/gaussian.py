"""Gaussian measure of polyhedral cones: orthant probabilities to ~1e-13 with an error bound.

The ``gaussian`` prior puts independent centred normals on the perceptron's parameters, so a
function's probability is the Gaussian measure of its region, a polyhedral cone. The exact
engine triangulates that cone into simplicial cones with integer generators;
:func:`simplicial_cone_measures` measures each one, :func:`orthant_probability` is the
underlying ``P(Y > 0)`` for ``Y ~ N(0, Sigma)``.

Method (details in docs/gaussian.md and :mod:`boolnet.exact._orthant_kernels`): closed forms for
dimension <= 3; for dimension 4..8 Plackett's reduction, integrated along a straight path from
the block-diagonal part of the correlation matrix (whose orthant probability is a product of
closed forms) by adaptive Gauss-Kronrod quadrature (8-point Gauss inside 17-point Kronrod),
after a change of variable that maps the integrand's domain of analyticity onto a fixed strip.
The returned error bound adds the quadrature differences, the propagated bounds of nested
quadratures and a running floating-point allowance.
"""

from __future__ import annotations

import numpy as np

from boolnet.errors import UsageError

#: Target of the quadrature part of the error bound, per orthant probability.
DEFAULT_TOL = 1e-13
#: Initial panel length in the strip variable u (see _orthant_kernels).
PANEL_LENGTH = 2.4
MAX_DIMENSION = 8
#: Rough single-core cost per cone by dimension (measured on triangulated perceptron regions);
#: batches below _PARALLEL_MIN_SECONDS of work run in the calling thread.
_SECONDS_PER_CONE = {1: 1e-6, 2: 1e-6, 3: 1e-6, 4: 3e-5, 5: 7e-5, 6: 5e-3, 7: 2e-2, 8: 1.0}
_PARALLEL_MIN_SECONDS = 0.05
#: Cones whose bound exceeds this are recomputed along the identity path (see _orthant_batch).
_RETRY_BOUND = 1e-12
_EPS = np.finfo(float).eps
#: Integer generators whose adjugate stays below this are handled in exact integer arithmetic.
_EXACT_LIMIT = 2.0**52

# The 17-point Gauss-Kronrod rule extending the 8-point Gauss-Legendre rule on [-1, 1]
# (exact for polynomials of degree <= 25). Computed for boolnet with mpmath at 40 digits by
# solving the moment equations (see tests/test_gaussian.py, which re-checks the exactness).
_GAUSS8_NODES = (0.18343464249564980494, 0.52553240991632898582,
                 0.79666647741362673959, 0.96028985649753623168)
_KRONROD_NEW_NODES = (0.36070109792813195719, 0.67235407094515867716,
                      0.89412090684745642195, 0.99337987588171615594)
_KRONROD_W0 = 0.18444640574469164353
_KRONROD_W_GAUSS_NODES = (0.18140002506803464306, 0.15665260616818840049,
                          0.11164637082683961322, 0.0494393950021393085)
_KRONROD_W_NEW_NODES = (0.17207060855521131186, 0.13626310925517221526,
                        0.082482298931358330689, 0.017822383320710355153)

_RULES: tuple | None = None


def _rules():
    """(nodes, Kronrod weights, embedded Gauss weights) of the G8-K17 pair on [-1, 1]."""
    global _RULES
    if _RULES is None:
        g = np.array(_GAUSS8_NODES)
        k = np.array(_KRONROD_NEW_NODES)
        nodes = np.concatenate([[0.0], g, -g, k, -k])
        _, gw = np.polynomial.legendre.leggauss(8)  # ascending nodes: weights of +g are gw[4:]
        wg_half = gw[4:]
        wk = np.concatenate([[_KRONROD_W0], _KRONROD_W_GAUSS_NODES, _KRONROD_W_GAUSS_NODES,
                             _KRONROD_W_NEW_NODES, _KRONROD_W_NEW_NODES])
        wg = np.concatenate([[0.0], wg_half, wg_half, np.zeros(4), np.zeros(4)])
        _RULES = (nodes, wk, wg)
    return _RULES


def _check_tol(tol: float) -> float:
    from boolnet.checks import check_real

    return check_real(tol, "tol", low=0.0, low_open=True)


def _eigen_bounds(corrs: np.ndarray, dcs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Safe bounds lam_lo <= lambda_min, lambda_max <= lam_hi of each matrix in the stack.

    eigvalsh is backward stable (error <= a small multiple of d * eps * ||C||, ||C|| <= d for a
    correlation matrix); the entries' own uncertainty dC moves eigenvalues by <= d * dC (Weyl).
    Lowering lam_lo only lengthens the quadrature interval, so the margins are generous.
    """
    d = corrs.shape[-1]
    ev = np.linalg.eigvalsh(corrs)
    slack = 64.0 * d * d * _EPS + d * dcs
    lam_lo = 0.99 * ev[:, 0] - slack
    lam_hi = 1.01 * ev[:, -1] + slack
    return lam_lo, lam_hi


def _run_kernel(
    corrs: np.ndarray, dcs: np.ndarray, tol: float, block_start: bool
) -> tuple[np.ndarray, np.ndarray]:
    """One call of the orthant kernel on a contiguous stack of d >= 2 correlation matrices.

    The serial and parallel kernels are one source compiled twice (same bits); the parallel one
    runs only when the batch is worth it, because waking the thread pool costs milliseconds
    on a busy machine.
    """
    from boolnet.exact import _orthant_kernels as OK

    k, d, _ = corrs.shape
    parallel = k * _SECONDS_PER_CONE[d] >= _PARALLEL_MIN_SECONDS
    if d <= 5:  # the same values from kernels without the nested levels: a shorter cold compile
        kernel = OK.orthant_corr_batch_closed if parallel else OK.orthant_corr_serial_closed
    else:
        kernel = OK.orthant_corr_batch if parallel else OK.orthant_corr_serial
    nodes, wk, wg = _rules()
    return kernel(corrs, dcs, tol, nodes, wk, wg, PANEL_LENGTH, block_start)


def _orthant_batch(
    corrs: np.ndarray, dcs: np.ndarray, tol: float, block_start: bool = True, param: str = "corr"
) -> tuple[np.ndarray, np.ndarray]:
    """Orthant probabilities of a (k, d, d) stack of correlation matrices (validated).

    block_start=False integrates along the classical path from the identity instead: an
    independent second method for the tests. ``param`` is the caller's argument a
    singular matrix is blamed on (``corr`` or ``generators``).
    """
    k, d, _ = corrs.shape
    if k == 0:
        return np.empty(0), np.empty(0)
    if d == 1:
        return np.full(k, 0.5), np.zeros(k)
    lam_lo, _ = _eigen_bounds(corrs, dcs)
    bad = np.flatnonzero(lam_lo <= 0.0)
    if bad.size:
        raise UsageError(
            f"matrix {int(bad[0])} of the batch is singular or too close to singular "
            f"(smallest eigenvalue of its correlation matrix ~ {lam_lo[bad[0]] / 0.99:.3g}); "
            "the cone must be full-dimensional: give linearly independent generators",
            param=param,
        )
    corrs = np.ascontiguousarray(corrs, dtype=np.float64)
    dcs = np.ascontiguousarray(dcs, dtype=np.float64)
    values, errors = _run_kernel(corrs, dcs, tol, block_start)
    retry = np.flatnonzero(errors > _RETRY_BOUND) if block_start and d >= 4 else np.empty(0, int)
    if retry.size:
        # Very thin cones: strong within-block correlations magnify rounding along the block
        # path; the identity path often bounds them far more tightly. Each bound is valid for
        # its own value, so keeping the tighter of the two stays honest.
        v2, e2 = _run_kernel(corrs[retry], dcs[retry], tol, False)
        better = e2 < errors[retry]
        values[retry[better]] = v2[better]
        errors[retry[better]] = e2[better]
    return values, errors


def orthant_probability(corr: np.ndarray, *, tol: float = DEFAULT_TOL) -> tuple[float, float]:
    """P(Y > 0 componentwise) for Y ~ N(0, corr), with an error bound.

    Parameters
    ----------
    corr : array_like, shape (d, d)
        Symmetric positive definite correlation matrix, or any covariance matrix (it is
        rescaled to unit diagonal, which does not change the orthant probability); d = 1..8.
    tol : float, optional
        Target of the quadrature part of the error bound (default 1e-13).

    Returns
    -------
    value : float
    error_bound : float
        Conservative bound on ``|value - exact|``: rounding only for d <= 3 (closed forms);
        for d >= 4 quadrature differences + nested bounds + floating-point allowance.

    Raises
    ------
    UsageError
        If the matrix is not square, not symmetric, not finite, not positive definite or
        larger than 8 x 8.

    Examples
    --------
    >>> import numpy as np
    >>> orthant_probability(np.eye(4))[0]
    0.0625
    >>> equi = np.full((6, 6), 0.5) + 0.5 * np.eye(6)   # classical: 1 / (d + 1)
    >>> value, bound = orthant_probability(equi)
    >>> abs(value - 1 / 7) <= bound <= 1e-12
    True
    """
    a = np.asarray(corr, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise UsageError(f"corr must be a square matrix, got shape {a.shape}", param="corr")
    d = a.shape[0]
    if not 1 <= d <= MAX_DIMENSION:
        raise UsageError(f"corr must be d x d with 1 <= d <= {MAX_DIMENSION}, got d = {d}", param="corr")
    if not np.all(np.isfinite(a)):
        raise UsageError("corr contains NaN or infinite entries", param="corr")
    if not np.allclose(a, a.T, rtol=1e-12, atol=1e-14 * np.abs(a).max()):
        raise UsageError("corr must be symmetric", param="corr")
    diag = np.diag(a)
    if np.any(diag <= 0.0):
        raise UsageError("corr must have a positive diagonal (it must be positive definite)", param="corr")
    tol = _check_tol(tol)
    s = 1.0 / np.sqrt(diag)
    c = 0.5 * (a + a.T) * np.outer(s, s)
    np.fill_diagonal(c, 1.0)
    if np.any(np.abs(c) >= 1.0 - 1e-15 + np.eye(d)):
        raise UsageError("corr is singular (a correlation of +-1): it must be positive definite", param="corr")
    # rescaling: ~3 roundings per entry
    dc = np.array([4.0 * _EPS])
    values, errors = _orthant_batch(c[None], dc, tol, param="corr")
    return float(values[0]), float(errors[0])


def _exact_adjugates(gen: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(adj, det) of a stack of integer matrices, exact, or None if not representable.

    A float inverse times the determinant, rounded, is verified in integer arithmetic:
    R @ adj == det * I exactly proves adj = det * R^-1 (R is invertible when det != 0).
    """
    d = gen.shape[-1]
    det = np.rint(np.linalg.det(gen))
    mx = np.abs(gen).max(initial=0.0)
    # Hadamard: |minor| <= (sqrt(d) * mx)^d; keep every product below 2^62 for int64 checks
    hadamard = (np.sqrt(d) * max(mx, 1.0)) ** d
    if hadamard * mx * d >= 2.0**62 or hadamard >= _EXACT_LIMIT:
        return None
    ok = det != 0
    adj = np.zeros_like(gen)
    if np.any(ok):
        adj[ok] = np.rint(np.linalg.inv(gen[ok]) * det[ok, None, None])
    gi = gen.astype(np.int64)
    ai = adj.astype(np.int64)
    prod = np.einsum("kij,kjl->kil", gi, ai)
    target = det.astype(np.int64)[:, None, None] * np.eye(d, dtype=np.int64)[None]
    good = np.all(prod == target, axis=(1, 2)) & ok
    if not np.all(good[ok]):
        # rounding failed for some (very ill-conditioned) matrix: exact fallback, rare
        import sympy

        for j in np.flatnonzero(ok & ~good):
            m = sympy.Matrix(gi[j].tolist())
            det[j] = float(m.det())
            adj[j] = np.array(m.adjugate().tolist(), dtype=np.float64)
    return adj, det


def simplicial_cone_measures(
    generators: np.ndarray, scales: np.ndarray, *, tol: float = DEFAULT_TOL
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian measure of simplicial cones, with error bounds.

    Parameters
    ----------
    generators : array_like, shape (k, d, d)
        ``generators[j]`` has as rows the d linearly independent rays ``r_1..r_d`` of the j-th
        cone ``{sum_i lam_i r_i : lam >= 0}`` (parameter coordinates; usually small integers,
        which are then handled exactly). d = 1..8.
    scales : array_like, shape (d,)
        Positive standard deviations of the independent centred Gaussian on each coordinate.
    tol : float, optional
        Target of the quadrature part of each error bound (default 1e-13).

    Returns
    -------
    measures : ndarray, shape (k,)
        ``P(theta in cone_j)`` for ``theta ~ N(0, diag(scales**2))``.
    error_bounds : ndarray, shape (k,)
        Conservative bounds on ``|measures - exact|``.

    Raises
    ------
    UsageError
        Wrong shapes, non-finite entries, non-positive scales, or singular generators.

    Notes
    -----
    With ``R = generators[j]`` and ``D = diag(scales)``: ``theta = R^T lam`` is in the cone iff
    ``lam = R^-T theta >= 0``, and ``lam ~ N(0, R^-T D^2 R^-1)``; the measure is that
    covariance's orthant probability. ``R^-1 = adj(R) / det(R)``, and the common factor
    ``1/det^2`` does not change the orthant, so integer generators give the covariance
    ``adj(R)^T D^2 adj(R)`` with the adjugate computed exactly.

    Examples
    --------
    >>> import numpy as np
    >>> # the positive quadrant of the plane, and the cone between (1, 0) and (1, 1)
    >>> gens = np.array([[[1, 0], [0, 1]], [[1, 0], [1, 1]]], dtype=float)
    >>> measures, bounds = simplicial_cone_measures(gens, np.ones(2))
    >>> measures.round(15).tolist()      # 1/4 and 1/8 (an eighth of the circle)
    [0.25, 0.125]
    >>> bool(np.all(bounds < 1e-15))
    True
    """
    g = np.asarray(generators, dtype=np.float64)
    if g.ndim == 2:
        raise UsageError("generators must be a stack (k, d, d); wrap a single cone as generators[None]", param="generators")
    if g.ndim != 3 or g.shape[1] != g.shape[2]:
        raise UsageError(f"generators must have shape (k, d, d), got {g.shape}", param="generators")
    k, d, _ = g.shape
    if not 1 <= d <= MAX_DIMENSION:
        raise UsageError(f"cone dimension d must be 1..{MAX_DIMENSION}, got {d}", param="generators")
    s = np.asarray(scales, dtype=np.float64)
    if s.shape != (d,):
        raise UsageError(f"scales must have shape ({d},) to match the generators, got {s.shape}", param="scales")
    if not np.all(np.isfinite(s)) or np.any(s <= 0.0):
        raise UsageError(f"scales must be finite and > 0 (standard deviations), got {s.tolist()}", param="scales")
    if not np.all(np.isfinite(g)):
        raise UsageError("generators contain NaN or infinite entries", param="generators")
    tol = _check_tol(tol)
    if k == 0:
        return np.empty(0), np.empty(0)
    corrs, dcs = _cone_correlations(g, s)
    return _orthant_batch(corrs, dcs, tol, param="generators")


def _cone_correlations(g: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrices of lam = R^-T theta for a validated (k, d, d) stack, and the
    absolute error bounds of their entries."""
    k, d, _ = g.shape
    exact = None
    if np.all(g == np.rint(g)):
        exact = _exact_adjugates(g)
    if exact is not None:
        adj, det = exact
        singular = np.flatnonzero(det == 0)
        if singular.size:
            raise UsageError(
                f"generators[{int(singular[0])}] is singular (determinant 0): the rays of a "
                "simplicial cone must be linearly independent",
                param="generators",
            )
        inv_like = adj  # columns of adj(R) are det * columns of R^-1
        # covariance entries: d products per entry, each rounded: relative (d + 2) eps
        dcs = np.full(k, (d + 4) * _EPS)
    else:
        cond = np.linalg.cond(g)
        singular = np.flatnonzero(~np.isfinite(cond) | (cond * _EPS > 1e-4))
        if singular.size:
            raise UsageError(
                f"generators[{int(singular[0])}] is singular or nearly so (condition number "
                f"{cond[singular[0]]:.3g}): the rays of a simplicial cone must be linearly independent",
                param="generators",
            )
        inv_like = np.linalg.inv(g)
        # a backward-stable inverse has relative error ~ cond * eps in the worst direction
        dcs = (d + 4) * _EPS + 8.0 * d * cond * _EPS
    cov = np.einsum("kca,kcb->kab", inv_like * (s * s)[None, :, None], inv_like)
    sd = np.sqrt(np.einsum("kaa->ka", cov))
    corrs = cov / (sd[:, :, None] * sd[:, None, :])
    idx = np.arange(d)
    corrs[:, idx, idx] = 1.0
    return corrs, dcs
