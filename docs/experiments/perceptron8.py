"""Every threshold function of 8 inputs on the cube, exactly: an experiment beyond boolnet's 7-input limit.

boolnet's commands stop at 7 inputs (the sampler's and the tables' limit). The B_(n+1) orbit search of
``boolnet.exact.selfdual`` itself has no reason to stop there, so this script lifts its limit for n = 8 (and only
here): the perceptron with -1/+1 inputs, weights and bias uniform on [-1, 1] (the cube [-1, 1]^9). It finds the
B_9 orbits (told apart by their sorted |Chow parameters|), then the exact volume of each orbit's chamber
(Normaliz, in two processes), and checks the result against the published counts: OEIS A001532 (175,428
NP-classes of self-dual threshold functions of 9 variables: the orbits) and A000609(8) = 17,561,539,552,946
(threshold functions of 8 variables: the orbit sizes' sum); the exact probabilities must sum to 1.

    python docs/experiments/perceptron8.py [--work /work/n8] [--summarize-only]

Writes ``orbits.pkl`` and ``volumes.pkl`` in the work folder (the volumes are saved every 5,000 orbits; the
search is redone on a rerun) and docs/data/perceptron8_summary.csv.
"""

from __future__ import annotations

import argparse
import pickle
import time
from fractions import Fraction
from multiprocessing import Pool
from pathlib import Path

import boolnet.exact.selfdual as selfdual
from boolnet.exact.volumes import uniform_probability
from boolnet.priors import Prior

CUBE = Prior("uniform", fan_in_scaling=False)
OEIS_A001532_9 = 175_428
OEIS_A000609_8 = 17_561_539_552_946
SUMMARY = Path(__file__).resolve().parents[1] / "data" / "perceptron8_summary.csv"


def volume(orbit):
    return orbit.representative.function, uniform_probability(orbit.representative, CUBE)[1], orbit.size


def compute(work: Path) -> None:
    # The search's limit is the package's (7 inputs); n = 8 is this experiment's own decision.
    selfdual.MAX_SELF_DUAL_N = 8
    selfdual.KNOWN_ORBIT_COUNTS[8] = OEIS_A001532_9
    started = time.time()
    orbits = selfdual.self_dual_orbits(8, progress=True)
    search = time.time() - started
    with open(work / "orbits.pkl", "wb") as fh:
        pickle.dump([(o.representative.function, o.chow, o.representative.facets) for o in orbits], fh)
    results, started = [], time.time()
    with Pool(2) as pool:
        for k, (function, p, size) in enumerate(pool.imap(volume, orbits, chunksize=64)):
            results.append((function, str(p), size))
            if k % 5000 == 0:
                with open(work / "volumes.pkl", "wb") as fh:
                    pickle.dump(results, fh)
    with open(work / "volumes.pkl", "wb") as fh:
        pickle.dump(results, fh)
    with open(work / "seconds.pkl", "wb") as fh:
        pickle.dump({"search_seconds": search, "volume_seconds": time.time() - started}, fh)


def summarize(work: Path) -> dict:
    with open(work / "orbits.pkl", "rb") as fh:
        orbits = pickle.load(fh)
    with open(work / "volumes.pkl", "rb") as fh:
        volumes = pickle.load(fh)
    assert len(volumes) == len(orbits), "the volumes are not finished: rerun without --summarize-only"
    probabilities = [Fraction(p) for _, p, _ in volumes]
    sizes = [size for _, _, size in volumes]
    total = sum(p * s for p, s in zip(probabilities, sizes))
    top, bottom = max(probabilities), min(probabilities)
    facets = {f: k for f, _, k in orbits}
    out = {
        "orbits": len(orbits),
        "orbits_oeis_a001532": OEIS_A001532_9,
        "functions": sum(sizes),
        "functions_oeis_a000609": OEIS_A000609_8,
        "probability_sum_exact": str(total),
        "distinct_probabilities": len(set(probabilities)),
        "p_max_exact": str(top),
        "p_max_functions": sum(s for p, s in zip(probabilities, sizes) if p == top),
        "p_min_exact": str(bottom),
        "p_min_functions": sum(s for p, s in zip(probabilities, sizes) if p == bottom),
        "p_min_facets": sorted({facets[f] for (f, _, _), p in zip(volumes, probabilities) if p == bottom}),
        "p_ratio_max_min": float(top / bottom),
        "facets_max": max(facets.values()),
    }
    seconds = work / "seconds.pkl"
    if seconds.exists():
        with open(seconds, "rb") as fh:
            out.update({k: round(v, 1) for k, v in pickle.load(fh).items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/work/n8", help="folder for the run's pickles")
    parser.add_argument("--summarize-only", action="store_true", help="only summarise a finished run")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not args.summarize_only:
        compute(work)
    summary = summarize(work)
    SUMMARY.write_text("name,value\n" + "".join(f"{k},\"{v}\"\n" for k, v in summary.items()))
    for k, v in summary.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
