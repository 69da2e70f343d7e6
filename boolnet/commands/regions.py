"""``boolnet regions``: the half-space region of every perceptron function (:func:`boolnet.regions_table`)."""

from __future__ import annotations

from boolnet.commands.common import add_encoding_arguments, output_path

HELP = "list each function's perceptron region: feasibility and its irredundant half-spaces (facets)"


def add_arguments(parser):
    parser.add_argument("--n", type=int, required=True, help="number of inputs, 1..5 "
                        "(n <= 4: every function; n = 5: the feasible ones)")
    add_encoding_arguments(parser)
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="write to FILE: .csv, .parquet or .tex (a LaTeX table); default: print it")


def latex_table(df) -> str:
    """The regions as a LaTeX tabular, the options as leading comment lines."""
    cols = list(df.columns)
    lines = [f"% {k}: {v}" for k, v in df.attrs.get("boolnet", {}).items()]
    lines.append(r"\begin{tabular}{" + "l" * len(cols) + "}")
    lines.append(" & ".join(c.replace("_", r"\_") for c in cols) + r" \\ \hline")
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(cols, row):
            if c == "inequalities":
                cells.append("infeasible" if v == "infeasible" else f"${v}$")
            else:
                cells.append(r"\texttt{" + str(v) + "}" if c == "function" else str(v))
        lines.append(" & ".join(cells) + r" \\")
    lines.append(r"\end{tabular}")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from boolnet import __version__
    from boolnet.io import atomic_write, write_table
    from boolnet.pipeline import regions_table

    path = output_path(args, suffixes=(".csv", ".parquet", ".tex"))  # checked before the work
    latex = path is not None and path.suffix == ".tex"
    table = regions_table(args.n, encoding=args.encoding, bias=not args.no_bias, latex=latex)
    if latex:
        table.attrs["boolnet"]["boolnet_version"] = __version__
        with atomic_write(path, param="output") as fh:
            fh.write(latex_table(table))
    else:
        write_table(table, path)
    return 0
