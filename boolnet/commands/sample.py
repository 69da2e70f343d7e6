"""``boolnet sample``: Monte Carlo estimate of P(f) for random perceptrons and MLPs."""

from __future__ import annotations

import sys

from boolnet.commands.common import (
    add_encoding_arguments,
    add_output_argument,
    add_prior_arguments,
    output_path,
    prior_from_args,
)
from boolnet.errors import UsageError
from boolnet.sampling import sample_table
from boolnet.sampling._kernels import ACTIVATIONS
from boolnet.sampling.network import MAX_INPUTS
from boolnet.tables import write_table

HELP = "estimate P(f) by sampling random networks (numba, parallel, reproducible, resumable)"


def add_arguments(parser):
    parser.add_argument("--arch", required=True,
                        help=f"layer widths N-H1-...-1, e.g. 7-1 (perceptron) or 7-40-40-1; 1 <= N <= {MAX_INPUTS}")
    parser.add_argument("--activation", default="relu",
                        help=f"hidden-layer activation: {' | '.join(ACTIVATIONS)} (default relu); "
                             "step(0) = 0, sign(0) = 0; the output unit is 1 iff its pre-activation > 0")
    add_prior_arguments(parser)
    add_encoding_arguments(parser)
    parser.add_argument("--samples", required=True, help="number of random networks, e.g. 1000000 or 1e8")
    parser.add_argument("--seed", default="0", help="seed (default 0): counts depend only on the options and seed")
    parser.add_argument("--threads", default=None, help="worker threads (default: all cores); counts do not change")
    parser.add_argument("--checkpoint", default=None, metavar="PATH",
                        help="save counts to PATH regularly and on Ctrl-C; rerun the same command to resume")
    parser.add_argument("--checkpoint-interval", type=float, default=30.0, metavar="SECONDS",
                        help="seconds between checkpoints (default 30)")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary on stderr")


def run(args) -> int:
    prior = prior_from_args(args)
    path = output_path(args)
    if args.checkpoint_interval < 0:
        raise UsageError("--checkpoint-interval must be >= 0 seconds")
    df, meta = sample_table(args.arch, activation=args.activation, prior=prior, encoding=args.encoding,
                            bias=not args.no_bias, samples=args.samples, seed=args.seed, threads=args.threads,
                            checkpoint=args.checkpoint, progress=not args.quiet,
                            checkpoint_interval=args.checkpoint_interval)
    write_table(df, path, meta)
    if not args.quiet:
        print(f"boolnet sample: {meta['samples']} samples, {meta['distinct']} distinct functions, "
              f"{meta['samples_per_second']:.3g} samples/s, Good-Turing unseen mass "
              f"{meta['good_turing_unseen_mass']:.3g} (share of samples whose function was seen once)",
              file=sys.stderr)
    return 0
