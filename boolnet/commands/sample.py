"""``boolnet sample``: Monte Carlo estimate of P(f) for random perceptrons and MLPs.

A thin wrapper over :func:`boolnet.sampling.sample_table`; numba, pandas and the
sampler are imported only in :func:`run`, so ``boolnet sample --help`` is instant.
"""

from __future__ import annotations

import sys

from boolnet.commands.common import (
    add_backend_arguments,
    add_encoding_arguments,
    add_output_argument,
    add_prior_arguments,
)
from boolnet.network import ACTIVATIONS, MAX_INPUTS

HELP = "estimate P(f) by sampling random networks (numba, parallel, reproducible, resumable)"


def add_arguments(parser):
    parser.add_argument("--arch", required=True,
                        help=f"layer widths N-H1-...-1, e.g. 7-1 (perceptron), 7-40-40-1 or 7-64x10-1 (HxK: K hidden "
                             f"layers of width H); 1 <= N <= {MAX_INPUTS}")
    parser.add_argument("--activation", default="relu",
                        help=f"hidden-layer activation: {' | '.join(ACTIVATIONS)} (default relu); "
                             "step(0) = 0, sign(0) = 0; the output unit is 1 iff its pre-activation > 0")
    add_prior_arguments(parser, per_layer=True)
    add_encoding_arguments(parser)
    parser.add_argument("--samples", required=True, help="number of random networks, e.g. 1000000 or 1e8")
    parser.add_argument("--seed", default="0", help="seed (default 0): counts depend only on the options and seed")
    parser.add_argument("--threads", default=None, help="worker threads (default: all cores); counts do not change")
    parser.add_argument("--checkpoint", default=None, metavar="PATH",
                        help="save counts to PATH regularly, on Ctrl-C and on SIGTERM; rerun the same command to "
                             "resume")
    parser.add_argument("--checkpoint-interval", default=None, metavar="SECONDS",
                        help="seconds between checkpoints (default 30; needs --checkpoint)")
    add_backend_arguments(parser, local="threads on this machine",
                          dask="tasks of blocks on Dask workers, same counts")
    parser.add_argument("--fit", default=None, metavar="TARGET",
                        help="conditioned sampler: count only the networks that agree with the truth table TARGET "
                             "on the training inputs (--train or --train-size): P_B(f | S), and P(S) with its "
                             "interval (docs/sgd_bayes.md)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--train", default=None, help="with --fit: training inputs, indices in [0, 2**N), e.g. 0,5,17")
    group.add_argument("--train-size", default=None,
                       help="with --fit: size m of a random training set drawn with --seed")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary on stderr")


#: Library wording of an interruption -> the command line's.
_CLI_WORDS = {
    "give a checkpoint path to make runs resumable": "use --checkpoint PATH to make runs resumable",
    "run again with the same options to resume": "rerun the same command to resume",
    "are only in the exception's partial table": "were not saved",
}


def _cli_interrupted(exc):
    """The :class:`~boolnet.errors.Interrupted` ``exc`` with its message in command-line words."""
    from boolnet.errors import Interrupted

    message = str(exc)
    for library, cli in _CLI_WORDS.items():
        message = message.replace(library, cli)
    return Interrupted(message, partial=exc.partial, done=exc.done, total=exc.total, checkpoint=exc.checkpoint,
                       signal_name=exc.signal_name)


def run(args) -> int:
    from boolnet.commands.common import prior_from_args
    from boolnet.errors import BoolnetError, Interrupted
    from boolnet.io import write_table
    from boolnet.sampling.sampler import sample_table, write_sampled

    prior = prior_from_args(args, per_layer=True)
    interval = 30.0
    if args.checkpoint_interval is not None:
        if args.checkpoint is None:
            raise BoolnetError("checkpoint_interval is used only with a checkpoint: add --checkpoint PATH",
                               param="checkpoint_interval")
        interval = args.checkpoint_interval
    options = dict(activation=args.activation, prior=prior, encoding=args.encoding, bias=not args.no_bias,
                   samples=args.samples, seed=args.seed, threads=args.threads, checkpoint=args.checkpoint,
                   checkpoint_interval=interval, progress=not args.quiet, backend=args.backend,
                   scheduler=args.scheduler, workers=args.workers, fit=args.fit, train=args.train,
                   train_size=args.train_size)
    path = args.output
    try:
        if path is None:
            df = sample_table(args.arch, **options)
            write_table(df)
            meta = df.attrs["boolnet"]
        else:  # written slice by slice (or part by part), never built whole in memory; checked before the work
            meta = write_sampled(args.arch, path, **options)
    except Interrupted as exc:
        raise _cli_interrupted(exc) from None
    if not args.quiet:
        rate = (f"{meta['per_second']:.3g} samples/s" if meta["per_second"] is not None
                else "all read from the checkpoint")
        resumed = f" (resumed from {meta['resumed_from']})" if meta["resumed_from"] else ""
        where = f" -> {path}" if path is not None else ""
        if meta.get("conditioned_on_train"):
            gt = meta["good_turing_unseen_mass"]
            print(f"boolnet sample: {meta['samples']} samples{resumed}, {meta['accepted']} fit the "
                  f"{meta['train_size']} training inputs: P(S) = {meta['evidence']:.4g} [{meta['evidence_low']:.4g}, "
                  f"{meta['evidence_high']:.4g}], {meta['distinct']} distinct functions, {rate}, Good-Turing "
                  f"unseen mass {'n/a' if gt is None else f'{gt:.3g}'} (of the accepted samples){where}",
                  file=sys.stderr)
            return 0
        print(f"boolnet sample: {meta['samples']} samples{resumed}, {meta['distinct']} distinct functions, {rate}, "
              f"Good-Turing unseen mass {meta['good_turing_unseen_mass']:.3g} (share of samples whose function was "
              f"seen once){where}", file=sys.stderr)
    return 0
