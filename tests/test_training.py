"""Training kernels against independent sources: a plain-NumPy trainer, finite differences, a pure-Python RNG."""

from __future__ import annotations

import errno
import math
import os
import re
import signal
import warnings
from pathlib import Path

import numpy as np
import pytest

from boolnet.errors import BoolnetError, Interrupted
from boolnet.priors import Prior
from boolnet.training import loss_and_gradient, train_table, training_set, training_trajectory

MASK = (1 << 64) - 1


# ----------------------------------------------------------------------------- independent references
def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class PyStream:
    """xoshiro256** in Python integers, seeded as docs/sgd_bayes.md says."""

    def __init__(self, seed, run):
        k0, k1 = (int(v) for v in np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64))
        x = _mix(k1 ^ _mix((k0 + run) & MASK))
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            self.s.append(_mix(x))

    def u64(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & MASK  # noqa: E731
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return ((self.u64() >> 11) + 0.5) / 2.0**53


def reference_layout(widths, bias):
    """Per layer (weight slice start, bias start or None)."""
    out, off = [], 0
    for fan_in, width in zip(widths[:-1], widths[1:]):
        w = off
        off += fan_in * width
        b = None
        if bias:
            b = off
            off += width
        out.append((w, b, fan_in, width))
    return out, off


def reference_init(widths, bias, prior, seed, run):
    layout, P = reference_layout(widths, bias)
    scales = np.empty(P)
    for w, b, fan_in, width in layout:
        scales[w : w + fan_in * width] = prior.weight_scale(fan_in)
        if b is not None:
            scales[b : b + width] = prior.bias_scale()
    st = PyStream(seed, run)
    theta = np.empty(P)
    if prior.kind == "gaussian":
        for p in range(0, P, 2):
            u1, u2 = st.uniform(), st.uniform()
            r = math.sqrt(-2 * math.log(u1))
            theta[p] = scales[p] * r * math.cos(2 * math.pi * u2)
            if p + 1 < P:
                theta[p + 1] = scales[p + 1] * r * math.sin(2 * math.pi * u2)
    else:
        for p in range(P):
            theta[p] = scales[p] * (2 * st.uniform() - 1)
    return theta, st


def inputs01(n, encoding):
    idx = np.arange(1 << n)
    bits = ((idx[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(float)
    return 2 * bits - 1 if encoding == "pm1" else bits


class NumpyNet:
    """A plain NumPy MLP: forward, backward, SGD-momentum and Adam, written from the textbook formulas."""

    def __init__(self, widths, bias, activation, loss):
        self.layout, self.P = reference_layout(widths, bias)
        self.activation, self.loss = activation, loss

    def params(self, theta):
        out = []
        for w, b, fan_in, width in self.layout:
            W = theta[w : w + fan_in * width].reshape(fan_in, width)
            out.append((W, None if b is None else theta[b : b + width]))
        return out

    def act(self, z):
        return {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh, "linear": lambda v: v}[self.activation](z)

    def dact(self, z, a):
        return {"relu": (z > 0).astype(float), "tanh": 1 - a * a, "linear": np.ones_like(z)}[self.activation]

    def forward(self, theta, X):
        acts, pres = [X], []
        layers = self.params(theta)
        a = X
        for i, (W, b) in enumerate(layers):
            z = a @ W + (0 if b is None else b)
            pres.append(z)
            a = self.act(z) if i < len(layers) - 1 else z
            acts.append(a)
        return acts, pres

    def loss_grad(self, theta, X, y):
        acts, pres = self.forward(theta, X)
        z = pres[-1][:, 0]
        B = len(y)
        if self.loss == "ce":
            value = np.mean(np.logaddexp(0, z) - y * z)
            d = (1 / (1 + np.exp(-z)) - y) / B
        else:
            t = 2 * y - 1
            value = np.mean((z - t) ** 2)
            d = 2 * (z - t) / B
        delta = d[:, None]
        grad = np.zeros(self.P)
        layers = self.params(theta)
        for i in range(len(layers) - 1, -1, -1):
            w, b, fan_in, width = self.layout[i]
            grad[w : w + fan_in * width] = (acts[i].T @ delta).ravel()
            if b is not None:
                grad[b : b + width] = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ layers[i][0].T) * self.dact(pres[i - 1], acts[i])
        return value, grad

    def fits(self, theta, X, y):
        z = self.forward(theta, X)[1][-1][:, 0]
        return bool(np.all((z > 0) == (y == 1)))


def numpy_train(net, theta0, orders, X, y, *, optimizer, lr, momentum, batch, epochs):
    """Parameters after every epoch, with the given per-epoch orders; stops when the training set is fitted."""
    theta = theta0.copy()
    v = np.zeros_like(theta)
    m2 = np.zeros_like(theta)
    t = 0
    out = [theta.copy()]
    if net.fits(theta, X, y):
        return out
    for e in range(epochs):
        order = orders[e]
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            _, g = net.loss_grad(theta, X[rows], y[rows])
            if optimizer == "sgd":
                v = momentum * v - lr * g
                theta = theta + v
            else:
                t += 1
                v = 0.9 * v + 0.1 * g
                m2 = 0.999 * m2 + 0.001 * g * g
                theta = theta - lr * (v / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-8)
        out.append(theta.copy())
        if net.fits(theta, X, y):
            break
    return out


# ----------------------------------------------------------------------------- trajectories
CASES = [
    # arch, activation, loss, optimizer, lr, batch, encoding, bias, prior
    ("3-4-1", "relu", "ce", "sgd", 0.05, 2, "01", True, Prior()),
    ("4-6-5-1", "tanh", "mse", "adam", 0.01, 3, "pm1", True, Prior("uniform", 2, "0.5")),
    ("4-1", "relu", "ce", "sgd", 0.1, 4, "01", True, Prior()),
    ("3-5-1", "linear", "mse", "sgd", 0.02, 8, "pm1", False, Prior(fan_in_scaling=False)),
    ("5-7-7-1", "relu", "ce", "adam", 0.003, 8, "01", True, Prior()),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] + "-" + c[1] + "-" + c[3] for c in CASES])
def test_kernels_match_numpy_reference_on_whole_trajectories(case):
    arch, activation, loss, optimizer, lr, batch, encoding, bias, prior = case
    widths = [int(w) for w in arch.split("-")]
    n = widths[0]
    rng = np.random.default_rng(len(arch))
    target = "".join(rng.choice(["0", "1"], 1 << n))
    train = training_set(n, min(1 << n, 6 if n == 3 else 12), seed=3)
    for run in (0, 7):
        traj = training_trajectory(arch, target=target, train=train, run=run, epochs=300, activation=activation,
                                   optimizer=optimizer, lr=lr, momentum=0.9, batch=batch, loss=loss, seed=11,
                                   prior=prior, encoding=encoding, bias=bias)
        # Same initialisation and minibatch orders as the documented stream, from a pure-Python generator.
        theta0, stream = reference_init(widths, bias, prior, 11, run)
        np.testing.assert_allclose(traj["theta"][0], theta0, rtol=1e-14, atol=0)
        m = len(train)
        for e in range(traj["epochs"]):
            order = list(range(m))
            for i in range(m - 1, 0, -1):
                j = int(stream.uniform() * (i + 1))
                order[i], order[j] = order[j], order[i]
            assert traj["orders"][e].tolist() == order
        X = inputs01(n, encoding)[train]
        y = np.array([int(target[i]) for i in train], dtype=float)
        orders = [np.asarray(o) for o in traj["orders"]]
        net = NumpyNet(widths, bias, activation, loss)
        ref = numpy_train(net, theta0, orders, X, y, optimizer=optimizer, lr=lr, momentum=0.9, batch=batch,
                          epochs=traj["epochs"])
        assert len(ref) == len(traj["theta"])  # same epoch at which the training set is fitted
        np.testing.assert_allclose(np.array(ref), traj["theta"], rtol=1e-9, atol=1e-11)
        assert net.fits(ref[-1], X, y) == (traj["status"] == 1)


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
@pytest.mark.parametrize("loss", ["ce", "mse"])
@pytest.mark.parametrize("encoding", ["01", "pm1"])
def test_gradient_matches_finite_differences(activation, loss, encoding):
    rng = np.random.default_rng(5)
    arch = "3-5-4-1"
    P = 3 * 5 + 5 + 5 * 4 + 4 + 4 + 1
    for _ in range(3):
        theta = rng.normal(0, 0.8, P)
        rows = rng.choice(8, 5, replace=False)
        y = rng.integers(0, 2, 5)
        value, grad = loss_and_gradient(arch, theta, rows, y, activation=activation, loss=loss, encoding=encoding)
        h = 1e-6
        fd = np.empty(P)
        for p in range(P):
            e = np.zeros(P)
            e[p] = h
            fd[p] = (loss_and_gradient(arch, theta + e, rows, y, activation=activation, loss=loss,
                                       encoding=encoding)[0]
                     - loss_and_gradient(arch, theta - e, rows, y, activation=activation, loss=loss,
                                         encoding=encoding)[0]) / (2 * h)
        np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)
        # and the value is the textbook loss
        ref_value, ref_grad = NumpyNet([3, 5, 4, 1], True, activation, loss).loss_grad(
            theta, inputs01(3, encoding)[rows], y.astype(float))
        assert value == pytest.approx(ref_value, rel=1e-12)


def test_initialisation_follows_the_prior():
    from scipy import stats

    # 3-200-1: 600 first-layer weights at scale 1/sqrt(3), 200 output weights at 1/sqrt(200), 201 biases at 1.
    for prior, dist in ((Prior(), stats.norm), (Prior("uniform", 2, 1), stats.uniform(-1, 2))):
        t = training_trajectory("3-200-1", target="01" * 4, train=[0], run=3, epochs=0, prior=prior)["theta"][0]
        w1 = t[:600] / prior.weight_scale(3)
        b1 = t[600:800] / prior.bias_scale()
        w2 = t[800:1000] / prior.weight_scale(200)
        for sample in (w1, b1, w2):
            assert stats.kstest(sample, dist.cdf).pvalue > 1e-3


# ----------------------------------------------------------------------------- train_table
TARGET5 = "01101001100101101001011001101001"  # parity of 5 bits: hard for small nets


def test_runs_reach_full_training_accuracy_and_are_reproducible():
    train = training_set(5, 12, seed=2)
    kw = dict(target=TARGET5, train=train, runs=24, seed=4, lr=0.05, batch=4, max_epochs=4000)
    df = train_table("5-16-1", threads=1, **kw)
    meta = df.attrs["boolnet"]
    assert meta["fitted"] + meta["unfitted"] + meta["diverged"] == meta["runs"] == 24
    assert meta["fitted"] >= 20 and int(df["count"].sum()) == meta["fitted"]
    for f in df["function"]:  # every recorded function computes the target on every training input
        assert all(f[i] == TARGET5[i] for i in train)
    # Independently: rebuild one trained network from its trajectory and evaluate it with NumPy.
    traj = training_trajectory("5-16-1", target=TARGET5, train=train, run=0, epochs=4000, lr=0.05, batch=4, seed=4)
    net = NumpyNet([5, 16, 1], True, "relu", "ce")
    z = net.forward(traj["theta"][-1], inputs01(5, "01"))[1][-1][:, 0]
    f0 = "".join("1" if v > 0 else "0" for v in z)
    assert traj["status"] == 1 and f0 in set(df["function"])
    df2 = train_table("5-16-1", threads=2, **kw)
    assert df2[["function", "count"]].equals(df[["function", "count"]])
    assert df2.attrs["boolnet"]["epochs_mean"] == meta["epochs_mean"]
    df3 = train_table("5-16-1", threads=2, **{**kw, "seed": 5})
    assert not df3[["function", "count"]].equals(df[["function", "count"]])
    assert meta["volume_method"] == "trained" and meta["unit"] == "trainings" and meta["per_second"] > 0
    assert list(df.columns) == ["function", "probability", "probability_low", "probability_high", "count"]
    assert np.all(df["probability_low"] <= df["probability"]) and np.all(df["probability"] <= df["probability_high"])


def test_checkpoint_resumes_to_the_same_table(tmp_path):
    ckpt = tmp_path / "run.ckpt"
    kw = dict(target="0001011101111111", train=[0, 2, 5, 6, 9, 13], runs=40, seed=3, lr=0.05, threads=2)
    full = train_table("4-6-1", checkpoint=ckpt, **kw)
    assert ckpt.exists() and full.attrs["boolnet"]["runs_resumed"] == 0
    # Forget every other run, as if the run had been killed half-way, then resume.
    with np.load(ckpt) as z:
        data = {k: z[k] for k in z.files}
    data["done"][::2] = False
    for k in ("words", "epochs", "status"):
        data[k][::2] = 0
    with open(ckpt, "wb") as fh:
        np.savez(fh, **data)
    again = train_table("4-6-1", checkpoint=ckpt, **kw)
    assert again.attrs["boolnet"]["runs_resumed"] == 20
    assert again[["function", "count"]].equals(full[["function", "count"]])
    assert again.attrs["boolnet"]["epochs_total"] == full.attrs["boolnet"]["epochs_total"]
    with pytest.raises(BoolnetError) as err:  # other options: refused, not silently mixed
        train_table("4-6-1", checkpoint=ckpt, **{**kw, "lr": 0.1})
    assert err.value.param == "checkpoint"
    (tmp_path / "junk.ckpt").write_text("not a checkpoint")
    with pytest.raises(BoolnetError) as err:
        train_table("4-6-1", checkpoint=tmp_path / "junk.ckpt", **kw)
    assert err.value.param == "checkpoint"


CKPT_KW = dict(target="0001011101111111", train=[0, 2, 5, 6, 9, 13], runs=40, seed=3, lr=0.05, threads=2)


def test_sigterm_stops_training_like_ctrl_c_and_the_checkpoint_resumes(tmp_path, monkeypatch,
                                                                         sigterm_after_first_chunk):
    from boolnet import runs as driver
    from boolnet.training import train as T

    full = train_table("4-6-1", **CKPT_KW)
    monkeypatch.setattr(driver, "CHUNK_SECONDS", 0.0)  # chunks of one run per worker: the stop comes early
    path = tmp_path / "run.ckpt"
    calls, disarm = sigterm_after_first_chunk(T._Runs)
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with pytest.raises(Interrupted) as info:
        train_table("4-6-1", checkpoint=path, **CKPT_KW)
    exc = info.value
    assert exc.signal_name == "SIGTERM" and "stopped by SIGTERM" in str(exc) and len(calls) == 1
    assert exc.checkpoint == str(path) and 0 < exc.done < exc.total == 40
    meta = exc.partial.attrs["boolnet"]
    assert meta["runs"] == exc.done and meta["runs_requested"] == 40 and meta["interrupted"] == "SIGTERM"
    assert int(exc.partial["count"].sum()) == meta["fitted"] <= exc.done
    assert {s: signal.getsignal(s) for s in before} == before
    disarm()
    again = train_table("4-6-1", checkpoint=path, **CKPT_KW)
    assert again.attrs["boolnet"]["runs_resumed"] == exc.done
    assert again[["function", "count"]].equals(full[["function", "count"]])
    assert again.attrs["boolnet"]["epochs_total"] == full.attrs["boolnet"]["epochs_total"]


def test_failed_last_training_save_keeps_the_runs_elsewhere(tmp_path, monkeypatch):
    from boolnet.errors import BoolnetWarning
    from boolnet.io import checkpoint as C

    full = train_table("4-6-1", **CKPT_KW)
    real = C._write_npz

    def full_disk_here(path, **arrays):
        if Path(path).parent == tmp_path:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, **arrays)

    monkeypatch.setattr(C, "_write_npz", full_disk_here)
    path = tmp_path / "run.ckpt"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = train_table("4-6-1", checkpoint=path, **CKPT_KW)
    messages = [str(w.message) for w in caught if issubclass(w.category, BoolnetWarning)]
    assert len(messages) == 1 and f"final save of checkpoint {path} failed" in messages[0], messages
    assert df[["function", "count"]].equals(full[["function", "count"]]) and not path.exists()
    rescued = Path(re.search(r"were saved to (.+?) instead", messages[0]).group(1))
    try:
        monkeypatch.setattr(C, "_write_npz", real)
        again = train_table("4-6-1", checkpoint=rescued, **CKPT_KW)
        assert again.attrs["boolnet"]["runs_resumed"] == 40
        assert again[["function", "count"]].equals(full[["function", "count"]])
    finally:
        rescued.unlink()


def test_training_checkpoints_refuse_other_runs_by_name(tmp_path):
    from boolnet.sampling import sample_table

    path = tmp_path / "run.ckpt"
    stale = tmp_path / ".run.ckpt.999999999.tmp"
    stale.write_bytes(b"half a checkpoint")
    train_table("4-6-1", checkpoint=path, **CKPT_KW)
    assert path.exists() and not stale.exists()
    with pytest.raises(BoolnetError) as err:
        train_table("4-6-1", checkpoint=path, **{**CKPT_KW, "lr": 0.1, "batch": 4})
    assert err.value.param == "checkpoint" and "lr: 0.05 there, 0.1 here" in str(err.value)
    assert "batch: 8 there, 4 here" in str(err.value)
    sampled = tmp_path / "sampled.ckpt"
    sample_table("2-1", samples=5000, seed=1, checkpoint=sampled)
    with pytest.raises(BoolnetError) as err:  # each kind of checkpoint refuses the other's
        train_table("4-6-1", checkpoint=sampled, **CKPT_KW)
    assert err.value.param == "checkpoint" and "not a boolnet training checkpoint (a .npz file of another kind" \
        in str(err.value)
    with pytest.raises(BoolnetError) as err:
        sample_table("2-1", samples=5000, seed=1, checkpoint=path)
    assert err.value.param == "checkpoint" and "not a boolnet checkpoint (a .npz file of another kind" \
        in str(err.value)


def test_unfittable_runs_are_counted_and_left_out():
    # A perceptron cannot fit XOR on all four inputs: every run stops at the epoch limit.
    df = train_table("2-1", target="0110", train=[0, 1, 2, 3], runs=6, max_epochs=7, lr=0.1)
    meta = df.attrs["boolnet"]
    assert (meta["fitted"], meta["unfitted"], len(df), meta["epochs_total"]) == (0, 6, 0, 42)


def test_perceptron_is_logistic_regression():
    # One training point x = 1 (n = 1) with target 1, from w = b = 0 (up to 1e-12): the gradient of
    # log(1 + e^{-(w + b)}) is -1/2 for both, so one plain SGD step (momentum 0) with lr 1 gives w = b = 1/2
    # (z = 1 > 0: fitted after one epoch). Runs whose tiny random start already fits stop at epoch 0.
    trained = 0
    for run in range(8):
        t = training_trajectory("1-1", target="01", train=[1], run=run, epochs=5, lr=1.0, momentum=0.0, batch=1,
                                prior=Prior(sigma_w="1e-12", sigma_b="1e-12"))
        assert t["status"] == 1
        if t["epochs"] == 1:
            trained += 1
            np.testing.assert_allclose(t["theta"][1], t["theta"][0] + 0.5, rtol=0, atol=1e-11)
        else:
            assert t["epochs"] == 0 and t["theta"][0].sum() > 0
    assert trained >= 1


@pytest.mark.parametrize("kwargs, param", [
    (dict(lr=0), "lr"), (dict(lr="x"), "lr"), (dict(momentum=1.0), "momentum"), (dict(batch=0), "batch"),
    (dict(loss="hinge"), "loss"), (dict(optimizer="rmsprop"), "optimizer"), (dict(activation="step"), "activation"),
    (dict(runs=0), "runs"), (dict(target="011"), "target"), (dict(target="01"), "target"),
    (dict(train=[0, 9]), "train"), (dict(train=[1, 1]), "train"), (dict(train_size=3), "train"),
    (dict(train=None), "train"), (dict(max_epochs=-1), "max_epochs"), (dict(seed=-2), "seed"),
    (dict(threads=0), "threads"),
])
def test_bad_options_name_their_parameter(kwargs, param):
    base = dict(target="0001", train=[0, 3], runs=2)
    with pytest.raises(BoolnetError) as err:
        train_table("2-1", **{**base, **kwargs})
    assert err.value.param == param


def test_one_activation_table():
    """The trainer's kernels branch on the codes of boolnet.network.ACTIVATIONS; linear is the identity."""
    from boolnet.network import ACTIVATIONS
    from boolnet.training import _train_kernels as K
    from boolnet.training.train import TRAINABLE

    assert (K.RELU, K.TANH) == (ACTIVATIONS["relu"], ACTIVATIONS["tanh"]) and set(TRAINABLE) <= set(ACTIVATIONS)
    z, a = -0.75, -0.75
    assert [K._act(z, ACTIVATIONS[name]) for name in TRAINABLE] == [0.0, math.tanh(z), z]
    assert [K._dact(z, a, ACTIVATIONS[name]) for name in TRAINABLE] == [0.0, 1.0 - a * a, 1.0]


def test_training_set():
    s = training_set(7, 32, seed=0)
    assert len(s) == 32 == len(set(s)) and s == sorted(s) and 0 <= s[0] and s[-1] < 128
    assert s == training_set(7, 32, seed=0) and s != training_set(7, 32, seed=1)
    assert training_set(3, 8, seed=5) == list(range(8))


# ----------------------------------------------------------------------------- command line
def test_cli_train_writes_a_table(run_cli, tmp_path):
    from boolnet.io import read_table

    out = tmp_path / "t.csv"
    status, _, err = run_cli("train", "--arch", "3-1", "--target", "00010111", "--train", "0,3,7", "--runs", "30",
                             "--lr", "0.1", "--seed", "2", "--quiet", "-o", out)
    assert status == 0, err
    df = read_table(out)
    meta = df.attrs["boolnet"]
    assert meta["volume_method"] == "trained" and meta["train"] == [0, 3, 7] and int(df["count"].sum()) == 30
    status, _, err = run_cli("train", "--arch", "3-1", "--target", "00010111", "--train-size", "4", "--runs", "5",
                             "--quiet", "-o", tmp_path / "u.csv")
    assert status == 0, err


def test_cli_train_bad_input_is_one_line(assert_usage_error):
    assert_usage_error("train", "--arch", "3-1", "--target", "00010111", "--train", "0,3", "--runs", "5",
                       "--lr", "-1", mentions=("lr",))
    assert_usage_error("train", "--arch", "3-1", "--target", "0001", "--train", "0,3", "--runs", "5",
                       mentions=("target",))
