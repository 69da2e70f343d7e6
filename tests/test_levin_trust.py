"""boolnet.levin.trust: which rows a fit trusts, read from the table's volume_method."""

import numpy as np
import pandas as pd
import pytest

from boolnet.errors import BoolnetError
from boolnet.levin import candidate_measures, levin_fit, trusted_rows


# ----------------------------------------------------------------------------- trust rules


def test_sampled_table_uses_only_trusted_counts():
    # Function "c" was seen 3 times only: though far above the line of the others, it is left out.
    df = pd.DataFrame({
        "function": ["0001", "0111", "0110", "1000"],
        "count": [400, 100, 3, 10],
        "probability": [0.4, 0.1, 0.3, 0.01],
        "K": [1, 3, 9, 5],
    })
    mask, rule = trusted_rows(df)
    assert mask.tolist() == [True, True, False, True]
    assert "count >= 10" in rule
    r = levin_fit(df, "K")
    assert r.n_used == 3
    assert r.mass_used == pytest.approx(0.51)
    # line through (1, log2 .4) and (3, log2 .1): slope -1 bit per unit of K
    assert r.hull.a == pytest.approx(1.0, abs=1e-9)
    assert levin_fit(df, "K", min_count=3).n_used == 4


def with_method(df, method):
    df.attrs["boolnet"] = {"volume_method": method}
    return df


def test_grid_enumeration_counts_are_exact_and_all_used():
    df = pd.DataFrame({"count": [60, 30, 9, 1], "probability": [0.6, 0.3, 0.09, 0.01], "K": [0, 1, 2, 3]})
    mask, rule = trusted_rows(with_method(df.copy(), "grid"))
    assert mask.all()
    assert "grid" in rule
    assert levin_fit(with_method(df.copy(), "grid"), "K").n_used == 4
    assert levin_fit(with_method(df.copy(), "sampled"), "K").n_used == 2
    assert levin_fit(df, "K").n_used == 2  # a count column and no method: counted


@pytest.mark.parametrize("method", ["sampled", "trained", "merged"])
def test_counted_methods_use_min_count(method):
    df = pd.DataFrame({"count": [60, 30, 9, 1], "probability": [0.6, 0.3, 0.09, 0.01], "K": [0, 1, 2, 3]})
    assert trusted_rows(with_method(df, method), 5)[0].tolist() == [True, True, True, False]


def test_command_names_are_not_read():
    # volume_method decides, whatever command made the table.
    df = pd.DataFrame({"count": [60, 30, 9, 1], "probability": [0.6, 0.3, 0.09, 0.01], "K": [0, 1, 2, 3]})
    df.attrs["boolnet"] = {"command": "enumerate", "volume_method": "sampled", "boolnet_version": "0.2.0"}
    assert trusted_rows(df)[0].tolist() == [True, True, False, False]


def test_quadrature_table_drops_rows_with_wide_bounds():
    p = np.array([0.5, 0.3, 1e-9])
    err = np.array([1e-11, 0.0, 1e-10])
    df = with_method(pd.DataFrame({"probability": p, "probability_low": p - err, "probability_high": p + err,
                                   "K": [0, 1, 2]}), "quadrature")
    mask, rule = trusted_rows(df)
    assert mask.tolist() == [True, True, False]
    assert "1% of P" in rule
    # bounds 2^-8 from P = 0.5 (0.8%) are kept; 2^-7 (1.6%) below P are not
    q = pd.DataFrame({"probability": [0.5, 0.5], "probability_low": [0.5 - 2**-8, 0.5 - 2**-7],
                      "probability_high": [0.5 + 2**-8, 0.5],
                      "K": [0, 1]})
    assert trusted_rows(with_method(q, "quadrature"))[0].tolist() == [True, False]
    # exact tables trust every row
    assert trusted_rows(with_method(df.copy(), "exact"))[0].all()


def test_old_dialect_dataframes_are_upgraded():
    df = pd.DataFrame({"probability": [0.5, 0.3, 1e-9], "error_bound": [1e-11, 0.0, 1e-10], "K": [0, 1, 2]})
    mask, rule = trusted_rows(df)
    assert mask.tolist() == [True, True, False]
    assert levin_fit(df, "K").n_used == 2


def test_zero_probability_and_missing_measure_rows_are_left_out():
    df = pd.DataFrame({"probability": [0.5, 0.0, 0.25, 0.25], "K": [0, 1, np.nan, 2]})
    assert levin_fit(df, "K").n_used == 2


def test_missing_columns_are_usage_errors():
    with pytest.raises(BoolnetError):
        levin_fit(pd.DataFrame({"K": [1, 2]}), "K")
    with pytest.raises(BoolnetError):
        levin_fit(pd.DataFrame({"probability": [0.5, 0.5]}), "lz")
    with pytest.raises(BoolnetError):  # nothing trusted
        levin_fit(pd.DataFrame({"probability": [0.5], "count": [1], "K": [1]}), "K")


def test_candidate_measures_skip_volumes_and_labels():
    df = pd.DataFrame({"function": ["01"], "probability": [1.0], "count": [3], "error_bound": [0.0],
                       "facets": [2], "orbit": ["01"], "npn_class": [1], "threshold": [1], "lz": [2.0],
                       "csr": [1.0], "note": ["x"]})
    assert candidate_measures(df) == ["lz", "csr"]
