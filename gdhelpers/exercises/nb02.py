"""Exercises of notebook 02 (autograd).

* ``02.autograd_gradient``: dL/dw of the MSE of ``f(x) = w * x`` computed with ``backward()``.
* ``02.train_step``: one gradient descent step on a ``requires_grad`` tensor, in place,
  leaving the gradient at zero for the next step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._core import diagnose, exercise, not_a_function

__all__: list[str] = []

_CASES = [
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], 0.0),
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], 1.5),
    ([0.5, -1.0, 2.0], [1.0, 0.0, -3.0], -0.7),
    ([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], [2.0, 6.0, 5.0, 3.0, 5.0, 8.0], 0.25),
]


def _tensors(x, y):
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def _as_float(value: Any) -> float | None:
    """One number as a float, or None when ``value`` is not a single number."""
    try:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        return None
    return float(arr.reshape(())) if arr.size == 1 else None


def _autograd_gradient_reference(x, y, w):
    """dL/dw of L = mean((w*x - y)**2) at w, computed by autograd; returns a float."""
    w = torch.tensor(float(w), requires_grad=True)
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    return w.grad.item()


@exercise(
    "02.autograd_gradient",
    hint=(
        "Make w a tensor with requires_grad=True, compute the loss ((w*x - y)**2).mean(), "
        "call loss.backward() and return w.grad.item()."
    ),
    solution=_autograd_gradient_reference,
)
def _check_autograd_gradient(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x, y, w in _CASES:
        xt, yt = _tensors(x, y)
        got = answer(xt.clone(), yt.clone(), w)
        if got is None:
            return "your function returned None: return the gradient, e.g. w.grad.item()."
        g = _as_float(got)
        if g is None:
            return (
                "your function should return one number (the gradient dL/dw); "
                f"got {type(got).__name__} instead."
            )
        expected = float(np.mean(2 * np.array(x) * (w * np.array(x) - np.array(y))))
        problem = diagnose(g, expected, what="your gradient", n=len(x), rtol=1e-4, atol=1e-4)
        if problem:
            return f"{problem} (checked at w = {w} with x = {x}.)"
    return None


def _train_step_reference(w, x, y, lr):
    """One gradient descent step on w (a requires_grad tensor), in place; returns the loss."""
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    return loss.item()


@exercise(
    "02.train_step",
    hint=(
        "Forward (loss), loss.backward(), then inside `with torch.no_grad():` update w IN PLACE "
        "with w -= lr * w.grad, then w.grad.zero_(). Return loss.item()."
    ),
    solution=_train_step_reference,
)
def _check_train_step(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x, y, w0 in _CASES:
        xt, yt = _tensors(x, y)
        lr = 0.01
        w = torch.tensor(w0, requires_grad=True)
        ref = torch.tensor(w0, requires_grad=True)
        for step in range(1, 4):
            got_loss = answer(w, xt, yt, lr)
            ref_loss = _train_step_reference(ref, xt, yt, lr)
            if not isinstance(w, torch.Tensor) or not w.requires_grad or not w.is_leaf:
                return (
                    "w must stay a leaf tensor with requires_grad=True: "
                    "update it inside torch.no_grad()."
                )
            if w.item() == w0 and step == 1 and ref.item() != w0:
                return (
                    "w did not change. Update it IN PLACE (w -= lr * w.grad) inside "
                    "torch.no_grad(); `w = w - ...` only makes a new local tensor."
                )
            if w.grad is not None and float(w.grad.abs().max()) != 0.0:
                return (
                    f"after step {step} w.grad is {w.grad.item():.4g}, not 0: call w.grad.zero_() "
                    "after the update, otherwise the next backward() ADDS to the old gradient."
                )
            problem = diagnose(
                w.item(), ref.item(), what=f"w after step {step}", rtol=1e-5, atol=1e-6
            )
            if problem:
                return f"{problem} (x = {x}, starting at w = {w0}, lr = {lr}.)"
            g = _as_float(got_loss)
            if g is None:
                return "return the loss as one number, e.g. loss.item()."
            if not np.isclose(g, ref_loss, rtol=1e-5, atol=1e-7):
                return (
                    f"you returned {g:.6g} at step {step}, but the loss BEFORE the update "
                    f"was {ref_loss:.6g}: return the loss you computed in the forward pass."
                )
    return None
