"""Tables of the exact perceptron engine: regions of every function, exact volumes.

These are the Python API behind ``boolnet regions`` and ``boolnet exact``.
"""

from __future__ import annotations

import time
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd

from boolnet import dask_plumbing
from boolnet.checks import check_backend_options, check_checkpoint_interval
from boolnet.errors import BoolnetError, BoolnetWarning, Interrupted
from boolnet.exact.enumeration import MAX_EXACT_N, Orbit, threshold_orbits
from boolnet.exact.regions import Region, region
from boolnet.exact.selfdual import (
    GROUP_NAME,
    MAX_SELF_DUAL_N,
    SelfDualOrbit,
    chow_parameters,
    keeps_bias_symmetry,
    self_dual_orbits,
)
from boolnet.exact.volumes import probabilities, scale_ratio
from boolnet.functions import (
    bits_from_string,
    check_encoding,
    check_n,
    orbit,
    pack_strings,
    strings_from_packed,
)
from boolnet.io.checkpoint import Checkpoint
from boolnet.io.paths import check_output_path
from boolnet.priors import Prior
from boolnet.runs import Job, Results, drive, end_warning, stop_message
from boolnet.table.schema import attach, bounds_from_error, order_columns

#: ``regions`` lists every one of the 2**(2**n) functions up to this n, and the feasible ones above it.
MAX_ALL_FUNCTIONS_N = 4
#: Largest n for ``regions`` (``exact`` goes to MAX_EXACT_N = 6: 15,028,134 functions).
MAX_REGIONS_N = 5


# ----------------------------------------------------------------------------------------- the run loop
class _OrbitVolumes(Results):
    """The results of an :func:`exact_table` call: per orbit its probability, exact value and error bound.

    The driver's units are the orbits in their sorted order; after ``done`` units the first
    ``done`` orbits have their volumes. Each chunk's orbits are computed in one batch (the
    Gaussian cones of a batch share the cores), written in place: nothing to merge.
    """

    def __init__(self, orbits: list[Orbit] | list[SelfDualOrbit], prior: Prior):
        self.orbits, self.prior = orbits, prior
        k = len(orbits)
        #: Packed truth table of each orbit's representative (one row of words each): a checkpoint must hold
        #: the same orbits.
        self.keys = np.ascontiguousarray(pack_strings([o.representative.function for o in orbits]), dtype=np.uint64)
        self.p = np.zeros(k)
        self.err = np.zeros(k)
        self.exact: list = [None] * k
        self.start = 0

    def load(self, done, keys, p, err, exact) -> None:
        """Take the first ``done`` orbits' volumes from a checkpoint."""
        self.p[:done], self.err[:done] = p, err
        self.exact[:done] = [Fraction(x) if x else None for x in exact.tolist()]
        self.start = done

    def compute(self, first: int, count: int) -> None:
        """The volumes of orbits ``first .. first + count - 1``, in one batch (an orbit's value never depends on
        the batch: each simplicial cone is measured on its own)."""
        batch = self.orbits[first:first + count]
        self.store(first, probabilities([o.representative for o in batch], self.prior))

    def store(self, first: int, values) -> None:
        """Write ``(probability, exact or None, error bound)`` of orbits ``first, first + 1, ...`` in place."""
        for k, (p, p_exact, err) in enumerate(values):
            self.p[first + k], self.exact[first + k], self.err[first + k] = p, p_exact, err


class _VolumeJob(Job):
    """The volumes of the orbits, a chunk (a batch of consecutive orbits) at a time, on one worker."""

    unit = "orbits"

    def __init__(self, results: _OrbitVolumes, n: int):
        self.results = results
        self.total = len(results.orbits)
        self.description = f"volumes n={n}"

    def make_step(self, first, count, threads):
        def step(t):
            self.results.compute(first, count)
            return True

        return step


#: Dask tasks per worker thread aimed at: orbits differ in cost, so more tasks than the sampler's balance the load.
TASKS_PER_WORKER = 16
#: Orbits per Dask task at most: small tasks, so that a lost worker costs little and the checkpoint advances
#: often (the measured rates per orbit are in docs/scale.md).
MAX_TASK_ORBITS = 64


def orbits_per_task(orbits: int, threads: int) -> int:
    """Orbits per Dask task: about :data:`TASKS_PER_WORKER` tasks per worker thread, at most :data:`MAX_TASK_ORBITS`.

    Examples
    --------
    >>> orbits_per_task(2470, 2), orbits_per_task(135, 2), orbits_per_task(19228, 250)
    (64, 5, 5)
    """
    return max(1, min(MAX_TASK_ORBITS, -(-orbits // (TASKS_PER_WORKER * max(1, threads)))))


def volume_task(regions: list[Region], prior: Prior, task: int = 0, fault=None):
    """On a Dask worker: ``probabilities(regions, prior)``, the volumes of consecutive orbits' representatives.

    The Region objects come from the driver with their facets: sending them is far cheaper than
    computing the facets again (docs/scale.md). The orthant kernel runs in this thread only:
    a Dask worker thread is one core's share (same bits as the parallel kernel).

    Examples
    --------
    >>> from boolnet.exact.regions import region
    >>> volume_task([region([0, 0, 0, 1], "01", True)], Prior("uniform", fan_in_scaling=False))
    [(0.020833333333333332, Fraction(1, 48), 0.0)]
    """
    import numba

    dask_plumbing.inject_fault(fault, task)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return probabilities(regions, prior)
    finally:
        numba.set_num_threads(threads)


def _drive_dask(results: _OrbitVolumes, n: int, *, start: int, scheduler, workers, progress: bool, checkpoint,
                checkpoint_interval: float, stop_after: int | None = None, task_orbits: int | None = None,
                window: int | None = None, fault=None):
    """The orbits from ``start`` on as Dask tasks of consecutive orbits, stored in orbit order into ``results``.

    Through :func:`boolnet.dask_plumbing.drive_on_dask`, the sampler's Dask driver: the same
    ordered merge (the driver holds the first ``done`` orbits, what :class:`_ExactCheckpoint`
    saves), retries, checkpoint cadence and stop on Ctrl-C/SIGTERM. Returns ``(DriveResult, info)``.
    """
    total = len(results.orbits)
    task_index = {}  # the task's place in this run, for the test hook

    def plan(threads):
        size = task_orbits or orbits_per_task(total - start, threads)
        tasks = [(first, min(size, total - first)) for first in range(start, total, size)]
        task_index.update({t: k for k, t in enumerate(tasks)})
        depth = window or 4 * threads  # results are a few bytes per orbit: keep every thread busy past a slow task
        return tasks, depth, {"task_orbits": size, "tasks": len(tasks)}

    def submit(client, task):
        first, count = task
        regions = [o.representative for o in results.orbits[first:first + count]]
        future = client.submit(volume_task, regions, results.prior, task_index[task], fault,
                               retries=dask_plumbing.RETRIES, pure=False)
        return future, [future]

    def merge(task, values):
        results.store(task[0], values)
        return task[0] + task[1]

    def describe(task):
        return f"orbits {task[0]} to {task[0] + task[1] - 1}"

    return dask_plumbing.drive_on_dask(
        plan=plan, submit=submit, merge=merge, describe=describe, total=total, start=start, results=results,
        unit="orbits", what="volumes", description=f"volumes n={n}", progress=progress, scheduler=scheduler,
        workers=workers, wait_seconds=dask_plumbing.WORKER_WAIT_SECONDS, checkpoint=checkpoint,
        checkpoint_interval=checkpoint_interval, stop_after=stop_after)


class _ExactCheckpoint(Checkpoint):
    """An exact run's checkpoint: the volumes of the first ``done`` orbits (in their sorted order).

    ``representatives`` (packed truth tables) name those orbits; ``probability_exact`` holds the
    fractions as strings (empty: none), so a resumed table is the same bit for bit.
    """

    format = "boolnet-exact-checkpoint 1"
    kind = "boolnet exact"
    arrays = ("done", "representatives", "probability", "error_bound", "probability_exact")

    def __init__(self, path, fingerprint: dict, keys: np.ndarray):
        super().__init__(path, fingerprint)
        self.keys = keys

    def _arrays(self, done: int, results: _OrbitVolumes) -> dict:
        exact = np.array(["" if x is None else str(x) for x in results.exact[:done]], dtype=str)
        return {"done": np.int64(done), "representatives": results.keys[:done], "probability": results.p[:done],
                "error_bound": results.err[:done], "probability_exact": exact}

    def _state(self, saved: dict, arrays: dict) -> tuple:
        done, keys, p, err, exact = (arrays[k] for k in self.arrays)
        done = int(done)
        if keys.ndim == 1:  # written before n = 7 (one word per truth table)
            keys = keys[:, None]
        if (keys.dtype != np.uint64 or p.dtype != np.float64 or err.dtype != np.float64 or exact.dtype.kind != "U"
                or len(keys) != done or not p.shape == err.shape == exact.shape == (done,)):
            raise self._not_a_checkpoint("its arrays do not fit together: damaged")
        return done, keys, p, err, exact

    def load(self):
        """``(done, representatives, probability, error_bound, probability_exact)`` of a checkpoint of the same
        options, or None."""
        state = super().load()  # after the fingerprint check: other options are named as such
        if state is not None and (state[0] > len(self.keys) or not np.array_equal(state[1], self.keys[:state[0]])):
            raise self._not_a_checkpoint("its orbits are not those of these options: damaged")
        return state


def exact_table(
    n: int,
    prior: Prior | None = None,
    encoding: str = "01",
    bias: bool = True,
    progress: bool = False,
    orbits_only: bool = False,
    checkpoint=None,
    checkpoint_interval: float = 30.0,
    backend: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    _dask_options: dict | None = None,
) -> pd.DataFrame:
    """Exact probability of every function a perceptron computes with positive volume.

    Parameters
    ----------
    n : int
        Number of inputs, 1 <= n <= 6, or n = 7 where the prior keeps the bias among the symmetries
        (below) with ``orbits_only=True``: 8,378,070,864 functions in 2,470 orbits, about 20 s on the
        cube. Timings in docs/exact.md; use a checkpoint for long runs.
    prior : Prior, optional
        Default: the gaussian prior with fan-in scaling, sigma_w = sigma_b = 1.
    encoding : {"01", "pm1"}
    bias : bool
    progress : bool
        Progress bars on stderr.
    orbits_only : bool
        One row per symmetry orbit (its representative) with an ``orbit_size`` column instead of
        one row per function: compact for n = 6, required for n = 7. :func:`expand_orbit` lists the
        functions of one orbit.
    checkpoint : path, optional
        Save the volumes of the orbits done there (boolnet's one checkpoint format, written
        atomically) every ``checkpoint_interval`` seconds, on Ctrl-C or SIGTERM and at the end;
        an existing checkpoint of the same options is resumed (its orbits are not computed
        again, and the table is the same, bit for bit, as an uninterrupted run's); one of other
        options is refused. Checked before any work. The enumeration of the orbits (under a
        minute for n = 6) is redone on resume.
    checkpoint_interval : float
        Seconds between checkpoints.
    backend : {"local", "dask"}
        ``"dask"``: tasks of consecutive orbits on Dask workers, their volumes stored in orbit
        order here (:mod:`boolnet.dask_plumbing`, docs/scale.md): the same table, bit for bit,
        and the same checkpoint (a checkpoint of one backend resumes on the other).
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://host:8786"``); default: a ``LocalCluster``
        of worker processes on this machine. Only with ``backend="dask"``.
    workers : int, optional
        Worker processes of the ``LocalCluster`` (default: one per core), or workers to wait for
        on the scheduler. Only with ``backend="dask"``.

    Returns
    -------
    pandas.DataFrame
        A volume table (:mod:`boolnet.table.schema`), one row per function, most probable first:
        ``function``, ``probability`` (float), ``probability_low``/``probability_high`` (equal
        to it for exact rationals, else ``probability -+`` the quadrature's error bound),
        ``probability_exact`` (fraction string; only under a uniform prior with a rational
        box), ``facets`` (irredundant half-spaces), ``orbit`` (the representative of the
        function's symmetry orbit; all members of an orbit have equal probability). Options,
        methods and totals in ``df.attrs["boolnet"]``, with ``volume_method`` ``"exact"``
        (rationals) or ``"quadrature"``, and ``symmetry`` naming the group:

        * with -1/+1 inputs, a bias and a bias of the weights' scale (``sigma_w * s == sigma_b``:
          the cube, the isotropic gaussian), B_(n+1), the signed permutations of the weights and
          the bias together (:mod:`boolnet.exact.selfdual`); the representative has non-negative
          weights in non-increasing order;
        * otherwise input permutations (and negations with -1/+1 inputs) and output negation; the
          representative is the orbit's lexicographically smallest truth table.

    Raises
    ------
    boolnet.errors.Interrupted
        On Ctrl-C or SIGTERM (between chunks of orbits: the orbits under way finish), carrying
        the table of the orbits done so far (``interrupted``, ``orbits`` done and ``orbits_total`` in its metadata)
        after saving the checkpoint, if any.

    Examples
    --------
    >>> t = exact_table(2, Prior("uniform", fan_in_scaling=False))
    >>> t.loc[t.function == "0001", "probability_exact"].item()       # AND
    '1/48'
    >>> t.attrs["boolnet"]["probability_sum_exact"], t.attrs["boolnet"]["volume_method"]
    ('1', 'exact')
    """
    # The checkpoint's folder is checked before any work, not at the first save (as the sampler does).
    checkpoint = check_output_path(checkpoint, suffixes=None, param="checkpoint")
    n = check_n(n, high=MAX_SELF_DUAL_N, what="exact volumes")
    check_encoding(encoding)
    prior = prior or Prior()
    prior.require_scalar("the exact perceptron engine")
    checkpoint_interval = check_checkpoint_interval(checkpoint_interval)
    backend, scheduler, workers = check_backend_options(backend, scheduler, workers)
    symmetric = keeps_bias_symmetry(n, encoding, bias, prior)
    symmetry = _symmetry_name(n, encoding, symmetric)
    check_exact_size(n, encoding, bias, prior, orbits_only)
    started = time.perf_counter()
    orbits = self_dual_orbits(n, progress) if symmetric else threshold_orbits(n, encoding, bias, progress=progress)
    results = _OrbitVolumes(orbits, prior)
    ckpt = None
    if checkpoint is not None:
        fingerprint = {"command": "exact", "n": n, "encoding": encoding, "bias": bias, **prior.metadata(),
                       "orbits": len(orbits), "symmetry": symmetry}
        ckpt = _ExactCheckpoint(checkpoint, fingerprint, results.keys)
        state = ckpt.load()
        if state is not None:
            results.load(*state)
    if backend == "dask":
        result, dask_info = _drive_dask(results, n, start=results.start, scheduler=scheduler, workers=workers,
                                        progress=progress, checkpoint=ckpt, checkpoint_interval=checkpoint_interval,
                                        **(_dask_options or {}))
    else:
        result = drive(_VolumeJob(results, n), results, threads=1, start=results.start, progress=progress,
                       checkpoint=ckpt, checkpoint_interval=checkpoint_interval)
    table = _table(n, encoding, bias, prior, orbits, results, result.done, orbits_only)
    table.attrs["boolnet"]["symmetry"] = symmetry
    meta = table.attrs["boolnet"]
    meta["seconds"] = meta["volume_seconds"] = round(time.perf_counter() - started, 3)
    if result.resumed_from:  # a fresh run's metadata is what it always was
        meta["resumed_orbits"] = result.resumed_from
    if backend == "dask":  # the local backend's metadata is what it always was
        meta["backend"], meta["dask"] = "dask", dask_info
    path = str(ckpt.path) if ckpt is not None else None
    # The last save failed: keep the volumes beyond this process anyway, in the temporary folder.
    rescued = ckpt.save_elsewhere(result.done, results) if result.save_error is not None else None
    if result.signal_name is not None:
        meta["interrupted"] = result.signal_name
        raise Interrupted(stop_message(result, len(orbits), "symmetry orbits", path, rescued=rescued,
                                       what="volumes"), partial=table, done=result.done, total=len(orbits),
                          checkpoint=str(rescued) if rescued is not None else path, signal_name=result.signal_name)
    if result.save_error is not None:
        warnings.warn(end_warning(result, len(orbits), "symmetry orbits", path, rescued=rescued, what="volumes"),
                      BoolnetWarning, stacklevel=2)
    return table


def check_exact_size(n: int, encoding: str, bias: bool, prior: Prior, orbits_only: bool, param: str = "n",
                     prefix: str = "") -> None:
    """Refuse n = 7 where it cannot be done, before any work, saying what can (``prefix`` starts the message).

    Examples
    --------
    >>> check_exact_size(7, "pm1", True, Prior("uniform", fan_in_scaling=False), orbits_only=True)   # fine
    """
    if n <= MAX_EXACT_N:
        return
    if not keeps_bias_symmetry(n, encoding, bias, prior):
        scale = "sigma_w" if not prior.fan_in_scaling else f"sigma_w / sqrt({n})"
        what = "no bias" if not bias else f"encoding {encoding!r}" if encoding != "pm1" else "another bias scale"
        raise BoolnetError(
            f"{prefix}{n} inputs are computed exactly only where the bias is one more weight, so that the 2,470 "
            f"symmetry orbits of B_{n + 1} suffice: -1/+1 inputs (encoding='pm1'), a bias, and {scale} equal to "
            f"sigma_b (e.g. prior='uniform' or prior='gaussian', with fan_in_scaling=False); these options have "
            f"{what}: change that, or use at most {MAX_EXACT_N} inputs", param=param)
    if not orbits_only:
        raise BoolnetError(f"{prefix}{n} inputs give 8,378,070,864 functions: one row per function does not fit; ask "
                           "for one row per symmetry orbit (orbits=True) and list an orbit's functions with "
                           "boolnet.expand_orbit", param="orbits")


def _symmetry_name(n: int, encoding: str, symmetric: bool) -> str:
    if symmetric:
        return GROUP_NAME.format(d=n + 1)
    if encoding == "pm1":
        return f"B_{n}: permutations and sign changes of the inputs; output negation"
    return f"S_{n}: permutations of the inputs; output negation"


def _table(n: int, encoding: str, bias: bool, prior: Prior, orbits: list[Orbit], results: _OrbitVolumes,
           done: int, orbits_only: bool) -> pd.DataFrame:
    """The volume table of the first ``done`` orbits (all of them, unless the run was stopped)."""
    rows = []
    total_exact = 0
    exact_available = True
    for orb, p, p_exact, err in zip(orbits[:done], results.p[:done], results.exact[:done], results.err[:done]):
        p, err = float(p), float(err)
        if p_exact is None:
            exact_available = False
        else:
            total_exact += p_exact * orb.size
        if orbits_only:
            names, extra = [orb.representative.function], {"orbit_size": orb.size}
        else:
            names, extra = strings_from_packed(orb.member_words(), n), {"orbit": orb.representative.function}
        rows.append(pd.DataFrame({
            "function": names,
            "probability": p,
            "probability_exact": "" if p_exact is None else str(p_exact),
            "error_bound": err,
            "facets": orb.representative.facets,
            **extra,
        }))
    if not rows:  # stopped before the first chunk ended
        rows.append(pd.DataFrame({"function": pd.Series([], dtype=object), "probability": pd.Series([], dtype=float),
                                  "probability_exact": pd.Series([], dtype=object),
                                  "error_bound": pd.Series([], dtype=float),
                                  "facets": pd.Series([], dtype=np.int64),
                                  **({"orbit_size": pd.Series([], dtype=np.int64)} if orbits_only
                                     else {"orbit": pd.Series([], dtype=object)})}))
        exact_available = prior.kind == "uniform" and scale_ratio(prior, n)[1] == 0.0
    table = pd.concat(rows, ignore_index=True)
    table = table.sort_values(["probability", "function"], ascending=[False, True], ignore_index=True)
    size = table["orbit_size"] if orbits_only else 1
    meta = {
        "command": "exact",
        "volume_method": "exact" if exact_available else "quadrature",
        "architecture": f"{n}-1",
        "n": n,
        "activation": "none (perceptron)",
        "encoding": encoding,
        "bias": bias,
        **prior.metadata(),
        "rows": "one per symmetry orbit" if orbits_only else "one per function",
        "functions": int(sum(o.size for o in orbits[:done])),
        "orbits": done,
        "probability_sum": float((table["probability"] * size).sum()),
        "error_bound_sum": float((table["error_bound"] * size).sum()),
        "error_bound_max": float(table["error_bound"].max()) if len(table) else 0.0,
    }
    if done < len(orbits):
        meta["orbits_total"] = len(orbits)
        meta["functions_total"] = int(sum(o.size for o in orbits))
    if prior.kind == "uniform":
        ratio, bound = scale_ratio(prior, n)
        meta["method"] = (
            "Normaliz exact volume of cone intersect box"
            + ("" if not bound else f"; irrational weight/bias scale ratio replaced by rational {ratio} >= it")
        )
        if exact_available:
            meta["probability_sum_exact"] = str(total_exact)
    else:
        meta["method"] = "Normaliz exact triangulation into simplicial cones; orthant probabilities by quadrature"
    low, high = bounds_from_error(table["probability"], table["error_bound"])
    table = table.drop(columns="error_bound").assign(probability_low=low, probability_high=high)
    if not exact_available:
        table = table.drop(columns="probability_exact")
    return attach(order_columns(table), meta)


def expand_orbit(table: pd.DataFrame, representative: str) -> pd.DataFrame:
    """The functions of one orbit of an exact table with one row per orbit, each with the orbit's values.

    Parameters
    ----------
    table : pandas.DataFrame
        An :func:`exact_table` made with ``orbits_only=True`` (or read back with ``bn.read_table``).
    representative : str
        The orbit's row: its ``function``.

    Returns
    -------
    pandas.DataFrame
        One row per member (``orbit_size`` rows, sorted by truth table), with the orbit's
        ``probability`` (and bounds, exact value, facets) and an ``orbit`` column; the table's
        metadata with ``rows = "the functions of one orbit"``.

    Examples
    --------
    >>> t = exact_table(2, Prior("uniform", fan_in_scaling=False), encoding="pm1", orbits_only=True)
    >>> sorted(expand_orbit(t, "0011").function)      # x1 with the constants: 6 functions
    ['0000', '0011', '0101', '1010', '1100', '1111']
    """
    meta = dict(table.attrs.get("boolnet", {}))
    if meta.get("command") != "exact" or "orbit_size" not in table.columns:
        raise BoolnetError("expand_orbit needs an exact perceptron table with one row per orbit: make it with "
                           "bn.exact_table(..., orbits=True) and pass that table", param="table")
    rows = table.loc[table["function"] == representative]
    if len(rows) != 1:
        raise BoolnetError(f"{representative!r} is not the representative of an orbit of this table: give a value "
                           "of its function column", param="representative")
    n, encoding, bias = int(meta["n"]), meta["encoding"], bool(meta["bias"])
    bits = bits_from_string(representative)
    # Tables made before the B_(n+1) engine name no group: their orbits are those of B_n.
    if meta.get("symmetry") == _symmetry_name(n, encoding, symmetric=True):
        members = SelfDualOrbit(region(bits, "pm1", True), tuple(chow_parameters(bits, n).tolist())).member_strings()
    else:
        members = sorted(orbit(representative, encoding, bias))
    row = rows.drop(columns="orbit_size").iloc[0]
    out = pd.DataFrame({"function": members, **{c: row[c] for c in row.index if c != "function"},
                        "orbit": representative})
    out = out.astype({c: table[c].dtype for c in out.columns if c in table.columns and c != "function"})
    meta.update(rows="the functions of one orbit", orbit=representative, functions=len(out))
    return attach(out, meta)


def _all_function_bits(n: int) -> np.ndarray:
    values = np.arange(1 << (1 << n), dtype=np.uint64)
    shifts = np.arange(1 << n, dtype=np.uint64)
    return ((values[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)


def regions_table(n: int, encoding: str = "01", bias: bool = True, latex: bool = False) -> pd.DataFrame:
    """The half-space region of every function (n <= 4) or of every feasible function (n = 5).

    Returns
    -------
    pandas.DataFrame
        Columns ``function``, ``feasible``, ``full_dimensional``, ``facets`` (irredundant half-spaces),
        ``inequalities`` (the facets as text, or LaTeX with ``latex=True``); options in
        ``df.attrs["boolnet"]``.

    Examples
    --------
    >>> t = regions_table(2)
    >>> int(t.feasible.sum()), sorted(t.loc[~t.feasible, "function"])
    (14, ['0110', '1001'])
    >>> t.loc[t.function == "0001", "inequalities"].item()
    'w2 + b <= 0; w1 + b <= 0; w1 + w2 + b > 0'
    """
    n = check_n(n, high=MAX_REGIONS_N, what="regions")
    check_encoding(encoding)
    orbits: list[Orbit] = threshold_orbits(n, encoding, bias)
    regions: dict[str, Region] = {}
    for orb in orbits:
        for k in range(len(orb.members)):
            reg = orb.member_region(k)
            regions[reg.function] = reg
    if n <= MAX_ALL_FUNCTIONS_N:
        all_bits = _all_function_bits(n)
        for bits in all_bits:
            name = "".join("1" if b else "0" for b in bits)
            if name in regions:
                continue
            # Only pm1 without a bias has functions computable on a lower-dimensional set only
            # (a_x = -a_~x); a pair x, ~x with both outputs 1 is impossible there.
            if encoding == "pm1" and not bias and not np.any(bits & bits[::-1]):
                regions[name] = region(bits, encoding, bias)
            else:
                regions[name] = Region(name, n, encoding, bias, feasible=False, full_dimensional=False)
    names = sorted(regions)
    table = pd.DataFrame({
        "function": names,
        "feasible": [regions[f].feasible for f in names],
        "full_dimensional": [regions[f].full_dimensional for f in names],
        "facets": [regions[f].facets for f in names],
        "inequalities": [regions[f].inequalities_text(latex=latex) for f in names],
    })
    meta = {
        "command": "regions",
        "n": n,
        "encoding": encoding,
        "bias": bias,
        "rows": "every function" if n <= MAX_ALL_FUNCTIONS_N else "feasible functions of positive volume",
        "feasible": int(table["feasible"].sum()),
        "full_dimensional": int(table["full_dimensional"].sum()),
        "method": "facets: Normaliz support hyperplanes (exact); functions: chamber-graph search over symmetry orbits",
    }
    return attach(table, meta)
