"""boolnet.levin.pk: P(K) by hand."""

import pandas as pd
import pytest

from boolnet.levin import probability_by_complexity


# ----------------------------------------------------------------------------- P(K)


def test_probability_by_complexity_by_hand():
    df = pd.DataFrame({"function": ["0000", "0001", "0111", "0110", "1111"],
                       "probability": [0.4, 0.2, 0.1, 0.05, 0.25], "K": [0, 2, 2, 5, 0]})
    pk = probability_by_complexity(df, "K")
    assert pk["K"].tolist() == [0, 2, 5]
    assert pk["functions"].tolist() == [2, 2, 1]
    assert pk["probability"].tolist() == pytest.approx([0.65, 0.3, 0.05])
    assert pk["cumulative"].tolist() == pytest.approx([0.65, 0.95, 1.0])
    info = pk.attrs["boolnet"]["pk"]
    assert info["mean"] == pytest.approx(0.3 * 2 + 0.05 * 5)
    assert info["mean_over_functions"] == pytest.approx(9 / 5)
    assert info["mass"] == pytest.approx(1.0)


def test_uniform_baseline_lists_every_function():
    from math import comb

    # two functions of n = 2 with 1 and 3 ones; every function of 2 inputs has 0..4 ones, C(4, k) of them
    df = pd.DataFrame({"function": ["0001", "0111"], "probability": [0.75, 0.25], "ones": [1, 3]})
    pk = probability_by_complexity(df, "ones")
    assert pk["ones"].tolist() == [0, 1, 2, 3, 4]
    assert pk["probability"].tolist() == [0, 0.75, 0, 0.25, 0]
    assert pk["functions"].tolist() == [0, 1, 0, 1, 0]
    assert pk["uniform"].tolist() == [comb(4, k) / 16 for k in range(5)]
    assert pk.attrs["boolnet"]["pk"]["mean_uniform"] == 2.0
    assert pk.attrs["boolnet"]["pk"]["mean"] == 1.5
    # a measure boolnet does not know, or n > 4: no baseline
    assert "uniform" not in probability_by_complexity(df.rename(columns={"ones": "mine"}), "mine").columns
    wide = pd.DataFrame({"function": ["0" * 32, "01" * 16], "probability": [0.5, 0.5], "ones": [0, 16]})
    assert "uniform" not in probability_by_complexity(wide, "ones").columns
