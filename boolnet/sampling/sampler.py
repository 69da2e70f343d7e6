"""Monte Carlo estimate of P(f) for random networks: chunked, parallel, resumable.

The run is a sequence of blocks of ``BLOCK_SIZE`` samples; block ``b`` draws its
parameters from its own stream seeded by ``(seed, b)``. The driver
(:mod:`boolnet.runs`) hands consecutive ranges of blocks to the
parallel kernel, merges the per-worker counts, and after a range, never in the
middle of one, may save a checkpoint (:mod:`boolnet.sampling.checkpoint`) or
stop on Ctrl-C or SIGTERM. Since a checkpoint holds the counts of blocks
``0 .. b-1`` exactly, resuming gives the counts of an uninterrupted run,
whatever the number of threads or the chunk sizes.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from boolnet import __version__
from boolnet.checks import as_prior, check_backend_options, check_checkpoint_interval, check_progress, \
    check_samples, check_seed, check_threads
from boolnet.errors import BoolnetError, BoolnetWarning, Interrupted
from boolnet.functions import check_target, resolve_training
from boolnet.io.dataset import check_dataset_target, is_dataset_target
from boolnet.io.paths import check_output_path
from boolnet.io.tables import write_counts
from boolnet.network import NetworkSpec
from boolnet.priors import Prior
from boolnet.sampling import dask_backend
from boolnet.sampling.checkpoint import SampleCheckpoint
from boolnet.sampling.counts import Counts
from boolnet.runs import drive, end_warning, stop_message
from boolnet.sampling.jobs import SampleJob, fit_words, run_options
from boolnet.table.build import frame_from_counts, frame_from_entries, wilson_interval
from boolnet.table.schema import attach


def check_fit(n: int, fit, train=None, train_size=None, seed: int = 0):
    """The conditioned sampler's target and training set: ``(target, train)``, or ``(None, None)`` without ``fit``.

    Examples
    --------
    >>> check_fit(2, "0001", train="3,0")
    ('0001', [0, 3])
    >>> check_fit(2, None)
    (None, None)
    >>> check_fit(2, "0001", train=[0, 4])
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: train indices must lie in 0..3 for n = 2, got [0, 4]
    """
    if fit is None:
        if train is not None or train_size is not None:
            param = "train" if train is not None else "train_size"
            raise BoolnetError(f"{param} is used only with fit: give the target whose agreement on the training "
                               "inputs conditions the samples", param=param)
        return None, None
    try:
        target = check_target(fit, n)
    except BoolnetError as exc:
        raise BoolnetError(str(exc).replace("target", "fit", 1), param="fit") from None
    return target, resolve_training(n, train, train_size, seed)


def network_of(arch, activation, encoding, bias, prior):
    """The network a sampling run draws: a :class:`NetworkSpec`, or a
    :class:`~boolnet.nngp.process.LimitNetwork` for an architecture with ``inf`` hidden widths.

    Examples
    --------
    >>> type(network_of("2-2-1", "relu", "01", True, Prior())).__name__
    'NetworkSpec'
    >>> type(network_of("2-inf-1", "relu", "01", True, Prior())).__name__
    'LimitNetwork'
    """
    from boolnet.network import parse_arch

    parsed = parse_arch(arch)
    if parsed.is_limit:
        from boolnet.nngp.process import LimitNetwork

        return LimitNetwork(parsed, activation, encoding, bias, prior)
    return NetworkSpec(parsed, activation, encoding, bias)


def sample_counts(spec: NetworkSpec, prior: Prior, *, samples: int, seed: int = 0, threads: int | None = None,
                  checkpoint=None, checkpoint_interval: float = 30.0, progress: bool = False,
                  fingerprint: dict | None = None, stop_after: int | None = None, backend: str = "local",
                  scheduler=None, workers=None, dask_options: dict | None = None, fit: np.ndarray | None = None):
    """Run the sampler and return ``(counts, result, checkpoint)`` without building a table.

    ``fit`` (:func:`fit_words`): count only the samples that agree with a target on a
    training set (the local backend only); the counts then add up to the accepted samples.

    ``counts`` is the :class:`~boolnet.sampling.counts.Counts` (``counts.entries()``
    gives the packed truth tables and their counts), ``result`` the
    :class:`~boolnet.runs.DriveResult`, ``checkpoint`` the
    :class:`~boolnet.sampling.checkpoint.SampleCheckpoint` or None. A stop (signal) is
    reported in ``result.signal_name``, not raised. ``stop_after`` (for tests)
    stops, as Ctrl-C would, once at least that many samples are done.
    """
    threads = check_threads(threads)
    checkpoint_interval = check_checkpoint_interval(checkpoint_interval)
    counts = Counts(workers=threads)
    done = 0
    ckpt = None
    if checkpoint is not None:
        ckpt = SampleCheckpoint(checkpoint, fingerprint or run_options(spec, prior, seed, samples))
        state = ckpt.load()
        if state is not None:
            done, words, cnt = state
            counts.load(words, cnt)
    if backend == "dask":  # tasks of blocks on Dask workers, merged here in order (boolnet/sampling/dask_backend.py)
        if fit is not None:
            raise BoolnetError("fit is not supported with backend='dask' yet: run the conditioned sampler with "
                               "the local backend", param="backend")
        result, result.dask = dask_backend.drive_dask(spec, prior, counts, samples=samples, seed=seed, start=done,
                                         scheduler=scheduler, workers=workers, progress=progress, checkpoint=ckpt,
                                         checkpoint_interval=checkpoint_interval, stop_after=stop_after,
                                         **(dask_options or {}))
        return counts, result, ckpt
    if spec.arch.is_limit:
        from boolnet.sampling.gp import GaussianProcessJob

        job = GaussianProcessJob(spec, samples, seed, counts, threads, fit)
    else:
        job = SampleJob(spec, prior, samples, seed, counts, threads, fit)
    result = drive(job, counts, threads=threads, start=done, progress=progress, checkpoint=ckpt,
                   checkpoint_interval=checkpoint_interval, stop_after=stop_after)
    return counts, result, ckpt


def _evidence(target: str, train, accepted: int, done: int) -> dict:
    """The conditioned sampler's metadata: target, training set, accepted samples, ``P(S)`` with its interval."""
    if done > 0:
        lo, hi = wilson_interval(np.array([accepted]), done)
        evidence, low, high = accepted / done, float(lo[0]), float(hi[0])
    else:
        evidence = low = high = None
    return {"target": target, "train_size": len(train), "conditioned_on_train": True, "accepted": accepted,
            "kept_count": accepted, "evidence": evidence, "evidence_low": low, "evidence_high": high}


def sample_table(arch, *, activation: str = "relu", prior: Prior | str | None = None, encoding: str = "01",
                 bias: bool = True, samples, seed: int = 0, threads: int | None = None, checkpoint=None,
                 checkpoint_interval: float = 30.0, progress: bool | None = None, backend: str = "local",
                 scheduler: str | None = None, workers: int | None = None, fit: str | None = None,
                 train=None, train_size: int | None = None, _stop_after: int | None = None,
                 _dask_options: dict | None = None) -> pd.DataFrame:
    """Estimate P(f) by sampling random networks and counting the functions they compute.

    Parameters
    ----------
    arch : str
        ``"N-H1-...-1"``; ``"N-1"`` is a perceptron. ``1 <= N <= 7``. Hidden widths
        ``inf`` (``"7-inf-inf-1"``) sample the infinite-width limit, the neural-network
        Gaussian process (:mod:`boolnet.sampling.gp`; local backend only).
    activation : {"relu", "tanh", "step", "sign", "linear"}
        Activation of the hidden layers (``step(0) = 0``, ``sign(0) = 0``). The
        output unit is always 1 iff its pre-activation is > 0.
    prior : boolnet.priors.Prior or str, optional
        Default ``Prior()`` (gaussian, sigmas 1, fan-in scaling); a name is read by
        :func:`boolnet.checks.as_prior` (``"gaussian"``, ``"uniform"``, ``"cube"``).
    encoding : {"01", "pm1"}
    bias : bool
        False: no biases in any layer.
    samples : int
        Number of networks (``1e8`` and ``"1e8"`` are accepted).
    seed : int
        Seed of the parameter streams; the counts depend only on the options and the seed.
    threads : int, optional
        Worker threads (default: all cores); does not change the counts.
    checkpoint : path, optional
        Save the counts there every ``checkpoint_interval`` seconds, at the end and
        when stopped; an existing checkpoint of the same options is resumed (a
        finished one gives the table at once). A failed save does not stop the
        run: it warns (:class:`~boolnet.errors.BoolnetWarning`) and tries again at
        the next interval.
    checkpoint_interval : float
        Seconds between checkpoints (finite, > 0).
    progress : bool or None
        A progress bar on stderr (the library prints nothing otherwise).
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).
    backend : {"local", "dask"}
        ``"dask"``: tasks of blocks on Dask workers (:mod:`boolnet.sampling.dask_backend`,
        ``docs/scale.md``); the counts are the same as with ``"local"``.
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://host:8786"``); default: a
        ``LocalCluster`` of worker processes on this machine. Only with ``backend="dask"``.
    workers : int, optional
        Workers of that LocalCluster (default: one per core), or workers to wait
        for on the scheduler. Only with ``backend="dask"``.
    fit : str, optional
        The conditioned sampler: a target truth table (``2**N`` characters 0/1). Only
        the samples that agree with it on the training inputs ``train`` are counted
        (rejection sampling of ``P_B(f | S)`` at the sampler's speed); the table's
        probabilities are then ``count / accepted`` with Wilson intervals over the
        ``accepted`` samples, and the metadata gives ``evidence`` = ``P(S)`` =
        ``accepted / samples`` with its Wilson interval (``evidence_low/high``).
        Not with ``backend="dask"``.
    train : sequence of int or str, optional
        The training inputs ``S`` (indices in ``[0, 2**N)``; ``"3,5,6"`` accepted). Only
        with ``fit``; give this or ``train_size``.
    train_size : int, optional
        Size ``m`` of a random training set, :func:`boolnet.training.training_set` with
        ``seed``. Only with ``fit``.

    Returns
    -------
    pandas.DataFrame
        One row per function seen, most frequent first: the columns of
        :mod:`boolnet.table.schema` (``function, probability, probability_low,
        probability_high, count``; the bounds are the 95% Wilson score interval),
        metadata in ``df.attrs["boolnet"]`` (``volume_method = "sampled"``, the
        options, ``samples_done``, ``distinct``, ``good_turing_unseen_mass``,
        ``seconds``, ``volume_seconds``, ``per_second``, ``unit``, ...). With ``fit``: the
        functions that fit ``S``, their probabilities ``P_B(f | S)``, and the metadata
        also has ``fit``, ``target`` (both the target), ``train``, ``train_size``,
        ``conditioned_on_train = True``, ``accepted`` (= ``kept_count``), ``evidence``,
        ``evidence_low``, ``evidence_high`` (the names of
        :func:`boolnet.training.posterior_table`); ``distinct`` and
        ``good_turing_unseen_mass`` are over the accepted samples.

    Raises
    ------
    BoolnetError
        Bad options (the message names the parameter, ``exc.param``), or an
        unusable checkpoint.
    boolnet.errors.Interrupted
        On Ctrl-C or SIGTERM (after the current chunk and the checkpoint save):
        ``exc.partial`` is the table of the samples done so far (its metadata has
        ``samples_done``), with ``exc.done``, ``exc.total``, ``exc.checkpoint`` and
        ``exc.signal_name``.

    Examples
    --------
    >>> df = sample_table("2-1", samples=20000, seed=1)
    >>> int(df["count"].sum()), df.attrs["boolnet"]["samples"], df.attrs["boolnet"]["volume_method"]
    (20000, 20000, 'sampled')
    >>> sorted(df["function"])[:3]
    ['0000', '0001', '0010']
    >>> post = sample_table("2-1", samples=20000, seed=1, fit="0001", train=[0, 3])
    >>> meta = post.attrs["boolnet"]
    >>> int(post["count"].sum()) == meta["accepted"], meta["evidence"] == meta["accepted"] / 20000
    (True, True)
    >>> set(f[0] + f[3] for f in post["function"])
    {'01'}
    """
    return _sample(arch, None, activation=activation, prior=prior, encoding=encoding, bias=bias, samples=samples,
                   seed=seed, threads=threads, checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
                   progress=progress, backend=backend, scheduler=scheduler, workers=workers, fit=fit, train=train,
                   train_size=train_size, _stop_after=_stop_after, _dask_options=_dask_options)


def write_sampled(arch, output, *, activation: str = "relu", prior: Prior | str | None = None,
                  encoding: str = "01", bias: bool = True, samples, seed: int = 0, threads: int | None = None,
                  checkpoint=None, checkpoint_interval: float = 30.0, progress: bool | None = None,
                  backend: str = "local", scheduler: str | None = None, workers: int | None = None,
                  fit: str | None = None, train=None, train_size: int | None = None, _stop_after: int | None = None,
                  _dask_options: dict | None = None) -> dict:
    """:func:`sample_table` written to ``output`` without the whole table ever in memory; its metadata.

    ``output`` is a ``.parquet`` or ``.csv`` file (written slice by slice) or a
    partitioned Parquet dataset (a directory: a path ending in ``/``), through
    :func:`boolnet.io.write_counts`: besides the counts, one slice of rows at a time.
    It is checked before any sample is drawn. Every other parameter is that of
    :func:`sample_table`; an interrupted run raises :class:`~boolnet.errors.Interrupted`
    with the partial table and writes nothing.

    Returns
    -------
    dict
        The metadata written (``seconds`` includes the writing).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.parquet")
    >>> write_sampled("2-1", path, samples=4096, seed=1)["samples_done"]
    4096
    """
    if output is None:
        raise BoolnetError("output must be a .csv or .parquet path or a dataset directory ending in /; "
                           "sample_table returns the table in memory", param="output")
    return _sample(arch, output, activation=activation, prior=prior, encoding=encoding, bias=bias, samples=samples,
                   seed=seed, threads=threads, checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
                   progress=progress, backend=backend, scheduler=scheduler, workers=workers, fit=fit, train=train,
                   train_size=train_size, _stop_after=_stop_after, _dask_options=_dask_options)


def _sample(arch, output, *, activation, prior, encoding, bias, samples, seed, threads, checkpoint,
            checkpoint_interval, progress, backend, scheduler, workers, fit, train, train_size, _stop_after,
            _dask_options):
    begin = time.perf_counter()
    samples = check_samples(samples)
    seed = check_seed(seed)
    prior = as_prior(prior)
    spec = network_of(arch, activation, encoding, bias, prior)
    progress = check_progress(progress)
    threads = check_threads(threads)
    checkpoint_interval = check_checkpoint_interval(checkpoint_interval)
    backend, scheduler, workers = check_backend_options(backend, scheduler, workers)
    if spec.arch.is_limit and backend == "dask":
        raise BoolnetError(f"backend='dask' samples finite networks; {spec.arch} (the infinite-width limit) is "
                           "sampled in this process, at about a million samples per second: drop the Dask options", param="backend")
    target, train = check_fit(spec.arch.n, fit, train, train_size, seed)
    if target is not None and backend == "dask":
        raise BoolnetError("fit is not supported with backend='dask' yet: run the conditioned sampler with the "
                           "local backend", param="backend")
    if output is not None:
        check_dataset_target(output) if is_dataset_target(output) else check_output_path(output)
    options = run_options(spec, prior, seed, samples, target, train)
    counts, result, ckpt = sample_counts(spec, prior, samples=samples, seed=seed, threads=threads,
                                         checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
                                         progress=progress, fingerprint=dict(options), stop_after=_stop_after,
                                         backend=backend, scheduler=scheduler, workers=workers,
                                         dask_options=_dask_options,
                                         fit=None if target is None else fit_words(target, train))
    words, cnt = counts.entries()
    # The table's denominator: all samples, or (conditioned) the accepted ones, which the counts add up to.
    accepted = int(cnt.sum())
    distinct = int(len(cnt))
    singletons = int(np.count_nonzero(cnt == 1))
    denominator = result.done if target is None else accepted
    streamed = output is not None and result.signal_name is None and result.save_error is None
    if result.save_error is None:
        # The master table is needed no more (only a failed save rescues it): freed now, its memory, already
        # touched, serves the sort and the columns (fresh memory is dear on some machines: benchmarks/bench_sample.py).
        counts.release()
    if streamed:
        df = None  # from here on 24 bytes per function, and one slice of rows at a time
    elif output is None:
        entries = [words, cnt]
        del words, cnt  # the frame frees each array once it has used it
        df = frame_from_entries(entries, spec.arch.n, denominator)
    else:  # an output file, but the run stopped (a partial table) or its last save failed: both are needed
        df = frame_from_counts(words, cnt, spec.arch.n, denominator)
    metadata = {
        **options,
        "volume_method": "sampled",
        "n": spec.arch.n,
        "samples_done": result.done,
        "resumed_from": result.resumed_from,
        "distinct": distinct,
        "good_turing_unseen_mass": singletons / denominator if denominator else None,
        "threads": threads,
        "backend": backend,
        **({"dask": result.dask} if backend == "dask" else {}),
        "seconds": time.perf_counter() - begin,
        "volume_seconds": result.seconds,
        "per_second": result.per_second,
        "unit": "samples",
        "boolnet_version": __version__,
    }
    if target is not None:
        metadata.update(_evidence(target, train, accepted, result.done))
    path = str(ckpt.path) if ckpt is not None else None
    # The last save failed: keep the counts beyond this process anyway, in the temporary folder.
    rescued = ckpt.save_elsewhere(result.done, counts) if result.save_error is not None else None
    if result.signal_name is not None:
        metadata["interrupted"] = result.signal_name
        raise Interrupted(stop_message(result, samples, "samples", path, rescued=rescued),
                          partial=attach(df, metadata), done=result.done, total=samples,
                          checkpoint=str(rescued) if rescued is not None else path, signal_name=result.signal_name)
    if result.save_error is not None:
        warnings.warn(end_warning(result, samples, "samples", path, rescued=rescued), BoolnetWarning, stacklevel=2)
    if output is not None:
        df = None
        written = write_counts(words, cnt, spec.arch.n, denominator, metadata, output)
        written["seconds"] = time.perf_counter() - begin
        return written
    return attach(df, metadata)
