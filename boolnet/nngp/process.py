"""The Gaussian vector of the infinite-width limit, reduced to the coordinates that are free.

The NNGP kernel ``K`` (:func:`boolnet.nngp.kernel.nngp_kernel`) is often singular, for
reasons that are exact, not numerical, and that the finite network shares:

* an input whose pre-activation variance is 0 (0/1 inputs without biases: input 0 feeds 0
  to every unit) has ``z = 0`` in every network, so its output is 0 (ties give 0);
* two inputs whose correlation is +1 or -1 (e.g. ``x`` and ``not x`` with -1/+1 inputs,
  no biases and an odd activation: ``z(not x) = -z(x)``) have equal or opposite
  pre-activations in every network.

:func:`reduce_kernel` finds both (correlations within ``TIE_TOLERANCE`` of +-1), keeps one
*representative* per class of tied inputs and returns the representatives' kernel, and
:meth:`Reduction.signs` turns a function into the sign constraints on the representatives
(or says that no network computes it). What is left may still be rank-deficient (the linear
activation: rank ``n + 1``); :meth:`Reduction.factor` is then an eigen factor of that rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from boolnet.errors import BoolnetError

#: Correlations within this of +-1 are taken as exact ties (kernels are accurate to ~1e-13).
TIE_TOLERANCE = 1e-10
#: Variances at or below this times the largest are taken as exact zeros.
ZERO_TOLERANCE = 1e-13


@dataclass
class Reduction:
    """A kernel's free coordinates.

    Attributes
    ----------
    size : int
        ``2**n``, the inputs.
    zero : numpy.ndarray of bool
        Inputs with pre-activation identically 0 (their output is always 0).
    representative : numpy.ndarray of int
        For each input, the representative of its class of tied inputs (-1 for zero inputs).
    sign : numpy.ndarray of int
        ``+1`` or ``-1``: ``z_i = sign_i * z_representative(i)`` (0 for zero inputs).
    free : numpy.ndarray of int
        The representatives, increasing.
    kernel : numpy.ndarray
        The kernel of the representatives (``len(free)`` square).
    """

    size: int
    zero: np.ndarray
    representative: np.ndarray
    sign: np.ndarray
    free: np.ndarray
    kernel: np.ndarray
    _factor: np.ndarray | None = field(default=None, repr=False, compare=False)

    def signs(self, bits) -> np.ndarray | None:
        """The sign constraints ``s_k z_free[k] > 0`` that make the network compute ``bits``; None if none can.

        ``bits`` is a 0/1 array of length :attr:`size` (a truth table). A zero input must map
        to 0; tied inputs must agree (``sign = +1``) or differ (``sign = -1``).

        Examples
        --------
        >>> K = np.array([[0.0, 0, 0], [0, 1.0, -1.0], [0, -1.0, 1.0]])
        >>> r = reduce_kernel(K)
        >>> r.signs(np.array([0, 1, 0])).tolist(), r.signs(np.array([0, 1, 1])), r.signs(np.array([1, 1, 0]))
        ([1], None, None)
        """
        bits = np.asarray(bits, dtype=np.int64)
        if np.any(bits[self.zero] != 0):
            return None
        s = np.where(bits == 1, 1, -1)
        live = ~self.zero
        want = s[live] * self.sign[live]               # the sign each input asks of its representative
        rep = self.representative[live]
        if np.any(want != s[rep]):
            return None
        return s[self.free]

    def factor(self, dtype=np.float64) -> np.ndarray:
        """``F`` (``r x size``) with ``F^T F = K`` on every input: ``z = F^T xi``, ``xi`` standard normal in ``r`` dims.

        An eigen factor of the representatives' kernel (eigenvalues below ``size * eps`` times the
        largest dropped: they are rounding, and a component that small moves no sign a float
        can resolve); tied inputs get their representative's column times its sign, exactly, and
        zero inputs a zero column, so ties in the finite network are ties in every sample.

        Examples
        --------
        >>> K = np.array([[2.0, 1.0], [1.0, 2.0]])
        >>> F = reduce_kernel(K).factor()
        >>> bool(np.allclose(F.T @ F, K))
        True
        """
        if self._factor is None:  # one eigendecomposition per reduction (the run's options read its rank too)
            lam, U = np.linalg.eigh(self.kernel)
            keep = lam > max(lam.max(initial=0.0), 0.0) * self.kernel.shape[0] * np.finfo(float).eps
            reduced = (U[:, keep] * np.sqrt(lam[keep])).T       # r x len(free)
            F = np.zeros((reduced.shape[0], self.size))
            column = np.full(self.size, -1)
            column[self.free] = np.arange(len(self.free))
            live = np.flatnonzero(~self.zero)
            F[:, live] = reduced[:, column[self.representative[live]]] * self.sign[live]
            self._factor = F
        return self._factor.astype(dtype)


def reduce_kernel(K) -> Reduction:
    """Find the zero-variance and tied inputs of a kernel and keep one representative per class.

    Examples
    --------
    >>> K = np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, -0.5], [0.5, -0.5, 1.0]])
    >>> r = reduce_kernel(K)
    >>> r.free.tolist(), r.representative.tolist(), r.sign.tolist()
    ([0, 2], [0, 0, 2], [1, -1, 1])
    """
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or not np.all(np.isfinite(K)):
        raise BoolnetError(f"a kernel must be a finite square matrix, got shape {K.shape}", param="kernel")
    d = K.shape[0]
    var = np.diag(K).copy()
    top = var.max(initial=0.0)
    if top <= 0:
        raise BoolnetError("the kernel is 0: every pre-activation is 0 and every network computes the constant 0",
                           param="kernel")
    zero = var <= ZERO_TOLERANCE * top
    sd = np.sqrt(np.where(zero, 1.0, var))
    corr = K / np.outer(sd, sd)
    representative = np.full(d, -1, dtype=np.int64)
    sign = np.zeros(d, dtype=np.int64)
    for i in range(d):
        if zero[i] or representative[i] >= 0:
            continue
        representative[i], sign[i] = i, 1
        tied = np.flatnonzero((~zero) & (representative < 0) & (np.abs(np.abs(corr[i]) - 1.0) <= TIE_TOLERANCE))
        representative[tied] = i
        sign[tied] = np.where(corr[i, tied] > 0, 1, -1)
    free = np.flatnonzero(representative == np.arange(d))
    return Reduction(d, zero, representative, sign, free, K[np.ix_(free, free)].copy())


@dataclass
class LimitNetwork:
    """An infinite-width architecture with its options: the NNGP's kernel and its reduction.

    The counterpart of :class:`boolnet.network.NetworkSpec` for ``arch.is_limit``; it has the
    attributes the sampler's run options read (``arch``, ``activation``, ``encoding``, ``bias``).
    The kernel is computed (and the prior checked) on construction.

    Under the uniform prior with biases the output unit's bias ``b``, one term shared by every
    input, stays uniform on ``[-output_bias, output_bias]``: the output is ``z = b + G`` with ``G``
    Gaussian of covariance ``K - output_bias**2 / 3``, not a Gaussian vector (the hidden layers'
    own uniform biases are inside ``K``, :mod:`boolnet.nngp.kernel`). Then :attr:`output_bias` is
    that half-width and :attr:`reduction` is of ``G``'s kernel; otherwise ``output_bias = 0``, the
    output bias (if any) is Gaussian and inside ``K``, and ``z ~ N(0, K)``.

    Examples
    --------
    >>> from boolnet.priors import Prior
    >>> net = LimitNetwork("2-inf-1", "relu", "pm1", True, Prior())
    >>> net.kernel.shape, net.reduction.free.tolist()
    ((4, 4), [0, 1, 2, 3])
    """

    arch: object
    activation: str
    encoding: str
    bias: bool
    prior: object

    def __post_init__(self):
        from boolnet.network import check_activation, parse_arch
        from boolnet.nngp.kernel import nngp_kernel

        self.arch = parse_arch(self.arch)
        if not self.arch.is_limit:
            raise BoolnetError(f"arch {self.arch} has finite widths; the infinite-width limit is written with inf "
                               "hidden widths (e.g. 7-inf-inf-1)", param="arch")
        check_activation(self.activation)
        self.kernel = nngp_kernel(self.arch, activation=self.activation, prior=self.prior, encoding=self.encoding,
                                  bias=self.bias)
        self.output_bias = 0.0
        gaussian_part = self.kernel
        if self.bias and self.prior.kind == "uniform":
            self.output_bias = self.prior.bias_scale(self.arch.n_layers - 1)
            gaussian_part = self.kernel - self.output_bias**2 / 3
        self.reduction = reduce_kernel(gaussian_part)

    def require_gaussian(self, what: str) -> None:
        """Raise a BoolnetError if the output is not a Gaussian vector (uniform prior with biases), naming ``what``."""
        if self.output_bias > 0:
            raise BoolnetError(f"{what} of the infinite-width limit {self.arch} needs a Gaussian output: under the "
                               "uniform prior with biases the output bias stays uniform (z = b + G), so a function's "
                               "probability is not one orthant probability; sample it with sample_table, or use "
                               "the gaussian prior or no biases", param="prior")
