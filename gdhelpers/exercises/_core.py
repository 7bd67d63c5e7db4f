"""Exercise machinery: register an exercise, check an answer, print a hint or a solution.

An exercise is a function the learner writes. A *checker* calls that function on a few inputs
and compares with a reference; it returns ``None`` when the answer is right, or a sentence a
beginner understands when it is not. :func:`check` never lets a traceback reach the learner.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Exercise", "check", "diagnose", "exercise", "hint", "not_a_function", "solution"]

CORRECT = "Correct!"
NOT_DONE = "Not yet done"
_TODO = (
    "replace `raise NotImplementedError` in the cell above with your code, "
    "run that cell, then run this one again."
)


@dataclass(frozen=True)
class Exercise:
    """One registered exercise.

    Attributes
    ----------
    name : str
        Key such as ``"01.mse_gradient"`` (notebook number, dot, short name).
    checker : callable
        ``checker(answer) -> str | None``; ``None`` means correct.
    hint : str
        A nudge that does not give the answer away.
    solution : str
        Source code of a reference solution.
    """

    name: str
    checker: Callable[[Any], str | None]
    hint: str
    solution: str


_REGISTRY: dict[str, Exercise] = {}


def exercise(name: str, *, hint: str, solution: Callable[..., Any]) -> Callable:
    """Register the decorated function as the checker of exercise ``name``.

    ``solution`` is the reference implementation; its source is what :func:`solution` prints.
    """

    def register(checker: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        if name in _REGISTRY:
            raise ValueError(f"exercise {name!r} is registered twice")
        _REGISTRY[name] = Exercise(name, checker, hint, inspect.getsource(solution))
        return checker

    return register


def _get(name: str) -> Exercise:
    from . import _load_all

    _load_all()
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"no exercise named {name!r}; known exercises: {known}")
    return _REGISTRY[name]


def check(name: str, answer: Any) -> bool:
    """Check a learner's answer to exercise ``name`` and print the verdict.

    Parameters
    ----------
    name : str
        Exercise key, e.g. ``"01.mse_gradient"``.
    answer : object
        Usually the function the learner wrote.

    Returns
    -------
    bool
        True when the answer is correct. Never raises because of the answer.

    Examples
    --------
    >>> import numpy as np
    >>> ok = check("01.mse_gradient", lambda x, y, w: np.mean(2 * x * (w * x - y)))
    Correct! (01.mse_gradient)
    >>> total = lambda x, y, w: np.sum(2 * x * (w * x - y))  # a sum, not a mean
    >>> ok = check("01.mse_gradient", total)  # doctest: +ELLIPSIS
    Not quite (01.mse_gradient): ...
    """
    ex = _get(name)
    if answer is None or answer is Ellipsis:
        print(
            f"{NOT_DONE} ({name}): write your answer in the cell above, run it, then run this cell."
        )
        return False
    watched, not_done = _watch(answer)
    try:
        problem = ex.checker(watched)
    except NotImplementedError:
        print(f"{NOT_DONE} ({name}): {_TODO}")
        return False
    except Exception as err:  # the learner's code failed: explain, no traceback
        print(f"Not quite ({name}): your code raised {type(err).__name__}: {err}")
        print("Read the message, fix the cell above and run both cells again.")
        return False
    if not_done():  # the checker caught the learner's NotImplementedError itself
        print(f"{NOT_DONE} ({name}): {_TODO}")
        return False
    if problem is None:
        print(f"{CORRECT} ({name})")
        return True
    print(f"Not quite ({name}): {problem}")
    print(f'Stuck? Run gd.hint("{name}").')
    return False


def _watch(answer: Any) -> tuple[Any, Callable[[], bool]]:
    """Wrap a plain function so that its NotImplementedError is noticed even if caught.

    Returns the (possibly wrapped) answer and a function telling whether the answer raised
    NotImplementedError. Anything but a plain function or method is returned unchanged.
    """
    if not isinstance(answer, types.FunctionType | types.MethodType):
        return answer, lambda: False
    raised: list[bool] = []

    @functools.wraps(answer)
    def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            return answer(*args, **kwargs)
        except NotImplementedError:
            raised.append(True)
            raise

    return watched, lambda: bool(raised)


def hint(name: str) -> None:
    """Print the hint of exercise ``name``.

    Examples
    --------
    >>> hint("01.mse_gradient")  # doctest: +ELLIPSIS
    Hint (01.mse_gradient): ...
    """
    print(f"Hint ({name}): {_get(name).hint}")


def solution(name: str) -> None:
    """Print a reference solution of exercise ``name``.

    Examples
    --------
    >>> solution("01.mse_gradient")  # doctest: +ELLIPSIS
    def ...
    """
    print(_get(name).solution.rstrip())


def not_a_function(answer: Any, signature: str | None = None) -> str | None:
    """None when ``answer`` is callable; otherwise the sentence a checker returns.

    ``signature`` (e.g. ``"f(x, y)"``) names the expected function in the message.
    """
    if callable(answer):
        return None
    if signature is not None:
        return f"your answer should be a function {signature}; got {type(answer).__name__} instead."
    return (
        f"your answer should be a function (you gave a {type(answer).__name__}); "
        "pass the function itself, without calling it."
    )


def diagnose(
    got: Any,
    expected: Any,
    *,
    what: str = "your result",
    n: int | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> str | None:
    """Compare a learner's value with the reference and name the typical mistake.

    Parameters
    ----------
    got, expected : array_like or torch.Tensor
        The learner's value and the reference value.
    what : str
        How to call the value in the message ("your gradient").
    n : int, optional
        Number of samples; lets the message recognise a forgotten mean (a factor of n).
    rtol, atol : float
        Tolerances of the final comparison.

    Returns
    -------
    str or None
        None when ``got`` matches ``expected``; otherwise a sentence saying what is wrong.
    """
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if hasattr(expected, "detach"):
        expected = expected.detach().cpu().numpy()
    if got is None:
        return f"{what} is None: did you forget the `return` statement?"
    wrong_type = (
        f"{what} should be a number or an array of numbers; got {type(got).__name__} instead."
    )
    if isinstance(got, str | bytes | dict | set):
        return wrong_type
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong_type
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        if g.size == e.size:
            return (
                f"{what} has shape {g.shape} but should have shape {e.shape}: "
                "the numbers may be right, reshape them."
            )
        return f"{what} has shape {g.shape} but should have shape {e.shape}."
    if not np.all(np.isfinite(g)):
        return f"{what} contains NaN or infinity; check for a division by zero or a huge step."
    if np.allclose(g, e, rtol=rtol, atol=atol):
        return None
    if np.allclose(g, -e, rtol=rtol, atol=atol):
        return f"{what} has the wrong sign: check the order of the subtraction."
    scale = float(np.sum(g * e) / np.sum(e * e)) if np.any(e) else 0.0
    if np.any(e) and np.allclose(g, scale * e, rtol=rtol, atol=atol):
        if n is not None and np.isclose(scale, n):
            return (
                f"{what} is {n} times too large: you summed over the {n} samples "
                "where the mean was needed."
            )
        if n is not None and np.isclose(scale, 1 / n):
            return f"{what} is {n} times too small: divide by the number of samples only once."
        if np.isclose(scale, 2) or np.isclose(scale, 0.5):
            return (
                f"{what} is off by a factor of {scale:g}: check the factor 2 that comes "
                "from differentiating the square."
            )
        return f"{what} is off by a factor of {scale:.3g}; the direction is right, the size is not."
    largest = float(np.max(np.abs(g - e)))
    return f"{what} does not match the expected values (largest difference {largest:.3g})."
