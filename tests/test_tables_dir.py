"""The committed tables in tables/ are what their commands produce today."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boolnet.cli import main
from boolnet.tables import read_table

TABLES = Path(__file__).resolve().parent.parent / "tables"
# Fields that describe the run, or the error estimate of the Gaussian quadrature, rather than the result.
RUN_FIELDS = {"seconds", "volume_seconds", "boolnet_version", "error_bound_sum", "probability_sum"}


@pytest.mark.parametrize("name,args", [
    ("perceptron_n2_gaussian.csv", ["--arch", "2-1"]),
    ("perceptron_n2_cube.csv", ["--arch", "2-1", "--prior", "uniform", "--no-fan-in-scaling"]),
    ("perceptron_n3_gaussian.csv", ["--arch", "3-1"]),
    ("perceptron_n3_cube.csv", ["--arch", "3-1", "--prior", "uniform", "--no-fan-in-scaling"]),
])
def test_small_tables_regenerate(name, args, tmp_path, capsys):
    out = tmp_path / name
    assert main(["table", *args, "--quiet", "-o", str(out)]) == 0
    new, new_meta = read_table(out)
    old, old_meta = read_table(TABLES / name)
    assert {k: v for k, v in new_meta.items() if k not in RUN_FIELDS} == \
        {k: v for k, v in old_meta.items() if k not in RUN_FIELDS}
    assert list(new.columns) == list(old.columns)
    assert new.function.tolist() == old.function.tolist()
    # Gaussian probabilities agree within their stated error bounds (each at most 1e-10).
    assert (new.error_bound <= 1e-10).all() and (old.error_bound <= 1e-10).all()
    assert (abs(new.probability - old.probability) <= new.error_bound + old.error_bound + 1e-15).all()
    assert abs(new_meta["probability_sum"] - 1) <= new_meta["error_bound_sum"] + 1e-13
    for col in new.columns:
        if col in ("probability", "error_bound"):
            continue
        if pd.api.types.is_float_dtype(new[col]):
            assert np.allclose(new[col], old[col], rtol=1e-12, atol=1e-15, equal_nan=True), col
        else:
            assert new[col].fillna("").astype(str).tolist() == old[col].fillna("").astype(str).tolist(), col


def test_n6_orbit_table_is_complete():
    from fractions import Fraction

    df, meta = read_table(TABLES / "exact_perceptron_n6_cube_orbits.parquet")
    assert int(df.orbit_size.sum()) == 15028134  # OEIS A000609(6)
    assert sum(Fraction(p) * int(k) for p, k in zip(df.probability_exact, df.orbit_size)) == 1
    assert meta["prior"] == "uniform" and meta["fan_in_scaling"] is False and meta["n"] == 6
