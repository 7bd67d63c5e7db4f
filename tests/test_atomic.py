"""tools/atomic.py: a failed write leaves the old file whole (issue 17, item 7)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools.atomic import write_atomically

ROOT = Path(__file__).resolve().parents[1]


def test_writes_text_and_bytes_and_keeps_the_mode(tmp_path):
    target = tmp_path / "sub" / "nb.ipynb"
    write_atomically(target, "héllo\n")
    assert target.read_text(encoding="utf-8") == "héllo\n"
    target.chmod(0o640)
    write_atomically(target, b"bytes\n")
    assert target.read_bytes() == b"bytes\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["nb.ipynb"]  # no temporary left


def test_a_write_that_fails_midway_leaves_the_old_file(tmp_path):
    """Reproduces a full disk with a file-size limit, in a child process."""
    target = tmp_path / "nb.ipynb"
    target.write_text("old notebook\n")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get an OSError, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        from tools.atomic import write_atomically
        try:
            write_atomically(__import__("pathlib").Path({str(target)!r}), "x" * 100_000)
        except OSError as err:
            print("OSError", err.errno)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.startswith("OSError"), done.stdout + done.stderr
    assert target.read_text() == "old notebook\n"
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]


def test_the_plain_write_it_replaces_would_truncate(tmp_path):
    """The control: Path.write_text under the same limit destroys the old file."""
    target = tmp_path / "nb.ipynb"
    target.write_text("old notebook\n")
    script = textwrap.dedent(
        f"""
        import pathlib, resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        try:
            pathlib.Path({str(target)!r}).write_text("x" * 100_000)
        except OSError:
            pass
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert target.read_text() != "old notebook\n"


# The tools that write course files (notebooks, docs/, my-work/); a new one belongs here.
@pytest.mark.parametrize("tool", ["record.py", "student.py", "teaching_tables.py", "workspace.py"])
def test_every_tool_that_writes_course_files_writes_atomically(tool):
    text = (ROOT / "tools" / tool).read_text()
    assert "write_atomically(" in text
    assert ".write_text(" not in text, f"tools/{tool} writes a file in place"
