"""What the grader writes: grades.csv, one feedback file per student, and the printed summary.

``grades.csv`` has one row per submission and exercise: student, notebook (two digits),
exercise, points (1 for correct, else 0), verdict (correct, incorrect, not done, missing,
error, timeout, crashed, wrong notebook, unreadable, not gradable) and reason (the checker's
message, or why nothing could run: the column a teacher reads). Rows are sorted by student,
notebook and exercise, so the file of a shard is a slice of the whole; :func:`merge` joins the
shards' folders into the file of one whole run. ``skipped.csv`` lists the files not graded and
why (tools/grade_files.py). Every file is written atomically (tools.atomic): a grading run
stopped half-way leaves the previous file, never half of one.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from tools.atomic import write_atomically
from tools.grade_files import Skipped

CORRECT = "correct"


@dataclass(frozen=True)
class Row:
    """One line of grades.csv."""

    student: str
    notebook: str
    exercise: str
    points: int
    verdict: str
    reason: str


COLUMNS = tuple(f.name for f in fields(Row))


def row(student: str, notebook: str, exercise: str, verdict: str, reason: str = "") -> Row:
    """A row with its points: 1 for a correct answer, 0 for anything else."""
    return Row(student, notebook, exercise, int(verdict == CORRECT), verdict, reason)


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.student, r.notebook, r.exercise))


def csv_text(rows: Iterable[Row]) -> str:
    """grades.csv's content: the header, then ``rows`` in order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(asdict(r))
    return out.getvalue()


def feedback_text(student: str, rows: list[Row], notes: dict[str, list[str]]) -> str:
    """One student's feedback in Markdown: per notebook, each exercise's verdict and message.

    ``notes`` maps a notebook to what happened while it ran (a cell that raised, a cell stopped
    by the time limit), shown under its table.
    """
    lines = [f"# Feedback for {student}", ""]
    by_notebook: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_notebook[r.notebook].append(r)
    for notebook, group in sorted(by_notebook.items()):
        got = sum(r.points for r in group)
        lines += [f"## Notebook {notebook or '?'}: {got} / {len(group)} points", ""]
        lines += ["| exercise | points | verdict | why |", "| --- | --- | --- | --- |"]
        for r in group:
            why = r.reason.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r.exercise or '-'} | {r.points} | {r.verdict} | {why} |")
        lines.append("")
        for note in notes.get(notebook, []):
            lines.append(f"* {note}")
        if notes.get(notebook):
            lines.append("")
    return "\n".join(lines)


def summary_lines(rows: list[Row]) -> list[str]:
    """Per exercise: how many are correct, and the most common mistake message."""
    by_exercise: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        if r.exercise:
            by_exercise[r.exercise].append(r)
    lines = []
    for exercise, group in sorted(by_exercise.items()):
        correct = sum(r.verdict == CORRECT for r in group)
        mistakes = Counter(r.reason for r in group if r.verdict in ("incorrect", "error"))
        line = f"{exercise}: {correct}/{len(group)} correct"
        if mistakes:
            message, count = mistakes.most_common(1)[0]
            line += f"; most common mistake ({count}x): {message}"
        lines.append(line)
    return lines


def write_outputs(out: Path, rows: list[Row], notes: dict[tuple[str, str], list[str]]) -> None:
    """Write ``out/grades.csv`` and ``out/feedback/<student>.md`` for every student in ``rows``."""
    rows = sort_rows(rows)
    write_atomically(out / "grades.csv", csv_text(rows))
    students: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        students[r.student].append(r)
    for student, group in students.items():
        mine = {nb: text for (who, nb), text in notes.items() if who == student}
        write_atomically(out / "feedback" / f"{student}.md", feedback_text(student, group, mine))


def write_skipped(out: Path, skipped: list[Skipped]) -> None:
    """Print the skipped files and write ``out/skipped.csv`` (label, student, reason)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["file", "student", "reason"])
    writer.writerows([s.label, s.student, s.reason] for s in skipped)
    write_atomically(out / "skipped.csv", text.getvalue())
    if skipped:
        print(f"grade: {len(skipped)} files skipped (not graded; also in {out / 'skipped.csv'}):")
        for s in skipped:
            print(f"  {s.label}: {s.reason}")


def merge(parts: list[Path], out: Path) -> int:
    """Join the output folders of shards into ``out``: the grades.csv of one whole run."""
    rows: list[Row] = []
    skipped: list[list[str]] = []
    for part in parts:
        if not (part / "grades.csv").is_file():
            print(
                f"grade: --merge takes output folders of shards; got {str(part)!r} without a "
                "grades.csv instead. Run each shard first (SHARD=i/n OUT=...).",
                file=sys.stderr,
            )
            return 2
        with open(part / "grades.csv", encoding="utf-8", newline="") as f:
            rows += [Row(**{**r, "points": int(r["points"])}) for r in csv.DictReader(f)]
        if (part / "skipped.csv").is_file():
            with open(part / "skipped.csv", encoding="utf-8", newline="") as f:
                skipped += list(csv.reader(f))[1:]
        for feedback in sorted((part / "feedback").glob("*.md")):
            write_atomically(out / "feedback" / feedback.name, feedback.read_text("utf-8"))
    write_atomically(out / "grades.csv", csv_text(sort_rows(rows)))
    write_skipped(out, [Skipped(*s) for s in sorted(skipped)])
    print(f"grade: merged {len(parts)} shards into {out / 'grades.csv'} ({len(rows)} rows)")
    return 0
