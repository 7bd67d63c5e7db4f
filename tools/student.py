"""Build the student edition of the course from the committed instructor edition.

Usage: python -m tools.student [--out build/student] [notebooks/01_x.ipynb ...]
(`make student` runs it on every notebook.)

In each code cell, every region between a ``### BEGIN SOLUTION`` line and a
``### END SOLUTION`` line is replaced by ``# YOUR CODE HERE`` and ``raise NotImplementedError``
at the indentation of the BEGIN line; the lines before and after the region (the ``def`` line,
the docstring) stay. Outputs are cleared in the cells that held a solution and in the cells
that call ``gd.check``, ``gd.hint`` or ``gd.solution``; every other output is kept. Cells tagged
``solution-only`` are dropped. A marker that is misspelt, unterminated, nested or unmatched stops
the build with the notebook and the cell named.

``--solutions off`` (``make student SOLUTIONS=off``, for graded work) also puts
``os.environ["GD_SOLUTIONS"] = "off"`` at the top of the setup cell (the code cell that imports
gdhelpers): ``gd.hint`` and ``gd.solution`` then say that solutions are off, the checks still run
(see gdhelpers/exercises/_core.py for what this does not prevent).
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.atomic import write_atomically
from tools.course_notebooks import course_notebooks

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError")
SOLUTION_ONLY_TAG = "solution-only"
#: A cell whose outputs tell whether the exercise is solved: clear them in the student edition.
CHECK_CALL = re.compile(r"\bgd\.(check|hint|solution)\s*\(")
#: Any line that looks like a marker, spelt right or not.
MARKER_LIKE = re.compile(r"(BEGIN|END)\s+SOLUTION", re.IGNORECASE)
#: What ``--solutions off`` puts at the top of the setup cell (read by gd.hint and gd.solution).
SOLUTIONS_OFF = (
    "import os\n\n"
    'os.environ["GD_SOLUTIONS"] = "off"  # graded work: gd.hint() and gd.solution() are off\n\n'
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "student"


class MarkerError(ValueError):
    """A solution marker is malformed; the message names the notebook, the cell and the line."""


@dataclass
class Summary:
    """What :func:`make_student` did to one notebook."""

    regions: int = 0
    cleared: int = 0
    dropped: int = 0


def strip_solutions(code: str, *, where: str = "cell") -> tuple[str, int]:
    """Replace each marked solution region of ``code``; return the new code and the count.

    ``where`` is used in error messages, e.g. ``"notebooks/01_x.ipynb: cell 7 (id 'nb01-ex1')"``.
    """
    out: list[str] = []
    regions = 0
    begin_line: int | None = None
    for number, line in enumerate(code.split("\n"), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if begin_line is not None:
                raise MarkerError(
                    f"{where}, line {number}: {BEGIN!r} inside the region opened on line "
                    f"{begin_line}; close each region with {END!r} before opening another."
                )
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            if not indent:
                raise MarkerError(
                    f"{where}, line {number}: the solution region must sit inside the exercise "
                    "function (indented): at the top level, `raise NotImplementedError` would "
                    "stop the student edition."
                )
            out.extend(indent + text for text in PLACEHOLDER)
            regions += 1
        elif stripped == END:
            if begin_line is None:
                raise MarkerError(
                    f"{where}, line {number}: {END!r} without a {BEGIN!r} line before it."
                )
            begin_line = None
        elif MARKER_LIKE.search(line) and stripped.startswith("#"):
            raise MarkerError(
                f"{where}, line {number}: {stripped!r} looks like a solution marker but is not "
                f"exactly {BEGIN!r} or {END!r} (alone on its line)."
            )
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise MarkerError(
            f"{where}, line {begin_line}: {BEGIN!r} is never closed; add a {END!r} line "
            "at the end of the solution."
        )
    return "\n".join(out), regions


def _is_valid_python(code: str) -> bool:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        compile(TransformerManager().transform_cell(code), "<cell>", "exec")
    except SyntaxError:
        return False
    return True


def make_student(
    nb: nbformat.NotebookNode, *, source: str = "notebook", solutions: str = "on"
) -> tuple[nbformat.NotebookNode, Summary]:
    """Return the student edition of ``nb`` (``nb`` itself is not modified) and a summary."""
    student = copy.deepcopy(nb)
    summary = Summary()
    cells = []
    for index, cell in enumerate(student.cells):
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            summary.dropped += 1
            continue
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        where = f"{source}: cell {index} (id {cell.get('id') or 'no id'!r})"
        code, regions = strip_solutions(cell.source, where=where)
        if regions:
            if not _is_valid_python(code):
                raise MarkerError(
                    f"{where}: the cell is no longer valid Python once its solution is "
                    "replaced; put the markers around whole statements inside the function."
                )
            cell.source = code
            summary.regions += regions
        if regions or CHECK_CALL.search(code):
            cell.outputs = []
            cell.execution_count = None
            summary.cleared += 1
    student.cells = cells
    student.metadata["course_edition"] = "student"
    setup = [c for c in cells if c.cell_type == "code" and "import gdhelpers as gd" in c.source]
    if solutions == "off" and setup:  # a notebook without gdhelpers has no hints to turn off
        setup[0].source = SOLUTIONS_OFF + setup[0].source
    return student, summary


def build(notebooks: list[Path], out: Path, *, solutions: str = "on") -> dict[Path, Summary]:
    """Write the student edition of each notebook into ``out``; return what was done."""
    if any(path.parent.resolve() == out.resolve() for path in notebooks):
        raise ValueError(f"the output folder {out} must not be the folder of the notebooks")
    editions = {}
    for path in notebooks:  # transform everything first: a bad marker writes nothing
        nb = nbformat.read(path, as_version=4)
        editions[path] = make_student(nb, source=str(path), solutions=solutions)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.ipynb"):
        stale.unlink()
    summaries = {}
    for path, (student, summary) in editions.items():
        nbformat.validate(student)
        target = out / path.name
        write_atomically(target, nbformat.writes(student) + "\n")
        summaries[target] = summary
    return summaries


def _copy_companions(src: Path, out: Path) -> None:
    """Copy data files that sit beside the notebooks (not the notebooks or the nbval rules)."""
    for item in src.iterdir():
        if item.suffix == ".ipynb" or item.name == "sanitize.cfg" or item.name.startswith("."):
            continue
        target = out / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--solutions", choices=("on", "off"), default="on", help="off: gd.hint/solution are off"
    )
    args = parser.parse_args(argv)
    notebooks = course_notebooks(args.notebooks, "student")
    if notebooks is None:
        return 2
    try:
        summaries = build(notebooks, args.out, solutions=args.solutions)
    except ValueError as err:  # MarkerError included
        print(f"student: {err}", file=sys.stderr)
        return 1
    for src in sorted({p.parent for p in notebooks}):
        _copy_companions(src, args.out)
    for target, s in summaries.items():
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(
            f"student: {shown} ({s.regions} solution regions replaced, "
            f"{s.cleared} cells cleared, {s.dropped} solution-only cells dropped)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
