"""Which files of a submissions folder the grader grades, and why it skips the others.

Naming. Either one sub-folder per student, ``SUBMISSIONS/<student>/<NN>_<anything>.ipynb``, or
one file per student and notebook, ``SUBMISSIONS/<student>__<NN>_<anything>.ipynb`` (two
underscores after the student). The extension may be in any case (``.IPYNB``). Hidden files and
folders (``.ipynb_checkpoints``) are ignored silently; every other file that is not graded is
*skipped* with a reason a teacher can act on (printed, and listed in ``OUT/skipped.csv``):
a file that is not a notebook, a notebook with no student name (``01_x.ipynb`` or
``__01_x.ipynb`` at the top), a notebook in a folder inside a student's folder, and a
*duplicate*: a second file of the same student for the same notebook (by the ``NN`` of its
name). Of duplicates, the first by path (sorted) is graded and the others are skipped, each
reason naming the file that was graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools.grade_course import number_in_name

NAMING = (
    "SUBMISSIONS/<student>/01_numpy_gradient_descent.ipynb or "
    "SUBMISSIONS/<student>__01_numpy_gradient_descent.ipynb"
)


@dataclass(frozen=True)
class Submission:
    """One submitted file: who handed it in, which notebook its name says it is, its path."""

    student: str
    path: Path
    name_number: str | None
    label: str = ""  # the path inside the submissions folder, for messages


@dataclass(frozen=True)
class Skipped:
    """A file that is not graded, the student it belongs to ("" if none) and why."""

    label: str
    student: str
    reason: str


def _is_notebook(path: Path) -> bool:
    return path.suffix.lower() == ".ipynb"


def find_submissions(folder: Path) -> tuple[list[Submission], list[Skipped]]:
    """Every submission in ``folder`` (sorted by student, notebook, path) and the skipped files."""
    found: list[Submission] = []
    skipped: list[Skipped] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        label = rel.as_posix()
        if not _is_notebook(path):
            skipped.append(Skipped(label, "", "not a notebook (.ipynb)"))
            continue
        if len(rel.parts) > 2:
            fix = f"{rel.parts[0]}/{path.name}"
            skipped.append(
                Skipped(
                    label, rel.parts[0], f"in a folder inside a student's folder; move it to {fix}"
                )
            )
            continue
        if len(rel.parts) == 2:
            student, rest = rel.parts[0], path.name
        else:
            student, sep, rest = path.name.partition("__")
            if not sep or not student:
                skipped.append(
                    Skipped(
                        label,
                        "",
                        f"no student name: name it <student>__{rest or path.name} "
                        f"(or put it in a folder <student>/); expected {NAMING}",
                    )
                )
                continue
        found.append(Submission(student, path, number_in_name(rest), label))
    found.sort(key=lambda s: (s.student, s.name_number or "", s.label))
    kept: dict[tuple[str, str], Submission] = {}
    unique = []
    for sub in sorted(found, key=lambda s: s.label):
        if sub.name_number is None:
            unique.append(sub)
            continue
        first = kept.setdefault((sub.student, sub.name_number), sub)
        if first is sub:
            unique.append(sub)
        else:
            skipped.append(
                Skipped(
                    sub.label,
                    sub.student,
                    f"duplicate: {sub.student} handed in notebook {sub.name_number} more than "
                    f"once; {first.label} is graded, not this file (remove one to choose)",
                )
            )
    unique.sort(key=lambda s: (s.student, s.name_number or "", s.label))
    skipped.sort(key=lambda s: s.label)
    return unique, skipped


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; a clear error for anything else."""
    try:
        i, n = (int(part) for part in text.split("/"))
        if not 1 <= i <= n:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"SHARD must be i/n with 1 <= i <= n, e.g. 1/3; got {text!r} instead."
        ) from None
    return i, n


def _mine(submissions: list[Submission], skipped: list[Skipped], i: int, n: int) -> set[str]:
    names = sorted({s.student for s in submissions} | {s.student for s in skipped if s.student})
    return {s for k, s in enumerate(names) if k % n == i - 1}


def in_shard(
    submissions: list[Submission], i: int, n: int, skipped: list[Skipped] | None = None
) -> list[Submission]:
    """The submissions of the students at positions i, i+n, i+2n, ... (from 1) in sorted order.

    The students of ``skipped`` files count in the positions too (see :func:`skipped_in_shard`).
    """
    mine = _mine(submissions, skipped or [], i, n)
    return [s for s in submissions if s.student in mine]


def skipped_in_shard(
    skipped: list[Skipped], submissions: list[Submission], i: int, n: int
) -> list[Skipped]:
    """The skipped files of shard ``i`` of ``n``: its students', and those of no student in 1."""
    mine = _mine(submissions, skipped, i, n)
    return [s for s in skipped if s.student in mine or (not s.student and i == 1)]
