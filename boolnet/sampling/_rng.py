"""Random numbers for the sampler: xoshiro256** streams, one per block of samples.

Why our own generator: the kernels draw ~2000 parameters per 7-40-40-1 network,
inside numba, in parallel, and the counts must not depend on the thread count.
Each *block* of ``BLOCK_SIZE`` consecutive samples gets its own xoshiro256**
stream whose state depends only on ``(seed, block index)``; a block is always
processed from start to end by one thread, so the parameters of sample ``i``
depend only on the seed and ``i`` (and the run's options).

Seeding: ``numpy.random.SeedSequence(seed)`` gives two 64-bit keys; block ``b``
starts from ``mix(key1 ^ mix(key0 + b))`` (``mix`` is the SplitMix64 finaliser, a
bijection, so distinct blocks get distinct seeds), expanded to the 256-bit state
by four SplitMix64 steps (the seeding recommended by xoshiro's authors).

Normals (stream v2): the Box-Muller transform on ``NORMAL_LANES`` float32 lanes (16
where numba compiles for AVX-512, else 8; the lanes change no value), one 64-bit output per
pair of normals (40 bits for the radius, 24 for the angle), computed in float32
from exactly specified operations only (:func:`boolnet.sampling._simd.normal_pairs`),
so every machine gives the same bits and the tails are right to float32
resolution out to 7.54 standard deviations (probability 2**-41 per pair beyond).
Uniforms: ``((w >> 8) + 0.5) * 2**-24`` in (0, 1), exactly symmetric.
"""

from __future__ import annotations


import numpy as np
from numba import njit

from boolnet.sampling._simd import NORMAL_LANES, normal_pairs

#: Samples per RNG block; part of the estimator's definition (recorded in metadata).
BLOCK_SIZE = 4096
#: Name and version of the parameter stream, recorded in metadata and checkpoints.
RNG_NAME = "xoshiro256**/block4096/boxmuller40-float32 v2"

_M64 = np.uint64(0xFFFFFFFF)


@njit(inline="always", cache=True)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(inline="always", cache=True)
def splitmix_mix(z):
    """SplitMix64 finaliser (a bijection of uint64)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def seed_block(state, key0, key1, block):
    """Fill ``state`` (4 uint64) with the xoshiro256** state of block ``block``."""
    x = splitmix_mix(key1 ^ splitmix_mix(key0 + np.uint64(block)))
    for j in range(4):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        state[j] = splitmix_mix(x)


@njit(inline="always", cache=True)
def next_u64(s):
    """Next xoshiro256** output; advances ``s`` in place."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(inline="always", cache=True)
def uniform_pm1_from_u32(w):
    """Uniform in (-1, 1), float32, exactly symmetric: 2 * ((w >> 8) + 0.5) / 2**24 - 1."""
    return np.float32((np.int64(w >> np.uint64(8)) * 2 - 16777215)) * np.float32(2.0**-24)


@njit(inline="always", cache=True)
def _xoshiro_step(s0, s1, s2, s3):
    """One xoshiro256** step on a state held in registers: (output, s0, s1, s2, s3)."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(cache=True)
def scratch_words(P):
    """Scratch space for :func:`fill_parameters` with ``P`` parameters (room for whole groups of words)."""
    return np.zeros(2 * P + 4 * NORMAL_LANES, np.uint32)


@njit(cache=True)
def fill_parameters(s, scales, gaussian, out, words):
    """Draw ``out[p] = scales[p] * z_p`` (z standard normal or uniform on (-1, 1)), float32.

    First the 32-bit words: halves of ``ceil(P / 2)`` consecutive 64-bit outputs, low half first
    (``words`` is scratch from :func:`scratch_words`). Uniforms: word ``p`` gives ``z_p``. Normals: the
    two words of output ``q`` give the pair ``z_{2q}, z_{2q+1}`` by the vectorised Box-Muller transform
    :func:`boolnet.sampling._simd.normal_pairs` (8 or 16 pairs at a time; exactly specified operations only,
    so the same bits on every machine), then a vectorised pass multiplies by the scales.
    """
    P = out.shape[0]
    if words.shape[0] < 2 * P + 4 * NORMAL_LANES:
        raise ValueError("fill_parameters: words must come from scratch_words(P)")
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    for q in range((P + 1) // 2):
        r, s0, s1, s2, s3 = _xoshiro_step(s0, s1, s2, s3)
        words[2 * q] = np.uint32(r & _M64)
        words[2 * q + 1] = np.uint32(r >> np.uint64(32))
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    if not gaussian:
        for p in range(P):
            out[p] = scales[p] * uniform_pm1_from_u32(np.uint64(words[p]))
        return
    for q0 in range(0, (P + 1) // 2, NORMAL_LANES):
        normal_pairs(words, q0, out, 2 * q0, P - 2 * q0)
    for p in range(P):
        out[p] = scales[p] * out[p]


#: Samples per call of :func:`fill_batch` (small networks: perceptrons).
BATCH = 64


@njit(cache=True)
def batch_scratch(P, count):
    """Scratch ``(words, normals)`` for :func:`fill_batch` of ``count`` samples of ``P`` parameters."""
    size = 2 * ((P + 1) // 2) * count + 4 * NORMAL_LANES
    return np.zeros(size, np.uint32), np.zeros(size, np.float32)


@njit(cache=True)
def fill_batch(s, scales, gaussian, out, count, words, z):
    """The parameters of the next ``count`` samples into ``out[i * P + p]`` (flat rows of ``P``), from stream ``s``.

    Exactly the values of ``count`` calls of :func:`fill_parameters` (sample ``i`` takes the ``ceil(P / 2)``
    64-bit outputs after those of sample ``i - 1``), but the Box-Muller groups of pairs run across samples
    with whole-vector stores, which a perceptron (``P = 8``: one group per two samples) would leave half empty.
    ``words`` and ``z`` come from :func:`batch_scratch`.
    """
    P = scales.shape[0]
    h = (P + 1) // 2
    n = h * count
    if out.shape[0] < count * P:
        raise ValueError("fill_batch: out must hold count * P values")
    if words.shape[0] < 2 * n + 4 * NORMAL_LANES or z.shape[0] < 2 * n + 4 * NORMAL_LANES:
        raise ValueError("fill_batch: scratch must come from batch_scratch(P, count)")
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    for q in range(n):
        r, s0, s1, s2, s3 = _xoshiro_step(s0, s1, s2, s3)
        words[2 * q] = np.uint32(r & _M64)
        words[2 * q + 1] = np.uint32(r >> np.uint64(32))
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    if not gaussian:
        for i in range(count):
            for p in range(P):
                out[i * P + p] = scales[p] * uniform_pm1_from_u32(np.uint64(words[2 * h * i + p]))
        return
    for q0 in range(0, n, NORMAL_LANES):
        normal_pairs(words, q0, z, 2 * q0, 2 * NORMAL_LANES)  # z is padded: always a whole-vector store
    for i in range(count):
        base = 2 * h * i
        for p in range(P):
            out[i * P + p] = scales[p] * z[base + p]


@njit(cache=True)
def draw_block_parameters(key0, key1, block, count, scales, gaussian):
    """Parameters of the first ``count`` samples of ``block`` as a (count, P) float32 array (for tests)."""
    s = np.empty(4, np.uint64)
    seed_block(s, key0, key1, block)
    out = np.empty((count, scales.shape[0]), np.float32)
    words = scratch_words(scales.shape[0])
    for i in range(count):
        fill_parameters(s, scales, gaussian, out[i], words)
    return out


def seed_keys(seed: int) -> tuple[np.uint64, np.uint64]:
    """The two 64-bit keys of a run, from ``numpy.random.SeedSequence(seed)``."""
    k = np.random.SeedSequence(int(seed)).generate_state(2, dtype=np.uint64)
    return np.uint64(k[0]), np.uint64(k[1])
