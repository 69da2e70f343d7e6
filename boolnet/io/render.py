"""Tables for a terminal: the options, then the rows and the columns that matter, within its width."""

from __future__ import annotations

import textwrap

#: Rows printed in full when a table goes to a terminal; longer tables show their head and a note.
PRINT_ROWS = 60
#: Columns a table exists for, shown right after ``function`` (the inequalities of a regions table).
POINT_COLUMNS = ("inequalities", "inequalities_latex")
#: Columns shown next: the probability, then the measures the table was asked for (from its metadata).
FIRST_COLUMNS = ("probability", "count")


def column_order(df, metadata: dict) -> list:
    """The order in which a terminal shows ``df``'s columns: what the table is for, first.

    ``function``, then the point of the table (a regions table's inequalities), then the
    probability and count, then the measures named in the metadata, then the rest.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame(columns=["function", "probability", "probability_low", "facets", "lz", "ones"])
    >>> column_order(df, {"measures": ["lz", "ones"]})
    ['function', 'probability', 'lz', 'ones', 'probability_low', 'facets']
    """
    measures = metadata.get("measures") if isinstance(metadata.get("measures"), list) else []
    wanted = ["function", *POINT_COLUMNS, *FIRST_COLUMNS, *measures]
    first = [c for c in dict.fromkeys(wanted) if c in df.columns]
    return first + [c for c in df.columns if c not in first]


def format_table(df, metadata: dict, max_rows: int = PRINT_ROWS, width: int | None = None) -> str:
    """A readable rendering for a terminal: the options, then the rows and columns that fit.

    Columns come in :func:`column_order` (what the table is for, first). Tables of more
    than ``max_rows`` rows show their first rows; a long text column is cut to the
    width left; columns that would make a line wider than the terminal are left out. A
    closing line says what was left out and how to get everything (``-o FILE.csv`` or
    ``.parquet``). Option lines wrap at the width.

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

    width = max(40, width or shutil.get_terminal_size((120, 40)).columns)
    lines = []
    for key, value in metadata.items():
        if key not in ("measures", "grid_values"):
            lines += textwrap.wrap(f"# {key}: {value}", width, subsequent_indent="#   ", break_on_hyphens=False)
    shown = df if len(df) <= max_rows else df.head(max_rows // 2)
    order = column_order(df, metadata)
    columns: list = []

    def render(cols, colwidth):
        with pd.option_context("display.max_colwidth", colwidth):
            return shown[cols].to_string(index=False)

    for col in order:
        text = render(columns + [col], 120)
        if columns and max(len(line) for line in text.splitlines()) > width:
            if col in POINT_COLUMNS:  # the point of the table: cut to the width left rather than left out
                used = max(len(line) for line in render(columns, 120).splitlines())
                text = render(columns + [col], max(12, width - used - 2))
                if max(len(line) for line in text.splitlines()) <= width:
                    columns.append(col)
                    continue
            break
        columns.append(col)
    body = render(columns, max(12, width - 12))
    notes = []
    if len(shown) < len(df):
        notes.append(f"{len(df) - len(shown):,} more rows")
    if len(columns) < len(order):
        rest = [str(c) for c in order[len(columns):]]
        notes.append(f"{len(rest)} more columns ({', '.join(rest[:6])}{', ...' if len(rest) > 6 else ''})")
    tail = textwrap.wrap(f"# {' and '.join(notes)}: write the whole table with -o FILE.csv or FILE.parquet", width,
                         subsequent_indent="#   ") if notes else []
    return "\n".join(lines + [body] + tail) + "\n"
