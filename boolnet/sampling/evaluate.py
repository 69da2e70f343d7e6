"""The functions networks compute, from their parameters: the sampler's evaluation kernels, in public.

The same code (and, for float32 parameters, the same arithmetic) that
``sample_table`` and ``enumerate_table`` count.
"""

from __future__ import annotations

import numpy as np

from boolnet.errors import BoolnetError
from boolnet.functions import strings_from_packed
from boolnet.network import NetworkSpec
from boolnet.sampling._network_kernels import tables_from_parameters


def truth_tables(arch, parameters, *, activation: str = "relu", encoding: str = "01", bias: bool = True,
                 packed: bool = False):
    """The Boolean functions computed by networks with the given parameters.

    The public face of the sampler's evaluation kernels: the same code (and, for
    float32 parameters, the same arithmetic) that ``sample_table`` and
    ``enumerate_table`` count.

    Parameters
    ----------
    arch : str or Architecture
        ``"N-H1-...-1"`` with ``1 <= N <= 7``; ``"N-1"`` is a perceptron.
    parameters : array_like, shape (P,) or (m, P)
        One network's parameters, or one network per row, in the layout of this
        module's docstring (per layer: weights row-major ``W[k, j]``, then biases);
        ``P = parse_arch(arch).n_parameters(bias)``. float32 arrays are evaluated in
        float32 exactly as the sampler does (fixed summation order, fused
        multiply-adds); anything else is converted to float64 and evaluated in float64.
    activation : {"relu", "tanh", "step", "sign", "linear"}
        Hidden-layer activation (ignored by perceptrons).
    encoding : {"01", "pm1"}
        Inputs fed as 0/1 or -1/+1.
    bias : bool
        False: the layout has no biases.
    packed : bool
        Return packed truth tables instead of strings: a uint64 array of shape
        ``(2,)`` or ``(m, 2)`` in which bit ``i`` of word ``i // 64`` is ``f(input i)``
        (word 1 is 0 for ``N <= 6``).

    Returns
    -------
    str or list of str (or numpy.ndarray with ``packed=True``)
        For one network its truth table (character ``i`` is ``f(input i)``, the
        output being 1 iff the output pre-activation is > 0); for ``m`` networks a
        list of ``m`` truth tables.

    Raises
    ------
    BoolnetError
        Bad architecture, activation or encoding; a wrong number of parameters
        (``param="parameters"``); NaN or infinite parameters.

    Examples
    --------
    A 2-input perceptron with ``w = (1, 1)`` and ``b = -1.5`` computes AND; with
    ``b = -0.5`` OR:

    >>> truth_tables("2-1", [[1, 1, -1.5], [1, 1, -0.5]])
    ['0001', '0111']
    >>> truth_tables("2-1", [1, 1, -1.5], packed=True).tolist()
    [8, 0]

    A 2-2-1 relu network computing XOR: hidden units ``relu(x1 - x2)`` and
    ``relu(x2 - x1)``, output ``h1 + h2 - 0.5``:

    >>> W1, b1 = [[1, -1], [-1, 1]], [0, 0]
    >>> W2, b2 = [[1], [1]], [-0.5]
    >>> theta = np.concatenate([np.ravel(W1), b1, np.ravel(W2), b2])
    >>> truth_tables("2-2-1", theta)
    '0110'
    """
    spec = NetworkSpec(arch, activation, encoding, bias)
    if isinstance(parameters, np.ndarray) and parameters.dtype == np.float32:
        thetas = parameters
    else:
        try:
            raw = np.asarray(parameters)
            if raw.dtype.kind not in "biuf":  # complex, strings, objects: never silently converted
                raise TypeError
            thetas = raw.astype(np.float64)
        except (TypeError, ValueError):
            raise BoolnetError("parameters must be an array of real numbers of shape (P,) or (m, P)",
                               param="parameters") from None
    single = thetas.ndim == 1
    if thetas.ndim not in (1, 2) or thetas.shape[-1] != spec.n_parameters:
        raise BoolnetError(f"parameters of {spec.arch} (bias={spec.bias}) must have shape ({spec.n_parameters},) "
                           f"or (m, {spec.n_parameters}), got shape {thetas.shape}", param="parameters")
    if not np.isfinite(thetas).all():
        raise BoolnetError("parameters must be finite numbers (found NaN or infinity)", param="parameters")
    thetas = np.ascontiguousarray(thetas.reshape(-1, spec.n_parameters))
    words = tables_from_parameters(thetas, *spec.kernel_args())
    if packed:
        return words[0] if single else words
    strings = strings_from_packed(words, spec.arch.n)
    return strings[0] if single else strings
