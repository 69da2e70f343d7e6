import itertools

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


def orbit_by_definition(table, encoding="01", bias=True):
    """Every image of ``table`` under input permutations, output negation and (pm1) input negations,
    written straight from the definitions with itertools: g.f(x) = f(x permuted and negated)."""
    n = len(table).bit_length() - 1
    points = list(itertools.product((0, 1), repeat=n))  # input i = the bits of i, x_1 first
    index = {x: i for i, x in enumerate(points)}
    negations = list(itertools.product((0, 1), repeat=n)) if encoding == "pm1" else [(0,) * n]
    images = set()
    for perm in itertools.permutations(range(n)):
        for neg in negations:
            image = "".join(table[index[tuple(x[perm[k]] ^ neg[k] for k in range(n))]] for x in points)
            images.add(image)
            # output negation; without a bias in 01 the all-zero input stays 0 (its pre-activation is always 0)
            flipped = "".join("1" if c == "0" else "0" for c in image)
            if encoding == "01" and not bias:
                flipped = "0" + flipped[1:]
            images.add(flipped)
    return images


@pytest.mark.parametrize("encoding,bias", [("01", True), ("pm1", True), ("01", False)])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_orbit_and_canonical_from_first_principles(n, encoding, bias):
    rng = np.random.default_rng(n)
    tables = ["".join(map(str, rng.integers(0, 2, 1 << n))) for _ in range(30)]
    if n == 2:
        tables = [format(i, "04b") for i in range(16)]
    for t in tables:
        if encoding == "01" and not bias and t[0] == "1":
            continue  # such functions are never computed without a bias
        expected = orbit_by_definition(t, encoding, bias)
        assert F.orbit(t, encoding, bias) == expected
        assert F.canonical(t, encoding, bias) == min(expected)  # the lexicographically smallest string
        n_ = F.n_from_length(len(t))
        assert F.canonical_int(F.int_from_string(t), n_, encoding, bias) == F.int_from_string(min(expected))


def test_and_represents_its_class():
    # AND = 0001 is the representative everywhere (not 1110, the smallest integer form, nor 1000).
    assert F.canonical("0001") == F.canonical("1110") == "0001"
    assert F.canonical_int(F.int_from_string("1110"), 2) == F.int_from_string("0001")
    from boolnet.complexity import measure

    for member in ["0001", "0111", "1000", "1110", "0010", "0100", "1011", "1101"]:
        assert measure(member, "npn_class") == "0001"


def test_canonical_n7_uses_strings():
    rng = np.random.default_rng(7)
    t = "".join(map(str, rng.integers(0, 2, 128)))
    images = F.orbit(t)
    assert F.canonical(t) == min(images)
    assert len(images) <= 2 * 5040


def test_exact_tables_orbit_column_follows_the_convention():
    from pathlib import Path

    import pandas as pd

    path = Path(__file__).resolve().parents[1] / "tables" / "perceptron_n3_cube.csv"
    df = pd.read_csv(path, dtype=str, comment="#")
    if "orbit" not in df.columns:
        pytest.skip("table without an orbit column")
    assert all(F.canonical(f) == o for f, o in zip(df["function"], df["orbit"]))


def test_bad_tables_are_usage_errors():
    with pytest.raises(UsageError):
        F.bits_from_string("012")
    with pytest.raises(UsageError):
        F.bits_from_string("0120")
    with pytest.raises(UsageError):
        F.check_encoding("binary")
