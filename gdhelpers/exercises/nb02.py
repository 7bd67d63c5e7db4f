"""Exercises of notebook 02 (autograd).

* ``02.autograd_gradient``: dL/dw of the MSE of ``f(x) = w * x`` computed with ``backward()``.
* ``02.train_step``: one gradient descent step on a ``requires_grad`` tensor, in place,
  leaving the gradient at zero for the next step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..losses import _mean_square
from ._core import diagnose_cases, exercise, not_a_function

__all__: list[str] = []

_CASES = [
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], 0.0),
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], 1.5),
    ([0.5, -1.0, 2.0], [1.0, 0.0, -3.0], -0.7),
    ([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], [2.0, 6.0, 5.0, 3.0, 5.0, 8.0], 0.25),
]

# train_step: (x, y, starting w, learning rate); the lr changes between cases, so an lr
# written into the function instead of the argument is caught
_STEP_CASES = [
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], 0.0, 0.01),
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], 1.5, 0.01),
    ([0.5, -1.0, 2.0], [1.0, 0.0, -3.0], -0.7, 0.1),
    ([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], [2.0, 6.0, 5.0, 3.0, 5.0, 8.0], 0.25, 0.02),
]


def _tensors(x, y):
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def _not_a_number(value: Any) -> str | None:
    """What ``value`` is when it is text, a Python container or a bool instead of a number."""
    if isinstance(value, str | bytes):
        return "a string"
    if isinstance(value, list | tuple | dict | set):
        return f"{'an' if type(value).__name__[0] in 'aeiou' else 'a'} {type(value).__name__}"
    if isinstance(value, bool | np.bool_):
        return f"the truth value {bool(value)}"
    return None


def _as_float(value: Any) -> float | None:
    """One number as a float, or None when ``value`` is not a single number."""
    if value is None or _not_a_number(value):  # np.asarray would turn None into NaN, "3" into 3
        return None
    try:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        return None
    return float(arr.reshape(())) if arr.size == 1 else None


_GRAD_FILLED = (
    "PyTorch fills w.grad only when you call loss.backward() on a loss computed from this w."
)

_NO_REQUIRES_GRAD = (
    "loss.backward() failed because the loss has no computation graph: create w with "
    "torch.tensor(float(w), requires_grad=True) and compute the loss from it (outside "
    "torch.no_grad())."
)


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
    got, expected, losses = [], [], []
    returned_tensor = False
    for x, y, w in _CASES:
        xt, yt = _tensors(x, y)
        try:
            value = answer(xt.clone(), yt.clone(), w)
        except AttributeError as err:
            if "'NoneType' object has no attribute 'item'" in str(err):
                return f"w.grad.item() failed because w.grad is None: {_GRAD_FILLED}"
            raise
        except RuntimeError as err:
            if "does not require grad" in str(err):
                return _NO_REQUIRES_GRAD
            raise
        if value is None:
            return (
                "your function returned None. If that was w.grad, it is None because "
                f"{_GRAD_FILLED} Return the gradient as a number, w.grad.item()."
            )
        if isinstance(value, torch.Tensor):
            returned_tensor = True
        if kind := _not_a_number(value):
            return (
                f"your function should return one number (the gradient dL/dw), not {kind} "
                f"(you returned {value!r}): return w.grad.item() itself."
            )
        if _as_float(value) is None:
            return (
                "your function should return one number (the gradient dL/dw); "
                f"got {type(value).__name__} instead."
            )
        got.append(_as_float(value))
        xa, ya = np.array(x), np.array(y)
        expected.append(float(np.mean(2 * xa * (w * xa - ya))))
        losses.append(_mean_square(w * xa - ya))
    if np.allclose(got, losses, rtol=1e-4, atol=1e-4) and not np.allclose(
        got, expected, rtol=1e-4, atol=1e-4
    ):
        return "you returned the loss; return its gradient, w.grad.item(), after loss.backward()."
    if np.allclose(got, -np.asarray(expected), rtol=1e-4, atol=1e-4):
        # the checker passes no case with a zero gradient, so -expected is never expected
        return (
            "your gradient has the wrong sign. It does not come from the order of the "
            "subtraction: (w*x - y)**2 and (y - w*x)**2 are the same loss, and autograd gives "
            "the same gradient for both. It comes from a minus you added: return w.grad itself "
            "(w.grad.item()); the minus sign belongs in the update step, w -= lr * w.grad."
        )
    problem = diagnose_cases(
        got,
        expected,
        what="your gradient",
        where=[f"checked at w = {w} with x = {x}" for x, _, w in _CASES],
        n=[len(x) for x, _, _ in _CASES],
        # autograd differentiates the square itself: a factor 2 or 1/2 was put in the loss
        factor_two="the loss is mean((w*x - y)**2), with no factor 2 or 1/2 in front",
        rtol=1e-4,
        atol=1e-4,
    )
    if problem is None and returned_tensor:
        return (
            "your gradient has the right value, but your function returns a tensor; "
            "return it as a Python float: w.grad.item()."
        )
    return problem


def _train_step_reference(w, x, y, lr):
    """One gradient descent step on w (a requires_grad tensor), in place; returns the loss."""
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    return loss.item()


def _zero_of_none_message(w: torch.Tensor, before: float) -> str:
    """The learner's ``w.grad.zero_()`` met a gradient that is None: say which mistake did it."""
    if w.grad is not None and w.item() == before:
        # backward() filled the gradient of the w we passed in, but that w did not move
        return (
            "w.grad.zero_() failed because w.grad is None: `w = w - lr * w.grad` made a NEW "
            "tensor named w, which has no gradient, and the w you were given did not change. "
            "Update it IN PLACE inside torch.no_grad(), w -= lr * w.grad; then w.grad.zero_() "
            "works."
        )
    if w.grad is None:
        return (
            "w.grad.zero_() failed because w.grad is None: PyTorch fills w.grad only when you "
            "call loss.backward(), and the loss must be computed from the w you were given."
        )
    return (
        "w.grad.zero_() failed because the w in your code has no gradient (w.grad is None): "
        "change the w you were given in place, w -= lr * w.grad, instead of making a new w."
    )


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
    for x, y, w0, lr in _STEP_CASES:
        xt, yt = _tensors(x, y)
        w = torch.tensor(w0, requires_grad=True)
        ref = torch.tensor(w0, requires_grad=True)
        case = f"(x = {x}, starting at w = {w0}, lr = {lr}.)"
        for step in range(1, 4):
            before, ref_before = w.item(), ref.item()
            try:
                got_loss = answer(w, xt, yt, lr)
            except AttributeError as err:
                if "NoneType" in str(err) and "zero_" in str(err):
                    return _zero_of_none_message(w, before)
                raise
            except RuntimeError as err:
                if "leaf Variable that requires grad" in str(err):
                    return (
                        "PyTorch refused the in-place update of w, a leaf tensor that requires "
                        "grad, outside torch.no_grad(): write the update inside "
                        "`with torch.no_grad():`, as w -= lr * w.grad."
                    )
                if "does not require grad" in str(err):
                    return (
                        "loss.backward() failed because the loss has no computation graph: "
                        "compute the loss from the w you were given, outside torch.no_grad() "
                        "(only the update goes inside it)."
                    )
                raise
            ref_loss = _train_step_reference(ref, xt, yt, lr)
            if not isinstance(w, torch.Tensor) or not w.requires_grad or not w.is_leaf:
                return (
                    "w must stay a leaf tensor with requires_grad=True: "
                    "update it inside torch.no_grad()."
                )
            moved, ref_moved = w.item() - before, ref.item() - ref_before
            if moved == 0.0 and ref_moved != 0.0:
                if w.grad is not None and float(w.grad.abs().max()) == 0.0:
                    return (
                        "w did not change and w.grad is 0: you called w.grad.zero_() BEFORE the "
                        "update, so the step used a zero gradient. Update w first "
                        "(w -= lr * w.grad), then call w.grad.zero_()."
                    )
                return (
                    "w did not change. Update it IN PLACE (w -= lr * w.grad) inside "
                    "torch.no_grad(); `w = w - ...` only makes a new local tensor."
                )
            if w.grad is not None and float(w.grad.abs().max()) != 0.0:
                return (
                    f"after step {step} w.grad is {w.grad.item():.4g}, not 0: call w.grad.zero_() "
                    "after the update, otherwise the next backward() ADDS to the old gradient."
                )
            g = _as_float(got_loss)
            if not np.isclose(moved, ref_moved, rtol=1e-5, atol=1e-7):
                if np.isclose(moved, -ref_moved, rtol=1e-5, atol=1e-7):
                    return (
                        f"in step {step} w moved the wrong way: a gradient step goes AGAINST "
                        f"the gradient, w -= lr * w.grad. {case}"
                    )
                if lr != 0.01 and np.isclose(moved, ref_moved * 0.01 / lr, rtol=1e-5, atol=1e-7):
                    return (
                        f"in step {step} w moved by {moved:.6g}: that is a step with lr = 0.01, "
                        f"but this call passed lr = {lr}. Use the argument lr, not a number "
                        f"written into your function. {case}"
                    )
                n = len(x)
                if (
                    np.isclose(moved, n * ref_moved, rtol=1e-5, atol=1e-7)
                    and g is not None
                    and np.isclose(g, n * ref_loss, rtol=1e-5, atol=1e-7)
                ):
                    return (
                        f"your loss is {n} times too large, and so is the step: you summed the "
                        f"squared errors of the {n} samples; take their mean, .mean(). {case}"
                    )
                return (
                    f"in step {step} w moved by {moved:.6g}, but a step of -lr * w.grad moves it "
                    f"by {ref_moved:.6g}: use the lr you are given and the gradient of the mean "
                    f"squared error. {case}"
                )
            if g is None:
                if kind := _not_a_number(got_loss):
                    return f"return the loss as one number, e.g. loss.item(), not {kind}."
                return "return the loss as one number, e.g. loss.item()."
            if not np.isclose(g, ref_loss, rtol=1e-5, atol=1e-7):
                after = _mean_square(w.item() * np.array(x) - np.array(y))
                if np.isclose(g, after, rtol=1e-4, atol=1e-6):
                    return (
                        f"you returned {g:.6g} at step {step}: that is the loss AFTER the update. "
                        f"Return the loss BEFORE the update, {ref_loss:.6g}, the one you computed "
                        "in the forward pass."
                    )
                return (
                    f"you returned {g:.6g} at step {step}, but the loss before the update was "
                    f"{ref_loss:.6g}: return loss.item() of the forward pass."
                )
            if isinstance(got_loss, torch.Tensor):
                return (
                    "your loss has the right value, but your function returns a tensor; return "
                    "it as a Python float, loss.item(). (A loss tensor keeps its whole "
                    "computation graph alive: a loop that collects such losses keeps every "
                    "epoch's graph in memory.)"
                )
    return None
