"""``boolnet exact``: exact probability of every function a perceptron computes."""

from __future__ import annotations

import sys
import time

from boolnet.commands.common import (
    add_encoding_arguments,
    add_output_argument,
    add_prior_arguments,
    output_path,
    prior_from_args,
)
from boolnet.exact.engine import exact_table
from boolnet.exact.enumeration import MAX_EXACT_N
from boolnet.functions import check_encoding, check_n
from boolnet.tables import write_table

HELP = "exact probability (volume) of each function under the prior: exact rationals (uniform) or 1e-10 solid angles"


def add_arguments(parser):
    parser.add_argument("--n", type=int, required=True, help=f"number of inputs, 1..{MAX_EXACT_N} (n = 6: 15,028,134 functions; "
                        "about 10 minutes for the cube prior, use --orbits and Parquet)")
    add_prior_arguments(parser)
    add_encoding_arguments(parser)
    add_output_argument(parser)
    parser.add_argument("--orbits", action="store_true",
                        help="one row per symmetry orbit (with orbit_size) instead of one per function")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or summary on stderr")


def run(args) -> int:
    n = check_n(args.n, high=MAX_EXACT_N, what="boolnet exact")
    encoding = check_encoding(args.encoding)
    prior = prior_from_args(args)
    path = output_path(args)
    start = time.perf_counter()
    table, meta = exact_table(n, prior, encoding, not args.no_bias, progress=not args.quiet,
                              orbits_only=args.orbits)
    meta["seconds"] = round(time.perf_counter() - start, 3)
    write_table(table, path, meta)
    if not args.quiet:
        total = meta.get("probability_sum_exact", f"{meta['probability_sum']:.15g} +- {meta['error_bound_sum']:.2g}")
        print(f"boolnet exact: {meta['functions']} functions in {meta['orbits']} symmetry orbits, "
              f"probabilities sum to {total}, {meta['seconds']} s", file=sys.stderr)
    return 0
