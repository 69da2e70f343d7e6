import numpy as np
import pytest

from boolnet import functions as F
from boolnet.errors import UsageError


def test_input_order_msb_first():
    # x_1 is the most significant bit: input 1 of n=3 is 001, input 4 is 100.
    x = F.inputs(3)
    assert x[1].tolist() == [0, 0, 1]
    assert x[4].tolist() == [1, 0, 0]
    assert F.inputs(2, "pm1").tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]]


def test_and_truth_table_and_packing():
    x = F.inputs(2)
    and_bits = (x[:, 0] & x[:, 1]).astype(np.uint8)
    assert F.string_from_bits(and_bits) == "0001"
    # bit i of word i // 64 is f(input i): AND sets bit 3 only.
    assert F.pack_bits(and_bits).tolist() == [8]
    assert F.int_from_string("0001") == 8


@pytest.mark.parametrize("n", [1, 3, 6, 7, 8])
def test_pack_roundtrip(n):
    rng = np.random.default_rng(n)
    bits = rng.integers(0, 2, size=(5, 1 << n), dtype=np.uint8)
    words = F.pack_bits(bits)
    assert words.shape == (5, F.n_words(n))
    assert np.array_equal(F.unpack_bits(words, n), bits)
    strings = F.strings_from_packed(words, n)
    assert strings == ["".join(map(str, row)) for row in bits]
    assert np.array_equal(F.pack_strings(strings), words)
    # word 1 of an n=7 table holds inputs 64..127
    if n == 7:
        assert int(words[0, 1]) == int("".join(map(str, bits[0, 64:][::-1])), 2)


def test_orbits_01_and_pm1():
    # 01: permutations and output negation only (input negation moves weight into bias).
    assert F.orbit("0001") == {"0001", "1110"}
    assert F.orbit("0011") == {"0011", "0101", "1100", "1010"}
    # pm1 adds input negations: AND joins the other three two-input AND-like functions.
    assert F.orbit("0001", "pm1") == {"0001", "0010", "0100", "1000", "1110", "1101", "1011", "0111"}
    # 01 without bias: input 00 always gives 0, so output negation keeps it 0.
    assert F.orbit("0001", "01", bias=False) == {"0001", "0110"}


def test_canonical_is_orbit_minimum():
    for t in ["0110", "0111", "0001", "00010111"]:
        n = F.n_from_length(len(t))
        assert F.canonical_int(F.int_from_string(t), n) == min(F.int_from_string(s) for s in F.orbit(t))


def test_bad_tables_are_usage_errors():
    with pytest.raises(UsageError):
        F.bits_from_string("012")
    with pytest.raises(UsageError):
        F.bits_from_string("0120")
    with pytest.raises(UsageError):
        F.check_encoding("binary")
