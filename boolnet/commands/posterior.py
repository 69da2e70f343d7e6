"""``boolnet posterior``: the Bayesian posterior P_B(f | S) from any volume table."""

from __future__ import annotations

import sys

from boolnet.commands.common import add_output_argument
from boolnet.commands.train import add_training_set_arguments

HELP = "P_B(f | S): a volume table conditioned on a target's training set S, renormalised"


def add_arguments(parser):
    parser.add_argument("table", help="a volume table (.csv or .parquet): exact, sampled, trained, ...")
    add_training_set_arguments(parser, seed_help="seed of --train-size (default 0); only with --train-size")
    parser.set_defaults(seed=None)  # None: not given (refused with --train, where no set is drawn)
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no summary on stderr")


def run(args) -> int:
    from boolnet.commands.common import output_path
    from boolnet.errors import BoolnetError

    if args.train is not None and args.seed is not None:  # before any work
        raise BoolnetError("--seed is used only with --train-size (it draws the random training set); "
                           "--train gives the set itself: leave --seed out", param="seed")
    path = output_path(args)

    from boolnet.io import read_table, write_table
    from boolnet.training import posterior_table
    from boolnet.training.posterior import conditioned_on
    from boolnet.functions import check_target, resolve_training

    target = check_target(args.target)
    n = len(target).bit_length() - 1
    # train_size and seed are checked before the table is read.
    train = resolve_training(n, train=args.train, train_size=args.train_size,
                             seed=args.seed if args.seed is not None else 0)
    table = read_table(args.table)
    already = conditioned_on(table) is not None  # then posterior_table accepts only the same target and set
    post = posterior_table(table, target=target, train=train)
    write_table(post, path)
    if not args.quiet:
        m = post.attrs["boolnet"]
        if already:
            print(f"boolnet posterior: {args.table} is already conditioned on this target and these "
                  f"{m['train_size']} training inputs: written unchanged (with test_error)", file=sys.stderr)
        else:
            print(f"boolnet posterior: {m['kept_rows']} of {m['source_rows']} functions fit the {m['train_size']} "
                  f"training inputs; P(S) = {m['evidence']:.6g} [{m['evidence_low']:.6g}, "
                  f"{m['evidence_high']:.6g}]", file=sys.stderr)
    return 0
