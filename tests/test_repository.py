"""Repository-level promises: the course notebooks are committed executed and clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_recorded_top_to_bottom_and_clean(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-record it: make record NB=" + path.name
    outputs = json.dumps([c["outputs"] for c in code])
    for pattern in (
        r"Traceback \(most recent call last\)",
        r"/tmp/ipykernel_\d+",
        r"/(root|home|work)/",
        r" at 0x[0-9a-f]{6,}",
    ):
        assert not re.search(pattern, outputs), f"{path.name}: output matches {pattern!r}"
    assert all("execution" not in c["metadata"] for c in code), "timings recorded"
    assert nb["cells"][0]["cell_type"] == "markdown" and nb["cells"][0]["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_setup_cell(path):
    nb = json.loads(path.read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "import gdhelpers as gd" in "".join(first["source"])


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    missing = [p.name for p in NOTEBOOKS if p.name not in readme]
    assert not missing, f"README.md does not list {missing}"


def test_ci_runs_the_readme_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
