"""The sampler's vectorised transcendental kernels: Box-Muller normals and tanh.

Oracles: the same formulas in float64 NumPy (from the same random words), scipy's
normal distribution (moments, Kolmogorov-Smirnov, tail frequencies) and NumPy's
float64 ``tanh``. The stated error bounds (docs/sampling.md) are the asserted ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from boolnet.sampling import _rng as R
from boolnet.sampling._network_kernels import tanh_array
from boolnet.sampling._simd import NORMAL_LANES, normal_pairs

#: Stated bounds: Box-Muller normals within 3 ulps of their radius (of the float64 value from the same
#: words); tanh within 1.5 ulps of the float64 tanh of the same float32 input (1.33 the largest over all float32).
NORMAL_ULPS_OF_RADIUS = 3.0
TANH_ULPS = 1.5


@njit(cache=True)
def _box_muller(words):
    n = words.shape[0] // 2
    padded = np.zeros(words.shape[0] + 4 * NORMAL_LANES, np.uint32)
    padded[: words.shape[0]] = words
    out = np.empty(2 * n, np.float32)
    for q0 in range(0, n, NORMAL_LANES):
        normal_pairs(padded, q0, out, 2 * q0, 2 * n - 2 * q0)
    return out


def reference_normals(words):
    """float64 Box-Muller from the words, as documented in ``_simd.normal_pairs``; also the radii."""
    lo = words[0::2].astype(np.int64)
    hi = words[1::2].astype(np.int64)
    v = ((((hi & 127) << 32) | lo) + 0.5) * 2.0**-40
    r = np.sqrt(-2 * np.where((hi & 128) != 0, np.log1p(-v), np.log(v)))
    j = hi >> 8
    angle = ((j >> 22) + ((j & 0x3FFFFF) + 0.5) * 2.0**-22 - 0.5) * (np.pi / 2)
    out = np.empty(2 * len(lo))
    out[0::2], out[1::2] = r * np.cos(angle), r * np.sin(angle)
    return out, np.repeat(r, 2)


def _check_against_reference(words):
    z = _box_muller(words).astype(np.float64)
    ref, radius = reference_normals(words)
    ulps = np.abs(z - ref) / np.spacing(radius.astype(np.float32)).astype(np.float64)
    assert ulps.max() <= NORMAL_ULPS_OF_RADIUS, (ulps.max(), ref[ulps.argmax()])
    return z


def test_normals_match_float64_box_muller_including_extreme_words():
    rng = np.random.default_rng(0)
    words = rng.integers(0, 2**32, 2 * 300_000, dtype=np.uint64).astype(np.uint32)
    # Extremes: the largest radius (k = 0), radii near 0 from both halves, every quarter turn's ends.
    extremes = []
    for lo in (0, 1, 0xFFFF, 0xFFFFFFFF):
        for hi_low in (0, 127, 128, 255):
            for angle in (0, 1, 0x3FFFFF, 0x400000, 0xFFFFFF):
                extremes += [lo, (angle << 8) | hi_low]
    words = np.concatenate([np.array(extremes, np.uint32), words])
    z = _check_against_reference(words)
    assert np.isfinite(z).all()
    assert np.abs(z).max() <= np.sqrt(2 * 41 * np.log(2)) + 1e-5
    # A partial group writes only the valid outputs.
    out = np.full(2 * NORMAL_LANES, 7.0, np.float32)
    padded = np.zeros(8 * NORMAL_LANES, np.uint32)
    padded[:6] = words[:6]

    @njit
    def partial(w, o):
        normal_pairs(w, 0, o, 0, 5)

    partial(padded, out)
    assert (out[5:] == 7.0).all() and np.array_equal(out[:5], _box_muller(words[:16])[:5])


def test_normal_moments_and_parameter_stream():
    key0, key1 = R.seed_keys(2024)
    scales = np.ones(2001, np.float32)
    z = R.draw_block_parameters(key0, key1, 3, 500, scales, True).ravel().astype(np.float64)  # 1e6 normals
    se = 1 / np.sqrt(z.size)
    assert abs(z.mean()) < 5 * se
    assert abs(z.var() - 1) < 5 * np.sqrt(2) * se
    assert abs(stats.skew(z)) < 5 * np.sqrt(6) * se
    assert abs(stats.kurtosis(z)) < 5 * np.sqrt(24) * se
    # Odd P: the last pair's second normal is dropped; the stream is ceil(P / 2) 64-bit outputs per sample.
    odd = R.draw_block_parameters(key0, key1, 3, 2, np.full(7, 2.0, np.float32), True)
    even = R.draw_block_parameters(key0, key1, 3, 1, np.ones(8, np.float32), True)
    assert np.array_equal(odd[0], 2 * even[0, :7])


@pytest.mark.slow
def test_normals_at_1e8_draws_ks_and_tails():
    key0, key1 = R.seed_keys(99)
    scales = np.ones(10_000, np.float32)
    zs = [R.draw_block_parameters(key0, key1, b, 1000, scales, True).ravel() for b in range(10)]
    z = np.concatenate(zs).astype(np.float64)
    assert z.size == 10**8
    assert stats.kstest(z[::10], "norm").pvalue > 1e-3
    assert stats.kstest(z, "norm").pvalue > 1e-4
    a = np.abs(z)
    for t in (2.0, 3.0, 4.0, 4.5, 5.0, 5.5):
        expected = 2 * stats.norm.sf(t) * z.size
        observed = np.count_nonzero(a > t)
        assert abs(observed - expected) < 5 * np.sqrt(expected) + 2, (t, observed, expected)
    assert a.max() <= 7.55


@njit(cache=True)
def _all_positive_floats_max_ulps(start, stop):
    worst = 0.0
    x = np.empty(1 << 16, np.int32)
    for base in range(start, stop, 1 << 16):
        for i in range(1 << 16):
            x[i] = base + i
        f = x.view(np.float32)
        t = tanh_array(f)
        for i in range(1 << 16):
            ref = np.tanh(np.float64(f[i]))
            if not np.isfinite(ref):
                continue
            r32 = np.float32(abs(ref))
            ulp = np.float64(np.nextafter(r32, np.float32(np.inf)) - r32)
            if ulp == 0.0:
                continue
            e = abs(np.float64(t[i]) - ref) / ulp
            if e > worst:
                worst = e
    return worst


def test_tanh_dense_sweep_within_stated_ulps():
    x = np.concatenate([np.linspace(-12, 12, 1_000_001), 10.0 ** np.linspace(-40, 1.2, 300_000),
                        0.625 + np.arange(-3000, 3000) * 1e-7]).astype(np.float32)
    x = np.concatenate([x, -x])
    t = tanh_array(x)
    ref = np.tanh(x.astype(np.float64))
    ulps = np.abs(t - ref) / np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert ulps.max() <= TANH_ULPS, (ulps.max(), x[ulps.argmax()])
    assert np.array_equal(t[: len(t) // 2], -t[len(t) // 2:])  # odd, exactly
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, 20, -9.5], np.float32)
    got = tanh_array(special)
    assert np.array_equal(np.signbit(got[:2]), [False, True]) and got[2] == 1 and got[3] == -1
    assert np.isnan(got[4]) and got[5] == np.float32(1e-45) and got[6] == 1 and got[7] == -1
    # Partial groups of lanes: every length 1..17 gives the same values as full groups.
    for m in range(1, 18):
        assert np.array_equal(tanh_array(x[:m]), t[:m])
    x64 = x[::1000].astype(np.float64)  # grids: float64, the platform tanh
    assert np.allclose(tanh_array(x64), np.tanh(x64), rtol=1e-15, atol=0)


@pytest.mark.slow
def test_tanh_all_float32_within_stated_ulps():
    # tanh is odd by construction (sign bit copied), so the positive floats (bit patterns 0 .. 0x7f800000) cover all.
    assert _all_positive_floats_max_ulps(0, 0x7F800000) <= TANH_ULPS


@njit(cache=True)
def _one_by_one_and_batched(key0, key1, scales, gaussian, count):
    P = scales.shape[0]
    s = np.empty(4, np.uint64)
    R.seed_block(s, key0, key1, 2)
    single = np.empty((count, P), np.float32)
    words = R.scratch_words(P)
    for i in range(count):
        R.fill_parameters(s, scales, gaussian, single[i], words)
    R.seed_block(s, key0, key1, 2)
    flat = np.empty(count * P, np.float32)
    bw, bz = R.batch_scratch(P, R.BATCH)
    first = 0
    while first < count:
        k = min(R.BATCH, count - first)
        R.fill_batch(s, scales, gaussian, flat[first * P:], k, bw, bz)
        first += k
    return single, flat.reshape(count, P)


@pytest.mark.parametrize("P", [1, 2, 3, 7, 8, 9, 17])
@pytest.mark.parametrize("gaussian", [True, False])
def test_batched_parameters_equal_one_by_one(P, gaussian):
    key0, key1 = R.seed_keys(5)
    scales = np.linspace(0.5, 2, P).astype(np.float32)
    single, batched = _one_by_one_and_batched(key0, key1, scales, gaussian, 3 * R.BATCH + 5)
    assert np.array_equal(single, batched)


@pytest.mark.parametrize("arch,prior", [("7-1", None), ("3-1", "uniform"), ("4-3-1", None)])
def test_sampler_counts_the_stream_of_draw_block_parameters(arch, prior):
    from collections import Counter

    from boolnet.network import NetworkSpec
    from boolnet.sampling.evaluate import truth_tables
    from boolnet.priors import Prior
    from boolnet.sampling import sample_table

    prior = Prior(prior, 1, 2) if prior else Prior()
    spec = NetworkSpec(arch, "relu", "01", True)
    samples = 3 * R.BLOCK_SIZE + 100  # one thread: one worker does several blocks
    key0, key1 = R.seed_keys(17)
    scales = spec.parameter_scales(prior)
    gaussian = prior.kind == "gaussian"
    thetas = np.concatenate([R.draw_block_parameters(key0, key1, b, min(R.BLOCK_SIZE, samples - b * R.BLOCK_SIZE),
                                                     scales, gaussian) for b in range(4)])
    expected = Counter(truth_tables(arch, thetas))
    df = sample_table(arch, prior=prior, samples=samples, seed=17, threads=1)
    assert dict(zip(df["function"], df["count"])) == dict(expected)
