"""docs/guide.md stays true: every ```python cell runs, in order, in one namespace (as a notebook's cells
would), and the ```text block that follows a cell is exactly what the cell prints. A cell marked
``# approximate output`` (a sampled result, which a new sampler version may move by a little) is compared number
by number within 5%, its words exactly.

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

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide.md"

#: A python cell, optionally followed (after blank lines only) by the text block of what it prints.
CELL = re.compile(r"```python\n(?P<code>.*?)```\n(?P<gap>\s*)(?:```text\n(?P<out>.*?)```\n)?", re.S)


REPO = GUIDE.parents[1]


def run_cells(text: str, workdir: Path = REPO):
    """Run the guide's python cells in ``workdir`` (the repository, as a student would); yield (match, output)."""
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


NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*(?:[eE][-+]?\d+)?)")


def _close(printed: str, shown: str, rel: float = 0.05) -> bool:
    """Same words, and numbers within ``rel`` of each other."""
    a, b = " ".join(printed.split()), " ".join(shown.split())
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
        x, y = float(x.replace(",", "")), float(y.replace(",", ""))
        if abs(x - y) > rel * max(abs(x), abs(y)) + 1e-12:
            return False
    return True


def test_approximate_comparison():
    assert _close("5,232 functions, mass 0.254", "5,275 functions, mass 0.255")
    assert not _close("5,232 functions, mass 0.254", "5,275 functions, mass 0.355")
    assert not _close("5,232 functions", "5,232 samples")


def _listing() -> set:
    return {p.relative_to(REPO) for folder in (REPO, REPO / "docs", REPO / "tables") for p in folder.iterdir()}


@pytest.mark.parametrize("workdir", [REPO, REPO / "docs"], ids=["from the root", "from docs"])
def test_every_cell_runs_and_prints_what_the_guide_shows(workdir):
    text = GUIDE.read_text(encoding="utf-8")
    n_cells = 0
    before = _listing()
    for match, printed in run_cells(text, workdir):
        n_cells += 1
        code = match.group("code").strip().splitlines()[0]
        if match.group("out") is None:
            assert printed == "", f"cell starting {code!r} prints but the guide shows no output:\n{printed}"
        elif "# approximate output" in match.group("code"):
            assert _close(printed, match.group("out")), f"cell starting {code!r} now prints:\n{printed}"
        else:
            assert _lines(printed) == _lines(match.group("out")), f"cell starting {code!r} now prints:\n{printed}"
    assert n_cells >= 10
    assert _listing() == before, "the guide's cells must not write files into the repository"


def test_pictures_exist_and_say_how_they_are_made():
    text = GUIDE.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text)
    assert len(images) >= 3
    for image in images:
        path = GUIDE.parent / image
        assert path.is_file() and path.stat().st_size < 400_000, image
        flat = " ".join(text.split())
        makers = (f"-o docs/{image}", f"--plot docs/{image}", f'path="docs/{image}"')   # CLI, or a Python call
        assert any(m in flat for m in makers), f"no command that makes {image}"


def update() -> None:
    """Rewrite the guide's printed blocks with what the cells print now."""
    text = GUIDE.read_text(encoding="utf-8")
    pieces, last = [], 0
    for match, printed in run_cells(text):
        pieces.append(text[last:match.start()])
        block = f"```python\n{match.group('code')}```\n"
        if printed:
            block += "\n```text\n" + "\n".join(_lines(printed)) + "\n```\n"
            if match.group("out") is None:
                block += match.group("gap")  # the blank lines the pattern took after the code
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
