"""Exercises of notebook 07 (checking gradients).

* ``07.central_difference``: the central-difference estimate of the gradient of a scalar
  function of an array.
* ``07.relative_error``: the largest entry-wise relative error between two gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..losses import _mean_square
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
        return _mean_square(w[0] * xs - 2 * xs)

    def curved(v):
        return np.sin(v[0]) * v[1] ** 2 + np.exp(0.5 * v[2])

    def matrix(m):
        return np.sum(np.cos(m) * np.arange(1.0, m.size + 1).reshape(m.shape)) + m[0, 1] ** 3

    # the first case has several entries and a large eps: moving every entry at once, or
    # ignoring eps, gives other numbers there (and is named), not only on a later case
    return [
        (curved, np.array([0.3, -1.2, 0.8]), 0.1, "f(v) = sin(v0)*v1**2 + exp(v2/2), eps = 0.1"),
        (
            matrix,
            np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]]),
            1e-3,
            "a function of a (2, 3) array",
        ),
        (mse_w, np.array([0.5]), 1e-6, "f(w) = mean((w*x - 2x)**2) at w = [0.5]"),
    ]


def _all_at_once(f, x, eps):
    """The slip of moving every entry at once: one number, the slope along (1, 1, ...)."""
    return (float(f(x + eps)) - float(f(x - eps))) / (2 * eps)


def _same_for_other_eps(answer, f, x, eps, g) -> bool:
    """True when ``answer`` gives a good gradient that does not change when eps does."""
    other = eps / 100
    g_other = answer(f, x.copy(), other)
    try:
        g_other = np.asarray(g_other, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    reference = _diff(f, x, eps, "central")
    if g_other.shape != x.shape or np.allclose(g_other, reference, rtol=1e-6, atol=1e-9):
        return False  # the reference itself does not change: nothing to tell
    near_gradient = np.allclose(g, _diff(f, x, other, "central"), rtol=1e-3, atol=1e-6)
    return near_gradient and np.allclose(g, g_other, rtol=1e-9, atol=0.0)


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
        if (
            g is not None
            and x.size > 1
            and g.size in (1, x.size)
            and np.all(np.isfinite(g))
            and np.allclose(g, _all_at_once(f, x, eps), rtol=1e-6, atol=1e-9)
        ):
            return (
                "you moved all entries of x at once (x + eps adds eps to EVERY entry), so you "
                "get one number, the slope along the direction (1, 1, ...), in place of the "
                "gradient. Move one entry at a time: for each index i, copy x, change only "
                "entry i by +eps (and -eps in a second copy), and store the result in entry i. "
                f"{where}"
            )
        if g is not None and g.shape == x.shape and not np.allclose(g, expected, rtol=1e-6):
            if np.allclose(g, _diff(f, x, eps, "forward"), rtol=1e-6, atol=1e-9):
                return (
                    "you used the one-sided difference (f(x + eps) - f(x)) / eps. Use the "
                    "central one, (f(x + eps) - f(x - eps)) / (2 * eps): its error shrinks like "
                    f"eps**2 instead of eps. {where}"
                )
            if _same_for_other_eps(answer, f, x, eps, g):
                return (
                    f"your function ignores its eps argument: called with eps = {eps:g} and "
                    f"with eps = {eps / 100:g} it returns the same numbers. Use the eps it "
                    "receives as the step (x_plus[i] += eps) and in the division (2 * eps), "
                    f"not a fixed number. {where}"
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
        if isinstance(value, str | bytes):
            return (
                f"your relative error is text, the string {value!r}, not a number: return the "
                "number itself (float(rel.max())), not an f-string or str(...). Format it only "
                f"when you print it. {case}"
            )
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
            return _nan_message(answer, case)
        got.append(value)
        values.append(float(g.reshape(())))
    if _all_close(values, [_relative_error_reference(a, b) for a, b in _REL_CASES]):
        return None
    if problem := _definition_problem(values, _REL_CASES):
        return problem
    return diagnose_cases(
        got,
        [_relative_error_reference(a, b) for a, b in _REL_CASES],
        what="your relative error",
        where=[f"checked with a = {a.tolist()}, b = {b.tolist()}" for a, b in _REL_CASES],
        factors=False,  # a relative error has no typical factor
        atol=1e-12,
    )


# entry-wise definitions a learner may write instead of max(|a|, |b|) in the denominator
_DENOMINATOR_MISTAKES = [
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


def _definition_problem(values: list[float], cases: list) -> str | None:
    """What ``values`` (the answer on ``cases``) computed instead, if it is a known slip."""
    for per_entry, sentence in _DENOMINATOR_MISTAKES:
        if _all_close(values, [_largest(per_entry, a, b) for a, b in cases]):
            return sentence
    if problem := _norm_based(values, cases):
        return problem
    mean = [
        _largest(lambda diff, a, b: diff / np.maximum(np.abs(a), np.abs(b)), a, b, np.mean)
        for a, b in cases
    ]
    if _all_close(values, mean):
        return "you averaged the entry-wise errors; return the LARGEST one (.max())."
    return None


def _nan_message(answer: Any, case: str) -> str:
    """The message for a NaN on a case with 0/0 entries; the cases without zeros tell whether
    the rest of the definition is right too (a NaN alone says nothing about the denominator)."""
    nan = (
        "your relative error is NaN: where a and b are both 0 the division is 0/0. "
        f"Count such entries as 0 error. {case}"
    )
    clean = [(a, b) for a, b in _REL_CASES if not np.any((a == 0) | (b == 0))]
    values = []
    for a, b in clean:
        try:
            value = float(np.asarray(answer(a.copy(), b.copy()), dtype=np.float64).reshape(()))
        except Exception:  # any failure on these cases: the NaN message alone
            return nan
        values.append(value)
    if not np.all(np.isfinite(values)) or _all_close(
        values, [_relative_error_reference(a, b) for a, b in clean]
    ):
        return nan
    problem = _definition_problem(values, clean)
    if problem is None:
        return nan
    if problem.startswith("you used norms"):
        return f"{problem} Where a and b are both 0, count the error as 0: here you got NaN, 0/0."
    return f"{nan} And on arrays without zeros, {problem}"


def _largest(per_entry, a, b, reduce=np.max) -> float:
    """``reduce`` of ``per_entry(|a - b|, a, b)`` over the entries that differ (others are 0)."""
    diff = np.abs(a - b)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff > 0, per_entry(diff, a, b), 0.0)
    return float(reduce(rel))


def _norm_based(values: list[float], cases: list) -> str | None:
    """The message for a norm-based relative error, if ``values`` (the answer on ``cases``)
    are one."""
    if not values or _all_close(values, [_relative_error_reference(a, b) for a, b in cases]):
        return None
    for norm_based in (_norm_by_max, _norm_by_sum, _norm_by_b):
        if _all_close(values, [norm_based(a, b) for a, b in cases]):
            return (
                "you used norms of the whole arrays (np.linalg.norm), one relative error for "
                "all entries together. That is another common definition, but it lets one "
                "large entry hide a small entry that is completely wrong. This exercise asks "
                "for the error ENTRY BY ENTRY, |a_i - b_i| / max(|a_i|, |b_i|) for every i "
                "(no norm), and then the largest of them."
            )
    return None


def _norm_ratio(a, b, scale: float) -> float:
    """``|a - b| / scale`` with Euclidean norms; 0 where both arrays are 0."""
    diff = float(np.linalg.norm(a - b))
    return diff / scale if scale > 0 else 0.0


def _norm_by_max(a, b) -> float:
    return _norm_ratio(a, b, max(float(np.linalg.norm(a)), float(np.linalg.norm(b))))


def _norm_by_sum(a, b) -> float:
    return _norm_ratio(a, b, float(np.linalg.norm(a)) + float(np.linalg.norm(b)))


def _norm_by_b(a, b) -> float:
    return _norm_ratio(a, b, float(np.linalg.norm(b)))


def _all_close(got: list[float], values: list[float]) -> bool:
    return bool(np.allclose(got, values, rtol=1e-6, atol=1e-12))
