"""Exercise machinery: register an exercise, check an answer, print a hint or a solution.

An exercise is a function the learner writes. A *checker* calls that function on a few inputs
and compares with a reference; it returns ``None`` when the answer is right, or a sentence a
beginner understands when it is not. :func:`check` never lets a traceback reach the learner.

Graded work (``make student SOLUTIONS=off``): the student build sets the environment variable
``GD_SOLUTIONS=off`` in each notebook's setup cell (``os.environ``, so it holds on the learner's
own machine, in JupyterLab as in a script). Then :func:`hint` and :func:`solution` say that
solutions are off for this assignment, and :func:`check` no longer points to the hint; the
checks themselves still run. This is a nudge, not a lock: the learner can delete that line,
and the reference solutions are on the learner's disk anyway (this package's source, the
instructor edition in ``notebooks/``). See docs/teaching.md, "Collecting and grading work".
"""

from __future__ import annotations

import functools
import inspect
import os
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Exercise",
    "check",
    "diagnose",
    "diagnose_cases",
    "exercise",
    "hint",
    "not_a_function",
    "solution",
]

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

#: The environment variable that turns hints and solutions off ("off") or on ("on", the default).
SOLUTIONS_ENV = "GD_SOLUTIONS"


def _solutions_off() -> bool:
    """True when the notebook set ``GD_SOLUTIONS=off`` (a graded student edition)."""
    value = os.environ.get(SOLUTIONS_ENV, "on")
    if value not in ("on", "off"):
        raise ValueError(
            f"{SOLUTIONS_ENV} must be 'on' or 'off'; got {value!r} instead. Fix the line "
            f"os.environ[{SOLUTIONS_ENV!r}] = ... in the notebook's setup cell, or delete it."
        )
    return value == "off"


def _off_message(kind: str, name: str) -> str:
    return (
        f"{kind} are off for this assignment ({name}): it is graded work. Your teacher will "
        "show the solutions after the deadline; gd.check still tells you whether you are right."
    )


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a float", "an int"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


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
    known = ", ".join(sorted(_REGISTRY)) or "none"
    if not isinstance(name, str):
        raise TypeError(
            f"name must be an exercise name such as '01.mse_gradient'; got "
            f"{type(name).__name__} {name!r:.40} instead. Copy it from the cell that checks it."
        )
    if name not in _REGISTRY:
        raise ValueError(
            f"name must be an exercise of the course; got {name!r} instead (no exercise named "
            f"{name!r}; known exercises: {known}). Copy it from the cell that checks it."
        )
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
    if not _solutions_off():
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
    ex = _get(name)
    if _solutions_off():
        print(_off_message("Hints", name))
        return
    print(f"Hint ({name}): {ex.hint}")


def solution(name: str) -> None:
    """Print a reference solution of exercise ``name``.

    Examples
    --------
    >>> solution("01.mse_gradient")  # doctest: +ELLIPSIS
    def ...
    """
    ex = _get(name)
    if _solutions_off():
        print(_off_message("Solutions", name))
        return
    print(ex.solution.rstrip())


def not_a_function(answer: Any, signature: str | None = None) -> str | None:
    """None when ``answer`` is callable; otherwise the sentence a checker returns.

    ``signature`` (e.g. ``"f(x, y)"``) names the expected function in the message.
    """
    if callable(answer):
        return None
    if signature is not None:
        return f"your answer should be a function {signature}; got {type(answer).__name__} instead."
    return (
        f"your answer should be a function (you gave {_a(type(answer).__name__)}); "
        "pass the function itself, without calling it."
    )


# The explanation of a factor 2 in the gradient of a square (the course's usual case).
SQUARE_RULE = "check the factor 2 that comes from differentiating the square"


def _number_text(value: float) -> str:
    return f"{value:.6g}"


def _as_values(got: Any, expected: Any, what: str) -> tuple[np.ndarray, np.ndarray, str | None]:
    """``(got, expected, None)`` as float64 arrays, or ``(.., .., sentence)`` when ``got`` has
    no numbers to compare: None, the wrong type, the wrong shape, NaN or infinity."""
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if hasattr(expected, "detach"):
        expected = expected.detach().cpu().numpy()
    e = np.asarray(expected, dtype=np.float64)
    if got is None:  # before np.asarray, which turns None into NaN
        return e, e, f"{what} is None: did you forget the `return` statement?"
    wrong_type = (
        f"{what} should be a number or an array of numbers; got {type(got).__name__} instead."
    )
    if isinstance(got, str | bytes | dict | set):
        return e, e, wrong_type
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return e, e, wrong_type
    if g.shape != e.shape:
        if e.shape == () and g.size == 1:
            g = g.reshape(())  # a one-element array is one number
        elif e.shape == ():
            return g, e, f"{what} should be one number; got an array of shape {g.shape} instead."
        elif g.size == e.size:
            return (
                g,
                e,
                f"{what} has shape {g.shape} but should have shape {e.shape}: "
                "the numbers may be right, reshape them.",
            )
        else:
            return g, e, f"{what} has shape {g.shape} but should have shape {e.shape}."
    if not np.all(np.isfinite(g)):
        return (
            g,
            e,
            f"{what} contains NaN or infinity; check for a division by zero or a huge step.",
        )
    return g, e, None


def _typical_factor(
    g: np.ndarray,
    e: np.ndarray,
    *,
    what: str,
    n: Any,
    factor_two: str | None,
    rtol: float,
    atol: float,
) -> str | None:
    """The sentence for the first typical factor ``c`` with ``g == c * e``, or None.

    Only the factors that are typical mistakes are named: -1 (a sign), n and 1/n (a sum where
    the mean was needed, a mean taken twice; ``n`` is a number or one number per entry), 2 and
    1/2. Any other factor is no diagnosis: a single wrong number is always *some* multiple of
    the right one.
    """
    if not np.any(e):
        return None
    candidates: list[tuple[Any, str]] = [
        (-1.0, f"{what} has the wrong sign: check the order of the subtraction.")
    ]
    if n is not None:
        ns = np.broadcast_to(np.asarray(n, dtype=np.float64), e.shape)
        if np.all(ns > 2):  # a factor n = 2 reads as the factor 2 below
            counts = list(dict.fromkeys(int(v) for v in ns[e != 0]))  # in order of the cases
            if len(counts) == 1:
                (k,) = counts
                large = f"{what} is {k} times too large: you summed over the {k} samples"
                small = f"{what} is {k} times too small"
            else:
                each = f"{counts[0]} times with {counts[0]} samples, " + ", ".join(
                    f"{k} times with {k}" for k in counts[1:]
                )
                large = (
                    f"{what} is n times too large, n the number of samples ({each}): "
                    "you summed over the samples"
                )
                small = f"{what} is n times too small, n the number of samples ({each})"
            candidates += [
                (ns, f"{large} where the mean was needed."),
                (1 / ns, f"{small}: divide by the number of samples only once."),
            ]
    for factor, size in ((2.0, "twice"), (0.5, "half")):
        why = f": {factor_two}." if factor_two else f" ({size} the expected value)."
        candidates.append((factor, f"{what} is off by a factor of {factor:g}{why}"))
    for factor, sentence in candidates:
        if np.allclose(g, factor * e, rtol=rtol, atol=atol):
            return sentence
    return None


def diagnose(
    got: Any,
    expected: Any,
    *,
    what: str = "your result",
    n: int | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    factor_two: str | None = SQUARE_RULE,
) -> str | None:
    """Compare a learner's value with the reference and name the typical mistake.

    The mistakes named are: no value (None), the wrong type or shape, NaN or infinity, and the
    factors that are typical mistakes: -1 (the sign), ``n`` and ``1/n`` (a sum where the mean
    was needed, a mean taken twice), 2 and 1/2. Any other wrong single number gets
    "wrong value: expected ..., got ...": a single number is always *some* multiple of the
    right one, so another factor would explain nothing. For an array with at least two
    nonzero expected entries, "off by the same factor in every entry" is evidence and is
    said; a negative factor is called a wrong sign, never the right direction. A checker
    whose answer is one number per input should use :func:`diagnose_cases`, which names a
    factor only when it holds for every input.

    Parameters
    ----------
    got, expected : array_like or torch.Tensor
        The learner's value and the reference value.
    what : str
        How to call the value in the message ("your gradient").
    n : int, optional
        Number of samples; lets the message recognise a forgotten mean (a factor of n).
        Only used when n > 2 (a factor 2 is explained by ``factor_two``).
    rtol, atol : float
        Tolerances of the final comparison.
    factor_two : str or None
        The likely cause of a factor 2 or 1/2, said after "off by a factor of 2:". The
        default is the factor 2 of the derivative of a square; pass None where the value is
        not such a derivative (the message then only says "twice"/"half").

    Returns
    -------
    str or None
        None when ``got`` matches ``expected``; otherwise a sentence saying what is wrong.

    Examples
    --------
    >>> diagnose(-7.5, 7.5, what="your gradient")
    'your gradient has the wrong sign: check the order of the subtraction.'
    >>> diagnose(0.7, 7.5, what="your gradient")
    'your gradient has a wrong value: expected 7.5, got 0.7.'
    """
    g, e, problem = _as_values(got, expected, what)
    if problem is not None:
        return problem
    if np.allclose(g, e, rtol=rtol, atol=atol):
        return None
    named = _typical_factor(g, e, what=what, n=n, factor_two=factor_two, rtol=rtol, atol=atol)
    if named is not None:
        return named
    if g.size == 1:
        return (
            f"{what} has a wrong value: expected {_number_text(e.item())}, "
            f"got {_number_text(g.item())}."
        )
    if np.any(e) and not np.any(g):
        return f"{what} is all zeros, but the expected values are not."
    if np.count_nonzero(e) >= 2:
        scale = float(np.sum(g * e) / np.sum(e * e))
        if np.allclose(g, scale * e, rtol=rtol, atol=atol):
            if scale > 0:
                return (
                    f"{what} is off by a factor of {scale:.3g} in every entry: the entries are "
                    "right relative to each other, their size is not."
                )
            return (
                f"{what} is off by a factor of {scale:.3g} in every entry: the sign is wrong, "
                "and the size too."
            )
    largest = float(np.max(np.abs(g - e)))
    return f"{what} does not match the expected values (largest difference {largest:.3g})."


def diagnose_cases(
    got: Sequence[Any],
    expected: Sequence[float],
    *,
    what: str,
    where: Sequence[str],
    n: Sequence[int] | None = None,
    factors: bool = True,
    factor_two: str | None = SQUARE_RULE,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> str | None:
    """Compare one number per case (the learner's function run on several inputs).

    One wrong number is always *some* multiple of the right one, so a factor is evidence only
    when the same factor explains every case: this names a typical factor (-1, 2, 1/2, and the
    number of samples ``n`` of each case or its inverse) only then. Otherwise it says
    "wrong value: expected ..., got ..." for the first case that is wrong.

    Parameters
    ----------
    got : sequence
        The learner's result for each case (anything: it is checked to be one number).
    expected : sequence of float
        The reference result for each case.
    what : str
        How to call the value in the message ("your gradient").
    where : sequence of str
        For each case, what it was checked on ("checked at w = 1.5"); the message ends with
        the one of the case it is about, in parentheses.
    n : sequence of int, optional
        Number of samples of each case (recognises a sum where the mean was needed).
    factors : bool
        False where a factor is no typical mistake (a contraction factor ``1 - lr * h``).
    factor_two : str or None
        As in :func:`diagnose`.
    rtol, atol : float
        Tolerances of the comparison.

    Returns
    -------
    str or None
        None when every case is right; otherwise a sentence saying what is wrong.

    Examples
    --------
    >>> diagnose_cases(
    ...     [-30.0, -30.0],
    ...     [-30.0, -7.5],
    ...     what="your gradient",
    ...     where=["checked at w = 0", "checked at w = 1.5"],
    ...     n=[4, 4],
    ... )
    'your gradient has a wrong value: expected -7.5, got -30 (checked at w = 1.5.)'
    >>> diagnose_cases(
    ...     [-120.0, -30.0],
    ...     [-30.0, -7.5],
    ...     what="your gradient",
    ...     where=["checked at w = 0", "checked at w = 1.5"],
    ...     n=[4, 4],
    ... )
    'your gradient is 4 times too large: you summed over the 4 samples where the mean was needed.'
    """
    values = []
    for value, exp, case in zip(got, expected, where, strict=True):
        g, _, problem = _as_values(value, np.float64(exp), what)
        if problem is not None:
            return f"{problem} ({case}.)"
        values.append(float(g))
    g, e = np.array(values), np.asarray(expected, dtype=np.float64)
    wrong = ~np.isclose(g, e, rtol=rtol, atol=atol)
    if not np.any(wrong):
        return None
    if factors:
        named = _typical_factor(g, e, what=what, n=n, factor_two=factor_two, rtol=rtol, atol=atol)
        if named is not None:
            return named
    i = int(np.argmax(wrong))
    return (
        f"{what} has a wrong value: expected {_number_text(e[i])}, "
        f"got {_number_text(g[i])} ({where[i]}.)"
    )
