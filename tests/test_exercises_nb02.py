"""Checkers of notebook 02's exercises: right answers pass, typical mistakes are named."""

from __future__ import annotations

import re

import pytest
import torch

import gdhelpers as gd


def autograd_gradient(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    ((w * x - y) ** 2).mean().backward()
    return w.grad.item()


def train_step(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    return loss.item()


def step_without_zero(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    return loss.item()


def step_rebinding(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w = w - lr * w.grad
    return loss.item()


def step_loss_after_update(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    return ((w * x - y) ** 2).mean().item()


def step_wrong_lr(w, x, y, lr):
    return train_step(w, x, y, 4 * lr)


def test_autograd_gradient_correct(capsys):
    assert gd.check("02.autograd_gradient", autograd_gradient) is True
    assert "Correct!" in capsys.readouterr().out


def test_autograd_gradient_tensor_result_accepted(capsys):
    def as_tensor(x, y, w):
        w = torch.tensor(float(w), requires_grad=True)
        ((w * x - y) ** 2).mean().backward()
        return w.grad

    assert gd.check("02.autograd_gradient", as_tensor) is True


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda x, y, w: 4 * autograd_gradient(x, y, w), r"4 times too large"),
        (lambda x, y, w: -autograd_gradient(x, y, w), r"wrong sign"),
        (lambda x, y, w: None, r"returned None"),
        (lambda x, y, w: [1.0, 2.0], r"one number"),
        (lambda x, y, w: -30.0, r"checked at w = 1.5"),
    ],
)
def test_autograd_gradient_mistakes(capsys, answer, words):
    assert gd.check("02.autograd_gradient", answer) is False
    assert re.search(words, capsys.readouterr().out)


def test_train_step_correct(capsys):
    assert gd.check("02.train_step", train_step) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (step_without_zero, r"not 0: call w\.grad\.zero_\(\)"),
        (step_rebinding, r"w did not change.*IN PLACE"),
        (step_loss_after_update, r"loss BEFORE the update"),
        (step_wrong_lr, r"w after step 1"),
    ],
)
def test_train_step_mistakes(capsys, answer, words):
    assert gd.check("02.train_step", answer) is False
    assert re.search(words, capsys.readouterr().out, re.S)
