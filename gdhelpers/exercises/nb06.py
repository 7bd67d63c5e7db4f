"""Exercises of notebook 06 (learning rate and loss landscape).

* ``06.best_rate``: the constant learning rate ``2 / (lambda_min + lambda_max)`` that makes the
  slowest part of the error shrink fastest, worked out by the learner from a Hessian (the
  notebook shows the two factors against the learning rate; the formula is not given).
* ``06.momentum_step``: one step of gradient descent with (heavy-ball) momentum, in the form
  ``torch.optim.SGD(..., momentum=beta)`` uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._core import _as_values, diagnose, exercise, not_a_function

__all__: list[str] = []


def _as_float(value: Any, what: str) -> tuple[float | None, str | None]:
    """``value`` as a float, or a sentence explaining why it is not one number."""
    if value is None:
        return None, f"{what} is None: did you forget the `return` statement?"
    if isinstance(value, str | bytes):
        return None, f"{what} should be a number; got a string instead."
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"{what} should be a number; got {type(value).__name__} instead."
    if arr.size != 1:
        return None, (f"{what} should be ONE number (a float); got an array of shape {arr.shape}.")
    return float(arr.reshape(())), None


# ---------------------------------------------------------------- 06.best_rate


def _best_rate_reference(H):
    """The constant learning rate that makes the slowest part of the error shrink fastest."""
    eigenvalues = np.linalg.eigvalsh(H)  # in increasing order
    smallest, largest = eigenvalues[0], eigenvalues[-1]
    # the worst factor max |1 - lr * lambda| is smallest where the flat and the steep factor
    # have the same size and opposite signs: 1 - lr * smallest = -(1 - lr * largest)
    return 2 / (smallest + largest)


def _hessian(X: np.ndarray) -> np.ndarray:
    """H = (2/n) A^T A of the MSE of a linear model with a bias, A = [X, 1]."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    return 2 / X.shape[0] * A.T @ A


def _rate_cases() -> list[np.ndarray]:
    """Hessians to check with: 3x3 first (every typical mistake gives a different number)."""
    rng = np.random.default_rng(7)
    x = np.arange(-5, 5, 0.1).reshape(-1, 1)
    return [
        _hessian(rng.normal(2.0, 3.0, size=(20, 2))),  # two inputs and a bias: 3x3
        # np.linalg.eig and eigvals return these eigenvalues in the order 5, 1, 3 (they do not
        # sort): an answer that takes [0] and [-1] of them balances 5 and 3, not 1 and 5
        np.diag([5.0, 1.0, 3.0]),
        _hessian(x + 5),  # the tilted valley of notebook 06 (large off-diagonal entries)
        np.array([[15.0]]),  # y = 2x on x = 1, 2, 3, 4 without a bias: the best rate is 1/15
    ]


def _rate_mistakes(H: np.ndarray) -> list[tuple[float, str]]:
    """(value, message) for each typical wrong answer on this H, most specific first."""
    lam = np.linalg.eigvalsh(H)
    lo, hi = lam[0], lam[-1]
    diag = np.diag(H)
    mistakes = [
        (
            2 / hi,
            "you returned the stability bound 2 / lambda_max. Every smaller rate converges, but "
            "at the bound itself the steep factor is exactly -1: the steep part of the error "
            "flips sign with the same size at every step and never shrinks (beyond the bound it "
            "grows). The best rate is smaller, where the flat and the steep factor have the same "
            "size.",
        ),
        (
            1 / hi,
            "1 / lambda_max removes the steep part in one step, but then the flat part is only "
            "multiplied by 1 - lambda_min/lambda_max per step, close to 1. A larger rate helps "
            "the flat part, until the steep factor (negative by then) is just as large in size.",
        ),
        (
            1 / (lo + hi),
            "your rate is half the best one: at the crossing 1 - lr * lambda_min = "
            "-(1 - lr * lambda_max); solve it for lr again and keep both 1s.",
        ),
        (
            2 / lo,
            "you used the smallest eigenvalue alone (2 / lambda_min): at that rate the steep "
            "factor is far below -1 and the steep part grows without bound.",
        ),
        (
            1 / lo,
            "you used the smallest eigenvalue alone (1 / lambda_min): at that rate the steep "
            "factor is below -1 and the steep part grows without bound.",
        ),
        (
            2 / lam.sum(),
            "you added ALL the eigenvalues (np.trace(H) is their sum too). Only the smallest and "
            "the largest matter: every other eigenvalue has a factor between those two.",
        ),
        (
            2 / (diag.min() + diag.max()),
            "you used the diagonal entries of H. They are the curvatures along the parameter "
            "axes, not along the bowl's own axes: use the eigenvalues (np.linalg.eigvalsh).",
        ),
        (
            (hi - lo) / (hi + lo),
            "you returned the worst factor per step, (kappa - 1)/(kappa + 1), not the learning "
            "rate that achieves it.",
        ),
        (
            (lo + hi) / 2,
            "you returned (lambda_min + lambda_max) / 2, the inverse of the best rate: a learning "
            "rate is 1 over a curvature.",
        ),
    ]
    for i in range(len(lam)):
        for j in range(i + 1, len(lam)):
            if (i, j) != (0, len(lam) - 1):
                mistakes.append(
                    (
                        2 / (lam[i] + lam[j]),
                        "you balanced two eigenvalues that are not the smallest and the largest "
                        f"(this H is {len(lam)}x{len(lam)} and has {len(lam)}). np.linalg.eigvals "
                        "does not sort them; np.linalg.eigvalsh does: take [0] and [-1], or use "
                        "min() and max().",
                    )
                )
    return mistakes


@exercise(
    "06.best_rate",
    hint=(
        "Take the eigenvalues with np.linalg.eigvalsh(H) (smallest first, largest last). Only "
        "those two matter. At the crossing of the two lines the flat factor 1 - lr * smallest "
        "is positive and the steep factor 1 - lr * largest is negative, of the same size: "
        "1 - lr * smallest = -(1 - lr * largest). Solve that for lr."
    ),
    solution=_best_rate_reference,
)
def _check_best_rate(answer: Any) -> str | None:
    if problem := not_a_function(answer, "best_rate(H)"):
        return problem
    for H in _rate_cases():
        d = H.shape[0]
        where = f"(checked with a {d}x{d} H.)"
        try:
            value = answer(H.copy())
        except ValueError as err:
            if "unpack" not in str(err):
                raise
            return (
                f"your code unpacks the eigenvalues into a fixed number of names, but this H is "
                f"{d}x{d} and has {d} eigenvalues ({err}). Take the smallest and the largest: "
                "eigenvalues[0] and eigenvalues[-1] of np.linalg.eigvalsh."
            )
        if np.shape(value) == (d,) and d > 1:
            return (
                f"your learning rate should be ONE number (a float); got {d} numbers, one per "
                "eigenvalue. Only the smallest and the largest eigenvalue decide the best rate."
            )
        got, problem = _as_float(value, "your learning rate")
        if problem:
            return problem
        expected = _best_rate_reference(H)
        if np.isclose(got, expected, rtol=1e-6):
            continue
        for wrong, message in _rate_mistakes(H):
            if np.isclose(got, wrong, rtol=1e-6):
                return f"{message} {where}"
        lam = np.linalg.eigvalsh(H)
        if not np.isfinite(got) or got <= 0:
            return f"a learning rate must be a positive number; got {got:.4g}. {where}"
        worst = np.max(np.abs(1 - got * lam))
        best = np.max(np.abs(1 - expected * lam))
        return (
            f"at your rate {got:.4g} the worst factor max |1 - lr * lambda| is {worst:.4g}; the "
            f"best rate {expected:.4g} gives {best:.4g}. {where}"
        )
    return None


# ---------------------------------------------------------------- 06.momentum_step


def _momentum_step_reference(param, velocity, grad, lr, beta):
    """One step of SGD with momentum, as torch.optim.SGD(momentum=beta) does it."""
    velocity = beta * velocity + grad  # remember the past directions
    param = param - lr * velocity  # step along the accumulated direction
    return param, velocity


def _torch_momentum(param, velocity, grad, lr, beta):
    """Independent reference: torch.optim.SGD itself (velocity taken over from ``velocity``)."""
    p = torch.tensor(param, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=beta)
    opt.state[p]["momentum_buffer"] = torch.tensor(velocity, dtype=torch.float64)
    p.grad = torch.tensor(grad, dtype=torch.float64)
    opt.step()
    return p.detach().numpy(), opt.state[p]["momentum_buffer"].numpy()


def _momentum_cases():
    rng = np.random.default_rng(60)
    return [
        (np.array([-10.0, -20.0]), np.array([0.0, 0.0]), np.array([-62.0, 12.0]), 0.01, 0.9),
        (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), 0.1, 0.9),
        (rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), 0.05, 0.5),
    ]


def _numbers(value: Any, expected: np.ndarray, what: str) -> tuple[np.ndarray, str | None]:
    """``value`` as a float64 array shaped like ``expected``, or a sentence saying why not
    (None, a string, the wrong shape, NaN)."""
    got, _, problem = _as_values(value, expected, what)
    return got, problem


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-4, atol=1e-6))


_LR_INSIDE = (
    "you put lr inside the velocity (velocity = beta * velocity + lr * grad, then "
    "param - velocity). That is a convention other texts use: with a constant lr it gives the "
    "same path, but its velocity is lr times the one torch.optim.SGD keeps, so the two cannot "
    "be mixed. Here, as in torch.optim.SGD, lr stays outside: new_velocity = beta * velocity + "
    "grad, new_param = param - lr * new_velocity."
)


@exercise(
    "06.momentum_step",
    hint=(
        "First update the velocity: new_velocity = beta * velocity + grad. Then move the "
        "parameter against it: new_param = param - lr * new_velocity. Return both, in that order."
    ),
    solution=_momentum_step_reference,
)
def _check_momentum_step(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for param, velocity, grad, lr, beta in _momentum_cases():
        out = answer(param.copy(), velocity.copy(), grad.copy(), lr, beta)
        if not isinstance(out, tuple | list) or len(out) != 2:
            return (
                "your function should return two things, (new_param, new_velocity); got "
                f"{type(out).__name__} instead. End with `return param, velocity`."
            )
        exp_p, exp_v = _torch_momentum(param, velocity, grad, lr, beta)
        # first: two arrays of numbers of the right shapes (no comparison can fail after this)
        new_v, problem = _numbers(out[1], exp_v, "your new velocity")
        if problem:
            return problem
        new_p, problem = _numbers(out[0], exp_p, "your new parameter")
        if problem:
            return problem
        if _same(new_v, exp_v) and _same(new_p, exp_p):
            continue
        # then the typical mistakes, each recognised by the value it produces
        if _same(new_p, exp_v) and _same(new_v, exp_p):
            return (
                "you returned (new_velocity, new_param): both values are right, but in the wrong "
                "order. Return the new parameter first, (new_param, new_velocity): "
                "`return param, velocity`."
            )
        lr_inside = beta * velocity + lr * grad
        if _same(new_v, lr_inside) and not _same(lr_inside, exp_v):
            return _LR_INSIDE
        damped = beta * velocity + (1 - beta) * grad
        if _same(new_v, damped) and not _same(damped, exp_v):
            return (
                "your velocity uses (1 - beta) * grad, the 'moving average' form (Adam's first "
                "moment uses it). torch.optim.SGD adds the full gradient: beta * velocity + grad."
            )
        problem = diagnose(new_v, exp_v, what="your new velocity", factor_two=None)
        if problem:
            return problem
        if _same(new_p, param - lr * velocity):
            return (
                "your parameter step uses the OLD velocity; update the velocity first, then "
                "step with the new one: param - lr * new_velocity."
            )
        if _same(new_p, param + lr * exp_v):
            return "your parameter moves UP the slope: subtract lr * velocity, do not add it."
        problem = diagnose(new_p, exp_p, what="your new parameter", factor_two=None)
        if problem:
            return problem
    return None
