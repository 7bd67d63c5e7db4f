"""Numerical gradients and a gradient check that explains what went wrong.

A hand-derived gradient is easy to get almost right: a factor of 2 or ``n`` too many, a sign
flipped, a transposed shape. :func:`gradcheck` compares it with central differences
(:func:`numerical_gradient`) and says in words which of these it looks like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_float_array, check_finite, check_positive

__all__ = ["GradCheck", "gradcheck", "numerical_gradient"]


def _scalar(value: Any) -> float:
    """``f(x)`` as a Python float; f must return one number."""
    arr = np.asarray(value.detach() if hasattr(value, "detach") else value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"f must return a single number (the loss); got {type(value).__name__} "
            f"{value!r:.40} instead. Return the loss itself, e.g. np.mean((w * x - y) ** 2)."
        )
    if arr.size != 1:
        raise ValueError(
            f"f must return a single number (the loss); got shape {arr.shape} instead. "
            "Reduce it, e.g. with .mean() or .sum()."
        )
    return float(arr.reshape(()))


def numerical_gradient(f: Callable[[np.ndarray], Any], x: Any, *, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Entry ``i`` is ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``, where ``e_i`` is 1 at
    position ``i`` and 0 elsewhere. ``f`` is called ``2 * x.size`` times with NumPy arrays
    of ``x``'s shape and dtype; the caller's ``x`` is never modified.

    Parameters
    ----------
    f : callable
        ``f(x) -> number`` (a float, a 0-d array or a one-element tensor).
    x : array_like of any shape
        Where to evaluate the gradient. Float64 gives accurate results with ``eps = 1e-6``;
        in float32 the rounding error of ``f`` dominates, use ``eps`` around ``1e-3``.
        Integer input is converted to float64; NaN or infinity raises ValueError.
    eps : float
        Step of the central difference (> 0).

    Returns
    -------
    ndarray of the shape of ``x``
        The estimated gradient (float64).

    Examples
    --------
    >>> g = numerical_gradient(lambda v: np.sum(v**2), np.array([1.0, -2.0, 3.0]))
    >>> np.round(g, 6).tolist()
    [2.0, -4.0, 6.0]
    """
    eps = check_positive(eps, "eps", example="1e-6")
    x = np.array(as_float_array(x, "x"), copy=True)
    check_finite(x, "x")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view: editing flat edits x
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = _scalar(f(x.copy()))
        flat[i] = old - eps
        f_minus = _scalar(f(x.copy()))
        flat[i] = old
        grad.reshape(-1)[i] = (f_plus - f_minus) / (2 * eps)
    return grad


@dataclass(frozen=True)
class GradCheck:
    """Result of :func:`gradcheck`; ``str(result)`` is the explanation.

    Attributes
    ----------
    max_rel_error : float
        Largest relative error over the entries (``inf`` when the shapes differ).
    ok : bool
        True when ``max_rel_error <= tol``.
    worst_index : tuple
        Index of the entry with the largest relative error (``()`` when shapes differ).
    analytic, numerical : ndarray
        The gradient from ``grad_f`` and the central-difference estimate.
    message : str
        What the comparison means, in words.
    """

    max_rel_error: float
    ok: bool
    worst_index: tuple
    analytic: np.ndarray
    numerical: np.ndarray
    message: str

    def __str__(self) -> str:
        return self.message


def _explain(a: np.ndarray, n: np.ndarray, rel: np.ndarray, worst: tuple, tol: float) -> str:
    """Name the likely mistake of a failed check."""
    where = (f"The worst entry is at index {worst}: " if worst else "Values: ") + (
        f"analytic {a[worst]:.6g}, numerical {n[worst]:.6g}."
    )
    if not np.isfinite(a).all():
        return f"The analytic gradient holds NaN or infinity. {where}"
    if not np.isfinite(n).all():
        return (
            "The numerical gradient holds NaN or infinity: f is not finite near x, so the "
            f"check cannot say anything. Choose an x where f is finite. {where}"
        )
    a_flat, n_flat = a.reshape(-1), n.reshape(-1)
    if not np.any(a_flat):
        return f"The analytic gradient is zero everywhere but the numerical one is not. {where}"
    nn = float(n_flat @ n_flat)
    if nn > 0:
        c = float(a_flat @ n_flat) / nn
        fits = np.linalg.norm(a_flat - c * n_flat) <= 1e-3 * np.linalg.norm(a_flat)
        if fits and abs(c + 1) <= 1e-3:
            return (
                "The analytic gradient is the numerical one with the sign flipped: "
                f"prediction minus target swapped, or a missing minus sign? {where}"
            )
        if fits and round(c, 2) == 1:
            return (
                f"The analytic gradient is {c:.6f} times the numerical one: close, but not close "
                "enough. A formula mistake gives a larger difference; look for rounding error "
                f"(use float64 x, an eps near 1e-6) or a tiny extra term. {where}"
            )
        if fits:
            return (
                f"The analytic gradient is {c:.2f} times the numerical one: a sum instead of a "
                f"mean, or a missing/extra factor?{' The sign is flipped too.' if c < 0 else ''}"
                f" {where}"
            )
    bad = int(np.count_nonzero(rel > tol))
    return (
        f"{bad} of {rel.size} entries disagree (relative error > {tol:g}); no single factor "
        f"explains the difference, so check the formula entry by entry. {where}"
    )


def gradcheck(
    f: Callable[[np.ndarray], Any],
    grad_f: Callable[[np.ndarray], Any],
    x: Any,
    *,
    eps: float = 1e-6,
    tol: float = 1e-5,
) -> GradCheck:
    """Compare an analytic gradient ``grad_f(x)`` with central differences of ``f``.

    The relative error of entry ``i`` is ``|a_i - n_i| / max(|a_i|, |n_i|, tiny)``, where
    ``tiny`` is the round-off level of the central difference divided by ``tol``
    (``tiny = eps_machine * |f(x)| / eps / tol``): entries that are zero up to rounding
    do not count as failures. A wrong return value of ``grad_f`` (shape, NaN, not numbers)
    gives ``ok=False`` and a message; an exception raised inside ``grad_f`` is not caught.

    Parameters
    ----------
    f : callable
        ``f(x) -> number``, the loss.
    grad_f : callable
        ``grad_f(x) -> array`` of ``x``'s shape, the gradient to check.
    x : array_like of any shape, at least one entry
        Where to compare (use float64); finite.
    eps : float
        Step of the central difference.
    tol : float
        Largest accepted relative error.

    Returns
    -------
    GradCheck
        ``ok``, ``max_rel_error``, ``worst_index``, both gradients and a ``message``.

    Examples
    --------
    >>> def f(w):
    ...     return np.mean((w * np.array([1.0, 2.0]) - np.array([2.0, 4.0])) ** 2)
    >>> good = gradcheck(
    ...     f, lambda w: np.mean(2 * np.array([1.0, 2.0]) * (w * [1, 2] - [2, 4])), 0.5
    ... )
    >>> good.ok
    True
    >>> bad = gradcheck(f, lambda w: np.sum(2 * np.array([1.0, 2.0]) * (w * [1, 2] - [2, 4])), 0.5)
    >>> print(bad)  # doctest: +ELLIPSIS
    The analytic gradient is 2.00 times the numerical one: a sum instead of a mean, ...
    """
    tol = check_positive(tol, "tol", example="1e-5")
    x = as_float_array(x, "x")
    if x.size == 0:
        raise ValueError(
            f"x must hold at least one number; got shape {x.shape} instead. A gradient check "
            "of nothing would always pass: pass the point where to compare the gradients."
        )
    numerical = numerical_gradient(f, x, eps=eps)
    returned = grad_f(x.copy())  # an error inside grad_f is the learner's to see, unchanged
    try:
        analytic = np.asarray(as_float_array(returned, "grad_f(x)"), dtype=np.float64)
    except TypeError as err:
        analytic = np.full(x.shape, np.nan)
        message = f"grad_f returned something that is not an array of numbers: {err}"
        return GradCheck(float("inf"), False, (), analytic, numerical, message)
    if analytic.shape != numerical.shape:
        message = (
            f"grad_f returned shape {analytic.shape} but x has shape {numerical.shape}: a "
            "gradient has exactly the shape of the variable it is taken with respect to. "
            "Look for a missing transpose, sum or reshape."
        )
        return GradCheck(float("inf"), False, (), analytic, numerical, message)
    noise = np.finfo(x.dtype).eps * max(abs(_scalar(f(x.copy()))), 1.0) / eps
    tiny = noise / tol
    with np.errstate(invalid="ignore"):
        rel = np.abs(analytic - numerical) / np.maximum(
            np.maximum(np.abs(analytic), np.abs(numerical)), tiny
        )
    rel = np.where(np.isnan(rel), np.inf, rel)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(rel)), rel.shape))
    max_rel = float(rel.max())
    ok = max_rel <= tol
    if ok:
        message = f"Gradient check passed: largest relative error {max_rel:.2e} <= tol {tol:g}."
    else:
        message = _explain(analytic, numerical, rel, worst, tol)
        message += f" (Largest relative error {max_rel:.2e} > tol {tol:g}.)"
    return GradCheck(max_rel, ok, worst, analytic, numerical, message)
