"""Exercises of notebook 01 (gradient descent by hand with NumPy).

* ``01.mse_gradient``: the derivative of the MSE of ``f(x) = w * x`` with respect to ``w``.
* ``01.contraction_factor``: the factor by which one gradient step shrinks ``w - w_best``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..losses import _mean_square
from ._core import diagnose_cases, exercise, not_a_function

__all__: list[str] = []

# (x, y, w) triples the checkers try; the notebook's data is the first one.
_GRAD_CASES = [
    (np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0]), 0.0),
    (np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0]), 1.5),
    (np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0, -3.0]), -0.7),
    (np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0]), np.array([2.0, 6.0, 5.0, 3.0, 5.0, 8.0]), 0.25),
]

_FACTOR_CASES = [
    (np.array([1.0, 2.0, 3.0, 4.0]), 0.01),
    (np.array([1.0, 2.0, 3.0, 4.0]), 0.1),
    (np.array([0.5, -1.0, 2.0]), 0.2),
    (np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0]), 0.003),
]


def _mse_gradient_reference(x, y, w):
    """dL/dw of L(w) = mean((w*x - y)**2): the mean of 2*x*(w*x - y)."""
    return np.mean(2 * x * (w * x - y))


@exercise(
    "01.mse_gradient",
    hint=(
        "Differentiate one term (w*x_i - y_i)**2 with the chain rule: 2*(w*x_i - y_i) times "
        "the derivative of the inside, x_i. Then take the MEAN over i, like the loss does."
    ),
    solution=_mse_gradient_reference,
)
def _check_mse_gradient(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    if problem := _wrong_arguments(answer, ("x", "y", "w")):
        return problem
    got = [answer(x.copy(), y.copy(), w) for x, y, w in _GRAD_CASES]
    where = [
        f"checked at w = {w} with x = {x.tolist()}, y = {y.tolist()}" for x, y, w in _GRAD_CASES
    ]
    expected = [_mse_gradient_reference(x, y, w) for x, y, w in _GRAD_CASES]
    if problem := not _matches(got, expected) and _swapped(answer, ("x", "y", "w")):
        return problem
    n = [len(x) for x, _, _ in _GRAD_CASES]
    if problem := _not_one_number(got, expected, what="your gradient", where=where, n=n):
        return problem
    mistakes = [
        (
            [_mean_square(w * x - y) for x, y, w in _GRAD_CASES],
            "you returned the loss (the mean of squared errors), not its derivative: "
            "differentiate (w*x - y)**2 with respect to w (chain rule), then take the mean.",
        ),
        (
            [np.sum((w * x - y) ** 2) for x, y, w in _GRAD_CASES],
            "you returned the sum of squared errors, a loss, not the derivative of the mean "
            "squared error: differentiate (w*x - y)**2 with respect to w (chain rule), then "
            "take the mean.",
        ),
        (
            [np.mean(2 * (w * x - y)) for x, y, w in _GRAD_CASES],
            "you forgot a factor x: by the chain rule the derivative of (w*x - y)**2 with "
            "respect to w is 2*(w*x - y) * x.",
        ),
        (
            [e / 2 for e in expected],
            "your gradient is half the right value: check the factor 2 that comes from "
            "differentiating the square (the derivative of u**2 is 2*u).",
        ),
        (
            [2 * e for e in expected],
            "your gradient is twice the right value: check the factor 2 that comes from "
            "differentiating the square (it appears once).",
        ),
    ]
    if not _matches(got, expected):
        for values, sentence in mistakes:
            if _matches(got, values):
                return sentence
    if problem := _right_only_on_notebook_data(
        got, expected, what="your gradient", where=where, computed="from x and y"
    ):
        return problem
    return diagnose_cases(
        got,
        expected,
        what="your gradient",
        where=where,
        n=n,
    )


def _parameters(answer: Any) -> list[str] | None:
    """The names of the positional parameters of ``answer``, or None when Python cannot tell."""
    try:
        signature = inspect.signature(answer)
    except (TypeError, ValueError):  # no signature to read (a builtin)
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in signature.parameters.values() if p.kind in kinds]


def _wrong_arguments(answer: Any, names: tuple[str, ...]) -> str | None:
    """The sentence for a function that cannot be called with ``names``, or None.

    Checked before the function is called, so that the learner reads "must take (x, y, w)"
    instead of Python's TypeError about positional arguments.
    """
    try:
        inspect.signature(answer).bind(*names)
    except (TypeError, ValueError) as err:
        if isinstance(err, ValueError):  # no signature to read: let the call decide
            return None
        count = {1: "one", 2: "two", 3: "three"}.get(len(names), str(len(names)))
        return (
            f"your function must take ({', '.join(names)}): {count} arguments, in this order; "
            f"yours takes ({', '.join(_parameters(answer) or [])})."
        )
    return None


def _swapped(answer: Any, names: tuple[str, ...]) -> str | None:
    """The sentence for a function whose parameters are ``names`` in another order, or None."""
    params = _parameters(answer)
    if params is None or sorted(params) != sorted(names) or params == list(names):
        return None
    return (
        f"your function must take ({', '.join(names)}) in this order; yours takes "
        f"({', '.join(params)}), so the checker's {names[0]} lands in your {params[0]}."
    )


def _given(value: Any) -> str:
    """What the learner returned, in words: "a str, 'abc'", "a dict", "a NumPy array"."""
    if isinstance(value, np.ndarray):
        return "a NumPy array"
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    if isinstance(value, str | bytes):
        text = repr(value) if len(value) <= 30 else repr(value[:27]) + "..."
        return f"{article} {name}, {text}"
    return f"{article} {name}"


def _not_one_number(
    got: list[Any],
    expected: list[float],
    *,
    what: str,
    where: list[str],
    n: list[int] | None = None,
) -> str | None:
    """The sentence for the first case whose answer is not one finite number, or None.

    The sentence says what was expected and what was given: no number at all (a string),
    several numbers (one per sample when ``n`` says so), one number inside a list, tuple or
    array (the training loop needs the number itself: ``0.01 * [1.0]`` is an error, and so is
    ``float()`` of an array of shape (1,) in NumPy 2), NaN or infinity. A NumPy scalar or a
    0-d array is one number. None is left to :func:`diagnose_cases` (it asks about the
    missing ``return``).
    """
    for i, (value, exp, case) in enumerate(zip(got, expected, where, strict=True)):
        if value is None:
            continue
        try:
            if isinstance(value, str | bytes | dict | set):
                raise TypeError
            g = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            given = _given(value)
            return f"{what} should be one number, here {exp:.6g}; you returned {given} ({case}.)"
        if g.ndim != 0:
            container = isinstance(value, list | tuple) and g.ndim == 1
            if container:
                count = "1 number" if g.size == 1 else f"{g.size} numbers"
                several = f"{_given(value)} of {count}"
            else:
                several = f"{_given(value)} of shape {g.shape}"
            if n is not None and g.shape == (n[i],) and g.size > 1:
                several += ", one value per sample: the mean over the samples is missing"
            sentence = (
                f"{what} should be one number, here {exp:.6g}; you returned {several} ({case}.)"
            )
            if g.size == 1:
                holder = _given(value) if container else "an array"
                take = "" if container else " (`.item()` takes it out)"
                sentence += (
                    f" Return the number itself, not {holder} holding it{take}: the "
                    "training loop needs a number."
                )
            return sentence
        if np.isnan(g).any():
            return (
                f"{what} is nan, 'not a number', where {exp:.6g} was expected ({case}). "
                "NumPy gives nan for 0/0, for inf - inf and for the mean of an empty array: "
                "check each division and each mean in your function."
            )
        if np.isinf(g).any():
            return (
                f"{what} is infinite where {exp:.6g} was expected ({case}): a division by "
                "zero, or a number too large for a float."
            )
    return None


def _matches(got: list[Any], values: list[float]) -> bool:
    """True when every answer in ``got`` is one number equal to the matching one of ``values``."""
    try:
        g = np.array([np.asarray(v, dtype=np.float64).reshape(()) for v in got])
    except (TypeError, ValueError):
        return False
    return bool(np.allclose(g, values, rtol=1e-6, atol=1e-9))


def _right_only_on_notebook_data(
    got: list[Any], expected: list[float], *, what: str, where: list[str], computed: str
) -> str | None:
    """The sentence for an answer right on the notebook's data (the first two cases) only.

    Such an answer usually has a number of the notebook's data written into it (4 samples,
    the mean of x**2, 7.5) where it should be computed from the arguments.
    """
    right = [_matches([g], [e]) for g, e in zip(got, expected, strict=True)]
    if not (right[0] and right[1]) or all(right):
        return None
    i = right.index(False)
    value = float(np.asarray(got[i], dtype=np.float64).reshape(()))
    return (
        f"{what} is right on the notebook's data (x = [1.0, 2.0, 3.0, 4.0]) but not on other "
        f"data: expected {expected[i]:.6g}, got {value:.6g} ({where[i]}.) Did you write a "
        "number of the notebook's data, such as 4 (the number of samples) or 7.5 (the mean of "
        f"x**2), instead of computing it {computed}?"
    )


def _contraction_factor_reference(x, lr):
    """Factor q in (w_new - w_best) = q * (w - w_best) for gradient descent on the MSE of w*x."""
    return 1 - lr * 2 * np.mean(x**2)


@exercise(
    "01.contraction_factor",
    hint=(
        "Write w_new = w - lr * mean(2*x*(w*x - y)) with y = w_best*x and collect the terms: "
        "w_new - w_best = (1 - lr * something) * (w - w_best). The something is the number "
        "that multiplies (w - w_best) in the gradient: with y = w_best*x the gradient is "
        "mean(2*x*x) * (w - w_best), as in section 6 of the notebook (15 for x = 1, 2, 3, 4)."
    ),
    solution=_contraction_factor_reference,
)
def _check_contraction_factor(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    if problem := _wrong_arguments(answer, ("x", "lr")):
        return problem
    got = [answer(x.copy(), lr) for x, lr in _FACTOR_CASES]
    where = [f"checked with x = {x.tolist()}, lr = {lr}" for x, lr in _FACTOR_CASES]
    expected = [_contraction_factor_reference(x, lr) for x, lr in _FACTOR_CASES]
    if problem := not _matches(got, expected) and _swapped(answer, ("x", "lr")):
        return problem
    if problem := _not_one_number(got, expected, what="your factor", where=where):
        return problem
    mean_sq = [np.mean(x**2) for x, _ in _FACTOR_CASES]
    lrs = [lr for _, lr in _FACTOR_CASES]
    mistakes = [
        (
            [1 - lr * 2 * np.sum(x**2) for x, lr in _FACTOR_CASES],
            "you used the SUM of x**2: that is the factor of the original tutorial's "
            "4x-too-large gradient. The true MSE gradient uses the mean.",
        ),
        (
            [lr * 2 * m for lr, m in zip(lrs, mean_sq, strict=True)],
            "you returned lr * 2 * mean(x**2); the factor is 1 minus that.",
        ),
        (
            [1 - lr * m for lr, m in zip(lrs, mean_sq, strict=True)],
            "you forgot the factor 2 that comes from differentiating the square.",
        ),
        (
            [1 + lr * 2 * m for lr, m in zip(lrs, mean_sq, strict=True)],
            "wrong sign: a gradient step moves AGAINST the gradient, so the factor is 1 minus ...",
        ),
        (
            [1 - lr * 2 * np.mean(x) ** 2 for x, lr in _FACTOR_CASES],
            "you used the square of the mean of x, np.mean(x)**2; the factor needs the mean "
            "of x**2, np.mean(x**2) (for x = 1, 2, 3, 4: 7.5, not 2.5**2 = 6.25).",
        ),
    ]
    if _matches(got, expected):
        return None
    for values, sentence in mistakes:
        if _matches(got, values):
            return sentence
    if problem := _right_only_on_notebook_data(
        got, expected, what="your factor", where=where, computed="from x"
    ):
        return problem
    return diagnose_cases(
        got,
        expected,
        what="your factor",
        where=where,
        factors=False,  # 2 * (1 - lr * h) is no typical mistake
        rtol=1e-6,
        atol=1e-9,
    )
