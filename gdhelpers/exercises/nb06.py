"""Exercises of notebook 06 (learning rate and loss landscape).

* ``06.stability_bound``: ``2 / lambda_max`` of the Hessian of the MSE of a linear model with a
  bias, computed with NumPy.
* ``06.momentum_step``: one step of gradient descent with (heavy-ball) momentum, in the form
  ``torch.optim.SGD(..., momentum=beta)`` uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._core import diagnose, exercise, not_a_function

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
        return None, (
            f"{what} should be ONE number (a float); got an array of shape {arr.shape}. "
            "Take the largest eigenvalue with .max() or [-1] of np.linalg.eigvalsh."
        )
    return float(arr.reshape(())), None


# ---------------------------------------------------------------- 06.stability_bound


def _stability_bound_reference(X):
    """2 / lambda_max of the Hessian H = (2/n) A^T A of the MSE, with A = [X, 1]."""
    n = X.shape[0]
    A = np.hstack([X, np.ones((n, 1))])  # the column of ones is the bias
    H = 2 / n * A.T @ A
    lam_max = np.linalg.eigvalsh(H).max()
    return 2 / lam_max


def _bound_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(6)
    x = np.arange(-5, 5, 0.1).reshape(-1, 1)
    return [
        x,
        x + 5,
        np.array([[1.0], [2.0], [3.0], [4.0]]),
        rng.normal(2.0, 3.0, size=(20, 3)),
        np.array([[73.0, 67, 43], [91, 88, 64], [87, 134, 58], [102, 43, 37], [69, 96, 70]]),
    ]


def _eig(M: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(M)


@exercise(
    "06.stability_bound",
    hint=(
        "Build A = np.hstack([X, np.ones((n, 1))]) (the ones are the bias), then the Hessian "
        "H = 2/n * A.T @ A, take its largest eigenvalue with np.linalg.eigvalsh(H).max(), and "
        "return 2 divided by it."
    ),
    solution=_stability_bound_reference,
)
def _check_stability_bound(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for X in _bound_cases():
        n = X.shape[0]
        got, problem = _as_float(answer(X.copy()), "your bound")
        if problem:
            return problem
        expected = _stability_bound_reference(X)
        if np.isclose(got, expected, rtol=1e-6):
            continue
        where = f"(checked with X of shape {X.shape}.)"
        A = np.hstack([X, np.ones((n, 1))])
        H = 2 / n * A.T @ A
        lam = _eig(H)
        no_bias = 2 / _eig(2 / n * X.T @ X).max()
        if np.isclose(got, no_bias, rtol=1e-6):
            return (
                "your bound ignores the bias: add a column of ones to X (A = [X, 1]) before "
                f"building the Hessian. {where}"
            )
        if np.isclose(got, 1 / lam.max(), rtol=1e-6):
            return (
                "your bound is half the right value: the condition |1 - lr*lambda| < 1 gives "
                f"lr < 2 / lambda_max, not 1 / lambda_max. {where}"
            )
        if np.isclose(got, lam.max(), rtol=1e-6):
            return f"you returned lambda_max itself; the bound is 2 / lambda_max. {where}"
        if np.isclose(got, 2 / lam.min(), rtol=1e-6):
            return (
                "you used the SMALLEST eigenvalue; the step must be stable along every "
                f"direction, so the LARGEST eigenvalue sets the bound. {where}"
            )
        if np.isclose(got, 2 / _eig(A.T @ A).max(), rtol=1e-6):
            return f"your Hessian misses the factor 2/n: H = (2/n) A^T A. {where}"
        if np.isclose(got, 2 / _eig(A.T @ A / n).max(), rtol=1e-6):
            return (
                "your Hessian misses the factor 2 from differentiating the square: "
                f"H = (2/n) A^T A. {where}"
            )
        if np.isclose(got, 2 / _eig(2 * A.T @ A).max(), rtol=1e-6):
            return (
                "your Hessian is n times too large: the loss is a MEAN, so H = (2/n) A^T A. "
                f"{where}"
            )
        return f"your bound {got:.6g} should be {expected:.6g}. {where}"
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
        new_p, new_v = out
        exp_p, exp_v = _torch_momentum(param, velocity, grad, lr, beta)
        damped = beta * velocity + (1 - beta) * grad
        if np.allclose(np.asarray(new_v, dtype=float), damped) and not np.allclose(damped, exp_v):
            return (
                "your velocity uses (1 - beta) * grad, the 'moving average' form (Adam's first "
                "moment uses it). torch.optim.SGD adds the full gradient: beta * velocity + grad."
            )
        problem = diagnose(new_v, exp_v, what="your new velocity")
        if problem:
            return problem
        try:
            old = np.allclose(np.asarray(new_p, dtype=float), param - lr * velocity)
        except (TypeError, ValueError):
            old = False
        if old:
            return (
                "your parameter step uses the OLD velocity; update the velocity first, then "
                "step with the new one: param - lr * new_velocity."
            )
        problem = diagnose(new_p, exp_p, what="your new parameter")
        if problem:
            try:
                uphill = np.allclose(np.asarray(new_p, dtype=float), param + lr * exp_v)
            except (TypeError, ValueError):
                uphill = False
            if uphill:
                return "your parameter moves UP the slope: subtract lr * velocity, do not add it."
            return problem
    return None
