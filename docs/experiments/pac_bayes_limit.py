"""The PAC-Bayes experiment's evidences against the infinite-width limit (docs/sgd_bayes.md).

    python docs/experiments/pac_bayes_limit.py [--seed 1]

For every cell of docs/data/pac_bayes_7-40-40-1.csv (7-40-40-1 relu, P(S) by splitting), P(S) of the same
target and training set in the NNGP limit 7-inf-inf-1 (same prior), by minimax tilting
(``bn.evidence("7-inf-inf-1", ...)``), and the PAC-Bayes bound (delta = 0.05) that evidence gives. Prints a
Markdown table; about a minute on one core.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

import boolnet as bn
from boolnet.functions import training_set

TABLE = Path(__file__).resolve().parents[1] / "data" / "pac_bayes_7-40-40-1.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cells = pd.read_csv(TABLE, dtype={"function": str})
    print("| target | m | P(S), 7-40-40-1 (splitting) | P(S), 7-inf-inf-1 (tilting) | log10 ratio | bound (limit) |")
    print("|---|---:|---|---|---:|---:|")
    for _, row in cells.iterrows():
        train = training_set(7, int(row.m), seed=int(row.train_seed))
        e = bn.evidence("7-inf-inf-1", row.function, train, seed=args.seed, threads=1, progress=False)
        ratio = math.log10(row.evidence / e["evidence"]) if row.evidence > 0 else float("-inf")
        print(f"| {row.target} | {row.m} | {row.evidence:.3g} [{row.evidence_low:.2g}, {row.evidence_high:.2g}] | "
              f"{e['evidence']:.3g} [{e['evidence_low']:.3g}, {e['evidence_high']:.3g}] | {ratio:+.2f} | "
              f"{bn.pac_bayes_bound(e['evidence'], int(row.m)):.3f} |")


if __name__ == "__main__":
    main()
