"""Exercises of notebook 01 (gradient descent by hand with NumPy).

* ``01.mse_gradient``: the derivative of the MSE of ``f(x) = w * x`` with respect to ``w``.
* ``01.contraction_factor``: the factor by which one gradient step shrinks ``w - w_best``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import diagnose, exercise, not_a_function

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
    for x, y, w in _GRAD_CASES:
        got = answer(x.copy(), y.copy(), w)
        expected = _mse_gradient_reference(x, y, w)
        if np.ndim(got) != 0 and np.size(got) == 1:
            got = np.reshape(got, ())
        # forgot the factor x of the chain rule
        try:
            g = float(np.asarray(got, dtype=np.float64)) if np.size(got) == 1 else None
        except (TypeError, ValueError):
            g = None
        if (
            g is not None
            and np.isclose(g, np.mean(2 * (w * x - y)))
            and not np.isclose(g, expected)
        ):
            return (
                "you forgot a factor x: by the chain rule the derivative of (w*x - y)**2 with "
                "respect to w is 2*(w*x - y) * x."
            )
        problem = diagnose(got, expected, what="your gradient", n=len(x))
        if problem:
            return f"{problem} (checked at w = {w} with x = {x.tolist()}.)"
    return None


def _contraction_factor_reference(x, lr):
    """Factor q in (w_new - w_best) = q * (w - w_best) for gradient descent on the MSE of w*x."""
    return 1 - lr * 2 * np.mean(x**2)


@exercise(
    "01.contraction_factor",
    hint=(
        "Write w_new = w - lr * mean(2*x*(w*x - y)) with y = w_best*x and collect the terms: "
        "w_new - w_best = (1 - lr * something) * (w - w_best). The something is the second "
        "derivative of the loss, 2*mean(x**2)."
    ),
    solution=_contraction_factor_reference,
)
def _check_contraction_factor(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x, lr in _FACTOR_CASES:
        got = answer(x.copy(), lr)
        expected = _contraction_factor_reference(x, lr)
        try:
            g = float(np.asarray(got, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            return (
                f"your factor should be one number; got {type(got).__name__} "
                f"with value {got!r} instead."
            )
        if np.isclose(g, 1 - lr * 2 * np.sum(x**2)) and not np.isclose(g, expected):
            return (
                "you used the SUM of x**2: that is the factor of the seed's 4x-too-large "
                "gradient. The true MSE gradient uses the mean."
            )
        if np.isclose(g, lr * 2 * np.mean(x**2)):
            return "you returned lr * 2 * mean(x**2); the factor is 1 minus that."
        if np.isclose(g, 1 - lr * np.mean(x**2)):
            return "you forgot the factor 2 that comes from differentiating the square."
        if np.isclose(g, 1 + lr * 2 * np.mean(x**2)):
            return (
                "wrong sign: a gradient step moves AGAINST the gradient, "
                "so the factor is 1 minus ..."
            )
        if not np.isclose(g, expected, rtol=1e-6, atol=1e-9):
            return f"for x = {x.tolist()} and lr = {lr} the factor is not {g:.6g}."
    return None
