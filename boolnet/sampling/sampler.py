"""Monte Carlo estimate of P(f) for random networks: chunked, parallel, resumable.

The run is a sequence of blocks of ``BLOCK_SIZE`` samples; block ``b`` draws its
parameters from its own stream seeded by ``(seed, b)``. The driver hands
consecutive ranges of blocks ("chunks", sized to take about half a second) to
the parallel kernel, merges the per-worker counts, and after a chunk — never in
the middle of one — may save a checkpoint or stop on Ctrl-C. Since a checkpoint
holds the counts of blocks ``0 .. b-1`` exactly, resuming gives the counts of an
uninterrupted run, whatever the number of threads or the chunk sizes.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from boolnet import __version__
from boolnet.errors import UsageError
from boolnet.priors import Prior
from boolnet.sampling import _kernels as K
from boolnet.sampling._rng import BLOCK_SIZE, RNG_NAME, seed_keys
from boolnet.sampling.counts import Counts, frame_from_counts
from boolnet.sampling.network import NetworkSpec

CHECKPOINT_FORMAT = "boolnet-sample-checkpoint 1"
#: Wall time a chunk aims at: Ctrl-C and checkpoints wait at most about this long.
CHUNK_SECONDS = 0.5
#: Largest number of samples of one run.
MAX_SAMPLES = 10**15


def check_samples(samples) -> int:
    """``samples`` as a positive int; accepts ``"1e8"`` and ``1e8``.

    Examples
    --------
    >>> check_samples("1e8")
    100000000
    """
    try:
        value = float(samples) if isinstance(samples, str) else samples
        as_int = int(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"--samples must be a whole number such as 1000000 or 1e8, got {samples!r}") from None
    if as_int != value:
        raise UsageError(f"--samples must be a whole number, got {samples!r}")
    if as_int <= 0:
        raise UsageError(f"--samples must be > 0, got {samples}")
    if as_int > MAX_SAMPLES:
        raise UsageError(f"--samples {samples} is too large: at most {MAX_SAMPLES:.0e}")
    return as_int


def check_seed(seed) -> int:
    """``seed`` as a non-negative int (``"12"`` is accepted)."""
    if isinstance(seed, str) and seed.strip().isdigit():
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"--seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


#: Most worker threads accepted (more than the cores only oversubscribes them; counts never change).
MAX_THREADS = 256


def check_threads(threads) -> int:
    """Number of worker threads: ``None`` means one per core."""
    if threads is None:
        return os.cpu_count() or 1
    try:
        value = int(threads)
    except (TypeError, ValueError):
        raise UsageError(f"--threads must be a whole number, got {threads!r}") from None
    if value < 1 or value > MAX_THREADS:
        raise UsageError(f"--threads {threads}: use 1 to {MAX_THREADS} (default: one per core, "
                         f"{os.cpu_count()} here)")
    return value


def run_metadata(spec: NetworkSpec, prior: Prior, seed: int, samples: int) -> dict:
    """The options that define a sampling run (its checkpoint fingerprint and table metadata)."""
    meta = {
        "command": "sample",
        "architecture": str(spec.arch),
        "activation": spec.activation if spec.arch.hidden else "none (perceptron)",
        **prior.metadata(),
        "encoding": spec.encoding,
        "bias": spec.bias,
        "seed": seed,
        "samples": samples,
        "rng": RNG_NAME,
        "arithmetic": "float32, fixed order, fused multiply-adds",
        "ci": "Wilson score interval, 95%",
    }
    return meta


class _Checkpoint:
    """Atomic save/load of ``(samples done, counts)`` for one run's options."""

    def __init__(self, path, fingerprint: dict):
        self.path = Path(path)
        self.fingerprint = fingerprint
        parent = self.path.parent if str(self.path.parent) else Path(".")
        if not parent.is_dir():
            raise UsageError(f"--checkpoint {path}: folder {parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise UsageError(f"--checkpoint {path}: folder {parent} is not writable")

    def load(self):
        """``(done, words, counts)`` from an existing checkpoint, or None when there is none."""
        if not self.path.exists():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as data:
                saved = json.loads(bytes(data["fingerprint"]).decode())
                done = int(data["done"])
                words = data["words"].copy()
                counts = data["counts"].copy()
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
            raise UsageError(f"--checkpoint {self.path} is not a readable boolnet checkpoint ({exc}); "
                             "delete it or choose another path") from None
        if saved.get("format") != CHECKPOINT_FORMAT:
            raise UsageError(f"--checkpoint {self.path} is not a boolnet sample checkpoint; choose another path")
        mine = dict(self.fingerprint, format=CHECKPOINT_FORMAT)
        diff = [k for k in sorted(set(saved) | set(mine)) if saved.get(k) != mine.get(k)]
        if diff:
            details = ", ".join(f"{k}: {saved.get(k)!r} there, {mine.get(k)!r} here" for k in diff)
            raise UsageError(f"--checkpoint {self.path} was made with different options ({details}); "
                             "rerun with the same options or use another checkpoint path")
        return done, words, counts

    def save(self, done: int, counts: Counts) -> None:
        words, cnt = counts.entries()
        fingerprint = json.dumps(dict(self.fingerprint, format=CHECKPOINT_FORMAT), sort_keys=True)
        parent = self.path.parent if str(self.path.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, fingerprint=np.frombuffer(fingerprint.encode(), dtype=np.uint8),
                         done=np.int64(done), words=words, counts=cnt)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)  # atomic: the old checkpoint or the new one, never half of one
            try:  # make the rename itself durable (power loss)
                dir_fd = os.open(parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
            except OSError:
                pass
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


class _InterruptFlag:
    """Turns SIGINT into a flag checked between chunks (a numba kernel cannot be interrupted)."""

    def __init__(self):
        self.raised = False
        self._previous = None

    def __enter__(self):
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: keep the default behaviour
            self._previous = None
        return self

    def _handle(self, signum, frame):
        self.raised = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def sample_counts(spec: NetworkSpec, prior: Prior, *, samples: int, seed: int = 0, threads: int | None = None,
                  checkpoint=None, checkpoint_interval: float = 30.0, progress: bool = True,
                  fingerprint: dict | None = None, stop_after: int | None = None):
    """Run the sampler; return ``(words, counts, stats)``.

    ``stop_after`` (for tests) stops, as an interruption would, once at least
    that many samples are done.
    """
    threads = check_threads(threads)
    key0, key1 = seed_keys(seed)
    scales = spec.parameter_scales(prior)
    gaussian = prior.kind == "gaussian"
    counts = Counts(workers=threads)
    done = 0
    ckpt = None
    if checkpoint is not None:
        ckpt = _Checkpoint(checkpoint, fingerprint or run_metadata(spec, prior, seed, samples))
        state = ckpt.load()
        if state is not None:
            done, words, cnt = state
            counts.load(words, cnt)
    resumed_from = done
    total_blocks = -(-samples // BLOCK_SIZE)
    kargs = spec.kernel_args()

    def work(t, blocks, start):
        return K.sample_worker(key0, key1, samples, blocks, start, scales, gaussian, *kargs,
                               counts.worker_tables[t], counts.worker_used[t : t + 1], counts.worker_limit)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=samples, initial=done, unit="samples", unit_scale=True, file=sys.stderr,
                   dynamic_ncols=True, smoothing=0.1, desc=f"sample {spec.arch}")
    start = time.perf_counter()
    last_save = start
    blocks_per_chunk = threads
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        with _InterruptFlag() as flag:
            while done < samples:
                first_block = done // BLOCK_SIZE
                n_blocks = min(blocks_per_chunk, total_blocks - first_block)
                t0 = time.perf_counter()
                # Worker t takes blocks first_block + t, + t + W, ...: any split gives the same counts.
                assigned = [np.arange(first_block + t, first_block + n_blocks, threads, dtype=np.int64)
                            for t in range(threads)]
                position = [0] * threads

                def step(t):
                    position[t] = work(t, assigned[t], position[t])
                    return position[t] >= len(assigned[t])

                counts.run_workers(step, pool)
                elapsed_chunk = time.perf_counter() - t0
                new_done = min(samples, (first_block + n_blocks) * BLOCK_SIZE)
                if bar is not None:
                    bar.set_postfix(distinct=counts.distinct, refresh=False)
                    bar.update(new_done - done)
                done = new_done
                # Size the next chunk to take about CHUNK_SECONDS (chunking never changes results).
                target = int(n_blocks / max(elapsed_chunk, 1e-6) * CHUNK_SECONDS)
                blocks_per_chunk = max(threads, min(target, 4 * blocks_per_chunk) // threads * threads)
                now = time.perf_counter()
                stop = flag.raised or (stop_after is not None and done >= stop_after)
                if ckpt is not None and (done == samples or stop or now - last_save >= checkpoint_interval):
                    ckpt.save(done, counts)
                    last_save = now
                if stop and done < samples:
                    interrupted = True
                    break
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - start
    if interrupted:
        where = f"; checkpoint saved to {ckpt.path}: run the same command to resume" if ckpt else \
            "; nothing saved (use --checkpoint PATH to make runs resumable)"
        print(f"boolnet sample: stopped after {done} of {samples} samples{where}", file=sys.stderr)
        raise KeyboardInterrupt
    words, cnt = counts.entries()
    stats = {
        "samples_done_now": done - resumed_from,
        "elapsed_seconds": elapsed,
        "samples_per_second": (done - resumed_from) / elapsed if elapsed > 0 else float("nan"),
        "resumed_from": resumed_from,
    }
    return words, cnt, stats


def sample_table(arch, *, activation: str = "relu", prior: Prior = Prior(), encoding: str = "01", bias: bool = True,
                 samples, seed: int = 0, threads: int | None = None, checkpoint=None, progress: bool = True,
                 checkpoint_interval: float = 30.0) -> tuple[pd.DataFrame, dict]:
    """Estimate P(f) by sampling random networks.

    Parameters
    ----------
    arch : str
        ``"N-H1-...-1"``; ``"N-1"`` is a perceptron. ``1 <= N <= 7``.
    activation : {"relu", "tanh", "step", "sign", "linear"}
        Activation of the hidden layers (``step(0) = 0``, ``sign(0) = 0``). The
        output unit is always 1 iff its pre-activation is > 0.
    prior : boolnet.priors.Prior
    encoding : {"01", "pm1"}
    bias : bool
        False: no biases in any layer.
    samples : int
        Number of networks (``1e8`` is accepted).
    seed : int
        Seed of the parameter streams; the counts depend only on the options and the seed.
    threads : int, optional
        Worker threads (default: all cores); does not change the counts.
    checkpoint : path, optional
        Save counts there at regular intervals and on Ctrl-C; an existing
        checkpoint of the same options is resumed.
    progress : bool
        Progress bar on stderr.
    checkpoint_interval : float
        Seconds between checkpoints.

    Returns
    -------
    (DataFrame, dict)
        Columns ``function, count, probability, ci_low, ci_high`` (95% Wilson
        score interval), one row per function seen; and the metadata.

    Examples
    --------
    >>> df, meta = sample_table("2-1", samples=20000, seed=1, progress=False)
    >>> int(df["count"].sum()), meta["samples"]
    (20000, 20000)
    >>> sorted(df["function"])[:3]
    ['0000', '0001', '0010']
    """
    spec = NetworkSpec(arch, activation, encoding, bias)
    samples = check_samples(samples)
    seed = check_seed(seed)
    if not isinstance(prior, Prior):
        raise UsageError("prior must be a boolnet.priors.Prior")
    meta = run_metadata(spec, prior, seed, samples)
    words, counts, stats = sample_counts(spec, prior, samples=samples, seed=seed, threads=threads,
                                         checkpoint=checkpoint, checkpoint_interval=checkpoint_interval,
                                         progress=progress, fingerprint=dict(meta))
    df = frame_from_counts(words, counts, spec.arch.n, samples)
    singletons = int(np.count_nonzero(counts == 1))
    meta.update({
        "distinct": int(len(counts)),
        "good_turing_unseen_mass": singletons / samples,
        "samples_per_second": stats["samples_per_second"],
        "elapsed_seconds": stats["elapsed_seconds"],
        "threads": check_threads(threads),
        "boolnet_version": __version__,
    })
    return df, meta
