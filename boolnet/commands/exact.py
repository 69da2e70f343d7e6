"""``boolnet exact``: exact probability of every function (:func:`boolnet.exact_table`)."""

from __future__ import annotations

import sys

from boolnet.commands.common import (
    add_backend_arguments,
    add_encoding_arguments,
    add_output_argument,
    add_prior_arguments,
    output_path,
    prior_from_args,
)

HELP = "exact probability (volume) of each function under the prior: exact rationals (uniform) or 1e-10 solid angles"


def add_arguments(parser):
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--n", type=int, default=None,
                       help="perceptron with n inputs, 1..6, or 7 with --encoding pm1 --no-fan-in-scaling and sigma_w "
                            "= sigma_b (n = 6: 15,028,134 functions; n = 7: 8,378,070,864 in 2,470 orbits, about 20 s "
                            "on the cube; use --orbits, Parquet and --checkpoint)")
    which.add_argument("--arch", default=None,
                       help="N-1 (a perceptron, as --n N) or an MLP N-H-1, N-H1-H2-1 with --activation step|sign")
    parser.add_argument("--activation", default=None, help="hidden units of an MLP: step | sign")
    add_prior_arguments(parser, per_layer=True)
    add_encoding_arguments(parser)
    add_output_argument(parser)
    parser.add_argument("--orbits", action="store_true",
                        help="perceptrons: one row per symmetry orbit (with orbit_size) instead of one per function")
    parser.add_argument("--checkpoint", default=None, metavar="PATH",
                        help="perceptrons: save the volumes of the symmetry orbits done to PATH regularly, on Ctrl-C "
                             "and on SIGTERM; rerun the same command to resume (same table, bit for bit)")
    parser.add_argument("--checkpoint-interval", default=None, metavar="SECONDS",
                        help="seconds between checkpoints (default 30; needs --checkpoint)")
    add_backend_arguments(parser, local="this process",
                          dask="tasks of consecutive symmetry orbits (perceptrons) on Dask workers, same table")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or summary on stderr")


def run(args) -> int:
    from boolnet.commands.sample import _cli_interrupted
    from boolnet.errors import BoolnetError, Interrupted
    from boolnet.exact.engine import check_exact_size
    from boolnet.exact.selfdual import MAX_SELF_DUAL_N
    from boolnet.functions import check_n
    from boolnet.io import write_table
    from boolnet.pipeline import exact_table

    prior = prior_from_args(args, per_layer=True)
    if args.n is not None:  # --n N is the perceptron N-1: its range is said in terms of --n
        check_n(args.n, high=MAX_SELF_DUAL_N, what="exact perceptron volumes")
        check_exact_size(args.n, args.encoding, not args.no_bias, prior, args.orbits)
    if args.checkpoint_interval is not None and args.checkpoint is None:
        raise BoolnetError("--checkpoint-interval is used only with --checkpoint PATH: add it, or leave "
                           "--checkpoint-interval out", param="checkpoint_interval")
    arch = args.arch if args.arch is not None else args.n
    path = output_path(args)
    # exact_table checks the checkpoint's folder before it computes anything.
    try:
        table = exact_table(arch, activation=args.activation, prior=prior,
                            encoding=args.encoding,
                            bias=not args.no_bias, orbits=args.orbits, progress=not args.quiet,
                            checkpoint=args.checkpoint,
                            checkpoint_interval=30.0 if args.checkpoint_interval is None else args.checkpoint_interval,
                            backend=args.backend, scheduler=args.scheduler, workers=args.workers)
    except Interrupted as exc:
        raise _cli_interrupted(exc) from None
    write_table(table, path)
    if not args.quiet:
        meta = table.attrs["boolnet"]
        total = meta.get("probability_sum_exact",
                         f"{meta.get('probability_sum', 0.0):.15g} +- {meta.get('error_bound_sum', 0.0):.2g}")
        orbits = f" in {meta['orbits']} symmetry orbits" if "orbits" in meta else ""
        print(f"boolnet exact: {meta.get('functions', len(table))} functions{orbits}, probabilities sum to {total}, "
              f"{meta['seconds']:.2f} s", file=sys.stderr)
    return 0
