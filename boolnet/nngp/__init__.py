"""The infinite-width limit: networks whose hidden widths are all ``inf`` (``7-inf-inf-1``).

As every hidden width grows (with fan-in scaling), the output pre-activations of a fully
connected network on the ``2**n`` inputs become a centred Gaussian vector whose covariance
is the neural-network Gaussian-process (NNGP) kernel ``K``, computed layer by layer
(:func:`nngp_kernel`). A function's probability is then the Gaussian measure of one
sign pattern of that vector: an orthant probability in ``2**n`` dimensions.

- :mod:`boolnet.nngp.kernel`: the kernel for every activation, prior and encoding;
- :mod:`boolnet.nngp.orthant`: orthant probabilities with intervals (minimax-tilting
  importance sampling, Botev 2017) and expectation propagation (the papers' approximation);
- :mod:`boolnet.nngp.sampler`: the Gaussian-process sampler (a counted table in the one
  schema) and the exact limit for ``2**n <= 8`` through the exact orthant engine.

Names are imported on first use.
"""

from __future__ import annotations

from boolnet._lazy import lazy_exports

_EXPORTS = {
    "nngp_kernel": "boolnet.nngp.kernel",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
