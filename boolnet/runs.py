"""The one run loop: the chunked parallel driver shared by the sampler, the grid enumerator, the trainer
and the exact perceptron engine.

It lives at the bottom of the package (it imports only :mod:`boolnet.checks`,
:mod:`boolnet.errors` and :mod:`boolnet.signals`) so that :mod:`boolnet.exact`, which
sits below :mod:`boolnet.sampling`, runs its orbits through it too; the checkpoints
it saves are kinds of :class:`boolnet.io.checkpoint.Checkpoint`.

A job (:class:`Job`) is ``total`` work units (samples, grid points, trainings, symmetry
orbits) cut into indivisible *granules* (a block of 4096 samples, one grid point, one
training, one orbit).
:func:`drive` hands consecutive ranges of granules ("chunks", sized to take about
``CHUNK_SECONDS``) to the job's worker kernels on a thread pool, has the run's
*results* merge the workers' output after each call (a
:class:`~boolnet.sampling.counts.Counts` adds the workers' counts; the trainer's
runs are written in place), and between chunks, never in the middle of one:

* updates the progress bar (only with ``progress=True``; the library never prints);
* saves the checkpoint, if any, every ``checkpoint_interval`` seconds, at the end
  and on a stop; a failed save (full disk, permission) does not stop the run: it
  warns (:class:`~boolnet.errors.BoolnetWarning`), keeps the counts in memory and
  retries at the next interval; a failure of the last save (at the end or on a
  stop) is reported in :class:`DriveResult` for the caller to say so once;
* stops on Ctrl-C (SIGINT) or SIGTERM: the handlers, installed only when running
  on the main thread and restored afterwards, just set a flag, so the current
  chunk ends, the checkpoint is saved, and :func:`drive` returns with
  ``signal_name`` set; the caller raises :class:`~boolnet.errors.Interrupted`
  with the partial table.

Since chunks only decide when results are merged, and a unit's result depends
only on the unit (counts only add up; a training only on its run index), the
chunking never changes a result.
"""

from __future__ import annotations

import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from boolnet.errors import BoolnetError, BoolnetWarning
from boolnet.progress import progress_bar
from boolnet.signals import StopSignals

#: Wall time a chunk aims at: a stop or a checkpoint waits at most about this long.
CHUNK_SECONDS = 0.5


class Job:
    """What :func:`drive` runs: override :meth:`make_step`.

    Attributes
    ----------
    total : int
        Work units asked for (samples, grid points).
    granule : int
        Units per indivisible piece (a block of samples; 1 grid point). Chunks are
        whole granules; only the last granule may be short.
    first_chunk : int
        Granules of the first chunk (later ones are sized to take ``CHUNK_SECONDS``).
    unit : str
        What a unit is, for the progress bar and the metadata (``"samples"``, ``"trainings"``).
    description : str
        Progress bar label.
    """

    total: int = 0
    granule: int = 1
    first_chunk: int = 1
    unit: str = "units"
    description: str = ""

    def prepare(self) -> None:
        """Compile the job's kernels (a call that does no work), before the stop signals are caught.

        Compiling can take tens of seconds; done here, a Ctrl-C during it stops at once
        (a plain KeyboardInterrupt: nothing was counted yet) instead of after the first chunk.
        """

    def make_step(self, first: int, count: int, threads: int):
        """A function ``step(t) -> bool`` running worker ``t``'s share of granules ``first .. first + count - 1``.

        ``step(t)`` runs a kernel that fills worker table ``t`` (stopping when it is
        full), and returns True once worker ``t`` has finished its share; the driver
        has the results merge the table after every call.
        """
        raise NotImplementedError


def run_steps(step, workers: int, pool=None, merge=None) -> None:
    """Call ``step(t)`` for every worker ``t < workers`` until it returns True, and ``merge(t)`` after each call.

    With a thread pool the workers run at once, each merging on its own.

    Examples
    --------
    >>> left = [2, 1]
    >>> def step(t):
    ...     left[t] -= 1
    ...     return left[t] == 0
    >>> run_steps(step, 2); left
    [0, 0]
    """
    def loop(worker):
        while True:
            finished = step(worker)
            if merge is not None:
                merge(worker)
            if finished:
                return

    if pool is None:
        for worker in range(workers):
            loop(worker)
    else:
        for future in [pool.submit(loop, worker) for worker in range(workers)]:
            future.result()


class Results:
    """What :func:`drive` gathers into, for runs whose workers write their results in place.

    ``threads`` workers run each chunk (:func:`run_steps`); nothing is merged or planned,
    and the progress bar shows nothing after its rate. :class:`~boolnet.sampling.counts.Counts`,
    which merges hash tables, is the other kind.
    """

    threads = 1

    def run_workers(self, step, pool=None) -> None:
        run_steps(step, self.threads, pool)

    def plan(self, done: int, total: int) -> None:
        """Nothing to size ahead."""

    def postfix(self) -> dict:
        return {}


@dataclass
class DriveResult:
    """How a :func:`drive` call ended.

    Attributes
    ----------
    done : int
        Units done in total (including those resumed from a checkpoint).
    resumed_from : int
        Units that were already done when the call started.
    seconds : float
        Wall time of the call after the kernels were compiled.
    signal_name : str or None
        ``"SIGINT"`` or ``"SIGTERM"`` if the run was stopped before the end.
    save_error : str or None
        Why the last checkpoint save failed, if it did (the counts are still in memory).
    saved_done : int or None
        Units held by the checkpoint file after the call (None: no checkpoint, or never saved).
    """

    done: int
    resumed_from: int
    seconds: float
    signal_name: str | None = None
    save_error: str | None = None
    saved_done: int | None = None

    @property
    def per_second(self) -> float | None:
        """Units done in this call per second (None when none were done)."""
        work = self.done - self.resumed_from
        return work / self.seconds if work > 0 and self.seconds > 0 else None


class CheckpointSaver:
    """Saves a run's checkpoint between chunks; a failed save never stops the run.

    ``saver(done, last)`` saves the results (counts) of ``done`` work units. A failure (full disk,
    permission) is remembered in :attr:`error`; unless it is the ``last`` save (which the
    caller reports once: in the Interrupted message or a warning at the end) it warns
    (:class:`~boolnet.errors.BoolnetWarning`) that the run goes on with the counts in
    memory and tries again after ``interval`` seconds. :attr:`saved_done` is what the
    file on disk holds. Shared by the local driver and the Dask backend.
    """

    def __init__(self, checkpoint, results, total: int, unit: str, interval: float):
        self.checkpoint, self.results, self.total, self.unit, self.interval = checkpoint, results, total, unit, interval
        self.error: str | None = None
        self.saved_done: int | None = getattr(checkpoint, "saved_done", None)
        #: When the last save was tried: the cadence counts from it (a caller may restart it after a slow start-up).
        self.last_attempt = time.perf_counter()

    def after(self, done: int, stopping: bool) -> None:
        """After a piece of work: save at the end, on a stop, or when ``interval`` seconds have passed."""
        if self.checkpoint is None:
            return
        now = time.perf_counter()
        last = done == self.total or stopping
        if last or now - self.last_attempt >= self.interval:
            self(done, last=last)
            self.last_attempt = now

    def stop_after_step(self, done: int, stop, stop_after: int | None) -> str | None:
        """After a piece of work, as :meth:`after`; the signal the run stops with, or None to go on.

        ``stop`` is the run's :class:`~boolnet.signals.StopSignals`; ``stop_after`` (tests) stops the run as a
        SIGINT would once that many units are done.
        """
        stopping = stop.signal_name is not None or (stop_after is not None and done >= stop_after)
        self.after(done, stopping)
        if stopping and done < self.total:
            return stop.signal_name or "SIGINT"
        return None

    def __call__(self, done: int, last: bool) -> None:
        try:
            self.checkpoint.save(done, self.results)
        except (OSError, BoolnetError) as exc:
            self.error = str(exc)
            if not last:
                warnings.warn(f"could not save checkpoint {self.checkpoint.path} after {done} of {self.total} "
                              f"{self.unit} ({self.error}); the run goes on with the counts in memory and tries "
                              f"again in {self.interval:g} s", BoolnetWarning, stacklevel=5)
        else:
            self.error = None
            self.saved_done = done


def run_bar(total: int, done: int, unit: str, description: str):
    """The progress bar of a run of ``total`` units, ``done`` of them already (resumed): the same on every backend.

    Examples
    --------
    >>> bar = run_bar(3, 1, "orbits", "volumes n=2")
    >>> bar.update(2); bar.close()
    """
    return progress_bar(total=total, initial=done, unit=unit, unit_scale=total >= 10**4, dynamic_ncols=True,
                        smoothing=0.1, desc=description)


def drive(job: Job, results, *, threads: int, start: int = 0, progress: bool = False, checkpoint=None,
          checkpoint_interval: float = 30.0, stop_after: int | None = None) -> DriveResult:
    """Run ``job`` chunk by chunk on ``threads`` workers, gathering into ``results``.

    Parameters
    ----------
    job : Job
    results : boolnet.sampling.counts.Counts or alike
        Holds the results of the ``start`` units already done and gathers the others:
        ``results.run_workers(step, pool)`` runs a chunk's steps (:func:`run_steps`)
        with ``threads`` workers, merging their output after each call;
        ``results.plan(done, total)`` hears how far the run is after each chunk;
        ``results.postfix()`` is a dict for the progress bar. A
        :class:`~boolnet.sampling.counts.Counts` with ``threads`` worker tables is one.
    threads : int
    start : int
        Units already done (resumed from a checkpoint); a multiple of ``job.granule``
        or ``job.total``.
    progress : bool
        A tqdm progress bar on stderr.
    checkpoint : object with ``save(done, results)`` and ``path``, optional
        Saved every ``checkpoint_interval`` seconds, at the end and on a stop.
    checkpoint_interval : float
    stop_after : int, optional
        For tests: stop, as a signal would (``signal_name = "SIGINT"``), once at least
        this many units are done.

    Returns
    -------
    DriveResult
    """
    total = job.total
    total_granules = -(-total // job.granule)
    done = start
    chunk = max(1, job.first_chunk)
    if done < total:
        job.prepare()  # compile first: a Ctrl-C while numba compiles stops at once
    bar = run_bar(total, done, job.unit, job.description) if progress else None
    begin = time.perf_counter()
    save = CheckpointSaver(checkpoint, results, total, job.unit, checkpoint_interval)
    signal_name = None

    results.plan(done, total)
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        with StopSignals() as stop:
            while done < total:
                first = done // job.granule
                count = min(chunk, total_granules - first)
                t0 = time.perf_counter()
                results.run_workers(job.make_step(first, count, threads), pool)
                elapsed = time.perf_counter() - t0
                new_done = min(total, (first + count) * job.granule)
                results.plan(new_done, total)  # e.g. sizes the growth of a master table; never changes a result
                if bar is not None:
                    bar.set_postfix(results.postfix(), refresh=False)
                    bar.update(new_done - done)
                done = new_done
                # Size the next chunk to take about CHUNK_SECONDS (chunking never changes results).
                target = int(count / max(elapsed, 1e-6) * CHUNK_SECONDS)
                chunk = max(threads, min(target, 4 * chunk) // threads * threads)
                signal_name = save.stop_after_step(done, stop, stop_after)
                if signal_name is not None:
                    break
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if bar is not None:
            bar.close()
    return DriveResult(done=done, resumed_from=start, seconds=time.perf_counter() - begin,
                       signal_name=signal_name, save_error=save.error, saved_done=save.saved_done)


def stop_message(result: DriveResult, total: int, unit: str, checkpoint_path=None, resumable: bool = True,
                 rescued=None, what: str = "counts") -> str:
    """The message of the :class:`~boolnet.errors.Interrupted` raised after a stop.

    ``rescued``: where the results were saved instead when the checkpoint's own save failed;
    ``what``: what the results are called (``"counts"``; the exact engine's ``"volumes"``).

    Examples
    --------
    >>> r = DriveResult(done=8192, resumed_from=0, seconds=1.0, signal_name="SIGTERM", saved_done=8192)
    >>> print(stop_message(r, 10**6, "samples", "run.ckpt"))  # doctest: +NORMALIZE_WHITESPACE
    stopped by SIGTERM after 8192 of 1000000 samples; counts saved to checkpoint run.ckpt: run again with the
    same options to resume
    """
    head = f"stopped by {result.signal_name} after {result.done} of {total} {unit}"
    if checkpoint_path is None:
        if not resumable:
            return head + f"; the {what} so far are in the exception's partial table"
        return head + "; nothing saved (give a checkpoint path to make runs resumable)"
    if result.save_error is None:
        return head + f"; {what} saved to checkpoint {checkpoint_path}: run again with the same options to resume"
    held = (f"it holds the {what} of {result.saved_done} {unit}" if result.saved_done is not None
            else "it was never written")
    head += f"; the last save of checkpoint {checkpoint_path} failed ({result.save_error}): {held}"
    if rescued is not None:
        return (head + f"; the {what} of {result.done} {unit} were saved to {rescued} instead: move that file to "
                f"{checkpoint_path} to resume")
    return head + f"; the {what} of {result.done} {unit} are only in the exception's partial table"


def end_warning(result: DriveResult, total: int, unit: str, checkpoint_path, rescued=None,
                what: str = "counts") -> str:
    """The warning given when a run ends with its last checkpoint save failed (the table is complete).

    ``rescued``: where the results were saved instead; ``what``: what they are called.
    """
    held = (f"holds the {what} of {result.saved_done} of {total} {unit}" if result.saved_done is not None
            else "was never written")
    message = f"the final save of checkpoint {checkpoint_path} failed ({result.save_error}); the file {held}"
    if rescued is not None:
        message += (f"; the {what} of all {result.done} {unit} were saved to {rescued} instead (move it to "
                    f"{checkpoint_path} to get the table again at once)")
    return message + f"; the resulting table has all {result.done} {unit}"
