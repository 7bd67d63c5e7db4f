"""Exercises of notebook 05 (batch, stochastic and minibatch gradient descent).

* ``05.sgd_step``: one stochastic-gradient step of ``y = w*x + b`` on a single sample.
* ``05.sample_bound``: the largest step at which one SGD step does not make its own
  sample's error larger (the factor ``1 - 2*lr*(x**2 + 1)`` stays >= -1): ``1 / (x**2 + 1)``.
* ``05.minibatches``: split the indices ``0 .. n-1`` into consecutive batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import diagnose, exercise, not_a_function

__all__: list[str] = []


def _as_float(value: Any) -> float | None:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(arr.reshape(())) if arr.size == 1 else None


# ---------------------------------------------------------------------------- 05.sgd_step

_STEP_CASES = [  # (w, b, x, y, lr)
    (-10.0, -20.0, -5.0, 25.3, 0.01),
    (-3.0, 1.0, 2.0, -9.5, 0.05),
    (0.5, -0.25, 0.7, 1.0, 0.1),
    (-5.0, 0.0, 4.0, -20.4, 0.001),
]


def _sgd_step_reference(w, b, x, y, lr):
    """New (w, b) after one step on the squared error (w*x + b - y)**2 of one sample."""
    r = w * x + b - y  # residual, computed ONCE with the old w and b
    return w - lr * 2 * r * x, b - lr * 2 * r


def _as_pair(got: Any) -> tuple[Any, Any] | str:
    """The learner's ``(w_new, b_new)``, or the sentence why it is not two numbers.

    A tuple or list of two, or an array or tensor with two numbers, is accepted.
    """
    if got is None:
        return (
            "your function returned None: did you forget the `return` statement? "
            "End it with `return w_new, b_new`."
        )
    if isinstance(got, str | bytes):
        return "your function returned text; return the two numbers: `return w_new, b_new`."
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if isinstance(got, np.ndarray) and got.size == 2:
        return tuple(got.reshape(2))
    if isinstance(got, tuple | list) and len(got) == 2:
        return got[0], got[1]
    return (
        "your function should return two numbers, the new w and the new b, as a tuple: "
        "`return w_new, b_new`."
    )


@exercise(
    "05.sgd_step",
    hint=(
        "Compute the residual r = w*x + b - y once. The loss r**2 has derivative 2*r*x with "
        "respect to w and 2*r with respect to b. Return (w - lr*dw, b - lr*db), both computed "
        "from the OLD w and b."
    ),
    solution=_sgd_step_reference,
)
def _check_sgd_step(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for w, b, x, y, lr in _STEP_CASES:
        pair = _as_pair(answer(w, b, x, y, lr))
        if isinstance(pair, str):
            return pair
        gw, gb = (_as_float(v) for v in pair)
        if gw is None or gb is None:
            return "the new w and the new b should each be one number."
        ew, eb = _sgd_step_reference(w, b, x, y, lr)
        where = f"(checked with w={w}, b={b}, x={x}, y={y}, lr={lr}.)"
        r = w * x + b - y
        if np.isclose(gw, ew) and np.isclose(gb, eb):
            continue
        if np.isclose(gw, eb) and np.isclose(gb, ew):
            return (
                "you returned the new b first and the new w second: return them in the "
                f"order the exercise asks, `return w_new, b_new`. {where}"
            )
        if np.isclose(gw, ew):  # w right, b wrong
            if np.isclose(gb, b - lr * 2 * (ew * x + b - y)):
                return (
                    "your b update used the NEW w: compute the residual once, before changing "
                    f"anything, and use it for both updates. {where}"
                )
            if np.isclose(gb, b - lr * 2 * r * x):
                return f"the gradient for b is 2*r, without the factor x. {where}"
        if np.isclose(gb, eb):  # b right, w wrong
            if np.isclose(gw, w - lr * 2 * (w * x + eb - y) * x):
                return (
                    "your w update used the NEW b (you updated b first): compute the residual "
                    f"once, before changing anything, and use it for both updates. {where}"
                )
        if np.isclose(gw, w - lr * 2 * r) and not np.isclose(gw, ew):
            return f"the gradient for w is 2*r*x: you forgot the factor x. {where}"
        if np.isclose(gw, w + lr * 2 * r * x) and np.isclose(gb, b + lr * 2 * r):
            return (
                "your step has the wrong sign: it adds the gradient instead of subtracting "
                "it, so it goes uphill. Did you step up the gradient (the update is "
                "w_new = w - lr * gradient), or compute the residual as y - (w*x + b) instead "
                f"of r = w*x + b - y? {where}"
            )
        if np.isclose(gw, w) and np.isclose(gb, b):
            return (
                "your w and your b did not change: return the values after the step, "
                f"w_new = w - lr * 2*r*x and b_new = b - lr * 2*r. {where}"
            )
        if np.isclose(gw, ew) and np.isclose(gb, b):
            return f"your b did not change: update it too, b_new = b - lr * 2*r. {where}"
        if np.isclose(gb, eb) and np.isclose(gw, w):
            return f"your w did not change: update it too, w_new = w - lr * 2*r*x. {where}"
        problem = diagnose(
            np.array([gw - w, gb - b]),
            np.array([ew - w, eb - b]),
            what="your step (w_new - w, b_new - b)",
        )
        if problem:
            return f"{problem} {where}"
    return None


# -------------------------------------------------------------------------- 05.sample_bound


def _sample_bound_reference(x):
    """Largest step lr at which one SGD step does not make its own sample's error larger.

    The step multiplies the sample's residual by f = 1 - 2*lr*(x**2 + 1). It does not grow
    while -1 <= f <= 1; f <= 1 holds for every lr >= 0, and f >= -1 means lr <= 1/(x**2 + 1).
    """
    return 1 / (x**2 + 1)


_BOUND_INPUTS = (np.array([-5.0, -3.0, 0.0, 0.5, 4.9]), np.linspace(-2.0, 7.0, 7))


def _factor_text(x: float, lr: float) -> str:
    """The factor 1 - 2*lr*(x**2 + 1) at one sample, as a sentence fragment."""
    factor = round(1 - 2 * lr * (x**2 + 1), 10) + 0.0  # no -0 or 1e-17 for an exact 0
    return f"at x = {x:g} your step {lr:.4g} gives the factor 1 - 2*lr*(x**2 + 1) = {factor:.3g}"


def _bound_values(got: Any, expected: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """The learner's result as a float64 array of the expected shape, or the sentence why not."""
    if got is None:
        return None, "your function returned None: did you forget the `return` statement?"
    if isinstance(got, str | bytes):
        return None, "your function should return numbers (one step size per input), not text."
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None, (
            "your function should return an array of numbers, one step size per input; "
            f"got {type(got).__name__}."
        )
    if g.shape != expected.shape:
        if g.size == 1:
            return None, (
                "your function returned one number, but it should return one step size per "
                f"input: an array of shape {expected.shape}, like x itself."
            )
        return None, (
            f"return one step size per input: an array of shape {expected.shape} (the shape "
            f"of x), not {g.shape}."
        )
    return g, None


@exercise(
    "05.sample_bound",
    hint=(
        "One step on the sample multiplies its error by f = 1 - 2*lr*(x**2 + 1). The error does "
        "not grow while f stays between -1 and 1. For a positive lr, f is always below 1, so "
        "only f >= -1 limits lr: solve 1 - 2*lr*(x**2 + 1) = -1 for lr. NumPy works on the "
        "whole array x at once."
    ),
    solution=_sample_bound_reference,
)
def _check_sample_bound(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x in _BOUND_INPUTS:
        expected = _sample_bound_reference(x)
        g, problem = _bound_values(answer(x.copy()), expected)
        if problem:
            return problem
        where = f"(checked at x = {x.round(2).tolist()}.)"
        nonzero = x != 0
        with np.errstate(divide="ignore"):
            no_bias = 1 / x**2
        if np.allclose(g[nonzero], no_bias[nonzero], rtol=1e-6):  # whatever it gives at x = 0
            return (
                "you left out the bias: the step also changes b, and that adds the +1 in the "
                "factor 1 - 2*lr*(x**2 + 1). Your answer would be right for a line without "
                f"a bias, y = w*x. {where}"
            )
        if not np.all(np.isfinite(g)):
            return (
                "some of your step sizes are NaN or infinite: check for a division by zero "
                f"(at x = 0 the answer is 1). {where}"
            )
        if np.allclose(g, expected, rtol=1e-6, atol=1e-12):
            continue
        i = int(np.argmax(~np.isclose(g, expected, rtol=1e-6, atol=1e-12)))
        if np.allclose(g, 2 * expected, rtol=1e-6):
            return (
                "your step sizes are 2 times too large: "
                f"{_factor_text(x[i], g[i])}, so the step makes the error 3 times larger. Did "
                "you leave out the factor 2 of the derivative of the square (w*x + b - y)**2? "
                f"{where}"
            )
        if np.allclose(g, 0.5 * expected, rtol=1e-6):
            return (
                f"your step sizes are half the answer: {_factor_text(x[i], g[i])}. That step "
                "makes the error exactly zero, but a larger step still does not make it "
                "larger: find the lr where the factor reaches -1, not 0. "
                f"{where}"
            )
        if np.allclose(g, -expected, rtol=1e-6):
            return (
                "your step sizes are negative: a step size is a positive number. Check the "
                "sign when you solve 1 - 2*lr*(x**2 + 1) = -1 for lr. "
                f"{where}"
            )
        if not np.any(g):
            return (
                "your step sizes are all 0: that is where the factor 1 - 2*lr*(x**2 + 1) is "
                "+1 (nothing moves). The largest step is at the other end, where the factor "
                f"is -1. {where}"
            )
        return (
            f"your step sizes do not match: at x = {x[i]:g} the answer is {expected[i]:.4g}, "
            f"yours is {g[i]:.4g} ({_factor_text(x[i], g[i])}; at the largest step that does "
            f"not make the error larger, the factor is exactly -1). {where}"
        )
    return None


# --------------------------------------------------------------------------- 05.minibatches


def _minibatches_reference(n, batch_size):
    """Consecutive index batches [0..m-1], [m..2m-1], ...; the last one may be shorter."""
    return [list(range(start, min(start + batch_size, n))) for start in range(0, n, batch_size)]


_EXAMPLE = "[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] for n=10, batch_size=4"


def _as_index_lists(got: Any, n: int) -> list[list[int]] | str:
    if got is None:
        return (
            "your function returned None: did you forget the `return` statement? Return the "
            f"list of batches, like {_EXAMPLE}."
        )
    if isinstance(got, str | bytes):
        return (
            "your function returned text (a string), not a list of batches: return lists of "
            f"numbers, like {_EXAMPLE}."
        )
    try:
        batches = list(got)
    except TypeError:
        return f"your function should return a list of batches; got {type(got).__name__}."
    out = []
    for batch in batches:
        if isinstance(batch, str | bytes):
            return (
                "each batch should be a list (or range or array) of sample indices (numbers), "
                "not text (a string)."
            )
        if isinstance(batch, slice):
            batch = range(n)[batch]
        if hasattr(batch, "tolist"):
            batch = batch.tolist()
        try:
            out.append([int(i) for i in batch])
        except (TypeError, ValueError):
            return (
                "each batch should be a list (or range or array) of sample indices; got "
                f"{type(batch).__name__}."
            )
    return out


@exercise(
    "05.minibatches",
    hint=(
        "Loop `for start in range(0, n, batch_size)` and collect "
        "list(range(start, min(start + batch_size, n))). Keep the last, shorter batch."
    ),
    solution=_minibatches_reference,
)
def _check_minibatches(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for n, m in ((10, 3), (100, 20), (7, 1), (5, 8), (12, 4)):
        got = _as_index_lists(answer(n, m), n)
        if isinstance(got, str):
            return got
        expected = _minibatches_reference(n, m)
        where = f"(checked with n={n}, batch_size={m}.)"
        if got == expected:
            continue
        if got == expected[:-1] or (got and got == [b for b in expected if len(b) == m]):
            return (
                "you dropped the last, shorter batch: every sample must be used once per "
                f"epoch. {where}"
            )
        flat = [i for b in got for i in b]
        if sorted(flat) == list(range(1, n + 1)):
            return (
                "indices start at 0: the first sample has index 0 and the last n-1; yours "
                f"run from 1 to n. {where}"
            )
        beyond = sorted({i for i in flat if not 0 <= i < n})
        if beyond and [kept for b in got if (kept := [i for i in b if 0 <= i < n])] == expected:
            return (
                f"your last batch goes past n-1 (indices {', '.join(map(str, beyond))}): cut it "
                f"at n, for example with min(start + batch_size, n). {where}"
            )
        if beyond:
            return (
                "every index must be between 0 and n-1; yours include "
                f"{', '.join(map(str, beyond[:5]))}. {where}"
            )
        if sorted(flat) != list(range(n)):
            return (
                "every index 0 .. n-1 must appear exactly once over all batches; yours has "
                f"{len(flat)} indices, {len(set(flat))} different. {where}"
            )
        if flat != list(range(n)):
            return f"keep the samples in order (no shuffling in this exercise). {where}"
        return (
            f"the batches should hold batch_size={m} indices each (the last may be shorter). "
            f"{where}"
        )
    return None
