"""Regenerate the two tables of docs/teaching.md: the notebooks, and the exercises.

Usage: python -m tools.teaching_tables [--check] [timings.log]

Rewrites the blocks between ``<!-- BEGIN GENERATED notebooks -->`` (and ``exercises``) and their
``END`` lines from the notebooks in notebooks/ and the exercises registered in
``gdhelpers.exercises``. ``timings.log``, the output of
``GD_EDITIONS=1 pytest -s tests/test_student_edition.py`` (its ``timing:`` lines), fills the
"runs in" column; without it, the times already in the table
are kept (``TBD`` for a new notebook). ``--check`` writes nothing and exits 1 when a table is out
of date. Paths are taken from the repository root, whatever the current directory.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat

from tools.atomic import write_atomically

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "teaching.md"
NOTEBOOKS = ROOT / "notebooks"
KEYS = ("notebooks", "exercises")

BEGIN = "### BEGIN SOLUTION"
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s*\d*\s*[:.]\s*(.+)$", re.MULTILINE)
CHECK = re.compile(r"""\bgd\.check\(\s*["']([^"']+)["']""")
TIMING = re.compile(r"timing: (\S+\.ipynb) student edition executed in ([\d.]+) s")
NOTEBOOK_ROW = re.compile(r"^\| `(\S+\.ipynb)` \|.*?\| ([^|]+?) \| [^|]+ \| [^|]+ \|$", re.M)
NOTEBOOKS_HEADER = (
    "| notebook | title | runs in | exercises | class time (rough) |",
    "| --- | --- | --- | --- | --- |",
)
EXERCISES_HEADER = (
    "| nb | exercise (`gd.check` name) | learners write | title in the notebook |",
    "| --- | --- | --- | --- |",
)


def _block(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- BEGIN GENERATED {key} -->\n)(?:.*?\n)?(<!-- END GENERATED {key} -->)", re.S
    )


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first Markdown heading of ``nb``, without Markdown emphasis."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (match := HEADING.search(cell.source)):
            return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def read_timings(text: str) -> dict[str, str]:
    """The "runs in" cell of each notebook named in ``text`` (the ``timing:`` lines)."""
    return {m.group(1): f"{float(m.group(2)):.0f} s" for m in TIMING.finditer(text)}


def recorded_timings(doc_text: str) -> dict[str, str]:
    """The "runs in" cells already in the notebooks table of ``doc_text``."""
    block = _block("notebooks").search(doc_text)
    return dict(NOTEBOOK_ROW.findall(block.group(0))) if block else {}


def _exercise_rows(nb: nbformat.NotebookNode, nn: str, hints: Mapping[str, str]) -> list[tuple]:
    """(check name, row) for each solution cell of ``nb``, in notebook order."""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    found = []
    for i, cell in enumerate(code_cells):
        if BEGIN not in cell.source:
            continue
        head = cell.source.split(BEGIN)[0]
        defs = re.findall(r"^\s*def (\w+)\(([^)]*)\)", head, re.M)
        func = f"`{defs[-1][0]}({defs[-1][1]})`" if defs else "?"
        doc = re.search(r'"""(.+?)(?:"""|\n)', head)
        after = code_cells[i + 1].source if i + 1 < len(code_cells) else ""
        name = (CHECK.findall(after) or ["?"])[0]
        heading = None
        k = nb.cells.index(cell)
        while k > 0 and heading is None:  # the closest "Exercise N: ..." heading above
            k -= 1
            if nb.cells[k].cell_type == "markdown":
                titles = EXERCISE_HEADING.findall(nb.cells[k].source)
                heading = titles[-1].strip() if titles else None
            elif BEGIN in nb.cells[k].source:
                break
        if heading:
            what = heading[0].upper() + heading[1:]
        elif doc:
            what = doc.group(1).strip()
        else:
            what = hints.get(name, "").split(". ")[0].rstrip(".") + "."
        found.append((name, f"| {nn} | `{name}` | {func} | {what} |"))
    return found


def make_tables(
    notebooks: list[Path], *, hints: Mapping[str, str], times: Mapping[str, str]
) -> dict[str, str]:
    """The two tables, keyed ``"notebooks"`` and ``"exercises"``.

    Parameters
    ----------
    notebooks : list of Path
        The course notebooks ``NN_name.ipynb``, in course order.
    hints : mapping of str to str
        Each registered exercise's ``gd.check`` name and its hint.
    times : mapping of str to str
        The "runs in" cell of each notebook by file name (``"8 s"``); ``TBD`` when missing.
    """
    rows, ex_rows, used = [], [], set()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        found = _exercise_rows(nb, path.name[:2], hints)
        used.update(name for name, _ in found)
        ex_rows.extend(row for _, row in found)
        words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
        minutes = words / 100 + 10 * len(found)
        rough = f"~{max(5, 5 * round(minutes / 5)):.0f} min"
        title = notebook_title(nb, path.stem)
        run = times.get(path.name, "TBD")
        rows.append(f"| `{path.name}` | {title} | {run} | {len(found)} | {rough} |")
    for name in sorted(set(hints) - used):  # registered for a notebook not written yet
        nn = name[:2]
        if not any(p.name.startswith(nn) for p in notebooks):
            hint = hints[name].split(". ")[0].rstrip(".") + "."
            ex_rows.append(f"| {nn} | `{name}` | (notebook not written yet) | hint: {hint} |")
    ex_rows.sort(key=lambda row: row.split("|")[1])  # stable: notebook order within a notebook
    return {
        "notebooks": "\n".join([*NOTEBOOKS_HEADER, *rows]),
        "exercises": "\n".join([*EXERCISES_HEADER, *ex_rows]),
    }


def fill(text: str, key: str, table: str) -> str:
    """``text`` with the GENERATED block ``key`` holding ``table``."""
    pattern = _block(key)
    if not pattern.search(text):
        raise ValueError(
            f"the document must hold a '<!-- BEGIN GENERATED {key} -->' line and a "
            f"'<!-- END GENERATED {key} -->' line after it; got none instead. Put them back "
            "where the table goes."
        )
    return pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)


def update(text: str, tables: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with every table filled in, and the keys of the tables that changed."""
    stale = []
    for key in KEYS:
        new = fill(text, key, tables[key])
        if new != text:
            stale.append(key)
        text = new
    return text, stale


def course_hints() -> dict[str, str]:
    """Every exercise registered in ``gdhelpers.exercises``, with its hint."""
    import gdhelpers.exercises as ex

    ex._load_all()
    return {name: exercise.hint for name, exercise in ex._core._REGISTRY.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("timings", nargs="?", type=Path, help="output of test_student_edition -s")
    parser.add_argument("--check", action="store_true", help="write nothing; 1 if out of date")
    parser.add_argument("--doc", type=Path, default=DOC, help=argparse.SUPPRESS)
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    times = recorded_timings(text)
    if args.timings is not None:
        times.update(read_timings(args.timings.read_text(encoding="utf-8")))
    notebooks = sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb"))
    try:
        new, stale = update(text, make_tables(notebooks, hints=course_hints(), times=times))
    except ValueError as err:
        print(f"teaching_tables: {args.doc}: {err}", file=sys.stderr)
        return 2
    shown = args.doc.relative_to(ROOT) if args.doc.is_relative_to(ROOT) else args.doc
    if args.check:
        if stale:
            print(
                f"teaching_tables: the {' and '.join(stale)} table(s) of {shown} are out of "
                "date; run `.venv/bin/python -m tools.teaching_tables` and commit the result.",
                file=sys.stderr,
            )
            return 1
        print(f"teaching_tables: the tables of {shown} are up to date")
        return 0
    if stale:
        write_atomically(args.doc, new)
    print(f"teaching_tables: {shown}: {', '.join(stale) or 'nothing'} updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
