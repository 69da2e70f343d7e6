"""The infinite-width limit: networks whose hidden widths are all ``inf`` (``7-inf-inf-1``).

As every hidden width grows (with fan-in scaling), the output pre-activations of a fully
connected network on the ``2**n`` inputs become a centred Gaussian vector whose covariance
is the neural-network Gaussian-process (NNGP) kernel ``K``, computed layer by layer
(:func:`nngp_kernel`). A function's probability is then the Gaussian measure of one
sign pattern of that vector: an orthant probability in ``2**n`` dimensions.

- :mod:`boolnet.nngp.kernel`: the kernel for every activation, prior and encoding;
- :mod:`boolnet.nngp.orthant`: orthant probabilities with intervals (minimax-tilting
  importance sampling, Botev 2017) and expectation propagation (the papers' approximation);
- :mod:`boolnet.nngp.process`: the kernel reduced to its free inputs (zero-variance and tied
  inputs are exact in every network) and its factor;
- users of the limit elsewhere: the Gaussian-process sampler (:mod:`boolnet.sampling.gp`), the
  exact limit for ``2**n <= 8`` (:mod:`boolnet.exact.limit`) and the estimates of
  :func:`boolnet.estimate.estimate_table` (``method="tilting"`` or ``"ep"``).

Names are imported on first use.
"""

from __future__ import annotations

from boolnet._lazy import lazy_exports

_EXPORTS = {
    "nngp_kernel": "boolnet.nngp.kernel",
    "orthant_tilting": "boolnet.nngp.orthant",
    "orthant_ep": "boolnet.nngp.orthant",
    "reduce_kernel": "boolnet.nngp.process",
    "LimitNetwork": "boolnet.nngp.process",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
