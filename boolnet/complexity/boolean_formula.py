"""Two-level (sum-of-products / product-of-sums) expression sizes.

* ``bool_complexity``: the Boolean-expression complexity used in the simplicity-bias
  literature (Valle-Perez, Camargo & Louis 2019): the smaller operator count of
  the expressions returned by sympy's ``SOPform`` (sum of products) and
  ``POSform`` (product of sums). sympy minimises heuristically (Quine-McCluskey
  prime implicants, essential ones, then a redundancy pass), so this is the size
  of sympy's answer, not always the true minimum.
* ``dnf_terms``, ``dnf_literals``: exact minimal DNF sizes, from all prime
  implicants, the essential ones, and an exact set cover of the rest solved as an
  integer program (HiGHS via ``scipy.optimize.milp``). The two minima are separate: the DNF with fewest
  literals may need more terms than the DNF with fewest terms.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from boolnet.complexity import _cube_kernels
from boolnet.complexity._words import bits_of, check_words
from boolnet.complexity.base import measure_kernel

#: Largest n for the exact DNF measures and for bool_complexity (both solve a problem per function).
MAX_N = 7
#: Precomputed bool_complexity of all 65,536 functions of 4 inputs (regenerate: build_bool_complexity_table).
_TABLE_PATH = Path(__file__).with_name("data") / "bool_complexity_n4.npy"


# --------------------------------------------------------------------------- sympy expressions


def operator_count(expr) -> int:
    """Two-input AND/OR operators plus NOT operators in a sympy Boolean expression.

    A k-ary ``And``/``Or`` node counts k - 1 (the number of two-input gates it
    stands for); each ``Not`` counts 1; symbols and constants count 0. (sympy's own
    ``count_ops`` counts a k-ary node once.)

    Examples
    --------
    >>> from sympy import symbols, And, Or, Not
    >>> a, b, c = symbols("a b c")
    >>> operator_count(Or(And(a, Not(b), c), Not(c)))
    5
    """
    from sympy.logic.boolalg import And, Not, Or

    if isinstance(expr, Not):
        return 1 + operator_count(expr.args[0])
    if isinstance(expr, (And, Or)):
        return len(expr.args) - 1 + sum(operator_count(arg) for arg in expr.args)
    return 0


@lru_cache(maxsize=1 << 17)
def _bool_complexity_one(table: str) -> int:
    from sympy import symbols
    from sympy.logic import POSform, SOPform

    n = len(table).bit_length() - 1
    variables = symbols(f"x1:{n + 1}") if n else ()
    minterms = [[(i >> (n - 1 - k)) & 1 for k in range(n)] for i, c in enumerate(table) if c == "1"]
    if n == 0 or not minterms or len(minterms) == len(table):
        return 0  # constants: sympy returns true/false
    return min(operator_count(SOPform(variables, minterms)), operator_count(POSform(variables, minterms)))


def bool_complexity_of_string(table: str) -> int:
    """:func:`bool_complexity` of one truth-table string (cached).

    Examples
    --------
    >>> bool_complexity_of_string("0001"), bool_complexity_of_string("0110")
    (1, 5)
    """
    return _bool_complexity_one(table)


@lru_cache(maxsize=1)
def _n4_table() -> np.ndarray | None:
    if not _TABLE_PATH.exists():
        return None
    return np.load(_TABLE_PATH)


def build_bool_complexity_table(n: int = 4, processes: int = 2, progress: bool = True) -> np.ndarray:
    """Compute bool_complexity of all ``2**(2**n)`` functions with sympy (n = 4: minutes)."""
    from multiprocessing import Pool

    from tqdm import tqdm

    from boolnet.functions import string_from_int

    tables = [string_from_int(v, n) for v in range(1 << (1 << n))]
    with Pool(processes) as pool:
        values = list(tqdm(pool.imap(_bool_complexity_one, tables, chunksize=256), total=len(tables),
                           disable=not progress, desc="bool_complexity", file=None))
    return np.array(values, dtype=np.uint8)


@measure_kernel("bool_complexity", max_n=MAX_N,
                definition="min over sympy SOPform and POSform of the number of 2-input AND/OR plus NOT operators",
                reference="Valle-Perez, Camargo & Louis, ICLR (2019); sympy.logic SOPform/POSform", rows_per_call=64)
def bool_complexity(words: np.ndarray, n: int) -> np.ndarray:
    """Smaller operator count (see :func:`operator_count`) of sympy's SOPform and POSform.

    For n = 4 a table precomputed with sympy is used; other n call sympy for each
    distinct function (about 1 ms at n = 3, 4 ms at n = 5, 80 ms at n = 7).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> bool_complexity(pack_strings(["0000", "0001", "0111", "0110"]), 2).tolist()
    [0, 1, 1, 5]
    """
    if n == 4 and _n4_table() is not None:
        return _n4_table()[words[:, 0].astype(np.int64)].astype(np.int64)
    from boolnet.functions import strings_from_packed

    unique, inverse = np.unique(words, axis=0, return_inverse=True)
    values = np.array([_bool_complexity_one(t) for t in strings_from_packed(unique, n)], dtype=np.int64)
    return values[inverse.reshape(-1)]


# --------------------------------------------------------------------------- exact minimal DNF


def _min_cover(bits: np.ndarray, n: int) -> tuple[int, int]:
    """(fewest terms, fewest literals) of a DNF of one 0/1 truth table, both exact."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    minterms = np.flatnonzero(bits)
    if minterms.size == 0:
        return 0, 0
    if minterms.size == bits.size:
        return 1, 0  # the empty term
    # A writable copy: numba specialises on read-only arrays, and the other cube kernels give
    # subcube_values writable rows, so a read-only one here would compile it a second time.
    masks, values = _cube_kernels.prime_implicants(np.array(bits, dtype=np.uint8), n)
    cover = (minterms[None, :] & masks[:, None]) == values[:, None]          # (primes, minterms)
    literal_counts = np.array([bin(int(s)).count("1") for s in masks], dtype=np.float64)
    # Both minima are reached by covers made of prime implicants (shrinking a term to a prime
    # containing it removes literals), and every such cover holds the essential primes: those
    # that alone cover some minterm. Fix them and solve the rest exactly.
    only = cover.sum(axis=0) == 1
    essential = cover[:, only].any(axis=1)
    todo = ~cover[essential].any(axis=0)
    fixed = (int(essential.sum()), int(literal_counts[essential].sum()))
    if not todo.any():
        return fixed
    rest = ~essential & cover[:, todo].any(axis=1)
    matrix = cover[rest][:, todo].T.astype(np.float64)
    constraint = LinearConstraint(matrix, lb=1, ub=np.inf)
    integrality = np.ones(int(rest.sum()))
    results = []
    for cost in (np.ones(int(rest.sum())), literal_counts[rest]):
        res = milp(cost, constraints=constraint, integrality=integrality, bounds=Bounds(0, 1),
                   options={"mip_rel_gap": 0})
        if not res.success:
            raise RuntimeError(f"set cover for a minimal DNF failed: {res.message}")
        chosen = np.round(res.x) > 0
        results.append(int(round(cost[chosen].sum())))
    return fixed[0] + results[0], fixed[1] + results[1]


@lru_cache(maxsize=1 << 17)
def _min_cover_cached(key: bytes, n: int) -> tuple[int, int]:
    return _min_cover(np.frombuffer(key, dtype=np.uint8), n)


def minimal_dnf_sizes(words: np.ndarray, n: int) -> np.ndarray:
    """Exact (fewest terms, fewest literals) of a DNF for each function, shape (m, 2).

    Both sizes are unchanged by input permutations and negations, so for n <= 5 one
    set cover is solved per class (NP-canonical form); above, per distinct function.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> minimal_dnf_sizes(pack_strings(["0110", "0111"]), 2).tolist()
    [[2, 4], [2, 2]]
    """
    from boolnet.complexity.structure import NPN_MAX_N, npn_keys

    words = check_words(words, n)
    keys = npn_keys(words, n, output_negation=False)[:, None] if n <= NPN_MAX_N else words
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    sizes = np.array([_min_cover_cached(row.tobytes(), n) for row in bits_of(unique, n)], dtype=np.int64)
    return sizes.reshape(-1, 2)[inverse.reshape(-1)]


@measure_kernel("dnf_terms", max_n=MAX_N, definition="fewest terms of a DNF (exact: prime implicants + integer set cover)",
                reference="Quine (1952); McCluskey (1956); Crama & Hammer, Boolean Functions (2011)", rows_per_call=256)
def dnf_terms(words: np.ndarray, n: int) -> np.ndarray:
    """Fewest terms (conjunctions) in a DNF of f; 0 for the constant 0, 1 for the constant 1.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> dnf_terms(pack_strings(["0000", "1111", "0110", "0111"]), 2).tolist()
    [0, 1, 2, 2]
    """
    return minimal_dnf_sizes(words, n)[:, 0]


@measure_kernel("dnf_literals", max_n=MAX_N,
                definition="fewest literal occurrences of a DNF (exact, minimised separately from the terms)",
                reference="Quine (1952); McCluskey (1956); Crama & Hammer, Boolean Functions (2011)", rows_per_call=256)
def dnf_literals(words: np.ndarray, n: int) -> np.ndarray:
    """Fewest literal occurrences in a DNF of f (minimised on its own, not after the terms).

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> dnf_literals(pack_strings(["0000", "1111", "0110", "0111"]), 2).tolist()
    [0, 0, 4, 2]
    """
    return minimal_dnf_sizes(words, n)[:, 1]


def _main() -> None:
    """Regenerate the n = 4 bool_complexity table: ``python -m boolnet.complexity.boolean_formula``."""
    _TABLE_PATH.parent.mkdir(exist_ok=True)
    table = build_bool_complexity_table(4)
    np.save(_TABLE_PATH, table)
    print(f"wrote {_TABLE_PATH} ({len(table)} functions)")


if __name__ == "__main__":
    _main()
