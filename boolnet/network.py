"""The network vocabulary shared by every engine and command: architectures, activations, parameter layout.

An architecture ``"N-H1-...-HL-1"`` is a fully connected network with ``N`` Boolean
inputs, hidden layers of widths ``H1 .. HL`` and one output unit; ``"N-1"`` is a
perceptron. Conventions (the same everywhere in boolnet):

* input ``i`` in ``[0, 2**N)`` is the word ``x_1 x_2 ... x_N`` with ``x_1`` the most
  significant bit; encoding ``"01"`` feeds bits as 0/1, ``"pm1"`` as -1/+1;
* hidden units apply the activation (:data:`ACTIVATIONS`): ``relu(x) = max(x, 0)``,
  ``tanh``, ``step(x) = 1 if x > 0 else 0``, ``sign(x) = 1, 0, -1`` (``sign(0) = 0``),
  ``linear(x) = x``; the output is 1 iff the output unit's pre-activation is
  strictly > 0 (a tie gives 0);
* a function is its truth table: character ``i`` is ``f(input i)``.

Parameter layout
----------------
The parameters of one network are a flat vector ``theta`` of
:meth:`Architecture.n_parameters` numbers, layer after layer from the inputs to
the output. Layer ``l`` (0-based, ``fan_in = widths[l]`` sources, ``width =
widths[l + 1]`` units) contributes

1. its weight matrix ``W`` of shape ``(fan_in, width)`` in row-major order:
   ``W[k, j]``, the weight from source ``k`` (input ``x_{k+1}`` in the first layer,
   hidden unit ``k`` of the previous layer after it) to unit ``j``, is
   ``theta[w_off[l] + k * width + j]``;
2. then, unless ``bias=False``, its ``width`` biases ``b[j] = theta[b_off[l] + j]``
   with ``b_off[l] = w_off[l] + fan_in * width``.

So ``theta = [W_1.ravel(), b_1, W_2.ravel(), b_2, ..., W_out.ravel(), b_out]`` and a
unit's pre-activation is ``b[j] + sum_k h[k] * W[k, j]``. For a perceptron ``N-1``
this is ``(w_1, ..., w_N, b)``. :class:`NetworkSpec` computes the offsets and
:meth:`NetworkSpec.split` cuts a vector (or a batch of them) into ``(W, b)`` views.
The sampler draws parameters in this order and :func:`truth_tables` reads them in it.

Examples
--------
>>> spec = NetworkSpec("2-2-1", "relu", "01", True)
>>> spec.n_parameters, spec.w_off.tolist(), spec.b_off.tolist()
(9, [0, 6], [4, 8])
>>> from boolnet.sampling.evaluate import truth_tables
>>> truth_tables("2-1", [1.0, 1.0, -1.5])          # w = (1, 1), b = -1.5: AND
'0001'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.functions import check_encoding

#: Hidden-layer activation name -> code used by the kernels.
ACTIVATIONS = {"relu": 0, "tanh": 1, "step": 2, "sign": 3, "linear": 4}
#: Largest number of inputs the sampler and the grid enumerator accept (truth tables of 2 words).
MAX_INPUTS = 7
#: Largest width of a hidden layer.
MAX_WIDTH = 4096
#: Largest number of hidden layers.
MAX_HIDDEN_LAYERS = 16
#: Largest parameter grid ``boolnet.sampling.enumerate_table`` enumerates (points).
MAX_GRID_POINTS = 4 * 10**9

#: A hidden width written ``inf``: the infinite-width (neural-network Gaussian process) limit.
INF = math.inf

_ARCH_RE = re.compile(r"^\d+(-(\d+|inf)(x\d+)?)+$")


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
    def is_limit(self) -> bool:
        """True for the infinite-width limit (every hidden width ``inf``, e.g. ``7-inf-inf-1``).

        Such a network has no parameter vector: its output pre-activations on the ``2**n``
        inputs are a Gaussian vector with the NNGP kernel (:mod:`boolnet.nngp`).
        """
        return bool(self.hidden) and all(w == INF for w in self.hidden)

    @property
    def n(self) -> int:
        """Number of Boolean inputs."""
        return self.widths[0]

    @property
    def hidden(self) -> tuple[int, ...]:
        """Widths of the hidden layers (empty for a perceptron)."""
        return self.widths[1:-1]

    @property
    def is_perceptron(self) -> bool:
        """True for ``N-1`` (no hidden layer)."""
        return len(self.widths) == 2

    def n_parameters(self, bias: bool = True) -> int:
        """Number of weights (and biases) of the network (see the module's parameter layout)."""
        if self.is_limit:
            raise BoolnetError(f"arch {self}: the infinite-width limit has no parameter vector", param="arch")
        total = 0
        for fan_in, width in zip(self.widths[:-1], self.widths[1:]):
            total += fan_in * width + (width if bias else 0)
        return total

    @property
    def n_layers(self) -> int:
        """Layers with parameters: the hidden layers and the output unit (``len(widths) - 1``)."""
        return len(self.widths) - 1

    def compact(self) -> str:
        """The architecture with runs of 3 or more equal hidden widths written ``HxK`` (``7-64x10-1``)."""
        parts = [str(self.n)]
        hidden = list(self.hidden)
        i = 0
        while i < len(hidden):
            j = i
            while j < len(hidden) and hidden[j] == hidden[i]:
                j += 1
            text = "inf" if hidden[i] == INF else str(hidden[i])
            parts += [f"{text}x{j - i}"] if j - i >= 3 else [text] * (j - i)
            i = j
        return "-".join(parts + ["1"])

    def __str__(self) -> str:
        return "-".join("inf" if w == INF else str(w) for w in self.widths)

    def __repr__(self) -> str:
        # Messages that quote an architecture with !r show its widths as they are written.
        return f"Architecture({str(self)!r})"


def parse_arch(text) -> Architecture:
    """Read ``"N-H1-...-1"`` (``"N-1"`` is a perceptron) into an :class:`Architecture`.

    An :class:`Architecture` is returned as it is (it was checked when it was parsed), so
    front doors parse text once and hand the result to the engines.

    A hidden width may be repeated: ``"7-64x10-1"`` is ten hidden layers of 64 units
    (``HxK`` stands for ``K`` layers of width ``H``; ``K >= 1``).

    Hidden widths written ``inf`` (all of them: ``"7-inf-inf-1"``, ``"2-inf-1"``,
    ``"7-infx3-1"``) spell the infinite-width limit, whose output pre-activations are the
    neural-network Gaussian process of :mod:`boolnet.nngp`; every prior option of the finite
    network applies to it.

    Raises
    ------
    BoolnetError
        (``param="arch"``) for malformed text, ``N`` outside ``1..7``, a zero or too
        wide hidden layer, too many hidden layers, or an output layer other than 1.

    Examples
    --------
    >>> parse_arch("3-1").widths
    (3, 1)
    >>> parse_arch("7-64x3-40-1").widths
    (7, 64, 64, 64, 40, 1)
    >>> a = parse_arch("7-inf-inf-1"); a.is_limit, str(a)
    (True, '7-inf-inf-1')
    >>> parse_arch("8-1")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: arch 8-1: n = 8 inputs is beyond the limit; use 1 <= n <= 7
    """
    if isinstance(text, Architecture):
        return text
    if not isinstance(text, str):
        raise BoolnetError(f"arch must be layer widths as text such as '3-1' or '7-40-40-1', got {text!r}",
                           param="arch")
    raw = text.strip()
    if not _ARCH_RE.match(raw):
        raise BoolnetError(f"arch {text!r} is malformed: write layer widths joined by '-', e.g. 7-1, 7-40-40-1 or "
                           "7-64x10-1 (ten hidden layers of 64)", param="arch")
    parts = raw.split("-")
    if "x" in parts[-1]:
        raise BoolnetError(f"arch {raw}: the last layer must be a single output unit (end with -1)", param="arch")
    widths = []
    for part in parts:
        width, _, repeat = part.partition("x")
        if repeat and int(repeat) < 1:
            raise BoolnetError(f"arch {raw}: {part} repeats a layer 0 times; write HxK with K >= 1", param="arch")
        if repeat and int(repeat) > MAX_HIDDEN_LAYERS:
            raise BoolnetError(f"arch {raw}: at most {MAX_HIDDEN_LAYERS} hidden layers", param="arch")
        widths += [INF if width == "inf" else int(width)] * (int(repeat) if repeat else 1)
    widths = tuple(widths)
    if widths[0] == INF:
        raise BoolnetError(f"arch {raw}: the number of inputs must be a whole number 1..{MAX_INPUTS}; only hidden "
                           "widths may be inf", param="arch")
    n = widths[0]
    if n < 1 or n > MAX_INPUTS:
        raise BoolnetError(f"arch {raw}: n = {n} inputs is beyond the limit; use 1 <= n <= {MAX_INPUTS}",
                           param="arch")
    if widths[-1] != 1:
        raise BoolnetError(f"arch {raw}: the last layer must be a single output unit (end with -1)", param="arch")
    hidden = widths[1:-1]
    if INF in hidden and not all(w == INF for w in hidden):
        raise BoolnetError(f"arch {raw}: mixes finite and infinite hidden widths; the Gaussian-process limit needs "
                           "every hidden width inf (e.g. 7-inf-inf-1)", param="arch")
    if any(w < 1 for w in widths[1:-1]):
        raise BoolnetError(f"arch {raw}: hidden layers need at least one unit", param="arch")
    if any(w > MAX_WIDTH and w != INF for w in widths[1:-1]):
        raise BoolnetError(f"arch {raw}: hidden layers have at most {MAX_WIDTH} units", param="arch")
    if len(widths) - 2 > MAX_HIDDEN_LAYERS:
        raise BoolnetError(f"arch {raw}: at most {MAX_HIDDEN_LAYERS} hidden layers", param="arch")
    return Architecture(widths)


def check_activation(activation: str) -> int:
    """Kernel code of a hidden-layer activation name.

    Examples
    --------
    >>> check_activation("relu")
    0
    >>> check_activation("gelu")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: activation 'gelu' is unknown: use one of relu, tanh, step, sign, linear
    """
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise BoolnetError(f"activation {activation!r} is unknown: use one of {', '.join(ACTIVATIONS)}",
                           param="activation")
    return ACTIVATIONS[activation]


def parameter_offsets(widths, bias: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """Where each layer's weights and biases start in the flat parameter vector (the layout above).

    Returns ``(w_off, b_off, n_parameters)``: int64 arrays with one entry per layer
    (``b_off[l] = -1`` without biases) and the vector's length.

    Examples
    --------
    >>> w_off, b_off, size = parameter_offsets((2, 3, 1), bias=True)
    >>> w_off.tolist(), b_off.tolist(), size
    ([0, 9], [6, 12], 13)
    """
    w_off, b_off, offset = [], [], 0
    for fan_in, width in zip(widths[:-1], widths[1:]):
        w_off.append(offset)
        offset += int(fan_in) * int(width)
        if bias:
            b_off.append(offset)
            offset += int(width)
        else:
            b_off.append(-1)
    return np.array(w_off, dtype=np.int64), np.array(b_off, dtype=np.int64), offset


@dataclass
class NetworkSpec:
    """Everything a kernel needs to know about a network, as arrays.

    Attributes (after construction): ``arch`` (:class:`Architecture`), ``act``
    (activation code), ``pm1``, ``widths``, ``w_off``, ``b_off`` (int64 arrays, the
    offsets of the module's parameter layout; ``b_off[l] = -1`` without biases),
    ``n_parameters`` and ``lowbit`` (index of the lowest set bit of each input
    index, used by the perceptron kernel).
    """

    arch: Architecture
    activation: str
    encoding: str
    bias: bool

    def __post_init__(self):
        self.arch = parse_arch(self.arch)
        if self.arch.is_limit:
            raise BoolnetError(f"arch {self.arch} is the infinite-width limit, which has no parameters to sample, "
                               "enumerate or train: sample_table, exact_table (n <= 3), estimate_table and "
                               "nngp_kernel take it; use finite widths (e.g. 7-40-40-1) here", param="arch")
        self.act = check_activation(self.activation)
        check_encoding(self.encoding)
        if not isinstance(self.bias, (bool, np.bool_)):
            raise BoolnetError(f"bias must be True or False, got {self.bias!r}", param="bias")
        self.bias = bool(self.bias)
        self.pm1 = self.encoding == "pm1"
        self.widths = np.array(self.arch.widths, dtype=np.int64)
        self.w_off, self.b_off, self.n_parameters = parameter_offsets(self.arch.widths, self.bias)
        N = 1 << self.arch.n
        # lowbit[i] = index of the lowest set bit of i (lowbit[0] unused).
        idx = np.arange(N, dtype=np.int64)
        self.lowbit = np.zeros(N, dtype=np.int64)
        self.lowbit[1:] = np.log2(idx[1:] & -idx[1:]).round().astype(np.int64)

    def kernel_args(self):
        """``(widths, w_off, b_off, act, pm1, lowbit)`` in kernel argument order."""
        return (self.widths, self.w_off, self.b_off, self.act, self.pm1, self.lowbit)

    def parameter_scales(self, prior, dtype=np.float32) -> np.ndarray:
        """Scale (std or half-width) of every parameter under ``prior``, in layout order.

        Computed in float64 and rounded to ``dtype`` (the sampler's kernels take float32, the
        trainer's float64). Per-layer sigmas (:class:`boolnet.priors.Prior`) must have one
        value per layer with parameters.

        Examples
        --------
        >>> from boolnet.priors import Prior
        >>> NetworkSpec("4-1", "relu", "01", True).parameter_scales(Prior(), np.float64).tolist()
        [0.5, 0.5, 0.5, 0.5, 1.0]
        """
        scales = np.empty(self.n_parameters, dtype=np.float64)
        widths = self.arch.widths
        prior.check_layers(self.arch.n_layers)
        for layer, (fan_in, width) in enumerate(zip(widths[:-1], widths[1:])):
            wo = self.w_off[layer]
            scales[wo : wo + fan_in * width] = prior.weight_scale(fan_in, layer)
            if self.bias:
                bo = self.b_off[layer]
                scales[bo : bo + width] = prior.bias_scale(layer)
        return scales.astype(dtype)

    def split(self, theta: np.ndarray):
        """Per layer ``(W (..., fan_in, width), b (..., width) or None)`` views of flat parameter vectors.

        Examples
        --------
        >>> spec = NetworkSpec("2-1", "relu", "01", True)
        >>> [(W.tolist(), b.tolist()) for W, b in spec.split(np.array([1.0, 2.0, -1.5]))]
        [([[1.0], [2.0]], [-1.5])]
        """
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
