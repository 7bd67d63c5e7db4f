"""The grader's side inside a learner's kernel: fresh checkers, one verdict per exercise.

The grader itself imports only :func:`sign` and :data:`MIME`. After the learner's cells, cells
injected by
tools/grade_run.py load this file by its absolute path under a private, random module name,
then call :meth:`Probe.grade` once per exercise, each in its own cell (so that a function that
never returns costs one cell's time limit, not the notebook's).

What the learner's code cannot have changed, because it ran before any of this existed: the
checkers are loaded afresh from gdhelpers/exercises/_core.py and nbNN.py of the course
checkout, under a private package name, so a redefined ``gd.check``, an edited
``gdhelpers.exercises`` in ``sys.modules`` or a ``gdhelpers`` folder beside the notebook changes
nothing; the verdict comes from calling the checker on the learner's function (looked up by
name in the notebook's namespace), never from what the notebook printed.

The verdict leaves the kernel as an output of the grader's own cell (a ``display_data`` message
of type :data:`MIME`), not as a file: tools/grade_run.py reads it from this kernel's messages only
(no other submission's kernel can send them), only from the grader cell of that exercise, keeps
the first one, and only if its MAC (HMAC-SHA256 with a random key the grader makes for this one
submission and writes only into the loader cell's source) is right. A background thread of the
learner that prints or displays verdict-like lines, or writes files anywhere, forges nothing.

What this cannot prevent: the learner's code runs in the same Python process, before and during
the checks (the checker calls the learner's function). Code written on purpose against the
grader, e.g. patching numpy or builtins that the checkers use, or reading the key out of the
process's memory (the running cell's code, the caller's frames) to sign its own verdicts, can
fool it about its own submission. A kernel runs as the grader's user (root on the course's
machines), so such code could also reach other processes of that user. Against that, read the
code of a suspicious submission; see docs/teaching.md.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import os
import sys
import types
from typing import Any

_MISSING = object()
#: The output type of a verdict: what tools/grade_run.py reads from the grader's cells.
MIME = "application/vnd.gd-grade.verdict+json"


def sign(key: str, exercise: str, verdict: str, message: str) -> str:
    """The MAC of one verdict under ``key`` (hex HMAC-SHA256; checked by tools/grade_judge.py)."""
    text = json.dumps([exercise, verdict, message]).encode("utf-8")
    return hmac.new(key.encode("ascii"), text, hashlib.sha256).hexdigest()


def _load(name: str, path: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Probe:
    """Fresh checkers of one notebook, and the key their verdicts are signed with."""

    def __init__(self, gdhelpers_dir: str, number: str, package: str, key: str) -> None:
        # Packages without their __init__: nbNN's relative imports (``from ._core``,
        # ``from ..losses``) then load fresh modules of the private package from the files.
        exercises_dir = os.path.join(gdhelpers_dir, "exercises")
        for name, path in ((package, gdhelpers_dir), (f"{package}.exercises", exercises_dir)):
            pkg = types.ModuleType(name)
            pkg.__path__ = [path]
            sys.modules[name] = pkg
        prefix = f"{package}.exercises"
        self.core = _load(f"{prefix}._core", os.path.join(exercises_dir, "_core.py"))
        _load(f"{prefix}.nb{number}", os.path.join(exercises_dir, f"nb{number}.py"))
        self._key = key
        from IPython.display import publish_display_data

        self._publish = publish_display_data

    def verdict(self, exercise: str, answer: Any, function: str) -> tuple[str, str]:
        """``(verdict, message)`` for ``answer``, as ``gd.check`` would judge it."""
        core = self.core
        if answer is _MISSING:
            return "missing", (
                f"there is no {function} in your notebook: run the cell that defines it "
                f"(def {function}(...)) without an error, and keep the name {function}."
            )
        todo = f"{function} still raises NotImplementedError: the exercise was not done."
        if answer is None or answer is Ellipsis:
            return "not done", f"{function} is {answer!r}: the exercise was not done."
        watched, not_done = core._watch(answer)
        try:
            problem = core._REGISTRY[exercise].checker(watched)
        except NotImplementedError:
            return "not done", todo
        except (Exception, SystemExit) as err:  # the learner's code failed
            return "error", f"your code raised {type(err).__name__}: {err}"
        if not_done():
            return "not done", todo
        if problem is None:
            return "correct", ""
        return "incorrect", str(problem)

    def grade(self, exercise: str, function: str, namespace: dict[str, Any], limit: float) -> None:
        """Judge the learner's ``function`` for ``exercise``; publish the signed verdict."""
        try:
            verdict, message = self.verdict(exercise, namespace.get(function, _MISSING), function)
        except KeyboardInterrupt:  # the cell's time limit interrupted the learner's function
            verdict = "timeout"
            message = (
                f"your {function} did not return within {limit:g} s when the grader called it "
                "(an endless loop?)"
            )
        mac = sign(self._key, exercise, verdict, message)
        entry = {"exercise": exercise, "verdict": verdict, "message": message, "mac": mac}
        self._publish({MIME: entry})
