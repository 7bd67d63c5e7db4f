"""tools/teaching_tables.py: the generated tables of docs/teaching.md (issue 17, item 16).

Its tables for a small made-up course, written out by hand; the real docs/teaching.md in step
with the notebooks; a stale table fails ``--check``; paths do not depend on the current folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import teaching_tables as tt

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "teaching.md"

HINTS = {
    "01.slope": "Differentiate w². Then multiply.",
    "01.step": "Subtract lr times the slope.",
    "01.nudge": "Move w a little. Then check.",
    "03.later": "Use the chain rule. Then more.",
}

EXPECTED_NOTEBOOKS = """\
| notebook | title | runs in | exercises | class time (rough) |
| --- | --- | --- | --- | --- |
| `01_first.ipynb` | 01 · First steps | 7 s | 3 | ~30 min |
| `02_second.ipynb` | 02_second | TBD | 0 | ~5 min |"""

EXPECTED_EXERCISES = """\
| nb | exercise (`gd.check` name) | learners write | title in the notebook |
| --- | --- | --- | --- |
| 01 | `01.slope` | `slope(x, w)` | The slope |
| 01 | `01.step` | `step(w, lr)` | Take one step. Then stop. |
| 01 | `01.nudge` | `nudge(w)` | Move w a little. |
| 03 | `03.later` | (notebook not written yet) | hint: Use the chain rule. |"""


def _course(folder: Path) -> list[Path]:
    """Two notebooks: 10 words of Markdown and three exercises; then no heading, no exercise."""
    first = new_notebook(
        cells=[
            new_markdown_cell("# 01 · *First* steps"),
            new_markdown_cell("## Exercise 1: the slope"),
            new_code_cell(
                'def slope(x, w):\n    """The slope."""\n    ### BEGIN SOLUTION\n'
                "    return 2 * x * w\n    ### END SOLUTION"
            ),
            new_code_cell('gd.check("01.slope", slope)'),
            new_code_cell(
                'def step(w, lr):\n    """Take one step. Then stop."""\n    ### BEGIN SOLUTION\n'
                "    return w - lr\n    ### END SOLUTION"
            ),
            new_code_cell("gd.check('01.step', step)"),
            new_code_cell(
                "def nudge(w):\n    ### BEGIN SOLUTION\n    return w\n    ### END SOLUTION"
            ),
            new_code_cell('gd.check("01.nudge", nudge)'),
        ]
    )
    second = new_notebook(cells=[new_markdown_cell("No heading here."), new_code_cell("1 + 1")])
    paths = [folder / "01_first.ipynb", folder / "02_second.ipynb"]
    for path, nb in zip(paths, (first, second), strict=True):
        nbformat.write(nb, path)
    return paths


def test_the_tables_of_a_small_course(tmp_path):
    tables = tt.make_tables(_course(tmp_path), hints=HINTS, times={"01_first.ipynb": "7 s"})
    assert tables == {"notebooks": EXPECTED_NOTEBOOKS, "exercises": EXPECTED_EXERCISES}


def test_timings_are_read_from_the_student_edition_log_and_from_the_table():
    log = (
        "tests/test_student_edition.py timing: 01_first.ipynb student edition executed in 7.4 s\n"
        "timing: 02_second.ipynb student edition executed in 12.6 s\nother line 3.0 s\n"
    )
    assert tt.read_timings(log) == {"01_first.ipynb": "7 s", "02_second.ipynb": "13 s"}
    doc = _block("notebooks", EXPECTED_NOTEBOOKS)
    assert tt.recorded_timings(doc) == {"01_first.ipynb": "7 s", "02_second.ipynb": "TBD"}


def _block(key: str, table: str) -> str:
    return f"<!-- BEGIN GENERATED {key} -->\n{table}\n<!-- END GENERATED {key} -->"


def _doc(path: Path, notebooks: str, exercises: str) -> Path:
    blocks = _block("notebooks", notebooks), _block("exercises", exercises)
    path.write_text(f"# Teaching\n\n{blocks[0]}\n\ntext between\n\n{blocks[1]}\n")
    return path


def test_main_fills_the_blocks_keeps_recorded_times_and_then_checks_clean(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(tt, "course_hints", lambda: HINTS)
    _course(tmp_path)
    old_rows = EXPECTED_NOTEBOOKS.replace("| 3 | ~30 min |", "| 1 | ~15 min |")
    doc = _doc(tmp_path / "teaching.md", old_rows, "stale")
    args = ["--doc", str(doc), "--notebooks", str(tmp_path)]
    assert tt.main([*args, "--check"]) == 1
    assert "notebooks and exercises table(s)" in capsys.readouterr().err
    assert tt.main(args) == 0
    assert (
        doc.read_text()
        == _doc(tmp_path / "want.md", EXPECTED_NOTEBOOKS, EXPECTED_EXERCISES).read_text()
    )
    assert tt.main([*args, "--check"]) == 0


def test_a_timings_log_updates_the_runs_in_column(tmp_path, monkeypatch):
    monkeypatch.setattr(tt, "course_hints", lambda: HINTS)
    _course(tmp_path)
    doc = _doc(tmp_path / "teaching.md", EXPECTED_NOTEBOOKS, EXPECTED_EXERCISES)
    log = tmp_path / "timings.log"
    log.write_text("timing: 02_second.ipynb student edition executed in 31.2 s\n")
    assert tt.main([str(log), "--doc", str(doc), "--notebooks", str(tmp_path)]) == 0
    assert "| `02_second.ipynb` | 02_second | 31 s | 0 | ~5 min |" in doc.read_text()
    assert "| `01_first.ipynb` | 01 · First steps | 7 s |" in doc.read_text()


def test_the_real_document_is_in_step_with_the_notebooks_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths come from the repository root, not the current folder
    before = DOC.read_bytes()
    assert tt.main(["--check"]) == 0, "run `.venv/bin/python -m tools.teaching_tables`"
    assert DOC.read_bytes() == before


@pytest.mark.parametrize(
    ("old", "new", "stale"),
    [
        ("| 8 s | 2 | ~50 min |", "| 8 s | 3 | ~50 min |", "notebooks"),
        (
            "| `02.train_step` | `train_step(w, x, y, lr)`",
            "| `02.train_step` | `train_step(w)`",
            "exercises",
        ),
    ],
    ids=["notebooks", "exercises"],
)
def test_a_stale_table_of_the_real_document_fails_the_check(tmp_path, capsys, old, new, stale):
    doc = tmp_path / "teaching.md"
    text = DOC.read_text()
    assert text.count(old) == 1
    doc.write_text(text.replace(old, new))
    assert tt.main(["--check", "--doc", str(doc)]) == 1
    err = capsys.readouterr().err
    assert f"the {stale} table(s) of {doc} are out of date" in err
    assert "python -m tools.teaching_tables" in err
    assert doc.read_text() == text.replace(old, new)  # --check writes nothing
    assert tt.main(["--doc", str(doc)]) == 0
    assert doc.read_text() == text


def test_a_document_without_the_markers_is_refused(tmp_path, capsys):
    doc = tmp_path / "teaching.md"
    shutil.copy(DOC, doc)
    doc.write_text(doc.read_text().replace("<!-- END GENERATED exercises -->", ""))
    before = doc.read_text()
    assert tt.main(["--doc", str(doc)]) == 2
    assert (
        "the document must hold a '<!-- BEGIN GENERATED exercises -->' line and a "
        "'<!-- END GENERATED exercises -->' line after it; got none instead."
    ) in capsys.readouterr().err
    assert doc.read_text() == before
