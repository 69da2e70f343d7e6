"""What a complexity measure is, the registry of named measures, and the decorators that fill it.

A measure is a :class:`Measure`: a name, a kernel ``kernel(words, n) -> ndarray (m,)`` on
``(m, n_words)`` uint64 packed truth tables (bit ``i`` of word ``i // 64`` is
``f(input i)``), a limit on n, a one-line definition and a reference. Two decorators
register one:

* :func:`measure_kernel` (the built-in measures use it): decorates a kernel on packed
  words. The decorated function checks its input first, the same for every measure
  (a 2-d uint64 array of the right width for n, ``0 <= n <= 20``, ``n <= max_n``; bits
  past ``2**n`` cleared), so kernels hold no input-checking code of their own.
* :func:`register_measure` (for users): the same, for a kernel on packed words
  (``on="words"``) or for a plain function of one truth-table string (``on="string"``,
  the default: ``"0001" -> number``), which is then called once per distinct function.

Registered measures are columns that :func:`boolnet.complexity.add_measures` and
``boolnet complexity --measures`` know by name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from boolnet.checks import check_bool, check_callable, check_choice, check_text, check_whole
from boolnet.complexity._words import check_words
from boolnet.errors import BoolnetError

#: Every registered measure, by name: the built-in ones in table order, then the users'.
MEASURES: dict[str, "Measure"] = {}

#: Rows handed to a kernel at once for n = 7 (scaled by ``2**(7 - n)``), unless a measure says otherwise.
DEFAULT_ROWS_PER_CALL = 1 << 15


@dataclass(frozen=True)
class Measure:
    """One named complexity measure.

    Attributes
    ----------
    name : str
        Column name in tables.
    function : callable
        ``function(words, n) -> ndarray (m,)`` on ``(m, n_words)`` uint64 packed truth tables,
        inputs checked (the decorated kernel).
    max_n : int or None
        Largest number of inputs it is computed for (None: any n boolnet handles).
    definition : str
        One-line definition.
    reference : str
        Where it comes from.
    rows_per_call : int
        Rows handed to ``function`` at once for n = 7 (scaled by ``2**(7 - n)``); small for
        measures that solve a problem per function, so progress bars move.
    builtin : bool
        True for boolnet's own measures.
    """

    name: str
    function: Callable[[np.ndarray, int], np.ndarray]
    max_n: int | None
    definition: str
    reference: str
    rows_per_call: int = DEFAULT_ROWS_PER_CALL
    builtin: bool = False

    def valid_for(self, n: int) -> bool:
        """True if the measure is computed for ``n`` inputs."""
        return self.max_n is None or n <= self.max_n

    def __call__(self, words, n: int) -> np.ndarray:
        return self.function(words, n)


def check_n_limit(name: str, max_n: int | None, n: int) -> None:
    """Raise BoolnetError if measure ``name`` is not computed for ``n`` inputs.

    Examples
    --------
    >>> check_n_limit("formula_length", 4, 5)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: formula_length is computed for n <= 4; got n = 5
    """
    if max_n is not None and n > max_n:
        raise BoolnetError(f"{name} is computed for n <= {max_n}; got n = {n}", param="n")


def _checked(name: str, max_n: int | None, kernel: Callable) -> Callable:
    """``kernel`` with its inputs checked first (packed words of n inputs, n within the limit)."""

    @functools.wraps(kernel)
    def checked(words, n):
        words = check_words(words, n)
        check_n_limit(name, max_n, int(n))
        return kernel(words, int(n))

    checked.kernel = kernel  # the unchecked kernel, for callers that have checked already
    return checked


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise BoolnetError(f"a measure name must be a Python identifier (it becomes a column name), got {name!r}",
                           param="name")
    from boolnet.table import schema

    if name in schema.VOLUME_COLUMNS or name in schema.DESCRIPTIVE_COLUMNS:
        raise BoolnetError(f"{name!r} is a volume-table column, not a measure name; choose another name",
                           param="name")
    return name


#: Most rows handed to a measure at once (larger asks would only build one huge array).
MAX_ROWS_PER_CALL = 1 << 30


def _check_options(max_n, rows_per_call, definition, reference, replace) -> tuple[int | None, int]:
    """The options every registration shares, checked: ``(max_n, rows_per_call)`` as ints."""
    if max_n is not None:
        max_n = check_whole(max_n, "max_n", low=1)
    rows_per_call = check_whole(rows_per_call, "rows_per_call", low=1, high=MAX_ROWS_PER_CALL)
    check_text(definition, "definition", what="a one-line definition")
    check_text(reference, "reference", what="a reference")
    check_bool(replace, "replace")
    return max_n, rows_per_call


def measure_kernel(name: str, *, max_n: int | None = None, definition: str, reference: str,
                   rows_per_call: int = DEFAULT_ROWS_PER_CALL, builtin: bool = True, replace: bool = False):
    """Decorator: register ``kernel(words, n)`` as measure ``name`` and check its inputs on every call.

    Parameters
    ----------
    name : str
        Column name.
    max_n : int, optional
        Largest n the measure is computed for.
    definition, reference : str
        One line each (``docs/complexity.md`` has the long form of the built-in ones).
    rows_per_call : int
        Rows per kernel call at n = 7 (small for per-function solvers, so progress moves).
    builtin : bool
        Marks boolnet's own measures.
    replace : bool
        Allow replacing a registered measure of the same name.

    Returns
    -------
    callable
        The checked kernel; its ``measure`` attribute is the :class:`Measure`.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> @measure_kernel("first_bit", definition="f(input 0)", reference="-", builtin=False)
    ... def first_bit(words, n):
    ...     return (words[:, 0] & np.uint64(1)).astype(np.int64)
    >>> first_bit(pack_strings(["0001", "1000"]), 2).tolist()
    [0, 1]
    >>> first_bit(pack_strings(["0001"]), 7)
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: packed truth tables of n=7 inputs have 2 uint64 word(s) per row; got an array of shape (1, 1)
    >>> unregister_measure("first_bit")
    """

    _check_name(name)
    max_n, rows_per_call = _check_options(max_n, rows_per_call, definition, reference, replace)

    def decorate(kernel):
        check_callable(kernel, "kernel", "a function (words, n) -> array")
        # A built-in module run as a script (python -m boolnet.complexity.boolean_formula) registers its
        # measures a second time: boolnet's own may replace boolnet's own.
        if name in MEASURES and not replace and not (builtin and MEASURES[name].builtin):
            raise BoolnetError(f"a measure named {name!r} is registered already; pass replace=True or choose "
                               f"another name", param="name")
        checked = _checked(name, max_n, kernel)
        entry = Measure(name, checked, max_n, definition, reference, rows_per_call, builtin)
        checked.measure = entry
        MEASURES[name] = entry
        return checked

    return decorate


def string_kernel(function: Callable[[str], object]) -> Callable[[np.ndarray, int], np.ndarray]:
    """A kernel on packed words that calls ``function(truth_table_string)`` once per distinct row.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> kernel = string_kernel(lambda s: s.count("1") ** 2)
    >>> kernel(pack_strings(["0001", "0111", "0001"]), 2).tolist()
    [1, 9, 1]
    """
    from boolnet.functions import strings_from_packed

    def kernel(words, n):
        words = np.ascontiguousarray(words)
        if len(words) == 0:
            return np.zeros(0)
        unique, inverse = np.unique(words, axis=0, return_inverse=True)
        values = [function(s) for s in strings_from_packed(unique, n)]
        try:
            out = np.asarray(values)
        except (TypeError, ValueError):
            out = np.asarray(values, dtype=object)
        if out.ndim != 1:
            raise BoolnetError(f"measure {getattr(function, '__name__', 'function')!r} must return one number per "
                               f"truth table; got values of shape {out.shape[1:]}", param="measures")
        return out[inverse.reshape(-1)]

    kernel.__name__ = getattr(function, "__name__", "string_measure")
    kernel.__doc__ = getattr(function, "__doc__", None)
    return kernel


def register_measure(name: str | None = None, *, on: str = "string", max_n: int | None = None,
                     definition: str = "", reference: str = "", rows_per_call: int = 1 << 12,
                     replace: bool = False):
    """Decorator for your own measure: afterwards it is a column like the built-in ones.

    Parameters
    ----------
    name : str, optional
        Column name (default: the function's name).
    on : {"string", "words"}
        ``"string"`` (default): the function takes one truth-table string (character
        ``i`` is ``f(input i)``, AND is ``"0001"``) and returns a number; it is called
        once per distinct function. ``"words"``: it takes ``(words, n)``, an
        ``(m, n_words)`` uint64 array of packed truth tables (bit ``i`` of word ``i // 64``
        is ``f(input i)``), and returns an array of m values (vectorised: fast).
    max_n : int, optional
        Largest number of inputs it is computed for.
    definition, reference : str
        Shown by ``MEASURES[name]``.
    rows_per_call : int
        Rows per call at n = 7 (a progress bar moves after each call).
    replace : bool
        Replace a registered measure of the same name (not a built-in one).

    Returns
    -------
    callable
        The checked kernel ``(words, n) -> ndarray``; its ``measure`` attribute is the
        :class:`Measure`. (The decorated name now refers to this kernel.)

    Examples
    --------
    >>> import pandas as pd
    >>> from boolnet.complexity import add_measures
    >>> @register_measure(definition="1 if f(input 0) = 1")
    ... def starts_with_one(table):
    ...     return int(table[0] == "1")
    >>> add_measures(pd.DataFrame({"function": ["0001", "1110"]}), ["starts_with_one", "ones"])
      function  starts_with_one  ones
    0     0001                0     1
    1     1110                1     3
    >>> unregister_measure("starts_with_one")
    """
    if callable(name):
        raise BoolnetError("name must be a column name or None: register_measure makes a decorator, so write "
                           "@register_measure() or @register_measure('name') above the function", param="name")
    if name is not None:
        _check_name(name)
    check_choice(on, "on", ("string", "words"))
    _check_options(max_n, rows_per_call, definition, reference, replace)

    def decorate(function):
        check_callable(function, "function", "a function of a truth-table string" if on == "string"
                       else "a function (words, n) -> array")
        label = name if name is not None else getattr(function, "__name__", None)
        if label == "<lambda>":
            raise BoolnetError("a lambda has no name to be a column: pass name, as in "
                               "register_measure('name')(lambda table: ...)", param="name")
        _check_name(label)
        if label in MEASURES and MEASURES[label].builtin:
            raise BoolnetError(f"{label!r} is one of boolnet's own measures; choose another name", param="name")
        kernel = string_kernel(function) if on == "string" else function
        return measure_kernel(label, max_n=max_n, definition=definition, reference=reference,
                              rows_per_call=rows_per_call, builtin=False, replace=replace)(kernel)

    return decorate


def unregister_measure(name: str) -> None:
    """Remove a measure registered with :func:`register_measure` (boolnet's own cannot be removed).

    Examples
    --------
    >>> unregister_measure("lz")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: 'lz' is one of boolnet's own measures and cannot be removed
    """
    entry = MEASURES.get(name)
    if entry is None:
        raise BoolnetError(f"no measure named {name!r} is registered", param="name")
    if entry.builtin:
        raise BoolnetError(f"{name!r} is one of boolnet's own measures and cannot be removed", param="name")
    del MEASURES[name]


def on_words(kernel: Callable[[np.ndarray, int], np.ndarray], *, max_n: int | None = None,
             rows_per_call: int = DEFAULT_ROWS_PER_CALL) -> Measure:
    """An unregistered measure from a vectorised kernel ``(words, n) -> array``, for ``add_measures(df, {...})``.

    ``words`` is an ``(m, n_words)`` uint64 array of packed truth tables (bit ``i`` of
    word ``i // 64`` is ``f(input i)``), checked before every call; the kernel returns m values.

    Examples
    --------
    >>> import pandas as pd
    >>> from boolnet.complexity import add_measures
    >>> last = on_words(lambda words, n: (words[:, -1] >> np.uint64((1 << n) - 1 if n < 6 else 63)) & np.uint64(1))
    >>> add_measures(pd.DataFrame({"function": ["0001", "0110"]}), {"last_bit": last})["last_bit"].tolist()
    [1, 0]
    """
    check_callable(kernel, "kernel", "a function (words, n) -> array")
    max_n, rows_per_call = _check_options(max_n, rows_per_call, "", "-", False)
    label = getattr(kernel, "__name__", "kernel")
    return Measure(label, _checked(label, max_n, kernel), max_n, getattr(kernel, "__doc__", None) or "", "-",
                   rows_per_call, False)


def as_measure(name: str, value) -> Measure:
    """A :class:`Measure` for ``add_measures(df, {name: value})``: a registered kernel, or a string function.

    ``value`` is either a function decorated with :func:`register_measure` or
    :func:`measure_kernel` (its registered definition is used, under ``name``), a
    :class:`Measure` (for example from :func:`on_words`, a kernel on packed words), or
    any callable taking one truth-table string and returning a number.

    Examples
    --------
    >>> from boolnet.functions import pack_strings
    >>> as_measure("mine", lambda s: s.count("1")).function(pack_strings(["0111"]), 2).tolist()
    [3]
    """
    _check_name(name)
    if isinstance(value, Measure):
        m = value
        return Measure(name, m.function, m.max_n, m.definition, m.reference, m.rows_per_call, False)
    registered = getattr(value, "measure", None)
    if isinstance(registered, Measure):
        m = registered
        return Measure(name, m.function, m.max_n, m.definition, m.reference, m.rows_per_call, False)
    if not callable(value):
        raise BoolnetError(f"measure {name!r}: expected a function of a truth-table string, got "
                           f"{type(value).__name__}", param="measures")
    return Measure(name, _checked(name, None, string_kernel(value)), None,
                   getattr(value, "__doc__", None) or "user function of the truth-table string", "-", 1 << 12)
