"""``boolnet table``: the main job, from an architecture to a joined volume-vs-complexity table.

Perceptrons (``--arch N-1``) get exact volumes from :mod:`boolnet.exact` by default
(n <= 5; n = 6 with ``--method exact`` takes hours); MLPs, and perceptrons with
``--method sample``, are sampled with :mod:`boolnet.sampling`. Every complexity
measure valid for n (or the ones named by ``--measures``) is joined as a column.
"""

from __future__ import annotations

import sys
import time

from boolnet.commands.common import (
    add_encoding_arguments,
    add_output_argument,
    add_prior_arguments,
    output_path,
    prior_from_args,
)
from boolnet.errors import UsageError
from boolnet.functions import check_encoding

HELP = "main job: volumes (exact for perceptrons, sampled for MLPs) joined with every complexity measure"

#: Largest n of a perceptron computed exactly unless --method exact asks for more (n = 6 takes hours).
DEFAULT_EXACT_MAX_N = 5
METHODS = ("exact", "sample")


def add_arguments(parser):
    parser.add_argument("--arch", default="3-1",
                        help="layer widths N-1 (perceptron) or N-H1-...-1 (MLP), 1 <= N <= 7; default 3-1")
    parser.add_argument("--activation", default="relu",
                        help="hidden-layer activation of MLPs: relu | tanh | step | sign | linear (default relu)")
    add_prior_arguments(parser)
    add_encoding_arguments(parser)
    g = parser.add_argument_group("volumes")
    g.add_argument("--method", default=None, choices=METHODS,
                   help=f"exact (perceptrons, n <= 6) or sample; default exact for perceptrons with "
                        f"n <= {DEFAULT_EXACT_MAX_N}, sample otherwise")
    g.add_argument("--samples", default="1e6", help="networks to sample with --method sample (default 1e6)")
    g.add_argument("--seed", default="0", help="seed of the sampler (default 0)")
    g.add_argument("--threads", type=int, default=None, help="sampler threads (default: all cores)")
    g.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="sampler checkpoint: saved regularly, resumed by the same command")
    parser.add_argument("--measures", default=None, metavar="A,B",
                        help="comma-separated complexity measures (default: every measure valid for n; above n = 5 "
                        "without the slow per-function solvers bool_complexity, dnf_terms, dnf_literals)")
    add_output_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bars or summary on stderr")
    parser.epilog = ("Example: boolnet table --arch 4-1 -o t4.csv && boolnet levin t4.csv --plot t4.png. "
                     "Fit and ranking rules: docs/levin.md")


def _choose_method(arch, method: str | None) -> str:
    perceptron = not arch.hidden
    if method is None:
        return "exact" if perceptron and arch.n <= DEFAULT_EXACT_MAX_N else "sample"
    if method == "exact" and not perceptron:
        raise UsageError(f"--method exact works for perceptrons (--arch N-1) only; {arch} has hidden layers: "
                         f"use --method sample")
    return method


def build_table(args):
    """Volumes and measures for the parsed options: ``(DataFrame, metadata)``."""
    from boolnet.complexity import add_measures, check_measure_names, default_measure_names
    from boolnet.sampling import parse_arch
    from boolnet.sampling.network import check_activation

    arch = parse_arch(args.arch)
    check_activation(args.activation)
    encoding = check_encoding(args.encoding)
    prior = prior_from_args(args)
    bias = not args.no_bias
    method = _choose_method(arch, args.method)
    n = arch.n
    # Fail on a bad name before the long work; by default leave out the per-function solvers
    # (sympy, exact DNF) that would dominate the run above n = 5.
    names = check_measure_names(args.measures if args.measures is not None else default_measure_names(n), n)
    progress = not args.quiet
    start = time.perf_counter()
    if method == "exact":
        from boolnet.exact import exact_table

        df, meta = exact_table(n, prior, encoding, bias, progress=progress)
        activation = None
    else:
        from boolnet.sampling import sample_table

        activation = args.activation if arch.hidden else None
        df, meta = sample_table(str(arch), activation=args.activation, prior=prior, encoding=encoding, bias=bias,
                                samples=args.samples, seed=args.seed, threads=args.threads,
                                checkpoint=args.checkpoint, progress=progress)
    volume_seconds = time.perf_counter() - start
    df = add_measures(df, names, n=n, progress=progress)
    metadata = dict(meta)
    metadata.update({
        "command": "table",
        "volume_command": meta.get("command"),
        "volume_method": method,
        "architecture": str(arch),
        "n": n,
        "activation": activation if activation is not None else "none (perceptron)",
        **prior.metadata(),
        "encoding": encoding,
        "bias": bias,
        "measures": names,
        "volume_seconds": round(volume_seconds, 3),
        "seconds": round(time.perf_counter() - start, 3),
    })
    if method == "sample":
        metadata.setdefault("threads", args.threads)
    return df, metadata


def run(args) -> int:
    from boolnet.tables import write_table

    path = output_path(args)  # checked before any long work
    df, metadata = build_table(args)
    write_table(df, path, metadata)
    if not args.quiet:
        if metadata["volume_method"] == "exact":
            total = "probabilities sum to " + (metadata.get("probability_sum_exact") or (
                f"{metadata.get('probability_sum', float(df['probability'].sum())):.15g} "
                f"+- {metadata.get('error_bound_sum', 0.0):.2g}"))
        else:
            total = f"{int(metadata.get('samples', 0)):,} samples"
        where = f" -> {path}" if path is not None else ""
        print(f"boolnet table: {len(df):,} functions ({metadata['volume_method']}, {metadata['architecture']}; "
              f"{total}) x {len(metadata['measures'])} measures{where}, {metadata['seconds']} s", file=sys.stderr)
    return 0
