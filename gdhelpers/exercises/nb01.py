"""Exercises of notebook 01 (gradient descent by hand with NumPy).

* ``01.mse_gradient``: the derivative of the MSE of ``f(x) = w * x`` with respect to ``w``.
* ``01.contraction_factor``: the factor by which one gradient step shrinks ``w - w_best``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
    got = [answer(x.copy(), y.copy(), w) for x, y, w in _GRAD_CASES]
    where = [f"checked at w = {w} with x = {x.tolist()}" for x, _, w in _GRAD_CASES]
    no_x = [np.mean(2 * (w * x - y)) for x, y, w in _GRAD_CASES]
    if _matches(got, no_x):
        return (
            "you forgot a factor x: by the chain rule the derivative of (w*x - y)**2 with "
            "respect to w is 2*(w*x - y) * x."
        )
    return diagnose_cases(
        got,
        [_mse_gradient_reference(x, y, w) for x, y, w in _GRAD_CASES],
        what="your gradient",
        where=where,
        n=[len(x) for x, _, _ in _GRAD_CASES],
    )


def _matches(got: list[Any], values: list[float]) -> bool:
    """True when every answer in ``got`` is one number equal to the matching one of ``values``."""
    try:
        g = np.array([np.asarray(v, dtype=np.float64).reshape(()) for v in got])
    except (TypeError, ValueError):
        return False
    return bool(np.allclose(g, values, rtol=1e-6, atol=1e-9))


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
    got = [answer(x.copy(), lr) for x, lr in _FACTOR_CASES]
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
    ]
    expected = [_contraction_factor_reference(x, lr) for x, lr in _FACTOR_CASES]
    if _matches(got, expected):
        return None
    for values, sentence in mistakes:
        if _matches(got, values):
            return sentence
    return diagnose_cases(
        got,
        expected,
        what="your factor",
        where=[f"checked with x = {x.tolist()}, lr = {lr}" for x, lr in _FACTOR_CASES],
        factors=False,  # 2 * (1 - lr * h) is no typical mistake
        rtol=1e-6,
        atol=1e-9,
    )
