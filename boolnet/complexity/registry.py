"""The registry of named complexity measures and the functions that apply them to tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from boolnet.complexity import (
    algebraic,
    boolean_formula,
    counting,
    decision_tree,
    formula_length,
    fourier,
    lz,
    sensitivity,
    structure,
)
from boolnet.complexity._words import check_words
from boolnet.errors import UsageError
from boolnet.functions import n_from_length, pack_strings


@dataclass(frozen=True)
class Measure:
    """One named complexity measure.

    Attributes
    ----------
    name : str
        Column name in tables.
    function : callable
        ``function(words, n) -> ndarray (m,)`` on ``(m, n_words)`` uint64 packed truth tables.
    max_n : int or None
        Largest number of inputs it is computed for (None: any n boolnet handles).
    definition : str
        One-line definition.
    reference : str
        Where it comes from.
    rows_per_call : int
        Rows handed to ``function`` at once for n = 7 (scaled by ``2**(7 - n)``); small for
        measures that solve a problem per function, so progress bars move.
    """

    name: str
    function: Callable[[np.ndarray, int], np.ndarray]
    max_n: int | None
    definition: str
    reference: str
    rows_per_call: int = 1 << 15

    def valid_for(self, n: int) -> bool:
        """True if the measure is computed for ``n`` inputs."""
        return self.max_n is None or n <= self.max_n


_LIST = [
    Measure("lz", lz.lz, None,
            "log2(N) * (LZ76 phrases of the truth table + of its reverse) / 2; log2(N) if constant (N = 2**n)",
            "Dingle, Camargo & Louis, Nat. Commun. 9, 761 (2018); Lempel & Ziv (1976); Kaspar & Schuster (1987)"),
    Measure("ones", counting.ones, None, "number of inputs x with f(x) = 1",
            "-"),
    Measure("entropy", counting.entropy, None, "binary entropy (bits) of the share p of ones: -p log2 p - (1-p) log2(1-p)",
            "Shannon (1948); Valle-Perez, Camargo & Louis, ICLR (2019)"),
    Measure("bool_complexity", boolean_formula.bool_complexity, boolean_formula.MAX_N,
            "min over sympy SOPform and POSform of the number of 2-input AND/OR plus NOT operators",
            "Valle-Perez, Camargo & Louis, ICLR (2019); sympy.logic SOPform/POSform", rows_per_call=64),
    Measure("dnf_terms", boolean_formula.dnf_terms, boolean_formula.MAX_N,
            "fewest terms of a DNF (exact: prime implicants + integer set cover)",
            "Quine (1952); McCluskey (1956); Crama & Hammer, Boolean Functions (2011)", rows_per_call=256),
    Measure("dnf_literals", boolean_formula.dnf_literals, boolean_formula.MAX_N,
            "fewest literal occurrences of a DNF (exact, minimised separately from the terms)",
            "Quine (1952); McCluskey (1956); Crama & Hammer, Boolean Functions (2011)", rows_per_call=256),
    Measure("formula_length", formula_length.formula_length, formula_length.MAX_N,
            "fewest binary operators of a formula over all 16 two-input operations (complements free)",
            "Knuth, TAOCP Vol. 4A, Sec. 7.1.2 (2011)"),
    Measure("csr", sensitivity.csr, None,
            "critical sample ratio: share of inputs with a Hamming-1 neighbour of different output",
            "Arpit et al., ICML (2017); Valle-Perez, Camargo & Louis, ICLR (2019)"),
    Measure("sensitivity_avg", sensitivity.sensitivity_avg, None,
            "average over inputs x of the number of single-bit flips that change f(x) (total influence)",
            "O'Donnell, Analysis of Boolean Functions (2014), Sec. 2.3"),
    Measure("sensitivity_max", sensitivity.sensitivity_max, None,
            "sensitivity s(f): max over inputs x of the number of single-bit flips that change f(x)",
            "Cook, Dwork & Reischuk (1986); Nisan (1991)"),
    Measure("block_sensitivity", sensitivity.block_sensitivity, 8,
            "max over x of the most disjoint blocks of coordinates whose flip changes f(x)",
            "Nisan, SIAM J. Comput. 20, 999 (1991); Buhrman & de Wolf, TCS 288, 21 (2002)", rows_per_call=1 << 12),
    Measure("certificate", sensitivity.certificate, 10,
            "max over x of the fewest coordinates whose values at x force f(x)",
            "Buhrman & de Wolf, TCS 288, 21 (2002)", rows_per_call=1 << 13),
    Measure("dt_depth", decision_tree.dt_depth, 10,
            "depth of the shallowest deterministic decision tree computing f (exact)",
            "Buhrman & de Wolf, TCS 288, 21 (2002)", rows_per_call=1 << 13),
    Measure("fourier_degree", fourier.fourier_degree, None,
            "largest |S| with a non-zero Fourier coefficient of (-1)^f",
            "O'Donnell, Analysis of Boolean Functions (2014), Ch. 1"),
    Measure("spectral_entropy", fourier.spectral_entropy, None,
            "Shannon entropy (bits) of the Fourier weights fhat(S)^2 of (-1)^f",
            "Friedgut & Kalai (1996); O'Donnell, Analysis of Boolean Functions (2014)"),
    Measure("fourier_l1", fourier.fourier_l1, None,
            "spectral norm: sum over S of |fhat(S)| for (-1)^f",
            "O'Donnell, Analysis of Boolean Functions (2014)"),
    Measure("gf2_degree", algebraic.gf2_degree, None,
            "degree of the algebraic normal form over GF(2) (0 for constants)",
            "Carlet, Boolean Functions for Cryptography and Coding Theory (2021), Ch. 2"),
    Measure("relevant_vars", structure.relevant_vars, None,
            "number of inputs f depends on",
            "Wegener, The Complexity of Boolean Functions (1987)"),
    Measure("threshold", structure.threshold, None,
            "1 if f(x) = [w.x + b > 0] for some real w, b (exact LP check), else 0",
            "Muroga, Threshold Logic and its Applications (1971); OEIS A000609", rows_per_call=1 << 12),
    Measure("npn_class", structure.npn_class, structure.NPN_MAX_N,
            "smallest-integer member of f's class under input permutations/negations and output negation",
            "Knuth, TAOCP Vol. 4A, Sec. 7.1.1-7.1.2 (2011)", rows_per_call=1 << 12),
]

#: Every measure, by name, in the stable order that tables use.
MEASURES: dict[str, Measure] = {m.name: m for m in _LIST}


def measure_names(n: int | None = None) -> list[str]:
    """Names of the measures computed for ``n`` inputs (all of them if n is None), in table order.

    Examples
    --------
    >>> "formula_length" in measure_names(4), "formula_length" in measure_names(5)
    (True, False)
    >>> measure_names(7)[:3]
    ['lz', 'ones', 'entropy']
    """
    return [name for name, m in MEASURES.items() if n is None or m.valid_for(n)]


#: Measures that solve a problem per function (sympy minimisation, integer set cover): tens to
#: hundreds of milliseconds per function at n = 7.
PER_FUNCTION_SOLVERS = ("bool_complexity", "dnf_terms", "dnf_literals")
#: Above this n, :func:`default_measure_names` leaves out PER_FUNCTION_SOLVERS.
SOLVERS_BY_DEFAULT_MAX_N = 5


def default_measure_names(n: int) -> list[str]:
    """Measures a command computes when none are named: every measure valid for n, except
    the per-function solvers above n = 5 (name them to get them).

    Examples
    --------
    >>> "dnf_terms" in default_measure_names(5), "dnf_terms" in default_measure_names(7)
    (True, False)
    """
    names = measure_names(n)
    if n > SOLVERS_BY_DEFAULT_MAX_N:
        names = [name for name in names if name not in PER_FUNCTION_SOLVERS]
    return names


def check_measure_names(names: Iterable[str] | str | None, n: int) -> list[str]:
    """Validate measure names for ``n`` inputs (a list or a comma-separated string).

    None means every measure computed for ``n``. Raises UsageError naming the valid choices.

    Examples
    --------
    >>> check_measure_names("lz, csr", 7)
    ['lz', 'csr']
    >>> check_measure_names(["npn_class"], 6)
    Traceback (most recent call last):
    ...
    boolnet.errors.UsageError: npn_class needs n <= 5; these functions have n = 6. Valid names for n = 6: lz, ones, entropy, bool_complexity, dnf_terms, dnf_literals, csr, sensitivity_avg, sensitivity_max, block_sensitivity, certificate, dt_depth, fourier_degree, spectral_entropy, fourier_l1, gf2_degree, relevant_vars, threshold
    """
    if names is None:
        return measure_names(n)
    if isinstance(names, str):
        names = [s.strip() for s in names.split(",") if s.strip()]
    names = list(dict.fromkeys(names))
    if not names:
        raise UsageError(f"no measure named; valid names for n = {n}: {', '.join(measure_names(n))}")
    unknown = [name for name in names if name not in MEASURES]
    if unknown:
        raise UsageError(f"unknown measure(s) {', '.join(unknown)}: valid names for n = {n}: "
                         f"{', '.join(measure_names(n))}")
    too_big = [name for name in names if not MEASURES[name].valid_for(n)]
    if too_big:
        limits = ", ".join(f"{name} needs n <= {MEASURES[name].max_n}" for name in too_big)
        raise UsageError(f"{limits}; these functions have n = {n}. Valid names for n = {n}: "
                         f"{', '.join(measure_names(n))}")
    return names


def unique_rows(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D uint64 array and, for each row, the index of its distinct row.

    A lexicographic sort (much faster than ``np.unique(axis=0)`` on a million rows).

    Examples
    --------
    >>> u, inv = unique_rows(np.array([[3, 1], [0, 2], [3, 1]], dtype=np.uint64))
    >>> u.tolist(), inv.tolist()
    ([[0, 2], [3, 1]], [1, 0, 1])
    """
    if len(words) == 0:
        return words, np.zeros(0, dtype=np.int64)
    order = np.lexsort(words.T[::-1])
    ordered = words[order]
    new = np.empty(len(words), dtype=bool)
    new[0] = True
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(words), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def compute_measures(words: np.ndarray, n: int, names=None, progress: bool = False) -> pd.DataFrame:
    """Compute measures for packed truth tables.

    Parameters
    ----------
    words : ndarray of uint64, shape (m, n_words)
        Packed truth tables (bit i of word i // 64 is f(input i)).
    n : int
        Number of inputs.
    names : list of str or comma-separated str, optional
        Measures to compute; default every measure valid for ``n`` (:func:`measure_names`).
    progress : bool
        Show a tqdm progress bar on stderr.

    Returns
    -------
    pandas.DataFrame
        One row per input row, one column per measure, in the order of ``names``.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> compute_measures(pack_strings(["0001", "0110"]), 2, ["ones", "formula_length", "npn_class"])
       ones  formula_length npn_class
    0     1               1      1000
    1     2               1      0110
    """
    from tqdm import tqdm

    words = check_words(words, n)
    names = check_measure_names(names, n)
    # Sampled tables repeat functions: when a costly measure is asked for, compute on distinct rows only.
    if any(MEASURES[name].rows_per_call < (1 << 15) for name in names):
        unique, inverse = unique_rows(words)
    else:
        unique, inverse = words, None
    columns = {}
    with tqdm(total=len(names) * len(unique), disable=not progress, unit="fn", desc="complexity",
              leave=False) as bar:
        for name in names:
            measure = MEASURES[name]
            step = max(1, measure.rows_per_call << max(0, 7 - n) >> max(0, n - 7))
            parts = []
            for start in range(0, len(unique), step):
                bar.set_postfix_str(name, refresh=False)
                parts.append(np.asarray(measure.function(unique[start:start + step], n)))
                bar.update(min(step, len(unique) - start))
            values = np.concatenate(parts) if parts else np.zeros(0)
            columns[name] = values if inverse is None else values[inverse]
    return pd.DataFrame(columns)


def add_measures(df: pd.DataFrame, names=None, n: int | None = None, progress: bool = False) -> pd.DataFrame:
    """Return ``df`` with measure columns appended (existing columns of those names are replaced).

    Parameters
    ----------
    df : pandas.DataFrame
        Has a ``function`` column of truth-table strings, all of one length 2**n.
    names : list of str or comma-separated str, optional
        Default: every measure valid for n.
    n : int, optional
        Number of inputs; inferred from the string length if absent.
    progress : bool
        Show a tqdm progress bar on stderr.

    Examples
    --------
    >>> import pandas as pd
    >>> add_measures(pd.DataFrame({"function": ["0001", "0110"], "p": [0.3, 0.1]}), ["lz", "gf2_degree"])
      function    p   lz  gf2_degree
    0     0001  0.3  5.0           2
    1     0110  0.1  6.0           1
    """
    if "function" not in df.columns:
        raise UsageError("the table has no 'function' column of truth-table strings")
    functions = df["function"].astype(str)
    if len(functions) == 0:
        if n is None:
            raise UsageError("the table is empty, so n cannot be inferred; pass n")
        names = check_measure_names(names, n)
        out = df.copy()
        for name in names:
            out[name] = pd.Series(dtype=object)
        return out
    lengths = functions.str.len()
    if lengths.nunique() != 1:
        raise UsageError("all truth tables in the 'function' column must have the same length (one n per table)")
    inferred = n_from_length(int(lengths.iloc[0]))
    if n is not None and n != inferred:
        raise UsageError(f"n = {n} was given but the truth tables have {lengths.iloc[0]} characters (n = {inferred})")
    n = inferred
    names = check_measure_names(names, n)
    codes, uniques = pd.factorize(functions)
    uniques = list(uniques)
    # Pack in slices: packing goes through a (rows, 2**n) uint64 array.
    step = max(1, (1 << 22) >> n)
    words = np.concatenate([pack_strings(uniques[i:i + step]) for i in range(0, len(uniques), step)])
    values = compute_measures(words, n, names, progress=progress)
    out = df.copy()
    for name in names:
        out[name] = values[name].to_numpy()[codes]
    return out
