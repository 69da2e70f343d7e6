"""Numba kernels of the exact MLP engine (:mod:`boolnet.exact.mlp`).

Vocabulary (``N = 2**n`` inputs, truth tables packed: bit ``x`` of a word is ``f(input x)``):

* A *support* ``U`` is an array of truth tables of hidden units (functions of the inputs),
  each with a probability.
* A *multiset* of ``H`` hidden units is a non-decreasing row of indices into ``U``; it stands for
  the ``H! / prod(m_t!)`` ordered tuples with the same counts (hidden units are exchangeable),
  which is its multinomial weight.
* The *code* of input ``x`` is the ``H``-bit word of the hidden outputs (unit 1 the most
  significant bit); ``S`` is the set of codes the inputs realise, a bit mask over the ``2**H``
  codes.
* ``G`` are the truth tables (over the ``2**H`` codes) of every threshold function the unit above
  computes, with probabilities. Only their restrictions to ``S`` matter: the *histogram* of ``S``
  adds the probabilities of the ``g`` with equal restriction (pattern), once per distinct ``S``.

Two arithmetic modes share one kernel: *exact*, with every probability an integer numerator over
a known common denominator, carried as residues modulo a few primes below 2**31 (products fit in
int64; the caller reconstructs the integers by the Chinese remainder theorem); and *float*, with
three channels (value, lower bound, upper bound) accumulated with Neumaier's compensated
summation.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _next_multiset(idx, T):
    H = idx.shape[0]
    j = H - 1
    while j >= 0 and idx[j] == T - 1:
        j -= 1
    if j < 0:
        return False
    v = idx[j] + 1
    for k in range(j, H):
        idx[k] = v
    return True


@nb.njit(cache=True)
def enumerate_multisets(T, H, M):
    """All ``M = C(T + H - 1, H)`` non-decreasing index rows of length ``H`` over ``range(T)``.

    Examples
    --------
    >>> enumerate_multisets(3, 2, 6).tolist()
    [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]]
    """
    out = np.empty((M, H), dtype=np.int32)
    idx = np.zeros(H, dtype=np.int32)
    for m in range(M):
        out[m] = idx
        _next_multiset(idx, T)
    return out


@nb.njit(cache=True)
def _code(U, row, x):
    c = 0
    for j in range(row.shape[0]):
        c = (c << 1) | ((U[row[j]] >> np.uint64(x)) & np.uint64(1))
    return c


@nb.njit(cache=True)
def code_set_masks(U, IDX, N, skip0):
    """Bit mask of the set of codes realised by the inputs, for every multiset row of ``IDX``.

    ``skip0``: input 0 is left out (its pre-activations are identically 0; see mlp.py).

    Examples
    --------
    >>> import numpy as np
    >>> U = np.array([0b0011, 0b0101], dtype=np.uint64)   # x2-ish and x1-ish on 2 inputs
    >>> [int(s) for s in code_set_masks(U, np.array([[0, 1]], dtype=np.int32), 4, False)]
    [15]
    """
    M = IDX.shape[0]
    out = np.zeros(M, dtype=np.uint64)
    start = 1 if skip0 else 0
    for m in range(M):
        s = np.uint64(0)
        for x in range(start, N):
            s |= np.uint64(1) << _code(U, IDX[m], x)
        out[m] = s
    return out


@nb.njit(cache=True)
def compose(U, IDX, order, S, N, skip0, weighted, H_fact,
            G, G_res, U_res, primes, G_flt, U_flt, n_functions, exact, row_mult):
    """Distribution of the function computed by a unit above every multiset of ``IDX``.

    Parameters
    ----------
    U : uint64 (T,)
        Support: truth tables of the hidden units below.
    IDX : int32 (M, H)
        Multiset rows (indices into ``U``), processed in the order ``order`` (sorted by ``S``).
    S : uint64 (M,)
        Code-set masks of the rows (:func:`code_set_masks`).
    N : int
        Number of inputs (``2**n``); ``skip0`` as in :func:`code_set_masks`.
    weighted : bool
        Weigh each multiset by its multinomial coefficient times its units' probabilities (else 1).
    H_fact : int
        ``H!``.
    G : uint64 (|G|,)
        Truth tables over the codes of the unit's threshold functions.
    G_res, U_res : int64 (K, |G|), (K, T)
        Exact mode: numerators modulo ``primes[k]``.
    G_flt, U_flt : float64 (3, |G|), (3, T)
        Float mode: value, lower and upper bound.
    n_functions : int
        ``2**N``: size of the dense output.
    exact : bool
    row_mult : int64 (M,) or (0,)
        Extra integer factor of each row's weight (orbit sizes), if not empty.

    Returns
    -------
    acc_res : int64 (K, n_functions)
        Exact mode: sum of weight * probability, modulo each prime.
    acc_flt, acc_cmp : float64 (3, n_functions)
        Float mode: sums and their Neumaier compensations (add them).
    hit : bool (n_functions,)
        Functions reached (every weight is positive, so these have positive probability).

    Examples
    --------
    >>> import numpy as np
    >>> U = np.array([0b1000], dtype=np.uint64)                # AND as the only hidden function
    >>> G = np.array([0b10, 0b01], dtype=np.uint64)            # output: identity or negation
    >>> IDX = np.zeros((1, 1), dtype=np.int32)
    >>> S = code_set_masks(U, IDX, 4, False)
    >>> res, flt, cmp, hit = compose(U, IDX, np.zeros(1, np.int64), S, 4, False, True, 1, G,
    ...     np.zeros((0, 2), np.int64), np.zeros((0, 1), np.int64), np.zeros(0, np.int64),
    ...     np.array([[0.75, 0.25]] * 3), np.ones((3, 1)), 16, False, np.zeros(0, np.int64))
    >>> [(int(f), float(flt[0, f])) for f in np.flatnonzero(hit)]     # AND (0b1000), NAND (0b0111)
    [(7, 0.25), (8, 0.75)]
    """
    M, H = IDX.shape
    K = primes.shape[0]
    n_g = G.shape[0]
    acc_res = np.zeros((K if exact else 0, n_functions), dtype=np.int64)
    acc_flt = np.zeros((0 if exact else 3, n_functions), dtype=np.float64)
    acc_cmp = np.zeros((0 if exact else 3, n_functions), dtype=np.float64)
    hit = np.zeros(n_functions, dtype=np.bool_)
    start = 1 if skip0 else 0
    codes = np.zeros(64, dtype=np.int64)
    pos = np.zeros(64, dtype=np.int64)
    X = np.zeros(64, dtype=np.uint64)
    max_bins = 1 << min(N, 16)
    bins_res = np.zeros((K if exact else 0, max_bins), dtype=np.int64)
    bins_flt = np.zeros((0 if exact else 3, max_bins), dtype=np.float64)
    bins_hit = np.zeros(max_bins, dtype=np.bool_)
    nz = np.zeros(max_bins, dtype=np.int64)
    n_nz = 0
    current = np.uint64(0)
    have = False
    w_res = np.zeros(K, dtype=np.int64)
    w_flt = np.zeros(3, dtype=np.float64)
    for oi in range(M):
        m = order[oi]
        row = IDX[m]
        s = S[m]
        if not have or s != current:
            # histogram of the restrictions of G to the code set s
            have = True
            current = s
            n_codes = 0
            for c in range(64):
                if (s >> np.uint64(c)) & np.uint64(1):
                    codes[n_codes] = c
                    pos[c] = n_codes
                    n_codes += 1
            n_bins = 1 << n_codes
            for b in range(n_bins):
                bins_hit[b] = False
                for k in range(K if exact else 0):
                    bins_res[k, b] = 0
                for k in range(0 if exact else 3):
                    bins_flt[k, b] = 0.0
            for t in range(n_g):
                g = G[t]
                pat = 0
                for q in range(n_codes):
                    pat |= int((g >> np.uint64(codes[q])) & np.uint64(1)) << q
                bins_hit[pat] = True
                if exact:
                    for k in range(K):
                        v = bins_res[k, pat] + G_res[k, t]
                        if v >= primes[k]:
                            v -= primes[k]
                        bins_res[k, pat] = v
                else:
                    for k in range(3):
                        bins_flt[k, pat] += G_flt[k, t]
            n_nz = 0
            for b in range(n_bins):
                if bins_hit[b]:
                    nz[n_nz] = b
                    n_nz += 1
        # inputs of each code position
        for q in range(n_codes):
            X[q] = 0
        for x in range(start, N):
            X[pos[_code(U, row, x)]] |= np.uint64(1) << np.uint64(x)
        # weight of the multiset
        if exact:
            for k in range(K):
                w_res[k] = 1
        else:
            for k in range(3):
                w_flt[k] = 1.0
        if weighted:
            mult = H_fact * (row_mult[m] if row_mult.shape[0] else 1)
            run = 1
            for j in range(1, H + 1):
                if j < H and row[j] == row[j - 1]:
                    run += 1
                else:
                    for r in range(2, run + 1):
                        mult //= r
                    run = 1
            if exact:
                for k in range(K):
                    p = primes[k]
                    w = mult % p
                    for j in range(H):
                        w = (w * U_res[k, row[j]]) % p
                    w_res[k] = w
            else:
                for k in range(3):
                    w = float(mult)
                    for j in range(H):
                        w *= U_flt[k, row[j]]
                    w_flt[k] = w
        for i in range(n_nz):
            b = nz[i]
            f = np.uint64(0)
            rest = b
            q = 0
            while rest:
                if rest & 1:
                    f |= X[q]
                rest >>= 1
                q += 1
            fi = np.int64(f)
            hit[fi] = True
            if exact:
                for k in range(K):
                    acc_res[k, fi] = (acc_res[k, fi] + w_res[k] * bins_res[k, b]) % primes[k]
            else:
                for k in range(3):
                    x_ = w_flt[k] * bins_flt[k, b]
                    t_ = acc_flt[k, fi] + x_
                    if abs(acc_flt[k, fi]) >= abs(x_):
                        acc_cmp[k, fi] += (acc_flt[k, fi] - t_) + x_
                    else:
                        acc_cmp[k, fi] += (x_ - t_) + acc_flt[k, fi]
                    acc_flt[k, fi] = t_
    return acc_res, acc_flt, acc_cmp, hit


@nb.njit(cache=True)
def _canonical(row, P, img):
    """(is row the lexicographically smallest image of itself under every map in P?, stabiliser size)."""
    H = row.shape[0]
    stab = 0
    for g in range(P.shape[0]):
        for j in range(H):
            v = P[g, row[j]]
            k = j
            while k > 0 and img[k - 1] > v:
                img[k] = img[k - 1]
                k -= 1
            img[k] = v
        cmp = 0
        for j in range(H):
            if img[j] != row[j]:
                cmp = -1 if img[j] < row[j] else 1
                break
        if cmp < 0:
            return False, 0
        if cmp == 0:
            stab += 1
    return True, stab


@nb.njit(cache=True)
def canonical_multisets(P, T, H, reps, fill, out, orbit):
    """Multisets (non-decreasing rows over ``range(T)``) that are smallest in their orbit under ``P``.

    ``P[g, t]`` is the index of function t transformed by symmetry g (row 0 the identity). Only rows
    whose first entry is in ``reps`` (the smallest index of each function orbit) can be smallest.
    With ``fill`` False, returns the count; with ``fill`` True, also writes the rows into ``out``
    and their orbit sizes ``|G| / |stabiliser|`` into ``orbit``.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0, 1, 2], [0, 2, 1]], dtype=np.int32)     # swapping functions 1 and 2
    >>> out, orbit = np.zeros((5, 2), np.int32), np.zeros(5, np.int64)
    >>> k = canonical_multisets(P, 3, 2, np.array([0, 1], np.int32), True, out, orbit)
    >>> out[:k].tolist(), orbit[:k].tolist()          # {1,1} and {2,2} form one orbit, {1,2} its own
    ([[0, 0], [0, 1], [1, 1], [1, 2]], [1, 2, 2, 1])
    """
    G = P.shape[0]
    row = np.zeros(H, dtype=np.int32)
    img = np.zeros(H, dtype=np.int32)
    count = 0
    for r in range(reps.shape[0]):
        first = reps[r]
        for j in range(H):
            row[j] = first
        while True:
            ok, stab = _canonical(row, P, img)
            if ok:
                if fill:
                    out[count] = row
                    orbit[count] = G // stab
                count += 1
            # next non-decreasing tail with row[0] fixed
            j = H - 1
            while j >= 1 and row[j] == T - 1:
                j -= 1
            if j < 1:
                break
            v = row[j] + 1
            for k in range(j, H):
                row[k] = v
    return count
