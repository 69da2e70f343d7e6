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
``dask-kubernetes``, a cloud service's cluster: see ``docs/scale.md``). The cluster, the
version check and the ordered driver loop are shared with the exact engine's orbits
(:mod:`boolnet.dask_plumbing`).
"""

from __future__ import annotations

import math

import numpy as np

from boolnet import dask_plumbing
from boolnet.sampling._rng import BLOCK_SIZE
from boolnet.sampling.jobs import SampleJob

#: Blocks per task aimed at: tasks take seconds (7-1) to about a minute (7-40-40-1) on one core.
MAX_TASK_BLOCKS = 1024
#: Tasks per worker aimed at (enough to balance the load, few enough to keep the per-task overhead small).
TASKS_PER_WORKER = 8
#: Consecutive tasks added on a worker before the driver receives them.
FAN_IN = 4
#: Retries of a task that raises (read at each run: tests lower it).
RETRIES = dask_plumbing.RETRIES
#: Seconds to wait for the scheduler's workers (read at each run: tests lower it).
WORKER_WAIT_SECONDS = dask_plumbing.WORKER_WAIT_SECONDS


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


def _add_entries(counts, words: np.ndarray, cnt: np.ndarray) -> None:
    """Add entries ``(words, cnt)`` to a :class:`~boolnet.sampling.counts.Counts` through its worker table 0."""
    from boolnet.sampling._dask_kernels import fill_worker_table
    from boolnet.sampling._hash_kernels import slot_shift

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

    dask_plumbing.inject_fault(fault, task)
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


def worker_versions():
    """What must agree between the driver and every worker: boolnet's version and the parameter stream."""
    import boolnet
    from boolnet.sampling._rng import RNG_NAME

    return [boolnet.__version__, RNG_NAME]


def check_worker_versions(client) -> None:
    """Refuse workers that cannot import boolnet or run another version of it (their counts could differ)."""
    dask_plumbing.check_worker_versions(client, worker_versions, ("version", "stream"))


def drive_dask(spec, prior, counts, *, samples: int, seed: int, start: int, scheduler=None, workers=None,
               progress: bool = False, checkpoint=None, checkpoint_interval: float = 30.0,
               stop_after: int | None = None, task_blocks: int | None = None, fan_in: int = FAN_IN,
               window: int | None = None, fault=None):
    """Run the blocks from ``start`` samples on Dask, adding them in order into ``counts``.

    The Dask counterpart of :func:`boolnet.runs.drive` (same
    :class:`~boolnet.runs.DriveResult`, same checkpoint saves, same
    stop on Ctrl-C/SIGTERM between groups), through :func:`boolnet.dask_plumbing.drive_on_dask`.
    Returns ``(result, info)``, ``info`` a dict of the run's tasks (``tasks``, ``task_blocks``,
    ``workers``, ...).
    """
    total_blocks = -(-samples // BLOCK_SIZE)
    first_block = start // BLOCK_SIZE if start < samples else total_blocks
    args = (str(spec.arch), spec.activation, spec.encoding, spec.bias, prior, samples, seed)
    task_index = {}

    def plan(nthreads):
        blocks = task_blocks or task_blocks_for(total_blocks, nthreads)
        tasks = [(b, min(blocks, total_blocks - b)) for b in range(first_block, total_blocks, blocks)]
        task_index.update({t: k for k, t in enumerate(tasks)})
        groups = [tasks[i : i + fan_in] for i in range(0, len(tasks), fan_in)]
        depth = window or max(2, 2 * -(-nthreads // fan_in) + 1)
        return groups, depth, {"task_blocks": blocks, "tasks": len(tasks), "fan_in": fan_in}

    def submit(client, group):
        futures = [client.submit(count_task, *args, b, c, task_index[(b, c)], fault, retries=RETRIES, pure=False)
                   for b, c in group]
        if len(futures) == 1:
            return futures[0], futures
        return client.submit(combine_task, *futures, retries=RETRIES, pure=False), futures

    def merge(group, result):
        words, cnt = result
        _add_entries(counts, words, cnt)
        return min(samples, (group[-1][0] + group[-1][1]) * BLOCK_SIZE)

    def describe(group):
        return f"blocks {group[0][0]} to {group[-1][0] + group[-1][1] - 1}"

    return dask_plumbing.drive_on_dask(
        plan=plan, submit=submit, merge=merge, describe=describe, total=samples, start=start, results=counts,
        unit="samples", what="counts", description=f"sample {spec.arch}", progress=progress, postfix=counts.postfix,
        scheduler=scheduler, workers=workers, wait_seconds=WORKER_WAIT_SECONDS, versions=worker_versions,
        version_labels=("version", "stream"), checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
        stop_after=stop_after)
