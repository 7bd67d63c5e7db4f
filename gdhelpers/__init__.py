"""gdhelpers: the small, tested helper package of the course.

Notebooks use it as ``import gdhelpers as gd``. Each module holds one idea:
data sets, losses and gradients, stability bounds, training loops for what earlier
notebooks taught, plots, reproducibility, the closed-form solution, exercise checks.
"""

from .exercises import check, hint, solution
from .versions import check_versions

__all__ = [
    # exercises
    "check",
    "hint",
    "solution",
    # environment
    "check_versions",
]
