"""Options shared by several commands, spelled and validated the same everywhere."""

from __future__ import annotations

import argparse

from boolnet.functions import ENCODINGS
from boolnet.priors import PRIORS, Prior
from boolnet.tables import check_output_path


def add_prior_arguments(parser: argparse.ArgumentParser) -> None:
    """``--prior``, ``--sigma-w``, ``--sigma-b``, ``--no-fan-in-scaling``."""
    g = parser.add_argument_group("prior (README.md, Conventions)")
    g.add_argument("--prior", default="gaussian", help=f"parameter prior: {' | '.join(PRIORS)} (default gaussian)")
    g.add_argument("--sigma-w", default="1", help="weight scale: std (gaussian) or half-width (uniform); default 1")
    g.add_argument("--sigma-b", default="1", help="bias scale: std (gaussian) or half-width (uniform); default 1")
    g.add_argument("--no-fan-in-scaling", action="store_true",
                   help="do not divide the weight scale by sqrt(fan_in)")


def prior_from_args(args) -> Prior:
    """The :class:`~boolnet.priors.Prior` named by the parsed options (raises UsageError)."""
    return Prior(args.prior, args.sigma_w, args.sigma_b, fan_in_scaling=not args.no_fan_in_scaling)


def add_encoding_arguments(parser: argparse.ArgumentParser) -> None:
    """``--encoding`` and ``--no-bias``."""
    parser.add_argument("--encoding", default="01", help=f"input encoding: {' | '.join(ENCODINGS)} (default 01)")
    parser.add_argument("--no-bias", action="store_true", help="networks without biases")


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """``-o FILE``: .csv or .parquet; stdout when absent."""
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="write the table to FILE (.csv or .parquet); default: print it")


def output_path(args):
    """Validated ``-o`` path (or None), checked before any long work starts."""
    return check_output_path(args.output)
