"""The committed tables in tables/ are what their commands produce today."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boolnet.cli import main
from boolnet.io import read_table

TABLES = Path(__file__).resolve().parent.parent / "tables"
# Fields that describe the run, or the error estimate of the Gaussian quadrature, rather than the result.
RUN_FIELDS = {"seconds", "volume_seconds", "measures_seconds", "boolnet_version", "error_bound_sum",
              "error_bound_max", "probability_sum"}


@pytest.mark.parametrize("name,args", [
    ("perceptron_n2_gaussian.csv", ["--arch", "2-1"]),
    ("perceptron_n2_cube.csv", ["--arch", "2-1", "--prior", "uniform", "--no-fan-in-scaling"]),
    ("perceptron_n3_gaussian.csv", ["--arch", "3-1"]),
    ("perceptron_n3_cube.csv", ["--arch", "3-1", "--prior", "uniform", "--no-fan-in-scaling"]),
    ("mlp_2-2-1_step_gaussian.csv", ["--arch", "2-2-1", "--activation", "step"]),
])
def test_small_tables_regenerate(name, args, tmp_path):
    out = tmp_path / name
    assert main(["table", *args, "--quiet", "-o", str(out)]) == 0
    new, old = read_table(out), read_table(TABLES / name)
    new_meta, old_meta = new.attrs["boolnet"], old.attrs["boolnet"]
    assert {k: v for k, v in new_meta.items() if k not in RUN_FIELDS} == \
        {k: v for k, v in old_meta.items() if k not in RUN_FIELDS}
    assert list(new.columns) == list(old.columns)
    assert new.function.tolist() == old.function.tolist()
    # Gaussian probabilities agree within their stated error bounds (each at most 1e-10).
    new_err = np.maximum(new.probability_high - new.probability, new.probability - new.probability_low)
    old_err = np.maximum(old.probability_high - old.probability, old.probability - old.probability_low)
    assert (new_err <= 1e-10).all() and (old_err <= 1e-10).all()
    assert (abs(new.probability - old.probability) <= new_err + old_err + 1e-15).all()
    assert abs(new_meta["probability_sum"] - 1) <= new_meta["error_bound_sum"] + 1e-13
    for col in new.columns:
        if col in ("probability", "probability_low", "probability_high"):
            continue
        if pd.api.types.is_float_dtype(new[col]):
            assert np.allclose(new[col], old[col], rtol=1e-12, atol=1e-15, equal_nan=True), col
        else:
            assert new[col].fillna("").astype(str).tolist() == old[col].fillna("").astype(str).tolist(), col


def test_n6_orbit_table_is_complete():
    df = read_table(TABLES / "exact_perceptron_n6_cube_orbits.parquet")
    meta = df.attrs["boolnet"]
    assert int(df.orbit_size.sum()) == 15028134  # OEIS A000609(6)
    assert sum(Fraction(p) * int(k) for p, k in zip(df.probability_exact, df.orbit_size)) == 1
    assert meta["prior"] == "uniform" and meta["fan_in_scaling"] is False and meta["n"] == 6
    assert meta["volume_method"] == "exact"


def test_n6_gaussian_orbit_table_is_complete():
    df = read_table(TABLES / "exact_perceptron_n6_gaussian_orbits.parquet")
    meta = df.attrs["boolnet"]
    assert int(df.orbit_size.sum()) == 15028134 and len(df) == meta["orbits"] == 19228
    assert meta["prior"] == "gaussian" and meta["fan_in_scaling"] is True and meta["n"] == 6
    assert meta["volume_method"] == "quadrature" and "probability_exact" not in df.columns
    bound = np.maximum(df.probability_high - df.probability, df.probability - df.probability_low)
    assert bound.max() <= 1e-10  # every function's stated error bound
    total = float((df.probability * df.orbit_size).sum())
    assert abs(total - 1) <= meta["error_bound_sum"] + 1e-12


@pytest.mark.parametrize("path", sorted(p.name for p in TABLES.iterdir() if p.suffix in (".csv", ".parquet")))
def test_every_committed_table_is_in_the_schema(path):
    df = read_table(TABLES / path)
    meta = df.attrs["boolnet"]
    assert meta["volume_method"] in ("exact", "quadrature", "sampled", "trained")
    assert list(df.columns[:4]) == ["function", "probability", "probability_low", "probability_high"]
    assert (df.probability_low <= df.probability).all() and (df.probability <= df.probability_high).all()
    if "npn_class" in df.columns:  # the class's representative is its lexicographically smallest member
        assert (df.npn_class <= df.function).all()
