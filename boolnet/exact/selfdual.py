"""Orbits of the perceptron's chambers when the bias is one more weight: the group B_(n+1).

With -1/+1 inputs and a bias, a perceptron's hyperplanes ``(x, 1) . theta = 0`` are, up to sign, the
hyperplanes of all 2**(n+1) points of {-1, +1}^(n+1): the chamber of f in ``theta = (w, b)`` is the
chamber of the *self-dual* threshold function ``f*(x, x_0) = f(x_0 x)`` (read in -1/+1, times ``x_0``) of
n + 1 variables. Every signed permutation of the n + 1 coordinates (the hyperoctahedral group B_(n+1), of
order 2^(n+1) (n+1)!) maps chambers to chambers, and it keeps the prior whenever the bias has the weights'
scale (``sigma_w * s == sigma_b``): the cube ``[-1, 1]^(n+1)`` and the isotropic Gaussian. So one volume
serves a whole B_(n+1) orbit: 2,470 orbits for the 8,378,070,864 threshold functions of 7 inputs.

Orbits are told apart by Chow's theorem: a threshold function is fixed by its Chow parameters
``c_j = sum_x F(x) (x, 1)_j`` (``F = 2 f - 1``), and a signed permutation permutes and negates them
(``c'_j = s_j c_perm(j)``), so two threshold functions are in one orbit exactly when their sorted
``|c|`` agree. The orbit's size is ``2^(n+1) (n+1)!`` over the stabiliser of ``c``. The representative
(one per orbit, the same in every run) is the member whose Chow parameters are ``c_1 >= ... >= c_n >=
|c_0| >= 0`` with ``c_0 <= 0``: non-negative weights in non-increasing order and a bias that makes at most half
of the outputs 1.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass
from functools import cache
from itertools import permutations

import numpy as np

from boolnet.exact._orbit_kernels import orbit_member_words, signed_image
from boolnet.exact.regions import Region, augmented_inputs, region
from boolnet.functions import (
    bits_from_string,
    check_n,
    n_from_length,
    n_words,
    string_from_bits,
    strings_from_packed,
)
from boolnet.priors import Prior
from boolnet.progress import progress_bar

#: Largest n of the B_(n+1) orbit search (n = 7: 2,470 orbits; n = 8 has 175,428).
MAX_SELF_DUAL_N = 7

#: Number of B_(n+1) orbits (OEIS A001532: NP-classes of self-dual threshold functions of n + 1 or fewer
#: variables); only the search's progress bar uses them, for its time estimate.
KNOWN_ORBIT_COUNTS = {1: 1, 2: 2, 3: 3, 4: 7, 5: 21, 6: 135, 7: 2470}

#: How the symmetry group is named in a table's metadata.
GROUP_NAME = "B_{d}: permutations and sign changes of the weights and the bias together"


def keeps_bias_symmetry(n: int, encoding: str, bias: bool, prior: Prior) -> bool:
    """True when the prior and inputs keep B_(n+1), the signed permutations of (w_1..w_n, b).

    That needs -1/+1 inputs, a bias, and a bias with exactly the weights' scale (``sigma_w * s ==
    sigma_b``; with fan-in scaling only when ``sigma_w / sqrt(n) == sigma_b``, e.g. n = 4, sigma_w = 2).

    Examples
    --------
    >>> keeps_bias_symmetry(7, "pm1", True, Prior("uniform", fan_in_scaling=False))
    True
    >>> keeps_bias_symmetry(7, "pm1", True, Prior("uniform"))      # weights of scale 1/sqrt(7)
    False
    """
    if encoding != "pm1" or not bias or prior.per_layer:
        return False
    return prior.weight_scale_exact(n) == prior.sigma_b


def chow_parameters(bits: np.ndarray, n: int) -> np.ndarray:
    """Chow parameters ``(c_1, ..., c_n, c_0)`` of a function of n -1/+1 inputs (``c_0``: the bias's).

    Examples
    --------
    >>> chow_parameters(np.array([0, 0, 0, 1], dtype=np.uint8), 2).tolist()   # AND
    [2, 2, -2]
    """
    signs = 2 * np.asarray(bits, dtype=np.int64) - 1
    return signs @ augmented_inputs(n, "pm1", True)


def _canonical_map(chow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The signed permutation (perm, signs) that takes a function to its orbit's representative.

    The image's Chow parameters are ``s_j c[perm[j]]``: the magnitudes in non-increasing order, the
    weights' non-negative, the bias's (last, smallest) non-positive.
    """
    d = len(chow)
    perm = np.array(sorted(range(d), key=lambda k: (-abs(int(chow[k])), k)), dtype=np.int64)
    signs = np.where(chow[perm] < 0, -1, 1).astype(np.int64)
    signs[-1] = 1 if chow[perm[-1]] <= 0 else -1
    return perm, signs


def _self_dual_table(bits: np.ndarray, n: int) -> np.ndarray:
    """f* over (x, x_0) in {-1, +1}^(n+1) (index bit n - j is coordinate j, 1 for +1; x_0 last)."""
    bits = np.asarray(bits, dtype=np.uint8)
    table = np.empty(2 << n, dtype=np.uint8)
    table[1::2] = bits  # x_0 = +1: f(x)
    table[0::2] = 1 - bits[::-1]  # x_0 = -1: the negation of f(-x); input -x is index 2**n - 1 - i
    return table


@cache
def _permutations(d: int) -> np.ndarray:
    perms = np.array(list(permutations(range(d))), dtype=np.int64)
    perms.setflags(write=False)
    return perms


def orbit_size(magnitudes) -> int:
    """Number of functions in the B_(n+1) orbit of a threshold function with these |Chow parameters|.

    Examples
    --------
    >>> orbit_size([2, 2, 2])     # majority of 3 in (w1, w2, b): the 8 functions x1 AND x2, ..., x1 OR x2
    8
    """
    magnitudes = [abs(int(m)) for m in magnitudes]
    d = len(magnitudes)
    size = 2**d * math.factorial(d)
    for value, mult in Counter(magnitudes).items():
        size //= math.factorial(mult) * (2**mult if value == 0 else 1)
    return size


@dataclass
class SelfDualOrbit:
    """One B_(n+1) orbit of a perceptron's chambers (-1/+1 inputs, a bias with the weights' scale).

    Attributes
    ----------
    representative : Region
        Region of the orbit's representative (module docstring).
    chow : tuple of int
        The representative's Chow parameters ``(c_1, ..., c_n, c_0)``.
    """

    representative: Region
    chow: tuple

    @property
    def n(self) -> int:
        """Number of inputs."""
        return len(self.chow) - 1

    @property
    def size(self) -> int:
        """Number of functions in the orbit."""
        return orbit_size(self.chow)

    def member_words(self) -> np.ndarray:
        """Packed truth tables of every member (``(size, words)`` uint64, sorted); up to 10,321,920 at n = 7
        (about 3 s)."""
        n = self.n
        bits = bits_from_string(self.representative.function)
        out = np.empty((self.size, n_words(n)), dtype=np.uint64)
        written = orbit_member_words(_self_dual_table(bits, n), np.abs(np.array(self.chow, dtype=np.int64)),
                                     _permutations(n + 1), n, out)
        assert written == len(out), "the orbit's members and its size disagree"
        order = np.lexsort(out.T[::-1]) if out.shape[1] > 1 else np.argsort(out[:, 0], kind="stable")
        return out[order]

    def sample_members(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """0/1 truth tables of ``count`` members drawn uniformly (with replacement), ``(count, 2**n)`` uint8.

        A uniformly random signed permutation maps the representative to a uniformly random member (every
        member is the image of equally many group elements), so orbit averages of any measure can be
        estimated without listing the orbit.

        Examples
        --------
        >>> orbit = self_dual_orbits(3)[-1]
        >>> members = set(orbit.member_strings())
        >>> all(string_from_bits(b) in members for b in orbit.sample_members(20, np.random.default_rng(0)))
        True
        """
        n = self.n
        table = _self_dual_table(bits_from_string(self.representative.function), n)
        out = np.empty((count, 1 << n), dtype=np.uint8)
        for k in range(count):
            perm = rng.permutation(n + 1).astype(np.int64)
            signs = rng.choice(np.array([-1, 1], dtype=np.int64), size=n + 1)
            out[k] = signed_image(table, perm, signs, n)
        return out

    def member_strings(self) -> list[str]:
        """Truth tables of every member, sorted as :meth:`member_words` sorts them."""
        return strings_from_packed(self.member_words(), self.n)


def _representative(bits: np.ndarray, n: int) -> tuple[np.ndarray, tuple]:
    chow = chow_parameters(bits, n)
    perm, signs = _canonical_map(chow)
    image = signed_image(_self_dual_table(bits, n), perm, signs, n)
    return image, tuple(int(s * chow[p]) for p, s in zip(perm, signs))


def self_dual_orbits(n: int, progress: bool = False) -> list[SelfDualOrbit]:
    """Every B_(n+1) orbit of the chambers of the perceptron with n -1/+1 inputs and a bias.

    A breadth-first search of the chamber graph (adjacent chambers differ on the inputs of one facet),
    keeping one representative per orbit, keyed by its sorted |Chow parameters| (module docstring).

    Parameters
    ----------
    n : int
        1 <= n <= 7 (n = 7: 2,470 orbits, about 10 s).
    progress : bool
        A progress bar on stderr.

    Returns
    -------
    list of SelfDualOrbit
        Sorted by representative (truth-table string).

    Examples
    --------
    >>> orbits = self_dual_orbits(2)
    >>> [(o.representative.function, o.size) for o in orbits]    # x1 (with the constants), x1 AND x2
    [('0001', 8), ('0011', 6)]
    >>> sum(o.size for o in self_dual_orbits(4))                  # OEIS A000609
    1882
    """
    n = check_n(n, high=MAX_SELF_DUAL_N, what="the B_(n+1) orbit search")
    a = augmented_inputs(n, "pm1", True)
    theta = np.random.default_rng(20181119).integers(-(10**6), 10**6, size=n + 1)
    while np.any(a @ theta == 0):  # a generic start (never on a hyperplane)
        theta += 1
    start, chow = _representative((a @ theta > 0).astype(np.uint8), n)
    seen = {tuple(abs(c) for c in chow)}  # the representative's magnitudes are already in order
    queue = deque([(start, chow)])
    orbits = []
    bar = (progress_bar(desc=f"orbits n={n}", unit=" orbit", leave=False, total=KNOWN_ORBIT_COUNTS.get(n))
           if progress else None)
    while queue:
        bits, chow = queue.popleft()
        reg = region(bits, "pm1", True)
        orbits.append(SelfDualOrbit(reg, chow))
        if bar is not None:
            bar.update(1)
        for on in reg.facet_inputs:
            neighbour = bits.copy()
            neighbour[list(on)] ^= 1
            magnitudes = tuple(sorted(np.abs(chow_parameters(neighbour, n)).tolist(), reverse=True))
            if magnitudes not in seen:
                image, image_chow = _representative(neighbour, n)
                seen.add(magnitudes)
                queue.append((image, image_chow))
    if bar is not None:
        bar.close()
    orbits.sort(key=lambda o: o.representative.function)
    return orbits


def representative_of(table, n: int | None = None) -> str:
    """The B_(n+1) orbit representative of a threshold function (truth-table string or 0/1 bits).

    Examples
    --------
    >>> representative_of("0111")       # x1 OR x2 is in the orbit of x1 AND x2
    '0001'
    """
    bits = bits_from_string(table) if isinstance(table, str) else np.asarray(table, dtype=np.uint8)
    n = n if n is not None else n_from_length(len(bits))
    return string_from_bits(_representative(bits, n)[0])

