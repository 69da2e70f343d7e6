"""The measure registry: the checking decorator, users' measures, add_measures on DataFrames, one function."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from boolnet.complexity import (
    BUILTIN_NAMES,
    MEASURES,
    add_measures,
    compute_measures,
    measure,
    measure_kernel,
    register_measure,
    unregister_measure,
)
from boolnet.complexity.lz import lz
from boolnet.errors import BoolnetError
from boolnet.functions import pack_strings
from boolnet.table.schema import attach


def test_builtin_names_are_the_registry_in_order():
    assert tuple(name for name, m in MEASURES.items() if m.builtin) == BUILTIN_NAMES
    for name in BUILTIN_NAMES:
        m = MEASURES[name]
        assert m.definition and m.reference and callable(m.function)


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_every_builtin_kernel_checks_its_input(name):
    fn = MEASURES[name].function
    with pytest.raises(BoolnetError, match="uint64 word"):
        fn(np.zeros((2, 1), dtype=np.uint64), 7)  # n = 7 needs two words
    with pytest.raises(BoolnetError, match="whole number"):
        fn(np.zeros((2, 1), dtype=np.uint64), -1)
    limit = MEASURES[name].max_n
    if limit is not None and limit < 8:
        with pytest.raises(BoolnetError, match=f"n <= {limit}"):
            fn(np.zeros((1, 2 ** (limit + 1 - 6) if limit + 1 > 6 else 1), dtype=np.uint64), limit + 1)


def test_kernels_clear_bits_past_the_table():
    # 0xFFF0 read as n = 2 is 0000 in its 4 bits: the decorator masks the rest.
    assert lz(np.array([[0xFFF0]], dtype=np.uint64), 2).tolist() == [2.0]


def test_measure_of_one_function():
    assert measure("0001", "lz") == 5.0
    assert isinstance(measure("0001", "ones"), float)
    assert measure("0110", "threshold") == 0.0
    assert measure("1000", "npn_class") == "0001"
    with pytest.raises(BoolnetError, match="valid names"):
        measure("0001", "nonsense")
    with pytest.raises(BoolnetError, match="0 and 1"):
        measure("0021", "lz")
    with pytest.raises(BoolnetError, match="power of two"):
        measure("000", "lz")
    with pytest.raises(BoolnetError, match="formula_length needs n <= 4"):
        measure("01" * 16, "formula_length")


def test_add_measures_keeps_attrs_and_records_names():
    df = attach(pd.DataFrame({"function": ["0001", "0110"], "probability": [0.6, 0.4]}),
                {"volume_method": "exact", "measures": ["lz"], "n": 2})
    out = add_measures(df, ["ones", "lz"])
    assert out.attrs["boolnet"]["volume_method"] == "exact"
    assert out.attrs["boolnet"]["measures"] == ["ones", "lz"]
    assert df.attrs["boolnet"]["measures"] == ["lz"]  # the input is not changed
    assert "ones" not in df.columns


def test_add_measures_with_a_dict_of_string_functions():
    df = pd.DataFrame({"function": ["0001", "0110", "0001"]})
    calls = []

    def weight(table):
        calls.append(table)
        return table.count("1") / len(table)

    out = add_measures(df, {"weight": weight, "k": "lz"})
    assert out["weight"].tolist() == [0.25, 0.5, 0.25]
    assert out["k"].tolist() == [5.0, 6.0, 5.0]
    assert sorted(calls) == ["0001", "0110"]  # once per distinct function
    with pytest.raises(BoolnetError, match="function of a truth-table string"):
        add_measures(df, {"bad": 3})
    with pytest.raises(BoolnetError, match="volume-table column"):
        add_measures(df, {"probability": weight})


def test_register_measure_on_strings_and_on_words():
    @register_measure(definition="share of ones in the first half")
    def first_half_ones(table):
        return table[: len(table) // 2].count("1")

    @register_measure("popcount_words", on="words", max_n=6, definition="ones, vectorised")
    def popcount(words, n):
        return np.array([bin(int(w)).count("1") for w in words[:, 0]])

    try:
        df = pd.DataFrame({"function": ["0001", "1100", "1111"]})
        out = add_measures(df, ["first_half_ones", "popcount_words"])
        assert out["first_half_ones"].tolist() == [0, 2, 2]
        assert out["popcount_words"].tolist() == [1, 2, 4]
        assert measure("0111", "popcount_words") == 3.0
        assert measure("0111", first_half_ones) == 1.0
        assert compute_measures(pack_strings(["0011"]), 2, {"mine": popcount})["mine"].tolist() == [2]
        with pytest.raises(BoolnetError, match="popcount_words needs n <= 6"):
            add_measures(pd.DataFrame({"function": ["0" * 128]}), ["popcount_words"])
        with pytest.raises(BoolnetError, match="registered already"):
            register_measure("first_half_ones")(lambda s: 0)
        with pytest.raises(BoolnetError, match="boolnet's own"):
            register_measure("lz")(lambda s: 0)
    finally:
        unregister_measure("first_half_ones")
        unregister_measure("popcount_words")
    assert "first_half_ones" not in MEASURES


def test_measure_kernel_registers_and_checks():
    @measure_kernel("tmp_first_bit", max_n=3, definition="f(input 0)", reference="-", builtin=False)
    def first_bit(words, n):
        return (words[:, 0] & np.uint64(1)).astype(np.int64)

    try:
        assert first_bit.measure is MEASURES["tmp_first_bit"]
        assert first_bit(pack_strings(["10", "01"]), 1).tolist() == [1, 0]
        with pytest.raises(BoolnetError, match="tmp_first_bit is computed for n <= 3"):
            first_bit(np.zeros((1, 1), dtype=np.uint64), 4)
    finally:
        unregister_measure("tmp_first_bit")


def test_a_measure_returning_the_wrong_shape_is_refused():
    with pytest.raises(BoolnetError, match="one value each"):
        compute_measures(pack_strings(["0011", "0101"]), 2,
                         {"bad": measure_kernel("tmp_bad", definition="", reference="", builtin=False)(
                             lambda words, n: np.zeros(5))})
    unregister_measure("tmp_bad")


def test_importing_the_complexity_command_loads_no_numba():
    code = ("import sys, boolnet.commands.complexity, boolnet.commands.levin; "
            "print(sorted(m for m in ('numba', 'pandas', 'scipy', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_on_words_kernel_in_a_dict():
    from boolnet.complexity import on_words

    def last_bit(words, n):
        return ((words[:, -1] >> np.uint64((1 << n) - 1 if n < 6 else 63)) & np.uint64(1)).astype(np.int64)

    df = pd.DataFrame({"function": ["0" * 127 + "1", "1" + "0" * 127]})
    assert add_measures(df, {"last": on_words(last_bit)})["last"].tolist() == [1, 0]
    with pytest.raises(BoolnetError, match="n <= 6"):
        add_measures(df, {"last": on_words(last_bit, max_n=6)})
    assert "last" not in MEASURES
