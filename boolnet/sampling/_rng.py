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

Normals: a 128-layer ziggurat (Marsaglia & Tsang 2000) fed by 32-bit halves of
the generator's output: 7 bits choose the layer, 1 bit the sign and 24 bits the
abscissa, giving float32 values whose resolution is that of float32 itself
(``x = U * 2**-24 * X[layer]``). The rare wedge and tail rejections are done in
float64. Uniforms: ``((w >> 8) + 0.5) * 2**-24`` in (0, 1), exactly symmetric.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Samples per RNG block; part of the estimator's definition (recorded in metadata).
BLOCK_SIZE = 4096
#: Name and version of the parameter stream, recorded in metadata and checkpoints.
RNG_NAME = "xoshiro256**/block4096/ziggurat128-float32 v1"

_ZIG_LAYERS = 128
_ZIG_R = 3.442619855899
_ZIG_V = 9.91256303526217e-3


def _ziggurat_tables():
    """Layer boundaries for f(x) = exp(-x^2/2) with 128 layers of equal area.

    Layer 0 is the base strip [0, r] x [0, f(r)] plus the tail; its "virtual"
    width X[0] = v / f(r). Layer k >= 1 is [0, X[k]] x [f(X[k]), f(X[k+1])].
    """
    f = lambda x: math.exp(-0.5 * x * x)  # noqa: E731
    xs = np.zeros(_ZIG_LAYERS + 1)
    xs[0] = _ZIG_V / f(_ZIG_R)
    xs[1] = _ZIG_R
    for k in range(1, _ZIG_LAYERS):
        arg = f(xs[k]) + _ZIG_V / xs[k]
        xs[k + 1] = math.sqrt(-2.0 * math.log(arg)) if arg < 1.0 else 0.0
    xs[_ZIG_LAYERS] = 0.0
    fs = np.exp(-0.5 * xs * xs)
    # Accept U (24-bit integer) at once iff U * X[k] / 2**24 < X[k+1] <=> U < ceil(2**24 X[k+1]/X[k]).
    accept = np.ceil((2.0**24) * xs[1:] / xs[:-1]).astype(np.uint32)
    widths32 = (xs[:-1] * 2.0**-24).astype(np.float32)
    return xs, fs, accept, widths32


ZIG_X, ZIG_F, ZIG_ACCEPT, ZIG_W32 = _ziggurat_tables()

_U1 = np.uint64(1)
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
def uniform01_f64(s):
    """Uniform in (0, 1) with 53 random bits (never 0, so log is safe)."""
    return ((next_u64(s) >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _normal_slow(s, layer, u24, negative):
    """Wedge or tail of the ziggurat, float64; loops until a value is accepted."""
    while True:
        if layer == 0:
            # Tail beyond r (Marsaglia 1964): exact for the normal tail.
            while True:
                xt = -math.log(uniform01_f64(s)) / ZIG_X[1]
                yt = -math.log(uniform01_f64(s))
                if 2.0 * yt > xt * xt:
                    x = ZIG_X[1] + xt
                    return -x if negative else x
        x = u24 * (2.0**-24) * ZIG_X[layer]
        y = ZIG_F[layer] + uniform01_f64(s) * (ZIG_F[layer + 1] - ZIG_F[layer])
        if y < math.exp(-0.5 * x * x):
            return -x if negative else x
        # Rejected: draw a fresh (layer, sign, abscissa) from a new 32-bit word.
        w = next_u64(s) & _M64
        layer = np.int64(w & np.uint64(127))
        negative = (w >> np.uint64(7)) & _U1
        u24 = w >> np.uint64(8)
        if u24 < ZIG_ACCEPT[layer]:
            x32 = np.float32(u24) * ZIG_W32[layer]
            return -np.float64(x32) if negative else np.float64(x32)


@njit(inline="always", cache=True)
def normal_from_u32(s, w):
    """Standard normal (float32) from a 32-bit word ``w``; may draw more words from ``s``."""
    layer = np.int64(w & np.uint64(127))
    u24 = w >> np.uint64(8)
    negative = (w >> np.uint64(7)) & _U1
    if u24 < ZIG_ACCEPT[layer]:
        x = np.float32(u24) * ZIG_W32[layer]
        return -x if negative else x
    return np.float32(_normal_slow(s, layer, u24, negative))


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
    """Scratch space for :func:`fill_parameters` with ``P`` parameters."""
    return np.empty(2 * P + 2, np.uint32)


@njit(cache=True)
def fill_parameters(s, scales, gaussian, out, words):
    """Draw ``out[p] = scales[p] * z_p`` (z standard normal or uniform on (-1, 1)), float32.

    First the 32-bit words: halves of consecutive 64-bit outputs, low half first
    (``words`` is scratch from :func:`scratch_words`). Then a branch-free pass
    turns word ``p`` into ``scales[p] * z_p`` by the ziggurat's fast path and
    notes the ~2.8% of words that the fast path rejects; a vectorised pass sets
    the signs (negating a float32 product is exact, so
    ``-(s * z) == s * (-z)``); and the noted words are redone, in order, by the
    wedge/tail algorithm, which draws further words from the same stream.
    Noting the rejected words instead of scanning for them again after the
    pass, and setting signs in a pass of their own, make this about 30%
    faster than one loop, with the same values.
    """
    P = out.shape[0]
    if words.shape[0] < 2 * P + 2:
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
    # Rejected positions are noted after the words, at words[P + 1 + r] (no array views:
    # numba counts references to a view with atomic operations, which cost more than P = 8 draws).
    rejected = 0
    for p in range(P):
        w = words[p]
        layer = w & np.uint32(127)
        u24 = w >> np.uint32(8)
        out[p] = scales[p] * (np.float32(np.int32(u24)) * ZIG_W32[layer])
        words[P + 1 + rejected] = p  # branch-free append: kept only if rejected
        rejected += u24 >= ZIG_ACCEPT[layer]
    if P >= 64:
        # Flip sign bits as integers: vectorises (a select on floats did not, and cost ~20% more for
        # P = 2001); the view's reference counting is negligible at this size.
        bits = out.view(np.uint32)
        for p in range(P):
            bits[p] ^= (words[p] & np.uint32(128)) << np.uint32(24)
    else:
        for p in range(P):
            x = out[p]
            out[p] = -x if (words[p] & np.uint32(128)) != 0 else x
    for t in range(rejected):
        p = words[P + 1 + t]
        w = np.uint64(words[p])
        layer = np.int64(w & np.uint64(127))
        out[p] = scales[p] * np.float32(_normal_slow(s, layer, w >> np.uint64(8), (w >> np.uint64(7)) & _U1))


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
