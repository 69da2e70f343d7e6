"""Every function a perceptron computes with positive volume, one symmetry orbit at a time.

The hyperplanes ``a_x . theta = 0`` (one per input) cut parameter space into
open chambers; each chamber is the region of one function. Two chambers are
adjacent across a facet of either, and crossing the facet of input x flips
f(x) (all inputs on that hyperplane, when several share it). The chamber graph
of a hyperplane arrangement is connected, so a breadth-first search from one
chamber, stepping across facets, reaches every function of positive volume.

Symmetries that preserve the prior (``boolnet.functions.orbit``) map chambers
to chambers of equal volume, so the search keeps one canonical representative
per orbit: facets are computed for representatives only, and each orbit is
expanded to its members at the end.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from boolnet.exact._orbit_kernels import packed_images, smallest_image
from boolnet.exact.regions import Region, augmented_inputs, region
from boolnet.functions import (
    check_encoding,
    check_n,
    string_from_bits,
    symmetry_input_maps,
    tie_inputs,
    unpack_bits,
)
from boolnet.progress import progress_bar

#: Largest n the exact perceptron engine enumerates (n = 6 has 15,028,134 functions with a bias).
MAX_EXACT_N = 6


@dataclass
class Orbit:
    """One orbit of full-dimensional functions.

    Attributes
    ----------
    representative : Region
        Region of the orbit's canonical member (its lexicographically smallest truth table).
    members : ndarray of uint64
        Packed truth tables (one word: n <= 6) of every member, sorted.
    group_index : ndarray of int32
        For member k, with ``m = symmetry_input_maps(n, encoding)[group_index[k]]``,
        ``member_k(i) = rep(m[i])`` XOR ``negated[k]``.
    negated : ndarray of bool
    """

    representative: Region
    members: np.ndarray
    group_index: np.ndarray
    negated: np.ndarray

    @property
    def size(self) -> int:
        """Number of functions in the orbit."""
        return len(self.members)

    def member_words(self) -> np.ndarray:
        """Packed truth tables of every member, ``(size, 1)`` uint64, sorted."""
        return self.members[:, None]

    def member_region(self, k: int) -> Region:
        """The region of member k, derived from the representative's facets by the symmetry."""
        rep = self.representative
        n, enc, bias = rep.n, rep.encoding, rep.bias
        bits = unpack_bits(self.members[k : k + 1, None], n)[0]
        inverse = np.empty(1 << n, dtype=np.int64)
        inverse[symmetry_input_maps(n, enc)[self.group_index[k]]] = np.arange(1 << n)
        a = augmented_inputs(n, enc, bias)
        facet_inputs, normals, strict = [], [], []
        for on in rep.facet_inputs:
            mine = tuple(sorted(int(inverse[i]) for i in on))
            facet_inputs.append(mine)
            i0 = mine[0]
            g = a[i0] * (1 if bits[i0] else -1)
            gcd = int(np.gcd.reduce(np.abs(g)))
            normals.append(tuple(int(t) // gcd for t in g))
            strict.append(any(bits[i] for i in mine))
        order = sorted(range(len(normals)), key=lambda j: facet_inputs[j])

        return Region(
            string_from_bits(bits), n, enc, bias, feasible=True, full_dimensional=True,
            facet_inputs=[facet_inputs[j] for j in order], facet_normals=[normals[j] for j in order],
            facet_strict=[strict[j] for j in order],
        )


def _generic_function(n: int, encoding: str, bias: bool) -> np.ndarray:
    """Truth table of a parameter vector on no hyperplane (a chamber to start from)."""
    a = augmented_inputs(n, encoding, bias)
    rng = np.random.default_rng(20181119)
    live = a.any(axis=1)
    while True:
        theta = rng.integers(-(10**6), 10**6, size=a.shape[1])
        pre = a @ theta
        if np.all(pre[live] != 0):
            return (pre > 0).astype(np.uint8)


class _Canonicaliser:
    """The lexicographically smallest truth table in a function's orbit, vectorised over the group."""

    def __init__(self, n: int, encoding: str, bias: bool):
        self.n, self.encoding, self.bias = n, encoding, bias
        self.maps = symmetry_input_maps(n, encoding)
        self.ties = tie_inputs(n, encoding, bias)
        self.augmented = augmented_inputs(n, encoding, bias)

    def images(self, bits: np.ndarray) -> np.ndarray:
        """Packed truth tables of g.f for every group element g (negations in the second half)."""
        return packed_images(np.ascontiguousarray(bits, dtype=np.uint8), self.maps, self.ties)

    def orbit_key(self, bits: np.ndarray) -> tuple:
        """A key equal for two threshold functions exactly when they are in one orbit, without a search of the group.

        By Chow's theorem a threshold function is fixed by its Chow parameters ``c_j = sum_x F(x) a_x[j]``
        (``F = 2 f - 1``, ``a_x`` the augmented input); an input permutation permutes the weights' ``c_j`` and
        an input negation (pm1) negates one, so the orbit under inputs is named by the bias's ``c`` and the
        sorted weights' ``c`` (their magnitudes for pm1); output negation is the smaller of that name for f and
        for its negation (ties kept at 0, as :meth:`images` does).
        """
        names = []
        for image in (bits, self._negated(bits)):
            c = (2 * image.astype(np.int64) - 1) @ self.augmented
            weights = np.abs(c[: self.n]) if self.encoding == "pm1" else c[: self.n]
            names.append((tuple(c[self.n:].tolist()), tuple(sorted(weights.tolist()))))
        return min(names)

    def _negated(self, bits: np.ndarray) -> np.ndarray:
        image = bits ^ np.uint8(1)
        image[self.ties] = 0
        return image

    def canonical(self, bits: np.ndarray) -> tuple[int, np.ndarray]:
        """(key, bits) of the lexicographically smallest string in the orbit (numba kernel)."""
        key, g, negated = smallest_image(np.ascontiguousarray(bits, dtype=np.uint8), self.maps, self.ties)
        image = bits[self.maps[g]]
        if negated:
            image = self._negated(image)
        return int(key), image


def threshold_orbits(n: int, encoding: str = "01", bias: bool = True, progress: bool = False) -> list[Orbit]:
    """All orbits of functions a perceptron computes with positive volume.

    Parameters
    ----------
    n : int
        Number of inputs, 1 <= n <= 6.
    encoding : {"01", "pm1"}
    bias : bool
    progress : bool
        Show a progress bar (stderr) while searching.

    Returns
    -------
    list of Orbit
        Sorted by representative.

    Examples
    --------
    >>> orbits = threshold_orbits(2)
    >>> sum(len(o.members) for o in orbits)     # 16 functions minus XOR and XNOR
    14
    >>> [o.representative.function for o in orbits]   # constants, AND/NAND, x1 AND NOT x2, x1, OR/NOR
    ['0000', '0001', '0010', '0011', '0111']
    """
    n = check_n(n, high=MAX_EXACT_N, what="the exact perceptron engine")
    check_encoding(encoding)
    canon = _Canonicaliser(n, encoding, bias)
    # Neighbours are told apart by their orbit keys (cheap); only a new orbit's representative, its
    # lexicographically smallest member, needs the search over the group.
    bits = canon.canonical(_generic_function(n, encoding, bias))[1]
    seen = {canon.orbit_key(bits)}
    queue = deque([bits])
    reps: list[Region] = []
    bar = None
    if progress:
        bar = progress_bar(desc=f"orbits n={n}", unit=" orbit", leave=False)
    while queue:
        bits = queue.popleft()
        reg = region(bits, encoding, bias)
        reps.append(reg)
        if bar is not None:
            bar.update(1)
        for on in reg.facet_inputs:
            nb = bits.copy()
            nb[list(on)] ^= 1
            key = canon.orbit_key(nb)
            if key not in seen:
                seen.add(key)
                queue.append(canon.canonical(nb)[1])
    if bar is not None:
        bar.close()
    orbits = []
    group_size = len(canon.maps)
    for reg in reps:
        rep_bits = np.frombuffer(reg.function.encode(), dtype=np.uint8) - ord("0")
        images = canon.images(rep_bits)
        members, first = np.unique(images, return_index=True)
        group_index = (first % group_size).astype(np.int32)
        orbits.append(Orbit(reg, members.astype(np.uint64), group_index, first >= group_size))
    orbits.sort(key=lambda o: o.representative.function)
    return orbits


def count_threshold_functions(n: int, encoding: str = "01", bias: bool = True) -> int:
    """Number of functions a perceptron computes with positive volume.

    Examples
    --------
    >>> [count_threshold_functions(n) for n in range(1, 5)]   # OEIS A000609
    [4, 14, 104, 1882]
    """
    return sum(len(o.members) for o in threshold_orbits(n, encoding, bias))
