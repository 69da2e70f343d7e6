"""``boolnet train``: train many tiny networks to zero training error and count the functions found."""

from __future__ import annotations

import sys

from boolnet.commands.common import add_encoding_arguments, add_output_argument, add_prior_arguments

HELP = "train networks by SGD or Adam to 100% training accuracy and count the functions they compute"


def add_training_set_arguments(parser, *, seed_help: str) -> None:
    """``--target``, ``--train`` | ``--train-size``, ``--seed`` (shared with ``posterior``)."""
    parser.add_argument("--target", required=True, help="target truth table (2**n characters 0/1)")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--train", default=None, help="training inputs: indices in [0, 2**n), e.g. 0,5,17")
    group.add_argument("--train-size", default=None, help="size m of a random training set drawn with --seed")
    parser.add_argument("--seed", default="0", help=seed_help)


def add_arguments(parser):
    parser.add_argument("--arch", required=True, help="layer widths N-H1-...-1, e.g. 7-1 (perceptron) or 7-40-40-1")
    parser.add_argument("--activation", default=None,
                        help="hidden activation: relu | tanh | linear (default relu); not with a perceptron (N-1)")
    parser.add_argument("--optimizer", default="sgd", help="sgd (heavy-ball momentum) | adam (default sgd)")
    parser.add_argument("--lr", default="1e-3", help="learning rate (default 1e-3)")
    parser.add_argument("--momentum", default="0.9", help="SGD momentum in [0, 1) (default 0.9)")
    parser.add_argument("--batch", default="8", help="minibatch size (default 8)")
    parser.add_argument("--loss", default="ce", help="ce (cross-entropy on the output logit) | mse (logit vs -1/+1)")
    parser.add_argument("--runs", required=True, help="number of independent trainings, e.g. 1000 or 1e5")
    add_training_set_arguments(parser, seed_help="seed of initialisations, minibatch orders and --train-size "
                                                 "(default 0); the table depends only on the options and seed")
    parser.add_argument("--max-epochs", default="20000", help="epoch limit of a run (default 20000); runs that "
                                                               "do not fit are counted and left out")
    add_prior_arguments(parser)
    add_encoding_arguments(parser)
    parser.add_argument("--threads", default=None,
                        help="worker threads (default: all cores); the table does not change")
    parser.add_argument("--checkpoint", default=None, metavar="PATH",
                        help="save finished runs to PATH regularly and on Ctrl-C; rerun the same command to resume")
    parser.add_argument("--checkpoint-interval", default=None, metavar="SECONDS",
                        help="seconds between checkpoints (default 30; needs --checkpoint)")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary on stderr")


def run(args) -> int:
    from boolnet.commands.common import output_path, prior_from_args, refuse_unused
    from boolnet.errors import BoolnetError, Interrupted
    from boolnet.io import write_table
    from boolnet.network import parse_arch
    from boolnet.training import train_table

    # Every option is checked before the work: none is ignored.
    prior = prior_from_args(args)
    path = output_path(args)
    if args.optimizer == "adam":
        refuse_unused(args, {"momentum": "0.9"}, "Adam has no momentum option (beta1 = 0.9, beta2 = 0.999)")
    arch = parse_arch(args.arch)
    if args.activation is not None and not arch.hidden:
        raise BoolnetError(f"--activation does not apply to the perceptron {arch}: it sets the hidden units, "
                           "and a perceptron has no hidden layer; leave --activation out",
                           param="activation")
    if args.checkpoint_interval is not None and args.checkpoint is None:
        raise BoolnetError("--checkpoint-interval is used only with --checkpoint PATH: add it, or leave "
                           "--checkpoint-interval out", param="checkpoint_interval")
    # train_table checks the checkpoint's folder (check_output_path) before it trains anything.
    try:
        df = train_table(args.arch, target=args.target, train=args.train, train_size=args.train_size,
                         activation=args.activation or "relu", optimizer=args.optimizer, lr=args.lr,
                         momentum=args.momentum,
                         batch=args.batch, loss=args.loss, runs=args.runs, seed=args.seed,
                         max_epochs=args.max_epochs, prior=prior, encoding=args.encoding, bias=not args.no_bias,
                         threads=args.threads, progress=not args.quiet, checkpoint=args.checkpoint,
                         checkpoint_interval=30.0 if args.checkpoint_interval is None else args.checkpoint_interval)
    except Interrupted as exc:
        if path is not None and exc.partial is not None:
            write_table(exc.partial, path)
            raise Interrupted(f"{exc}; the {exc.done} finished runs were written to {path}") from None
        raise
    write_table(df, path)
    if not args.quiet:
        m = df.attrs["boolnet"]
        print(f"boolnet train: {m['runs']} runs, {m['fitted']} fitted ({m['unfitted']} hit --max-epochs, "
              f"{m['diverged']} diverged), median {m['epochs_median']} epochs, {m['distinct']} distinct functions, "
              f"{m['per_second']:.3g} trainings/s", file=sys.stderr)
    return 0
