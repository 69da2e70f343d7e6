"""``boolnet table``: the main job (:func:`boolnet.volume_table`) from the command line."""

from __future__ import annotations

import sys

from boolnet.commands.common import (
    add_encoding_arguments,
    add_output_argument,
    add_prior_arguments,
    output_path,
    prior_from_args,
    refuse_unused,
)

HELP = "main job: volumes (exact for perceptrons and step MLPs, sampled otherwise) joined with complexity measures"

#: Sampling options and their defaults (refused with exact volumes, where they would do nothing).
SAMPLING_DEFAULTS = {"samples": "1e6", "seed": "0", "threads": None, "checkpoint": None}


def add_arguments(parser):
    parser.add_argument("--arch", default="3-1",
                        help="layer widths N-1 (perceptron) or N-H1-...-1 (MLP), 1 <= N <= 7; default 3-1")
    parser.add_argument("--activation", default=None,
                        help="hidden-layer activation of MLPs: relu | tanh | step | sign | linear (default relu)")
    add_prior_arguments(parser)
    add_encoding_arguments(parser)
    g = parser.add_argument_group("volumes")
    g.add_argument("--method", default=None, choices=("exact", "sample"),
                   help="exact (perceptrons n <= 6, step/sign MLPs) or sample; default exact for perceptrons with "
                        "n <= 5 and for step/sign MLPs, sample otherwise")
    g.add_argument("--samples", default=SAMPLING_DEFAULTS["samples"],
                   help="networks to sample with --method sample (default 1e6)")
    g.add_argument("--seed", default=SAMPLING_DEFAULTS["seed"], help="seed of the sampler (default 0)")
    g.add_argument("--threads", default=None, help="sampler threads (default: all cores)")
    g.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="sampler checkpoint: saved regularly, resumed by the same command")
    parser.add_argument("--measures", default=None, metavar="A,B",
                        help="comma-separated complexity measures (default: every measure valid for n; above n = 5 "
                        "without the slow per-function solvers bool_complexity, dnf_terms, dnf_literals)")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bars or summary on stderr")
    parser.epilog = ("Example: boolnet table --arch 4-1 -o t4.csv && boolnet levin t4.csv --plot t4.png. "
                     "In Python: boolnet.volume_table('4-1'). Fit and ranking rules: docs/levin.md")


def summary(df) -> str:
    """One line on what the table holds."""
    meta = df.attrs.get("boolnet", {})
    method = meta.get("volume_method")
    if "probability_sum_exact" in meta:
        total = f"probabilities sum to {meta['probability_sum_exact']}"
    elif method == "quadrature":
        total = f"probabilities sum to {meta.get('probability_sum', 0.0):.15g} +- {meta.get('error_bound_sum', 0.0):.2g}"
    else:
        total = f"{int(meta.get('samples', 0)):,} samples"
    return (f"{len(df):,} functions ({method}, {meta.get('architecture')}; {total}) x "
            f"{len(meta.get('measures', []))} measures, {meta.get('seconds', 0):.2f} s")


def run(args) -> int:
    from boolnet.errors import BoolnetError
    from boolnet.io import write_table
    from boolnet.network import parse_arch
    from boolnet.pipeline import choose_method, volume_table

    path = output_path(args)  # checked before any long work
    arch = parse_arch(args.arch)
    if not arch.hidden and args.activation is not None:
        raise BoolnetError(f"--activation is for the hidden units of MLPs; {arch} is a perceptron: drop it",
                           param="activation")
    activation = args.activation or "relu"
    method = choose_method(arch, args.method, activation)
    if method == "exact":
        refuse_unused(args, SAMPLING_DEFAULTS, "exact volumes are not sampled (use --method sample to sample)")
    df = volume_table(arch, method=method, activation=activation, prior=prior_from_args(args),
                      encoding=args.encoding, bias=not args.no_bias, measures=args.measures, samples=args.samples,
                      seed=args.seed, threads=args.threads, checkpoint=args.checkpoint, progress=not args.quiet)
    write_table(df, path)
    if not args.quiet:
        print(f"boolnet table: {summary(df)}" + (f" -> {path}" if path is not None else ""), file=sys.stderr)
    return 0
