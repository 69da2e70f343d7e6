"""Sampler and grid enumerator: statistics, determinism, exact grids, kernels, the schema, bad input.

Oracles: scipy's normal/uniform CDFs (random numbers), boolnet.exact.exact_table
(sampled perceptron frequencies), brute force over Fractions (grid enumeration),
exact rational sums (dense layers), NumPy (sort, vector helpers) and
uninterrupted runs (resume and thread-count invariance). The network kernels
against a NumPy forward pass are in test_network.py; faults (signals, failed
saves, damaged checkpoints) in test_sampling_driver.py and test_sampling_cli.py.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from boolnet import functions as F
from boolnet.cli import main
from boolnet.errors import BoolnetError, Interrupted
from boolnet.io import read_table
from boolnet.network import NetworkSpec
from boolnet.priors import Prior
from boolnet.sampling import _network_kernels as K
from boolnet.sampling import _rng as R
from boolnet import runs as driver
from boolnet.sampling import enumerate_table, parse_arch, sample_table
from boolnet.table.schema import check_volume_table

def test_ziggurat_and_uniform_distributions():
    key0, key1 = R.seed_keys(123)
    scales = np.ones(1001, np.float32)
    z = R.draw_block_parameters(key0, key1, 5, 300, scales, True).ravel().astype(np.float64)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    # Tails (the slow path) at the right rate: P(|Z| > 3.442619855899) = 5.76e-4.
    tail = np.mean(np.abs(z) > 3.442619855899)
    assert abs(tail - 2 * stats.norm.sf(3.442619855899)) < 5 * np.sqrt(5.76e-4 / z.size)
    u = R.draw_block_parameters(key0, key1, 6, 300, scales, False).ravel().astype(np.float64)
    assert stats.kstest(u, "uniform", args=(-1, 2)).pvalue > 1e-3
    assert u.min() > -1 and u.max() < 1


def _chi_square_pvalue(df, exact, samples):
    p = exact.set_index("function")["probability"]
    observed = df.set_index("function")["count"].reindex(p.index, fill_value=0)
    assert set(df["function"]) <= set(p.index), "sampled a function of zero exact probability"
    expected = p.to_numpy() * samples
    return stats.chisquare(observed.to_numpy(), expected * (observed.sum() / expected.sum())).pvalue


@pytest.mark.parametrize("encoding,bias", [("01", True), ("pm1", False)])
def test_perceptron_n3_uniform_matches_exact_engine(encoding, bias):
    from boolnet.exact import exact_table

    prior = Prior("uniform", 1, 1, fan_in_scaling=False)
    exact = exact_table(3, prior, encoding, bias)
    samples = 200_000
    df = sample_table("3-1", prior=prior, encoding=encoding, bias=bias, samples=samples, seed=7)
    assert _chi_square_pvalue(df, exact, samples) > 1e-4


def test_perceptron_n3_gaussian_matches_exact_engine():
    from boolnet.exact import exact_table

    prior = Prior()
    exact = exact_table(3, prior)
    samples = 200_000
    df = sample_table("3-1", prior=prior, samples=samples, seed=8)
    assert _chi_square_pvalue(df, exact, samples) > 1e-4


def test_uniform_cube_symmetries():
    # Exact facts for the uniform cube prior: the two constants are the most
    # probable functions, and members of a symmetry orbit are equally likely.
    prior = Prior("uniform", 1, 1, fan_in_scaling=False)
    df = sample_table("3-1", prior=prior, samples=100_000, seed=3)
    meta = df.attrs["boolnet"]
    counts = dict(zip(df["function"], df["count"]))
    assert set(df["function"][:2]) == {"00000000", "11111111"}
    seen = set()
    for f in counts:
        if f in seen:
            continue
        members = sorted(F.orbit(f))
        seen.update(members)
        observed = np.array([counts.get(g, 0) for g in members])
        if len(members) > 1 and observed.sum() >= 50:
            assert stats.chisquare(observed).pvalue > 1e-4, members
    # Wilson interval brackets the estimate; Good-Turing mass is the singleton share.
    assert np.all((df["probability_low"] <= df["probability"]) & (df["probability"] <= df["probability_high"]))
    assert meta["good_turing_unseen_mass"] == np.count_nonzero(df["count"] == 1) / 100_000


def _counts(df):
    return dict(zip(df["function"], df["count"]))


def test_same_counts_for_threads_and_chunk_sizes(monkeypatch):
    options = dict(activation="relu", samples=5 * R.BLOCK_SIZE + 123, seed=11)
    one = sample_table("4-3-1", threads=1, **options)
    two = sample_table("4-3-1", threads=2, **options)
    monkeypatch.setattr(driver, "CHUNK_SECONDS", 0.0)  # smallest chunks: one block per worker
    small = sample_table("4-3-1", threads=2, **options)
    assert _counts(one) == _counts(two) == _counts(small)
    assert one["count"].sum() == options["samples"]


def test_resume_after_interruption_gives_uninterrupted_counts(tmp_path):
    options = dict(activation="tanh", encoding="pm1", samples=7 * R.BLOCK_SIZE + 5, seed=4)
    reference = sample_table("5-4-1", **options)
    path = tmp_path / "run.ckpt"
    with pytest.raises(Interrupted) as info:
        sample_table("5-4-1", threads=2, checkpoint=path, checkpoint_interval=1e-9, _stop_after=2 * R.BLOCK_SIZE,
                     **options)
    exc = info.value
    assert path.exists() and exc.checkpoint == str(path) and exc.signal_name == "SIGINT"
    assert 2 * R.BLOCK_SIZE <= exc.done < options["samples"] and exc.total == options["samples"]
    assert "counts saved to checkpoint" in str(exc)
    # The partial table: schema columns, counts of the samples done, probabilities over them.
    partial = exc.partial
    check_volume_table(partial, "partial")
    assert partial["count"].sum() == exc.done == partial.attrs["boolnet"]["samples_done"]
    assert np.allclose(partial["probability"], partial["count"] / exc.done)
    resumed = sample_table("5-4-1", checkpoint=path, threads=1, **options)
    assert _counts(resumed) == _counts(reference)
    assert resumed.attrs["boolnet"]["resumed_from"] == exc.done
    with pytest.raises(BoolnetError, match="different options") as info:
        sample_table("5-4-1", checkpoint=path, **dict(options, seed=5))
    assert "seed: 4 there, 5 here" in str(info.value)


def test_sample_table_schema_and_metadata():
    df = sample_table("3-2-1", samples=3 * R.BLOCK_SIZE, seed=2, threads=2)
    assert df.columns.tolist() == ["function", "probability", "probability_low", "probability_high", "count"]
    check_volume_table(df, "sampled")
    meta = df.attrs["boolnet"]
    assert meta["volume_method"] == "sampled" and meta["unit"] == "samples" and meta["n"] == 3
    assert meta["samples_done"] == meta["samples"] == df["count"].sum()
    for key in ("seconds", "volume_seconds", "per_second"):
        assert meta[key] > 0
    assert meta["distinct"] == len(df) and meta["threads"] == 2 and meta["architecture"] == "3-2-1"
    assert "samples_per_second" not in meta and "elapsed_seconds" not in meta
    grid = enumerate_table("2-1", grid="-1:1")
    assert grid.columns.tolist() == df.columns.tolist()
    check_volume_table(grid, "grid")
    gmeta = grid.attrs["boolnet"]
    assert gmeta["volume_method"] == "grid" and gmeta["unit"] == "grid points"
    assert gmeta["grid_points_done"] == gmeta["grid_size"] == 27 == grid["count"].sum()
    assert (grid["probability_low"] == grid["probability"]).all()
    assert (grid["probability_high"] == grid["probability"]).all()


def test_interrupted_grid_carries_bounds_for_the_whole_grid(monkeypatch):
    real_drive = driver.drive

    def stopping_drive(*args, **kwargs):
        return real_drive(*args, **dict(kwargs, stop_after=1))

    import boolnet.sampling.grid as grid_module

    monkeypatch.setattr(grid_module, "drive", stopping_drive)
    with pytest.raises(Interrupted) as info:
        enumerate_table("2-2-1", grid="-1:1", threads=1)  # stops after the first chunk (4096 points)
    exc = info.value
    monkeypatch.setattr(grid_module, "drive", real_drive)
    full = enumerate_table("2-2-1", grid="-1:1")
    size = 3**9
    assert exc.total == size and 0 < exc.done < size
    partial = exc.partial.set_index("function")
    check_volume_table(exc.partial, "partial grid")
    for f, p in zip(full["function"], full["probability"]):
        if f in partial.index:
            assert partial.loc[f, "probability_low"] <= p <= partial.loc[f, "probability_high"]


@pytest.mark.parametrize("kwargs,param,fragment", [
    (dict(samples=0), "samples", "samples must be a whole number from 1"),
    (dict(samples="abc"), "samples", "samples must be a whole number"),
    (dict(samples=1.5), "samples", "samples must be a whole number"),
    (dict(samples=10, seed=-5), "seed", "seed must be"),
    (dict(samples=10, threads=0), "threads", "threads must be a whole number from 1 to 256"),
    (dict(samples=10, threads="x"), "threads", "threads must be a whole number"),
    (dict(samples=10, checkpoint_interval=float("nan")), "checkpoint_interval", "finite number of seconds > 0"),
    (dict(samples=10, checkpoint_interval=float("inf")), "checkpoint_interval", "finite"),
    (dict(samples=10, checkpoint_interval=0), "checkpoint_interval", "> 0"),
    (dict(samples=10, checkpoint_interval=-1), "checkpoint_interval", "> 0"),
    (dict(samples=10, activation="gelu"), "activation", "is unknown"),
    (dict(samples=10, prior=3), "prior", "Prior"),
    (dict(samples=10, prior="sphere"), "prior", "'cube'"),
    (dict(samples=10, seed="1" * 5000), "seed", "whole number"),
    (dict(samples=10, checkpoint="/no/such/dir/c.ckpt"), "checkpoint", "does not exist"),
])
def test_sample_table_bad_input_names_the_parameter(kwargs, param, fragment):
    with pytest.raises(BoolnetError) as info:
        sample_table("3-1", **kwargs)
    assert info.value.param == param and fragment in str(info.value), str(info.value)


def _brute_force_grid(arch, grid_values, activation, encoding, bias):
    """Exact counts over the grid with Fractions (ties decided exactly)."""
    spec = NetworkSpec(arch, activation, encoding, bias)
    x = F.inputs(spec.arch.n, encoding, dtype=np.int64).tolist()
    act = {"relu": lambda v: max(v, 0), "step": lambda v: int(v > 0), "sign": lambda v: (v > 0) - (v < 0),
           "linear": lambda v: v}[activation]
    counts = {}
    for theta in itertools.product(grid_values, repeat=spec.n_parameters):
        theta = np.array(theta, dtype=object)
        bits = []
        for xi in x:
            h = [Fraction(v) for v in xi]
            layers = spec.split(theta)
            for index, (W, b) in enumerate(layers):
                pre = [sum(h[k] * W[k, j] for k in range(len(h))) + (b[j] if b is not None else 0)
                       for j in range(W.shape[1])]
                h = pre if index == len(layers) - 1 else [act(v) for v in pre]
            bits.append("1" if h[0] > 0 else "0")
        f = "".join(bits)
        counts[f] = counts.get(f, 0) + 1
    return counts


@pytest.mark.parametrize("arch,grid,activation,encoding,bias", [
    ("2-1", "-1:1:0.5", "relu", "01", True),
    ("3-1", "-1:1", "relu", "pm1", False),
    ("2-2-1", "-1:1", "relu", "01", False),
    ("1-2-1", "-1:1", "relu", "pm1", True),
    ("2-2-1", "-0.5:1:0.5", "step", "pm1", False),
    ("1-2-1", "-1:1", "sign", "01", True),
    ("2-1-1", "-1:1:1", "linear", "01", True),
    # Integers too large for float32 take the float64 kernels (13 s more numba compilation, so marked slow).
    pytest.param("2-1", "-3000000:3000000:2000000", "relu", "pm1", True, marks=pytest.mark.slow),
])
def test_grid_enumeration_matches_brute_force(arch, grid, activation, encoding, bias):
    df = enumerate_table(arch, grid=grid, activation=activation, encoding=encoding, bias=bias)
    meta = df.attrs["boolnet"]
    from boolnet.sampling.grid import parse_grid

    expected = _brute_force_grid(arch, parse_grid(grid), activation, encoding, bias)
    assert _counts(df) == expected
    assert meta["grid_size"] == sum(expected.values())
    assert meta["arithmetic"].startswith("exact")
    assert np.allclose(df["probability"], df["count"] / meta["grid_size"])


@pytest.mark.parametrize("argv,fragment", [
    (["sample", "--arch", "7-x-1", "--samples", "10"], "malformed"),
    (["sample", "--arch", "8-1", "--samples", "10"], "1 <= n <= 7"),
    (["sample", "--arch", "3-1", "--samples", "0"], "from 1 to 10**15"),
    (["sample", "--arch", "3-1", "--samples", "10", "--sigma-w", "-1"], "sigma-w"),
    (["sample", "--arch", "3-2-1", "--samples", "10", "--activation", "gelu"], "is unknown"),
    (["sample", "--arch", "3-1", "--samples", "10", "-o", "/no/such/dir/t.csv"], "does not exist"),
    (["enumerate", "--arch", "7-40-1", "--grid", "-1:1"], "points"),
    (["enumerate", "--arch", "2-1", "--grid", "1:0"], "HI must be"),
])
def test_bad_input_is_one_line_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and fragment in err and "Traceback" not in err


def test_cli_writes_table_with_metadata(tmp_path, capsys):
    out = tmp_path / "t.parquet"
    assert main(["sample", "--arch", "2-1", "--samples", "3e4", "--seed", "2", "--quiet", "-o", str(out)]) == 0
    df = read_table(out)
    meta = df.attrs["boolnet"]
    assert list(df.columns) == ["function", "probability", "probability_low", "probability_high", "count"]
    assert df["count"].sum() == 30000 and meta["samples"] == 30000 and meta["seed"] == 2
    assert meta["architecture"] == "2-1" and meta["prior"] == "gaussian" and "boolnet_version" in meta
    assert parse_arch("7-40-40-1").n_parameters() == 2001


def _round_exact(q: Fraction, dtype):
    """The rational ``q`` rounded to nearest (ties to even) in ``dtype``: an exact oracle for fma."""
    if q == 0:
        return dtype(0.0)
    nearest = np.float64(float(q))  # int / int true division: correctly rounded to float64
    if dtype is np.float64:
        return nearest
    r = np.float32(nearest)
    candidates = [r, np.nextafter(r, np.float32(np.inf)), np.nextafter(r, np.float32(-np.inf))]
    return min(candidates, key=lambda c: (abs(Fraction(float(c)) - q), int(np.array(c).view(np.uint32)) & 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 7])
def test_dense_layer_bit_for_bit_against_exact_fused_sums(dtype, n):
    """Every dense-layer output is ``fma(x_k, w_k, ...fma(x_0, w_0, b))``, each step rounded once.

    Oracle: the same left-to-right sum in exact rational arithmetic, rounded to
    the dtype after every term (what an IEEE fused multiply-add does). Rows of
    zeros on some blocks check that the live lists leave out only zero terms.
    """
    rng = np.random.default_rng(n)
    N = 1 << n
    for fan_in, width, bias in [(40, 40, True), (7, 5, False), (3, 9, True), (13, 1, True)]:
        widths = np.array([n, fan_in, width], np.int64)
        buf_a, buf_b, live = K.make_buffers(widths, dtype)
        src = rng.standard_normal((fan_in, N)).astype(dtype)
        src[rng.random((fan_in, N)) < 0.4] = 0  # relu-like zeros
        src[1, :] = 0  # a unit that is 0 everywhere
        buf_a[:fan_in] = src
        K._activate_rows(buf_a, fan_in, N, 4, live)  # linear: values unchanged, live lists built
        theta = rng.standard_normal(fan_in * width + width).astype(dtype)
        b_off = fan_in * width if bias else -1
        K._dense(theta, fan_in, width, 0, b_off, buf_a, live, K.block_size(N, buf_a.itemsize), buf_b, N)
        for _ in range(60):
            j, i = int(rng.integers(width)), int(rng.integers(N))
            total = theta[b_off + j] if bias else dtype(0)
            for k in range(fan_in):
                total = _round_exact(Fraction(float(src[k, i])) * Fraction(float(theta[k * width + j]))
                                     + Fraction(float(total)), dtype)
            assert buf_b[j, i] == total, (fan_in, width, j, i)


def test_row_order_equals_numpy_lexsort():
    """The radix-sorted row order is NumPy's lexsort by (-count, word 1, word 0), ties and big counts included."""
    from boolnet.table.build import row_order as _row_order

    rng = np.random.default_rng(3)
    for m in (0, 1, 7, 5000):
        words = rng.integers(0, 2**63, (m, 2), dtype=np.uint64)
        words[: m // 2, 1] = rng.integers(0, 3, m // 2).astype(np.uint64)  # many equal second words
        words[m // 3 :, 0] &= np.uint64(0xFFFF)  # and small first words
        counts = rng.geometric(0.3, m).astype(np.int64)
        counts[: min(m, 3)] = [2**40, 2**40, 70000][: min(m, 3)]
        expected = np.lexsort((words[:, 0], words[:, 1], -counts))
        assert _row_order(words, counts).tolist() == expected.tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vector_helpers_against_numpy(dtype):
    """The LLVM vector helpers of boolnet.sampling._simd against plain NumPy (same roundings, same compares)."""
    from numba import njit

    from boolnet.sampling import _simd as S

    @njit
    def run(low, high, values, threshold, w, out, table):
        S.subset_sums16(low, low[0], w[0], w[1], w[2], w[3])
        S.outer_sum_row(out, 1, high, high.shape[0], low)
        S.prefetch_row(table, 3)  # a hint only: must change nothing
        return S.mask16_greater(values, 2, threshold)

    rng = np.random.default_rng(11)
    for _ in range(50):
        start = dtype(rng.standard_normal())
        w = rng.standard_normal(4).astype(dtype)
        low = np.zeros(16, dtype)
        low[0] = start
        high = rng.standard_normal(8).astype(dtype)
        values = rng.standard_normal(20).astype(dtype)
        values[5] = 0.25  # equal to the threshold: not greater
        out = np.zeros((3, 128), dtype)
        table = np.arange(12, dtype=np.uint64).reshape(4, 3)
        mask = run(low, high, values, dtype(0.25), w, out, table)
        expected = np.zeros(16, dtype)
        for lane in range(16):  # the recurrence low[l] = low[l & (l - 1)] + w[lowest set bit of l]
            if lane:
                p = (lane & -lane).bit_length() - 1
                expected[lane] = expected[lane & (lane - 1)] + w[p]
            else:
                expected[0] = start
        assert low.tolist() == expected.tolist()
        assert out[1].tolist() == (high[:, None] + expected[None, :]).ravel().tolist()
        assert not out[0].any() and not out[2].any()
        assert mask == sum(1 << i for i in range(16) if values[2 + i] > dtype(0.25))
        assert table.ravel().tolist() == list(range(12))


@pytest.mark.slow
def test_same_counts_on_a_portable_target(tmp_path):
    """Counts do not depend on the machine: this host's kernels (16-lane dense blocks where it has AVX-512)
    against kernels compiled for a generic x86-64 (NUMBA_CPU_NAME=generic: 8-lane blocks, fused multiply-adds
    by the C library), in a fresh process with its own cache. Compiles everything again: a minute or more."""
    import json
    import os
    import subprocess
    import sys

    cases = [("7-40-40-1", "relu", 20000), ("7-64x10-1", "tanh", 1000), ("5-8-8-1", "tanh", 20000)]
    script = ("import json, sys\nfrom boolnet.sampling import sample_table\n"
              "from boolnet.sampling._simd import VECTOR_BYTES\n"
              f"out = {{}}\nfor arch, act, n in {cases!r}:\n"
              "    df = sample_table(arch, activation=act, samples=n, seed=3)\n"
              "    out[arch + act] = [df['function'].tolist(), df['count'].tolist()]\n"
              "print(json.dumps([VECTOR_BYTES, out]))\n")
    env = dict(os.environ, NUMBA_CPU_NAME="generic", NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    width, portable = json.loads(run.stdout.strip().splitlines()[-1])
    assert width == 32
    for arch, act, n in cases:
        df = sample_table(arch, activation=act, samples=n, seed=3)
        assert portable[arch + act] == [df["function"].tolist(), df["count"].tolist()], (arch, act)


@pytest.mark.parametrize("n", [3, 5, 6, 7])
def test_truth_table_strings_of_big_tables_against_numpy_bits(n):
    """Big tables get their strings from the threaded 8-characters-per-store kernel: the same as NumPy's bits."""
    from boolnet.table import build as CT

    m = CT.ARROW_STRINGS_ABOVE + 37
    rng = np.random.default_rng(n)
    words = rng.integers(0, 2**64 - 1, size=(m, 2), dtype=np.uint64, endpoint=True)
    if n < 7:
        words[:, 1] = 0
        words[:, 0] &= np.uint64(2 ** (1 << n) - 1)
    strings = CT.truth_table_strings(words, n)
    bits = np.unpackbits(words.astype("<u8").view(np.uint8).reshape(m, 16), axis=1, bitorder="little")
    for i in (0, 1, m // 2, m - 1):
        assert strings.iloc[i] == "".join(map(str, bits[i, : 1 << n]))
    assert len(strings) == m and set(strings.str.len()) == {1 << n}
