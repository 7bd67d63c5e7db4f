"""Exercises of notebook 04 (several inputs, several outputs: linear regression with autograd).

* ``04.mse``: the mean squared error of two tensors as ``sum(diff**2) / numel``.
* ``04.gd_step``: one gradient-descent step on ``w`` and ``b`` in place, under ``torch.no_grad()``.
* ``04.standardise``: scale every input column to mean 0 and standard deviation 1.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from ..losses import _mean_square, _residual
from ._core import diagnose, exercise, not_a_function

__all__: list[str] = []


def _to_float(value: Any) -> float | None:
    """The single number in ``value`` (tensor, array or number), or None."""
    try:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.size != 1:
        return None
    return float(arr.reshape(()))


def _kind(value: Any) -> str:
    """How to name the type of a value that is not a torch tensor, for a beginner."""
    if isinstance(value, np.ndarray):
        return f"a NumPy array (numpy.ndarray of {value.dtype})"
    if isinstance(value, np.generic):
        return f"a NumPy number (numpy.{type(value).__name__})"
    if isinstance(value, bool | int | float):
        return f"a plain Python {type(value).__name__}"
    return f"a {type(value).__name__}"


# ------------------------------------------------------------------------------ 04.mse

_CROPS_X = [[73, 67, 43], [91, 88, 64], [87, 134, 58], [102, 43, 37], [69, 96, 70]]
_CROPS_Y = [[56, 70], [81, 101], [119, 133], [22, 37], [103, 119]]


def _mse_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(4)
    targets = torch.tensor(_CROPS_Y, dtype=torch.float32)
    # (3, 4) first: there "divided by the rows" (factor 4) and "twice the MSE" differ
    return [
        (torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g)),
        (targets + torch.randn(5, 2, generator=g) * 10, targets),
        (torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([2.0, 4.0, 6.0, 8.0])),
    ]


def _mse_reference(t1, t2):
    """Mean squared error of two tensors of the same shape: sum of squares over numel."""
    diff = t1 - t2
    return torch.sum(diff * diff) / diff.numel()


@exercise(
    "04.mse",
    hint=(
        "Subtract the tensors, square the difference element by element (diff * diff), "
        "add everything up with torch.sum, and divide by the number of elements, diff.numel()."
    ),
    solution=_mse_reference,
)
def _check_mse(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for t1, t2 in _mse_cases():
        p = t1.clone().requires_grad_(True)
        got = answer(p, t2.clone())
        expected = float(_mse_reference(t1, t2))
        if got is None:
            return "your function returned None: did you forget the `return` statement?"
        if not isinstance(got, torch.Tensor):
            return (
                "your function should return a torch tensor (so that .backward() works); it "
                f"returned {_kind(got)} instead. Use torch operations (torch.sum) on the "
                "tensors, not NumPy, Python's sum or .item()."
            )
        g = _to_float(got)
        if g is None:
            return (
                f"your MSE should be ONE number (a tensor with one element); got shape "
                f"{tuple(got.shape)} instead. Add up all elements with torch.sum(...)."
            )
        diff = (t1 - t2).double()
        rows = diff.shape[0] if diff.dim() > 1 else 1
        if np.isclose(g, expected * diff.numel()) and diff.numel() > 1:
            return (
                f"your MSE is {diff.numel()} times too large: divide the sum of squares by the "
                "number of elements, diff.numel()."
            )
        if diff.dim() > 1 and np.isclose(g, expected * diff.numel() / rows):
            return (
                f"you divided by the number of rows ({rows}); the mean runs over ALL "
                f"{diff.numel()} elements, so divide by diff.numel()."
            )
        if np.isclose(g, np.sqrt(expected)) and not np.isclose(g, expected):
            return "you took a square root: that is the RMSE. The MSE has no square root."
        if np.isclose(g, float(torch.mean(diff.abs()))) and not np.isclose(g, expected):
            return "you averaged |diff| (the mean ABSOLUTE error); square the differences instead."
        if np.isclose(abs(g), abs(float(torch.mean(diff)))) and not np.isclose(g, expected):
            return (
                "you averaged the differences without squaring them: did you forget to square "
                "them? Add up diff * diff, not diff."
            )
        if g < 0 < expected:
            return (
                f"your MSE is negative ({g:.6g}), but a sum of squares divided by numel never "
                "is: square the differences (diff * diff) and add them up with torch.sum."
            )
        if np.isclose(g, 0.5 * expected):
            return (
                "you computed half the MSE (the 1/2-MSE convention that notebook 01 mentions); "
                "here divide the sum of squares by diff.numel() only."
            )
        if np.isclose(g, 2 * expected):
            return (
                "your MSE is twice the expected value: divide the sum of squares by "
                "diff.numel() and multiply by nothing (the factor 2 belongs to the gradient, "
                "not to the loss)."
            )
        problem = diagnose(g, expected, what="your MSE", n=diff.numel(), factor_two=None)
        if problem:
            return f"{problem.rstrip('.')} (checked on tensors of shape {tuple(t1.shape)})."
        if not got.requires_grad:
            return (
                "your result is disconnected from autograd (no grad_fn): compute it with "
                "torch operations on the tensors, without .detach(), .item() or NumPy."
            )
    return None


# --------------------------------------------------------------------------- 04.gd_step


def _gd_step_reference(w, b, lr):
    """One gradient-descent step in place; w.grad and b.grad must already hold the gradient."""
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _prepared(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Leaf tensors w (2, 3), b (2,) whose .grad holds the crops MSE gradient."""
    g = torch.Generator().manual_seed(seed)
    x = torch.tensor(_CROPS_X, dtype=torch.float32)
    y = torch.tensor(_CROPS_Y, dtype=torch.float32)
    w = torch.randn(2, 3, generator=g).requires_grad_(True)
    b = torch.randn(2, generator=g).requires_grad_(True)
    _mean_square(_residual(x, w, b, y)).backward()
    return w, b


@exercise(
    "04.gd_step",
    hint=(
        "Inside `with torch.no_grad():` write `w -= lr * w.grad` and the same for b (in place: "
        "`w = w - ...` would only rebind the name inside your function). Then reset the "
        "gradients with w.grad.zero_() and b.grad.zero_()."
    ),
    solution=_gd_step_reference,
)
def _check_gd_step(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for seed, lr in ((0, 1e-5), (1, 1e-4), (2, 3e-6)):
        w, b = _prepared(seed)
        w0, b0 = w.detach().clone(), b.detach().clone()
        gw, gb = w.grad.clone(), b.grad.clone()
        try:
            answer(w, b, lr)
        except RuntimeError as err:
            if "leaf Variable" in str(err) or "in-place" in str(err):
                return (
                    "PyTorch refused the in-place update of a tensor that requires grad: do the "
                    "update inside a `with torch.no_grad():` block."
                )
            raise
        except AttributeError as err:
            # `w = w - lr * w.grad` makes a new tensor without .grad; its .grad.zero_() fails
            rebound = [n for n, t, t0 in (("w", w, w0), ("b", b, b0)) if torch.equal(t, t0)]
            if "NoneType" in str(err) and "zero_" in str(err) and rebound:
                name = rebound[0]
                return (
                    f"your code raised AttributeError: {err}. The caller's {name} did not "
                    f"change: `{name} = {name} - lr * {name}.grad` creates a NEW tensor, which "
                    "has no .grad (hence the error), and only rebinds the name inside your "
                    f"function. Update {name} IN PLACE instead, inside `with torch.no_grad():` "
                    f"({name} -= lr * {name}.grad)."
                )
            raise
        if not (isinstance(w, torch.Tensor) and w.requires_grad and w.is_leaf):
            return "w must stay a leaf tensor with requires_grad=True; update it in place."
        unchanged = torch.equal(w.detach(), w0) and torch.equal(b.detach(), b0)
        zeroed = w.grad is not None and b.grad is not None
        zeroed = zeroed and not torch.any(w.grad) and not torch.any(b.grad)
        if unchanged and zeroed:
            return (
                "w and b did not change but the gradients are zero: you reset the gradients "
                "BEFORE using them. Take the step first, then call .grad.zero_()."
            )
        if unchanged:
            return (
                "w and b did not change. Update them IN PLACE, inside `with torch.no_grad():` "
                "(w -= lr * w.grad); note that `w = w - lr * w.grad` would only create a new "
                "tensor inside your function and leave the caller's w alone."
            )
        if torch.equal(w.detach(), w0):
            return "b changed but w did not: update both."
        if torch.equal(b.detach(), b0):
            return "w changed but b did not: update the bias too."
        for name, new, old, grad in (("w", w, w0, gw), ("b", b, b0, gb)):
            step = (new.detach() - old).double()
            right = -lr * grad.double()
            close = functools.partial(torch.allclose, rtol=1e-3, atol=1e-9)
            if close(step, -right):
                return (
                    f"{name} moved WITH the gradient, so the loss grows: move against it, "
                    f"subtract lr * {name}.grad ({name} -= lr * {name}.grad)."
                )
            if close(step, 2 * right) or close(step, 0.5 * right):
                size = "twice" if close(step, 2 * right) else "half"
                return (
                    f"your step of {name} is {size} -lr * {name}.grad: subtract lr * {name}.grad "
                    f"once, with no extra factor (checked with lr = {lr:g})."
                )
            used = float(-(step * grad.double()).sum() / (grad.double() ** 2).sum())
            fixed = not np.isclose(used, lr, rtol=1e-3) and close(step, -used * grad.double())
            if fixed and np.isclose(used, 1, rtol=1e-3):
                return (
                    f"your step of {name} is -{name}.grad, the whole gradient: multiply it by "
                    f"the learning rate, {name} -= lr * {name}.grad."
                )
            if fixed and used > 0:
                return (
                    f"your step of {name} is -{used:.3g} * {name}.grad, but this call passed "
                    f"lr = {lr:g}: did you write a fixed number instead of `lr`? Use the "
                    f"argument: {name} -= lr * {name}.grad."
                )
            problem = diagnose(
                step, right, what=f"the change of {name}", rtol=1e-3, atol=1e-9, factor_two=None
            )
            if problem:
                return f"{problem} The step is -lr * {name}.grad (checked with lr = {lr:g})."
        for name, t in (("w", w), ("b", b)):
            if t.grad is None:
                return (
                    f"{name}.grad is None: zero the gradient with {name}.grad.zero_() instead of "
                    "deleting it."
                )
            if torch.count_nonzero(t.grad) > 0:
                return (
                    f"{name}.grad is not zero after your step: call {name}.grad.zero_(), "
                    "otherwise the next backward() ADDS the new gradient to the old one."
                )
    return None


# ----------------------------------------------------------------------- 04.standardise


def _standardise_reference(x):
    """Each column minus its mean, divided by its standard deviation."""
    return (x - x.mean(dim=0)) / x.std(dim=0)


def _standardise_cases() -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(5)
    return [
        torch.tensor(_CROPS_X, dtype=torch.float32),
        torch.randn(8, 2, generator=g) * torch.tensor([3.0, 0.5]) + torch.tensor([10.0, -4.0]),
        torch.rand(6, 4, generator=g) * 100,
    ]


@exercise(
    "04.standardise",
    hint=(
        "Work column by column (dim=0): subtract x.mean(dim=0), then divide by x.std(dim=0). "
        "Broadcasting applies the (3,) mean and std to every row of the (5, 3) tensor."
    ),
    solution=_standardise_reference,
)
def _check_standardise(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x in _standardise_cases():
        got = answer(x.clone())
        if got is None:
            return "your function returned None: did you forget the `return` statement?"
        if isinstance(got, tuple):
            return "return only the standardised tensor, not a tuple."
        if not isinstance(got, torch.Tensor):
            return (
                f"your function should return a torch tensor; it returned {_kind(got)} instead. "
                "Use the tensor methods x.mean(dim=0) and x.std(dim=0), not NumPy."
            )
        g = got.detach().double().numpy()
        xd = x.double().numpy()
        if g.shape != xd.shape:
            return f"the result has shape {g.shape}; it should keep the shape of x, {xd.shape}."
        if not np.all(np.isfinite(g)):
            return "the result contains NaN or infinity: did you divide by zero?"
        col_mean = g.mean(axis=0)
        row_mean = g.mean(axis=1)
        if np.allclose(row_mean, 0, atol=1e-4) and not np.allclose(col_mean, 0, atol=1e-4):
            return (
                "you standardised each ROW (one sample); standardise each COLUMN (one input "
                "feature) with dim=0."
            )
        if not np.allclose(col_mean, 0, atol=1e-4):
            for ddof in (1, 0):
                if np.allclose(g, xd - xd.mean(axis=0) / xd.std(axis=0, ddof=ddof), rtol=1e-4):
                    return (
                        "Python divides before it subtracts: x - x.mean(dim=0) / x.std(dim=0) "
                        "subtracts mean / std from x. Put brackets around the subtraction: "
                        "(x - x.mean(dim=0)) / x.std(dim=0)."
                    )
            if np.allclose(g * xd.std(axis=0, ddof=1), xd, rtol=1e-4, atol=1e-3) or np.allclose(
                g * xd.std(axis=0), xd, rtol=1e-4, atol=1e-3
            ):
                return "you divided by the standard deviation but forgot to subtract the mean."
            return (
                "each column of the result should have mean 0; subtract x.mean(dim=0) first "
                f"(column means are {np.round(col_mean, 3).tolist()})."
            )
        sd1, sd0 = g.std(axis=0, ddof=1), g.std(axis=0)
        if not (np.allclose(sd1, 1, atol=1e-4) or np.allclose(sd0, 1, atol=1e-4)):
            if np.allclose(g, xd - xd.mean(axis=0), rtol=1e-4, atol=1e-3):
                return "you subtracted the mean but forgot to divide by the standard deviation."
            if np.allclose(g, (xd - xd.mean(axis=0)) / xd.var(axis=0, ddof=1), rtol=1e-3):
                return "you divided by the variance; divide by the standard deviation (its root)."
            return (
                "each column of the result should have standard deviation 1; divide by "
                f"x.std(dim=0) (yours are {np.round(sd1, 3).tolist()})."
            )
    return None
