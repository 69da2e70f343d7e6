"""The ``boolnet`` command line: the only place that knows flags, stderr and exit codes.

Each command module in ``boolnet.commands`` defines ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``, and imports the library (numba,
pandas, scipy, sympy) only inside ``run`` so that ``boolnet --help`` and
``boolnet CMD --help`` answer at once. The library raises
:class:`~boolnet.errors.BoolnetError` naming Python parameters; here it becomes one
line on stderr, with the parameter shown as its flag, and exit status 2.
:class:`~boolnet.errors.Interrupted` (Ctrl-C, SIGTERM) becomes one line and status
130 or 143 (128 + the signal's number); a :class:`~boolnet.errors.BoolnetWarning` becomes a ``warning:`` line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import signal
import sys
import threading
import warnings

from boolnet import __version__
from boolnet.errors import BoolnetError, BoolnetWarning, Interrupted

#: Subcommand name -> module under boolnet.commands, in the order --help lists them.
COMMANDS = {
    "table": "table",
    "exact": "exact",
    "regions": "regions",
    "sample": "sample",
    "enumerate": "enumerate",
    "estimate": "estimate",
    "merge": "merge",
    "complexity": "complexity",
    "levin": "levin",
    "train": "train",
    "posterior": "posterior",
    "compare": "compare",
    "plot": "plot",
}

class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (imports no numerical library)."""
    parser = _Parser(
        prog="boolnet",
        description="Exact and sampled parameter-space volumes of Boolean functions for tiny neural networks. "
                    "The same functions are in Python: import boolnet as bn (see the README).",
    )
    parser.add_argument("--version", action="version", version=f"boolnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"boolnet.commands.{module_name}")
        # argparse %-formats help= (the command list) but not description=: escape "%" in the first only.
        p = sub.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _parser=p)
    return parser


def flag_message(message: str, param: str | None, parser: argparse.ArgumentParser | None) -> str:
    """``message`` with the Python parameter ``param`` written as the command's flag.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--sigma-w")
    >>> flag_message("sigma_w must be > 0, got 0", "sigma_w", p)
    '--sigma-w must be > 0, got 0'
    """
    if parser is None:
        return message
    flags = {}  # argparse keeps no public map from dest to option strings
    for action in parser._actions:
        if action.option_strings:
            flags[action.dest] = (max(action.option_strings, key=len), action.nargs == 0)
    message = _python_spellings_as_flags(message, flags)
    if not param or param not in flags:
        return message
    # Only the first mention: the message names the parameter first; later mentions may be formulas ("1 <= n").
    return re.sub(rf"(?<![\w-]){re.escape(param)}(?![\w])", flags[param][0], message, count=1)


def _python_spellings_as_flags(message: str, flags: dict) -> str:
    """``name=value`` of the library's messages as the command line writes it.

    Examples
    --------
    >>> flags = {"backend": ("--backend", False), "no_bias": ("--no-bias", True), "orbits": ("--orbits", True)}
    >>> _python_spellings_as_flags("only with backend='dask', not with bias=False or orbits=True", flags)
    'only with --backend dask, not with --no-bias or --orbits'
    """
    def flag(match):
        name, value = match.group(1), match.group(2).strip("'\"")
        if name in flags:
            option, switch = flags[name]
            if switch:
                return option if value == "True" else match.group(0)
            return f"{option} {value}"
        if f"no_{name}" in flags and flags[f"no_{name}"][1] and value == "False":
            return flags[f"no_{name}"][0]
        return match.group(0)

    return re.sub(r"(?<![\w-])([a-z_]+)=('[^']*'|\"[^\"]*\"|[\w.+-]+)", flag, message)


class _CommandLogHandler(logging.Handler):
    """Shows records of the "boolnet" logger on stderr as ``boolnet CMD: message`` (nothing with --quiet)."""

    def __init__(self, command: str, quiet: bool):
        super().__init__(logging.INFO)
        self.command, self.quiet = command, quiet

    def emit(self, record):
        if not self.quiet:
            print(f"{self.command}: {record.getMessage()}", file=sys.stderr, flush=True)


def _in_ignoring_callback(frame) -> bool:
    """True when ``frame`` is a callback the interpreter calls from C and whose exceptions it only prints
    ("Exception ignored in ..."), such as importlib's module-lock weakref callback during an import."""
    return frame is not None and frame.f_code.co_name == "cb" and frame.f_code.co_filename.startswith("<frozen")


def _deferred(signum, frame) -> bool:
    # A stop raised inside such a callback would be printed with a traceback and then lost, and the command
    # would run on: deliver the signal again a moment later, when the main thread is back in ordinary code.
    if _in_ignoring_callback(frame):
        threading.Timer(0.01, os.kill, (os.getpid(), signum)).start()
        return True
    return False


def _raise_interrupt(signum, frame):
    if not _deferred(signum, frame):
        raise Interrupted("", signal_name=signal.Signals(signum).name)


def _raise_keyboard_interrupt(signum, frame):
    if not _deferred(signum, frame):
        raise KeyboardInterrupt


def main(argv=None) -> int:
    """Run ``boolnet`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    command = "boolnet"
    previous_term = previous_int = None
    previous_level = logging.getLogger("boolnet").level
    try:
        # SIGTERM stops a run the way Ctrl-C does (outputs are written atomically, runs save their checkpoints).
        previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when Ctrl-C is ignored (SIG_IGN)
            previous_int = signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    except ValueError:  # not the main thread (e.g. called from a worker thread): leave signals alone
        pass
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "_run", None):
            parser.print_help()
            return 2
        command = f"boolnet {args.command}"

        def show_warning(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, BoolnetWarning):
                print(f"{command}: warning: {flag_message(str(message), None, None)}", file=sys.stderr)
            else:
                print(f"{command}: warning: {message}", file=sys.stderr)

        # The library's INFO messages (e.g. "compiling the sampler's kernels") as "boolnet CMD: ..." lines.
        handler = _CommandLogHandler(command, quiet=getattr(args, "quiet", False))
        logging.getLogger("boolnet").addHandler(handler)
        logging.getLogger("boolnet").setLevel(logging.INFO)
        with warnings.catch_warnings():
            warnings.simplefilter("always", BoolnetWarning)
            warnings.showwarning = show_warning
            try:
                return int(args._run(args) or 0)
            except BoolnetError as exc:
                print(f"{command}: error: {flag_message(str(exc), exc.param, args._parser)}", file=sys.stderr)
                return 2
    except KeyboardInterrupt as exc:
        detail = str(exc).strip()
        print(f"{command}: interrupted" + (f": {detail}" if detail else ""), file=sys.stderr)
        # The shell's convention: 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
        return 128 + int(getattr(signal, getattr(exc, "signal_name", "SIGINT") or "SIGINT"))
    except BrokenPipeError:  # e.g. `boolnet exact --n 5 | head`
        # The reader went away: send what is left to /dev/null so Python's exit flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)
        for h in [h for h in logging.getLogger("boolnet").handlers if isinstance(h, _CommandLogHandler)]:
            logging.getLogger("boolnet").removeHandler(h)
        logging.getLogger("boolnet").setLevel(previous_level)


if __name__ == "__main__":
    sys.exit(main())
