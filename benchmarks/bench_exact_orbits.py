"""Where an exact perceptron run spends its time, per symmetry orbit, at n = 5, 6, 7 (-1/+1 inputs).

For each n the run is split into its parts: the orbit search (the facets of each representative's
region, by Normaliz, and the canonical form of each neighbour), then the volume of each orbit on the cube
(Normaliz, exact rationals) and under the isotropic gaussian (Normaliz's triangulation into simplicial
cones, then one orthant probability per cone). The baseline in the same run is the engine without the
bias symmetry (orbits of B_n and output negation, each new orbit's lexicographically smallest member found by
a search of the group), which is what ``boolnet exact`` did before and still does for other priors; it stops at
n = 6. The gaussian at n = 7 is timed on a sample of
orbits and extrapolated (its full run is hours: docs/exact.md).

    python benchmarks/bench_exact_orbits.py [--n 5 6 7] [--gaussian-sample 40]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from boolnet.exact import threshold_orbits
from boolnet.exact._normaliz import Cone
from boolnet.exact.regions import region
from boolnet.exact.selfdual import self_dual_orbits
from boolnet.exact.volumes import gaussian_probabilities, uniform_probability
from boolnet.priors import Prior

CUBE = Prior("uniform", fan_in_scaling=False)
ISOTROPIC = Prior("gaussian", fan_in_scaling=False)


def timed_search(search, n: int) -> tuple[list, float, float]:
    """(orbits, total seconds, seconds inside Normaliz's facet computations) of one orbit search."""
    import boolnet.exact.enumeration as enumeration
    import boolnet.exact.selfdual as selfdual

    facet_seconds = 0.0

    def timed_region(*args, **kwargs):
        nonlocal facet_seconds
        t = time.perf_counter()
        try:
            return region(*args, **kwargs)
        finally:
            facet_seconds += time.perf_counter() - t

    saved = enumeration.region, selfdual.region
    enumeration.region = selfdual.region = timed_region
    try:
        t = time.perf_counter()
        orbits = search(n)
        return orbits, time.perf_counter() - t, facet_seconds
    finally:
        enumeration.region, selfdual.region = saved


def cube_seconds(orbits) -> float:
    t = time.perf_counter()
    for o in orbits:
        uniform_probability(o.representative, CUBE)
    return time.perf_counter() - t


def gaussian_parts(orbits) -> tuple[float, int, float]:
    """(triangulation seconds, simplicial cones, orthant seconds) for these orbits."""
    t = time.perf_counter()
    cones = 0
    for o in orbits:
        cones += len(Cone(inequalities=[list(r) for r in o.representative.facet_normals]).Triangulation()[0])
    triangulation = time.perf_counter() - t
    t = time.perf_counter()
    gaussian_probabilities([o.representative for o in orbits], ISOTROPIC)
    return triangulation, cones, time.perf_counter() - t - triangulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5, 6, 7])
    parser.add_argument("--gaussian-sample", type=int, default=40, help="orbits timed for the gaussian at n = 7")
    args = parser.parse_args()
    print(f"{'n':>2} {'group':<6} {'orbits':>6} {'search s':>8} {'facets s':>8} {'ms/orbit':>8} {'cube s':>7} "
          f"{'cones':>6} {'triang s':>8} {'orthant s':>9} {'gauss s':>8}")
    for n in args.n:
        searches = [("B_n+1", lambda n: self_dual_orbits(n))]
        if n <= 6:
            searches.append(("B_n", lambda n: threshold_orbits(n, "pm1", True)))
        totals = {}
        for name, search in searches:
            orbits, search_s, facet_s = timed_search(search, n)
            cube_s = cube_seconds(orbits)
            sample = orbits
            if n == 7:
                rng = np.random.default_rng(0)
                sample = [orbits[k] for k in rng.choice(len(orbits), size=args.gaussian_sample, replace=False)]
            tri_s, cones, orth_s = gaussian_parts(sample)
            scale = len(orbits) / len(sample)
            gauss_s = (tri_s + orth_s) * scale
            totals[name] = search_s + cube_s
            per_orbit = 1000 * (search_s + cube_s) / len(orbits)
            mark = " (from a sample)" if scale > 1 else ""
            print(f"{n:>2} {name:<6} {len(orbits):>6} {search_s:>8.2f} {facet_s:>8.2f} {per_orbit:>8.2f} "
                  f"{cube_s:>7.2f} {cones * scale:>6.0f} {tri_s * scale:>8.2f} {orth_s * scale:>9.1f} "
                  f"{gauss_s:>8.1f}{mark}")
        if len(totals) == 2:
            print(f"   cube table (search + volumes): B_n {totals['B_n']:.2f} s, B_n+1 {totals['B_n+1']:.2f} s, "
                  f"ratio {totals['B_n'] / totals['B_n+1']:.1f}")


if __name__ == "__main__":
    main()
