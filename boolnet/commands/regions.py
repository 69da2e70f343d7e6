"""``boolnet regions``: the half-space region of every perceptron function."""

from __future__ import annotations

from pathlib import Path

from boolnet.commands.common import add_encoding_arguments
from boolnet.errors import UsageError
from boolnet.exact.engine import MAX_REGIONS_N, regions_table
from boolnet.functions import check_encoding, check_n
from boolnet.tables import check_output_path, with_version, write_table

HELP = "list each function's perceptron region: feasibility and its irredundant half-spaces (facets)"


def add_arguments(parser):
    parser.add_argument("--n", type=int, required=True, help=f"number of inputs, 1..{MAX_REGIONS_N} "
                        "(n <= 4: every function; n = 5: the feasible ones)")
    add_encoding_arguments(parser)
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="write to FILE: .csv, .parquet or .tex (a LaTeX table); default: print it")


def _latex_table(df, metadata) -> str:
    cols = list(df.columns)
    lines = [f"% {k}: {v}" for k, v in metadata.items()]
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
    n = check_n(args.n, high=MAX_REGIONS_N, what="boolnet regions")
    encoding = check_encoding(args.encoding)
    bias = not args.no_bias
    out = args.output
    latex = out is not None and out.endswith(".tex")
    if latex:
        parent = Path(out).parent
        if not parent.is_dir():
            raise UsageError(f"cannot write {out}: folder {parent} does not exist")
    else:
        check_output_path(out)
    table, meta = regions_table(n, encoding, bias, latex=latex)
    if latex:
        Path(out).write_text(_latex_table(table, with_version(meta)), encoding="utf-8")
    else:
        write_table(table, out, meta)
    return 0
