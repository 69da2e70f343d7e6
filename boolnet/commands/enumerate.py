"""``boolnet enumerate``: exact counts of functions over every parameter vector of a grid.

A thin wrapper over :func:`boolnet.sampling.enumerate_table`; numba, pandas and the
enumerator are imported only in :func:`run`, so ``boolnet enumerate --help`` is instant.
"""

from __future__ import annotations

import re
import sys

from boolnet.commands.common import add_encoding_arguments, add_output_argument
from boolnet.network import ACTIVATIONS, MAX_GRID_POINTS, MAX_INPUTS

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
    from boolnet.commands.common import output_path
    from boolnet.errors import Interrupted

    path = output_path(args)  # checked before the work

    from boolnet.io import write_table
    from boolnet.sampling.grid import enumerate_table

    try:
        df = enumerate_table(args.arch, grid=args.grid, activation=args.activation, encoding=args.encoding,
                             bias=not args.no_bias, threads=args.threads, progress=not args.quiet)
    except Interrupted as exc:
        message = str(exc).replace("the counts so far are in the exception's partial table", "nothing saved")
        raise Interrupted(message, partial=exc.partial, done=exc.done, total=exc.total,
                          signal_name=exc.signal_name) from None
    write_table(df, path)
    if not args.quiet:
        meta = df.attrs["boolnet"]
        where = f" -> {path}" if path is not None else ""
        print(f"boolnet enumerate: {meta['grid_size']} grid points ({len(meta['grid_values'])} values ^ "
              f"{meta['parameters']} parameters), {meta['distinct']} distinct functions, "
              f"arithmetic {meta['arithmetic']}{where}", file=sys.stderr)
    return 0
