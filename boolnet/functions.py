"""Truth tables, input encodings and the symmetries that preserve a prior.

Conventions (shared by every module of boolnet):

* Input ``i`` in ``[0, 2**n)`` is the n-bit word ``x_1 x_2 ... x_n`` with ``x_1``
  the most significant bit (the usual truth-table order).
* Encoding ``"01"`` maps a bit to 0/1, ``"pm1"`` maps 0 -> -1 and 1 -> +1.
* A function is its truth table: character ``i`` of the string is ``f(input i)``;
  AND on two inputs is ``"0001"``.
* Packed form: ``bit i`` of ``word i // 64`` (a ``uint64``) is ``f(input i)``.
  For n <= 6 one word holds the table, and the word's integer value is the
  table read right to left.
* Canonical representative: a class of functions (a symmetry orbit, an NPN class)
  is shown by its **lexicographically smallest truth-table string** (``"0" < "1"``,
  compared from ``f(input 0)`` on). AND represents its orbit {AND, NAND}:
  ``canonical("1110") == "0001"``; AND also represents its NPN class (the ``npn_class``
  measure of OR is ``"0001"``). :func:`canonical` and :func:`canonical_int` (the same
  member in integer form), the ``orbit`` column of exact tables and the ``npn_class``
  measure all follow it. Engines may search with other internal keys (for example the
  smallest integer form), but never show them as representatives.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from boolnet.checks import check_seed, check_whole
from boolnet.errors import BoolnetError, UsageError

ENCODINGS = ("01", "pm1")
#: Largest n whose 2**n inputs are enumerated anywhere in boolnet (2**20 rows).
MAX_N = 20


def check_encoding(encoding: str) -> str:
    """Return ``encoding`` if it is known, else raise a :class:`UsageError`."""
    if encoding not in ENCODINGS:
        raise UsageError(f"encoding {encoding!r} is unknown: use one of {', '.join(ENCODINGS)}", param="encoding")
    return encoding


def check_n(n: int, *, low: int = 1, high: int = MAX_N, what: str = "this command") -> int:
    """Validate a number of inputs, with a message that says what range works."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise UsageError(f"n must be a whole number, got {n!r}", param="n")
    if n < low or n > high:
        raise UsageError(f"n {n} is out of range for {what}: use {low} <= n <= {high}", param="n")
    return int(n)


def n_words(n: int) -> int:
    """Number of ``uint64`` words in a packed truth table of ``n`` inputs."""
    return max(1, (1 << n) // 64)


def inputs(n: int, encoding: str = "01", dtype=np.int8) -> np.ndarray:
    """All ``2**n`` inputs as rows, in truth-table order.

    Parameters
    ----------
    n : int
        Number of Boolean inputs.
    encoding : {"01", "pm1"}
        Value of a 0 bit is 0 (``"01"``) or -1 (``"pm1"``); a 1 bit is always 1.
    dtype : numpy dtype
        Element type of the result.

    Returns
    -------
    ndarray of shape (2**n, n)
        Row ``i`` is input ``i``; column ``k`` is ``x_{k+1}`` (column 0 is the
        most significant bit).

    Examples
    --------
    >>> inputs(2).tolist()
    [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> inputs(1, "pm1").tolist()
    [[-1], [1]]
    """
    check_encoding(encoding)
    idx = np.arange(1 << n, dtype=np.int64)
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
    bits = ((idx[:, None] >> shifts[None, :]) & 1).astype(dtype)
    if encoding == "pm1":
        bits = (2 * bits - 1).astype(dtype)
    return bits


def n_from_length(length: int, *, param: str = "function") -> int:
    """Number of inputs of a truth table with ``length`` entries (a power of two).

    ``param`` is the caller's parameter that holds the truth table (named by the error).
    """
    if length < 1 or length & (length - 1):
        raise UsageError(f"{param} must be a truth table of 2**n characters; got {length} characters, which is "
                         "not a power of two", param=param)
    return length.bit_length() - 1


def bits_from_string(table: str, *, param: str = "table") -> np.ndarray:
    """Truth-table string -> array of 0/1 ``uint8`` (``out[i] = f(input i)``).

    ``param`` is the caller's parameter that holds the truth table (named by the error).

    Examples
    --------
    >>> bits_from_string("0001").tolist()
    [0, 0, 0, 1]
    """
    if not isinstance(table, str):
        raise UsageError(f"{param} must be a truth-table string such as '0001', got {table!r}", param=param)
    n_from_length(len(table), param=param)
    raw = np.frombuffer(table.encode("ascii", errors="replace"), dtype=np.uint8)
    if not np.all((raw == ord("0")) | (raw == ord("1"))):
        raise UsageError(f"{param} must be a truth table of the characters 0 and 1; got {table[:40]!r}",
                         param=param)
    return (raw - ord("0")).astype(np.uint8)


def string_from_bits(bits: np.ndarray) -> str:
    """Array of 0/1 -> truth-table string (inverse of :func:`bits_from_string`)."""
    return (np.asarray(bits, dtype=np.uint8) + ord("0")).tobytes().decode("ascii")


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack 0/1 truth tables along the last axis into ``uint64`` words.

    Parameters
    ----------
    bits : array_like of shape (..., 2**n)
        ``bits[..., i]`` is ``f(input i)``.

    Returns
    -------
    ndarray of uint64, shape (..., max(1, 2**n // 64))
        Bit ``i % 64`` of word ``i // 64`` is ``f(input i)``.

    Examples
    --------
    >>> int(pack_bits(bits_from_string("0001"))[0])
    8
    """
    bits = np.asarray(bits, dtype=np.uint64)
    length = bits.shape[-1]
    n_from_length(length, param="bits")
    if length < 64:
        bits = np.concatenate([bits, np.zeros(bits.shape[:-1] + (64 - length,), np.uint64)], axis=-1)
    words = bits.reshape(bits.shape[:-1] + (-1, 64))
    weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
    return np.bitwise_or.reduce(words * weights, axis=-1).astype(np.uint64)


def unpack_bits(words: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`pack_bits`: ``(..., n_words)`` uint64 -> ``(..., 2**n)`` uint8."""
    words = np.asarray(words, dtype=np.uint64)
    shifts = np.arange(64, dtype=np.uint64)
    bits = ((words[..., None] >> shifts) & np.uint64(1)).astype(np.uint8)
    bits = bits.reshape(words.shape[:-1] + (-1,))
    return bits[..., : 1 << n]


def pack_strings(tables, *, param: str = "functions") -> np.ndarray:
    """Truth-table strings (all of one length) -> ``(m, n_words)`` uint64 array.

    ``param`` is the caller's parameter that holds the truth tables (named by the error).
    """
    tables = list(tables)
    if not tables:
        return np.zeros((0, 1), dtype=np.uint64)
    length = len(tables[0])
    if any(len(t) != length for t in tables):
        raise UsageError("all truth tables in one table must have the same length (same n)", param=param)
    n_from_length(length, param=param)
    raw = np.frombuffer("".join(tables).encode("ascii", errors="replace"), dtype=np.uint8)
    raw = raw.reshape(len(tables), length)
    if not np.all((raw == ord("0")) | (raw == ord("1"))):
        raise UsageError("truth tables contain only the characters 0 and 1", param=param)
    return pack_bits(raw - ord("0"))


def truth_table_chars(words: np.ndarray, n: int) -> np.ndarray:
    """The characters of packed truth tables ``(m, W)`` in one uint8 array of ``m * 2**n`` bytes.

    The one decoder of the packed form (bit ``i`` of word ``i // 64`` is ``f(input i)``):
    every string of a truth table that boolnet writes comes from it.

    Examples
    --------
    >>> truth_table_chars(np.array([[8], [7]], dtype=np.uint64), 2).tobytes()
    b'00011110'
    """
    words = np.ascontiguousarray(np.atleast_2d(words), dtype="<u8")
    m, width = words.shape
    chars = np.unpackbits(words.view(np.uint8).reshape(m, 8 * width), axis=1, bitorder="little")[:, : 1 << n]
    chars += ord("0")
    return np.ascontiguousarray(chars).reshape(-1)


def strings_from_packed(words: np.ndarray, n: int) -> list[str]:
    """``(m, n_words)`` uint64 -> list of m truth-table strings.

    Examples
    --------
    >>> strings_from_packed(np.array([[8], [7]], dtype=np.uint64), 2)
    ['0001', '1110']
    """
    length = 1 << n
    flat = truth_table_chars(words, n).tobytes().decode("ascii")
    return [flat[k : k + length] for k in range(0, len(flat), length)]


def words_from_strings(functions, n: int | None = None) -> np.ndarray:
    """Packed truth tables ``(m, 2)`` uint64 of truth-table strings (n <= 7), fast for millions of rows.

    ``functions`` is a list of strings or an Arrow string array (a table's column);
    all must have the same length, ``2**n`` when ``n`` is given, and hold only 0 and 1.

    Examples
    --------
    >>> words_from_strings(["0001", "1110"]).tolist()
    [[8, 0], [7, 0]]
    """
    import pyarrow as pa

    try:
        array = functions if isinstance(functions, (pa.Array, pa.ChunkedArray)) else \
            pa.array(functions if hasattr(functions, "__len__") else list(functions), type=pa.large_string())
    except (pa.ArrowException, TypeError):
        raise UsageError("truth tables must be strings of 0 and 1", param="functions") from None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    m = len(array)
    if m == 0:
        return np.zeros((0, 2), np.uint64)
    if array.null_count:
        raise UsageError("truth tables are missing in some rows", param="functions")
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64, count=m + 1, offset=array.offset * 8)
    lengths = np.diff(offsets)
    length = int(lengths[0])
    if np.any(lengths != length):
        raise UsageError("all truth tables must have the same length (one n); some differ", param="functions")
    if n is not None and length != 1 << n:
        raise UsageError(f"truth tables have {length} characters, expected {1 << n}", param="functions")
    if n_from_length(length, param="functions") > 7:
        raise UsageError(f"truth tables of {length} characters are beyond n = 7, the packed tables' limit",
                         param="functions")
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8, count=int(offsets[-1]) - int(offsets[0]),
                         offset=int(offsets[0]))
    bits = data.reshape(m, length) - np.uint8(ord("0"))
    if np.any(bits > 1):
        raise UsageError("truth tables contain only the characters 0 and 1", param="functions")
    packed = np.zeros((m, 16), np.uint8)
    packed[:, : (length + 7) // 8] = np.packbits(bits, axis=1, bitorder="little")
    return packed.view("<u8").astype(np.uint64).reshape(m, 2)


def int_from_string(table: str) -> int:
    """Truth table -> Python int whose bit ``i`` is ``f(input i)`` (any n).

    Examples
    --------
    >>> int_from_string("0001")
    8
    """
    bits_from_string(table, param="table")
    return int(table[::-1], 2)


def string_from_int(value: int, n: int) -> str:
    """Inverse of :func:`int_from_string`.

    Examples
    --------
    >>> string_from_int(8, 2)
    '0001'
    """
    return format(int(value), f"0{1 << n}b")[::-1]


# ---------------------------------------------------------------------------
# Symmetries.
#
# A symmetry maps parameters to parameters, preserves the prior and so preserves
# volumes; on truth tables it acts as g.f(i) = f(input_map[i]) XOR negate.
#   * input permutations: permute the weights (all weights of a layer share one
#     distribution, so the prior is unchanged);
#   * output negation: parameters -> -parameters (priors are symmetric); this
#     complements f except on inputs where the pre-activation is 0 for every
#     parameter (input 0...0 without a bias in the 01 encoding), which stay 0;
#   * input negations, only for pm1: x_k -> -x_k is w_k -> -w_k. In 01 the same
#     map x_k -> 1 - x_k moves w_k into the bias, which changes the prior.
# ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _permutation_maps(n: int) -> np.ndarray:
    """Row p: input index map of the p-th permutation of the n coordinates."""
    x = inputs(n, "01", dtype=np.int64)
    weights = 1 << np.arange(n - 1, -1, -1, dtype=np.int64)
    maps = [x[:, list(perm)] @ weights for perm in itertools.permutations(range(n))]
    return np.array(maps, dtype=np.int64)


@lru_cache(maxsize=None)
def symmetry_input_maps(n: int, encoding: str = "01") -> np.ndarray:
    """Input index maps of the symmetry group acting on inputs.

    ``S_n`` (coordinate permutations) for ``"01"``; the hyperoctahedral group
    (permutations and sign flips) for ``"pm1"``. Row ``g`` maps input ``i`` to
    ``maps[g, i]``; row 0 is the identity.
    """
    check_encoding(encoding)
    perms = _permutation_maps(n)
    if encoding == "01":
        return perms
    masks = np.arange(1 << n, dtype=np.int64)
    return (perms[:, None, :] ^ masks[None, :, None]).reshape(-1, 1 << n)


def tie_inputs(n: int, encoding: str = "01", bias: bool = True) -> np.ndarray:
    """Boolean mask of inputs whose pre-activation is 0 for every parameter.

    Only input 0 (all zeros) in the ``"01"`` encoding without a bias; by the
    output rule (1 iff strictly > 0) such inputs always give 0.
    """
    mask = np.zeros(1 << n, dtype=bool)
    if encoding == "01" and not bias:
        mask[0] = True
    return mask


def orbit(table: str, encoding: str = "01", bias: bool = True) -> set[str]:
    """All functions whose volume equals that of ``table`` by symmetry.

    The orbit of ``table`` under input permutations, output negation and (for
    ``pm1``) input negations; valid for every prior in boolnet.

    Examples
    --------
    >>> sorted(orbit("0001"))          # AND and NAND
    ['0001', '1110']
    >>> sorted(orbit("0010"))
    ['0010', '0100', '1011', '1101']
    """
    bits = bits_from_string(table)
    n = n_from_length(len(bits))
    images = orbit_bits(bits, n, encoding, bias)
    return set(strings_from_packed(pack_bits(images), n))


def orbit_bits(bits: np.ndarray, n: int, encoding: str = "01", bias: bool = True) -> np.ndarray:
    """Images of one 0/1 truth table under the whole group, shape (2*|G_in|, 2**n)."""
    maps = symmetry_input_maps(n, encoding)
    moved = np.asarray(bits, dtype=np.uint8)[maps]
    negated = moved ^ np.uint8(1)
    negated[:, tie_inputs(n, encoding, bias)] = 0
    return np.concatenate([moved, negated], axis=0)


def _lexmin_row(rows: np.ndarray) -> np.ndarray:
    """The lexicographically smallest row of a 2-d 0/1 array."""
    rows = np.asarray(rows, dtype=np.uint8)
    packed = np.packbits(rows, axis=1, bitorder="big")  # byte order = string order, so bytes compare like strings
    return rows[np.lexsort(packed.T[::-1])[0]]


def canonical(table: str, encoding: str = "01", bias: bool = True) -> str:
    """The canonical representative of ``table``'s orbit: its lexicographically smallest member.

    The orbit is that of :func:`orbit` (the symmetries that preserve every prior of
    boolnet for this encoding and bias); the convention is the module's.

    Examples
    --------
    >>> canonical("1110"), canonical("0001")          # AND represents {AND, NAND}
    ('0001', '0001')
    >>> canonical("0111", "pm1")                       # with -1/+1 inputs OR joins AND's orbit
    '0001'
    >>> canonical("1101")
    '0010'
    """
    bits = bits_from_string(table)
    n = n_from_length(len(bits))
    return string_from_bits(_lexmin_row(orbit_bits(bits, n, encoding, bias)))


def canonical_int(value: int, n: int, encoding: str = "01", bias: bool = True) -> int:
    """:func:`canonical` in integer form (see :func:`int_from_string`): the same member, not the smallest integer.

    Examples
    --------
    >>> canonical_int(int_from_string("1110"), 2) == int_from_string("0001")
    True
    """
    return int_from_string(canonical(string_from_int(value, n), encoding, bias))


# ----------------------------------------------------------------------------------------- training sets
def check_target(target, n: int | None = None) -> str:
    """A truth-table string of ``2**n`` characters 0/1 (BoolnetError naming ``target`` otherwise).

    Examples
    --------
    >>> check_target("0110", 2)
    '0110'
    """
    t = str(target).strip() if target is not None else ""
    if not t or any(c not in "01" for c in t) or len(t) & (len(t) - 1):
        raise BoolnetError(f"target must be a truth table of 2**n characters 0/1 (e.g. 0110), got {target!r}",
                           param="target")
    if n is not None and len(t) != 1 << n:
        raise BoolnetError(f"target has {len(t)} characters; a function of n = {n} inputs has {1 << n}",
                           param="target")
    return t

def check_train(train, n: int) -> list[int]:
    """Training inputs as a sorted list of distinct indices in ``[0, 2**n)``; accepts ``"3,5,6"``.

    Examples
    --------
    >>> check_train("6, 1,3", 3)
    [1, 3, 6]
    """
    if isinstance(train, str):
        parts = [p for p in train.replace(" ", "").split(",") if p]
    else:
        parts = list(np.asarray(train).ravel()) if train is not None else []
    try:
        values = [int(p) for p in parts]
        if any(float(p) != v for p, v in zip(parts, values)):
            raise ValueError
    except (TypeError, ValueError):
        raise BoolnetError(f"train must list input indices (whole numbers), got {train!r}", param="train") from None
    if not values:
        raise BoolnetError("train must list at least one input index", param="train")
    if min(values) < 0 or max(values) >= 1 << n:
        raise BoolnetError(f"train indices must lie in 0..{(1 << n) - 1} for n = {n}, got {train!r}", param="train")
    if len(set(values)) != len(values):
        raise BoolnetError(f"train lists an input twice: {train!r}", param="train")
    return sorted(values)

def training_set(n: int, size: int, seed: int = 0) -> list[int]:
    """A seeded random training set: ``size`` distinct inputs of ``[0, 2**n)``, sorted.

    Drawn by ``numpy.random.default_rng(seed).choice(2**n, size, replace=False)``.

    Parameters
    ----------
    n : int
        Number of inputs.
    size : int
        Number of training inputs, ``1 <= size <= 2**n``.
    seed : int
        Seed; the same ``(n, size, seed)`` always gives the same set.

    Returns
    -------
    list of int

    Examples
    --------
    >>> s = training_set(7, 32, seed=1)
    >>> len(s), s == sorted(set(s)), s == training_set(7, 32, seed=1)
    (32, True, True)
    """
    n = check_whole(n, "n", low=1, high=MAX_N)
    size = check_whole(size, "size", low=1, high=1 << n)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    return sorted(int(i) for i in rng.choice(1 << n, size=size, replace=False))

def resolve_training(n: int, train=None, train_size=None, seed: int = 0) -> list[int]:
    """The training inputs from an explicit ``train`` list or a seeded ``train_size``; exactly one of them.

    Examples
    --------
    >>> resolve_training(3, train="7,0")
    [0, 7]
    >>> resolve_training(3, train_size=8, seed=4)
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    if (train is None) == (train_size is None):
        raise BoolnetError("give either train (a list of input indices) or train_size (with seed), not both "
                           "and not neither", param="train")
    if train is not None:
        return check_train(train, n)
    try:
        return training_set(n, train_size, seed)
    except BoolnetError as exc:
        if exc.param != "size":
            raise
        raise BoolnetError(str(exc).replace("size", "train_size", 1), param="train_size") from None
