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

from ._validate import as_float_array, check_callable, check_finite, check_positive

__all__ = ["GradCheck", "gradcheck", "numerical_gradient"]


def _scalar(value: Any) -> float:
    """``f(x)`` as a Python float; f must return one number."""
    return _scalar_and_eps(value)[0]


def _scalar_and_eps(value: Any) -> tuple[float, float]:
    """``f(x)`` as a Python float, and the machine epsilon of the dtype f computed it in."""
    arr = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
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
    dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
    return float(arr.reshape(())), float(np.finfo(dtype).eps)


def _steps(x: np.ndarray, eps: float) -> np.ndarray:
    """The step of each entry: ``eps``, or ``eps * |x_i|`` where ``x_i +- eps`` rounds away.

    Where ``|x_i|`` is so large that float64 cannot represent ``x_i + eps`` and ``x_i - eps``
    to within 1 % of their distance (about ``|x_i| > 1e13 * eps``), a fixed step would be lost
    to rounding (x = 1e12 gave a gradient of 0): the step grows with ``|x_i|`` there.
    """
    taken = (x + eps) - (x - eps)
    lost = np.abs(taken - 2 * eps) > 0.01 * 2 * eps
    return np.where(lost, eps * np.abs(x), eps)


def numerical_gradient(f: Callable[[np.ndarray], Any], x: Any, *, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Entry ``i`` is ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``, where ``e_i`` is 1 at position
    ``i`` and 0 elsewhere and ``h = eps`` (only for a huge ``|x_i|``, where ``x_i + eps`` would
    round back to ``x_i``, ``h = eps * |x_i|``). The perturbed points are float64 copies of
    ``x`` (a float32 ``x`` is converted: its own rounding would swamp a small step), and the
    difference is divided by the distance actually taken, ``(x_i + h) - (x_i - h)``. ``f`` is
    called ``2 * x.size`` times with float64 arrays of ``x``'s shape; the caller's ``x`` is
    never modified.

    Parameters
    ----------
    f : callable
        ``f(x) -> number`` (a float, a 0-d array or a one-element tensor).
    x : array_like of any shape
        Where to evaluate the gradient. Integer and float32 input is converted to float64;
        NaN or infinity raises ValueError.
    eps : float
        Step of the central difference (> 0). ``1e-6`` suits an ``f`` computed in float64; if
        ``f`` computes in float32 (float32 data or a float32 model), use about ``1e-3``.

    Returns
    -------
    ndarray of the shape of ``x``
        The estimated gradient (float64); an empty ``x`` gives an empty gradient.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: np.sum(v**2), np.array([1.0, -2.0, 3.0]))
    >>> np.round(g, 6).tolist()
    [2.0, -4.0, 6.0]
    """
    return _central_differences(f, x, eps)[0]


def _central_differences(f: Callable[[np.ndarray], Any], x: Any, eps: float) -> tuple:
    """The central-difference gradient, and per entry ``max(|f(x+h)|, |f(x-h)|)`` and ``f``'s
    machine epsilon: the size of the rounding in the two values it subtracts."""
    check_callable(f, "f", example="f=loss (not f=loss(w))")
    eps = check_positive(eps, "eps", example="1e-6")
    x = np.array(as_float_array(x, "x"), dtype=np.float64, copy=True)
    check_finite(x, "x")
    steps = _steps(x, eps).reshape(-1)
    grad = np.zeros(x.shape, dtype=np.float64)
    size = np.zeros(x.shape, dtype=np.float64)
    f_eps = float(np.finfo(np.float64).eps)
    flat = x.reshape(-1)  # a view: editing flat edits x
    for i in range(flat.size):
        old = flat[i]
        plus, minus = old + steps[i], old - steps[i]
        flat[i] = plus
        f_plus, eps_plus = _scalar_and_eps(f(x.copy()))
        flat[i] = minus
        f_minus, eps_minus = _scalar_and_eps(f(x.copy()))
        flat[i] = old
        grad.reshape(-1)[i] = (f_plus - f_minus) / (plus - minus)
        size.reshape(-1)[i] = max(abs(f_plus), abs(f_minus))
        f_eps = max(f_eps, eps_plus, eps_minus)
    return grad, size, f_eps, steps.reshape(x.shape)


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
    inconclusive : bool
        True when no entry of the gradient stands out of the numerical gradient's rounding
        noise at this ``x`` (then ``ok`` is False and ``max_rel_error`` is NaN): the check could
        not tell a right gradient from a wrong one.
    """

    max_rel_error: float
    ok: bool
    worst_index: tuple
    analytic: np.ndarray
    numerical: np.ndarray
    message: str
    inconclusive: bool = False

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


def _inconclusive(fx: float, f_eps: float, noise: float, tol: float) -> str:
    """Why no entry of the gradient could be checked, and what to do."""
    if f_eps > 1e-10:
        fix = (
            "f computes in float32 (about 7 digits): compute it in float64 (float64 data and "
            "parameters), or use a larger eps (about 1e-3) and a looser tol (about 1e-3)."
        )
    elif abs(fx) * f_eps > noise * tol * 1e-3 and abs(fx) > 1.0:
        fix = (
            f"f(x) = {fx:.3g} is large next to its changes over the step, so they drown in its "
            "rounding: subtract a constant from f, or check at a point where the gradient is "
            "larger."
        )
    else:
        fix = "The gradient is zero here (a minimum?): check at a point away from it."
    return (
        "Gradient check inconclusive: no entry of the numerical gradient stands out of its own "
        f"rounding noise (about {noise:.1e} per entry), so a right and a wrong gradient look the "
        f"same at this x. {fix}"
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
    check_callable(f, "f", example="f=loss (not f=loss(w))")
    check_callable(grad_f, "grad_f", example="grad_f=loss_grad (not grad_f=loss_grad(w))")
    tol = check_positive(tol, "tol", example="1e-5")
    x = as_float_array(x, "x")
    if x.size == 0:
        raise ValueError(
            f"x must hold at least one number; got shape {x.shape} instead. A gradient check "
            "of nothing would always pass: pass the point where to compare the gradients."
        )
    numerical, f_size, f_eps, steps = _central_differences(f, x, eps)
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
    # The numerical gradient is uncertain by about f's rounding divided by the step: an entry
    # is measured to relative tol only where it is larger than that noise / tol. f's rounding
    # depends on its intermediate values too, not only on |f|: a second estimate with twice
    # the step shows the noise actually present.
    with np.errstate(invalid="ignore", over="ignore"):
        noise = f_eps * f_size / steps
        noise = np.maximum(noise, np.abs(numerical - numerical_gradient(f, x, eps=2 * eps)))
    resolved = np.maximum(np.abs(analytic), np.abs(numerical)) > noise / tol
    resolved |= ~np.isfinite(analytic) | ~np.isfinite(numerical)  # NaN or inf always fails
    if np.isfinite(analytic).all() and np.isfinite(numerical).all() and not resolved.any():
        fx = _scalar(f(x.astype(np.float64)))  # only the explanation needs f(x) itself
        message = _inconclusive(fx, f_eps, float(noise.max()), tol)
        return GradCheck(float("nan"), False, (), analytic, numerical, message, inconclusive=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(analytic - numerical) / np.maximum(np.abs(analytic), np.abs(numerical))
    rel = np.where(resolved, rel, 0.0)  # entries lost in the noise cannot fail (or pass)
    rel = np.where(np.isnan(rel), np.inf, rel)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(rel)), rel.shape))
    max_rel = float(rel.max())
    ok = max_rel <= tol
    if ok:
        message = f"Gradient check passed: largest relative error {max_rel:.2e} <= tol {tol:g}."
        if not resolved.all():
            message += (
                f" {int((~resolved).sum())} of {rel.size} entries are too small to check at "
                "this x (within the numerical gradient's rounding noise)."
            )
    else:
        message = _explain(analytic, numerical, rel, worst, tol)
        message += f" (Largest relative error {max_rel:.2e} > tol {tol:g}.)"
    return GradCheck(max_rel, ok, worst, analytic, numerical, message)
