"""Architectures (``"7-40-40-1"``) and their flat parameter layout for the kernels."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from boolnet.errors import UsageError
from boolnet.functions import check_encoding
from boolnet.priors import Prior
from boolnet.sampling._kernels import ACTIVATIONS

#: Largest number of inputs the sampler and the grid enumerator accept (truth tables of 2 words).
MAX_INPUTS = 7
#: Largest width of a hidden layer.
MAX_WIDTH = 4096
#: Largest number of hidden layers.
MAX_HIDDEN_LAYERS = 16

_ARCH_RE = re.compile(r"^\d+(-\d+)+$")


@dataclass(frozen=True)
class Architecture:
    """Layer widths ``(n, h_1, ..., h_L, 1)`` of a fully connected network with one output.

    Examples
    --------
    >>> a = parse_arch("7-40-40-1")
    >>> a.n, a.hidden, str(a)
    (7, (40, 40), '7-40-40-1')
    >>> a.n_parameters(bias=True)
    2001
    """

    widths: tuple[int, ...]

    @property
    def n(self) -> int:
        """Number of Boolean inputs."""
        return self.widths[0]

    @property
    def hidden(self) -> tuple[int, ...]:
        """Widths of the hidden layers (empty for a perceptron)."""
        return self.widths[1:-1]

    def n_parameters(self, bias: bool = True) -> int:
        """Number of weights (and biases) of the network."""
        total = 0
        for fan_in, width in zip(self.widths[:-1], self.widths[1:]):
            total += fan_in * width + (width if bias else 0)
        return total

    def __str__(self) -> str:
        return "-".join(str(w) for w in self.widths)


def parse_arch(text: str) -> Architecture:
    """Read ``"N-H1-...-1"`` (``"N-1"`` is a perceptron) into an :class:`Architecture`.

    Raises :class:`~boolnet.errors.UsageError` for malformed text, ``N`` outside
    ``1..7``, a zero width or an output layer other than 1.

    Examples
    --------
    >>> parse_arch("3-1").widths
    (3, 1)
    >>> parse_arch("8-1")
    Traceback (most recent call last):
    ...
    boolnet.errors.UsageError: --arch 8-1: n = 8 inputs is beyond the limit; use 1 <= n <= 7
    """
    if isinstance(text, Architecture):
        return text
    raw = str(text).strip()
    if not _ARCH_RE.match(raw):
        raise UsageError(f"--arch {text!r} is malformed: write layer widths joined by '-', e.g. 7-1 or 7-40-40-1")
    widths = tuple(int(w) for w in raw.split("-"))
    n = widths[0]
    if n < 1 or n > MAX_INPUTS:
        raise UsageError(f"--arch {raw}: n = {n} inputs is beyond the limit; use 1 <= n <= {MAX_INPUTS}")
    if widths[-1] != 1:
        raise UsageError(f"--arch {raw}: the last layer must be a single output unit (end with -1)")
    if any(w < 1 for w in widths[1:-1]):
        raise UsageError(f"--arch {raw}: hidden layers need at least one unit")
    if any(w > MAX_WIDTH for w in widths[1:-1]):
        raise UsageError(f"--arch {raw}: hidden layers have at most {MAX_WIDTH} units")
    if len(widths) - 2 > MAX_HIDDEN_LAYERS:
        raise UsageError(f"--arch {raw}: at most {MAX_HIDDEN_LAYERS} hidden layers")
    return Architecture(widths)


def check_activation(activation: str) -> int:
    """Kernel code of a hidden-layer activation name (UsageError if unknown)."""
    if activation not in ACTIVATIONS:
        raise UsageError(f"unknown activation {activation!r}: use one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[activation]


@dataclass
class NetworkSpec:
    """Everything a kernel needs to know about a network, as arrays."""

    arch: Architecture
    activation: str
    encoding: str
    bias: bool

    def __post_init__(self):
        self.arch = parse_arch(self.arch)
        self.act = check_activation(self.activation)
        check_encoding(self.encoding)
        self.pm1 = self.encoding == "pm1"
        widths = self.arch.widths
        self.widths = np.array(widths, dtype=np.int64)
        w_off, b_off, offset = [], [], 0
        for fan_in, width in zip(widths[:-1], widths[1:]):
            w_off.append(offset)
            offset += fan_in * width
            if self.bias:
                b_off.append(offset)
                offset += width
            else:
                b_off.append(-1)
        self.w_off = np.array(w_off, dtype=np.int64)
        self.b_off = np.array(b_off, dtype=np.int64)
        self.n_parameters = offset
        N = 1 << self.arch.n
        # lowbit[i] = index of the lowest set bit of i (lowbit[0] unused).
        idx = np.arange(N, dtype=np.int64)
        self.lowbit = np.zeros(N, dtype=np.int64)
        self.lowbit[1:] = np.log2(idx[1:] & -idx[1:]).round().astype(np.int64)

    def kernel_args(self):
        """``(widths, w_off, b_off, act, pm1, lowbit)`` in kernel argument order."""
        return (self.widths, self.w_off, self.b_off, self.act, self.pm1, self.lowbit)

    def parameter_scales(self, prior: Prior) -> np.ndarray:
        """Scale (std or half-width) of every parameter, in layout order, float32."""
        scales = np.empty(self.n_parameters, dtype=np.float64)
        widths = self.arch.widths
        for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
            wo = self.w_off[layer]
            scales[wo : wo + fan_in * width] = prior.weight_scale(fan_in)
            if self.bias:
                bo = self.b_off[layer]
                scales[bo : bo + width] = prior.bias_scale()
        return scales.astype(np.float32)

    def split(self, theta: np.ndarray):
        """Per layer ``(W (fan_in, width), b (width,) or None)`` views of a flat parameter vector."""
        widths = self.arch.widths
        out = []
        for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
            wo = self.w_off[layer]
            W = theta[..., wo : wo + fan_in * width].reshape(theta.shape[:-1] + (fan_in, width))
            b = None
            if self.bias:
                bo = self.b_off[layer]
                b = theta[..., bo : bo + width]
            out.append((W, b))
        return out
