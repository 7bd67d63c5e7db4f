"""tools/student.py: the student edition, built from the committed instructor edition.

Fast tests of the transformation on small synthetic notebooks and of the exercise protocol in
the committed notebooks; one slow test per notebook executes its student edition end to end.
"""

from __future__ import annotations

import copy
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import kernel_env, student
from tools.student import MarkerError, make_student, strip_solutions

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHECK_NAME = re.compile(r"""\bgd\.check\(\s*["']([^"']+)["']""")

SOLVED = '''def mse_gradient(x, y, w):
    """Gradient of the mean squared error of f(x) = w*x."""
    ### BEGIN SOLUTION
    residual = w * x - y
    return np.mean(2 * x * residual)
    ### END SOLUTION'''

STUDENT = '''def mse_gradient(x, y, w):
    """Gradient of the mean squared error of f(x) = w*x."""
    # YOUR CODE HERE
    raise NotImplementedError'''


def stream(text: str) -> nbformat.NotebookNode:
    return new_output("stream", name="stdout", text=text)


def synthetic() -> nbformat.NotebookNode:
    """Title, setup, exercise, check, hint, an unrelated plot cell, a solution-only cell."""
    cells = [
        new_markdown_cell("# 99 · Synthetic\n\nMarkers in prose stay: `### BEGIN SOLUTION`."),
        new_code_cell("import numpy as np\n\nimport gdhelpers as gd", outputs=[]),
        new_code_cell(SOLVED, outputs=[stream("defined\n")], execution_count=2),
        new_code_cell(
            'gd.check("99.grad", mse_gradient)', outputs=[stream("Correct! (99.grad)\n")]
        ),
        new_code_cell('gd.hint("99.grad")', outputs=[stream("Hint (99.grad): ...\n")]),
        new_code_cell("print(np.arange(3))", outputs=[stream("[0 1 2]\n")], execution_count=5),
        new_code_cell("print(mse_gradient(1, 2, 3))", outputs=[stream("2.0\n")]),
    ]
    cells[-1].metadata["tags"] = ["solution-only"]
    for index, cell in enumerate(cells):
        cell["id"] = f"syn-{index}"
    return new_notebook(cells=cells)


# ---------------------------------------------------------------- the transformation


def test_region_is_replaced_at_its_indentation():
    code, regions = strip_solutions(SOLVED)
    assert code == STUDENT
    assert regions == 1


def test_several_regions_and_deeper_indentation():
    code = (
        "def train(x, y, lr, epochs):\n"
        "    w = 0.0\n"
        "    for _ in range(epochs):\n"
        "        ### BEGIN SOLUTION\n"
        "        w -= lr * np.mean(2 * x * (w * x - y))\n"
        "        ### END SOLUTION\n"
        "    return w\n"
        "\n"
        "\n"
        "def predict(x, w):\n"
        "\t### BEGIN SOLUTION\n"
        "\treturn w * x\n"
        "\t### END SOLUTION\n"
    )
    out, regions = strip_solutions(code)
    assert regions == 2
    assert out == (
        "def train(x, y, lr, epochs):\n"
        "    w = 0.0\n"
        "    for _ in range(epochs):\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError\n"
        "    return w\n"
        "\n"
        "\n"
        "def predict(x, w):\n"
        "\t# YOUR CODE HERE\n"
        "\traise NotImplementedError\n"
    )


def test_code_without_markers_is_returned_unchanged():
    code = "x = 1  # BEGIN is a word\nprint('END SOLUTION is printed, not a marker')\n"
    assert strip_solutions(code) == (code, 0)


def test_student_notebook():
    nb = synthetic()
    original = copy.deepcopy(nb)
    out, summary = make_student(nb, source="99_synthetic.ipynb")
    assert nb == original, "the instructor notebook must not be modified"
    assert (summary.regions, summary.cleared, summary.dropped) == (1, 3, 1)
    by_id = {cell["id"]: cell for cell in out.cells}
    # the solution-only cell is gone; everything else is there, in order
    assert list(by_id) == [f"syn-{i}" for i in range(6)]
    # the exercise: region replaced, outputs cleared, no solution code and no marker left
    exercise = by_id["syn-2"]
    assert exercise.source == STUDENT
    assert exercise.outputs == [] and exercise.execution_count is None
    text = nbformat.writes(out)
    for gone in ("residual", "np.mean(2 * x", "END SOLUTION", "Correct!", "Hint (99.grad)"):
        assert gone not in text
    # check and hint cells: source kept, outputs cleared
    for cell_id in ("syn-3", "syn-4"):
        assert by_id[cell_id].source == original.cells[int(cell_id[-1])].source
        assert by_id[cell_id].outputs == []
    # unmarked cells are untouched, outputs and execution counts included
    for index in (0, 1, 5):
        assert by_id[f"syn-{index}"] == original.cells[index]
    assert out.metadata["course_edition"] == "student"
    nbformat.validate(out)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            "def f():\n    ### BEGIN SOLUTION\n    return 1\n",
            "line 2: '### BEGIN SOLUTION' is never closed",
        ),
        ("def f():\n    return 1\n    ### END SOLUTION\n", "line 3: '### END SOLUTION' without"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n",
            "line 3: '### BEGIN SOLUTION' inside the region opened on line 2",
        ),
        ("def f():\n    ## BEGIN SOLUTION\n    return 1\n", "looks like a solution marker"),
        ("def f():\n    ### begin solution\n", "looks like a solution marker"),
        ("def f():\n    ### BEGIN SOLUTIONS\n", "looks like a solution marker"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "must sit inside the exercise function"),
        (
            "def f():\n    return (\n        ### BEGIN SOLUTION\n        1\n"
            "        ### END SOLUTION\n    )\n",
            "no longer valid Python",
        ),
    ],
)
def test_malformed_markers_name_the_notebook_and_the_cell(code, words):
    nb = synthetic()
    nb.cells[2].source = code
    with pytest.raises(MarkerError) as err:
        make_student(nb, source="notebooks/99_synthetic.ipynb")
    message = str(err.value)
    assert message.startswith("notebooks/99_synthetic.ipynb: cell 2 (id 'syn-2')")
    assert words in message


def test_cli_builds_the_folder_and_stops_on_a_bad_marker(tmp_path, capsys):
    good, bad, out = tmp_path / "98_good.ipynb", tmp_path / "99_bad.ipynb", tmp_path / "out"
    nbformat.write(synthetic(), good)
    assert student.main([str(good), "--out", str(out)]) == 0
    assert [p.name for p in out.glob("*.ipynb")] == ["98_good.ipynb"]
    assert "1 solution regions replaced, 3 cells cleared" in capsys.readouterr().out

    broken = synthetic()
    broken.cells[2].source = "def f():\n    ### BEGIN SOLUTION\n    return 1"
    nbformat.write(broken, bad)
    assert student.main([str(good), str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "99_bad.ipynb: cell 2 (id 'syn-2'), line 2" in err
    assert "is never closed" in err

    assert student.main([str(good), "--out", str(tmp_path)]) == 1
    assert "must not be the folder of the notebooks" in capsys.readouterr().err
    assert student.main([str(tmp_path / "missing.ipynb"), "--out", str(out)]) == 2


# ---------------------------------------------------------------- the committed notebooks


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        elif "text/plain" in output.get("data", {}):
            parts.append(output.data["text/plain"])
    return "".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_protocol_of_the_instructor_edition(path):
    """Each solution cell is followed by a check cell; the recorded checks say Correct!."""
    import gdhelpers.exercises as ex

    ex._load_all()
    registered = set(ex._core._REGISTRY)
    cells = _code_cells(path)
    for index, cell in enumerate(cells):
        if student.BEGIN in cell.source:
            following = cells[index + 1].source if index + 1 < len(cells) else ""
            assert CHECK_NAME.search(following), (
                f"{path.name}: the code cell after solution cell {cell.get('id')!r} must call "
                "gd.check (CONTRIBUTING.md, Exercises)"
            )
        for name in CHECK_NAME.findall(cell.source):
            assert name in registered, f"{path.name}: gd.check({name!r}) is not registered"
            assert name.startswith(path.name[:3].replace("_", ".")), (
                f"{path.name}: exercise {name!r} should be named {path.name[:2]}.<short_name>"
            )
            assert "Correct!" in _text(cell), (
                f"{path.name}: the recorded output of gd.check({name!r}) must say Correct! "
                f"in the instructor edition; it is {_text(cell)!r}"
            )
    make_student(nbformat.read(path, as_version=4), source=str(path))  # markers well formed


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student")
    if NOTEBOOKS:
        student.build(NOTEBOOKS, out)
    return out


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("GD_EDITIONS") != "1",
    reason="the whole student edition runs with `make test-editions` (CI runs it; ~2 min)",
)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_edition_runs_and_every_check_says_not_yet_done(path, student_dir):
    kernel_env.apply()
    nb = nbformat.read(student_dir / path.name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(student_dir)}},
        allow_errors=True,
    )
    start = time.perf_counter()
    client.execute()
    print(f"timing: {path.name} student edition executed in {time.perf_counter() - start:.1f} s")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (
            f"student edition of {path.name}, cell {cell.get('id')!r} raised "
            f"{errors[0].ename}: {errors[0].evalue}\n--- cell source ---\n{cell.source}"
        )
        calls = CHECK_NAME.findall(cell.source)
        if calls:
            text = _text(cell)
            assert text.count("Not yet done") == len(calls), (
                f"student edition of {path.name}, cell {cell.get('id')!r}: every gd.check "
                f"must print 'Not yet done'; it printed {text!r}"
            )
            assert "Correct!" not in text and "Not quite" not in text


# ---------------------------------------------------------------- every course tool


def test_course_tools_name_a_missing_notebook(tmp_path, capsys):
    from tools import website

    missing = tmp_path / "missing.ipynb"
    assert website.main([str(missing), "--out", str(tmp_path / "site")]) == 2
    assert student.main([str(missing), "--out", str(tmp_path / "st")]) == 2
    err = capsys.readouterr().err
    assert f"site: notebook {str(missing)!r} not found" in err
    assert f"student: notebook {str(missing)!r} not found" in err
