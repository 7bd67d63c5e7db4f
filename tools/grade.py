"""Grade a folder of submitted notebooks: grades.csv, one feedback file per student, a summary.

Usage: python -m tools.grade SUBMISSIONS [--out build/grades] [--jobs N] [--shard i/n] [--force]
       python -m tools.grade --merge OUT1 OUT2 ... --out OUT   (join the outputs of shards)
(`make grade SUBMISSIONS=folder` runs it; see docs/teaching.md, "Collecting and grading work").

Naming: see tools/grade_files.py (which files are graded, which are skipped and why). The
leading ``NN`` of the file name says which notebook the student meant to hand in; the content
decides which notebook it is (tools/grade_course.py): a file named 01 that holds notebook 02 gets
"wrong notebook" rows. Skipped files are printed and listed in ``OUT/skipped.csv``.

Each submission runs in its own sandbox (tools/grade_run.py), ``--jobs`` at a time (default:
every core). A broken submission is a result, never an error of the batch: unreadable JSON,
the wrong notebook, an endless loop, a kernel that dies, a memory bomb, ... each gets rows with 0
points and a reason. The submitted files are only read.

Re-running skips the submissions already graded: the rows of each are kept in
``OUT/.cache/<key>.json``, the key a hash of the student, the file name, the file's content and
the grader itself (its code, the checkers, the course notebooks, the limits, the versions of
Python and the libraries), so a changed submission or a changed checker is graded again. What
the grading machine may have caused (a time-out, a kernel that did not start, a grader error) is
not cached: it is tried again on the next run. ``--force`` (FORCE=1, yes, true or on) grades
everything again. ``--shard i/n`` grades the students whose position in the sorted list of
students is i, i+n, i+2n, ...: every student's notebooks stay on one machine (whole feedback
files), and ``--merge`` joins the shards' output folders into the same grades.csv as one run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import nbformat

from tools.atomic import write_atomically
from tools.grade_course import ROOT, CourseNotebook, course_key, identify
from tools.grade_files import (
    NAMING,
    Submission,
    find_submissions,
    in_shard,
    parse_shard,
    skipped_in_shard,
)
from tools.grade_report import Row, merge, row, summary_lines, write_outputs, write_skipped
from tools.grade_run import (
    GDHELPERS,
    KernelSpec,
    Limits,
    kernelspec_dir,
    load_kernel_spec,
    run_submission,
)

__all__ = ["Submission", "find_submissions", "in_shard", "main", "parse_shard"]
DEFAULT_OUT = ROOT / "build" / "grades"
#: The libraries whose versions are part of the cache key.
LIBRARIES = ("numpy", "torch", "ipykernel", "ipython", "nbclient", "jupyter_client", "nbformat")
#: Reasons of the grading machine, not of the submission: never cached.
MACHINE = ("timeout",)
MACHINE_REASONS = ("the grader failed", "the checks could not run", "before its first cell")
TRUE, FALSE = ("1", "yes", "true", "on"), ("", "0", "no", "false", "off")


def fingerprint(limits: Limits) -> str:
    """A hash of what decides a grade besides the submission: the grader's code and checkers."""
    digest = hashlib.sha256(json.dumps(asdict(limits)).encode())
    digest.update(f"{platform.python_version()}\0".encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=none\0".encode())
    notebooks = (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    code = [*GDHELPERS.rglob("*.py"), *Path(__file__).parent.glob("grade*.py"), *notebooks]
    for path in sorted(code):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def by_machine(rows: list[Row]) -> bool:
    """Whether a row's verdict may come from the grading machine (then it is not cached)."""
    return any(
        r.verdict in MACHINE or any(reason in r.reason for reason in MACHINE_REASONS) for r in rows
    )


async def grade_one(
    sub: Submission,
    data: bytes,
    key: dict[str, CourseNotebook],
    *,
    limits: Limits,
    kernels: KernelSpec,
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
) -> dict[Path, dict]:
    """Grade ``todo`` (submission, content, cache file), ``jobs`` at a time, caching each.

    Returns each cache file's entry (rows and notes), written or not (:func:`by_machine`).
    """
    entries: dict[Path, dict] = {}
    gate = asyncio.Semaphore(jobs)
    # ignore_cleanup_errors, as grade_run removes each submission's folder: a submission's
    # thread may still write into this folder while it is removed ("Directory not empty")
    with tempfile.TemporaryDirectory(prefix="gd-grade-kernel-", ignore_cleanup_errors=True) as root:
        kernels = load_kernel_spec(kernelspec_dir(Path(root), limits))

        async def one(sub: Submission, data: bytes, cache: Path) -> None:
            async with gate:
                start = time.perf_counter()
                try:
                    rows, notes = await grade_one(sub, data, key, limits=limits, kernels=kernels)
                except Exception as err:  # a grader bug must not lose the submission either
                    why = f"the grader failed on this file ({type(err).__name__}: {err})"
                    rows, notes = [row(sub.student, sub.name_number or "", "", "error", why)], []
                entry = {"rows": [asdict(r) for r in rows], "notes": notes}
                entries[cache] = entry
                again = by_machine(rows)
                if not again:
                    write_atomically(cache, json.dumps(entry, indent=1) + "\n")
                took = time.perf_counter() - start
                points = sum(r.points for r in rows)
                print(
                    f"grade: {sub.student}: {sub.label or sub.path.name}: {points}/{len(rows)} "
                    f"({took:.1f} s){' (not cached: tried again next run)' if again else ''}",
                    flush=True,
                )

        await asyncio.gather(*(one(*item) for item in todo))
    return entries


def parse_force(text: str) -> bool:
    """``FORCE=`` as a yes/no; a clear error for anything else."""
    if text.strip().lower() in TRUE:
        return True
    if text.strip().lower() in FALSE:
        return False
    raise ValueError(
        f"FORCE must be 1, yes, true or on (or 0, no, false, off); got {text!r} instead."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="folder of submitted notebooks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at once")
    parser.add_argument("--shard", default="1/1", help="i/n: grade one slice of the students")
    parser.add_argument(
        "--force", nargs="?", const="1", default="0", help="grade again what was graded"
    )
    parser.add_argument("--merge", action="store_true", help="join the OUT folders of shards")
    parser.add_argument("--cell-timeout", type=float, default=Limits.cell_seconds)
    parser.add_argument("--timeout", type=float, default=Limits.notebook_seconds)
    parser.add_argument("--memory-gb", type=float, default=Limits.memory_gb)
    args = parser.parse_args(argv)
    if args.merge:
        return merge([Path(p) for p in args.submissions], args.out)
    folder, out = Path(args.submissions[0]), args.out
    if len(args.submissions) != 1 or not args.submissions[0] or not folder.is_dir():
        print(
            f"grade: SUBMISSIONS must be a folder of submitted notebooks; got "
            f"{' '.join(args.submissions)!r} instead. Run: make grade SUBMISSIONS=path/to/folder "
            f"(naming: {NAMING})",
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
        force = parse_force(args.force)
    except ValueError as err:
        print(f"grade: {err}", file=sys.stderr)
        return 2
    found, all_skipped = find_submissions(folder)
    submissions = in_shard(found, i, n, all_skipped)
    skipped = skipped_in_shard(all_skipped, found, i, n)
    if not submissions:
        print(f"grade: no submissions in {folder} (shard {i}/{n}); expected {NAMING}")
        for s in skipped:
            print(f"  skipped {s.label}: {s.reason}")
        return 1
    limits = Limits(args.cell_timeout, args.timeout, args.memory_gb)
    key = course_key()
    stamp = fingerprint(limits)
    todo, caches = [], []
    for sub in submissions:
        data = sub.path.read_bytes()
        ident = f"{stamp}\0{sub.student}\0{sub.label}\0".encode() + data
        cache = out / ".cache" / f"{hashlib.sha256(ident).hexdigest()}.json"
        caches.append(cache)
        if force or not cache.exists():
            todo.append((sub, data, cache))
    done = len(submissions) - len(todo)
    print(
        f"grade: {len(submissions)} submissions (shard {i}/{n}), {len(todo)} to grade, "
        f"{done} already graded{' (FORCE=1 grades them again)' if done else ''}; "
        f"{args.jobs} at a time",
        flush=True,
    )
    entries = asyncio.run(grade_all(todo, key, limits=limits, jobs=args.jobs))
    rows: list[Row] = []
    notes: dict[tuple[str, str], list[str]] = {}
    for cache in caches:
        entry = entries.get(cache) or json.loads(cache.read_text(encoding="utf-8"))
        group = [Row(**r) for r in entry["rows"]]
        rows += group
        if entry["notes"] and group:
            notes.setdefault((group[0].student, group[0].notebook), []).extend(entry["notes"])
    write_outputs(out, rows, notes)
    write_skipped(out, skipped)
    print("\nsummary (per exercise):")
    for line in summary_lines(rows):
        print(f"  {line}")
    print(f"\ngrade: wrote {out / 'grades.csv'} and {out / 'feedback'}/<student>.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
