"""A second, independent exact volume method: Lasserre's recursion in rational arithmetic.

Lasserre (1983): for a full-dimensional polytope ``P = {x : A x <= b}`` in R^d,

    vol_d(P) = (1/d) * sum_i (b_i / |a_ik|) * vol_{d-1}(projection of P ∩ {a_i x = b_i} along x_k),

for any k with ``a_ik != 0``, recursing down to intervals. It shares no code with
Normaliz's triangulation-based volumes, so the two checking each other is a real
test. It is exponential in d: use it for d <= 4 (perceptrons with n <= 3).
"""

from __future__ import annotations

from fractions import Fraction


def _q(t) -> Fraction:
    """An exact rational from an int, Fraction or NumPy integer."""
    return t if isinstance(t, Fraction) else Fraction(int(t))


def _normalise(rows):
    """Scale each half-space ``a x <= b`` so max |a_j| = 1 and drop duplicates and trivial rows.

    Returns None when some row reads ``0 <= b`` with b < 0 (an empty set).
    """
    out = {}
    for a, b in rows:
        m = max(abs(t) for t in a)
        if m == 0:
            if b < 0:
                return None
            continue
        key = (tuple(t / m for t in a), b / m)
        out[key] = None
    return list(out)


def polytope_volume(rows) -> Fraction:
    """Exact volume of ``{x : a . x <= b for (a, b) in rows}`` (must be bounded).

    Parameters
    ----------
    rows : iterable of (sequence of Fraction/int, Fraction/int)

    Examples
    --------
    >>> square = [((1, 0), 1), ((-1, 0), 1), ((0, 1), 1), ((0, -1), 1)]
    >>> polytope_volume(square)
    Fraction(4, 1)
    >>> polytope_volume(square + [((1, 1), 0)])     # half of it
    Fraction(2, 1)
    """
    rows = _normalise([(tuple(_q(t) for t in a), _q(b)) for a, b in rows])
    if not rows:
        return Fraction(0)
    d = len(rows[0][0])
    if d == 1:
        lo = max((b / a[0] for a, b in rows if a[0] < 0), default=None)
        hi = min((b / a[0] for a, b in rows if a[0] > 0), default=None)
        if lo is None or hi is None:
            raise ValueError("unbounded polytope")
        return max(Fraction(0), hi - lo)
    total = Fraction(0)
    for i, (a_i, b_i) in enumerate(rows):
        if b_i == 0:
            continue  # the facet's cone from the origin has height 0
        k = max(range(d), key=lambda j: abs(a_i[j]))
        sub = []
        for l, (a_l, b_l) in enumerate(rows):
            if l == i:
                continue
            f = a_l[k] / a_i[k]
            sub.append((tuple(a_l[j] - f * a_i[j] for j in range(d) if j != k), b_l - f * b_i))
        total += b_i / abs(a_i[k]) * polytope_volume(sub)
    return total / d


def cube_fraction(normals) -> Fraction:
    """Share of the cube ``[-1, 1]^d`` on which ``g . u >= 0`` for every g in ``normals``.

    Examples
    --------
    >>> cube_fraction([(1, 0)])          # a half-plane through the centre
    Fraction(1, 2)
    """
    normals = [tuple(g) for g in normals]
    d = len(normals[0])
    rows = [(tuple(-t for t in g), 0) for g in normals]
    for k in range(d):
        for s in (1, -1):
            rows.append((tuple(s if j == k else 0 for j in range(d)), 1))
    return polytope_volume(rows) / 2**d
