"""Fast Monte Carlo sampling and exhaustive grid enumeration of network functions.

``sample_table`` draws random networks (perceptrons or MLPs) from a
:class:`~boolnet.priors.Prior` and counts the truth tables they compute;
``enumerate_table`` counts them exactly over every parameter vector of a finite
grid. Both return a DataFrame (``function, count, probability, ci_low,
ci_high``) and a metadata dict, ready for :func:`boolnet.tables.write_table`.
"""

from boolnet.sampling.grid import enumerate_table, parse_grid
from boolnet.sampling.network import MAX_INPUTS, Architecture, parse_arch
from boolnet.sampling.sampler import sample_table

__all__ = ["sample_table", "enumerate_table", "parse_arch", "parse_grid", "Architecture", "MAX_INPUTS"]
