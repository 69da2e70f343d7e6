"""Numba kernels that train tiny fully connected networks by minibatch SGD or Adam.

Everything is float64 and strict IEEE (no ``fastmath``: no reassociation, no fused
multiply-adds), so a run's trajectory depends only on its options, seed and run index:
not on the thread count, and not on the machine's vector width. The networks are
small enough (7-40-40-1: 2001 parameters, batches of 8) that float64 costs little
against float32, and it keeps the stopping rule (every training output on the right
side of 0) and the comparison with the NumPy reference free of float32 rounding.

Layout: the flat parameter vector used by the sampler (per layer the weights ``W[k, j]``
at ``w_off + k * width + j``, then the biases at ``b_off``; ``b_off = -1`` without biases). Workspaces ``A`` (activations), ``Z``
(pre-activations) and ``D`` (gradients of the loss with respect to ``Z``) hold one row
per layer, each a ``rows x width`` block in row-major order; ``A[0]`` holds the inputs.

Random numbers: the 64-bit words come from the sampler's xoshiro256** generator
(:mod:`boolnet.sampling._rng`, ``seed_block`` and ``next_u64``): per run ``r`` a stream
whose 256-bit state is four SplitMix64 steps from ``mix(key1 ^ mix(key0 + r))`` (``mix``:
the SplitMix64 finaliser; ``key0, key1`` from ``numpy.random.SeedSequence(seed)``), seeded
exactly as the sampler seeds its block ``r``. What is made of the words is this module's
own: it draws the initial parameters in layout order (gaussian prior: float64 Box-Muller
pairs from 53-bit uniforms ``u`` in (0, 1), ``sqrt(-2 log u1) * (cos, sin)(2 pi u2)``, the
second of the last pair dropped when the count is odd; uniform prior: ``2u - 1``; each
times its scale), then one Fisher-Yates shuffle of the training positions per epoch
(``j = floor(u * (i + 1))`` for ``i = m-1 .. 1``, starting each epoch from ``0..m-1``).
So training runs do not change when the sampler's normals do (its float32 Box-Muller
lanes, or the ziggurat before them); they would change only with the xoshiro256** stream
or its seeding, which both share.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from boolnet.sampling._rng import next_u64, seed_block


#: Codes of the activations the kernels branch on: those of :data:`boolnet.network.ACTIVATIONS` (the trainer
#: maps names with that table; this module imports numpy and numba only). Any other code is the identity (linear).
RELU, TANH = 0, 1
#: Loss functions: binary cross-entropy on the logit, squared error of the logit against -1/+1.
LOSSES = {"ce": 0, "mse": 1}
#: Optimisers.
OPTIMIZERS = {"sgd": 0, "adam": 1}

#: Run outcomes in ``status``.
FITTED, UNFITTED, DIVERGED = 1, 0, -1


# ------------------------------------------------------------------------------------ random numbers
# The sampler's word streams: xoshiro256** seeded per run by SplitMix64 from (key0, key1, run), exactly as the
# sampler seeds its blocks, so one word generator serves both; the uniforms and normals below are this module's.
seed_run = seed_block


@njit(cache=True, nogil=True)
def uniform01(s):
    """Uniform in (0, 1) from 53 random bits (never 0 or 1)."""
    return ((next_u64(s) >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def draw_parameters(s, scales, gaussian, theta):
    """``theta[p] = scales[p] * z_p``, ``z`` standard normal (Box-Muller) or uniform on (-1, 1)."""
    P = scales.shape[0]
    if gaussian:
        for p in range(0, P, 2):
            u1 = uniform01(s)
            u2 = uniform01(s)
            r = math.sqrt(-2.0 * math.log(u1))
            a = 2.0 * math.pi * u2
            theta[p] = scales[p] * (r * math.cos(a))
            if p + 1 < P:
                theta[p + 1] = scales[p + 1] * (r * math.sin(a))
    else:
        for p in range(P):
            theta[p] = scales[p] * (2.0 * uniform01(s) - 1.0)


# ------------------------------------------------------------------------------------ networks
@njit(cache=True, nogil=True)
def _act(z, act):
    if act == RELU:
        return z if z > 0.0 else 0.0
    if act == TANH:
        return math.tanh(z)
    return z


@njit(cache=True, nogil=True)
def _dact(z, a, act):
    if act == RELU:
        return 1.0 if z > 0.0 else 0.0
    if act == TANH:
        return 1.0 - a * a
    return 1.0


@njit(cache=True, nogil=True)
def forward(theta, widths, w_off, b_off, act, A, Z, rows):
    """Forward pass of ``rows`` inputs in ``A[0]``; the outputs (logits) end in ``Z[L, :rows]``.

    Each pre-activation is ``((b_j + a_0 w_0j) + a_1 w_1j) + ...`` in this order; rows
    are processed four at a time so that each weight row is loaded once per four rows.
    Inner loops index with unsigned integers: numba then emits no negative-index
    wraparound, and LLVM vectorises them.
    """
    L = widths.shape[0] - 1
    for l in range(L):
        fan_in = widths[l]
        width = widths[l + 1]
        W = np.uint64(width)
        wo = w_off[l]
        bo = b_off[l]
        for b in range(rows):
            base = np.uint64(b * width)
            if bo >= 0:
                bu = np.uint64(bo)
                for j in range(W):
                    Z[l + 1, base + j] = theta[bu + j]
            else:
                for j in range(W):
                    Z[l + 1, base + j] = 0.0
        b = 0
        while b + 4 <= rows:
            z0 = np.uint64(b * width)
            z1 = z0 + W
            z2 = z1 + W
            z3 = z2 + W
            for k in range(fan_in):
                a0 = A[l, b * fan_in + k]
                a1 = A[l, (b + 1) * fan_in + k]
                a2 = A[l, (b + 2) * fan_in + k]
                a3 = A[l, (b + 3) * fan_in + k]
                wk = np.uint64(wo + k * width)
                for j in range(W):
                    w = theta[wk + j]
                    Z[l + 1, z0 + j] += a0 * w
                    Z[l + 1, z1 + j] += a1 * w
                    Z[l + 1, z2 + j] += a2 * w
                    Z[l + 1, z3 + j] += a3 * w
            b += 4
        while b < rows:
            base = np.uint64(b * width)
            for k in range(fan_in):
                a = A[l, b * fan_in + k]
                wk = np.uint64(wo + k * width)
                for j in range(W):
                    Z[l + 1, base + j] += a * theta[wk + j]
            b += 1
        if l < L - 1:
            for i in range(np.uint64(rows * width)):
                A[l + 1, i] = _act(Z[l + 1, i], act)


@njit(cache=True, nogil=True)
def output_gradient(Z, D, L, y, rows, loss):
    """``D[L, b] = d(mean loss)/d z_b`` for targets ``y`` (0/1); returns the mean loss."""
    total = 0.0
    inv = 1.0 / rows
    for b in range(rows):
        z = Z[L, b]
        if loss == 0:
            # softplus(z) - y z, computed stably; gradient sigmoid(z) - y
            total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y[b] * z
            if z >= 0.0:
                p = 1.0 / (1.0 + math.exp(-z))
            else:
                e = math.exp(z)
                p = e / (1.0 + e)
            D[L, b] = (p - y[b]) * inv
        else:
            t = 2.0 * y[b] - 1.0
            total += (z - t) * (z - t)
            D[L, b] = 2.0 * (z - t) * inv
    return total * inv


@njit(cache=True, nogil=True)
def _add_deltas(WT, D, l, fan_in, width, rows):
    """``D[l, b, k] += sum_j WT[j, k] D[l + 1, b, j]``, ``j`` ascending, rows four at a time."""
    F = np.uint64(fan_in)
    b = 0
    while b + 4 <= rows:
        p0 = np.uint64(b * fan_in)
        p1 = p0 + F
        p2 = p1 + F
        p3 = p2 + F
        for j in range(width):
            e0 = D[l + 1, b * width + j]
            e1 = D[l + 1, (b + 1) * width + j]
            e2 = D[l + 1, (b + 2) * width + j]
            e3 = D[l + 1, (b + 3) * width + j]
            wj = np.uint64(j * fan_in)
            for k in range(F):
                w = WT[wj + k]
                D[l, p0 + k] += w * e0
                D[l, p1 + k] += w * e1
                D[l, p2 + k] += w * e2
                D[l, p3 + k] += w * e3
        b += 4
    while b < rows:
        pb = np.uint64(b * fan_in)
        for j in range(width):
            e = D[l + 1, b * width + j]
            wj = np.uint64(j * fan_in)
            for k in range(F):
                D[l, pb + k] += WT[wj + k] * e
        b += 1


@njit(cache=True, nogil=True)
def backward(theta, grad, widths, w_off, b_off, act, A, Z, D, rows, WT):
    """Add the gradient of the loss whose output gradients are in ``D[L]`` to ``grad``.

    Sums run over rows in ascending order (weight and bias gradients) and over the
    units of the layer above in ascending order (the deltas); rows go four at a time.
    ``WT`` is scratch of at least the largest layer's weight count. Unsigned inner
    indices, as in :func:`forward`.
    """
    L = widths.shape[0] - 1
    for l in range(L - 1, -1, -1):
        fan_in = widths[l]
        width = widths[l + 1]
        W = np.uint64(width)
        wo = w_off[l]
        bo = b_off[l]
        b = 0
        while b + 4 <= rows:
            d0 = np.uint64(b * width)
            d1 = d0 + W
            d2 = d1 + W
            d3 = d2 + W
            for k in range(fan_in):
                a0 = A[l, b * fan_in + k]
                a1 = A[l, (b + 1) * fan_in + k]
                a2 = A[l, (b + 2) * fan_in + k]
                a3 = A[l, (b + 3) * fan_in + k]
                wk = np.uint64(wo + k * width)
                for j in range(W):
                    g = grad[wk + j] + a0 * D[l + 1, d0 + j]
                    g = g + a1 * D[l + 1, d1 + j]
                    g = g + a2 * D[l + 1, d2 + j]
                    grad[wk + j] = g + a3 * D[l + 1, d3 + j]
            if bo >= 0:
                bu = np.uint64(bo)
                for j in range(W):
                    g = grad[bu + j] + D[l + 1, d0 + j]
                    g = g + D[l + 1, d1 + j]
                    g = g + D[l + 1, d2 + j]
                    grad[bu + j] = g + D[l + 1, d3 + j]
            b += 4
        while b < rows:
            base = np.uint64(b * width)
            for k in range(fan_in):
                a = A[l, b * fan_in + k]
                wk = np.uint64(wo + k * width)
                for j in range(W):
                    grad[wk + j] += a * D[l + 1, base + j]
            if bo >= 0:
                bu = np.uint64(bo)
                for j in range(W):
                    grad[bu + j] += D[l + 1, base + j]
            b += 1
        if l > 0:
            # The layer's weights transposed into WT (j-major), so the deltas below add contiguous rows.
            for k in range(fan_in):
                for j in range(width):
                    WT[j * fan_in + k] = theta[wo + k * width + j]
            for i in range(np.uint64(rows * fan_in)):
                D[l, i] = 0.0
            _add_deltas(WT, D, l, fan_in, width, rows)
            for i in range(np.uint64(rows * fan_in)):
                D[l, i] *= _dact(Z[l, i], A[l, i], act)


@njit(cache=True, nogil=True)
def _max_weights(widths):
    out = 1
    for l in range(widths.shape[0] - 1):
        out = max(out, widths[l] * widths[l + 1])
    return out


@njit(cache=True, nogil=True)
def load_inputs(A, X, idx, start, rows):
    """Copy inputs ``X[idx[start + r]]`` into ``A[0]``."""
    n = X.shape[1]
    for r in range(rows):
        i = idx[start + r]
        for k in range(n):
            A[0, r * n + k] = X[i, k]


@njit(cache=True, nogil=True)
def loss_and_gradient(theta, X, y, widths, w_off, b_off, act, loss):
    """Mean loss over the rows of ``X`` (targets ``y``) and its gradient (for tests)."""
    rows = X.shape[0]
    L = widths.shape[0] - 1
    wmax = widths.max()
    A = np.zeros((L + 1, rows * wmax))
    Z = np.zeros((L + 1, rows * wmax))
    D = np.zeros((L + 1, rows * wmax))
    idx = np.arange(rows)
    load_inputs(A, X, idx, 0, rows)
    forward(theta, widths, w_off, b_off, act, A, Z, rows)
    value = output_gradient(Z, D, L, y, rows, loss)
    grad = np.zeros_like(theta)
    WT = np.empty(_max_weights(widths))
    backward(theta, grad, widths, w_off, b_off, act, A, Z, D, rows, WT)
    return value, grad


#: Rows per group of the training-accuracy check.
CHECK_GROUP = 8


@njit(cache=True, nogil=True)
def _fits(theta, X, y_train, train_idx, widths, w_off, b_off, act, A, Z, first):
    """1 if every training input is classified as its target, 0 if not, -1 if an output is not finite.

    The training inputs are checked in groups of :data:`CHECK_GROUP`, starting with the
    group that failed last time (``first[0]``), and the check stops at the first
    misclassified input: the answer is that of a full check (a 1 has seen every output).
    """
    m = train_idx.shape[0]
    L = widths.shape[0] - 1
    groups = (m + CHECK_GROUP - 1) // CHECK_GROUP
    g0 = first[0]
    for t in range(groups):
        g = (g0 + t) % groups
        start = g * CHECK_GROUP
        rows = min(CHECK_GROUP, m - start)
        load_inputs(A, X, train_idx, start, rows)
        forward(theta, widths, w_off, b_off, act, A, Z, rows)
        for r in range(rows):
            z = Z[L, r]
            if not math.isfinite(z):
                return -1
            if (z > 0.0) != (y_train[start + r] == 1):
                first[0] = g
                return 0
    return 1


@njit(cache=True, nogil=True)
def train_one(theta, X, y_train, train_idx, widths, w_off, b_off, act, loss, opt, lr, momentum, beta1, beta2,
              eps, batch, max_epochs, s, order, A, Z, D, grad, m1, m2, record, record_orders):
    """Train ``theta`` in place until it fits the training set; returns ``(epochs, status)``.

    ``status`` is :data:`FITTED`, :data:`UNFITTED` (``max_epochs`` reached) or
    :data:`DIVERGED` (a non-finite output). The fit is checked before the first epoch
    and after each. ``record[e]`` (if it has row ``e``) receives the parameters after
    epoch ``e`` (row 0: the initial ones); ``record_orders[e - 1]`` the order of epoch ``e``.
    """
    m = train_idx.shape[0]
    L = widths.shape[0] - 1
    P = theta.shape[0]
    for p in range(P):
        m1[p] = 0.0
        m2[p] = 0.0
    if record.shape[0] > 0:
        record[0, :] = theta
    first = np.zeros(1, np.int64)
    status = _fits(theta, X, y_train, train_idx, widths, w_off, b_off, act, A, Z, first)
    if status != 0:
        return 0, status
    yb = np.empty(min(batch, m))
    pos = np.empty(m, np.int64)
    WT = np.empty(_max_weights(widths))
    b1t = 1.0
    b2t = 1.0
    for epoch in range(1, max_epochs + 1):
        for i in range(m):
            order[i] = i
        for i in range(m - 1, 0, -1):
            j = np.int64(uniform01(s) * (i + 1))
            t = order[i]
            order[i] = order[j]
            order[j] = t
        if record_orders.shape[0] >= epoch:
            record_orders[epoch - 1, :] = order
        for i in range(m):
            pos[i] = train_idx[order[i]]
        for start in range(0, m, batch):
            rows = min(batch, m - start)
            load_inputs(A, X, pos, start, rows)
            for r in range(rows):
                yb[r] = y_train[order[start + r]]
            forward(theta, widths, w_off, b_off, act, A, Z, rows)
            output_gradient(Z, D, L, yb, rows, loss)
            for p in range(np.uint64(P)):
                grad[p] = 0.0
            backward(theta, grad, widths, w_off, b_off, act, A, Z, D, rows, WT)
            if opt == 0:
                # Keras / PyTorch heavy-ball momentum: v <- mu v - lr g; theta <- theta + v
                for p in range(np.uint64(P)):
                    v = momentum * m1[p] - lr * grad[p]
                    m1[p] = v
                    theta[p] += v
            else:
                b1t *= beta1
                b2t *= beta2
                c1 = 1.0 - b1t
                c2 = 1.0 - b2t
                for p in range(np.uint64(P)):
                    g = grad[p]
                    m1[p] = beta1 * m1[p] + (1.0 - beta1) * g
                    m2[p] = beta2 * m2[p] + (1.0 - beta2) * g * g
                    theta[p] -= lr * (m1[p] / c1) / (math.sqrt(m2[p] / c2) + eps)
        if record.shape[0] > epoch:
            record[epoch, :] = theta
        status = _fits(theta, X, y_train, train_idx, widths, w_off, b_off, act, A, Z, first)
        if status != 0:
            return epoch, status
    return max_epochs, 0


@njit(cache=True, nogil=True)
def function_words(theta, X, widths, w_off, b_off, act, A, Z, out):
    """Pack the function computed on all ``X.shape[0]`` inputs: bit ``i`` of ``out[i // 64]``."""
    N = X.shape[0]
    L = widths.shape[0] - 1
    n = X.shape[1]
    for i in range(N):
        for k in range(n):
            A[0, i * n + k] = X[i, k]
    forward(theta, widths, w_off, b_off, act, A, Z, N)
    for w in range(out.shape[0]):
        out[w] = np.uint64(0)
    for i in range(N):
        if Z[L, i] > 0.0:
            out[i // 64] |= np.uint64(1) << np.uint64(i % 64)


@njit(cache=True, nogil=True)
def init_stream(key0, key1, run, scales, gaussian, theta, s):
    """Seed ``s`` for run ``run`` and draw the initial parameters into ``theta``."""
    seed_run(s, key0, key1, run)
    draw_parameters(s, scales, gaussian, theta)


@njit(cache=True, nogil=True)
def train_runs(runs, key0, key1, scales, gaussian, X, y_train, train_idx, widths, w_off, b_off, act, loss, opt,
               lr, momentum, beta1, beta2, eps, batch, max_epochs, out_words, out_epochs, out_status):
    """Train every run index in ``runs``; results go to row ``r`` of the output arrays."""
    P = scales.shape[0]
    L = widths.shape[0] - 1
    N = X.shape[0]
    m = train_idx.shape[0]
    rows = max(N, m)  # a minibatch has at most m rows
    wmax = widths.max()
    A = np.zeros((L + 1, rows * wmax))
    Z = np.zeros((L + 1, rows * wmax))
    D = np.zeros((L + 1, rows * wmax))
    theta = np.empty(P)
    grad = np.empty(P)
    m1 = np.empty(P)
    m2 = np.empty(P)
    s = np.empty(4, np.uint64)
    order = np.empty(m, np.int64)
    record = np.empty((0, P))
    record_orders = np.empty((0, m), np.int64)
    words = np.empty(out_words.shape[1], np.uint64)
    for r in runs:
        init_stream(key0, key1, r, scales, gaussian, theta, s)
        epochs, status = train_one(theta, X, y_train, train_idx, widths, w_off, b_off, act, loss, opt, lr, momentum,
                                   beta1, beta2, eps, batch, max_epochs, s, order, A, Z, D, grad, m1, m2, record,
                                   record_orders)
        function_words(theta, X, widths, w_off, b_off, act, A, Z, words)
        out_words[r, :] = words
        out_epochs[r] = epochs
        out_status[r] = status


@njit(cache=True)
def trajectory(run, key0, key1, scales, gaussian, X, y_train, train_idx, widths, w_off, b_off, act, loss, opt,
               lr, momentum, beta1, beta2, eps, batch, max_epochs, record, record_orders):
    """One run with its parameters after every epoch in ``record`` (for tests); returns ``(epochs, status)``."""
    P = scales.shape[0]
    L = widths.shape[0] - 1
    m = train_idx.shape[0]
    rows = max(X.shape[0], m)
    wmax = widths.max()
    A = np.zeros((L + 1, rows * wmax))
    Z = np.zeros((L + 1, rows * wmax))
    D = np.zeros((L + 1, rows * wmax))
    theta = np.empty(P)
    s = np.empty(4, np.uint64)
    init_stream(key0, key1, run, scales, gaussian, theta, s)
    return train_one(theta, X, y_train, train_idx, widths, w_off, b_off, act, loss, opt, lr, momentum, beta1, beta2,
                     eps, batch, max_epochs, s, np.empty(m, np.int64), A, Z, D, np.empty(P), np.empty(P),
                     np.empty(P), record, record_orders)
