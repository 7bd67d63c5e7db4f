"""Grading benchmark (part of `make bench`): what `make grade` adds to running a notebook.

A class of 50 generated submissions of notebook 01 (the student edition with the instructor's
solutions, each with its own comment so that every file is different) is graded the way a
teacher would, with one job per core (``--jobs``, default: the machine's cores), and the time
per submission is compared with executing notebook 01 once with nbclient, the way nbval and
`make record` do. The difference is the grader's machinery: the sandbox, the limits, loading
the checkers afresh and judging each exercise, caching and writing the results
(target: ratio <= 1.3).

Why several jobs, and how the ratio stays fair. With one job the 50 submissions take ~12
minutes on the reference machine; with J jobs they take about 1/J of that. Both sides are
therefore measured at the same concurrency:

* per submission: ``wall * J / n``, the time one submission holds one of the J slots (each
  slot grades n/J submissions one after another; a slot idle at the end counts against the
  grader). Not ``wall / n``, which would flatter the grader J times;
* executing once: J plain executions of notebook 01 started together, each timed on its own
  (once before and once after the grading; the median of the 2J), so that both sides see the
  same contention for cores, memory bandwidth and caches. Not one execution on an idle
  machine, which would be faster than any of the J graded at once and penalise the grader.

The grader's kernels draw no figure (tools/grade_run.py: outputs are never read), so the ratio
compares it with executing notebook 01 the same way (no PNG); the detail also gives the ratio to
an execution that draws every PNG, as nbval does (below 1: skipping figures saves more than the
machinery costs).

CPU seconds would be the other fair measure, but the kernels' CPU time is not visible to this
process (they are not its children once killed). ``--jobs 1`` gives the sequential figure.

Usage: .venv/bin/python -m bench.grade [--submissions 50] [--jobs N] (from the repository root)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from tools import grade, kernel_env, student

ROOT = Path(__file__).resolve().parent.parent
NB01 = ROOT / "notebooks" / "01_numpy_gradient_descent.ipynb"


def execute_at_once(jobs: int, *, figures: bool = True) -> list[float]:
    """Seconds each of ``jobs`` executions of notebook 01 takes, all started together.

    ``figures=False`` executes it as the grader's kernels do: no PNG is drawn (a first cell
    sets the inline backend's figure formats to none, as tools/grade_run.py's kernel config).
    """

    async def once() -> float:
        nb = nbformat.read(NB01, as_version=4)
        if not figures:
            nb.cells.insert(
                0, nbformat.v4.new_code_cell("%config InlineBackend.figure_formats = set()")
            )
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NB01.parent)}},
        )
        start = time.perf_counter()
        await client.async_execute()
        return time.perf_counter() - start

    async def together() -> list[float]:
        return list(await asyncio.gather(*(once() for _ in range(jobs))))

    return asyncio.run(together())


def make_class(folder: Path, n: int) -> None:
    """``n`` different, correct submissions of notebook 01."""
    instructor = nbformat.read(NB01, as_version=4)
    solutions = {c.get("id"): c.source for c in instructor.cells}
    edition, _ = student.make_student(instructor, source=str(NB01))
    for cell in edition.cells:
        if student.PLACEHOLDER[1] in cell.source:
            cell.source = solutions[cell.id]
    for k in range(n):
        edition.cells[0].source = f"# submission {k}\n" + edition.cells[0].source
        nbformat.write(edition, folder / f"s{k:03d}__{NB01.name}")


def bench_grade(submissions: int = 50, *, jobs: int | None = None) -> dict[str, Any]:
    """Grade ``submissions`` generated submissions of notebook 01, ``jobs`` at a time."""
    jobs = jobs or os.cpu_count() or 1
    kernel_env.apply()
    with tempfile.TemporaryDirectory(prefix="gd-bench-grade-") as tmp:
        subs, out = Path(tmp) / "subs", Path(tmp) / "out"
        subs.mkdir()
        make_class(subs, submissions)
        once, bare = execute_at_once(jobs), execute_at_once(jobs, figures=False)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            argv = [str(subs), "--out", str(out), "--jobs", str(jobs), "--force"]
            code = grade.main(argv)
        took = time.perf_counter() - start
        once += execute_at_once(jobs)
        bare += execute_at_once(jobs, figures=False)
        rows = (out / "grades.csv").read_text().splitlines()[1:]
    full = sum(r.split(",")[3] == "1" for r in rows) == 2 * submissions
    per, t_once, t_bare = (
        took * jobs / submissions,
        statistics.median(once),
        statistics.median(bare),
    )
    ratio = per / t_bare  # the machinery alone: both sides draw no figure
    return {
        "value": ratio,
        "unit": "x (time per graded submission / executing notebook 01 once without drawing "
        "figures, as the grader does; same concurrency)",
        "target": "<= 1.3",
        "pass": ratio <= 1.3 and code == 0 and full,
        "detail": f"{submissions} submissions of notebook 01, {jobs} jobs: {took:.0f} s in all, "
        f"{per:.1f} s each (wall x jobs / n) vs {t_bare:.1f} s to execute it once without "
        f"figures and {t_once:.1f} s with them as nbval does ({per / t_once:.2f}x) ({jobs} at "
        f"once, median of {len(once)} each); exit {code}, full marks for all: {full}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=None, help="default: the machine's cores")
    args = parser.parse_args(argv)
    result = bench_grade(args.submissions, jobs=args.jobs)
    print(f"grade_per_submission {result['value']:.3g} (target {result['target']}): "
          f"{result['detail']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
