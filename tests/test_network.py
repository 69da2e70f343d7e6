"""boolnet.network: architectures, the parameter layout, and truth_tables against a plain NumPy forward pass.

Oracle: an independent float64 NumPy forward pass that builds each layer's
weight matrix from the documented layout (weights row-major, then biases) with
its own index arithmetic, not with NetworkSpec.split.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from boolnet import functions as F
from boolnet.errors import BoolnetError
from boolnet.network import NetworkSpec, parse_arch
from boolnet.sampling.evaluate import truth_tables
from boolnet.sampling import _network_kernels as NK

ACTS = {
    "relu": lambda a: np.maximum(a, 0.0),
    "tanh": np.tanh,
    "step": lambda a: (a > 0).astype(np.float64),  # step(0) = 0
    "sign": np.sign,  # sign(0) = 0
    "linear": lambda a: a,
}


def _smallest_nonzero(a):
    a = np.abs(a[a != 0])
    return a.min() if a.size else np.inf


def layout_forward(widths, theta, activation, encoding, bias):
    """Plain float64 forward pass reading ``theta`` in the documented layout; ``(bits, margin)``.

    ``margin`` is the smallest nonzero |pre-activation| whose sign decides the
    output (output unit; hidden units for step/sign), used to leave out networks
    that float32 rounding could flip.
    """
    n = widths[0]
    x = np.array([[(i >> (n - 1 - k)) & 1 for k in range(n)] for i in range(1 << n)], dtype=np.float64)
    if encoding == "pm1":
        x = 2 * x - 1
    h, pos, margin = x, 0, np.inf
    layers = list(zip(widths[:-1], widths[1:]))
    for index, (fan_in, width) in enumerate(layers):
        W = np.array([[theta[pos + k * width + j] for j in range(width)] for k in range(fan_in)], dtype=np.float64)
        pos += fan_in * width
        b = np.zeros(width)
        if bias:
            b = np.array(theta[pos : pos + width], dtype=np.float64)
            pos += width
        a = h @ W + b
        if index < len(layers) - 1:
            if activation in ("step", "sign"):
                margin = min(margin, _smallest_nonzero(a))
            h = ACTS[activation](a)
        else:
            margin = min(margin, _smallest_nonzero(a))
    assert pos == len(theta)
    return (a[:, 0] > 0).astype(np.uint8), margin


def test_truth_tables_doc_examples():
    assert truth_tables("2-1", [1.0, 1.0, -1.5]) == "0001"  # AND
    assert truth_tables("2-1", [[1, 1, -1.5], [1, 1, -0.5], [-1, -1, 0.5]]) == ["0001", "0111", "1000"]
    assert truth_tables("2-1", [1, 1, -1.5], packed=True).tolist() == [8, 0]
    # Tie at the output: 0 (x1 + x2 - 1 = 0 on inputs 01 and 10).
    assert truth_tables("2-1", [1, 1, -1]) == "0001"
    # x_1 is the most significant bit: w = (1, 0) gives f = x_1.
    assert truth_tables("2-1", [1, 0, -0.5]) == "0011"
    assert truth_tables("3-1", [0, 0, 1], bias=False) == "01010101"
    assert truth_tables("1-1", [1, 0], encoding="pm1") == "01"


@pytest.mark.parametrize("activation", list(ACTS))
@pytest.mark.parametrize("encoding", ["01", "pm1"])
@pytest.mark.parametrize("bias", [True, False])
def test_truth_tables_match_plain_forward_pass(activation, encoding, bias):
    rng = np.random.default_rng(zlib.crc32(f"{activation}{encoding}{bias}".encode()))
    archs = ["1-1", "3-1", "5-1", "7-1", "2-3-1", "4-2-1", "7-5-4-1", "3-2-3-2-1", "6-17-1"]
    compared = 0
    for arch in archs:
        widths = parse_arch(arch).widths
        P = parse_arch(arch).n_parameters(bias)
        thetas = rng.standard_normal((25, P))
        for dtype in (np.float64, np.float32):
            got = truth_tables(arch, thetas.astype(dtype), activation=activation, encoding=encoding, bias=bias)
            packed = truth_tables(arch, thetas.astype(dtype), activation=activation, encoding=encoding, bias=bias,
                                  packed=True)
            for theta, table, words in zip(thetas.astype(dtype), got, packed):
                bits, margin = layout_forward(widths, theta.astype(np.float64), activation, encoding, bias)
                if margin < 1e-3:  # float32 vs float64 may differ this close to a tie
                    continue
                assert table == "".join(map(str, bits)), (arch, dtype, theta)
                assert words[: len(F.pack_bits(bits))].tolist() == F.pack_bits(bits).tolist()
                compared += 1
    assert compared > 0.8 * 2 * 25 * len(archs)


@pytest.mark.parametrize("activation", list(ACTS))
@pytest.mark.parametrize("encoding", ["01", "pm1"])
@pytest.mark.parametrize("bias", [True, False])
def test_kernel_truth_tables_match_numpy(activation, encoding, bias):
    """The sampler's float32 kernel on many architectures, against the float64 forward pass."""
    rng = np.random.default_rng(zlib.crc32(f"{activation}{encoding}{bias}1".encode()))
    archs = [f"{n}-1" for n in range(1, 8)] + [f"{n}-3-1" for n in range(1, 8)] + ["7-5-4-1", "3-2-3-2-1"]
    compared = 0
    for arch in archs:
        spec = NetworkSpec(arch, activation, encoding, bias)
        thetas = rng.standard_normal((40, spec.n_parameters)).astype(np.float32)
        got = NK.tables_from_parameters(thetas, *spec.kernel_args())
        for theta, words in zip(thetas, got):
            bits, margin = layout_forward(spec.arch.widths, theta, activation, encoding, bias)
            if margin < 1e-3:
                continue
            expected = F.pack_bits(bits)
            assert words[: len(expected)].tolist() == expected.tolist(), (arch, theta)
            assert spec.arch.n == 7 or words[1] == 0
            compared += 1
    assert compared > 0.8 * 40 * len(archs)


def test_split_follows_the_layout():
    spec = NetworkSpec("3-2-1", "relu", "01", True)
    theta = np.arange(spec.n_parameters, dtype=np.float64)
    (W1, b1), (W2, b2) = spec.split(theta)
    assert W1.tolist() == [[0, 1], [2, 3], [4, 5]] and b1.tolist() == [6, 7]
    assert W2.tolist() == [[8], [9]] and b2.tolist() == [10]
    assert parse_arch("7-40-40-1").n_parameters() == 2001 and parse_arch("3-2-1").n_parameters(False) == 8


@pytest.mark.parametrize("call,param,fragment", [
    (lambda: truth_tables("2-1", [1, 1]), "parameters", "shape (3,)"),
    (lambda: truth_tables("2-1", [[1, 1, 1, 1]]), "parameters", "(m, 3)"),
    (lambda: truth_tables("2-1", [1, np.nan, 0]), "parameters", "finite"),
    (lambda: truth_tables("2-1", ["a", 1, 0]), "parameters", "numbers"),
    (lambda: truth_tables("8-1", [0] * 9), "arch", "1 <= n <= 7"),
    (lambda: truth_tables("2-x-1", [0]), "arch", "malformed"),
    (lambda: truth_tables("2-2-1", [0] * 9, activation="gelu"), "activation", "is unknown"),
    (lambda: truth_tables("2-1", [0] * 3, encoding="bits"), "encoding", "encoding"),
])
def test_truth_tables_bad_input(call, param, fragment):
    with pytest.raises(BoolnetError, match=None) as info:
        call()
    assert info.value.param == param and fragment in str(info.value)


def test_repeated_hidden_layers():
    a = parse_arch("7-64x10-1")
    assert a.widths == (7,) + (64,) * 10 + (1,) and a.n_layers == 11 and a.compact() == "7-64x10-1"
    assert parse_arch("3-2x1-4x2-1").widths == (3, 2, 4, 4, 1) and str(parse_arch("3-2x1-1")) == "3-2-1"
    assert parse_arch("7-40-40-1").compact() == "7-40-40-1"
    for bad, fragment in [("7-64x0-1", "0 times"), ("7-64x17-1", "at most 16"), ("7-1x2", "single output"),
                          ("7x2-1", "malformed"), ("7-x-1", "malformed"), ("7-4x2x2-1", "malformed")]:
        with pytest.raises(BoolnetError, match=fragment) as info:
            parse_arch(bad)
        assert info.value.param == "arch"
