"""tools/atomic.py: a failed write leaves the old file whole (issue 17, item 7)."""

from __future__ import annotations

import ast
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


# The tools that write course files: notebooks, docs/, the site's sources, my-work/, the
# grader's cache, grades.csv and feedback. Each writes through write_atomically, never in place.
WRITE_COURSE_FILES = [
    "grade.py",
    "grade_report.py",
    "record.py",
    "student.py",
    "teaching_tables.py",
    "website.py",
    "workspace.py",
]
# The tools that write other files, and what they write: nothing a failed write could lose.
WRITE_OTHER_FILES = {
    "atomic.py": "write_atomically itself (a temporary file beside the target, os.replace)",
    "cpu_kernels.py": "kernelspecs, logs and a report under build/, remade by each run",
    "grade_run.py": "a kernelspec and a copy of the notebook in fresh temporary folders",
}
IN_PLACE = {
    "write_text",
    "write_bytes",
    "open for writing",
    "os.open for writing",
    "nbformat.write",
}
_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_APPEND", "O_CREAT", "O_TRUNC"}


def _mode(call: ast.Call, position: int) -> str | None:
    """The mode of an open() call: the string at ``position`` or ``mode=``; None if not given."""
    given = [k.value for k in call.keywords if k.arg == "mode"] + call.args[position : position + 1]
    if given and isinstance(given[0], ast.Constant) and isinstance(given[0].value, str):
        return given[0].value
    return None


def file_writes(source: str) -> set[str]:
    """The kinds of file writes in Python ``source`` (its calls, read with ast)."""
    kinds = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        owner = getattr(getattr(func, "value", None), "id", None)  # "os" in os.open(...)
        if name in ("write_text", "write_bytes", "write_atomically"):
            kinds.add(name)
        elif owner == "os" and name == "open":
            flags = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            if flags & _WRITE_FLAGS:
                kinds.add("os.open for writing")
        elif name in ("open", "fdopen"):
            # open(file, mode), io.open(file, mode), os.fdopen(fd, mode); path.open(mode)
            builtin = isinstance(func, ast.Name) or owner in ("io", "os", "codecs")
            mode = _mode(node, 1 if builtin else 0)
            if mode is not None and set(mode) & set("wax+"):
                kinds.add("open for writing")
        elif owner == "nbformat" and name == "write":
            kinds.add("nbformat.write")
        elif owner == "shutil" and name in ("copy", "copy2", "copyfile", "copytree", "move"):
            kinds.add(f"shutil.{name}")
    return kinds


def test_file_writes_finds_each_kind_of_write():
    source = textwrap.dedent(
        """
        from pathlib import Path
        Path("a").write_text("x"); Path("a").write_bytes(b"x")
        open("a", "w"); open("a", mode="ab"); Path("a").open("x"); io.open("a", "r+")
        os.fdopen(fd, "wb"); os.open("a", os.O_WRONLY | os.O_CREAT)
        nbformat.write(nb, "a.ipynb"); shutil.copy2("a", "b"); write_atomically(Path("a"), "x")
        """
    )
    assert file_writes(source) == {
        "write_text",
        "write_bytes",
        "open for writing",
        "os.open for writing",
        "nbformat.write",
        "shutil.copy2",
        "write_atomically",
    }
    reads = (
        'open("a"); open("a", "rb"); Path("a").open(); Image.open(buf); os.open("a", os.O_RDONLY)'
    )
    assert file_writes(reads) == set()


@pytest.mark.parametrize("tool", WRITE_COURSE_FILES)
def test_every_tool_that_writes_course_files_writes_atomically(tool):
    kinds = file_writes((ROOT / "tools" / tool).read_text(encoding="utf-8"))
    assert "write_atomically" in kinds
    assert not kinds & IN_PLACE, f"tools/{tool} writes a file in place: {kinds & IN_PLACE}"


def test_every_tool_that_writes_files_is_listed():
    """A new tool that writes files must be added to one of the two lists above."""
    writers = {
        path.name
        for path in (ROOT / "tools").glob("*.py")
        if file_writes(path.read_text(encoding="utf-8"))
    }
    assert writers == set(WRITE_COURSE_FILES) | set(WRITE_OTHER_FILES)
