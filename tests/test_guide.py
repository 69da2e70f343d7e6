"""docs/guide.md stays true: every ```python cell runs, in order, in one namespace (as a notebook's cells
would), and the ```text block that follows a cell is exactly what the cell prints.

The guide is a Markdown notebook (it opens in Jupyter through Jupytext). After editing it, refresh the printed
blocks with ``python tests/test_guide.py --update`` and read the diff before committing it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide.md"

#: A python cell, optionally followed (after blank lines only) by the text block of what it prints.
CELL = re.compile(r"```python\n(?P<code>.*?)```\n(?P<gap>\s*)(?:```text\n(?P<out>.*?)```\n)?", re.S)


def run_cells(text: str, workdir: Path):
    """Run the guide's python cells in ``workdir``; yield (match, printed output) per cell."""
    namespace = {"__name__": "__guide__"}
    old = Path.cwd()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(workdir)
    try:
        for match in CELL.finditer(text):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(match.group("code"), f"{GUIDE.name}:cell", "exec"), namespace)
            yield match, buf.getvalue()
    finally:
        os.chdir(old)


def _lines(s: str) -> list[str]:
    return [line.rstrip() for line in s.rstrip().splitlines()]


def test_every_cell_runs_and_prints_what_the_guide_shows(tmp_path):
    text = GUIDE.read_text(encoding="utf-8")
    n_cells = 0
    for match, printed in run_cells(text, tmp_path):
        n_cells += 1
        code = match.group("code").strip().splitlines()[0]
        if match.group("out") is None:
            assert printed == "", f"cell starting {code!r} prints but the guide shows no output:\n{printed}"
        else:
            assert _lines(printed) == _lines(match.group("out")), f"cell starting {code!r} now prints:\n{printed}"
    assert n_cells >= 10


def test_pictures_exist_and_say_how_they_are_made():
    text = GUIDE.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text)
    assert len(images) >= 3
    for image in images:
        path = GUIDE.parent / image
        assert path.is_file() and path.stat().st_size < 400_000, image
        assert f"-o docs/{image}" in text.replace("\n", " "), f"no command that makes {image}"


def update() -> None:
    """Rewrite the guide's printed blocks with what the cells print now."""
    import tempfile

    text = GUIDE.read_text(encoding="utf-8")
    pieces, last = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for match, printed in run_cells(text, Path(tmp)):
            pieces.append(text[last:match.start()])
            block = f"```python\n{match.group('code')}```\n"
            if printed:
                block += "\n```text\n" + "\n".join(_lines(printed)) + "\n```\n"
            else:
                block += match.group("gap") if match.group("out") is None else "\n"
            pieces.append(block)
            last = match.end()
    pieces.append(text[last:])
    GUIDE.write_text("".join(pieces), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_guide.py --update")
    update()
