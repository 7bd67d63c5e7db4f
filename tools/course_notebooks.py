"""The notebooks a course tool works on: those named on its command line, or all of them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def course_notebooks(paths: list[Path], tool: str) -> list[Path] | None:
    """``paths``, or every ``notebooks/NN_*.ipynb`` when none is given.

    Returns None after printing, prefixed with ``tool``, which notebook is missing.
    """
    notebooks = paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [p for p in notebooks if not p.is_file() or p.suffix != ".ipynb"]
    for p in missing:
        if p.is_file():
            why = "is not a notebook (a notebook's name ends in .ipynb)"
        elif p.exists():
            why = "is a folder, not a notebook"
        else:
            why = "not found"
        print(
            f"{tool}: notebook {str(p)!r} {why}; expected a file such as "
            "notebooks/01_numpy_gradient_descent.ipynb (see 'ls notebooks/')",
            file=sys.stderr,
        )
    if not notebooks:
        print(f"{tool}: no notebooks found in notebooks/", file=sys.stderr)
    return None if missing or not notebooks else notebooks
