"""The API reference builds from the docstrings without a single warning."""

import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api"


def test_api_reference_builds_without_warnings(tmp_path):
    out = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                          str(tmp_path / "html")], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-4000:]
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    for name in ("volume_table", "exact_table", "sample_table", "read_table", "levin_fit", "truth_tables"):
        assert f"boolnet.{name}" in page, name
    shutil.rmtree(tmp_path / "html", ignore_errors=True)
