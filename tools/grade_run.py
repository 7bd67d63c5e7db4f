"""Run one submission in its sandbox: the grader's executor (tools/grade_judge.py: its verdicts).

The sandbox: a copy of the notebook in a fresh temporary folder (the kernel's working folder,
outside the submissions and the output folder, so a relative path the notebook writes or deletes
stays there unless it climbs out with ``..``: the kernel runs as the grader's user and can reach
any file that user can, by relative or absolute path), a fresh kernel of the course's Python
(.venv) with an environment reduced to a few harmless variables (no OUT=, no make variables, no
PWD of the grader), and limits:

* per cell (``cell_seconds``): nbclient interrupts the cell and the run goes on with the next
  (after at most ``IOPUB_SECONDS`` more for the cell's last messages: a cell that ignores the
  interrupt costs its time limit plus one second, not nbclient's default four);
* per notebook (``notebook_seconds``, counted from the kernel's start): the kernel is stopped
  and what was not judged yet gets the verdict "timeout";
* memory (``memory_gb``): RLIMIT_AS of the kernel process and its children, set by the
  kernel's own start command (Linux; macOS does not enforce it). Virtual memory, not resident:
  torch reserves address space it never touches (measured VmPeak: notebook 01 1.6 GB,
  notebook 08 1.9 GB), hence the default of 4 GB. A notebook over it gets MemoryError (or
  its kernel dies), never the machine's memory. The CPU time is limited too (RLIMIT_CPU), so
  a kernel that outlived the grader stops by itself.

After the learner's cells (run top to bottom; a cell that fails does not stop the others, as
in nbgrader), the grader appends its own cells: one loads tools/grade_probe.py (fresh checkers,
see there), then one per exercise judges the learner's function by name and publishes its
signed verdict as an output of that cell (nothing is written to a file). Outputs are dropped as
they arrive, except errors and the grader cells' verdict outputs: the grader never reads what the
notebook printed, and a notebook
that prints without end cannot fill the grader's memory. For the same reason the kernel's
inline backend has no figure format: matplotlib figures are made and closed after each cell as
in JupyterLab, but never drawn into PNGs (``fig.savefig`` still draws). The submitted file is
only read.

What happened (each cell's reply, where a fatal event struck, the published verdicts) goes to
tools/grade_judge.py, which turns it into one verdict and reason per exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from tools import kernel_env
from tools.grade_course import CourseNotebook
from tools.grade_judge import TIMEOUT_ERROR, Outcome, judge, verified
from tools.grade_probe import MIME

ROOT = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().with_name("grade_probe.py")
GDHELPERS = ROOT / "gdhelpers"
KERNEL = "gd-grade"
KERNELSPEC = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
#: The time limit of the cell that loads the checkers (torch's import takes seconds on a busy
#: machine); the learner's code does not run in it.
LOAD_SECONDS = 60.0
#: How long to wait for a cell's last output messages after its reply. Only error outputs are
#: kept and none is read to grade (the replies are), so waiting longer gains nothing.
IOPUB_SECONDS = 1
#: Variables the kernel keeps from the grader's environment; everything else is dropped.
PASS_ENV = ("PATH", "HOME", "LANG", "TMPDIR", "USER", "LOGNAME", "VIRTUAL_ENV", "MPLCONFIGDIR")
PASS_PREFIX = ("LC_", "OMP_", "MKL_", "OPENBLAS_")
#: Sets the limits, then starts ipykernel as `python -m ipykernel_launcher` would, except that
#: the inline backend draws no figure (no PNG: a fifth of notebook 01's time; see the docstring).
BOOT = """\
import resource, sys
memory, cpu = int(sys.argv.pop(1)), int(sys.argv.pop(1))
for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu),
                     (resource.RLIMIT_CORE, 0)):
    try:
        resource.setrlimit(limit, (value, value))
    except (ValueError, OSError):
        pass
if sys.path and sys.path[0] == "":
    del sys.path[0]
from ipykernel.kernelapp import launch_new_instance
from traitlets.config import Config
config = Config()
config.InlineBackend.figure_formats = set()  # figures are closed, never drawn: none is read
launch_new_instance(config=config)
"""
LOADER = """\
def _gd_load_{token}():
    import gc
    import importlib.util
    import sys

    # free what the last failed cell's traceback holds (a memory bomb's locals)
    sys.last_type = sys.last_value = sys.last_traceback = sys.last_exc = None
    gc.collect()
    spec = importlib.util.spec_from_file_location("_gd_probe_{token}", {probe!r})
    probe = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = probe
    spec.loader.exec_module(probe)
    return probe.Probe({gdhelpers!r}, {number!r}, "_gd_checkers_{token}", {key!r})


_gd_grader_{token} = _gd_load_{token}()
"""
GRADE = "_gd_grader_{token}.grade({exercise!r}, {function!r}, globals(), {limit!r})"


@dataclass(frozen=True)
class Limits:
    """Time and memory limits of one submission (seconds, seconds, gigabytes)."""

    cell_seconds: float = 60.0
    notebook_seconds: float = 300.0
    memory_gb: float = 4.0


def kernelspec_dir(root: Path, limits: Limits) -> Path:
    """Write the grader's kernelspec (the course's Python, with the limits) under ``root``."""
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    memory = int(limits.memory_gb * 2**30)
    cpu = int(limits.notebook_seconds + 60)
    argv = [sys.executable, "-c", BOOT, str(memory), str(cpu), "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "gd-grade", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return root / "kernels"


def load_kernel_spec(kernels: Path) -> KernelSpec:
    """The grader's kernelspec, read once before any learner's kernel starts.

    Every kernel starts from this copy in memory: a submission that rewrites the kernel.json
    file cannot change how the kernels of the next submissions start.
    """
    return KernelSpecManager(kernel_dirs=[str(kernels)]).get_kernel_spec(KERNEL)


class _FixedSpecs(KernelSpecManager):
    """A kernelspec manager that knows one kernelspec, held in memory."""

    def __init__(self, spec: KernelSpec) -> None:
        super().__init__()
        self._spec = spec

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self._spec


def sandbox_env(work: Path) -> dict[str, str]:
    """The kernel's environment: the course's kernel settings and a few harmless variables."""
    env = {k: v for k, v in os.environ.items() if k in PASS_ENV or k.startswith(PASS_PREFIX)}
    env.update(kernel_env.KERNEL_ENV)
    env["PWD"] = str(work)
    return env


class _Client(NotebookClient):
    """Keeps error outputs, and the first verified verdict each grader cell displays.

    ``graders`` maps a grader cell's index to its exercise; ``key`` is the submission's MAC key.
    Anything else displayed (a learner's thread may display fake verdicts at any time) is
    dropped as it arrives. The grader's cells run without storing their source in the kernel's
    input history.
    """

    graders: dict[int, str]
    key: str
    judged: dict[str, tuple[str, str]]

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> Any:
        exercise = self.graders.get(cell_index)
        if msg["msg_type"] == "display_data" and exercise and exercise not in self.judged:
            entry = msg.get("content", {}).get("data", {}).get(MIME)
            if (found := verified(entry, exercise, self.key)) is not None:
                self.judged[exercise] = found
            return None
        if msg["msg_type"] != "error":
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def async_execute_cell(
        self, cell: Any, cell_index: int, execution_count: int | None = None, **kw: Any
    ) -> Any:
        if cell_index >= min(self.graders, default=0) - 1:  # the loader too: it holds the key
            kw["store_history"] = False
        return await super().async_execute_cell(cell, cell_index, execution_count, **kw)


async def run_submission(
    nb: nbformat.NotebookNode,
    book: CourseNotebook,
    *,
    data: bytes,
    limits: Limits,
    kernels: KernelSpec,
) -> Outcome:
    """Execute ``nb`` (a submission of ``book``, read from ``data``) in a sandbox; judge it."""
    token = secrets.token_hex(8)
    key = secrets.token_hex(32)  # this submission's MAC key: only in the loader cell's source
    work = Path(tempfile.mkdtemp(prefix="gd-grade-work-"))
    try:
        (work / book.filename).write_bytes(data)  # the copy the notebook runs beside
        learner = [
            new_code_cell(c["source"])
            for c in nb.cells
            if c.get("cell_type") == "code" and isinstance(c.get("source"), str)
        ]
        loader = LOADER.format(
            token=token,
            probe=str(PROBE),
            gdhelpers=str(GDHELPERS),
            number=book.number,
            key=key,
        )
        graders = [
            GRADE.format(token=token, exercise=e, function=f, limit=limits.cell_seconds)
            for e, f in book.exercises
        ]
        load = new_code_cell(loader, metadata={"gd_grader": "load"})
        cells = [*learner, load, *(new_code_cell(g) for g in graders)]
        run = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})
        return await _execute(run, book, len(learner), limits, kernels, work, key)
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def _execute(
    run: nbformat.NotebookNode,
    book: CourseNotebook,
    n_learner: int,
    limits: Limits,
    kernels: KernelSpec,
    work: Path,
    key: str,
) -> Outcome:
    replies: dict[int, dict[str, Any]] = {}
    state: dict[str, Any] = {"cell": None, "pgid": None}
    started = asyncio.Event()
    km = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=_FixedSpecs(kernels))

    def on_start(**_: Any) -> None:
        state["pgid"] = getattr(km.provisioner, "pgid", None)
        started.set()

    def on_cell_start(cell_index: int, **_: Any) -> None:
        state["cell"] = cell_index

    def on_executed(cell_index: int, execute_reply: dict[str, Any], **_: Any) -> None:
        replies[cell_index] = execute_reply

    client = _Client(
        run,
        km=km,
        timeout_func=lambda cell: (
            max(limits.cell_seconds, LOAD_SECONDS)
            if cell.get("metadata", {}).get("gd_grader") == "load"
            else limits.cell_seconds
        ),
        allow_errors=True,
        iopub_timeout=IOPUB_SECONDS,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ERROR, "evalue": "", "traceback": []},
        resources={"metadata": {"path": str(work)}},
        on_notebook_start=on_start,
        on_cell_start=on_cell_start,
        on_cell_executed=on_executed,
    )
    client.graders = {n_learner + 1 + k: e for k, (e, _) in enumerate(book.exercises)}
    client.key = key
    client.judged = {}
    fatal: tuple[str, str] | None = None
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # C-level prints too
    execute = client.async_execute(env=sandbox_env(work), cwd=str(work), **quiet)
    task = asyncio.ensure_future(execute)
    waiter = asyncio.ensure_future(started.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        done, _ = await asyncio.wait({task}, timeout=limits.notebook_seconds)
        if not done:
            task.cancel()
            fatal = ("timeout", f"the notebook did not finish within {limits.notebook_seconds:g} s")
        with contextlib.suppress(asyncio.CancelledError):
            await task
    except Exception as err:  # DeadKernelError, a kernel that would not start, ...
        fatal = fatal or ("crashed", f"{type(err).__name__}: {err}")
    finally:
        waiter.cancel()
        if state["pgid"]:  # the kernel and whatever it started
            with contextlib.suppress(OSError):
                os.killpg(state["pgid"], signal.SIGKILL)
    return judge(book, n_learner, limits, replies, state["cell"], fatal, client.judged)
