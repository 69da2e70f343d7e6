"""Numba kernel of the splitting estimator: output pre-activations of many networks on chosen inputs, float64.

Each network is computed by one thread in a fixed order of operations (no fastmath), so
the values, and the estimates built on them, do not depend on the number of threads.
The parameter layout is :mod:`boolnet.network`'s (``widths``, ``w_off``, ``b_off``;
``b_off[l] = -1`` without biases); ``act`` is the activation code of
:data:`boolnet.network.ACTIVATIONS` (0 relu, 1 tanh, 2 step, 3 sign, 4 linear).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def preactivations(theta, X, widths, w_off, b_off, act, out):
    """``out[m, i]`` = output pre-activation of network ``theta[m]`` on input row ``X[i]``."""
    M = theta.shape[0]
    I = X.shape[0]
    L = widths.shape[0] - 1
    maxw = 1
    for l in range(widths.shape[0]):
        if widths[l] > maxw:
            maxw = widths[l]
    for m in prange(M):
        th = theta[m]
        h = np.empty((I, maxw))
        a = np.empty((I, maxw))
        for i in range(I):
            for k in range(widths[0]):
                h[i, k] = X[i, k]
        for l in range(L):
            fan_in = widths[l]
            width = widths[l + 1]
            wo = w_off[l]
            bo = b_off[l]
            for i in range(I):
                ai = a[i]
                hi = h[i]
                for j in range(width):
                    ai[j] = th[bo + j] if bo >= 0 else 0.0
                for k in range(fan_in):
                    hik = hi[k]
                    if hik == 0.0:  # relu and step units that are off (the sum is the same without them)
                        continue
                    Wk = th[wo + k * width : wo + (k + 1) * width]
                    for j in range(width):
                        ai[j] += hik * Wk[j]
            if l == L - 1:
                for i in range(I):
                    out[m, i] = a[i, 0]
            else:
                for i in range(I):
                    for j in range(width):
                        v = a[i, j]
                        if act == 0:
                            v = v if v > 0.0 else 0.0
                        elif act == 1:
                            v = np.tanh(v)
                        elif act == 2:
                            v = 1.0 if v > 0.0 else 0.0
                        elif act == 3:
                            v = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
                        h[i, j] = v
