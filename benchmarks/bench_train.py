"""Trainings per second of 7-40-40-1 on m = 32 (batch 8, SGD lr 1e-3 momentum 0.9, relu, cross-entropy).

boolnet's numba kernels (``boolnet.training.train_table``) against a plain NumPy trainer in
the same run: one network at a time (as a deep-learning framework would train it), the
same algorithm, started from the same initial parameters and fed the same minibatch
orders as the kernel's runs (taken from ``training_trajectory``), so both do exactly the
same epochs; the script checks that they stop at the same epoch.

    python benchmarks/bench_train.py [--runs 200] [--numpy-runs 6] [--threads 2]

Prints, per target: epochs per training, trainings/s and epochs/s of each, the ratio,
and the projected time for 1e5 trainings (the issue's target: under an hour on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import time

# The NumPy baseline trains one network at a time on 8 x 40 matrices: one BLAS thread (more threads only spin).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from boolnet.functions import inputs  # noqa: E402
from boolnet.training import train_table, training_set, training_trajectory  # noqa: E402

ARCH = "7-40-40-1"
OPTS = dict(lr=1e-3, momentum=0.9, batch=8, loss="ce", activation="relu")


def targets():
    bits = inputs(7)
    x = [bits[:, k] for k in range(7)]
    simple = "".join(str(int(v)) for v in (x[0] | (x[1] & x[2])))  # x1 OR (x2 AND x3)
    random = "".join(np.random.default_rng(1).choice(["0", "1"], 128))
    return {"x1 or (x2 and x3)": simple, "random": random}


def numpy_train(theta0, orders, X, y, widths, lr, momentum, batch):
    """Plain NumPy SGD of one relu MLP with CE loss; returns epochs to fit."""
    # unpack the flat layout: per layer W (fan_in, width) then b
    layers, off = [], 0
    for fan_in, width in zip(widths[:-1], widths[1:]):
        layers.append((off, off + fan_in * width, fan_in, width))
        off += fan_in * width + width
    theta = theta0.copy()
    v = np.zeros_like(theta)

    def params(t):
        return [(t[w:b].reshape(fi, wd), t[b : b + wd]) for w, b, fi, wd in layers]

    def fits(t):
        a = X
        ps = params(t)
        for i, (W, b) in enumerate(ps):
            a = a @ W + b
            if i < len(ps) - 1:
                a = np.maximum(a, 0)
        return np.all((a[:, 0] > 0) == (y == 1))

    if fits(theta):
        return 0
    for e, order in enumerate(orders, start=1):
        for s in range(0, len(order), batch):
            rows = order[s : s + batch]
            xb, yb = X[rows], y[rows]
            ps = params(theta)
            acts, pres = [xb], []
            a = xb
            for i, (W, b) in enumerate(ps):
                z = a @ W + b
                pres.append(z)
                a = np.maximum(z, 0) if i < len(ps) - 1 else z
                acts.append(a)
            d = ((1 / (1 + np.exp(-pres[-1][:, 0])) - yb) / len(yb))[:, None]
            g = np.empty_like(theta)
            for i in range(len(ps) - 1, -1, -1):
                w, bo, fi, wd = layers[i]
                g[w:bo] = (acts[i].T @ d).ravel()
                g[bo : bo + wd] = d.sum(axis=0)
                if i > 0:
                    d = (d @ ps[i][0].T) * (pres[i - 1] > 0)
            v = momentum * v - lr * g
            theta = theta + v
        if fits(theta):
            return e
    return len(orders)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--numpy-runs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    train = training_set(7, 32, seed=0)
    X = inputs(7, dtype=np.float64)
    widths = [7, 40, 40, 1]
    train_table("3-4-1", target="00010111", train=[0, 7], runs=2, **OPTS)  # compile / load the kernels
    print(f"{ARCH}, m = 32, batch 8, SGD lr 1e-3 momentum 0.9, relu, cross-entropy; "
          f"{os.cpu_count()} cores, {args.threads} threads")
    for name, target in targets().items():
        t, c = time.perf_counter(), time.process_time()
        df = train_table(ARCH, target=target, train=train, runs=args.runs, seed=0, threads=args.threads, **OPTS)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        m = df.attrs["boolnet"]
        rate = m["runs"] / wall
        epochs = m["epochs_total"]
        df1 = train_table(ARCH, target=target, train=train, runs=max(4, args.runs // 4), seed=0, threads=1, **OPTS)
        rate1 = df1.attrs["boolnet"]["runs"] / df1.attrs["boolnet"]["volume_seconds"]
        epoch_rate1 = df1.attrs["boolnet"]["epochs_total"] / df1.attrs["boolnet"]["volume_seconds"]
        # NumPy: the first runs of the same table, same inits and orders.
        np_time, np_cpu, np_epochs = 0.0, 0.0, 0
        for run in range(args.numpy_runs):
            tr = training_trajectory(ARCH, target=target, train=train, run=run, epochs=20000, seed=0, **OPTS)
            y = np.array([int(target[i]) for i in train])
            t, c = time.perf_counter(), time.process_time()
            e = numpy_train(tr["theta"][0], tr["orders"], X[train], y, widths, OPTS["lr"], OPTS["momentum"],
                            OPTS["batch"])
            np_time += time.perf_counter() - t
            np_cpu += time.process_time() - c
            np_epochs += e
            assert e == tr["epochs"], (e, tr["epochs"])
        np_rate = args.numpy_runs / np_time
        np_epoch_rate = np_epochs / np_time
        print(f"\ntarget {name}: {m['fitted']}/{m['runs']} fitted, mean {m['epochs_mean']:.0f} epochs "
              f"(median {m['epochs_median']:.0f}, max {m['epochs_max']})")
        print(f"  boolnet, {args.threads} threads: {rate:8.1f} trainings/s  {epochs / wall:10.0f} epochs/s  "
              f"({m['runs'] / cpu:.1f} trainings and {epochs / cpu:.0f} epochs per CPU-second)")
        print(f"  boolnet, 1 thread:  {rate1:8.1f} trainings/s  {epoch_rate1:10.0f} epochs/s")
        print(f"  NumPy, 1 network at a time: {np_rate:8.2f} trainings/s  {np_epoch_rate:10.0f} epochs/s "
              f"({args.numpy_runs} runs, same epochs; {np_epochs / np_cpu:.0f} epochs per CPU-second)")
        print(f"  ratio (epochs/s, {args.threads} threads vs NumPy): {epochs / wall / np_epoch_rate:.1f}x; "
              f"1 thread vs NumPy: {epoch_rate1 / np_epoch_rate:.1f}x")
        print(f"  ratio per CPU-second (load-independent): {epochs / cpu / (np_epochs / np_cpu):.1f}x")
        print(f"  1e5 trainings: {1e5 / rate / 60:.1f} min at this wall rate, {1e5 * cpu / m['runs'] / 2 / 60:.1f} min "
              f"on 2 otherwise idle cores (target: < 60 min, ~28 trainings/s)")


if __name__ == "__main__":
    main()
