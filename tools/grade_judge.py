"""Turn what happened in a submission's kernel into one verdict and reason per exercise.

tools/grade_run.py executes a submission and hands over what it saw: the execute reply of each
cell that finished (the learner's cells, then the grader's loader cell, then one grader cell
per exercise), the index of the last cell that started, a fatal event (the notebook's time
limit, a kernel that died) and the verdicts the grader's cells published (tools/grade_probe.py),
each checked by :func:`verified` as it arrived: it counts only if it came from the grader cell of
its exercise, carries the right MAC for this submission's key, and is the first such one; anything
else the learner's code displayed (a background thread's fake verdicts) is ignored. This module
only reads those; it starts nothing.

Precedence, per exercise: a verdict the probe published wins (a "missing" or "not done" verdict
gets the first note attached: the cell that failed is usually why the function is missing); then a
loader that failed ("error"); then the grader cell's own reply (its time limit: "timeout");
then the fatal event, told where it struck (in the grader's call of this exercise, in a code
cell of the learner, before the checks). Notes: one line per learner cell that raised or was
stopped by the per-cell time limit, numbered as the learner sees code cells (from 1).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tools.grade_course import CourseNotebook
from tools.grade_probe import sign

if TYPE_CHECKING:
    from tools.grade_run import Limits

#: The ``ename`` of the reply nbclient makes up for a cell stopped by its time limit.
TIMEOUT_ERROR = "GraderCellTimeout"
#: The verdicts the probe can publish.
PROBE_VERDICTS = ("correct", "incorrect", "not done", "missing", "error", "timeout")


@dataclass
class Outcome:
    """Each exercise's ``(verdict, reason)``, and notes on what happened while it ran."""

    verdicts: dict[str, tuple[str, str]]
    notes: list[str] = field(default_factory=list)


def _error_text(reply: dict[str, Any]) -> tuple[str, str]:
    content = reply.get("content", {})
    return str(content.get("ename", "Error")), str(content.get("evalue", ""))[:300]


def verified(entry: Any, exercise: str, key: str) -> tuple[str, str] | None:
    """``(verdict, message)`` of a published ``entry`` for ``exercise`` if its MAC is right."""
    if not isinstance(entry, dict) or entry.get("exercise") != exercise:
        return None
    verdict, message, mac = entry.get("verdict"), entry.get("message"), entry.get("mac")
    if verdict not in PROBE_VERDICTS or not isinstance(message, str) or not isinstance(mac, str):
        return None
    if not hmac.compare_digest(mac, sign(key, exercise, verdict, message)):
        return None
    return verdict, message


def judge(
    book: CourseNotebook,
    n_learner: int,
    limits: Limits,
    replies: dict[int, dict[str, Any]],
    last_cell: int | None,
    fatal: tuple[str, str] | None,
    judged: dict[str, tuple[str, str]],
) -> Outcome:
    """Turn the published verdicts, the cells' replies and a fatal event into verdicts and notes.

    ``judged`` holds, per exercise, the first verdict its grader cell published with the right
    MAC (:func:`verified`; tools/grade_run.py checks each as it arrives).
    """
    notes: list[str] = []
    memory = f"more memory than the limit of {limits.memory_gb:g} GB"
    for index in range(n_learner):
        reply = replies.get(index)
        if reply is None or reply.get("content", {}).get("status") != "error":
            continue
        ename, evalue = _error_text(reply)
        if ename == TIMEOUT_ERROR:
            notes.append(
                f"code cell {index + 1} was stopped: it ran longer than {limits.cell_seconds:g} s "
                "(the time limit per cell)"
            )
        else:
            extra = f" ({memory})" if ename == "MemoryError" else ""
            said = f": {evalue}" if evalue else ""
            notes.append(f"code cell {index + 1} raised {ename}{said}{extra}")
    loader_reply = replies.get(n_learner)
    verdicts: dict[str, tuple[str, str]] = {}
    for offset, (exercise, function) in enumerate(book.exercises):
        index = n_learner + 1 + offset
        if exercise in judged:
            verdict, reason = judged[exercise]
            if verdict in ("missing", "not done") and notes:
                reason = f"{reason} ({notes[0]})"
            verdicts[exercise] = (verdict, reason)
            continue
        reply = replies.get(index)
        if loader_reply and loader_reply.get("content", {}).get("status") == "error":
            ename, evalue = _error_text(loader_reply)
            verdicts[exercise] = ("error", f"the checks could not run ({ename}: {evalue})")
        elif reply is not None:
            ename, evalue = _error_text(reply)
            if ename == TIMEOUT_ERROR:
                verdicts[exercise] = (
                    "timeout",
                    f"your {function} did not return within {limits.cell_seconds:g} s when the "
                    "grader called it (an endless loop?)",
                )
            else:
                verdicts[exercise] = ("error", f"the check could not run ({ename}: {evalue})")
        elif fatal is not None and last_cell == index:
            why = (
                "ran too long" if fatal[0] == "timeout" else f"ended (os._exit, a crash, {memory})"
            )
            verdicts[exercise] = (
                fatal[0],
                f"the notebook's Python process {why} while the grader called your {function}",
            )
        elif fatal is not None:
            where = (
                f"in code cell {last_cell + 1}"
                if last_cell is not None and last_cell < n_learner
                else "before its checks"
                if last_cell is not None
                else "before its first cell"
            )
            if fatal[0] == "timeout":  # where it stopped says little: cells queue up
                why = f"{fatal[1]} (the time limit per notebook)" + (
                    f"; {notes[0]}" if notes else ""
                )
            else:
                why = f"its Python process ended {where} (os._exit, a crash, or {memory})"
            verdicts[exercise] = (fatal[0], f"not checked: {why}")
        else:
            verdicts[exercise] = ("error", "not checked: the grader's cell did not run")
    return Outcome(verdicts, notes)
