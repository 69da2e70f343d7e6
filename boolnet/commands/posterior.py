"""``boolnet posterior``: the Bayesian posterior P_B(f | S) from any volume table."""

from __future__ import annotations

import sys

from boolnet.commands.common import add_output_argument
from boolnet.commands.train import add_training_set_arguments

HELP = "P_B(f | S): a volume table conditioned on a target's training set S, renormalised"


def add_arguments(parser):
    parser.add_argument("table", help="a volume table (.csv or .parquet): exact, sampled, trained, ...")
    add_training_set_arguments(parser, seed_help="seed of --train-size (default 0)")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no summary on stderr")


def run(args) -> int:
    from boolnet.commands.common import output_path
    from boolnet.io import write_table
    from boolnet.training import posterior_table, training_set
    from boolnet.training.train import check_target

    from boolnet.io import read_table

    path = output_path(args)
    table = read_table(args.table)
    target = check_target(args.target)
    train = args.train
    if train is None:
        train = training_set(len(target).bit_length() - 1, args.train_size, args.seed)
    post = posterior_table(table, target=target, train=train)
    write_table(post, path)
    if not args.quiet:
        m = post.attrs["boolnet"]
        print(f"boolnet posterior: {m['kept_rows']} of {m['source_rows']} functions fit the {m['train_size']} "
              f"training inputs; P(S) = {m['evidence']:.6g} [{m['evidence_low']:.6g}, {m['evidence_high']:.6g}]",
              file=sys.stderr)
    return 0
