"""Fast Monte Carlo sampling and exhaustive grid enumeration of network functions.

``sample_table`` draws random networks (perceptrons or MLPs) from a
:class:`~boolnet.priors.Prior` and counts the truth tables they compute;
``enumerate_table`` counts them exactly over every parameter vector of a finite
grid. Both return one volume table in the schema of :mod:`boolnet.table.schema`
(``function, probability, probability_low, probability_high, count``, metadata in
``df.attrs["boolnet"]``), ready for :func:`boolnet.io.write_table`;
``write_sampled`` writes the sampled table to a file or dataset without holding it
whole. ``merge_tables`` and ``write_merged`` add runs of different seeds;
``truth_tables`` evaluates given parameters with the sampler's kernels.

The network vocabulary (``parse_arch``, ``Architecture``, activations, parameter
layout) lives in :mod:`boolnet.network` and is re-exported here. Names are imported
on first use, so ``from boolnet.sampling import parse_arch`` does not load numba.
"""

from __future__ import annotations

from boolnet._lazy import lazy_exports

_EXPORTS = {
    "sample_table": "boolnet.sampling.sampler",
    "enumerate_table": "boolnet.sampling.grid",
    "parse_grid": "boolnet.sampling.grid",
    "parse_arch": "boolnet.network",
    "Architecture": "boolnet.network",
    "MAX_INPUTS": "boolnet.network",
    "truth_tables": "boolnet.sampling.evaluate",
    "write_sampled": "boolnet.sampling.sampler",
    "merge_tables": "boolnet.sampling.merge",
    "write_merged": "boolnet.sampling.merge",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
