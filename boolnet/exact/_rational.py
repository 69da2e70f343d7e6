"""Exact linear algebra and modular integer arithmetic of the exact MLP engine.

Everything here is exact: matrices of :class:`fractions.Fraction` or Python integers, integer
determinants decided exactly, and integers carried as residues modulo primes below ``2**31`` and
rebuilt by the Chinese remainder theorem. :mod:`boolnet.exact.mlp` uses it for

* the exact probabilities: a perceptron table scaled to integer numerators over a common
  denominator (:func:`scale_to_integers`), the numerators reduced modulo enough primes
  (:func:`primes_covering`, :func:`residues`) for the numba kernels to work in int64, and the
  sums rebuilt (:func:`crt`);
* the covariance path of the gaussian prior: which covariance matrices are singular
  (:func:`nonsingular`, :func:`integer_determinants`), a canonical name of a row space
  (:func:`row_space_key`), a maximal independent subset of the variables of a Gram matrix
  (:func:`gram_basis`) and the exact coefficients expressing the others in it (:func:`solve`).

Only the standard library and NumPy.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

_PRIMES: list[int] = []


def _is_prime(m: int) -> bool:
    """Trial division: exact, and below 2**31 at most ~23,000 odd divisors."""
    if m < 2:
        return False
    if m % 2 == 0:
        return m == 2
    d = 3
    while d * d <= m:
        if m % d == 0:
            return False
        d += 2
    return True


def primes_below_2_31(count: int) -> list[int]:
    """The ``count`` largest primes below ``2**31``, largest first.

    Products of two residues modulo such a prime fit in int64, which is what the numba kernels
    multiply in. The list is extended on demand and kept for the process.

    Parameters
    ----------
    count : int
        How many primes.

    Returns
    -------
    list of int

    Examples
    --------
    >>> primes_below_2_31(3)
    [2147483647, 2147483629, 2147483587]
    """
    while len(_PRIMES) < count:
        m = (_PRIMES[-1] if _PRIMES else 2**31) - 1
        while not _is_prime(m):
            m -= 1
        _PRIMES.append(m)
    return _PRIMES[:count]


def primes_covering(bound: int) -> list[int]:
    """The fewest largest primes below ``2**31`` whose product exceeds ``bound``.

    Every integer in ``[0, bound]`` is then determined by its residues (:func:`crt`).

    Parameters
    ----------
    bound : int
        Largest integer to be rebuilt (for probabilities: their common denominator).

    Returns
    -------
    list of int

    Examples
    --------
    >>> primes_covering(48)
    [2147483647]
    >>> len(primes_covering(2**64))
    3
    """
    count = 1
    while math.prod(primes_below_2_31(count)) <= bound:
        count += 1
    return primes_below_2_31(count)


def residues(values, primes) -> np.ndarray:
    """``values`` modulo every prime: an int64 array of shape ``(len(primes), len(values))``.

    Parameters
    ----------
    values : sequence of int
        Non-negative Python integers (of any size).
    primes : sequence of int
        Moduli below ``2**31``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> residues([5, 2**40], [7, 11]).tolist()
    [[5, 2], [5, 1]]
    """
    return np.array([[v % p for v in values] for p in primes], dtype=np.int64).reshape(len(primes), -1)


def crt(residues: list[int], primes: list[int]) -> int:
    """The integer in ``[0, prod(primes))`` with the given residues (Chinese remainder theorem).

    Parameters
    ----------
    residues : list of int
        ``x mod p`` for every prime ``p``.
    primes : list of int
        Distinct primes.

    Returns
    -------
    int

    Examples
    --------
    >>> crt([5, 1], [7, 11])
    12
    >>> p = primes_covering(10**30)
    >>> crt([10**30 % q for q in p], p) == 10**30
    True
    """
    x, mod = 0, 1
    for r, p in zip(residues, primes):
        t = ((r - x) * pow(mod, -1, p)) % p
        x += mod * t
        mod *= p
    return x


def scale_to_integers(values) -> tuple[int, list[int]]:
    """The least common denominator of some rationals and their numerators over it.

    Parameters
    ----------
    values : sequence of Fraction (or int)

    Returns
    -------
    denominator : int
    numerators : list of int
        ``values[i] == Fraction(numerators[i], denominator)``.

    Examples
    --------
    >>> scale_to_integers([Fraction(1, 48), Fraction(1, 24), Fraction(13, 48)])
    (48, [1, 2, 13])
    """
    fracs = [Fraction(v) for v in values]
    den = math.lcm(*(f.denominator for f in fracs))
    return den, [int(f.numerator * (den // f.denominator)) for f in fracs]


def solve(A: list, b: list) -> list:
    """Solve ``A x = b`` exactly by Gauss-Jordan elimination.

    Parameters
    ----------
    A : list of lists of Fraction
        A nonsingular square matrix.
    b : list of Fraction

    Returns
    -------
    list of Fraction

    Examples
    --------
    >>> solve([[Fraction(2), Fraction(1)], [Fraction(1), Fraction(3)]], [Fraction(1), Fraction(2)])
    [Fraction(1, 5), Fraction(3, 5)]
    """
    n = len(A)
    m = [list(A[i]) + [b[i]] for i in range(n)]
    for c in range(n):
        piv = next(r for r in range(c, n) if m[r][c] != 0)
        m[c], m[piv] = m[piv], m[c]
        inv = 1 / m[c][c]
        m[c] = [v * inv for v in m[c]]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c]
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[c])]
    return [m[i][n] for i in range(n)]


def det(A: list) -> Fraction:
    """Exact determinant of a square matrix of Fractions or integers, by elimination.

    Parameters
    ----------
    A : list of lists

    Returns
    -------
    Fraction

    Examples
    --------
    >>> det([[Fraction(1, 2), 1], [1, 4]])
    Fraction(1, 1)
    >>> det([[1, 2], [2, 4]])
    Fraction(0, 1)
    """
    n = len(A)
    m = [[Fraction(v) for v in r] for r in A]
    d = Fraction(1)
    for c in range(n):
        piv = next((r for r in range(c, n) if m[r][c] != 0), None)
        if piv is None:
            return Fraction(0)
        if piv != c:
            m[c], m[piv] = m[piv], m[c]
            d = -d
        d *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            if f:
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[c])]
    return d


def gram_basis(Y: list) -> list[int]:
    """A maximal linearly independent subset of vectors, given only their Gram matrix, exactly.

    Vectors ``v_i`` with Gram matrix ``Y[a][b] = v_a . v_b`` are independent iff their Gram
    determinant is nonzero, so the vectors are taken greedily in order, each kept when it keeps
    the Gram determinant of the kept ones nonzero.

    Parameters
    ----------
    Y : list of lists of Fraction (or int)
        A symmetric positive semidefinite matrix.

    Returns
    -------
    list of int
        Increasing indices of the kept vectors.

    Examples
    --------
    >>> gram_basis([[1, 1, 0], [1, 1, 0], [0, 0, 2]])     # v_0 = v_1
    [0, 2]
    """
    basis: list[int] = []
    for i in range(len(Y)):
        trial = basis + [i]
        if det([[Y[a][b] for b in trial] for a in trial]) != 0:
            basis.append(i)
    return basis


def row_space_key(K: np.ndarray) -> tuple:
    """The reduced row echelon form of an integer matrix, exactly: a canonical name of its row space.

    For a covariance ``K`` the row space fixes the linear relations among the variables, which is
    all an orthant recipe depends on, so the key names the recipe.

    Parameters
    ----------
    K : numpy.ndarray
        2-d integer matrix.

    Returns
    -------
    tuple of tuples of Fraction
        The nonzero rows of the reduced row echelon form.

    Examples
    --------
    >>> row_space_key(np.array([[2, 4], [1, 2]]))
    ((Fraction(1, 1), Fraction(2, 1)),)
    >>> row_space_key(np.array([[2, 4], [1, 2]])) == row_space_key(np.array([[3, 6], [0, 0]]))
    True
    """
    m = [[Fraction(int(v)) for v in row] for row in K.tolist()]
    rows, cols = len(m), len(m[0])
    r = 0
    for c in range(cols):
        piv = next((i for i in range(r, rows) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        inv = 1 / m[r][c]
        m[r] = [v * inv for v in m[r]]
        for i in range(rows):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        r += 1
        if r == rows:
            break
    return tuple(tuple(row) for row in m[:r])


def integer_determinants(K: np.ndarray) -> np.ndarray:
    """Exact determinants of a stack of integer matrices (Bareiss elimination, Python integers).

    Parameters
    ----------
    K : numpy.ndarray, shape (k, d, d)
        Integer matrices.

    Returns
    -------
    numpy.ndarray of object, shape (k,)
        Python integers.

    Examples
    --------
    >>> integer_determinants(np.array([[[2, 1], [1, 2]], [[1, 2], [2, 4]]])).tolist()
    [3, 0]
    """
    out = []
    for mat in K.tolist():
        a = [row[:] for row in mat]
        n = len(a)
        prev, sign = 1, 1
        d = None
        for k in range(n - 1):
            if a[k][k] == 0:
                swap = next((i for i in range(k + 1, n) if a[i][k] != 0), None)
                if swap is None:
                    d = 0
                    break
                a[k], a[swap] = a[swap], a[k]
                sign = -sign
            for i in range(k + 1, n):
                for j in range(k + 1, n):
                    a[i][j] = (a[i][j] * a[k][k] - a[i][k] * a[k][j]) // prev
            prev = a[k][k]
        out.append(0 if d == 0 else sign * a[n - 1][n - 1])
    return np.array(out, dtype=object)


def nonsingular(K: np.ndarray) -> np.ndarray:
    """Which matrices of a stack of small integer matrices are nonsingular, exactly.

    A floating-point determinant of an integer matrix is an integer up to a tiny error, so one
    of magnitude at least 1e3 proves the matrix nonsingular; the others (and every matrix whose
    entries are too large for that argument) are decided by :func:`integer_determinants`.

    Parameters
    ----------
    K : numpy.ndarray, shape (k, d, d)
        Integer matrices.

    Returns
    -------
    numpy.ndarray of bool, shape (k,)

    Examples
    --------
    >>> nonsingular(np.array([[[2, 1], [1, 2]], [[1, 2], [2, 4]]])).tolist()
    [True, False]
    """
    if len(K) == 0:
        return np.zeros(0, dtype=bool)
    approx = np.abs(np.linalg.det(K.astype(np.float64)))
    if float(np.abs(K).max()) ** K.shape[1] * K.shape[1] ** K.shape[1] * 1e-13 > 0.25:
        check = np.arange(len(K))                  # entries too large for the float test
    else:
        check = np.flatnonzero(approx < 1e3)
    out = approx >= 1e3
    out[check] = integer_determinants(K[check]) != 0
    return out


__all__ = [
    "crt",
    "det",
    "gram_basis",
    "integer_determinants",
    "nonsingular",
    "primes_below_2_31",
    "primes_covering",
    "residues",
    "row_space_key",
    "scale_to_integers",
    "solve",
]
