"""``boolnet merge``: add the counts of sampled runs made with the same options and different seeds.

A thin wrapper over :func:`boolnet.sampling.merge.merge_tables` (and :func:`~boolnet.sampling.merge.write_merged`); the library is imported
only in :func:`run`, so ``boolnet merge --help`` is instant.
"""

from __future__ import annotations

import sys

HELP = "merge sampled runs (tables or datasets) of the same options and different seeds: counts add"


def add_arguments(parser):
    parser.add_argument("tables", nargs="+", metavar="TABLE",
                        help="sampled (or merged) tables: .csv, .parquet, or dataset directories")
    parser.add_argument("-o", "--output", default=None, metavar="OUT",
                        help="write the merged table to OUT: .csv, .parquet, or DIR/ for a partitioned dataset "
                             "(datasets with equal partitions are merged part by part); default: print it")
    parser.add_argument("--partitions", default=None, help="parts of an output dataset (default: those of the "
                                                           "input datasets, or about 2 million rows per part)")
    parser.add_argument("--quiet", action="store_true", help="no summary on stderr")


def run(args) -> int:
    from boolnet.errors import BoolnetError
    from boolnet.io import write_table
    from boolnet.sampling.merge import merge_tables, write_merged

    output = args.output
    if output is None:
        if args.partitions is not None:
            raise BoolnetError("partitions apply to an output dataset: give one with -o DIR/", param="partitions")
        result = merge_tables(args.tables)
        write_table(result)
        meta = result.attrs["boolnet"]
    else:
        meta = write_merged(args.tables, output, partitions=args.partitions)
    if not args.quiet:
        mass = meta.get("good_turing_unseen_mass")
        where = f" -> {output}" if output is not None else ""
        print(f"boolnet merge: {len(meta['seeds'])} runs (seeds {', '.join(map(str, meta['seeds']))}), "
              f"{meta['samples']} samples, {meta['distinct']} distinct functions, Good-Turing unseen mass "
              f"{mass:.3g}{where}", file=sys.stderr)
    return 0
