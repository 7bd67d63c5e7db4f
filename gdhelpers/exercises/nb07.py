"""Exercises of notebook 07 (checking gradients).

* ``07.central_difference``: the central-difference estimate of the gradient of a scalar
  function of an array.
* ``07.relative_error``: the largest entry-wise relative error between two gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import diagnose, diagnose_cases, exercise, not_a_function

__all__: list[str] = []


# ---------------------------------------------------------------- 07.central_difference


def _central_difference_reference(f, x, eps=1e-6):
    """Central differences: entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):  # every index of x, whatever its shape
        x_plus = x.copy()
        x_plus[i] += eps
        x_minus = x.copy()
        x_minus[i] -= eps
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad


def _diff(f, x, eps, kind):
    """Independent estimates (loop over the flat index): central, forward or backward."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape(-1)
    out = np.zeros(flat.size)
    for i in range(flat.size):
        step = np.zeros(flat.size)
        step[i] = eps
        up = float(f((flat + step).reshape(x.shape)))
        down = float(f((flat - step).reshape(x.shape)))
        mid = float(f(x))
        out[i] = {"central": (up - down) / (2 * eps), "forward": (up - mid) / eps}[kind]
    return out.reshape(x.shape)


def _cd_cases():
    xs = np.array([1.0, 2.0, 3.0, 4.0])

    def mse_w(w):
        return np.mean((w[0] * xs - 2 * xs) ** 2)

    def curved(v):
        return np.sin(v[0]) * v[1] ** 2 + np.exp(0.5 * v[2])

    def matrix(m):
        return np.sum(np.cos(m) * np.arange(1.0, m.size + 1).reshape(m.shape)) + m[0, 1] ** 3

    return [
        (mse_w, np.array([0.5]), 1e-6, "f(w) = mean((w*x - 2x)**2) at w = [0.5]"),
        (curved, np.array([0.3, -1.2, 0.8]), 0.1, "f(v) = sin(v0)*v1**2 + exp(v2/2), eps = 0.1"),
        (
            matrix,
            np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]]),
            1e-3,
            "a function of a (2, 3) array",
        ),
    ]


@exercise(
    "07.central_difference",
    hint=(
        "Loop over the entries of x (np.ndindex(x.shape) gives every index). For each, make two "
        "copies of x, add eps to the entry in one and subtract it in the other, and store "
        "(f(x_plus) - f(x_minus)) / (2 * eps). Never change x itself."
    ),
    solution=_central_difference_reference,
)
def _check_central_difference(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for f, x, eps, what in _cd_cases():
        x_in = x.copy()
        got = answer(f, x_in, eps)
        if not np.array_equal(x_in, x):
            return (
                "your function changed x: work on copies (x_plus = x.copy()) or put the entry "
                "back after each evaluation."
            )
        expected = _diff(f, x, eps, "central")
        where = f"(checked on {what}.)"
        try:
            g = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            g = None
        if g is not None and g.shape == x.shape and not np.allclose(g, expected, rtol=1e-6):
            if np.allclose(g, _diff(f, x, eps, "forward"), rtol=1e-6, atol=1e-9):
                return (
                    "you used the one-sided difference (f(x + eps) - f(x)) / eps. Use the "
                    "central one, (f(x + eps) - f(x - eps)) / (2 * eps): its error shrinks like "
                    f"eps**2 instead of eps. {where}"
                )
        problem = diagnose(
            got,
            expected,
            what="your gradient",
            rtol=1e-6,
            atol=1e-9,
            factor_two="divide by 2 * eps, once: x - eps and x + eps are 2 * eps apart",
        )
        if problem:
            return f"{problem} {where}"
    return None


# ---------------------------------------------------------------- 07.relative_error


def _relative_error_reference(a, b):
    """Largest |a_i - b_i| / max(|a_i|, |b_i|); entries where both are 0 count as 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    return float(rel.max())


_REL_CASES = [
    (np.array([2.0]), np.array([1.0])),
    (np.array([1.0]), np.array([2.0])),
    (np.array([1.0, -2.0, 0.0]), np.array([1.0, -2.2, 0.0])),
    (np.array([[3.0, 1e-8], [-4.0, 5.0]]), np.array([[3.0, 2e-8], [-4.0, 5.0]])),
    (np.array([-30.0, -10.0]), np.array([-120.0, -40.0])),
    (np.array([0.0, 0.0]), np.array([0.0, 0.0])),
    (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0 + 3e-6])),
]


@exercise(
    "07.relative_error",
    hint=(
        "Work entry by entry: the difference np.abs(a - b) divided by np.maximum(np.abs(a), "
        "np.abs(b)). Where both entries are 0 the error is 0 (use np.divide(..., where=...) or "
        "np.where). Return the largest value as a float."
    ),
    solution=_relative_error_reference,
)
def _check_relative_error(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    got, values = [], []
    for a, b in _REL_CASES:
        value = answer(a.copy(), b.copy())
        case = f"(checked with a = {a.tolist()}, b = {b.tolist()}.)"
        if value is None:
            return "your relative error is None: did you forget the `return` statement?"
        try:
            g = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return (
                "your relative error should be one number; got "
                f"{type(value).__name__} instead. {case}"
            )
        if g.size != 1:
            return (
                f"your relative error has shape {g.shape}; return ONE number, the largest "
                f"entry-wise error (.max()). {case}"
            )
        if np.isnan(g.reshape(())) and np.any((a == 0) & (b == 0)):
            return (
                "your relative error is NaN: where a and b are both 0 the division is 0/0. "
                f"Count such entries as 0 error. {case}"
            )
        got.append(value)
        values.append(float(g.reshape(())))
    if _all_close(values, [_relative_error_reference(a, b) for a, b in _REL_CASES]):
        return None
    mistakes = [
        (
            lambda diff, a, b: diff / (np.abs(a) + np.abs(b)),
            "you divided by |a| + |b|; this course divides by the LARGER of the two, "
            "max(|a|, |b|), so that a factor of 2 shows as 0.5.",
        ),
        (
            lambda diff, a, b: diff / np.abs(b),
            "you divided by |b| only; divide by the larger of the two, np.maximum(np.abs(a), "
            "np.abs(b)), so that swapping a and b gives the same number.",
        ),
        (
            lambda diff, a, b: diff / np.abs(a),
            "you divided by |a| only; divide by the larger of the two, np.maximum(np.abs(a), "
            "np.abs(b)), so that swapping a and b gives the same number.",
        ),
    ]
    for per_entry, sentence in mistakes:
        if _all_close(values, [_largest(per_entry, a, b) for a, b in _REL_CASES]):
            return sentence
    mean = [
        _largest(lambda diff, a, b: diff / np.maximum(np.abs(a), np.abs(b)), a, b, np.mean)
        for a, b in _REL_CASES
    ]
    if _all_close(values, mean):
        return "you averaged the entry-wise errors; return the LARGEST one (.max())."
    return diagnose_cases(
        got,
        [_relative_error_reference(a, b) for a, b in _REL_CASES],
        what="your relative error",
        where=[f"checked with a = {a.tolist()}, b = {b.tolist()}" for a, b in _REL_CASES],
        factors=False,  # a relative error has no typical factor
        atol=1e-12,
    )


def _largest(per_entry, a, b, reduce=np.max) -> float:
    """``reduce`` of ``per_entry(|a - b|, a, b)`` over the entries that differ (others are 0)."""
    diff = np.abs(a - b)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, per_entry(diff, a, b), 0.0)
    return float(reduce(rel))


def _all_close(got: list[float], values: list[float]) -> bool:
    return bool(np.allclose(got, values, rtol=1e-6, atol=1e-12))
