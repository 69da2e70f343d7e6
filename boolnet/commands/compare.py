"""``boolnet compare``: two distributions over functions (e.g. P_SGD against P_B) side by side."""

from __future__ import annotations

HELP = "compare two tables over the same n and S: rank correlations, KL both ways, unseen mass, test error"


def add_arguments(parser):
    parser.add_argument("a", help="first table (.csv or .parquet), e.g. a posterior or exact table")
    parser.add_argument("b", help="second table, e.g. a trained table")
    parser.add_argument("--target", default=None, help="target truth table (default: from the tables' metadata); "
                                                        "needs a training set (--train, or in the metadata)")
    parser.add_argument("--train", default=None, help="training inputs, e.g. 0,5,17 (default: from the metadata); "
                                                       "tables conditioned on another target or training set are "
                                                       "refused")
    parser.add_argument("--plot", default=None, metavar="FILE.png", help="save a log-log scatter and test-error plot, "
                        "axes labelled from the tables' metadata")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")


def _json_safe(v):
    """``v`` with every non-finite float as None (JSON has no NaN or Infinity)."""
    import math

    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    return v


def run(args) -> int:
    import json
    from boolnet.io import check_output_path, read_table
    from boolnet.training import compare_tables

    check_output_path(args.plot, suffixes=(".png", ".pdf", ".svg"), param="plot")  # before the work
    a = read_table(args.a)
    b = read_table(args.b)
    result = compare_tables(a, b, target=args.target, train=args.train)
    if args.plot is not None:
        from boolnet.plots.compare import plot_comparison

        plot_comparison(a, b, args.plot, target=args.target, train=args.train)  # axes labelled from the metadata
    if args.json:
        print(json.dumps(_json_safe(result), default=str, allow_nan=False))
        return 0
    print(result)
    return 0
