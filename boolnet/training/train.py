"""Train many tiny networks to zero training error and count the functions they end on.

:func:`train_table` runs ``runs`` independent trainings of an ``"N-H1-...-1"``
network on a target's training set ``S`` (each from an initialisation drawn from the
same :class:`~boolnet.priors.Prior` as every other command, stopped as soon as it
classifies every training input correctly, or at ``max_epochs``) and returns the
distribution of the functions found on all ``2**n`` inputs as a volume table
(``volume_method = "trained"``). The gradients are computed by the hand-written numba
kernels of :mod:`boolnet.training._train_kernels` (float64, strict IEEE); the test
suite checks them against finite differences and against an independent NumPy
trainer on whole trajectories.
"""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pandas as pd

from boolnet import __version__
from boolnet.checks import check_checkpoint_interval, check_choice, check_progress, check_real, check_seed, check_threads, \
    check_whole
from boolnet.errors import BoolnetError, BoolnetWarning, Interrupted
from boolnet.functions import check_encoding, check_target, check_train, inputs, resolve_training, \
    strings_from_packed, training_set  # noqa: F401 - the trainer's public helpers
from boolnet.io import check_output_path
from boolnet.network import NetworkSpec, parse_arch
from boolnet.priors import Prior
from boolnet.sampling._rng import seed_keys
from boolnet.io.checkpoint import Checkpoint
from boolnet.runs import Job, Results, drive, end_warning, stop_message
from boolnet.table.schema import attach
from boolnet.training import _train_kernels as K

#: Adam's constants (PyTorch's defaults).
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
#: Default epoch limit (the published study's).
MAX_EPOCHS = 20_000
#: Largest number of runs of one call (results take about 21 bytes per run in memory).
MAX_RUNS = 10**8


#: Hidden activations the trainer can differentiate (kernel codes: :data:`boolnet.network.ACTIVATIONS`).
TRAINABLE = ("relu", "tanh", "linear")


# ----------------------------------------------------------------------------------------- set-up
class _Setup:
    """Validated options of a training call, as the kernels want them."""

    def __init__(self, arch, *, target, train, train_size, activation, optimizer, lr, momentum, batch, loss, seed,
                 max_epochs, prior, encoding, bias):
        self.arch = parse_arch(arch)
        n = self.arch.n
        self.n = n
        self.target = check_target(target, n)
        self.seed = check_seed(seed)
        self.train = resolve_training(n, train, train_size, self.seed)
        self.activation = check_choice(activation, "activation", TRAINABLE)
        self.optimizer = check_choice(optimizer, "optimizer", tuple(K.OPTIMIZERS))
        self.loss = check_choice(loss, "loss", tuple(K.LOSSES))
        self.lr = check_real(lr, "lr", low=0.0, low_open=True)
        self.momentum = check_real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.batch = check_whole(batch, "batch", low=1, high=1 << 20)
        self.max_epochs = check_whole(max_epochs, "max_epochs", low=0, high=2**31 - 1)
        self.prior = Prior() if prior is None else prior
        if not isinstance(self.prior, Prior):
            raise BoolnetError("prior must be a boolnet.priors.Prior", param="prior")
        try:
            self.encoding = check_encoding(encoding)
        except BoolnetError as exc:
            raise BoolnetError(str(exc), param="encoding") from None
        self.bias = bool(bias)
        self.spec = NetworkSpec(self.arch, self.activation, self.encoding, self.bias)
        # One scale per network, not per layer: the trainer's options and metadata have scalar sigmas only.
        self.prior.require_scalar("the trainer")
        self.scales = self.spec.parameter_scales(self.prior, np.float64)
        self.gaussian = self.prior.kind == "gaussian"
        self.key0, self.key1 = seed_keys(self.seed)
        self.X = inputs(n, self.encoding, dtype=np.float64)
        bits = np.frombuffer(self.target.encode(), dtype=np.uint8) - ord("0")
        self.train_idx = np.array(self.train, dtype=np.int64)
        self.y_train = bits[self.train_idx].astype(np.int64)
        self.words = max(1, ((1 << n) + 63) // 64)

    def kernel_args(self):
        s = self.spec
        return (self.X, self.y_train, self.train_idx, s.widths, s.w_off, s.b_off, s.act,
                K.LOSSES[self.loss], K.OPTIMIZERS[self.optimizer], self.lr, self.momentum, ADAM_BETA1, ADAM_BETA2,
                ADAM_EPS, self.batch, self.max_epochs)

    def metadata(self) -> dict:
        meta = {
            "volume_method": "trained",
            "n": self.n,
            "architecture": str(self.arch),
            "activation": self.activation if self.arch.hidden else "none (perceptron)",
            **self.prior.metadata(),
            "encoding": self.encoding,
            "bias": self.bias,
            "target": self.target,
            "train": list(self.train),
            "train_size": len(self.train),
            "optimizer": self.optimizer,
            "lr": self.lr,
            "batch": self.batch,
            "loss": self.loss,
            "seed": self.seed,
            "max_epochs": self.max_epochs,
            "precision": "float64",
            "rng": "xoshiro256** per run (seed, run index); float64 Box-Muller init from 53-bit uniforms "
                   "(uniform prior: 2u - 1); Fisher-Yates per epoch",
            "boolnet_version": __version__,
        }
        if self.optimizer == "sgd":
            meta["momentum"] = self.momentum
        else:
            meta.update(beta1=ADAM_BETA1, beta2=ADAM_BETA2, eps=ADAM_EPS)
        return meta


def _volume_frame(words: np.ndarray, n: int) -> pd.DataFrame:
    from boolnet.table.build import wilson_interval

    total = words.shape[0]
    if total == 0:
        return pd.DataFrame({"function": pd.Series([], dtype=object), "probability": [], "probability_low": [],
                             "probability_high": [], "count": pd.Series([], dtype=np.int64)})
    uniq, counts = np.unique(words, axis=0, return_counts=True)
    functions = strings_from_packed(uniq, n)
    counts = counts.astype(np.int64)
    order = sorted(range(len(functions)), key=lambda i: (-counts[i], functions[i]))
    functions = [functions[i] for i in order]
    counts = counts[order]
    lo, hi = wilson_interval(counts, total)
    return pd.DataFrame({"function": functions, "probability": counts / total, "probability_low": lo,
                         "probability_high": hi, "count": counts})


# ----------------------------------------------------------------------------------------- the run loop
class _Runs(Results):
    """The results of a :func:`train_table` call: per run its function's words, epochs and status.

    The driver's units are the runs in the order ``resumed runs, then the others by
    index`` (:attr:`pending`): after ``done`` units, the runs done are the resumed ones
    and ``pending[: done - start]``. Each run's row is written by the worker that trains
    it, so there is nothing to merge after a step.
    """

    def __init__(self, runs: int, words: int, threads: int):
        self.words = np.zeros((runs, words), dtype=np.uint64)
        self.epochs = np.zeros(runs, dtype=np.int32)
        self.status = np.zeros(runs, dtype=np.int8)
        self.resumed = np.zeros(runs, dtype=bool)
        self.pending = np.arange(runs, dtype=np.int64)
        self.start = 0
        self.threads = threads

    def load(self, mask, words, epochs, status) -> None:
        """Take the finished runs (``mask``) of a checkpoint."""
        self.words[mask] = words[mask]
        self.epochs[mask] = epochs[mask]
        self.status[mask] = status[mask]
        self.resumed = mask.copy()
        self.pending = np.flatnonzero(~mask).astype(np.int64)
        self.start = int(mask.sum())

    def done_mask(self, done: int) -> np.ndarray:
        """Which runs are finished after ``done`` units."""
        mask = self.resumed.copy()
        mask[self.pending[: done - self.start]] = True
        return mask


class _TrainJob(Job):
    """Trainings: a chunk's runs are handed out to the workers in small pieces."""

    unit = "trainings"

    def __init__(self, setup: _Setup, results: _Runs, threads: int):
        self.setup, self.results = setup, results
        self.total = results.words.shape[0]
        self.first_chunk = threads
        self.description = f"train {setup.arch}"
        self.args = (setup.key0, setup.key1, setup.scales, setup.gaussian, *setup.kernel_args())

    def _train(self, idx) -> None:
        r = self.results
        K.train_runs(idx, *self.args, r.words, r.epochs, r.status)

    def prepare(self):
        self._train(np.zeros(0, np.int64))

    def make_step(self, first, count, threads):
        r = self.results
        idx = r.pending[first - r.start : first - r.start + count]
        # A training takes from no epoch to max_epochs: small pieces taken in turn keep every worker busy
        # until the chunk's last runs (which worker trains a run never changes its result).
        piece = max(1, count // (4 * threads))
        starts = iter(range(0, count, piece))
        lock = threading.Lock()

        def step(t):
            with lock:
                lo = next(starts, None)
            if lo is None:
                return True
            self._train(idx[lo : lo + piece])
            return False

        return step


class _TrainingCheckpoint(Checkpoint):
    """A training run's checkpoint: which runs are finished (``done``, a mask) and their results."""

    format = "boolnet-train-checkpoint 2"
    kind = "boolnet training"
    arrays = ("done", "words", "epochs", "status")

    def __init__(self, path, fingerprint: dict, words_shape: tuple):
        super().__init__(path, fingerprint)
        self.words_shape = words_shape

    def _arrays(self, done: int, results: _Runs) -> dict:
        # Saved between chunks only: the rows of the runs not done are still zero.
        return {"done": results.done_mask(done), "words": results.words, "epochs": results.epochs,
                "status": results.status}

    def _state(self, saved: dict, arrays: dict) -> tuple:
        mask, words, epochs, status = (arrays[k] for k in self.arrays)
        runs = mask.shape[0] if mask.ndim == 1 else -1
        if (mask.dtype != np.bool_ or words.dtype != np.uint64 or words.ndim != 2 or words.shape[0] != runs
                or epochs.shape != (runs,) or status.shape != (runs,)):
            raise self._not_a_checkpoint("its arrays do not fit together: damaged")
        return int(mask.sum()), mask, words, epochs, status

    def load(self):
        """``(done, mask, words, epochs, status)`` of a checkpoint of the same options, or None."""
        state = super().load()
        if state is not None and state[2].shape != self.words_shape:
            raise self._not_a_checkpoint("its arrays do not fit its options: damaged")
        return state


# ----------------------------------------------------------------------------------------- public API
def train_table(arch, *, target, train=None, train_size=None, activation: str = "relu", optimizer: str = "sgd",
                lr: float = 1e-3, momentum: float = 0.9, batch: int = 8, loss: str = "ce", runs, seed: int = 0,
                max_epochs: int = MAX_EPOCHS, prior: Prior | None = None, encoding: str = "01", bias: bool = True,
                threads: int | None = None, progress: bool | None = None, checkpoint=None,
                checkpoint_interval: float = 30.0) -> pd.DataFrame:
    """Train ``runs`` networks to 100% training accuracy and tabulate the functions they compute.

    Each run draws its initial parameters from ``prior`` (weights with scale
    ``prior.weight_scale(fan_in)``, biases with ``prior.bias_scale()``), then trains by
    minibatch SGD (heavy-ball momentum: ``v <- momentum v - lr g``, ``theta <- theta + v``)
    or Adam (beta1 0.9, beta2 0.999, eps 1e-8) on the training inputs ``S``, reshuffled
    each epoch, in batches of ``batch`` (the last one smaller if ``batch`` does not
    divide ``|S|``). The loss is the batch mean of binary cross-entropy on the output
    pre-activation ``z`` (``ce``: ``log(1 + e^z) - y z``; a perceptron is logistic
    regression) or of ``(z - t)^2`` with ``t = -1/+1`` (``mse``). A run stops as soon as
    every training input is classified right (output 1 iff ``z > 0``; checked before the
    first epoch and after each), or after ``max_epochs`` epochs: such runs are counted
    in the metadata (``unfitted``) and left out of the table. Run ``r``'s result depends
    only on the options, ``seed`` and ``r``, whatever ``threads``.

    Parameters
    ----------
    arch : str
        ``"N-H1-...-1"`` (``"N-1"``: a perceptron), ``1 <= N <= 7``.
    target : str
        Truth table of the target function (``2**N`` characters).
    train : sequence of int or str, optional
        Training inputs (indices, or ``"3,5,6"``). Give this or ``train_size``.
    train_size : int, optional
        Size of a random training set drawn by :func:`training_set` with ``seed``.
    activation : {"relu", "tanh", "linear"}
        Hidden-layer activation (relu'(0) = 0).
    optimizer : {"sgd", "adam"}
    lr : float
        Learning rate, > 0.
    momentum : float
        SGD momentum in [0, 1) (ignored by Adam).
    batch : int
        Minibatch size.
    loss : {"ce", "mse"}
    runs : int
        Number of independent trainings (``"1e5"`` accepted).
    seed : int
        Seed of the initialisations and minibatch orders (and of the training set with ``train_size``).
    max_epochs : int
        Epoch limit of a run.
    prior : boolnet.priors.Prior, optional
        Default ``Prior()`` (gaussian, sigma_w = sigma_b = 1, fan-in scaling).
    encoding : {"01", "pm1"}
    bias : bool
    threads : int, optional
        Worker threads (default: one per core); the table does not depend on it.
    progress : bool or None
        Progress bar on stderr.
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).
    checkpoint : path, optional
        Save the finished runs there (atomically, as the sampler's checkpoints) every
        ``checkpoint_interval`` seconds, on Ctrl-C or SIGTERM and at the end; an existing
        checkpoint of the same options is resumed (its runs are not trained again; the
        table is the same as without the interruption); one of other options is refused.
        A failed save warns and the run goes on; if the last one fails, the runs are
        saved to the temporary folder instead and the warning or message says where.
    checkpoint_interval : float
        Seconds between checkpoints.

    Returns
    -------
    pandas.DataFrame
        ``function, probability, probability_low, probability_high, count`` over the
        fitted runs (95% Wilson intervals), most frequent first; metadata in
        ``df.attrs["boolnet"]`` (options, ``runs``, ``fitted``, ``unfitted``,
        ``diverged``, epoch statistics of the fitted runs, ``seconds``, ``per_second``).

    Raises
    ------
    boolnet.errors.BoolnetError
        Bad options (the message names the parameter).
    boolnet.errors.Interrupted
        On Ctrl-C or SIGTERM (after the runs under way finish), carrying the table of the
        runs finished so far (``interrupted`` in its metadata).

    Examples
    --------
    >>> df = train_table("2-1", target="0001", train=[0, 3], runs=20, seed=1, lr=0.1)
    >>> df.attrs["boolnet"]["fitted"], int(df["count"].sum())
    (20, 20)
    >>> all(f[0] == "0" and f[3] == "1" for f in df["function"])
    True
    """
    t0 = time.perf_counter()
    # The checkpoint's folder is checked before any work, not at the first save (the sampler does the same).
    checkpoint = check_output_path(checkpoint, suffixes=None, param="checkpoint")
    runs = check_whole(runs, "runs", low=1, high=MAX_RUNS)
    threads = check_threads(threads)
    progress = check_progress(progress)
    setup = _Setup(arch, target=target, train=train, train_size=train_size, activation=activation,
                   optimizer=optimizer, lr=lr, momentum=momentum, batch=batch, loss=loss, seed=seed,
                   max_epochs=max_epochs, prior=prior, encoding=encoding, bias=bias)
    checkpoint_interval = check_checkpoint_interval(checkpoint_interval)
    results = _Runs(runs, setup.words, threads)
    ckpt = None
    if checkpoint is not None:
        fingerprint = {k: v for k, v in setup.metadata().items() if k != "boolnet_version"} | {"runs": runs}
        ckpt = _TrainingCheckpoint(checkpoint, fingerprint, results.words.shape)
        state = ckpt.load()
        if state is not None:
            results.load(*state[1:])
    result = drive(_TrainJob(setup, results, threads), results, threads=threads, start=results.start,
                   progress=progress, checkpoint=ckpt, checkpoint_interval=checkpoint_interval)
    df = _finish(setup, runs, results.words, results.epochs, results.status, results.done_mask(result.done),
                 result.seconds, t0, results.start, interrupted=result.signal_name)
    path = str(ckpt.path) if ckpt is not None else None
    # The last save failed: keep the finished runs beyond this process anyway, in the temporary folder.
    rescued = ckpt.save_elsewhere(result.done, results) if result.save_error is not None else None
    if result.signal_name is not None:
        raise Interrupted(stop_message(result, runs, "trainings", path, rescued=rescued), partial=df,
                          done=result.done, total=runs, checkpoint=str(rescued) if rescued is not None else path,
                          signal_name=result.signal_name)
    if result.save_error is not None:
        warnings.warn(end_warning(result, runs, "trainings", path, rescued=rescued), BoolnetWarning, stacklevel=2)
    return df


def _finish(setup: _Setup, runs, out_words, out_epochs, out_status, done, volume_seconds, t0,
            resumed: int = 0, interrupted: str | None = None) -> pd.DataFrame:
    status = out_status[done]
    epochs = out_epochs[done]
    fitted = status == K.FITTED
    df = _volume_frame(out_words[done][fitted], setup.n)
    e = epochs[fitted]
    meta = setup.metadata()
    completed = int(done.sum())
    meta.update(
        runs=completed,
        runs_requested=runs,
        fitted=int(fitted.sum()),
        unfitted=int((status == K.UNFITTED).sum()),
        diverged=int((status == K.DIVERGED).sum()),
        distinct=int(len(df)),
        epochs_mean=float(e.mean()) if e.size else None,
        epochs_median=float(np.median(e)) if e.size else None,
        epochs_min=int(e.min()) if e.size else None,
        epochs_max=int(e.max()) if e.size else None,
        epochs_total=int(epochs.sum()),
        volume_seconds=volume_seconds,
        seconds=time.perf_counter() - t0,
        runs_resumed=resumed,
        per_second=(completed - resumed) / volume_seconds if volume_seconds > 0 else None,
        unit="trainings",
    )
    if interrupted is not None:
        meta["interrupted"] = interrupted
    return attach(df, meta)


def training_trajectory(arch, *, target, train, run: int = 0, epochs: int, activation: str = "relu",
                        optimizer: str = "sgd", lr: float = 1e-3, momentum: float = 0.9, batch: int = 8,
                        loss: str = "ce", seed: int = 0, prior: Prior | None = None, encoding: str = "01",
                        bias: bool = True) -> dict:
    """Replay run ``run`` of :func:`train_table` with its parameters after every epoch.

    Training stops at 100% training accuracy or after ``epochs`` epochs, exactly as in
    :func:`train_table` with ``max_epochs=epochs``.

    Returns
    -------
    dict
        ``theta`` (``(e + 1, P)``: initial parameters, then after each of the ``e``
        epochs run), ``orders`` (``(e, m)``: the training positions of each epoch, in
        order), ``epochs`` (``e``), ``status`` (1 fitted, 0 not, -1 diverged),
        ``train`` (the sorted training inputs) and ``layout`` (per layer the weight
        and bias offsets, ``-1`` without biases, and the widths).

    Examples
    --------
    >>> t = training_trajectory("2-1", target="0001", train=[0, 3], epochs=5, lr=0.1)
    >>> t["theta"].shape[1], t["orders"].shape[1]
    (3, 2)
    """
    s = _Setup(arch, target=target, train=train, train_size=None, activation=activation, optimizer=optimizer,
               lr=lr, momentum=momentum, batch=batch, loss=loss, seed=seed, max_epochs=epochs, prior=prior,
               encoding=encoding, bias=bias)
    run = check_whole(run, "run", low=0)
    P = s.spec.n_parameters
    m = len(s.train)
    record = np.full((s.max_epochs + 1, P), np.nan)
    orders = np.full((s.max_epochs, m), -1, dtype=np.int64)
    e, status = K.trajectory(run, s.key0, s.key1, s.scales, s.gaussian, *s.kernel_args(), record, orders)
    return {"theta": record[: e + 1], "orders": orders[:e], "epochs": int(e), "status": int(status),
            "train": list(s.train),
            "layout": {"widths": s.spec.widths.tolist(), "w_off": s.spec.w_off.tolist(),
                       "b_off": s.spec.b_off.tolist()}}


def loss_and_gradient(arch, theta, rows, targets, *, activation: str = "relu", loss: str = "ce",
                      encoding: str = "01", bias: bool = True) -> tuple[float, np.ndarray]:
    """Mean loss of a network on inputs ``rows`` with 0/1 ``targets``, and its gradient (kernel's).

    Examples
    --------
    >>> value, g = loss_and_gradient("1-1", np.array([0.0, 0.0]), [0, 1], [0, 1])
    >>> round(value, 6), g.round(3).tolist()     # log 2; gradient at theta = 0
    (0.693147, [-0.25, 0.0])
    """
    a = parse_arch(arch)
    check_choice(activation, "activation", TRAINABLE)
    check_choice(loss, "loss", tuple(K.LOSSES))
    spec = NetworkSpec(a, activation, encoding, bool(bias))
    theta = np.ascontiguousarray(theta, dtype=np.float64)
    if theta.shape != (spec.n_parameters,):
        raise BoolnetError(f"theta must have {spec.n_parameters} entries for {a}", param="theta")
    X = inputs(a.n, encoding, dtype=np.float64)[np.asarray(rows, dtype=np.int64)]
    y = np.asarray(targets, dtype=np.float64)
    value, grad = K.loss_and_gradient(theta, np.ascontiguousarray(X), y, spec.widths, spec.w_off, spec.b_off,
                                      spec.act, K.LOSSES[loss])
    return float(value), grad
