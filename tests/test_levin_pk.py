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
