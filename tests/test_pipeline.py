"""The Python front door (`import boolnet as bn`) against the command line and independent values."""

from fractions import Fraction

import numpy as np
import pytest

import boolnet as bn
from boolnet.cli import main

CUBE = bn.Prior("uniform", fan_in_scaling=False)
RUN_FIELDS = {"seconds", "volume_seconds", "measures_seconds", "boolnet_version"}


def test_volume_table_is_the_table_command(tmp_path, capsys):
    df = bn.volume_table("4-1")
    assert main(["table", "--arch", "4-1", "--quiet", "-o", str(tmp_path / "t4.parquet")]) == 0
    cli = bn.read_table(tmp_path / "t4.parquet")
    assert list(df.columns) == list(cli.columns)
    assert df["function"].tolist() == cli["function"].tolist()
    for col in df.columns:
        if col == "function":
            continue
        a, b = df[col].to_numpy(), cli[col].to_numpy()
        if np.issubdtype(a.dtype, np.floating):
            assert np.array_equal(a, b, equal_nan=True), col
        else:
            assert [str(x) for x in a] == [str(x) for x in b], col
    strip = lambda meta: {k: v for k, v in meta.items() if k not in RUN_FIELDS}  # noqa: E731
    assert strip(df.attrs["boolnet"]) == strip(cli.attrs["boolnet"])
    assert df.attrs["boolnet"]["volume_method"] == "quadrature"
    assert len(df) == 1882  # threshold functions of 4 inputs (OEIS A000609)


def test_cube_shares_of_the_n2_perceptron():
    # Hand-derived shares of the cube [-1, 1]^3 (the oracle): AND 1/48, OR 1/24, each constant 13/48.
    t = bn.exact_table("2-1", prior=CUBE)
    shares = dict(zip(t["function"], t["probability_exact"]))
    assert shares["0001"] == "1/48" and shares["0111"] == "1/24"
    assert shares["0000"] == shares["1111"] == "13/48"
    assert "0110" not in shares and "1001" not in shares  # XOR, XNOR: no region
    assert sum(Fraction(v) for v in shares.values()) == 1
    assert (t["probability_low"] == t["probability"]).all() and (t["probability_high"] == t["probability"]).all()


def test_probability_of_one_function_matches_the_table():
    t = bn.exact_table(3, prior=CUBE)
    for function, exact in zip(t["function"][:20], t["probability_exact"][:20]):
        assert bn.probability(function, prior=CUBE).probability_exact == Fraction(exact)
    assert bn.probability("01101001", prior=CUBE).probability == 0.0  # parity is not a threshold function


def test_gaussian_probability_within_its_bounds_of_the_table():
    t = bn.exact_table(3)
    for function, lo, hi in zip(t["function"][:10], t["probability_low"][:10], t["probability_high"][:10]):
        v = bn.probability(function)
        assert v.probability_low <= hi and v.probability_high >= lo
        assert v.probability_high - v.probability_low <= 2e-10


def test_front_door_errors_name_parameters():
    with pytest.raises(bn.BoolnetError, match="checkpoint") as info:
        bn.volume_table("2-1", checkpoint="x.ckpt")
    assert info.value.param == "checkpoint"
    with pytest.raises(bn.BoolnetError, match="method") as info:
        bn.volume_table("2-3-1", method="exact", activation="relu")
    assert info.value.param == "method"
    with pytest.raises(ValueError):  # BoolnetError is a ValueError
        bn.probability("0021")
    with pytest.raises(bn.BoolnetError, match="prior"):
        bn.exact_table("2-1", prior="cauchy")


def test_every_public_name_resolves():
    for name in bn.__all__:
        assert getattr(bn, name) is not None, name
