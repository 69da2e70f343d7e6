"""``boolnet complexity``: complexity measures for every function of n inputs, or added to a table."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from boolnet.commands.common import add_output_argument, output_path
from boolnet.errors import UsageError

HELP = "complexity measures of Boolean functions: all functions of n <= 4 inputs, or added to a table"

#: Largest n for --n: every one of the 2**(2**n) functions is tabulated.
MAX_N_ALL = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from boolnet.complexity import MEASURES

    parser.add_argument("table", nargs="?", default=None, metavar="TABLE",
                        help="a .csv or .parquet table with a 'function' column; measure columns are added")
    parser.add_argument("--n", type=int, default=None,
                        help=f"instead of a table: tabulate all 2**(2**n) functions of n <= {MAX_N_ALL} inputs")
    parser.add_argument("--measures", default=None, metavar="A,B",
                        help="comma-separated measures (default: all valid for n, except bool_complexity, "
                             f"dnf_terms and dnf_literals above n = 5, which are slow): {', '.join(MEASURES)}")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    parser.epilog = "Definitions, limits on n and references: docs/complexity.md"


def run(args) -> int:
    from boolnet.complexity import add_measures, check_measure_names, compute_measures, default_measure_names
    from boolnet.functions import check_n, strings_from_packed
    from boolnet.tables import read_table, write_table

    if (args.table is None) == (args.n is None):
        raise UsageError("give either a TABLE to add measures to or --n N to tabulate all functions, not both")
    path = output_path(args)
    progress = not args.quiet
    if args.n is not None:
        n = check_n(args.n, low=0, high=MAX_N_ALL, what="boolnet complexity --n (all 2**(2**n) functions)")
        names = check_measure_names(args.measures if args.measures is not None else default_measure_names(n), n)
        words = np.arange(1 << (1 << n), dtype=np.uint64)[:, None]
        values = compute_measures(words, n, names, progress=progress)
        values.insert(0, "function", strings_from_packed(words, n))
        metadata = {"command": "complexity", "n": n, "measures": names}
        write_table(values, path, metadata)
        return 0
    df, metadata = read_table(args.table)
    if len(df):
        from boolnet.functions import n_from_length

        n = n_from_length(len(df["function"].iloc[0]))
    else:
        n = metadata.get("n")
        if n is None:
            raise UsageError(f"table {args.table} is empty and its metadata has no n")
    names = check_measure_names(args.measures if args.measures is not None else default_measure_names(n), n)
    skipped = [name for name in check_measure_names(None, n) if name not in names]
    if args.measures is None and skipped and progress:
        print(f"boolnet complexity: skipping {', '.join(skipped)} (slow at n = {n}); "
              f"name them with --measures to compute them", file=sys.stderr)
    out = add_measures(df, names, n=n, progress=progress)
    metadata = dict(metadata)
    earlier = [m for m in metadata.get("measures", []) if m not in names]
    metadata["measures"] = earlier + names
    write_table(out, path, metadata)
    return 0
