"""``boolnet levin``: fit the simplicity-bias bound log2 P <= -a K - b to a volume table."""

from __future__ import annotations

import json
import sys

import numpy as np

from boolnet.errors import UsageError
from boolnet.levin import (
    DEFAULT_MIN_COUNT,
    DEFAULT_TAU,
    NON_MEASURES,
    TABLE_COLUMNS,
    candidate_measures,
    format_ranking,
    format_report,
    levin_fit,
    rank_measures,
    table_n,
    trusted_rows,
    used_rows,
)
from boolnet.tables import read_table

HELP = "fit the Levin bound log2 P <= -a K - b (tightest and robust lines, Spearman rho, plots)"


def add_arguments(parser):
    parser.add_argument("table", metavar="TABLE", help="a volume table (.csv or .parquet) with a 'probability' column")
    parser.add_argument("--measure", default="lz",
                        help="complexity column K (computed with boolnet.complexity if absent); default lz")
    parser.add_argument("--all-measures", action="store_true",
                        help="rank every complexity measure (present, or computable for this n) by tightness")
    parser.add_argument("--plot", metavar="FILE.png", default=None,
                        help="write log2 P against K with the bounds, and the Zipf plot, to a PNG")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--tau", type=float, default=DEFAULT_TAU,
                        help=f"quantile level of the robust bound (default {DEFAULT_TAU})")
    parser.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT,
                        help=f"sampled tables: use functions seen at least this often (default {DEFAULT_MIN_COUNT})")
    parser.add_argument("--quiet", action="store_true", help="no progress bars on stderr")


def _complexity():
    """The complexity registry, or None when boolnet.complexity is not installed."""
    try:
        from boolnet.complexity import add_measures, measure_names
    except ImportError:
        return None
    return add_measures, measure_names


def _ensure_measures(df, names, n, progress, rows=None):
    """``df`` with every measure in ``names`` present, computing missing ones.

    With a boolean mask ``rows``, missing measures are computed for those rows only
    (the others get NaN): the fit uses trusted rows only, and some measures are slow.
    """
    missing = [m for m in names if m not in df.columns]
    if not missing:
        return df
    registry = _complexity()
    if registry is None:
        raise UsageError(f"the table has no column {missing[0]!r} and boolnet.complexity is not available to "
                         f"compute it; choose a column of the table with --measure")
    add_measures, measure_names = registry
    if n is None or "function" not in df.columns:
        raise UsageError(f"the table has no column {missing[0]!r} and no truth tables to compute it from")
    valid = measure_names(n)
    for m in missing:
        if m not in valid:
            present = [c for c in candidate_measures(df)]
            raise UsageError(f"unknown measure {m!r} for n = {n}: use a table column ({', '.join(present) or 'none'}) "
                             f"or one of {', '.join(valid)}")
    if rows is None or rows.all():
        return add_measures(df, missing, n=n, progress=progress)
    part = add_measures(df.loc[rows, ["function"]], missing, n=n, progress=progress)
    out = df.copy()
    for m in missing:
        out[m] = np.nan
        out.loc[rows, m] = part[m].to_numpy(dtype=float)
    return out


def run(args) -> int:
    plot_path = None
    if args.plot is not None:
        from boolnet.plots import check_plot_path

        plot_path = check_plot_path(args.plot)
    if not 0.0 < args.tau < 1.0:
        raise UsageError(f"--tau must lie strictly between 0 and 1, got {args.tau}")
    if args.min_count < 1:
        raise UsageError(f"--min-count must be at least 1, got {args.min_count}")
    df, metadata = read_table(args.table)
    if "probability" not in df.columns:
        raise UsageError(f"table {args.table} has no 'probability' column; make one with `boolnet table`")
    n = table_n(df, metadata)
    progress = not args.quiet

    if args.measure in TABLE_COLUMNS or args.measure in NON_MEASURES:
        raise UsageError(f"--measure {args.measure} is not a complexity measure; choose e.g. lz")
    df = _ensure_measures(df, [args.measure], n, progress)
    report = levin_fit(df, args.measure, tau=args.tau, min_count=args.min_count, metadata=metadata)

    ranking = None
    if args.all_measures:
        registry = _complexity()
        names = list(candidate_measures(df))
        if registry is not None and n is not None and "function" in df.columns:
            for m in registry[1](n):
                if m not in names and m not in NON_MEASURES:
                    names.append(m)
            trusted, _ = trusted_rows(df, args.min_count, metadata=metadata)
            df = _ensure_measures(df, names, n, progress, rows=trusted)
        ranking = rank_measures(df, names, tau=args.tau, min_count=args.min_count, metadata=metadata)

    if plot_path is not None:
        from boolnet.plots import levin_figure

        used, _ = used_rows(df, args.measure, args.min_count, metadata=metadata)
        levin_figure(df, report, metadata, plot_path, used=used)

    if args.json:
        out = {"table": str(args.table), "metadata": metadata, **report.to_dict()}
        if ranking is not None:
            out["ranking"] = json.loads(ranking.to_json(orient="records"))
        if plot_path is not None:
            out["plot"] = str(plot_path)
        sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(format_report(report, metadata))
        if ranking is not None:
            sys.stdout.write("\n" + format_ranking(ranking, metadata))
        if plot_path is not None:
            sys.stdout.write(f"\nplot written to {plot_path}\n")
    return 0
