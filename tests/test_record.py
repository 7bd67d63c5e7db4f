"""tools/record.py: deterministic, idempotent, and safe on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
RECORD = ["-m", "tools.record"]  # run from ROOT, as `make record` does

pytestmark = pytest.mark.slow


def run_record(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *RECORD, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def write_nb(path: Path, *sources: str) -> None:
    cells = [new_markdown_cell("# t")] + [new_code_cell(s) for s in sources]
    nbformat.write(new_notebook(cells=cells), path)


def test_missing_notebook_fails_with_a_clear_message(tmp_path):
    result = run_record(tmp_path / "missing.ipynb")
    assert result.returncode == 2
    assert "not found; expected a file such as notebooks/01_" in result.stderr


def test_a_file_that_is_not_a_notebook_is_named_as_such(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    result = run_record(other)
    assert result.returncode == 2
    assert (
        f"record: notebook {str(other)!r} is not a notebook (a notebook's name ends in .ipynb)"
        in (result.stderr)
    )
    assert "Traceback" not in result.stderr


def test_every_notebook_is_validated_before_any_is_recorded(tmp_path):
    good, broken = tmp_path / "a_good.ipynb", tmp_path / "b_broken.ipynb"
    write_nb(good, "print('ran')")
    broken.write_text('{"cells": [')  # truncated JSON, as a failed write used to leave it
    before = good.read_bytes()
    result = run_record(good, broken)
    assert result.returncode == 2
    assert f"record: {broken} is not valid JSON (a notebook is a JSON file)" in result.stderr
    assert "nothing was recorded" in result.stderr and "Traceback" not in result.stderr
    assert good.read_bytes() == before  # not executed, not written


def test_a_dead_kernel_is_one_clear_line_naming_the_cell(tmp_path):
    nb_path = tmp_path / "dies.ipynb"
    write_nb(nb_path, "a = 1", "import os\nos._exit(3)")
    before = nb_path.read_bytes()
    result = run_record(nb_path)
    assert result.returncode == 1
    assert f"record: {nb_path} FAILED: the kernel died while running cell 2" in result.stderr
    assert "Traceback" not in result.stderr and "DeadKernelError" not in result.stderr
    assert nb_path.read_bytes() == before


def test_ctrl_c_exits_130_and_leaves_the_notebook(tmp_path):
    import signal
    import time

    nb_path = tmp_path / "slow.ipynb"
    started = tmp_path / "started"
    write_nb(
        nb_path, f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(60)"
    )
    before = nb_path.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, *RECORD, str(nb_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 90
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert started.exists(), "the kernel never ran the first cell"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"record: interrupted; {nb_path} is unchanged on disk." in err
    assert nb_path.read_bytes() == before


def test_no_argument_is_an_error():
    result = run_record()
    assert result.returncode == 2
    assert "no notebook given" in result.stderr


def test_records_deterministically_and_idempotently(tmp_path):
    nb_path = tmp_path / "ok.ipynb"
    write_nb(nb_path, "x = 6 * 7\nx", "print('hello')")
    first = run_record(nb_path)
    assert first.returncode == 0, first.stderr
    assert "updated" in first.stdout
    text = nb_path.read_text()
    nb = nbformat.read(nb_path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2]
    assert code[0].outputs[0]["data"]["text/plain"] == "42"
    assert "execution" not in code[0].metadata  # no timings
    assert "version" not in nb.metadata["language_info"]  # no Python version
    second = run_record(nb_path)
    assert second.returncode == 0
    assert "unchanged" in second.stdout
    assert nb_path.read_text() == text


def test_failing_notebook_is_left_untouched_and_the_error_is_shown(tmp_path):
    nb_path = tmp_path / "bad.ipynb"
    write_nb(nb_path, "a = 1", "raise ValueError('boom in cell two')", "b = 2")
    before = nb_path.read_bytes()
    result = run_record(nb_path)
    assert result.returncode == 1
    assert "FAILED; the file on disk is unchanged" in result.stderr
    assert "boom in cell two" in result.stderr
    assert "raise ValueError" in result.stderr  # the failing cell's source is shown
    assert nb_path.read_bytes() == before


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_course_suite_fails_when_no_notebook_is_collected(workers):
    """`make test` passes --course-suite: a run without notebooks (or tests) must fail."""
    result = subprocess.run(
        # a test file that imports neither torch nor nbformat: the run starts in ~3 s
        [sys.executable, "-m", "pytest", "--course-suite", "-q", "tests/test_atomic.py", *workers],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "both must be more than zero" in result.stdout + result.stderr


def test_adjacent_stream_chunks_are_merged_but_not_across_other_outputs():
    from tools.record import merge_adjacent_streams

    def out(name, text):
        return nbformat.NotebookNode(output_type="stream", name=name, text=text)

    figure = nbformat.NotebookNode(output_type="display_data", data={}, metadata={})
    outputs = [
        out("stdout", "a"),
        out("stdout", "\n"),
        out("stderr", "w\n"),
        figure,
        out("stdout", "b\n"),
        out("stdout", "c\n"),
    ]
    merged = merge_adjacent_streams(outputs)
    assert [o.get("text") for o in merged] == ["a\n", "w\n", None, "b\nc\n"]


def test_timing_lines_alone_do_not_count_as_a_change(tmp_path):
    """A notebook whose only varying output is a `timing:` line re-records as unchanged."""
    nb_path = tmp_path / "timed.ipynb"
    write_nb(nb_path, "import time\nprint('result: 42')\nprint(f'timing: {time.perf_counter()} s')")
    assert run_record(nb_path).returncode == 0
    text = nb_path.read_text()
    second = run_record(nb_path)
    assert "unchanged" in second.stdout
    assert nb_path.read_text() == text
    # but a change to a taught number is a change
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace("42", "43")
    nbformat.write(nb, nb_path)
    assert "updated" in run_record(nb_path).stdout
