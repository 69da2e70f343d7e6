"""The Dask backend of the sampler: the same counts as the local backend, on any number of machines.

A run is the sequence of the sampler's blocks (``BLOCK_SIZE`` samples each, block
``b`` drawn from its own stream seeded by ``(seed, b)``). Here it is cut into
**tasks**, consecutive ranges of blocks; a task counts its blocks on one Dask
worker (one thread, the local backend's kernel) and returns the packed truth
tables it saw with their counts. Since a block's samples depend only on the
seed and the block's index, a task gives the same counts wherever and however
often it runs: a task that raises is retried, and a task lost with a worker that
died is recomputed by the scheduler, without changing anything.

Partial counts are combined by a tree: each group of ``fan_in`` consecutive
tasks is added on a worker (a *combine* task), and the driver adds the groups'
counts, **in order**, into its own master table
(:class:`~boolnet.sampling.counts.Counts`, 32 to 64 bytes per distinct
function). Merging in order means the driver always holds the counts of blocks
``0 .. b-1``, exactly what a checkpoint of the local backend holds: the driver
saves the same checkpoint file (every ``checkpoint_interval`` seconds, at the
end, and on Ctrl-C or SIGTERM), a killed driver resumes from it, and a
checkpoint of one backend resumes on the other. At most ``window`` groups are in
flight, so the workers never hold more than that many partial results.

Without a scheduler address a :class:`dask.distributed.LocalCluster` of worker
processes (one thread each) is started on this machine and closed at the end;
with one, the run uses that scheduler's workers (``dask-jobqueue``,
``dask-kubernetes``, a cloud service's cluster: see ``docs/scale.md``).
"""

from __future__ import annotations

import logging
import math
import os
import time

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.progress import progress_bar
from boolnet.sampling._rng import BLOCK_SIZE
from boolnet.sampling.jobs import SampleJob

#: Blocks per task aimed at: tasks take seconds (7-1) to about a minute (7-40-40-1) on one core.
MAX_TASK_BLOCKS = 1024
#: Tasks per worker aimed at (enough to balance the load, few enough to keep the per-task overhead small).
TASKS_PER_WORKER = 8
#: Consecutive tasks added on a worker before the driver receives them.
FAN_IN = 4
#: Test hook: seconds the driver waits after adding each group (to kill it mid-run from a test).
_TEST_GROUP_SLEEP = float(os.environ.get("BOOLNET_TEST_GROUP_SLEEP", "0") or 0)
#: Retries of a task that raises (a lost worker's tasks are recomputed by the scheduler on its own).
RETRIES = 3
#: Seconds to reach a scheduler before giving up (a refused address fails within them).
CONNECT_SECONDS = 5
#: Seconds to wait for the scheduler's workers (all of ``workers``, or the first one) before giving up.
WORKER_WAIT_SECONDS = 60


def import_distributed():
    """The :mod:`dask.distributed` module, or a BoolnetError saying how to install it."""
    try:
        import dask.distributed as distributed
    except ImportError as exc:
        raise BoolnetError(f"backend 'dask' needs dask.distributed, which is not installed ({exc}); install it "
                           "with: pip install 'boolnet[dask]' (or pip install 'dask[distributed]')",
                           param="backend") from None
    return distributed


def task_blocks_for(total_blocks: int, workers: int) -> int:
    """Blocks per task: about :data:`TASKS_PER_WORKER` tasks per worker, at most :data:`MAX_TASK_BLOCKS`.

    Examples
    --------
    >>> task_blocks_for(24415, 2), task_blocks_for(10**7, 250), task_blocks_for(3, 2)
    (1024, 1024, 1)
    >>> task_blocks_for(245, 2)
    16
    """
    return max(1, min(MAX_TASK_BLOCKS, math.ceil(total_blocks / (TASKS_PER_WORKER * max(1, workers)))))


# --- what runs on the workers ---------------------------------------------------------------------------------


def _fault(fault, task: int) -> None:
    """Test hook: ``fault = (kind, marker path, task)``; the first attempt of that task raises, kills its worker
    (``"kill"``) or takes 4 s longer (``"sleep"``)."""
    if fault is None:
        return
    kind, marker, which = fault
    if task != which:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # not the first attempt
    os.close(fd)
    if kind == "kill":
        os._exit(17)  # the worker process dies with the task's result unsent
    if kind == "sleep":  # a slow task
        time.sleep(4.0)
        return
    raise RuntimeError(f"injected failure of task {task}")


def _add_entries(counts, words: np.ndarray, cnt: np.ndarray) -> None:
    """Add entries ``(words, cnt)`` to a :class:`~boolnet.sampling.counts.Counts` through its worker table 0."""
    from boolnet.sampling._hash_kernels import slot_shift
    from boolnet.sampling._dask_kernels import fill_worker_table

    table = counts.worker_tables[0]
    shift = slot_shift(table.shape[0])
    batches = max(1, -(-cnt.shape[0] // counts.worker_limit))  # each batch fits in the worker table
    for batch in range(batches):
        fill_worker_table(words, cnt, batch, batches, table, counts.worker_used[0:1], shift)
        counts.merge_worker(0)


def count_task(arch: str, activation: str, encoding: str, bias: bool, prior, samples: int, seed: int,
               first: int, count: int, task: int = 0, fault=None):
    """Count blocks ``first .. first + count - 1`` of a run on this worker; return ``(words, counts)``."""
    from boolnet.network import NetworkSpec
    from boolnet.sampling.counts import Counts

    _fault(fault, task)
    spec = NetworkSpec(arch, activation, encoding, bias)
    counts = Counts(workers=1)
    job = SampleJob(spec, prior, samples, seed, counts, 1)
    job.prepare()
    counts.run_workers(job.make_step(first, count, 1), None)
    return counts.entries()


def combine_task(*results):
    """Add the ``(words, counts)`` results of several tasks; return one ``(words, counts)``."""
    from boolnet.sampling.counts import Counts

    if len(results) == 1:
        return results[0]
    counts = Counts(workers=1)
    for words, cnt in results:
        _add_entries(counts, words, cnt)
    return counts.entries()


# --- the driver -----------------------------------------------------------------------------------------------


class _Cluster:
    """A client on ``scheduler``, or on a LocalCluster of ``workers`` processes started here (closed on exit)."""

    def __init__(self, scheduler, workers):
        self.scheduler = scheduler
        self.workers = workers
        self.cluster = None
        self.client = None

    def __enter__(self):
        distributed = import_distributed()
        if self.scheduler is None:
            n = self.workers or os.cpu_count() or 1
            self.cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                    dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(self.scheduler, timeout=f"{CONNECT_SECONDS}s")
            except (OSError, TimeoutError) as exc:
                why = " ".join(str(exc).split())[:160] or type(exc).__name__
                raise BoolnetError(f"scheduler {self.scheduler}: cannot connect within {CONNECT_SECONDS} s ({why}); "
                                   "give the address a running Dask scheduler prints, e.g. tcp://10.0.0.5:8786",
                                   param="scheduler") from None
            wanted = self.workers or 1
            try:
                self.client.wait_for_workers(wanted, timeout=WORKER_WAIT_SECONDS)
            except (TimeoutError, OSError):
                have = len(self.client.scheduler_info().get("workers", {}))
                self.client.close()
                self.client = None
                raise BoolnetError(f"scheduler {self.scheduler}: {have} worker(s) after waiting {WORKER_WAIT_SECONDS} "
                                   f"s, {wanted} needed; start workers (dask worker {self.scheduler}) or ask for "
                                   "fewer", param="scheduler" if self.workers is None else "workers") from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return False


def worker_versions():
    """What must agree between the driver and every worker: boolnet's version and the parameter stream."""
    import boolnet
    from boolnet.sampling._rng import RNG_NAME

    return [boolnet.__version__, RNG_NAME]


def check_worker_versions(client) -> None:
    """Refuse workers that cannot import boolnet or run another version of it (their counts could differ)."""
    try:
        versions = client.run(worker_versions)
    except Exception as exc:  # raised on a worker: boolnet missing there, typically
        raise BoolnetError(f"the Dask workers cannot run boolnet ({type(exc).__name__}: {exc}); install the same "
                           "boolnet on every worker (pip install 'boolnet[dask]')", param="scheduler") from None
    mine = worker_versions()
    other = {address: v for address, v in versions.items() if list(v) != mine}
    if other:
        address, theirs = next(iter(other.items()))
        raise BoolnetError(f"{len(other)} Dask worker(s) run another boolnet (e.g. {address}: version {theirs[0]}, "
                           f"stream {theirs[1]}; here: {mine[0]}, {mine[1]}); install the same boolnet on every "
                           "worker", param="scheduler")


def _threads_of(client) -> int:
    info = client.scheduler_info()
    return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))


def _wait(future, stop, poll: float = 0.25):
    """The result of ``future``, or None as soon as ``stop`` has caught a signal (checked every ``poll`` s)."""
    while True:
        try:
            return future.result(timeout=poll)
        except TimeoutError:
            if stop.signal_name is not None:
                return None


def drive_dask(spec, prior, counts, *, samples: int, seed: int, start: int, scheduler=None, workers=None,
               progress: bool = False, checkpoint=None, checkpoint_interval: float = 30.0,
               stop_after: int | None = None, task_blocks: int | None = None, fan_in: int = FAN_IN,
               window: int | None = None, fault=None):
    """Run the blocks from ``start`` samples on Dask, adding them in order into ``counts``.

    The Dask counterpart of :func:`boolnet.runs.drive` (same
    :class:`~boolnet.runs.DriveResult`, same checkpoint saves, same
    stop on Ctrl-C/SIGTERM between groups). Returns ``(result, info)``, ``info``
    a dict of the run's tasks (``tasks``, ``task_blocks``, ``workers``, ...).
    """
    from boolnet.runs import CheckpointSaver, DriveResult
    from boolnet.signals import StopSignals

    total_blocks = -(-samples // BLOCK_SIZE)
    first_block = start // BLOCK_SIZE if start < samples else total_blocks
    done = start
    info = {"backend": "dask", "scheduler": scheduler or "LocalCluster"}
    bar = None
    begin = time.perf_counter()
    save = CheckpointSaver(checkpoint, counts, samples, "samples", checkpoint_interval)
    signal_name = None
    if first_block >= total_blocks:
        return DriveResult(done=done, resumed_from=start, seconds=0.0, saved_done=save.saved_done), info

    with _Cluster(scheduler, workers) as client:
        check_worker_versions(client)
        begin = time.perf_counter()  # as the local driver's: after the start-up, not counted in samples/s
        nthreads = _threads_of(client)
        blocks = task_blocks or task_blocks_for(total_blocks, nthreads)
        tasks = [(b, min(blocks, total_blocks - b)) for b in range(first_block, total_blocks, blocks)]
        groups = [tasks[i : i + fan_in] for i in range(0, len(tasks), fan_in)]
        depth = window or max(2, 2 * -(-nthreads // fan_in) + 1)
        info.update(workers=len(client.scheduler_info().get("workers", {})), threads=nthreads,
                    task_blocks=blocks, tasks=len(tasks), fan_in=fan_in)
        if progress:
            bar = progress_bar(total=samples, initial=done, unit="samples", unit_scale=samples >= 10**4,
                               dynamic_ncols=True, smoothing=0.1, desc=f"sample {spec.arch} (dask, {nthreads} workers)")
        args = (str(spec.arch), spec.activation, spec.encoding, spec.bias, prior, samples, seed)
        task_index = {t: k for k, t in enumerate(tasks)}

        def submit(group):
            futures = [client.submit(count_task, *args, b, c, task_index[(b, c)], fault, retries=RETRIES,
                                     pure=False)
                       for b, c in group]
            if len(futures) == 1:
                return futures[0], futures
            return client.submit(combine_task, *futures, retries=RETRIES, pure=False), futures

        pending = []  # (group, combined future, task futures), in block order
        next_group = 0
        save.last_attempt = time.perf_counter()  # the cadence counts from here: the cluster start-up is not work
        try:
            with StopSignals() as stop:
                while next_group < len(groups) or pending:
                    while next_group < len(groups) and len(pending) < depth:
                        pending.append((groups[next_group], *submit(groups[next_group])))
                        next_group += 1
                    group, combined, parts = pending[0]
                    try:
                        result = _wait(combined, stop)
                    except Exception as exc:  # retries used up, workers killed repeatedly, scheduler lost
                        if checkpoint is not None and done > start:
                            save(done, last=True)
                        kept = (f"; the counts of the first {done} samples are in checkpoint {checkpoint.path}: run "
                                "again with the same options to resume" if checkpoint is not None and
                                save.error is None and done > start else "")
                        why = str(exc).splitlines()[0] if str(exc) else ""
                        last = group[-1][0] + group[-1][1] - 1
                        raise BoolnetError(f"the Dask task of blocks {group[0][0]} to {last} failed "
                                           f"({type(exc).__name__}: {why}){kept}", param="backend") from exc
                    if result is None:  # Ctrl-C or SIGTERM while waiting: stop now, with the groups added so far
                        signal_name = stop.signal_name
                        if checkpoint is not None and done > start:
                            save(done, last=True)
                        break
                    pending.pop(0)
                    words, cnt = result
                    del combined, parts, result
                    _add_entries(counts, words, cnt)
                    if _TEST_GROUP_SLEEP:
                        time.sleep(_TEST_GROUP_SLEEP)
                    last_block = group[-1][0] + group[-1][1]
                    new_done = min(samples, last_block * BLOCK_SIZE)
                    if bar is not None:
                        bar.set_postfix(counts.postfix(), refresh=False)
                        bar.update(new_done - done)
                    done = new_done
                    stopping = stop.signal_name is not None or (stop_after is not None and done >= stop_after)
                    save.after(done, stopping)
                    if stopping and done < samples:
                        signal_name = stop.signal_name or "SIGINT"
                        break
        finally:
            for _, combined, parts in pending:
                client.cancel([combined, *parts])
            pending.clear()
            if bar is not None:
                bar.close()
    result = DriveResult(done=done, resumed_from=start, seconds=time.perf_counter() - begin,
                         signal_name=signal_name, save_error=save.error, saved_done=save.saved_done)
    return result, info
