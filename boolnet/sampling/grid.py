"""Exhaustive enumeration of every parameter vector on a finite grid, with exact counts.

Every weight and bias takes each value ``LO, LO + STEP, ..., <= HI`` (the
quantised-weight experiments of the literature); with ``m`` values and ``P``
parameters the grid has ``m**P`` points, all evaluated.

Exact arithmetic. Grid points put weights exactly on the hyperplanes where a
pre-activation is 0, so ties are common and must follow the output rule (0 at a
tie) exactly. All grid values are integer multiples of ``1/q`` (``q`` the least
common denominator of LO and STEP); for relu, step, sign and linear the kernel
works with the integers ``q * value`` and multiplies each layer's biases by a
power of ``q`` so that every pre-activation is a positive multiple of the true
one: relu and linear are positively homogeneous and step and sign are scale-free,
so every sign, hence every truth table, is exact. The integers are carried in
float32 when a bound on all of them is below 2**22 (the usual case), else in
float64 (bound below 2**51; finer grids are refused). With tanh the true
values are used in float64.
"""

from __future__ import annotations

import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pandas as pd

from boolnet import __version__
from boolnet.errors import UsageError
from boolnet.sampling import _kernels as K
from boolnet.sampling.counts import Counts, frame_from_counts
from boolnet.sampling.network import NetworkSpec
from boolnet.sampling.sampler import CHUNK_SECONDS, check_threads

#: Largest grid that may be enumerated (points).
MAX_GRID_POINTS = 4 * 10**9
# Bounds on the scaled integers (partial sums of the pm1 subset sums reach 3x the
# bound, relu doubles): a factor 4 below where float64 / float32 stop being exact.
_EXACT_LIMIT = 2.0**51
_FLOAT32_EXACT = 2.0**22


def parse_grid(text: str) -> list[Fraction]:
    """Grid values of ``"LO:HI[:STEP]"`` (STEP defaults to 1), as exact Fractions.

    Examples
    --------
    >>> [str(v) for v in parse_grid("-1:1")]
    ['-1', '0', '1']
    >>> [str(v) for v in parse_grid("-0.5:0.5:0.25")]
    ['-1/2', '-1/4', '0', '1/4', '1/2']
    """
    parts = str(text).split(":")
    if len(parts) not in (2, 3):
        raise UsageError(f"--grid {text!r} is malformed: write LO:HI or LO:HI:STEP, e.g. -1:1 or -1:1:0.5")
    try:
        lo, hi = Fraction(parts[0].strip()), Fraction(parts[1].strip())
        step = Fraction(parts[2].strip()) if len(parts) == 3 else Fraction(1)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"--grid {text!r}: LO, HI and STEP must be numbers, e.g. -1:1:0.5") from None
    if step <= 0:
        raise UsageError(f"--grid {text!r}: STEP must be > 0")
    if hi < lo:
        raise UsageError(f"--grid {text!r}: HI must be >= LO")
    m = int((hi - lo) // step) + 1
    if m > 10**6:
        raise UsageError(f"--grid {text!r} has {m} values per parameter; use a larger STEP")
    return [lo + k * step for k in range(m)]


def _exact_scaling(spec: NetworkSpec, values: list[Fraction]):
    """``(integer values, per-parameter multipliers, bound)`` for exact arithmetic, or None (tanh).

    ``bound`` bounds the magnitude of every integer the kernel computes.
    """
    if spec.activation == "tanh" and spec.arch.hidden:
        return None
    q = 1
    for v in values:
        q = q * v.denominator // math.gcd(q, v.denominator)
    ints = [int(v * q) for v in values]
    vmax = max(abs(v) for v in ints) or 1
    mult = np.ones(spec.n_parameters, dtype=np.float64)
    scale_exp = 0  # values of the previous layer's outputs are integers / q**scale_exp
    bound = 1.0  # bound on |integer representation| of the previous layer's outputs
    largest = float(vmax)
    widths = spec.arch.widths
    for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
        bias_mult = float(q**scale_exp)
        if spec.bias:
            bo = spec.b_off[layer]
            mult[bo : bo + width] = bias_mult
        pre_bound = fan_in * vmax * bound + (vmax * bias_mult if spec.bias else 0.0)
        if pre_bound >= _EXACT_LIMIT:
            raise UsageError("grid values are too fine for exact arithmetic in this network; use a coarser STEP")
        largest = max(largest, pre_bound, vmax * bias_mult)
        is_output = layer == len(widths) - 2
        if not is_output and spec.activation in ("step", "sign"):
            scale_exp, bound = 0, 1.0
        else:
            scale_exp, bound = scale_exp + 1, pre_bound
    return np.array(ints, dtype=np.float64), mult, largest


def enumerate_table(arch, *, grid: str, activation: str = "relu", encoding: str = "01", bias: bool = True,
                    threads: int | None = None, progress: bool = True) -> tuple[pd.DataFrame, dict]:
    """Exact counts of the functions computed on every point of a parameter grid.

    Parameters
    ----------
    arch : str
        ``"N-H1-...-1"`` with ``1 <= N <= 7``.
    grid : str
        ``"LO:HI[:STEP]"``: every weight and bias takes each of these values.
    activation, encoding, bias
        As in :func:`boolnet.sampling.sample_table`.
    threads : int, optional
    progress : bool

    Returns
    -------
    (DataFrame, dict)
        Columns ``function, count, probability, ci_low, ci_high`` with
        ``probability = count / grid size`` (exact; the interval is the point).

    Examples
    --------
    >>> df, meta = enumerate_table("1-1", grid="-1:1", progress=False)
    >>> meta["grid_size"], dict(zip(df["function"], df["count"]))
    (9, {'00': 5, '11': 2, '10': 1, '01': 1})
    """
    spec = NetworkSpec(arch, activation, encoding, bias)
    values = parse_grid(grid)
    threads = check_threads(threads)
    m, P = len(values), spec.n_parameters
    size = m**P
    if size > MAX_GRID_POINTS:
        raise UsageError(f"--grid {grid} on {spec.arch} gives {m}^{P} = {size:.3g} points; at most "
                         f"{MAX_GRID_POINTS:.0e} can be enumerated: use fewer values or a smaller network")
    exact = _exact_scaling(spec, values)
    if exact is None:
        grid_values = np.array([float(v) for v in values])
        mult = np.ones(P)
    else:
        grid_values, mult, largest = exact
        if largest < _FLOAT32_EXACT:  # every integer involved is exact in float32: use the sampler's kernels
            grid_values, mult = grid_values.astype(np.float32), mult.astype(np.float32)
    counts = Counts(workers=threads)
    kargs = spec.kernel_args()

    def work(t, begin, stop):
        return K.grid_worker(grid_values, mult, begin, stop, *kargs, counts.worker_tables[t],
                             counts.worker_used[t : t + 1], counts.worker_limit)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=size, unit="points", unit_scale=True, file=sys.stderr, dynamic_ncols=True,
                   desc=f"enumerate {spec.arch}")
    start = time.perf_counter()
    done = 0
    chunk = 4096 * threads
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        while done < size:
            count = min(chunk, size - done)
            per = -(-count // threads)
            position = [min(size, done + t * per) for t in range(threads)]
            stops = [min(done + count, done + (t + 1) * per) for t in range(threads)]
            t0 = time.perf_counter()

            def step(t):
                position[t] = work(t, position[t], stops[t])
                return position[t] >= stops[t]

            counts.run_workers(step, pool)
            dt = time.perf_counter() - t0
            done += count
            if bar is not None:
                bar.set_postfix(distinct=counts.distinct, refresh=False)
                bar.update(count)
            chunk = max(threads, min(int(count / max(dt, 1e-6) * CHUNK_SECONDS), 4 * chunk))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - start
    words, cnt = counts.entries()
    df = frame_from_counts(words, cnt, spec.arch.n, size, exact=True)
    meta = {
        "command": "enumerate",
        "architecture": str(spec.arch),
        "activation": spec.activation if spec.arch.hidden else "none (perceptron)",
        "grid": str(grid),
        "grid_values": [str(v) for v in values],
        "parameters": P,
        "grid_size": size,
        "encoding": spec.encoding,
        "bias": spec.bias,
        "arithmetic": (f"exact (scaled integers in {grid_values.dtype})" if exact is not None
                       else "float64"),
        "distinct": int(len(cnt)),
        "points_per_second": size / elapsed if elapsed > 0 else float("nan"),
        "boolnet_version": __version__,
    }
    return df, meta
