"""Tables for a terminal: the options, then the rows and columns that fit."""

from __future__ import annotations


#: Rows printed in full when a table goes to a terminal; longer tables show their head and a note.
PRINT_ROWS = 60


def format_table(df, metadata: dict, max_rows: int = PRINT_ROWS, width: int | None = None) -> str:
    """A readable rendering for a terminal: the options, then the rows and columns that fit.

    Tables of more than ``max_rows`` rows show their first rows; columns that would make
    a line wider than the terminal are left out. A closing line says what was left out
    and how to get everything (``-o FILE.csv`` or ``.parquet``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"function": ["0001", "0111"], "probability": [0.5, 0.5]})
    >>> print(format_table(df, {"n": 2}))
    # n: 2
    function  probability
        0001          0.5
        0111          0.5
    <BLANKLINE>
    """
    import shutil

    import pandas as pd

    width = width or shutil.get_terminal_size((120, 40)).columns
    lines = [f"# {k}: {v}" for k, v in metadata.items() if k not in ("measures", "grid_values")]
    shown = df if len(df) <= max_rows else df.head(max_rows // 2)
    columns: list = []
    for col in df.columns:
        trial = shown[columns + [col]]
        with pd.option_context("display.max_colwidth", 120):
            text = trial.to_string(index=False)
        if columns and max(len(line) for line in text.splitlines()) > width:
            break
        columns.append(col)
    with pd.option_context("display.max_colwidth", 120):
        body = shown[columns].to_string(index=False)
    notes = []
    if len(shown) < len(df):
        notes.append(f"{len(df) - len(shown):,} more rows")
    if len(columns) < len(df.columns):
        rest = [str(c) for c in df.columns[len(columns):]]
        notes.append(f"{len(rest)} more columns ({', '.join(rest[:6])}{', ...' if len(rest) > 6 else ''})")
    tail = [f"# {' and '.join(notes)}: write the whole table with -o FILE.csv or FILE.parquet"] if notes else []
    return "\n".join(lines + [body] + tail) + "\n"
