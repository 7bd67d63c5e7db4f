"""Exercises of the course: ``gd.check(name, answer)``, ``gd.hint(name)``, ``gd.solution(name)``.

Each notebook's exercises live in a module ``nbNN.py`` of this package; they register
themselves when imported.
"""

import importlib
import pkgutil

from ._core import Exercise, check, diagnose, exercise, hint, solution

__all__ = ["Exercise", "check", "diagnose", "exercise", "hint", "solution"]


def _load_all() -> None:
    """Import every ``nbNN`` module so that its exercises are registered."""
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{info.name}")
