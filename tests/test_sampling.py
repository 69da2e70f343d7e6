"""Sampler and grid enumerator: kernels, statistics, determinism, exact grids, bad input.

Oracles: a plain float64 NumPy forward pass (kernels), scipy's normal/uniform
CDFs (random numbers), boolnet.exact.exact_table (sampled perceptron
frequencies), brute force over Fractions (grid enumeration), and uninterrupted
runs (resume and thread-count invariance).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from boolnet import functions as F
from boolnet.cli import main
from boolnet.errors import UsageError
from boolnet.priors import Prior
from boolnet.sampling import enumerate_table, parse_arch, sample_table
from boolnet.sampling import _kernels as K
from boolnet.sampling import _rng as R
from boolnet.sampling import sampler
from boolnet.sampling.network import NetworkSpec
from boolnet.tables import read_table

ACTS = {
    "relu": lambda a: np.maximum(a, 0.0),
    "tanh": np.tanh,
    "step": lambda a: (a > 0).astype(np.float64),  # step(0) = 0
    "sign": np.sign,  # sign(0) = 0
    "linear": lambda a: a,
}


def _smallest_nonzero(a):
    a = np.abs(a[a != 0])
    return a.min() if a.size else np.inf


def numpy_forward(spec: NetworkSpec, theta: np.ndarray):
    """Plain float64 forward pass of one network on all inputs.

    Returns the 0/1 truth table and the smallest nonzero |pre-activation| among
    the values whose sign decides the output (output unit; hidden units for
    step/sign), used to leave out samples that float32 rounding could flip.
    Exact zeros are structural (input 0...0 without biases in the 01 encoding)
    and are exactly 0 in float32 too.
    """
    x = F.inputs(spec.arch.n, spec.encoding, dtype=np.float64)
    layers = spec.split(theta.astype(np.float64))
    h = x
    margin = np.inf
    for index, (W, b) in enumerate(layers):
        a = h @ W + (b if b is not None else 0.0)
        if index < len(layers) - 1:
            if spec.activation in ("step", "sign"):
                margin = min(margin, _smallest_nonzero(a))
            h = ACTS[spec.activation](a)
        else:
            margin = min(margin, _smallest_nonzero(a))
            return (a[:, 0] > 0).astype(np.uint8), margin


@pytest.mark.parametrize("activation", list(ACTS))
@pytest.mark.parametrize("encoding", ["01", "pm1"])
@pytest.mark.parametrize("bias", [True, False])
def test_kernel_truth_tables_match_numpy(activation, encoding, bias):
    rng = np.random.default_rng(hash((activation, encoding, bias)) % 2**32)
    archs = [f"{n}-1" for n in range(1, 8)] + [f"{n}-3-1" for n in range(1, 8)] + ["7-5-4-1", "3-2-3-2-1"]
    compared = 0
    for arch in archs:
        spec = NetworkSpec(arch, activation, encoding, bias)
        thetas = rng.standard_normal((40, spec.n_parameters)).astype(np.float32)
        got = K.tables_from_parameters(thetas, *spec.kernel_args())
        for theta, words in zip(thetas, got):
            bits, margin = numpy_forward(spec, theta)
            if margin < 1e-3:  # float32 vs float64 may differ this close to a tie
                continue
            expected = F.pack_bits(bits)
            assert words[: len(expected)].tolist() == expected.tolist(), (arch, theta)
            assert spec.arch.n == 7 or words[1] == 0
            compared += 1
    assert compared > 0.9 * 40 * len(archs)


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
    exact, _ = exact_table(3, prior, encoding, bias)
    samples = 200_000
    df, _ = sample_table("3-1", prior=prior, encoding=encoding, bias=bias, samples=samples, seed=7, progress=False)
    assert _chi_square_pvalue(df, exact, samples) > 1e-4


def test_perceptron_n3_gaussian_matches_exact_engine():
    from boolnet.exact import exact_table

    prior = Prior()
    exact, _ = exact_table(3, prior)
    samples = 200_000
    df, _ = sample_table("3-1", prior=prior, samples=samples, seed=8, progress=False)
    assert _chi_square_pvalue(df, exact, samples) > 1e-4


def test_uniform_cube_symmetries():
    # Exact facts for the uniform cube prior: the two constants are the most
    # probable functions, and members of a symmetry orbit are equally likely.
    prior = Prior("uniform", 1, 1, fan_in_scaling=False)
    df, meta = sample_table("3-1", prior=prior, samples=100_000, seed=3, progress=False)
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
    assert np.all((df["ci_low"] <= df["probability"]) & (df["probability"] <= df["ci_high"]))
    assert meta["good_turing_unseen_mass"] == np.count_nonzero(df["count"] == 1) / 100_000


def _counts(df):
    return dict(zip(df["function"], df["count"]))


def test_same_counts_for_threads_and_chunk_sizes(monkeypatch):
    options = dict(activation="relu", samples=5 * R.BLOCK_SIZE + 123, seed=11, progress=False)
    one, _ = sample_table("4-3-1", threads=1, **options)
    two, _ = sample_table("4-3-1", threads=2, **options)
    monkeypatch.setattr(sampler, "CHUNK_SECONDS", 0.0)  # smallest chunks: one block per worker
    small, _ = sample_table("4-3-1", threads=2, **options)
    assert _counts(one) == _counts(two) == _counts(small)
    assert one["count"].sum() == options["samples"]


def test_resume_after_interruption_gives_uninterrupted_counts(tmp_path):
    options = dict(activation="tanh", encoding="pm1", samples=7 * R.BLOCK_SIZE + 5, seed=4, progress=False)
    spec = NetworkSpec("5-4-1", "tanh", "pm1", True)
    meta = sampler.run_metadata(spec, Prior(), 4, options["samples"])
    reference, _ = sample_table("5-4-1", **options)
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        sampler.sample_counts(spec, Prior(), samples=options["samples"], seed=4, threads=2, checkpoint=path,
                              checkpoint_interval=0.0, progress=False, fingerprint=meta,
                              stop_after=2 * R.BLOCK_SIZE)
    assert path.exists()
    resumed, _ = sample_table("5-4-1", checkpoint=path, threads=1, **options)
    assert _counts(resumed) == _counts(reference)
    with pytest.raises(UsageError, match="different options"):
        sample_table("5-4-1", checkpoint=path, **dict(options, seed=5))


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
    df, meta = enumerate_table(arch, grid=grid, activation=activation, encoding=encoding, bias=bias,
                               progress=False)
    from boolnet.sampling.grid import parse_grid

    expected = _brute_force_grid(arch, parse_grid(grid), activation, encoding, bias)
    assert _counts(df) == expected
    assert meta["grid_size"] == sum(expected.values())
    assert meta["arithmetic"].startswith("exact")
    assert np.allclose(df["probability"], df["count"] / meta["grid_size"])


@pytest.mark.parametrize("argv,fragment", [
    (["sample", "--arch", "7-x-1", "--samples", "10"], "malformed"),
    (["sample", "--arch", "8-1", "--samples", "10"], "1 <= n <= 7"),
    (["sample", "--arch", "3-1", "--samples", "0"], "> 0"),
    (["sample", "--arch", "3-1", "--samples", "10", "--sigma-w", "-1"], "sigma-w"),
    (["sample", "--arch", "3-2-1", "--samples", "10", "--activation", "gelu"], "unknown activation"),
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
    df, meta = read_table(out)
    assert list(df.columns) == ["function", "count", "probability", "ci_low", "ci_high"]
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
    from boolnet.sampling.counts import _row_order

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
