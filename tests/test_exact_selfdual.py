"""The perceptron's chambers up to B_(n+1) (the bias as one more weight): counts, members, volumes, n = 7.

Oracles: published counts (OEIS A000609, threshold functions of n variables; A001532, NP-classes of
self-dual threshold functions of n + 1 or fewer variables, which are the B_(n+1) orbits), the chamber
search without the bias symmetry (boolnet.exact.enumeration, a second method with other
representatives and other Normaliz inputs), brute force over parameters (Monte Carlo of the cube at
n = 7, hyperplane signs at n = 3), and an uninterrupted run for kill -9 and resume.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import boolnet as bn
from boolnet.errors import BoolnetError
from boolnet.exact import threshold_orbits
from boolnet.exact.engine import expand_orbit
from boolnet.exact.regions import augmented_inputs
from boolnet.exact.selfdual import (
    chow_parameters,
    keeps_bias_symmetry,
    representative_of,
    self_dual_orbits,
)
from boolnet.exact.volumes import probabilities
from boolnet.functions import strings_from_packed
from boolnet.priors import Prior

ROOT = Path(__file__).resolve().parents[1]
CUBE = Prior("uniform", fan_in_scaling=False)
ISOTROPIC = Prior("gaussian", fan_in_scaling=False)
A000609 = {1: 4, 2: 14, 3: 104, 4: 1882, 5: 94572, 6: 15028134, 7: 8378070864}
A001532 = {1: 1, 2: 2, 3: 3, 4: 7, 5: 21, 6: 135, 7: 2470}  # a(n + 1): self-dual functions of n + 1 variables


@pytest.fixture(scope="module")
def n7_cube():
    """The committed n = 7 cube table (an uninterrupted run of the command in tables/README.md)."""
    return bn.read_table(ROOT / "tables" / "exact_perceptron_n7_cube_orbits.parquet")


@pytest.mark.parametrize("n", range(1, 7))
def test_orbit_counts_and_sizes_are_the_published_counts(n):
    orbits = self_dual_orbits(n)
    assert len(orbits) == A001532[n]
    assert sum(o.size for o in orbits) == A000609[n]


@pytest.mark.parametrize("n", range(1, 6))
def test_members_are_the_threshold_functions_the_plain_search_finds(n):
    """The union of the B_(n+1) orbits' members is the set of functions of the search without the bias symmetry,
    each function exactly once."""
    plain = {s for orb in threshold_orbits(n, "pm1", True) for s in strings_from_packed(orb.member_words(), n)}
    members = [s for o in self_dual_orbits(n) for s in o.member_strings()]
    assert len(members) == len(set(members)) == len(plain)
    assert set(members) == plain


def test_members_of_n3_are_the_functions_of_the_hyperplane_signs():
    """Brute force: every sign pattern of the 8 hyperplanes (x, 1) . theta over a fine grid of theta."""
    a = augmented_inputs(3, "pm1", True)
    grid = np.linspace(-1, 1, 23) + 1e-3 * np.pi  # off the hyperplanes
    theta = np.stack(np.meshgrid(grid, grid, grid, grid), -1).reshape(-1, 4)
    seen = {"".join("1" if v > 0 else "0" for v in row) for row in theta @ a.T}
    assert seen == {s for o in self_dual_orbits(3) for s in o.member_strings()}


@pytest.mark.parametrize("n,prior", [(4, CUBE), (5, CUBE), (4, ISOTROPIC)])
def test_every_member_has_the_volume_its_own_region_has(n, prior):
    """The B_(n+1) table, expanded to functions, against the volumes of the plain search's representatives
    (B_n orbits: other regions, other Normaliz or quadrature inputs)."""
    table = bn.exact_table(n, prior=prior, encoding="pm1")
    assert table.attrs["boolnet"]["symmetry"].startswith(f"B_{n + 1}:")
    by_function = dict(zip(table.function, table.probability))
    exact = dict(zip(table.function, table.get("probability_exact", table.function)))
    plain = threshold_orbits(n, "pm1", True)
    for orb, (p, p_exact, err) in zip(plain, probabilities([o.representative for o in plain], prior)):
        for name in strings_from_packed(orb.member_words(), n):
            if p_exact is not None:
                assert Fraction(exact[name]) == p_exact, name
            else:
                assert abs(by_function[name] - p) <= 2 * err + 1e-15, name


def test_the_symmetry_needs_pm1_a_bias_and_the_weights_scale():
    assert keeps_bias_symmetry(5, "pm1", True, CUBE) and keeps_bias_symmetry(5, "pm1", True, ISOTROPIC)
    assert not keeps_bias_symmetry(5, "01", True, CUBE)
    assert not keeps_bias_symmetry(5, "pm1", False, CUBE)
    assert not keeps_bias_symmetry(5, "pm1", True, Prior("uniform"))  # weights 1/sqrt(5)
    assert keeps_bias_symmetry(4, "pm1", True, Prior("uniform", sigma_w=2))  # 2 / sqrt(4) = 1
    assert not keeps_bias_symmetry(5, "pm1", True, Prior("uniform", sigma_b="1/2", fan_in_scaling=False))
    # 01 inputs keep only input permutations: the table says so, and its orbits are the plain search's
    assert bn.exact_table(3, prior=CUBE, orbits=True).attrs["boolnet"]["symmetry"].startswith("S_3:")


def test_n7_cube_counts_sums_and_representatives(n7_cube):
    meta = n7_cube.attrs["boolnet"]
    assert len(n7_cube) == A001532[7] == meta["orbits"]
    assert int(n7_cube.orbit_size.sum()) == A000609[7] == meta["functions"]
    total = sum(Fraction(p) * int(k) for p, k in zip(n7_cube.probability_exact, n7_cube.orbit_size))
    assert total == 1 and meta["probability_sum_exact"] == "1"
    # each row's function is its orbit's representative: non-negative, ordered weights, bias <= 0 ...
    for name in n7_cube.function.sample(50, random_state=0):
        c = chow_parameters(np.frombuffer(name.encode(), dtype=np.uint8) - ord("0"), 7)
        assert all(c[:-1][k] >= c[:-1][k + 1] for k in range(6)) and c[6] >= abs(c[-1]) and c[-1] <= 0
        assert representative_of(name) == name
    # ... and the orbits are distinct (their sorted |Chow| differ)
    keys = {tuple(sorted(np.abs(chow_parameters(np.frombuffer(f.encode(), dtype=np.uint8) - ord("0"), 7))))
            for f in n7_cube.function}
    assert len(keys) == len(n7_cube)


def test_n7_cube_against_monte_carlo(n7_cube):
    """4e5 parameter vectors uniform on [-1, 1]^8: how often each orbit's functions come up against size * volume."""
    a = augmented_inputs(7, "pm1", True).astype(np.float64)
    rng = np.random.default_rng(7)
    key_of = {}
    for row, (name, p, size) in enumerate(zip(n7_cube.function, n7_cube.probability, n7_cube.orbit_size)):
        c = chow_parameters(np.frombuffer(name.encode(), dtype=np.uint8) - ord("0"), 7)
        key_of[tuple(sorted(np.abs(c).tolist(), reverse=True))] = (float(p) * int(size), name)
    counts, draws = Counter(), 0
    for _ in range(8):
        theta = rng.uniform(-1, 1, size=(50_000, 8))
        signs = np.where(theta @ a.T > 0, 1, -1)
        chow = np.sort(np.abs(signs @ a.astype(np.int64)), axis=1)[:, ::-1]
        counts.update(map(tuple, chow.tolist()))
        draws += len(theta)
    assert set(counts) <= set(key_of), "a sampled function is in no orbit of the table"
    z = [(counts[k] - draws * m) / np.sqrt(draws * m * (1 - m)) for k, (m, _) in key_of.items() if draws * m > 30]
    assert len(z) > 100
    assert max(abs(v) for v in z) < 5 and abs(np.mean(z)) < 0.3 and 0.7 < np.std(z) < 1.3


def test_expand_orbit_lists_the_members_with_the_orbits_values(n7_cube):
    t3 = bn.exact_table(3, prior=CUBE, encoding="pm1", orbits=True)
    per_function = bn.exact_table(3, prior=CUBE, encoding="pm1")
    expanded = [expand_orbit(t3, rep) for rep in t3.function]
    rows = {(f, p) for e in expanded for f, p in zip(e.function, e.probability_exact)}
    assert rows == set(zip(per_function.function, per_function.probability_exact))
    assert all(len(e) == k for e, k in zip(expanded, t3.orbit_size))
    # n = 7: an orbit of 1,792 functions, each a distinct threshold function with the representative's |Chow|
    rep = n7_cube.function[n7_cube.orbit_size == 1792].iloc[0]
    members = expand_orbit(n7_cube, rep)
    assert len(set(members.function)) == 1792 and (members.orbit == rep).all()
    assert {representative_of(f) for f in members.function.sample(40, random_state=1)} == {rep}
    with pytest.raises(BoolnetError, match="representative"):
        expand_orbit(t3, "11111111")
    with pytest.raises(BoolnetError, match="one row per orbit"):
        expand_orbit(per_function, "00000001")


def test_n7_refusals_say_what_works(run_cli):
    for argv, words in [(["--n", "7"], ["--encoding pm1", "no-fan-in-scaling"]),
                        (["--n", "7", "--encoding", "pm1", "--prior", "uniform"], ["sqrt(7)", "sigma_b"]),
                        (["--n", "7", "--encoding", "pm1", "--prior", "uniform", "--no-fan-in-scaling"], ["--orbits"])]:
        status, _, err = run_cli("exact", *argv)
        assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert all(w in err for w in words), err



def test_n7_kill_9_and_resume_gives_the_uninterrupted_table(tmp_path, n7_cube, kill_after_first_save):
    """The issue's command, killed with SIGKILL after its first checkpoint, then resumed: the committed table, bit
    for bit."""
    ckpt, out = tmp_path / "n7.ckpt", tmp_path / "n7.parquet"
    cmd = [sys.executable, "-m", "boolnet.cli", "exact", "--n", "7", "--encoding", "pm1", "--prior", "uniform",
           "--no-fan-in-scaling", "--orbits", "--checkpoint", str(ckpt), "--checkpoint-interval", "1", "--quiet",
           "-o", str(out)]
    killed_at = kill_after_first_save(cmd, ckpt, ROOT, timeout=300)
    assert 0 < killed_at < len(n7_cube) and not out.exists()
    resumed = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    table = bn.read_table(out)
    assert table.attrs["boolnet"]["resumed_orbits"] >= killed_at
    for column in n7_cube.columns:
        x, y = table[column].to_numpy(), n7_cube[column].to_numpy()
        assert (x.tobytes() == y.tobytes()) if x.dtype.kind == "f" else (x == y).all(), column


def test_sampled_members_are_uniform_over_the_orbit():
    """Chi-square of 20,000 draws against the uniform law on the orbit's listed members (n = 4, largest orbit)."""
    from scipy import stats

    from boolnet.functions import string_from_bits

    orbit = max(self_dual_orbits(4), key=lambda o: o.size)
    members = orbit.member_strings()
    draws = Counter(string_from_bits(b) for b in orbit.sample_members(20_000, np.random.default_rng(3)))
    assert set(draws) == set(members)
    observed = np.array([draws[m] for m in members])
    assert stats.chisquare(observed).pvalue > 1e-3
