"""``boolnet complexity``: complexity measures for every function of n inputs, or added to a table.

Light at import (``boolnet --help`` stays fast): the measures are imported in :func:`run`.
"""

from __future__ import annotations

import argparse

from boolnet.complexity.names import BUILTIN_NAMES

HELP = "complexity measures of Boolean functions: all functions of n <= 4 inputs, or added to a table"

#: Largest n for --n: every one of the 2**(2**n) functions is tabulated.
MAX_N_ALL = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", nargs="?", default=None, metavar="TABLE",
                        help="a .csv or .parquet table with a 'function' column; measure columns are added")
    parser.add_argument("--n", type=int, default=None,
                        help=f"instead of a table: tabulate all 2**(2**n) functions of n <= {MAX_N_ALL} inputs")
    parser.add_argument("--measures", default=None, metavar="A,B",
                        help="comma-separated measures (default: all valid for n, except bool_complexity, "
                             f"dnf_terms and dnf_literals above n = 5, which are slow): {', '.join(BUILTIN_NAMES)}")
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="write the table to FILE (.csv or .parquet); default: print it")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    parser.epilog = "Definitions, limits on n and references: docs/complexity.md"


def run(args) -> int:
    import sys

    import numpy as np
    import pandas as pd

    from boolnet.complexity import add_measures, check_measure_names, default_measure_names
    from boolnet.errors import BoolnetError
    from boolnet.functions import check_n, strings_from_packed
    from boolnet.io import check_output_path, read_table, write_table
    from boolnet.table.schema import attach, metadata_of, table_n

    if (args.table is None) == (args.n is None):
        raise BoolnetError("give either a TABLE to add measures to or --n N to tabulate all functions, not both",
                           param="n")
    path = check_output_path(args.output)
    progress = not args.quiet
    if args.n is not None:
        n = check_n(args.n, low=0, high=MAX_N_ALL, what="boolnet complexity --n (all 2**(2**n) functions)")
        names = check_measure_names(args.measures if args.measures is not None else default_measure_names(n), n)
        words = np.arange(1 << (1 << n), dtype=np.uint64)[:, None]
        df = attach(pd.DataFrame({"function": strings_from_packed(words, n)}), {"command": "complexity", "n": n})
        write_table(add_measures(df, names, n=n, progress=progress), path)
        if path is not None and progress:
            print(f"boolnet complexity: {len(names)} measure{'s' * (len(names) != 1)} of all {len(df):,} functions of n = {n} -> {path}",
                  file=sys.stderr)
        return 0
    df = read_table(args.table)
    n = table_n(df)
    if n is None:
        raise BoolnetError(f"table {args.table} is empty and its metadata has no n", param="table")
    names = check_measure_names(args.measures if args.measures is not None else default_measure_names(n), n)
    skipped = [name for name in check_measure_names(None, n) if name not in names]
    if args.measures is None and skipped and progress:
        print(f"boolnet complexity: skipping {', '.join(skipped)} (slow at n = {n}); "
              f"name them with --measures to compute them", file=sys.stderr)
    out = add_measures(df, names, n=n, progress=progress)
    meta = metadata_of(out)
    write_table(out, path, meta)
    if path is not None and progress:
        print(f"boolnet complexity: {len(names)} measure{'s' * (len(names) != 1)} ({', '.join(names[:6])}{', ...' if len(names) > 6 else ''})"
              f" of {len(out):,} functions -> {path}", file=sys.stderr)
    return 0
