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
import time
from fractions import Fraction

import numpy as np
import pandas as pd

from boolnet import __version__
from boolnet.errors import BoolnetError, Interrupted
from boolnet.network import MAX_GRID_POINTS, NetworkSpec
from boolnet.sampling import _worker_kernels as WK
from boolnet.sampling.counts import Counts
from boolnet.table.build import frame_from_counts
from boolnet.checks import check_progress, check_threads
from boolnet.runs import Job, drive, stop_message
from boolnet.table.schema import HIGH, LOW, attach

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
        raise BoolnetError(f"grid {text!r} is malformed: write LO:HI or LO:HI:STEP, e.g. -1:1 or -1:1:0.5",
                           param="grid")
    try:
        lo, hi = Fraction(parts[0].strip()), Fraction(parts[1].strip())
        step = Fraction(parts[2].strip()) if len(parts) == 3 else Fraction(1)
    except (ValueError, ZeroDivisionError):
        raise BoolnetError(f"grid {text!r}: LO, HI and STEP must be numbers, e.g. -1:1:0.5", param="grid") from None
    if step <= 0:
        raise BoolnetError(f"grid {text!r}: STEP must be > 0", param="grid")
    if hi < lo:
        raise BoolnetError(f"grid {text!r}: HI must be >= LO", param="grid")
    m = int((hi - lo) // step) + 1
    if m > 10**6:
        raise BoolnetError(f"grid {text!r} has {m} values per parameter; use a larger STEP", param="grid")
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
            raise BoolnetError("grid values are too fine for exact arithmetic in this network; use a coarser STEP",
                               param="grid")
        largest = max(largest, pre_bound, vmax * bias_mult)
        is_output = layer == len(widths) - 2
        if not is_output and spec.activation in ("step", "sign"):
            scale_exp, bound = 0, 1.0
        else:
            scale_exp, bound = scale_exp + 1, pre_bound
    return np.array(ints, dtype=np.float64), mult, largest


class _GridJob(Job):
    """Grid points: worker ``t`` takes the ``t``-th contiguous share of a chunk's points."""

    unit = "grid points"
    granule = 1

    def __init__(self, spec: NetworkSpec, size: int, grid_values, mult, counts: Counts, threads: int):
        self.total = size
        self.first_chunk = 4096 * threads
        self.description = f"enumerate {spec.arch}"
        self.values, self.mult, self.kargs, self.counts = grid_values, mult, spec.kernel_args(), counts

    def prepare(self):
        c = self.counts
        WK.grid_worker(self.values, self.mult, 0, 0, *self.kargs, c.worker_tables[0], c.worker_used[0:1],
                       c.worker_limit)

    def make_step(self, first, count, threads):
        end = first + count
        per = -(-count // threads)
        position = [min(end, first + t * per) for t in range(threads)]
        stops = [min(end, first + (t + 1) * per) for t in range(threads)]
        c = self.counts

        def step(t):
            position[t] = WK.grid_worker(self.values, self.mult, position[t], stops[t], *self.kargs,
                                         c.worker_tables[t], c.worker_used[t : t + 1], c.worker_limit)
            return position[t] >= stops[t]

        return step


def enumerate_table(arch, *, grid: str, activation: str = "relu", encoding: str = "01", bias: bool = True,
                    threads: int | None = None, progress: bool | None = None) -> pd.DataFrame:
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
        Worker threads (default: all cores); does not change the counts.
    progress : bool or None
        A progress bar on stderr (the library prints nothing otherwise).
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).

    Returns
    -------
    pandas.DataFrame
        The columns of :mod:`boolnet.table.schema` with ``probability = count / grid size``
        (exact; ``probability_low = probability_high = probability``), metadata in
        ``df.attrs["boolnet"]`` (``volume_method = "grid"``, ``grid_size``,
        ``grid_values``, ``arithmetic``, ``seconds``, ``per_second``, ``unit``, ...).

    Raises
    ------
    BoolnetError
        Bad options (``exc.param`` names the parameter), or a grid too large to enumerate.
    boolnet.errors.Interrupted
        On Ctrl-C or SIGTERM: ``exc.partial`` is the table of the grid points done
        (metadata ``grid_points_done``; ``probability = count / points done``, and the
        bounds ``count / size`` and ``(count + points left) / size`` hold for the whole grid).

    Examples
    --------
    >>> df = enumerate_table("1-1", grid="-1:1")
    >>> df.attrs["boolnet"]["grid_size"], dict(zip(df["function"], df["count"]))
    (9, {'00': 5, '11': 2, '10': 1, '01': 1})
    """
    begin = time.perf_counter()
    spec = NetworkSpec(arch, activation, encoding, bias)
    values = parse_grid(grid)
    threads = check_threads(threads)
    progress = check_progress(progress)
    m, P = len(values), spec.n_parameters
    size = m**P
    if size > MAX_GRID_POINTS:
        raise BoolnetError(f"grid {grid} on {spec.arch} gives {m}^{P} = {size:.3g} points; at most "
                           f"{MAX_GRID_POINTS:.0e} can be enumerated: use fewer values or a smaller network",
                           param="grid")
    exact = _exact_scaling(spec, values)
    if exact is None:
        grid_values = np.array([float(v) for v in values])
        mult = np.ones(P)
    else:
        grid_values, mult, largest = exact
        if largest < _FLOAT32_EXACT:  # every integer involved is exact in float32: use the sampler's kernels
            grid_values, mult = grid_values.astype(np.float32), mult.astype(np.float32)
    counts = Counts(workers=threads)
    result = drive(_GridJob(spec, size, grid_values, mult, counts, threads), counts, threads=threads,
                   progress=progress)
    words, cnt = counts.entries()
    df = frame_from_counts(words, cnt, spec.arch.n, result.done, exact=True)
    metadata = {
        "command": "enumerate",
        "volume_method": "grid",
        "n": spec.arch.n,
        "architecture": str(spec.arch),
        "activation": spec.activation if spec.arch.hidden else "none (perceptron)",
        "grid": str(grid),
        "grid_values": [str(v) for v in values],
        "parameters": P,
        "grid_size": size,
        "grid_points_done": result.done,
        "encoding": spec.encoding,
        "bias": spec.bias,
        "arithmetic": (f"exact (scaled integers in {grid_values.dtype})" if exact is not None
                       else "float64"),
        "distinct": int(len(cnt)),
        "threads": threads,
        "seconds": time.perf_counter() - begin,
        "volume_seconds": result.seconds,
        "per_second": result.per_second,
        "unit": "grid points",
        "boolnet_version": __version__,
    }
    if result.signal_name is not None:
        # Bounds that hold for the whole grid: the points left may all, or none, compute the function.
        df[LOW] = df["count"] / size
        df[HIGH] = (df["count"] + (size - result.done)) / size
        metadata["interrupted"] = result.signal_name
        raise Interrupted(stop_message(result, size, "grid points", resumable=False), partial=attach(df, metadata),
                          done=result.done, total=size, signal_name=result.signal_name)
    return attach(df, metadata)
