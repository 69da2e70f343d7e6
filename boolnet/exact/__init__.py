"""The exact perceptron engine.

A perceptron's parameters computing a function f form a polyhedral cone cut out by
2**n half-spaces. This package derives those regions exactly (:mod:`.regions`),
enumerates every function of positive volume by symmetry orbits
(:mod:`.enumeration`; :mod:`.selfdual` where the bias is one more weight, to n = 7),
and computes exact volumes (:mod:`.volumes`): exact rationals under a rational uniform
box, Gaussian solid angles to 1e-10 (:mod:`.gaussian`). :mod:`.engine` builds the tables.
"""

from boolnet.exact.engine import exact_table, expand_orbit, regions_table
from boolnet.exact.enumeration import count_threshold_functions, threshold_orbits
from boolnet.exact.regions import Region, region

__all__ = ["exact_table", "expand_orbit", "regions_table", "threshold_orbits", "count_threshold_functions", "region",
           "Region"]
