"""``boolnet estimate``: P(f) far below what sampling sees, by generalised multilevel splitting (docs/estimate.md).

A thin wrapper over :func:`boolnet.estimate.estimate_table`; the library is imported only in :func:`run`.
"""

from __future__ import annotations

import sys

from boolnet.commands.common import add_encoding_arguments, add_output_argument, add_prior_arguments
from boolnet.network import ACTIVATIONS, MAX_INPUTS

HELP = "estimate rare P(f) (down to 1e-30 and below) and the evidence P(S) by multilevel splitting, with intervals"


def add_arguments(parser):
    parser.add_argument("--arch", required=True,
                        help=f"layer widths N-H1-...-1, e.g. 4-1 (perceptron) or 7-40-40-1; 1 <= N <= {MAX_INPUTS}; "
                             "inf widths (7-inf-inf-1) for the infinite-width limit")
    parser.add_argument("--activation", default="relu",
                        help=f"hidden-layer activation: {' | '.join(ACTIVATIONS)} (default relu)")
    add_prior_arguments(parser, per_layer=True)
    add_encoding_arguments(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--function", nargs="+", default=None, dest="functions", metavar="F",
                       help="truth tables to estimate (2**N characters 0/1 each)")
    group.add_argument("--functions", default=None, dest="functions_file", metavar="FILE",
                       help="a file with one truth table per line, or any boolnet table (.csv/.parquet: its "
                            "function column)")
    parser.add_argument("--target", default=None,
                        help="with --train: the target truth table; the table becomes P_B(f | S) and the evidence "
                             "P(S) is estimated (default function: the target)")
    parser.add_argument("--train", default=None, help="with --target: training inputs S, e.g. 0,5,17")
    parser.add_argument("--seed", default="0", help="seed (default 0): the table depends only on the options and seed")
    parser.add_argument("--rel-error", default="0.25",
                        help="relative standard error to reach per function (default 0.25)")
    parser.add_argument("--particles", default="200", help="particles per replica (default 200)")
    parser.add_argument("--replicas", default="8", help="independent replicas per batch (default 8)")
    parser.add_argument("--max-replicas", default="64", help="most replicas per function (default 64)")
    parser.add_argument("--moves", default="10",
                        help="Metropolis moves per copied particle, level and layer (default 10)")
    parser.add_argument("--unit-moves", default="40",
                        help="proposals per level and hidden layer redrawing one hidden unit from the prior (default 40)")
    parser.add_argument("--method", default=None, choices=("splitting", "tilting", "ep"),
                        help="splitting (finite networks, the default) | tilting (the infinite-width limit's default: "
                             "minimax-tilting importance sampling) | ep (the limit by expectation propagation, as the "
                             "papers did: no interval)")
    parser.add_argument("--threads", default=None, help="functions estimated at once (default: all cores); the "
                                                        "table does not change")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary on stderr")


def _read_functions(path: str) -> list[str]:
    """Truth tables of ``path``: a boolnet table's ``function`` column, or one per line of a text file."""
    from pathlib import Path

    from boolnet.errors import BoolnetError

    p = Path(path)
    if not p.is_file():
        raise BoolnetError(f"functions_file {path!r} does not exist or is not a file", param="functions_file")
    if p.suffix.lower() in (".csv", ".parquet") or p.is_dir():
        from boolnet.io import read_table

        table = read_table(path)
        if "function" not in table.columns:
            raise BoolnetError(f"functions_file {path!r} has no 'function' column", param="functions_file")
        return table["function"].astype(str).tolist()
    try:
        lines = p.read_text().split()
    except UnicodeDecodeError:
        raise BoolnetError(f"functions_file {path!r} is not text: give one truth table per line or a boolnet table",
                           param="functions_file") from None
    return [line.strip() for line in lines if line.strip()]


def run(args) -> int:
    from boolnet.commands.common import output_path, prior_from_args
    from boolnet.errors import BoolnetError

    path = output_path(args)
    prior = prior_from_args(args, per_layer=True)
    if (args.target is None) != (args.train is None):
        raise BoolnetError("--target and --train go together: the evidence P(S) needs both",
                           param="target" if args.target is None else "train")
    if args.functions_file is not None:
        functions = _read_functions(args.functions_file)
    else:
        functions = args.functions
    if functions is None and args.target is None:
        raise BoolnetError("give the functions: --function F [F ...] or --functions FILE (or --target with --train)",
                           param="functions")

    from boolnet.estimate import estimate_table
    from boolnet.io import write_table

    df = estimate_table(args.arch, functions, activation=args.activation, prior=prior, encoding=args.encoding,
                        bias=not args.no_bias, seed=args.seed, rel_error=args.rel_error, particles=args.particles,
                        replicas=args.replicas, max_replicas=args.max_replicas, moves=args.moves,
                        unit_moves=args.unit_moves,
                        threads=args.threads, progress=not args.quiet, target=args.target, train=args.train,
                        method=args.method)
    write_table(df, path)
    if not args.quiet:
        m = df.attrs["boolnet"]
        counts = df["status"].value_counts().to_dict()
        parts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        where = f" -> {path}" if path is not None else ""
        extra = ""
        if m.get("conditioned_on_train"):
            extra = (f"; P(S) = {m['evidence']:.4g} [{m['evidence_low']:.4g}, {m['evidence_high']:.4g}] on "
                     f"{m['train_size']} training inputs")
        print(f"boolnet estimate: {len(df)} functions ({parts}), {int(df['evaluations'].sum())} {m['unit']} "
              f"in {m['volume_seconds']:.1f} s{extra}{where}", file=sys.stderr)
    return 0
