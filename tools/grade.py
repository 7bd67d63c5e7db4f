"""Grade a folder of submitted notebooks: grades.csv, one feedback file per student, a summary.

Usage: python -m tools.grade SUBMISSIONS [--out build/grades] [--jobs N] [--shard i/n] [--force]
(`make grade SUBMISSIONS=folder` runs it; see docs/teaching.md, "Collecting and grading work".)

Naming. Either one sub-folder per student, ``SUBMISSIONS/<student>/<NN>_<anything>.ipynb``, or
one file per student and notebook, ``SUBMISSIONS/<student>__<NN>_<anything>.ipynb`` (two
underscores after the student). The leading ``NN`` says which notebook the student meant to hand
in; the content decides which notebook it is (tools/grade_course.py): a file named 01 that holds
notebook 02 gets "wrong notebook" rows. Hidden files, ``.ipynb_checkpoints`` and files that are
not ``.ipynb`` are ignored.

Each submission runs in its own sandbox (tools/grade_run.py), ``--jobs`` at a time (default:
every core). A broken submission is a result, never an error of the batch: unreadable JSON,
the wrong notebook, an endless loop, a kernel that dies, a memory bomb, ... each gets rows with 0
points and a reason. The submitted files are only read.

Re-running skips the submissions already graded: the rows of each are kept in
``OUT/.cache/<key>.json``, the key a hash of the student, the file name, the file's content and
the grader itself (its code, the checkers, the limits), so a changed submission or a changed
checker is graded again; ``--force`` (FORCE=1) grades everything again. ``--shard i/n`` grades
the students whose position in the sorted list of students is i, i+n, i+2n, ...: every
student's notebooks stay on one machine (whole feedback files) and the n grades.csv files
concatenate into the class's (drop the header line of all but the first).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from tools.atomic import write_atomically
from tools.grade_course import ROOT, CourseNotebook, course_key, identify, number_in_name
from tools.grade_report import Row, row, summary_lines, write_outputs
from tools.grade_run import GDHELPERS, Limits, kernelspec_dir, run_submission

DEFAULT_OUT = ROOT / "build" / "grades"
NAMING = (
    "SUBMISSIONS/<student>/01_numpy_gradient_descent.ipynb or "
    "SUBMISSIONS/<student>__01_numpy_gradient_descent.ipynb"
)


@dataclass(frozen=True)
class Submission:
    """One submitted file: who handed it in, and which notebook its name says it is."""

    student: str
    path: Path
    name_number: str | None


def find_submissions(folder: Path) -> list[Submission]:
    """Every submission in ``folder``, sorted by student, notebook and file name."""
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            for path in entry.glob("*.ipynb"):
                if not path.name.startswith(".") and path.is_file():
                    found.append(Submission(entry.name, path, number_in_name(path.name)))
        elif entry.suffix == ".ipynb":
            student, _, rest = entry.stem.partition("__")
            found.append(Submission(student, entry, number_in_name(rest)))
    return sorted(found, key=lambda s: (s.student, s.name_number or "", s.path.name))


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


def in_shard(submissions: list[Submission], i: int, n: int) -> list[Submission]:
    """The submissions of the students at positions i, i+n, i+2n, ... (from 1) in sorted order."""
    students = sorted({s.student for s in submissions})
    mine = {s for k, s in enumerate(students) if k % n == i - 1}
    return [s for s in submissions if s.student in mine]


def fingerprint(limits: Limits) -> str:
    """A hash of what decides a grade besides the submission: the grader's code and checkers."""
    digest = hashlib.sha256(json.dumps(asdict(limits)).encode())
    for path in sorted([*GDHELPERS.rglob("*.py"), *Path(__file__).parent.glob("grade*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


async def grade_one(
    sub: Submission,
    data: bytes,
    key: dict[str, CourseNotebook],
    *,
    limits: Limits,
    kernels: Path,
) -> tuple[list[Row], list[str]]:
    """The rows and notes of one submission (never raises because of the submission)."""
    expected = sub.name_number
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as err:  # invalid JSON, not a notebook, not UTF-8
        why = str(err).splitlines()[0][:200]
        reason = f"the file is not a readable notebook ({type(err).__name__}: {why})"
        book = key.get(expected or "")
        names = [e for e, _ in book.exercises] if book else [""]
        return [row(sub.student, expected or "", e, "unreadable", reason) for e in names], []
    found = identify(nb, key)
    if expected is not None and found is not None and found != expected:
        book = key.get(expected)
        names = [e for e, _ in book.exercises] if book else [""]
        reason = (
            f"this file holds notebook {found} ({key[found].filename}), not notebook {expected}: "
            f"hand in {book.filename if book else f'notebook {expected}'}"
        )
        return [row(sub.student, expected, e, "wrong notebook", reason) for e in names], []
    number = found or expected
    if number not in key:
        reason = (
            f"notebook {number} has no exercises to grade"
            if number
            else f"no exercise of the course found in it; name it as in {NAMING}"
        )
        return [row(sub.student, number or "", "", "not gradable", reason)], []
    book = key[number]
    outcome = await run_submission(nb, book, data=data, limits=limits, kernels=kernels)
    rows = [row(sub.student, number, e, *outcome.verdicts[e]) for e, _ in book.exercises]
    return rows, outcome.notes


async def grade_all(
    todo: list[tuple[Submission, bytes, Path]],
    key: dict[str, CourseNotebook],
    *,
    limits: Limits,
    jobs: int,
) -> None:
    """Grade ``todo`` (submission, content, cache file), ``jobs`` at a time, caching each."""
    gate = asyncio.Semaphore(jobs)
    with tempfile.TemporaryDirectory(prefix="gd-grade-kernel-") as root:
        kernels = kernelspec_dir(Path(root), limits)

        async def one(sub: Submission, data: bytes, cache: Path) -> None:
            async with gate:
                start = time.perf_counter()
                try:
                    rows, notes = await grade_one(sub, data, key, limits=limits, kernels=kernels)
                except Exception as err:  # a grader bug must not lose the submission either
                    why = f"the grader failed on this file ({type(err).__name__}: {err})"
                    rows, notes = [row(sub.student, sub.name_number or "", "", "error", why)], []
                entry = {"rows": [asdict(r) for r in rows], "notes": notes}
                write_atomically(cache, json.dumps(entry, indent=1) + "\n")
                took = time.perf_counter() - start
                points = sum(r.points for r in rows)
                print(f"grade: {sub.path.name}: {points}/{len(rows)} ({took:.1f} s)", flush=True)

        await asyncio.gather(*(one(*item) for item in todo))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", help="folder of submitted notebooks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at once")
    parser.add_argument("--shard", default="1/1", help="i/n: grade one slice of the students")
    parser.add_argument("--force", action="store_true", help="grade again what was graded")
    parser.add_argument("--cell-timeout", type=float, default=Limits.cell_seconds)
    parser.add_argument("--timeout", type=float, default=Limits.notebook_seconds)
    parser.add_argument("--memory-gb", type=float, default=Limits.memory_gb)
    args = parser.parse_args(argv)
    folder, out = Path(args.submissions), args.out
    if not args.submissions or not folder.is_dir():
        print(
            f"grade: SUBMISSIONS must be a folder of submitted notebooks; got {args.submissions!r} "
            f"instead. Run: make grade SUBMISSIONS=path/to/folder (naming: {NAMING})",
            file=sys.stderr,
        )
        return 2
    if out.resolve().is_relative_to(folder.resolve()):
        print(
            f"grade: OUT must be outside the submissions folder; got {str(out)!r} inside "
            f"{str(folder)!r} instead. Choose another OUT=, e.g. build/grades.",
            file=sys.stderr,
        )
        return 2
    if args.jobs < 1:
        print(f"grade: JOBS must be at least 1; got {args.jobs} instead.", file=sys.stderr)
        return 2
    try:
        i, n = parse_shard(args.shard)
    except ValueError as err:
        print(f"grade: {err}", file=sys.stderr)
        return 2
    submissions = in_shard(find_submissions(folder), i, n)
    if not submissions:
        print(f"grade: no submissions in {folder} (shard {i}/{n}); expected {NAMING}")
        return 1
    limits = Limits(args.cell_timeout, args.timeout, args.memory_gb)
    key = course_key()
    stamp = fingerprint(limits)
    todo, caches = [], []
    for sub in submissions:
        data = sub.path.read_bytes()
        ident = f"{stamp}\0{sub.student}\0{sub.path.name}\0".encode() + data
        cache = out / ".cache" / f"{hashlib.sha256(ident).hexdigest()}.json"
        caches.append(cache)
        if args.force or not cache.exists():
            todo.append((sub, data, cache))
    skipped = len(submissions) - len(todo)
    print(
        f"grade: {len(submissions)} submissions (shard {i}/{n}), {len(todo)} to grade, "
        f"{skipped} already graded{' (FORCE=1 grades them again)' if skipped else ''}; "
        f"{args.jobs} at a time",
        flush=True,
    )
    asyncio.run(grade_all(todo, key, limits=limits, jobs=args.jobs))
    rows: list[Row] = []
    notes: dict[tuple[str, str], list[str]] = {}
    for cache in caches:
        entry = json.loads(cache.read_text(encoding="utf-8"))
        group = [Row(**r) for r in entry["rows"]]
        rows += group
        if entry["notes"] and group:
            notes.setdefault((group[0].student, group[0].notebook), []).extend(entry["notes"])
    write_outputs(out, rows, notes)
    print("\nsummary (per exercise):")
    for line in summary_lines(rows):
        print(f"  {line}")
    print(f"\ngrade: wrote {out / 'grades.csv'} and {out / 'feedback'}/<student>.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
