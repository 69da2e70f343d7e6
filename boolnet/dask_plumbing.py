"""What every Dask backend of boolnet shares: the cluster, the version check and the ordered driver loop.

Two runs spread their work over Dask workers: the sampler's blocks
(:mod:`boolnet.sampling.dask_backend`) and the exact engine's symmetry orbits
(:func:`boolnet.exact.engine.exact_table` with ``backend="dask"``). Both cut the
run into **tasks** of consecutive work units whose results depend only on the
units, so a task gives the same result wherever and however often it runs, and
both merge the results on the driver **in order**, so the driver always holds the
results of a prefix of the run: exactly what the local backend's checkpoint holds.

This module holds what they share, below both (it imports only
:mod:`boolnet.errors`, :mod:`boolnet.progress`, :mod:`boolnet.runs` and
:mod:`boolnet.signals`; ``dask.distributed`` is imported only when a run starts):

* :func:`import_distributed`, a BoolnetError saying how to install Dask when it is missing;
* :class:`Cluster`: a client on a given scheduler (refused addresses and missing workers
  fail within seconds, with a one-line message) or on a ``LocalCluster`` started here;
* :func:`check_worker_versions`: every worker must run the driver's boolnet;
* :func:`drive_on_dask`: the driver loop, with at most ``depth`` task groups in flight,
  results merged in order, the checkpoint cadence of :class:`boolnet.runs.CheckpointSaver`,
  a stop on Ctrl-C or SIGTERM within a quarter of a second (running tasks cancelled,
  checkpoint saved), and a task that fails for good reported in one line with the checkpoint kept;
* :func:`inject_fault`, the test hook that makes a task raise, kill its worker, or run slowly.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from boolnet.errors import BoolnetError

#: Retries of a task that raises (a lost worker's tasks are recomputed by the scheduler on its own).
RETRIES = 3
#: Seconds to reach a scheduler before giving up (a refused address fails within them).
CONNECT_SECONDS = 5
#: Seconds to wait for the scheduler's workers (all of ``workers``, or the first one) before giving up.
WORKER_WAIT_SECONDS = 60
#: Test hook: seconds the driver waits after merging each group (to kill it mid-run from a test).
TEST_GROUP_SLEEP = float(os.environ.get("BOOLNET_TEST_GROUP_SLEEP", "0") or 0)


def import_distributed():
    """The :mod:`dask.distributed` module, or a BoolnetError saying how to install it.

    Examples
    --------
    >>> import_distributed().__name__   # doctest: +SKIP
    'dask.distributed'
    """
    try:
        import dask.distributed as distributed  # noqa: PLR0402 - the submodule itself: a test hides it
    except ImportError as exc:
        raise BoolnetError(f"backend 'dask' needs dask.distributed, which is not installed ({exc}); install it "
                           "with: pip install 'boolnet[dask]' (or pip install 'dask[distributed]')",
                           param="backend") from None
    return distributed


def inject_fault(fault, task: int) -> None:
    """Test hook run by a task first: ``fault = (kind, marker path, task)``; the first attempt of that task raises,
    kills its worker (``"kill"``) or takes 4 s longer (``"sleep"``). The marker file says an attempt was made.

    Examples
    --------
    >>> inject_fault(None, 3)            # no fault: nothing happens
    """
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


class Cluster:
    """A client on ``scheduler``, or on a LocalCluster of ``workers`` processes started here (closed on exit).

    ``wait_seconds``: how long to wait for the scheduler's workers (``workers`` of them, or the
    first one) before a BoolnetError says to start some.

    Examples
    --------
    >>> with Cluster(None, 2) as client:          # doctest: +SKIP
    ...     len(client.scheduler_info()["workers"])
    2
    """

    def __init__(self, scheduler, workers, wait_seconds: float = WORKER_WAIT_SECONDS):
        self.scheduler = scheduler
        self.workers = workers
        self.wait_seconds = wait_seconds
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
                self.client.wait_for_workers(wanted, timeout=self.wait_seconds)
            except (TimeoutError, OSError):
                have = len(self.client.scheduler_info().get("workers", {}))
                self.client.close()
                self.client = None
                raise BoolnetError(f"scheduler {self.scheduler}: {have} worker(s) after waiting {self.wait_seconds:g} "
                                   f"s, {wanted} needed; start workers (dask worker {self.scheduler}) or ask for "
                                   "fewer", param="scheduler" if self.workers is None else "workers") from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return False


def boolnet_version() -> list:
    """What must agree between the driver and every worker of a run whose results depend only on the code.

    Examples
    --------
    >>> import boolnet
    >>> boolnet_version() == [boolnet.__version__]
    True
    """
    import boolnet

    return [boolnet.__version__]


def check_worker_versions(client, versions=boolnet_version, labels=("version",)) -> None:
    """Refuse workers that cannot import boolnet or whose ``versions()`` differ from the driver's.

    ``versions`` is run on every worker (a module-level function: it is pickled by reference);
    ``labels`` name its entries in the message (the sampler adds its parameter stream).
    """
    try:
        answers = client.run(versions)
    except Exception as exc:  # noqa: BLE001 - raised on a worker (boolnet missing there, typically)
        raise BoolnetError(f"the Dask workers cannot run boolnet ({type(exc).__name__}: {exc}); install the same "
                           "boolnet on every worker (pip install 'boolnet[dask]')", param="scheduler") from None
    mine = versions()
    other = {address: v for address, v in answers.items() if list(v) != mine}
    if other:
        address, theirs = next(iter(other.items()))
        theirs_text = ", ".join(f"{label} {value}" for label, value in zip(labels, theirs))
        raise BoolnetError(f"{len(other)} Dask worker(s) run another boolnet (e.g. {address}: {theirs_text}; "
                           f"here: {', '.join(map(str, mine))}); install the same boolnet on every worker",
                           param="scheduler")


def threads_of(client) -> int:
    """Worker threads of the client's scheduler (at least 1)."""
    info = client.scheduler_info()
    return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))


def wait_result(future, stop, poll: float = 0.25):
    """The result of ``future``, or None as soon as ``stop`` has caught a signal (checked every ``poll`` s).

    Waits on an event the future's done-callback sets, not on ``future.result(timeout=poll)``: that
    call, made every ``poll`` seconds through a long task, sometimes raised UnboundLocalError from
    inside distributed (2026.11) when its timeout met the task's end (seen on a 64-orbit task).
    """
    finished = threading.Event()
    future.add_done_callback(lambda _: finished.set())
    while not finished.wait(poll):
        if stop.signal_name is not None:
            return None
    return future.result()


def drive_on_dask(*, plan, submit, merge, describe, total: int, start: int, results, unit: str,
                  what: str = "counts", description: str = "", progress: bool = False, postfix=None,
                  scheduler=None, workers=None, wait_seconds: float = WORKER_WAIT_SECONDS,
                  versions=boolnet_version, version_labels=("version",), checkpoint=None,
                  checkpoint_interval: float = 30.0, stop_after: int | None = None):
    """Run ``total - start`` units as Dask tasks, merging their results in order: the Dask :func:`boolnet.runs.drive`.

    Parameters
    ----------
    plan : callable
        ``plan(threads) -> (groups, depth, info)``: the run's groups of tasks in unit order for a
        cluster of ``threads`` worker threads, how many groups may be in flight, and a dict
        describing the tasks for the run's metadata.
    submit : callable
        ``submit(client, group) -> (future, futures)``: the future whose result is the group's, and
        every future of the group (cancelled on a stop).
    merge : callable
        ``merge(group, result) -> done``: adds a group's result into ``results``; returns the units
        done after it. Called in group order only.
    describe : callable
        ``describe(group) -> str``: the group's units for an error message (``"blocks 4 to 7"``).
    total, start : int
        Units of the run, and units already done (resumed).
    results
        What ``checkpoint.save(done, results)`` saves.
    unit, what : str
        What a unit is (``"samples"``) and what the results are (``"counts"``), for messages.
    description : str
        Progress bar label (the cluster's size is added).
    progress : bool
    postfix : callable, optional
        ``postfix() -> dict`` for the progress bar.
    scheduler, workers, wait_seconds
        The :class:`Cluster`.
    versions, version_labels
        What must agree between the driver and the workers (:func:`check_worker_versions`).
    checkpoint, checkpoint_interval, stop_after
        As for :func:`boolnet.runs.drive`.

    Returns
    -------
    (boolnet.runs.DriveResult, dict)
        How the run ended, and ``info``: ``backend``, ``scheduler``, ``workers``, ``threads`` and
        the entries ``plan`` gave.
    """
    from boolnet.runs import CheckpointSaver, DriveResult, run_bar
    from boolnet.signals import StopSignals

    done = start
    info = {"backend": "dask", "scheduler": scheduler or "LocalCluster"}
    bar = None
    begin = time.perf_counter()
    save = CheckpointSaver(checkpoint, results, total, unit, checkpoint_interval)
    signal_name = None
    if start >= total:
        return DriveResult(done=done, resumed_from=start, seconds=0.0, saved_done=save.saved_done), info

    with Cluster(scheduler, workers, wait_seconds) as client:
        check_worker_versions(client, versions, version_labels)
        begin = time.perf_counter()  # as the local driver's: after the start-up, not counted in units/s
        nthreads = threads_of(client)
        groups, depth, planned = plan(nthreads)
        info.update(workers=len(client.scheduler_info().get("workers", {})), threads=nthreads, **planned)
        if progress:
            bar = run_bar(total, done, unit, f"{description} (dask, {nthreads} workers)")
        pending = []  # (group, its future, all its futures), in unit order
        next_group = 0
        save.last_attempt = time.perf_counter()  # the cadence counts from here: the cluster start-up is not work
        try:
            with StopSignals() as stop:
                while next_group < len(groups) or pending:
                    while next_group < len(groups) and len(pending) < depth:
                        pending.append((groups[next_group], *submit(client, groups[next_group])))
                        next_group += 1
                    group, future, parts = pending[0]
                    try:
                        result = wait_result(future, stop)
                    except Exception as exc:  # retries used up, workers killed repeatedly, scheduler lost
                        if checkpoint is not None and done > start:
                            save(done, last=True)
                        kept = (f"; the {what} of the first {done} {unit} are in checkpoint {checkpoint.path}: run "
                                "again with the same options to resume" if checkpoint is not None and
                                save.error is None and done > start else "")
                        why = str(exc).splitlines()[0] if str(exc) else ""
                        raise BoolnetError(f"the Dask task of {describe(group)} failed ({type(exc).__name__}: "
                                           f"{why}){kept}", param="backend") from exc
                    if result is None:  # Ctrl-C or SIGTERM while waiting: stop now, with the groups merged so far
                        signal_name = stop.signal_name
                        if checkpoint is not None and done > start:
                            save(done, last=True)
                        break
                    pending.pop(0)
                    del future, parts
                    new_done = merge(group, result)
                    del result
                    if TEST_GROUP_SLEEP:
                        time.sleep(TEST_GROUP_SLEEP)
                    if bar is not None:
                        if postfix is not None:
                            bar.set_postfix(postfix(), refresh=False)
                        bar.update(new_done - done)
                    done = new_done
                    signal_name = save.stop_after_step(done, stop, stop_after)
                    if signal_name is not None:
                        break
        finally:
            for _, future, parts in pending:
                client.cancel([future, *parts])
            pending.clear()
            if bar is not None:
                bar.close()
    result = DriveResult(done=done, resumed_from=start, seconds=time.perf_counter() - begin,
                         signal_name=signal_name, save_error=save.error, saved_done=save.saved_done)
    return result, info
