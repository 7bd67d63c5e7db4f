"""tools/grade*.py (`make grade`) and SOLUTIONS=off: a synthetic class, graded for real.

The class is built here from the student edition of notebook 01 (the fastest notebook with
exercises) and the instructor solutions: the instructor edition itself (full marks), a partly
correct student with the typical 4x gradient (a sum where the mean was needed), and tiny
notebooks for a missing ``zero_()`` (notebook 02) and every broken case of issue 15. Three
grading runs at once (RUNS): the class with the default time limits, and each timeout case with
the smallest limits that show it. The exact CSV rows are asserted. `make test-editions`
(GD_EDITIONS=1) grades the whole instructor edition.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import gdhelpers as gd
from tools import grade, grade_judge, grade_report, grade_run, student
from tools.grade_course import course_key, identify, number_in_name

ROOT = Path(__file__).resolve().parents[1]
NB01 = ROOT / "notebooks" / "01_numpy_gradient_descent.ipynb"
NB02 = ROOT / "notebooks" / "02_autograd.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

GRAD_OK = (
    "import numpy as np\n\ndef mse_gradient(x, y, w):\n    return np.mean(2 * x * (w * x - y))\n"
)
GRAD_4X = "def mse_gradient(x, y, w):\n    return np.sum(2 * x * (w * x - y))\n"
NO_ZERO = """import torch

def train_step(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    return loss.item()
"""
FOUR_X = (
    "your gradient is n times too large, n the number of samples (4 times with 4 samples, "
    "3 times with 3, 6 times with 6): you summed over the samples where the mean was needed."
)


FORGER = """import glob, json, os, threading, time
from IPython.display import publish_display_data

def forge():
    while True:
        for e in ("01.mse_gradient", "01.contraction_factor"):
            fake = {"exercise": e, "verdict": "correct", "message": "", "mac": "0" * 64}
            publish_display_data({"application/vnd.gd-grade.verdict+json": fake})
            print(json.dumps(fake))
            bad = {**fake, "verdict": "incorrect", "message": "copied from another student"}
            for path in glob.glob("../gd-grade-*/**", recursive=True):
                try:
                    if os.path.isdir(path):
                        path = os.path.join(path, "results.jsonl")
                    with open(path, "a") as f:
                        f.write(json.dumps(bad) + "\\n")
                except OSError:
                    pass
        time.sleep(0.02)

threading.Thread(target=forge, daemon=True).start()
"""
EVE = """import gdhelpers as gd
gd.check = lambda *args, **kwargs: print("Correct!") or True
def mse_gradient(x, y, w):
    return 0.0
gd.check("01.mse_gradient", mse_gradient)
"""
MIKE = """import gdhelpers.exercises as ex
ex._load_all()
for name in list(ex._core._REGISTRY):
    entry = ex._core._REGISTRY[name]
    object.__setattr__(entry, "checker", lambda f: None)
def mse_gradient(x, y, w):
    return 0.0
"""


def tiny(*sources: str) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_code_cell(s) for s in sources])


def write(path: Path, nb: nbformat.NotebookNode | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb if isinstance(nb, str) else nbformat.writes(nb), encoding="utf-8")


def solved(student_nb: nbformat.NotebookNode, **sources: str) -> nbformat.NotebookNode:
    """The student edition with the instructor's solutions, or ``sources`` by cell id."""
    instructor = {c.get("id"): c.source for c in nbformat.read(NB01, as_version=4).cells}
    nb = copy.deepcopy(student_nb)
    for cell in nb.cells:
        if student.PLACEHOLDER[1] in cell.source:
            cell.source = sources.get(cell.id, instructor[cell.id])
    return nb


def rows_of(out: Path) -> list[tuple[str, ...]]:
    return [
        tuple(r.values()) for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))
    ]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- fast: no kernel


def test_course_key_comes_from_the_registry_and_the_instructor_edition():
    key = course_key()
    assert key["01"].filename == NB01.name
    assert key["01"].exercises == (
        ("01.mse_gradient", "mse_gradient"),
        ("01.contraction_factor", "contraction_factor"),
    )
    assert "00" not in key  # no exercises
    gd.exercises._load_all()
    graded = {e for book in key.values() for e, _ in book.exercises}
    assert graded == set(gd.exercises._core._REGISTRY)


def test_a_notebook_is_identified_by_its_content():
    key = course_key()
    assert identify(nbformat.read(NB02, as_version=4), key) == "02"
    assert identify(tiny(GRAD_OK), key) == "01"  # an exercise function is a vote
    assert identify(tiny('gd.check("07.relative_error", f)'), key) == "07"
    assert identify(tiny("def train_step(): ...", GRAD_OK), key) is None  # a tie
    assert identify(tiny("print(1)"), key) is None
    assert [number_in_name(n) for n in ("01_x.ipynb", "01.ipynb", "1_x.ipynb", "012.ipynb")] == [
        "01",
        "01",
        None,
        None,
    ]


def test_both_namings_are_found_and_every_other_file_is_skipped_with_a_reason(tmp_path):
    names = ("bob/02_autograd.ipynb", "bob/01_x.ipynb", "ann__01_x.ipynb", "eve__x.ipynb")
    skipped_names = ("01_x.ipynb", "__01_x.ipynb", "a.txt", "nest/week1/01_x.ipynb")
    duplicates = ("dup/01_x.ipynb", "dup/01_x_v2.ipynb", "dup__01_x.ipynb")
    for name in (*names, "up__01_x.IPYNB", *skipped_names, *duplicates):
        write(tmp_path / name, "{}")
    for ignored in ("bob/.ipynb_checkpoints/01_x-checkpoint.ipynb", ".hidden.ipynb"):
        write(tmp_path / ignored, "{}")
    found, skipped = grade.find_submissions(tmp_path)
    assert [(s.student, s.label, s.name_number) for s in found] == [
        ("ann", "ann__01_x.ipynb", "01"),
        ("bob", "bob/01_x.ipynb", "01"),
        ("bob", "bob/02_autograd.ipynb", "02"),
        ("dup", "dup/01_x.ipynb", "01"),
        ("eve", "eve__x.ipynb", None),
        ("up", "up__01_x.IPYNB", "01"),
    ]
    again = "dup handed in notebook 01 more than once; dup/01_x.ipynb is graded, not this file"
    assert [(s.label, s.student, s.reason) for s in skipped] == [
        ("01_x.ipynb", "", f"no student name: name it <student>__01_x.ipynb (or put it in a "
         f"folder <student>/); expected {grade.NAMING}"),
        ("__01_x.ipynb", "", f"no student name: name it <student>__01_x.ipynb (or put it in a "
         f"folder <student>/); expected {grade.NAMING}"),
        ("a.txt", "", "not a notebook (.ipynb)"),
        ("dup/01_x_v2.ipynb", "dup", f"duplicate: {again} (remove one to choose)"),
        ("dup__01_x.ipynb", "dup", f"duplicate: {again} (remove one to choose)"),
        ("nest/week1/01_x.ipynb", "nest",
         "in a folder inside a student's folder; move it to nest/01_x.ipynb"),
    ]  # fmt: skip


def test_skipped_files_are_printed_and_listed(tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "01_x.ipynb", "{}")
    assert grade.main([str(subs), "--out", str(out)]) == 1
    assert "skipped 01_x.ipynb: no student name: name it <student>__01_x.ipynb" in (
        capsys.readouterr().out
    )
    write(subs / "zed__99.ipynb", tiny("print(1)"))
    assert grade.main([str(subs), "--out", str(out), "--force", "true"]) == 0
    printed = capsys.readouterr().out
    assert "1 files skipped" in printed and "  01_x.ipynb: no student name" in printed
    assert (
        (out / "skipped.csv")
        .read_text()
        .splitlines()[1]
        .startswith("01_x.ipynb,,no student name: name it <student>__01_x.ipynb")
    )
    assert grade.main([str(subs), "--out", str(out), "--force", "maybe"]) == 2
    assert "FORCE must be 1, yes, true or on (or 0, no, false, off); got 'maybe' instead." in (
        capsys.readouterr().err
    )


def test_an_empty_error_message_gets_no_stray_colon():
    book = course_key()["01"]
    reply = {"content": {"status": "error", "ename": "MemoryError", "evalue": ""}}
    outcome = grade_judge.judge(book, 1, grade_run.Limits(), {0: reply}, 3, None, {})
    assert outcome.notes == ["code cell 1 raised MemoryError (more memory than the limit of 4 GB)"]


def test_shards_split_the_students_deterministically():
    subs = [grade.Submission(s, Path(f"{s}{k}"), None) for s in "edcba" for k in (1, 2)]
    shards = [grade.in_shard(subs, i, 3) for i in (1, 2, 3)]
    assert [sorted({s.student for s in shard}) for shard in shards] == [
        ["a", "d"],
        ["b", "e"],
        ["c"],
    ]
    assert sorted(s.path.name for shard in shards for s in shard) == sorted(
        s.path.name for s in subs
    )
    for bad in ("0/2", "3/2", "1", "a/b"):
        with pytest.raises(ValueError, match="SHARD must be i/n with 1 <= i <= n"):
            grade.parse_shard(bad)


def test_bad_arguments_are_refused(tmp_path, capsys):
    assert grade.main([""]) == 2
    assert "SUBMISSIONS must be a folder of submitted notebooks; got ''" in capsys.readouterr().err
    assert grade.main([str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "OUT must be outside the submissions folder" in capsys.readouterr().err
    assert grade.main([str(tmp_path), "--shard", "2/1"]) == 2
    assert grade.main([str(tmp_path), "--out", str(tmp_path.parent / "o"), "--jobs", "0"]) == 2
    assert grade.main([str(tmp_path), "--out", str(tmp_path.parent / "o")]) == 1
    assert "no submissions in" in capsys.readouterr().out


def test_report_summary_and_feedback():
    rows = [
        grade_report.row("ann", "01", "01.a", "correct"),
        grade_report.row("bob", "01", "01.a", "incorrect", "too large"),
        grade_report.row("cid", "01", "01.a", "incorrect", "too large"),
        grade_report.row("dan", "01", "01.a", "error", "your code raised X"),
    ]
    assert grade_report.summary_lines(rows) == [
        "01.a: 1/4 correct; most common mistake (2x): too large"
    ]
    text = grade_report.feedback_text("bob", rows[1:2], {"01": ["code cell 3 raised X: y|z"]})
    assert "| 01.a | 0 | incorrect | too large |" in text
    assert "## Notebook 01: 0 / 1 points" in text and "* code cell 3 raised X: y|z" in text
    assert grade_report.csv_text(rows[:1]) == (
        "student,notebook,exercise,points,verdict,reason\nann,01,01.a,1,correct,\n"
    )


def test_unreadable_and_wrong_notebooks_need_no_kernel_and_are_cached(tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write(subs / "dave__01_x.ipynb", "{not json")
    write(subs / "carol" / "01_numpy_gradient_descent.ipynb", nbformat.read(NB02, as_version=4))
    write(subs / "zed__99.ipynb", tiny("print(1)"))
    assert grade.main([str(subs), "--out", str(out)]) == 0
    first = rows_of(out)
    printed = capsys.readouterr().out
    assert "3 to grade, 0 already graded" in printed
    assert "grade: carol: carol/01_numpy_gradient_descent.ipynb: 0/2 (" in printed
    wrong = (
        "this file holds notebook 02 (02_autograd.ipynb), not notebook 01: "
        "hand in 01_numpy_gradient_descent.ipynb"
    )
    unreadable = (
        "the file is not a readable notebook (NotJSONError: Notebook does not appear to be "
        "JSON: '{not json')"
    )
    assert first == [
        ("carol", "01", "01.contraction_factor", "0", "wrong notebook", wrong),
        ("carol", "01", "01.mse_gradient", "0", "wrong notebook", wrong),
        ("dave", "01", "01.contraction_factor", "0", "unreadable", unreadable),
        ("dave", "01", "01.mse_gradient", "0", "unreadable", unreadable),
        ("zed", "99", "", "0", "not gradable", "notebook 99 has no exercises to grade"),
    ]
    assert grade.main([str(subs), "--out", str(out)]) == 0
    assert "0 to grade, 3 already graded (FORCE=1 grades them again)" in capsys.readouterr().out
    assert rows_of(out) == first
    assert grade.main([str(subs), "--out", str(out), "--force"]) == 0
    assert "3 to grade, 0 already graded" in capsys.readouterr().out
    # shards: each student on one machine; --merge joins them into the file of one whole run
    parts = [tmp_path / f"s{i}" for i in (1, 2, 3)]
    for i, part in enumerate(parts, 1):
        assert grade.main([str(subs), "--out", str(part), "--shard", f"{i}/3"]) == 0
    merged = ["--merge", *map(str, reversed(parts)), "--out", str(tmp_path / "all")]
    assert grade.main(merged) == 0
    assert (tmp_path / "all" / "grades.csv").read_text() == (out / "grades.csv").read_text()
    assert {p.name for p in (tmp_path / "all" / "feedback").iterdir()} == {
        "carol.md",
        "dave.md",
        "zed.md",
    }
    assert {p.name for p in (out / "feedback").iterdir()} == {"carol.md", "dave.md", "zed.md"}


def test_solutions_off(monkeypatch, capsys):
    nb = nbformat.read(NB01, as_version=4)
    off, _ = student.make_student(nb, source=str(NB01), solutions="off")
    on, _ = student.make_student(nb, source=str(NB01))
    setup = [c for c in off.cells if "import gdhelpers as gd" in c.source]
    assert setup[0].source.startswith(student.SOLUTIONS_OFF)
    assert sum(student.SOLUTIONS_OFF in c.source for c in on.cells) == 0
    monkeypatch.setenv("GD_SOLUTIONS", "off")
    gd.hint("01.mse_gradient")
    gd.solution("01.mse_gradient")
    assert gd.check("01.mse_gradient", lambda x, y, w: 0.0) is False
    out = capsys.readouterr().out
    assert out.count("are off for this assignment (01.mse_gradient): it is graded work") == 2
    assert "np.mean" not in out and "Stuck?" not in out and "Not quite" in out
    assert gd.check("01.mse_gradient", lambda x, y, w: np.mean(2 * x * (w * x - y)))
    monkeypatch.setenv("GD_SOLUTIONS", "of")
    with pytest.raises(ValueError, match="GD_SOLUTIONS must be 'on' or 'off'; got 'of' instead"):
        gd.hint("01.mse_gradient")
    monkeypatch.delenv("GD_SOLUTIONS")
    gd.solution("01.mse_gradient")
    assert "np.mean" in capsys.readouterr().out


# ---------------------------------------------------------------- slow: the class, graded


#: The three grading runs of the class: the folder, its own options (time limits in seconds).
#: "class" has the default time limits: the full notebooks, the memory bomb and the crash need
#: no small one (3 GB: the limit the bomb hits fast). Each timeout case gets the smallest limits
#: that still tell its story: heidi ignores the interrupt of its first cell (2 s per cell, 8 s
#: per notebook: margins for a kernel that starts slowly on a loaded machine; the class run
#: takes longer anyway), grace's function never returns when the grader calls it (2 s per
#: cell, after the checkers have loaded with their own limit).
RUNS = {
    "class": ["--jobs", "2", "--memory-gb", "3"],
    "heidi": ["--jobs", "1", "--memory-gb", "3", "--cell-timeout", "2", "--timeout", "8"],
    "grace": ["--jobs", "1", "--memory-gb", "3", "--cell-timeout", "2"],
}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Grade the class: the three RUNS at once (their kernels mostly wait or sleep)."""
    base = tmp_path_factory.mktemp("grade")
    subs = {run: base / "subs" / run for run in RUNS}
    edition, _ = student.make_student(nbformat.read(NB01, as_version=4), source=str(NB01))
    klass = subs["class"]
    write(klass / "bob__01_numpy_gradient_descent.ipynb", solved(edition, **{"nb01-ex1": GRAD_4X}))
    write(klass / "instructor" / NB01.name, NB01.read_text())
    write(klass / "erin__02_autograd.ipynb", tiny(NO_ZERO))
    write(
        klass / "mallory__01.ipynb",
        tiny("import os\nfor f in os.listdir():\n    os.remove(f)", GRAD_OK),
    )
    spy = base / "spy.json"
    oscar = f"""import json, os
for k in range(4):
    for name in ("grades.csv", "out/grades.csv", "build/grades/grades.csv", ".cache/x.json",
                 "build/grades/.cache/x.json", "gd-grade-results/results.jsonl"):
        try:
            open("../" * k + name, "w").write("forged-by-oscar")
        except OSError:
            pass
json.dump({{"cwd": os.getcwd(), "env": dict(os.environ)}}, open({str(spy)!r}, "w"))
"""
    write(klass / "oscar__01.ipynb", tiny(oscar, GRAD_OK))
    write(klass / "ivan__01.ipynb", tiny(GRAD_OK, "import os\nos._exit(1)"))
    # fred forges: a thread writes fake verdicts into every grader file it can find and prints
    # and displays fake verdicts (the probe's output type) while others are graded
    write(klass / "fred__01.ipynb", tiny(FORGER, "import time\ntime.sleep(0.5)"))
    write(klass / "eve__01.ipynb", tiny(EVE))
    write(klass / "mike__01.ipynb", tiny(MIKE))
    write(klass / "sam__01.ipynb", tiny("def mse_gradient(x, y, w:\n    pass", GRAD_OK))
    write(klass / "zoe__01.ipynb", new_notebook(cells=[]))  # empty: no solutions at all
    # np.empty takes address space without touching it (fast); torch first, as the checks need it
    bomb = "chunks = []\nwhile True:\n    chunks.append(np.empty(2**26))\n\n"
    write(klass / "judy__01.ipynb", tiny("import torch", GRAD_OK.replace("def", bomb + "def")))
    stubborn = (
        "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
        "    except KeyboardInterrupt:\n        pass"
    )
    write(subs["heidi"] / "heidi__01.ipynb", tiny(stubborn, GRAD_OK))
    # an endless loop that sleeps: the same interrupt stops it, without taking a core for 2 s
    endless = "import time\n" + GRAD_OK.replace(
        "return", "while True:\n        time.sleep(0.01)\n    return"
    )
    write(subs["grace"] / "grace__01.ipynb", tiny(endless))
    before = digest(base / "subs")
    outs = {run: base / "out" / run for run in RUNS}
    argv = [[str(subs[run]), "--out", str(outs[run]), *options] for run, options in RUNS.items()]
    # the grader's temporary folders (sandboxes, kernelspec) go to a folder of this test: fred's
    # forging thread attacks them there (../gd-grade-*), not other grading runs on the machine
    sandboxes = tmp_path_factory.mktemp("sandboxes")
    tempdir, tempfile.tempdir = tempfile.tempdir, str(sandboxes)
    try:
        with ThreadPoolExecutor(len(RUNS)) as pool:
            assert list(pool.map(grade.main, argv)) == [0] * len(RUNS)
    finally:
        tempfile.tempdir = tempdir
    rows = [row for out in outs.values() for row in rows_of(out)]
    return {"base": base, "outs": outs, "rows": rows, "before": before, "spy": spy}


def missing(name: str) -> str:
    """The grader's reason when a submission does not define the exercise's function."""
    return (
        f"there is no {name} in your notebook: run the cell that defines it (def {name}(...)) "
        f"without an error, and keep the name {name}."
    )


def rows_for(graded: dict, *students: str) -> list[tuple[str, ...]]:
    """The CSV rows of ``students``, student by student, each in its CSV's order."""
    return [r for student in students for r in graded["rows"] if r[0] == student]


@pytest.mark.slow
def test_the_class_gets_the_exact_rows(graded_class):
    no_zero = (
        "after step 1 w.grad is -30, not 0: call w.grad.zero_() after the update, otherwise "
        "the next backward() ADDS to the old gradient."
    )
    assert rows_for(graded_class, "bob", "erin", "instructor", "mallory", "oscar") == [
        ("bob", "01", "01.contraction_factor", "1", "correct", ""),
        ("bob", "01", "01.mse_gradient", "0", "incorrect", FOUR_X),
        ("erin", "02", "02.autograd_gradient", "0", "missing",
         missing("autograd_gradient")),
        ("erin", "02", "02.train_step", "0", "incorrect", no_zero),
        ("instructor", "01", "01.contraction_factor", "1", "correct", ""),
        ("instructor", "01", "01.mse_gradient", "1", "correct", ""),
        ("mallory", "01", "01.contraction_factor", "0", "missing",
         missing("contraction_factor")),
        ("mallory", "01", "01.mse_gradient", "1", "correct", ""),
        ("oscar", "01", "01.contraction_factor", "0", "missing",
         missing("contraction_factor")),
        ("oscar", "01", "01.mse_gradient", "1", "correct", ""),
    ]  # fmt: skip
    assert "summary" not in (graded_class["outs"]["class"] / "grades.csv").read_text()
    students = [r[0] for r in rows_of(graded_class["outs"]["class"])]
    assert students == sorted(students)


@pytest.mark.slow
def test_broken_submissions_get_rows_and_reasons(graded_class):
    cf, mse = missing("contraction_factor"), missing("mse_gradient")
    loop = (
        "your mse_gradient did not return within 2 s when the grader called it (an endless loop?)"
    )
    crash = (
        "not checked: its Python process ended in code cell 2 (os._exit, a crash, or more "
        "memory than the limit of 3 GB)"
    )
    stopped = (
        "not checked: the notebook did not finish within 8 s (the time limit per notebook); "
        "code cell 1 was stopped: it ran longer than 2 s (the time limit per cell)"
    )
    bomb = (
        "code cell 2 raised MemoryError: Unable to allocate 512. MiB for an array with shape "
        "(67108864,) and data type float64 (more memory than the limit of 3 GB)"
    )
    assert rows_for(graded_class, "grace", "heidi", "ivan", "judy") == [
        ("grace", "01", "01.contraction_factor", "0", "missing", cf),
        ("grace", "01", "01.mse_gradient", "0", "timeout", loop),
        ("heidi", "01", "01.contraction_factor", "0", "timeout", stopped),
        ("heidi", "01", "01.mse_gradient", "0", "timeout", stopped),
        ("ivan", "01", "01.contraction_factor", "0", "crashed", crash),
        ("ivan", "01", "01.mse_gradient", "0", "crashed", crash),
        ("judy", "01", "01.contraction_factor", "0", "missing", f"{cf} ({bomb})"),
        ("judy", "01", "01.mse_gradient", "0", "missing", f"{mse} ({bomb})"),
    ]  # fmt: skip
    feedback = (graded_class["outs"]["class"] / "feedback" / "judy.md").read_text()
    assert "* code cell 2 raised MemoryError" in feedback


@pytest.mark.slow
def test_submissions_are_never_modified_and_outputs_are_out_of_reach(graded_class):
    base = graded_class["base"]
    assert digest(base / "subs") == graded_class["before"]
    # oscar's writes to grades.csv by relative path landed in its temporary folder, now gone
    for written in (base / "out").rglob("*"):
        assert written.is_dir() or "forged-by-oscar" not in written.read_text()
    spy = json.loads(graded_class["spy"].read_text())
    cwd = Path(spy["cwd"])
    for folder in (base / "out", base / "subs", ROOT):
        assert not cwd.is_relative_to(folder) and not folder.is_relative_to(cwd)
    assert not cwd.exists()  # the sandbox is removed
    leaked = [k for k, v in spy["env"].items() if str(base) in v or str(ROOT) in v]
    assert leaked == [], "the kernel's environment must not tell where the grades are"


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    NOTEBOOKS if os.environ.get("GD_EDITIONS") == "1" else [],
    ids=lambda p: p.name,
)
def test_the_instructor_edition_gets_full_marks(path, tmp_path):
    """`make test-editions`: every instructor notebook; make test grades notebook 01 (above)."""
    key = course_key()
    if path.name[:2] not in key:
        pytest.skip(f"{path.name} has no exercises")
    write(tmp_path / "subs" / "instructor" / path.name, path.read_text())
    assert grade.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 0
    rows = rows_of(tmp_path / "out")
    assert [r[4] for r in rows] == ["correct"] * len(key[path.name[:2]].exercises), rows


@pytest.mark.slow
def test_cheats_and_forgeries_change_nothing(graded_class):
    cf, mse = missing("contraction_factor"), missing("mse_gradient")
    zero = (
        "your gradient has a wrong value: expected -30, got 0 (checked at w = 0.0 with "
        "x = [1.0, 2.0, 3.0, 4.0], y = [2.0, 4.0, 6.0, 8.0].)"
    )
    syntax = "code cell 1 raised SyntaxError: '(' was never closed (<cell>, line 1)"
    # graded in the same run as fred's forging thread: the instructor (correct) and zoe (no
    # solutions) keep their own rows, and fred gets none of his fake verdicts
    assert rows_for(graded_class, "eve", "fred", "instructor", "mike", "sam", "zoe") == [
        ("eve", "01", "01.contraction_factor", "0", "missing", cf),
        ("eve", "01", "01.mse_gradient", "0", "incorrect", zero),  # her gd.check said Correct!
        ("fred", "01", "01.contraction_factor", "0", "missing", cf),
        ("fred", "01", "01.mse_gradient", "0", "missing", mse),
        ("instructor", "01", "01.contraction_factor", "1", "correct", ""),
        ("instructor", "01", "01.mse_gradient", "1", "correct", ""),
        ("mike", "01", "01.contraction_factor", "0", "missing", cf),
        ("mike", "01", "01.mse_gradient", "0", "incorrect", zero),  # patched checkers: no effect
        ("sam", "01", "01.contraction_factor", "0", "missing", f"{cf} ({syntax})"),
        ("sam", "01", "01.mse_gradient", "1", "correct", ""),
        ("zoe", "01", "01.contraction_factor", "0", "missing", cf),
        ("zoe", "01", "01.mse_gradient", "0", "missing", mse),
    ]
    # what may come from the grading machine (heidi's and grace's time-outs) is not cached
    outs = graded_class["outs"]
    assert len(list((outs["class"] / ".cache").glob("*.json"))) == 12
    assert list((outs["heidi"] / ".cache").glob("*.json")) == []
