"""Checkers of notebook 03's exercises: right answers pass, typical mistakes are named."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch import nn

import gdhelpers as gd


def train_linear(model, X, Y, lr, n_iters):
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_iters):
        loss = loss_fn(model(X), Y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def train_no_zero_grad(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_iters):
        loss = nn.MSELoss()(model(X), Y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_no_step(model, X, Y, lr, n_iters):
    return [nn.MSELoss()(model(X), Y).item() for _ in range(n_iters)]


def train_short_list(model, X, Y, lr, n_iters):
    return train_linear(model, X, Y, lr, n_iters)[:-1]


def train_wrong_lr(model, X, Y, lr, n_iters):
    return train_linear(model, X, Y, lr / 2, n_iters)


def train_losses_after_update(model, X, Y, lr, n_iters):
    train_linear(model, X, Y, lr, n_iters)
    return [nn.MSELoss()(model(X), Y).item()] * n_iters


def train_zero_grad_before_step(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_iters):
        loss = nn.MSELoss()(model(X), Y)
        loss.backward()
        optimizer.zero_grad()  # erases the gradients before the update
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_new_model(model, X, Y, lr, n_iters):
    model = nn.Linear(1, 1)  # a new model: the one given stays untrained
    return train_linear(model, X, Y, lr, n_iters)


def train_model_to_optimizer(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD(model, lr=lr)  # the model where its parameters are expected
    return train_with(optimizer, model, X, Y, n_iters)


def train_list_with_model(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD([model], lr=lr)  # a list holding the model, not its tensors
    return train_with(optimizer, model, X, Y, n_iters)


def train_parameters_uncalled(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD(model.parameters, lr=lr)  # the method, not its result
    return train_with(optimizer, model, X, Y, n_iters)


def train_unpacks_model(model, X, Y, lr, n_iters):
    w, b = model  # the model treated as a list of tensors [w, b], as in notebook 02
    optimizer = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for _ in range(n_iters):
        loss = nn.MSELoss()(X * w + b, Y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def train_weight_only(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD([model.weight], lr=lr)  # a list of tensors without the bias
    return train_with(optimizer, model, X, Y, n_iters)


def train_returns_loss_tensors(model, X, Y, lr, n_iters):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(n_iters):
        loss = nn.MSELoss()(model(X), Y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss)  # the tensor, not loss.item()
    return losses


def train_returns_tensor(model, X, Y, lr, n_iters):
    return torch.tensor(train_linear(model, X, Y, lr, n_iters))


def train_returns_model(model, X, Y, lr, n_iters):
    train_linear(model, X, Y, lr, n_iters)
    return model


def train_with(optimizer, model, X, Y, n_iters):
    losses = []
    for _ in range(n_iters):
        loss = nn.MSELoss()(model(X), Y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def least_squares_line(x, y):
    xc, yc = x - x.mean(), y - y.mean()
    w = np.sum(xc * yc) / np.sum(xc**2)
    return w, y.mean() - w * x.mean()


def test_train_linear_correct(capsys):
    assert gd.check("03.train_linear", train_linear) is True
    assert "Correct!" in capsys.readouterr().out


def test_train_linear_keeps_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    gd.check("03.train_linear", train_linear)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (train_no_zero_grad, r"accumulate.*zero_grad"),
        (train_no_step, r"did not change.*optimizer\.step"),
        (train_short_list, r"returned 4 losses for 5 iterations"),
        (train_wrong_lr, r"the trained \[w, b\] does not match the expected values"),
        (train_losses_after_update, r"your list of losses does not match .* before the update"),
        (lambda *args: None, r"returned None"),
        (lambda *args: "abc", r"list of numbers"),
        (lambda *args: [0.0] * 5, r"did not change: build the optimizer on model\.parameters"),
        (
            train_zero_grad_before_step,
            r"did not change.*zero_grad\(\) does not run between loss\.backward\(\) and "
            r"optimizer\.step\(\): it erases the gradients before the update",
        ),
        (train_new_model, r"you trained another model\. Train the model you were given"),
        (train_model_to_optimizer, r"needs the model's parameters, not the model"),
        (train_list_with_model, r"needs the model's parameters, not the model"),
        (train_parameters_uncalled, r"model\.parameters is a method: call it"),
        (train_unpacks_model, r"`model` is an nn\.Linear, not a list of tensors \[w, b\]"),
        (train_weight_only, r"the bias did not change: give the optimizer all"),
        (train_returns_loss_tensors, r"list holds tensors, not numbers: append loss\.item\(\)"),
        (train_returns_tensor, r"returned a tensor: return a Python list of numbers"),
        (train_returns_model, r"returned the model: return a Python list of numbers"),
    ],
)
def test_train_linear_mistakes(capsys, answer, words):
    assert gd.check("03.train_linear", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out, re.S), out


def test_least_squares_line_correct(capsys):
    assert gd.check("03.least_squares_line", least_squares_line) is True
    assert "Correct!" in capsys.readouterr().out


def least_squares_line_float32_torch(x, y):
    x, y = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    xc, yc = x - x.mean(), y - y.mean()
    w = (xc * yc).sum() / (xc**2).sum()
    return w, y.mean() - w * x.mean()


@pytest.mark.parametrize(
    "answer",
    [
        least_squares_line_float32_torch,  # the right formula, rounded to float32
        lambda x, y: least_squares_line(x.astype(np.float32), y.astype(np.float32)),
        lambda x, y: tuple(np.polyfit(x, y, 1)),
    ],
)
def test_least_squares_line_right_formula_in_other_forms(capsys, answer):
    assert gd.check("03.least_squares_line", answer) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda x, y: (np.sum(x * y) / np.sum(x**2), 0.0), r"THROUGH THE ORIGIN"),
        (lambda x, y: least_squares_line(x, y)[::-1], r"return the slope first"),
        (lambda x, y: (2.0, 0.0), r"your \(w, b\) does not match the expected values"),
        (
            lambda x, y: tuple(2 * v for v in least_squares_line(x, y)),
            r"your \(w, b\) is off by a factor of 2 \(twice the expected value\)\. \(x = ",
        ),
        (lambda x, y: 2.0, r"return two numbers"),
    ],
)
def test_least_squares_line_mistakes(capsys, answer, words):
    assert gd.check("03.least_squares_line", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out), out
    assert "differentiating the square" not in out
