"""Options shared by several commands, spelled the same everywhere.

Flags are named after the library's parameters (``--sigma-w`` is ``sigma_w``), so an
error that names a parameter is shown with its flag (:func:`boolnet.cli.flag_message`).
Only light modules are imported here: ``boolnet --help`` loads no numba, pandas, scipy or sympy.
"""

from __future__ import annotations

import argparse

from boolnet.functions import ENCODINGS  # numpy only
from boolnet.priors import PRIOR_NAMES


def add_prior_arguments(parser: argparse.ArgumentParser, per_layer: bool = False) -> None:
    """``--prior``, ``--sigma-w``, ``--sigma-b``, ``--no-fan-in-scaling`` (``per_layer``: the sigmas may be lists)."""
    g = parser.add_argument_group("prior (README.md, Conventions)")
    g.add_argument("--prior", default="gaussian", help=f"parameter prior: {' | '.join(PRIOR_NAMES)} (default gaussian; cube: uniform on [-1, 1] without fan-in scaling)")
    lists = ("; or one value per layer with parameters (hidden layers, then output), e.g. 1,2,1 or 1/64x10,1 "
             "(VALUExK repeats)") if per_layer else ""
    g.add_argument("--sigma-w", default="1",
                   help=f"weight scale: std (gaussian) or half-width (uniform); default 1{lists}")
    g.add_argument("--sigma-b", default="1",
                   help=f"bias scale: std (gaussian) or half-width (uniform); default 1{lists}")
    g.add_argument("--no-fan-in-scaling", action="store_true",
                   help="do not divide the weight scale by sqrt(fan_in)")


def prior_from_args(args, per_layer: bool = False):
    """The :class:`~boolnet.priors.Prior` named by the parsed options (raises BoolnetError).

    Per-layer sigma lists are refused unless ``per_layer`` (only ``boolnet sample`` takes them).
    """
    from boolnet.priors import Prior

    prior = Prior(args.prior, args.sigma_w, args.sigma_b, fan_in_scaling=not args.no_fan_in_scaling)
    if not per_layer:
        prior.require_scalar(f"boolnet {getattr(args, 'command', None) or 'here'}")
    return prior


def add_encoding_arguments(parser: argparse.ArgumentParser) -> None:
    """``--encoding`` and ``--no-bias``."""
    parser.add_argument("--encoding", default="01", help=f"input encoding: {' | '.join(ENCODINGS)} (default 01)")
    parser.add_argument("--no-bias", action="store_true", dest="no_bias", help="networks without biases")


def add_backend_arguments(parser: argparse.ArgumentParser, local: str, dask: str) -> None:
    """``--backend local|dask``, ``--scheduler`` and ``--workers``; ``local``/``dask`` say what each backend runs."""
    parser.add_argument("--backend", default="local", choices=("local", "dask"),
                        help=f"local (default): {local}; dask: {dask} (docs/scale.md)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="with --backend dask: a running scheduler (tcp://host:8786); default: a LocalCluster here")
    parser.add_argument("--workers", default=None, help="with --backend dask: LocalCluster workers (default: one per "
                                                        "core), or workers to wait for on the scheduler")


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """``-o FILE``: .csv or .parquet; stdout when absent."""
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="write the table to FILE (.csv, with its metadata in FILE-metadata.json, or .parquet); "
                             "default: print it")


def output_path(args, suffixes=(".csv", ".parquet")):
    """Validated ``-o`` path (or None), checked before any long work starts."""
    from boolnet.io import check_output_path

    return check_output_path(args.output, suffixes=suffixes, param="output")


def refuse_unused(args, parser_defaults: dict, reason: str) -> None:
    """Raise a BoolnetError naming every option in ``parser_defaults`` that was changed from its default.

    Used where an option does not apply to the run that was asked for (e.g. sampling
    options with exact volumes), so it is refused instead of silently ignored.
    """
    from boolnet.errors import BoolnetError

    changed = [name for name, default in parser_defaults.items() if getattr(args, name) != default]
    if changed:
        flags = ", ".join("--" + name.replace("_", "-") for name in changed)
        raise BoolnetError(f"{flags} {'does' if len(changed) == 1 else 'do'} not apply here: {reason}",
                           param=changed[0])
