"""What the grader grades: each course notebook's exercises, and which notebook a submission is.

The exercises of notebook NN are the registered exercises named ``NN.<name>`` (the registry of
``gdhelpers.exercises``); the learner's function that answers each one is the one the
instructor edition checks, ``gd.check("NN.<name>", <function>)`` in ``notebooks/NN_*.ipynb``.
Nothing is typed by hand here: a new exercise is graded as soon as it is registered and checked
in its notebook, and a registered exercise that no notebook checks stops the grader.

A submission's notebook is told by its content, not by its file name: the exercise names in its
``gd.check`` calls and the exercise functions it defines, each a vote for its notebook. The file
name (``NN_...``) only says which notebook the student meant to hand in.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
#: ``gd.check("01.mse_gradient", mse_gradient)`` in the instructor edition.
CHECK_CALL = re.compile(r"""\bgd\.check\(\s*["'](\d\d\.\w+)["']\s*,\s*([A-Za-z_]\w*)\s*\)""")
#: The exercise names a submission's checks mention (the function may have been renamed).
CHECK_NAME = re.compile(r"""\bgd\.check\(\s*["'](\d\d\.\w+)["']""")
DEF_NAME = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)
#: The notebook number at the start of a file name: "01_numpy_gradient_descent.ipynb", "01.ipynb".
NUMBER = re.compile(r"^(\d\d)(?![0-9])")


@dataclass(frozen=True)
class CourseNotebook:
    """One notebook of the course that has exercises.

    Attributes
    ----------
    number : str
        Two digits, ``"01"``.
    filename : str
        The instructor edition's file name, ``"01_numpy_gradient_descent.ipynb"``.
    exercises : tuple of (str, str)
        ``(exercise name, learner's function name)`` in the notebook's order.
    """

    number: str
    filename: str
    exercises: tuple[tuple[str, str], ...]


def course_key(notebooks: Path = ROOT / "notebooks") -> dict[str, CourseNotebook]:
    """Each notebook's exercises, from the registry and the instructor edition in ``notebooks``.

    Raises ValueError when the two disagree (a course defect, not a submission's).
    """
    from gdhelpers.exercises import _core, _load_all

    _load_all()
    registered = set(_core._REGISTRY)
    key: dict[str, CourseNotebook] = {}
    checked: set[str] = set()
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        pairs: dict[str, str] = {}
        for cell in nb.cells:
            if cell.cell_type == "code":
                pairs.update(CHECK_CALL.findall(cell.source))
        for name in pairs:
            if name not in registered or not name.startswith(path.name[:2] + "."):
                raise ValueError(
                    f"{path.name} checks {name!r}, which is not a registered exercise of notebook "
                    f"{path.name[:2]}; register it in gdhelpers/exercises/nb{path.name[:2]}.py."
                )
        checked.update(pairs)
        if pairs:
            key[path.name[:2]] = CourseNotebook(path.name[:2], path.name, tuple(pairs.items()))
    if unchecked := sorted(registered - checked):
        raise ValueError(
            f"every registered exercise must be checked in its notebook; got {unchecked} without "
            "a gd.check(name, function) cell instead. Add the check cell to the notebook."
        )
    return key


def number_in_name(filename: str) -> str | None:
    """The notebook number a file name starts with (``"01_x.ipynb"`` -> ``"01"``), or None."""
    match = NUMBER.match(filename)
    return match.group(1) if match else None


def identify(nb: nbformat.NotebookNode, key: dict[str, CourseNotebook]) -> str | None:
    """The number of the course notebook ``nb`` is, by its content; None when it cannot tell.

    Each ``gd.check("NN.name"`` of a known exercise and each ``def`` of a known exercise
    function is a vote for its notebook; the notebook with the most votes wins. None when there
    is no vote or a tie.
    """
    exercise_of = {name: nn for nn, book in key.items() for name, _ in book.exercises}
    function_of = {func: nn for nn, book in key.items() for _, func in book.exercises}
    votes: Counter[str] = Counter()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or not isinstance(cell.get("source"), str):
            continue
        votes.update(exercise_of[n] for n in CHECK_NAME.findall(cell.source) if n in exercise_of)
        votes.update(function_of[f] for f in DEF_NAME.findall(cell.source) if f in function_of)
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
