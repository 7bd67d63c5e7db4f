"""tools/workspace.py: the learner's workspace my-work/, filled from the student edition.

The sync is tested on small synthetic editions (fast); main() once on copies of two course
notebooks, through tools/student.py, as `make workspace` runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import workspace
from tools.workspace import MANIFEST, describe, sync

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def edition(tmp_path) -> Path:
    folder = tmp_path / "edition"
    write(folder / "01_a.ipynb", "a, first version\n")
    write(folder / "02_b.ipynb", "b, first version\n")
    return folder


def run(edition: Path, dest: Path) -> tuple[workspace.Report, str]:
    report = sync(edition, dest)
    return report, "\n".join(describe(report, dest))


def test_first_use_copies_the_edition_and_records_each_copy(edition, tmp_path):
    dest = tmp_path / "my-work"
    report, text = run(edition, dest)
    assert report.first_use and report.added == ["01_a.ipynb", "02_b.ipynb"]
    assert (dest / "01_a.ipynb").read_text() == "a, first version\n"
    manifest = json.loads((dest / MANIFEST).read_text())
    assert set(manifest["files"]) == {"01_a.ipynb", "02_b.ipynb"}
    assert manifest["files"]["01_a.ipynb"]["sha256"] == workspace.sha256(edition / "01_a.ipynb")
    assert "filled with the student edition (2 files added)" in text
    report, text = run(edition, dest)
    assert not report.first_use and report.unchanged == ["01_a.ipynb", "02_b.ipynb"]
    assert text.endswith("2 files of the student edition: up to date")


def test_an_edited_notebook_is_kept_and_named_every_time(edition, tmp_path):
    dest = tmp_path / "my-work"
    run(edition, dest)
    write(dest / "01_a.ipynb", "a, with my answer\n")
    for _ in range(2):  # the copy's hash stays recorded: a second run keeps it too
        report, text = run(edition, dest)
        assert report.kept == {"01_a.ipynb": False}
        assert (dest / "01_a.ipynb").read_text() == "a, with my answer\n"
        assert "1 kept as you changed them" in text
        assert "  kept     01_a.ipynb (changed by you)" in text.splitlines()


def test_new_course_versions_update_unchanged_copies_only(edition, tmp_path):
    dest = tmp_path / "my-work"
    run(edition, dest)
    write(dest / "02_b.ipynb", "b, with my answer\n")
    write(edition / "01_a.ipynb", "a, second version\n")
    write(edition / "02_b.ipynb", "b, second version\n")
    write(edition / "03_c.ipynb", "c, new\n")
    report, text = run(edition, dest)
    assert report.updated == ["01_a.ipynb"] and report.added == ["03_c.ipynb"]
    assert report.kept == {"02_b.ipynb": True}
    assert (dest / "01_a.ipynb").read_text() == "a, second version\n"
    assert (dest / "02_b.ipynb").read_text() == "b, with my answer\n"
    assert (dest / "03_c.ipynb").read_text() == "c, new\n"
    lines = text.splitlines()
    assert lines[0].endswith(
        "3 files of the student edition: 1 added, 1 updated, 1 kept as you changed them"
    )
    assert "  added    03_c.ipynb (new in the course)" in lines
    assert any(ln.startswith("  updated  01_a.ipynb (you had not changed it") for ln in lines)
    assert any(
        ln.startswith("  kept     02_b.ipynb (changed by you; the course's version changed too")
        for ln in lines
    )
    # the learner takes the new version by renaming theirs
    (dest / "02_b.ipynb").rename(dest / "02_b-mine.ipynb")
    report, _ = run(edition, dest)
    assert report.restored == ["02_b.ipynb"] and not report.kept
    assert (dest / "02_b.ipynb").read_text() == "b, second version\n"
    assert (dest / "02_b-mine.ipynb").read_text() == "b, with my answer\n"


def test_a_deleted_notebook_comes_back_fresh(edition, tmp_path):
    dest = tmp_path / "my-work"
    run(edition, dest)
    (dest / "01_a.ipynb").unlink()
    report, text = run(edition, dest)
    assert report.restored == ["01_a.ipynb"]
    assert "  restored 01_a.ipynb (it was missing: a fresh copy)" in text.splitlines()


def test_a_file_that_was_there_first_is_never_overwritten(edition, tmp_path):
    dest = tmp_path / "my-work"
    write(dest / "01_a.ipynb", "mine, from before\n")
    report, text = run(edition, dest)
    assert report.first_use and report.foreign == ["01_a.ipynb"] and report.added == ["02_b.ipynb"]
    assert (dest / "01_a.ipynb").read_text() == "mine, from before\n"
    assert "1 file added, 1 already there kept" in text
    assert "01_a.ipynb" not in json.loads((dest / MANIFEST).read_text())["files"]
    report, _ = run(edition, dest)
    assert report.foreign == ["01_a.ipynb"]


def test_an_unreadable_manifest_keeps_everything(edition, tmp_path, capsys):
    dest = tmp_path / "my-work"
    run(edition, dest)
    write(edition / "01_a.ipynb", "a, second version\n")
    write(dest / MANIFEST, "{not json")
    report, _ = run(edition, dest)
    assert report.foreign == ["01_a.ipynb"] and report.unchanged == ["02_b.ipynb"]
    assert (dest / "01_a.ipynb").read_text() == "a, first version\n"
    assert "cannot be read" in capsys.readouterr().err


def test_learner_files_checkpoints_and_hidden_files_are_left_alone(edition, tmp_path):
    dest = tmp_path / "my-work"
    write(edition / ".hidden", "not copied\n")
    write(edition / "data" / "points.csv", "x,y\n1,2\n")
    run(edition, dest)
    assert (dest / "data" / "points.csv").is_file() and not (dest / ".hidden").exists()
    mine = write(dest / "my_notes.ipynb", "mine\n")
    checkpoint = write(dest / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb", "old\n")
    write(edition / "01_a.ipynb", "a, second version\n")
    run(edition, dest)
    assert mine.read_text() == "mine\n" and checkpoint.read_text() == "old\n"
    assert not list(dest.glob(".*.tmp")), "a temporary file was left behind"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_copies_are_readable_like_any_file(edition, tmp_path):
    dest = tmp_path / "my-work"
    run(edition, dest)
    for path in (dest / "01_a.ipynb", dest / MANIFEST):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


# -- main(): the real student edition, as `make workspace` builds it ----------------------------


def course_notebook(path: Path, answer: str) -> Path:
    """A small instructor-edition notebook with one exercise."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 99 · Test"),
            new_code_cell("import gdhelpers as gd"),
            new_code_cell(
                "def f(x):\n    ### BEGIN SOLUTION\n    return " + answer + "\n    ### END SOLUTION"
            ),
            new_code_cell('gd.check("01.mse_gradient", f)'),
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_main_builds_the_student_edition_then_keeps_an_edited_notebook(tmp_path, capsys):
    src, dest = tmp_path / "notebooks", tmp_path / "my-work"
    src.mkdir()
    first = Path(shutil.copy(ROOT / "notebooks" / "00_setup_check.ipynb", src))
    second = course_notebook(src / "98_exercise.ipynb", "2 * x")
    third = course_notebook(src / "99_other.ipynb", "3 * x")

    assert workspace.main(["--dest", str(dest), str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "filled with the student edition (2 files added)" in out
    student = nbformat.read(dest / "98_exercise.ipynb", as_version=4)
    assert student.metadata["course_edition"] == "student"
    assert "raise NotImplementedError" in student.cells[2].source
    assert "return 2 * x" not in student.cells[2].source

    # the learner solves the exercise and saves; the course changes 00 and gains a notebook
    student.cells[2].source = "def f(x):\n    return 2 * x  # my answer"
    nbformat.write(student, dest / "98_exercise.ipynb")
    nb = nbformat.read(first, as_version=4)
    nb.cells.insert(1, new_markdown_cell("A new paragraph of the course."))
    nbformat.write(nb, first)
    assert workspace.main(["--dest", str(dest), str(first), str(second), str(third)]) == 0
    out = capsys.readouterr().out
    assert "1 added, 1 updated, 1 kept as you changed them" in out
    assert "  kept     98_exercise.ipynb (changed by you)" in out.splitlines()
    assert "  added    99_other.ipynb (new in the course)" in out.splitlines()
    assert "my answer" in (dest / "98_exercise.ipynb").read_text()
    assert "A new paragraph of the course." in (dest / "00_setup_check.ipynb").read_text()


def test_main_changes_nothing_when_the_edition_cannot_be_built(tmp_path, capsys):
    dest = tmp_path / "my-work"
    broken = course_notebook(tmp_path / "notebooks" / "97_broken.ipynb", "1")
    broken.write_text(broken.read_text().replace("### END SOLUTION", "## END SOLUTION"))
    assert workspace.main(["--dest", str(dest), str(broken)]) == 1
    err = capsys.readouterr().err
    assert "looks like a solution marker" in err and "nothing changed" in err
    assert not dest.exists()


def test_main_refuses_to_use_the_instructor_edition_as_workspace(capsys):
    assert workspace.main(["--dest", str(ROOT / "notebooks")]) == 2
    assert "must not be notebooks/" in capsys.readouterr().err
