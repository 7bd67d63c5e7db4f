"""gdhelpers: the small, tested helper package of the course.

Notebooks use it as ``import gdhelpers as gd``.
"""

__all__: list[str] = []
