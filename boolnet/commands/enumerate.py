"""``boolnet enumerate``: exact counts of functions over every parameter vector of a grid."""

from __future__ import annotations

import re
import sys

from boolnet.commands.common import add_encoding_arguments, add_output_argument, output_path
from boolnet.sampling import enumerate_table
from boolnet.sampling._kernels import ACTIVATIONS
from boolnet.sampling.grid import MAX_GRID_POINTS
from boolnet.sampling.network import MAX_INPUTS
from boolnet.tables import write_table

HELP = "exact function counts over every parameter vector of a finite grid (quantised weights)"


def add_arguments(parser):
    # Let "--grid -1:1" through: argparse would take "-1:1" for an option (it only
    # knows plain negative numbers). "--grid=-1:1" works with any argparse.
    matcher = getattr(parser, "_negative_number_matcher", None)
    if matcher is not None:
        parser._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-[\d./]+:[-\d./:]*$")
    parser.add_argument("--arch", required=True,
                        help=f"layer widths N-H1-...-1, e.g. 3-1 or 2-2-1; 1 <= N <= {MAX_INPUTS}")
    parser.add_argument("--grid", required=True, metavar="LO:HI[:STEP]",
                        help="values every weight and bias takes, e.g. -1:1 (3 values: -1, 0, 1) or -1:1:0.5; "
                             f"at most {MAX_GRID_POINTS:.0e} grid points (values ** parameters)")
    parser.add_argument("--activation", default="relu",
                        help=f"hidden-layer activation: {' | '.join(ACTIVATIONS)} (default relu)")
    add_encoding_arguments(parser)
    parser.add_argument("--threads", default=None, help="worker threads (default: all cores)")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary on stderr")


def run(args) -> int:
    path = output_path(args)
    df, meta = enumerate_table(args.arch, grid=args.grid, activation=args.activation, encoding=args.encoding,
                               bias=not args.no_bias, threads=args.threads, progress=not args.quiet)
    write_table(df, path, meta)
    if not args.quiet:
        print(f"boolnet enumerate: {meta['grid_size']} grid points ({len(meta['grid_values'])} values ^ "
              f"{meta['parameters']} parameters), {meta['distinct']} distinct functions, "
              f"arithmetic {meta['arithmetic']}", file=sys.stderr)
    return 0
