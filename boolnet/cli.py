"""The ``boolnet`` command line: one subcommand per module in ``boolnet.commands``.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Bad input raises :class:`boolnet.errors.UsageError`, which
becomes a one-line message on stderr and exit status 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from boolnet import __version__
from boolnet.errors import UsageError

#: Subcommand name -> module under boolnet.commands, in the order --help lists them.
COMMANDS = {
    "table": "table",
    "exact": "exact",
    "regions": "regions",
    "sample": "sample",
    "enumerate": "enumerate",
    "complexity": "complexity",
    "levin": "levin",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _load(module: str):
    name = f"boolnet.commands.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:  # a command not built yet is simply not offered
        if exc.name == name:
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="boolnet",
        description="Exact and sampled parameter-space volumes of Boolean functions for tiny neural networks.",
    )
    parser.add_argument("--version", action="version", version=f"boolnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        module = _load(module_name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except UsageError as exc:
        print(f"boolnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"boolnet {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `boolnet exact --n 5 | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
