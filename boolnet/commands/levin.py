"""``boolnet levin``: fit the simplicity-bias bound log2 P <= -a K - b to a volume table.

Light at import (``boolnet --help`` stays fast): numpy, pandas, scipy and the library are
imported in :func:`run`.
"""

from __future__ import annotations

HELP = "fit the Levin bound log2 P <= -a K - b (tightest and robust lines, Spearman rho, class balance, P(K), plots)"

#: Defaults, repeated here so that building the parser imports nothing heavy (tested equal to the library's).
DEFAULT_TAU = 0.99
DEFAULT_MIN_COUNT = 10


def add_arguments(parser):
    parser.add_argument("table", metavar="TABLE", help="a volume table (.csv or .parquet) with a 'probability' column")
    parser.add_argument("--measure", default="lz",
                        help="complexity column K (computed with boolnet.complexity if absent); default lz")
    parser.add_argument("--all-measures", action="store_true",
                        help="rank every complexity measure (present, or computable for this n) by tightness")
    parser.add_argument("--within", default=None, metavar="ones",
                        help="class balance: Spearman rho within each stratum of the number of ones, pooled with "
                             "strata as blocks, and the bounds per stratum (with --all-measures: rank measures by "
                             "what they explain beyond the number of ones)")
    parser.add_argument("--pk", action="store_true",
                        help="also report P(K): the probability mass at each complexity value and its mean "
                             "(a third panel with --plot)")
    parser.add_argument("--plot", metavar="FILE.png", default=None,
                        help="write log2 P against K with the bounds, and the Zipf plot, to a PNG")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--tau", type=float, default=DEFAULT_TAU,
                        help=f"quantile level of the robust bound (default {DEFAULT_TAU})")
    parser.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT,
                        help=f"sampled tables: use functions seen at least this often (default {DEFAULT_MIN_COUNT})")
    parser.add_argument("--quiet", action="store_true", help="no progress bars on stderr")
    parser.epilog = "Fit, trust and ranking rules: docs/levin.md"


def run(args) -> int:
    import json
    import math
    import sys

    from boolnet.errors import BoolnetError
    from boolnet.io import check_output_path, read_table
    from boolnet.levin import (
        NON_MEASURES,
        TABLE_COLUMNS,
        candidate_measures,
        ensure_measures,
        format_pk,
        format_ranking,
        format_report,
        levin_fit,
        probability_by_complexity,
        rank_measures,
        trusted_rows,
        used_rows,
    )
    from boolnet.levin.fit import json_clean, trusted_enough
    from boolnet.table.schema import metadata_of, table_n

    plot_path = check_output_path(args.plot, suffixes=(".png",), param="plot") if args.plot is not None else None
    if not (0.0 < args.tau < 1.0) or not math.isfinite(args.tau):
        raise BoolnetError(f"tau must lie strictly between 0 and 1, got {args.tau}", param="tau")
    if args.min_count < 1:
        raise BoolnetError(f"min_count must be at least 1, got {args.min_count}", param="min_count")
    if args.within is not None and args.within != "ones":
        raise BoolnetError(f"within {args.within!r} is not supported: use 'ones'", param="within")
    df = read_table(args.table)
    metadata = metadata_of(df)
    if "probability" not in df.columns:
        raise BoolnetError(f"table {args.table} has no 'probability' column; make one with `boolnet table`",
                           param="table")
    progress = not args.quiet
    if args.measure not in df.columns and args.measure not in NON_MEASURES and args.measure not in TABLE_COLUMNS:
        df = ensure_measures(df, [args.measure], rows=trusted_enough(df, args.min_count), progress=progress)
    report = levin_fit(df, args.measure, tau=args.tau, min_count=args.min_count, within=args.within)

    ranking = None
    if args.all_measures:
        names = list(candidate_measures(df))
        n = table_n(df)
        if n is not None and "function" in df.columns:
            from boolnet.complexity import measure_names

            names += [m for m in measure_names(n) if m not in names and m not in NON_MEASURES]
            df = ensure_measures(df, names, rows=trusted_rows(df, args.min_count)[0], progress=progress)
        ranking = rank_measures(df, names, tau=args.tau, min_count=args.min_count, within=args.within)

    pk = probability_by_complexity(df, args.measure) if args.pk else None

    if plot_path is not None:
        from boolnet.plots import levin_figure

        used, _ = used_rows(df, args.measure, args.min_count)
        levin_figure(df, report, plot_path, used=used, pk=pk)

    if args.json:
        out = {"table": str(args.table), "metadata": metadata, **report.to_dict()}
        if ranking is not None:
            out["ranking"] = json.loads(ranking.to_json(orient="records"))
        if pk is not None:
            out["pk"] = {**json_clean(metadata_of(pk)["pk"]), "table": json.loads(pk.to_json(orient="records"))}
        if plot_path is not None:
            out["plot"] = str(plot_path)
        sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(format_report(report, metadata))
        if ranking is not None:
            sys.stdout.write("\n" + format_ranking(ranking, metadata))
        if pk is not None:
            sys.stdout.write("\n" + format_pk(pk))
        if plot_path is not None:
            sys.stdout.write(f"\nplot written to {plot_path}\n")
    return 0
