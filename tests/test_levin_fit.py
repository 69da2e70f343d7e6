"""boolnet.levin.fit: levin_fit's reported values by hand, and what it refuses."""

import math

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import BoolnetError
from boolnet.levin import levin_fit, rank_measures


# ----------------------------------------------------------------------------- report values


def hand_table():
    """Five functions; the tightest bound is log2 P = -K - 1 (through K = 0 and K = 4).

    Gaps below it (bits): 0, 0.5, 2, 6, 0.
    """
    k = [0, 1, 2, 3, 4]
    y = [-1.0, -2.5, -5.0, -10.0, -5.0]
    return pd.DataFrame({"probability": [2.0**v for v in y], "K": k})


def test_within_1_and_5_bits_by_hand():
    r = levin_fit(hand_table(), "K")
    assert r.hull.a == pytest.approx(1.0, abs=1e-12)
    assert r.hull.b == pytest.approx(1.0, abs=1e-12)
    assert r.hull.mean_gap == pytest.approx(8.5 / 5, abs=1e-12)
    assert r.hull.share_within == {1: 3 / 5, 5: 4 / 5}
    assert r.hull.mass_within[1] == pytest.approx(0.5 + 2**-2.5 + 2**-5, abs=1e-15)
    assert r.hull.mass_within[5] == pytest.approx(0.5 + 2**-2.5 + 2**-5 + 2**-5, abs=1e-15)
    assert r.hull.share_above == 0.0
    assert r.mass_used == pytest.approx(0.5 + 2**-2.5 + 2**-5 + 2**-10 + 2**-5)
    assert r.n_used == r.n_functions == 5
    assert r.uniform_log2 is None  # no truth tables, no n


def test_spearman_by_hand():
    # K ranks 1..5; log2 P ranks 5,3,4,1,2; sum d^2 = 36; rho = 1 - 6*36/(5*24) = -0.8.
    df = pd.DataFrame({"probability": [2.0**v for v in [-1, -3, -2, -5, -4]], "K": [1, 2, 3, 4, 5]})
    assert levin_fit(df, "K").spearman_rho == pytest.approx(-0.8, abs=1e-12)


def test_spearman_undefined_for_a_constant_measure():
    df = pd.DataFrame({"probability": [0.5, 0.25], "K": [3, 3]})
    assert math.isnan(levin_fit(df, "K").spearman_rho)


def test_uniform_baseline_from_truth_tables():
    df = pd.DataFrame({"function": ["00000000", "00000001"], "probability": [0.75, 0.25], "K": [0, 1]})
    r = levin_fit(df, "K")
    assert r.n == 3
    assert r.uniform_log2 == -8.0
    assert r.uniform_probability == 1 / 256


def test_fewer_than_two_usable_functions_is_an_error():
    df = pd.DataFrame({"probability": [1.0, 0.0], "K": [0, 1]})
    with pytest.raises(BoolnetError, match="at least two usable functions"):
        levin_fit(df, "K")


@pytest.mark.parametrize("bad", [-0.5, 1.5, np.inf])
def test_probabilities_outside_0_1_are_refused(bad):
    df = pd.DataFrame({"function": ["00", "01"], "probability": [0.5, bad], "K": [0, 1]})
    with pytest.raises(BoolnetError, match=r"\[0, 1\]"):
        levin_fit(df, "K")
    with pytest.raises(BoolnetError, match=r"\[0, 1\]"):
        rank_measures(df, ["K"])


def test_missing_measure_is_computed_from_truth_tables():
    df = pd.DataFrame({"function": ["0000", "0001", "0111", "0110"], "probability": [0.4, 0.3, 0.2, 0.1]})
    r = levin_fit(df, "ones")
    assert r.n_used == 4 and "ones" not in df.columns
    with pytest.raises(BoolnetError, match="unknown measure"):
        levin_fit(df, "nonsense")
