"""Applying named complexity measures: to packed truth tables, to tables, to one function.

The measures register themselves with :func:`boolnet.complexity.base.measure_kernel`
when their modules are imported (below); :data:`MEASURES` lists the built-in ones in
the stable order tables use, then any registered by users.
"""

from __future__ import annotations

import time

from typing import Iterable

import numpy as np
import pandas as pd

from boolnet.complexity import (  # noqa: F401 - importing a module registers its measures
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
from boolnet.complexity.base import (  # noqa: F401 - the registration API, re-exported by boolnet.complexity
    MEASURES,
    Measure,
    as_measure,
    measure_kernel,
    on_words,
    register_measure,
    unregister_measure,
)
from boolnet.complexity.names import BUILTIN_NAMES
from boolnet.checks import check_names, check_progress, check_whole
from boolnet.errors import BoolnetError
from boolnet.functions import MAX_N, bits_from_string, n_from_length, pack_strings
from boolnet.progress import notice, progress_bar

# Built-in measures first, in table order, whatever order their modules registered them in.
_builtin = {name: MEASURES.pop(name) for name in BUILTIN_NAMES}
_users = dict(MEASURES)
MEASURES.clear()
MEASURES.update(_builtin)
MEASURES.update(_users)
del _builtin, _users


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

    None means every measure computed for ``n``. Raises BoolnetError naming the valid choices.

    Examples
    --------
    >>> check_measure_names("lz, csr", 7)
    ['lz', 'csr']
    >>> check_measure_names(["npn_class"], 6)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: npn_class needs n <= 5; these functions have n = 6. Valid names for n = 6: lz, ones, entropy, bool_complexity, dnf_terms, dnf_literals, csr, sensitivity_avg, sensitivity_max, block_sensitivity, certificate, dt_depth, fourier_degree, spectral_entropy, fourier_l1, gf2_degree, relevant_vars, threshold
    """
    if names is None:
        return measure_names(n)
    names = list(dict.fromkeys(check_names(names, "measures", "measure names")))
    if not names:
        raise BoolnetError(f"no measure named; valid names for n = {n}: {', '.join(measure_names(n))}",
                           param="measures")
    unknown = [name for name in names if not isinstance(name, str) or name not in MEASURES]
    if unknown:
        raise BoolnetError(f"unknown measure(s) {', '.join(map(str, unknown))}: valid names for n = {n}: "
                           f"{', '.join(measure_names(n))}", param="measures")
    too_big = [name for name in names if not MEASURES[name].valid_for(n)]
    if too_big:
        limits = ", ".join(f"{name} needs n <= {MEASURES[name].max_n}" for name in too_big)
        raise BoolnetError(f"{limits}; these functions have n = {n}. Valid names for n = {n}: "
                           f"{', '.join(measure_names(n))}", param="measures")
    return names


def resolve_measures(measures, n: int) -> dict[str, Measure]:
    """The measures to compute, by column name: from names (list or ``"a,b"``), a dict, or None (all).

    A dict maps column names to a registered name, a function decorated with
    :func:`~boolnet.complexity.register_measure`, or any function of one truth-table
    string (:func:`boolnet.complexity.base.as_measure`).

    Examples
    --------
    >>> list(resolve_measures({"k": "lz", "twice": lambda s: 2 * s.count("1")}, 2))
    ['k', 'twice']
    """
    if isinstance(measures, dict):
        out = {}
        for column, value in measures.items():
            if isinstance(value, str):
                out[str(column)] = MEASURES[check_measure_names([value], n)[0]]
            else:
                entry = as_measure(str(column), value)
                if not entry.valid_for(n):
                    raise BoolnetError(f"{column} needs n <= {entry.max_n}; these functions have n = {n}",
                                       param="measures")
                out[str(column)] = entry
        if not out:
            raise BoolnetError("no measure named (an empty dict)", param="measures")
        return out
    return {name: MEASURES[name] for name in check_measure_names(measures, n)}


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
    names : list of str, comma-separated str or dict, optional
        Measures to compute (see :func:`resolve_measures`); default every measure valid
        for ``n`` (:func:`measure_names`).
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
    0     1               1      0001
    1     2               1      0110
    """
    words = check_words(words, n)
    chosen = resolve_measures(names, n)
    # Sampled tables repeat functions: when a costly measure is asked for, compute on distinct rows only.
    if any(m.rows_per_call < (1 << 15) for m in chosen.values()):
        unique, inverse = unique_rows(words)
    else:
        unique, inverse = words, None
    columns = {}
    with progress_bar(total=len(chosen) * len(unique), disable=not progress, unit="fn", desc="complexity",
                      leave=False) as bar:
        for column, entry in chosen.items():
            step = max(1, entry.rows_per_call << max(0, 7 - n) >> max(0, n - 7))
            parts = []
            began = time.perf_counter()
            for start in range(0, len(unique), step):
                bar.set_postfix_str(column, refresh=False)
                if start == step:  # one chunk done: say so before a long measure goes on (timed, not guessed)
                    _say_how_long(column, time.perf_counter() - began, step, len(unique))
                part = np.asarray(entry.function(unique[start:start + step], n))
                if part.shape != (min(step, len(unique) - start),):
                    raise BoolnetError(f"measure {column!r} returned an array of shape {part.shape} for "
                                       f"{min(step, len(unique) - start)} truth tables; it must return one value each",
                                       param="measures")
                parts.append(part)
                bar.update(min(step, len(unique) - start))
            values = np.concatenate(parts) if parts else np.zeros(0)
            columns[column] = values if inverse is None else values[inverse]
    return pd.DataFrame(columns)


#: A measure whose remaining work is projected to take longer than this says so first.
SLOW_MEASURE_SECONDS = 10.0


def _say_how_long(column: str, seconds: float, done: int, total: int) -> None:
    """Tell whoever watches how long measure ``column`` will take, projected from its first ``done`` rows."""
    left = seconds / max(done, 1) * (total - done)
    if left > SLOW_MEASURE_SECONDS:
        per = seconds / max(done, 1)
        notice(f"{column} takes about {per * 1e3:.3g} ms per function here: about {left / 60:.1f} more minutes for "
               f"{total:,} distinct functions (name faster measures, or pass fewer rows, to go quicker)")


def add_measures(df: pd.DataFrame, measures=None, n: int | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Return a copy of ``df`` with measure columns appended (existing columns of those names are replaced).

    Parameters
    ----------
    df : pandas.DataFrame
        Has a ``function`` column of truth-table strings, all of one length 2**n.
        Its metadata (``df.attrs["boolnet"]``) is kept; its ``measures`` entry gains
        the new names.
    measures : list of str, comma-separated str or dict, optional
        Registered measure names (default: those of :func:`default_measure_names`, the
        same set as ``boolnet complexity``: every measure valid for n except the
        per-function solvers above n = 5, which are slow and opt-in by name), or a dict
        ``{column: measure}`` whose values are registered names, functions decorated
        with :func:`~boolnet.complexity.register_measure`, kernels on packed words
        wrapped by :func:`~boolnet.complexity.base.on_words`, or plain functions of one
        truth-table string returning a number (called once per distinct function).
    n : int, optional
        Number of inputs; inferred from the string length if absent.
    progress : bool or None
        Show a tqdm progress bar on stderr.
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"function": ["0001", "0110"], "p": [0.3, 0.1]})
    >>> add_measures(df, ["lz", "gf2_degree"])
      function    p   lz  gf2_degree
    0     0001  0.3  5.0           2
    1     0110  0.1  6.0           1
    >>> out = add_measures(df, {"first": lambda s: int(s[0]), "ones": "ones"})
    >>> out[["first", "ones"]].values.tolist(), out.attrs["boolnet"]["measures"]
    ([[0, 1], [0, 2]], ['first', 'ones'])
    """
    from boolnet.table import schema

    if not isinstance(df, pd.DataFrame):
        raise BoolnetError(f"add_measures needs a pandas DataFrame with a 'function' column, got "
                           f"{type(df).__name__}", param="df")
    if "function" not in df.columns:
        raise BoolnetError("the table has no 'function' column of truth-table strings", param="df")
    if n is not None:
        n = check_whole(n, "n", low=0, high=MAX_N)
    progress = check_progress(progress)
    functions = df["function"]
    if functions.isna().any():
        row = int(np.flatnonzero(functions.isna().to_numpy())[0])
        raise BoolnetError(f"the 'function' cell of row {row} is empty; every row needs a truth table", param="df")
    functions = functions.astype(str)
    if len(functions) == 0:
        if n is None:
            n = schema.metadata_of(df).get("n")
        if n is None:
            raise BoolnetError("the table is empty, so n cannot be inferred; pass n", param="n")
        chosen = resolve_measures(measures if measures is not None else default_measure_names(n), n)
        out = df.copy()
        for name in chosen:
            out[name] = pd.Series(dtype=object)
        return _with_measure_names(out, df, list(chosen))
    lengths = functions.str.len()
    if lengths.nunique() != 1:
        raise BoolnetError("all truth tables in the 'function' column must have the same length (one n per table)",
                           param="df")
    length = int(lengths.iloc[0])
    if length < 1 or length & (length - 1):
        raise BoolnetError(f"the 'function' column holds truth tables of {length} characters, which is not a power "
                           "of two; a truth table has 2**n characters 0/1", param="df")
    inferred = n_from_length(length)
    if inferred > MAX_N:
        raise BoolnetError(f"the 'function' column holds truth tables of 2**{inferred} characters; measures are "
                           f"computed for n <= {MAX_N}", param="df")
    if n is not None and n != inferred:
        raise BoolnetError(f"n = {n} was given but the truth tables have {lengths.iloc[0]} characters "
                           f"(n = {inferred})", param="n")
    n = inferred
    chosen = resolve_measures(measures if measures is not None else default_measure_names(n), n)
    codes, uniques = pd.factorize(functions)
    uniques = list(uniques)
    # Pack in slices: packing goes through a (rows, 2**n) uint64 array.
    step = max(1, (1 << 22) >> n)
    try:
        words = np.concatenate([pack_strings(uniques[i:i + step]) for i in range(0, len(uniques), step)])
    except BoolnetError:
        raise BoolnetError("the 'function' column holds text other than truth tables: they contain only the "
                           "characters 0 and 1", param="df") from None
    values = compute_measures(words, n, chosen, progress=progress)
    out = df.copy()
    for name in chosen:
        out[name] = values[name].to_numpy()[codes]
    return _with_measure_names(out, df, list(chosen))


def _with_measure_names(out: pd.DataFrame, df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    from boolnet.table import schema

    meta = schema.metadata_of(df)
    earlier = [m for m in meta.get("measures", []) if m not in names]
    meta["measures"] = earlier + names
    out.attrs = dict(df.attrs)
    return schema.attach(out, meta)


def measure(function: str, name="lz"):
    """One measure of one function, given as its truth-table string.

    Parameters
    ----------
    function : str
        Truth table: character ``i`` is ``f(input i)`` (AND is ``"0001"``).
    name : str or callable
        A registered measure name, or a function decorated with
        :func:`~boolnet.complexity.register_measure`.

    Returns
    -------
    float, or str for ``npn_class``

    Examples
    --------
    >>> measure("0001", "lz"), measure("0001", "sensitivity_avg"), measure("0111", "npn_class")
    (5.0, 1.0, '0001')
    """
    n = n_from_length(len(bits_from_string(function, param="function")), param="function")
    if n > MAX_N:
        raise BoolnetError(f"function has 2**{n} characters; measures are computed for n <= {MAX_N}",
                           param="function")
    words = pack_strings([function], param="function")
    if isinstance(name, str):
        if name not in MEASURES:
            raise BoolnetError(f"name {name[:40]!r} is not a registered measure; valid names for n = {n}: "
                               f"{', '.join(measure_names(n))}", param="name")
        entry = MEASURES[name]
    elif isinstance(name, Measure) or callable(name):
        entry = as_measure("measure", name)
    else:
        raise BoolnetError(f"name must be a measure name such as 'lz' or a function of a truth-table string, "
                           f"got {name!r}", param="name")
    if not entry.valid_for(n):
        raise BoolnetError(f"{entry.name} needs n <= {entry.max_n}; got n = {n}", param="name")
    value = np.asarray(entry.function(words, n))[0]
    if isinstance(value, str):
        return str(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
