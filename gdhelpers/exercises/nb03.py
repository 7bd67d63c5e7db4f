"""Exercises of notebook 03 (the PyTorch training pipeline).

* ``03.train_linear``: the training loop with ``nn.MSELoss`` and ``torch.optim.SGD``, on the
  model it is given (a new ``nn.Linear`` inside the function, the model passed to the optimizer
  in place of its parameters, loss tensors in place of numbers: each gets its own message).
* ``03.least_squares_line``: the exact best line ``y = w x + b`` (the closed form that
  certifies a gradient descent run).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from ._core import diagnose, exercise, not_a_function

__all__: list[str] = []


def _train_linear_reference(model, X, Y, lr, n_iters):
    """Train ``model`` in place with MSELoss and SGD; return the list of the n_iters losses."""
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_iters):
        y_pred = model(X)
        loss = loss_fn(y_pred, Y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def _model(weight: float, bias: float) -> nn.Linear:
    with torch.random.fork_rng(devices=[]):  # do not disturb the learner's random numbers
        model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(weight)
        model.bias.fill_(bias)
    return model


def _params(model: nn.Linear) -> np.ndarray:
    return np.array([model.weight.item(), model.bias.item()])


_TRAIN_CASES = [
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], -0.5, 0.3, 0.06, 5),
    ([0.5, -1.0, 2.0], [1.0, 0.0, -3.0], 0.2, -0.1, 0.1, 7),
]


def _call_train(answer: Any, model: nn.Linear, X, Y, lr, n_iters) -> tuple[Any, str | None]:
    """Run the learner's function; a TypeError that shows a typical mistake becomes a sentence."""
    try:
        return answer(model, X, Y, lr, n_iters), None
    except TypeError as err:
        text = str(err)
        if "'method' object is not iterable" in text:
            return None, (
                "model.parameters is a method: call it, torch.optim.SGD(model.parameters(), lr=lr)."
            )
        if "'Linear' object is not iterable" in text or "params is torch.nn" in text:
            return None, (
                "torch.optim.SGD needs the model's parameters, not the model: "
                "torch.optim.SGD(model.parameters(), lr=lr)."
            )
        if "non-iterable Linear" in text:
            return None, (
                "`model` is an nn.Linear, not a list of tensors [w, b]: call model(X) for the "
                "prediction and give the optimizer model.parameters()."
            )
        raise


def _losses_problem(got: Any, n_iters: int) -> tuple[np.ndarray | None, str | None]:
    """The returned losses as float64, or the sentence saying why they are not a list of numbers."""
    if got is None:
        return None, "your function returned None: return the list of losses, one per iteration."
    if isinstance(got, torch.Tensor | nn.Module):
        what = "a tensor" if isinstance(got, torch.Tensor) else "the model"
        return None, (
            f"your function returned {what}: return a Python list of numbers, "
            "loss.item() of each iteration."
        )
    if isinstance(got, str | bytes | dict | set):
        return None, "return a list of numbers (loss.item() of each iteration)."
    try:
        items = list(got)
    except TypeError:
        return None, "return a list of numbers (loss.item() of each iteration)."
    if any(isinstance(v, torch.Tensor | nn.Module) for v in items):
        return None, (
            "your list holds tensors, not numbers: append loss.item(), the plain number. "
            "A loss tensor keeps its whole computation graph in memory."
        )
    try:
        got_arr = np.array([float(v) for v in items], dtype=np.float64)
    except (TypeError, ValueError):
        return None, "return a list of numbers (loss.item() of each iteration)."
    if len(got_arr) != n_iters:
        return None, (
            f"you returned {len(got_arr)} losses for {n_iters} iterations; "
            "append one per iteration."
        )
    return got_arr, None


@exercise(
    "03.train_linear",
    hint=(
        "Build loss_fn = nn.MSELoss() and optimizer = torch.optim.SGD(model.parameters(), lr=lr). "
        "Each iteration: y_pred = model(X); loss = loss_fn(y_pred, Y); loss.backward(); "
        "optimizer.step(); optimizer.zero_grad(); keep loss.item() in a list."
    ),
    solution=_train_linear_reference,
)
def _check_train_linear(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x, y, w0, b0, lr, n_iters in _TRAIN_CASES:
        X = torch.tensor(x).view(-1, 1)
        Y = torch.tensor(y).view(-1, 1)
        model, ref = _model(w0, b0), _model(w0, b0)
        got, problem = _call_train(answer, model, X, Y, lr, n_iters)
        if problem:
            return problem
        expected = _train_linear_reference(ref, X, Y, lr, n_iters)
        got_arr, problem = _losses_problem(got, n_iters)
        if problem:
            return problem
        if np.allclose(_params(model), [w0, b0]):
            if not np.allclose(got_arr, got_arr[0], rtol=1e-4, atol=1e-6):  # the losses change
                return (
                    "the model you were given did not change, but your losses did: you trained "
                    "another model. Train the model you were given (the argument `model`): "
                    "do not create a new nn.Linear inside the function."
                )
            return (
                "the model's parameters did not change: build the optimizer on "
                "model.parameters() and call optimizer.step() after loss.backward(). If you "
                "do, check that optimizer.zero_grad() does not run between loss.backward() "
                "and optimizer.step(): it erases the gradients before the update."
            )
        if np.isclose(model.bias.item(), b0) and not np.isclose(_params(ref)[1], b0):
            return (
                "the bias did not change: give the optimizer all of the model's parameters, "
                "torch.optim.SGD(model.parameters(), lr=lr)."
            )
        no_zero = _model(w0, b0)
        opt = torch.optim.SGD(no_zero.parameters(), lr=lr)
        for _ in range(n_iters):
            nn.MSELoss()(no_zero(X), Y).backward()
            opt.step()
        if not np.allclose(_params(model), _params(ref), rtol=1e-4, atol=1e-5) and np.allclose(
            _params(model), _params(no_zero), rtol=1e-4, atol=1e-5
        ):
            return (
                "the gradients accumulate: call optimizer.zero_grad() in every iteration "
                "(after optimizer.step(), or before loss.backward())."
            )
        problem = diagnose(
            _params(model),
            _params(ref),
            what="the trained [w, b]",
            rtol=1e-4,
            atol=1e-5,
            factor_two=None,
        )
        if problem:
            return f"{problem} (X = {x}, lr = {lr}, {n_iters} iterations.)"
        problem = diagnose(
            got_arr,
            np.array(expected),
            what="your list of losses",
            rtol=1e-4,
            atol=1e-6,
            factor_two=None,
        )
        if problem:
            return f"{problem} Record loss.item() of each iteration, before the update."
    return None


def _least_squares_line_reference(x, y):
    """The (w, b) minimising mean((w*x + b - y)**2).

    w = cov(x, y) / var(x) and b = mean(y) - w * mean(x).
    """
    x_mean, y_mean = np.mean(x), np.mean(y)
    w = np.sum((x - x_mean) * (y - y_mean)) / np.sum((x - x_mean) ** 2)
    b = y_mean - w * x_mean
    return w, b


_LINE_CASES = [
    (np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])),
    (np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 5.5, 6.5, 9.0])),
    (np.array([-2.0, 0.5, 1.0, 3.0, 4.5]), np.array([1.0, -0.5, 0.0, -2.0, -2.5])),
]


@exercise(
    "03.least_squares_line",
    hint=(
        "Center the data first: xc = x - x.mean(), yc = y - y.mean(). Then "
        "w = sum(xc*yc) / sum(xc**2) and b = y.mean() - w * x.mean()."
    ),
    solution=_least_squares_line_reference,
)
def _check_least_squares_line(answer: Any) -> str | None:
    if problem := not_a_function(answer):
        return problem
    for x, y in _LINE_CASES:
        got = answer(x.copy(), y.copy())
        try:
            w, b = (float(np.asarray(v, dtype=np.float64).reshape(())) for v in got)
        except (TypeError, ValueError):
            return "return two numbers, the slope and the intercept: `return w, b`."
        w_ref, b_ref = _least_squares_line_reference(x, y)
        if np.isclose(w, np.sum(x * y) / np.sum(x**2)) and not np.isclose(w, w_ref):
            return (
                "your slope is sum(x*y)/sum(x**2), the best line THROUGH THE ORIGIN. With a bias, "
                "center x and y (subtract their means) before that formula."
            )
        if np.isclose(w, b_ref) and np.isclose(b, w_ref) and not np.isclose(w, w_ref):
            return "you returned (b, w); return the slope first: `return w, b`."
        problem = diagnose(
            np.array([w, b]),
            np.array([w_ref, b_ref]),
            what="your (w, b)",
            rtol=1e-5,  # a right formula computed in float32 (e.g. with torch) passes
            atol=1e-6,
            factor_two=None,
        )
        if problem:
            return f"{problem} (x = {x.tolist()}, y = {y.tolist()}.)"
    return None
