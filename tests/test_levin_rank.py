"""boolnet.levin.rank: the ranking rules."""

import numpy as np
import pandas as pd
import pytest

from boolnet.levin import rank_measures


# ----------------------------------------------------------------------------- ranking


def test_ranking_rule():
    # exact: log2 P = -K exactly, so its tightest bound has mean gap 0 and rho -1.
    # coarse: monotone in K but merges levels, rho -0.9ish, positive gap.
    # rising: increases with P: flat bound, rho +1.
    y = np.array([-1.0, -2.0, -3.0, -4.0, -5.0])
    df = pd.DataFrame({
        "probability": 2.0**y,
        "exact": -y,
        "coarse": [1, 1, 2, 2, 3],
        "rising": y,
    })
    ranking = rank_measures(df)
    assert ranking["measure"].tolist() == ["exact", "coarse", "rising"]
    assert ranking["rank_tightness"].tolist() == [1, 2, 3]
    assert ranking["rank_prediction"].tolist() == [1, 2, 3]
    row = ranking.set_index("measure")
    assert row.loc["exact", "mean_gap"] == pytest.approx(0.0, abs=1e-12)
    assert row.loc["exact", "spearman_rho"] == pytest.approx(-1.0)
    assert row.loc["rising", "spearman_rho"] == pytest.approx(1.0)
    assert row.loc["rising", "a"] == 0.0
    # coarse: hull through (1, -1) and (3, -5): line -2K + 1; gaps 0, 1, 0, 1, 0 -> mean 0.4
    assert row.loc["coarse", "mean_gap"] == pytest.approx(0.4, abs=1e-9)
