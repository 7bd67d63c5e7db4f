"""Exercises of notebook 04: correct answers pass, typical mistakes get the right message."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import gdhelpers as gd


def _verdict(name, answer, capsys):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


# ------------------------------------------------------------------ 04.mse


def _mse(t1, t2):
    diff = t1 - t2
    return torch.sum(diff * diff) / diff.numel()


def test_mse_correct(capsys):
    ok, out = _verdict("04.mse", _mse, capsys)
    assert ok and "Correct!" in out


def test_mse_matches_gd_mse():
    a, b = torch.randn(5, 2), torch.randn(5, 2)
    assert torch.allclose(_mse(a, b), gd.mse(a, b))


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (lambda a, b: torch.sum((a - b) ** 2), r"times too large.*numel"),
        (lambda a, b: torch.sum((a - b) ** 2) / (a - b).shape[0], r"number of rows"),
        (lambda a, b: torch.sqrt(torch.mean((a - b) ** 2)), r"square root"),
        (lambda a, b: torch.mean((a - b).abs()), r"ABSOLUTE"),
        (lambda a, b: (a - b) ** 2, r"ONE number"),
        (
            lambda a, b: float(torch.mean((a.detach() - b) ** 2)),
            r"torch tensor.*plain Python float",
        ),
        (lambda a, b: torch.mean((a.detach() - b) ** 2), r"autograd"),
        (
            lambda a, b: 2 * torch.mean((a - b) ** 2),
            r"twice the expected value.*belongs to the gradient",
        ),
        (
            lambda a, b: torch.mean((a - b) ** 2) / 2,
            r"half the MSE \(the 1/2-MSE convention.*numel\(\) only",
        ),
        (lambda a, b: -torch.mean((a - b) ** 2), r"MSE is negative"),
        (lambda a, b: torch.sum(a - b) / (a - b).numel(), r"without squaring.*diff \* diff"),
        (lambda a, b: torch.sum(b - a) / (a - b).numel(), r"without squaring.*diff \* diff"),
        (lambda a, b: None, r"returned None.*return"),
    ],
)
def test_mse_mistakes(answer, pattern, capsys):
    ok, out = _verdict("04.mse", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out
    # nothing is differentiated in an MSE, and the order of a subtraction does not change a square
    assert "differentiating" not in out and "order of the subtraction" not in out, out


def _numpy_mse(a, b):
    return np.mean((a.detach().numpy() - b.numpy()) ** 2)


def _numpy_mse_array(a, b):
    return ((a.detach().numpy() - b.numpy()) ** 2).mean(keepdims=True)


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [(_numpy_mse, r"a NumPy number \(numpy\.float32\)"), (_numpy_mse_array, r"a NumPy array")],
)
def test_mse_numpy_result_is_named_numpy(answer, pattern, capsys):
    ok, out = _verdict("04.mse", answer, capsys)
    assert not ok
    assert re.search(r"should return a torch tensor", out), out
    assert re.search(pattern, out), out


def test_mse_wrong_value_message_ends_with_one_period(capsys):
    ok, out = _verdict("04.mse", lambda a, b: torch.mean((a - b) ** 2) + 1, capsys)
    assert not ok
    assert "wrong value" in out
    assert "(checked on tensors of shape (3, 4))." in out, out
    assert ". (checked" not in out and ".)" not in out, out


# ------------------------------------------------------------------ 04.gd_step


def _gd_step(w, b, lr):
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()


def test_gd_step_correct(capsys):
    ok, out = _verdict("04.gd_step", _gd_step, capsys)
    assert ok and "Correct!" in out


def _no_no_grad(w, b, lr):
    w -= lr * w.grad
    b -= lr * b.grad


def _rebind(w, b, lr):
    with torch.no_grad():
        w = w - lr * w.grad
        b = b - lr * b.grad


def _no_zero(w, b, lr):
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad


def _wrong_sign(w, b, lr):
    with torch.no_grad():
        w += lr * w.grad
        b += lr * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _zero_first(w, b, lr):
    w.grad.zero_()
    b.grad.zero_()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad


def _only_w(w, b, lr):
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    b.grad.zero_()


def _does_nothing(w, b, lr):
    pass


def _rebind_then_zero(w, b, lr):
    with torch.no_grad():
        w = w - lr * w.grad
        b = b - lr * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _rebind_b_then_zero(w, b, lr):
    with torch.no_grad():
        w -= lr * w.grad
        b = b - lr * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _twice(w, b, lr):
    with torch.no_grad():
        w -= 2 * lr * w.grad
        b -= 2 * lr * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _half(w, b, lr):
    with torch.no_grad():
        w -= lr / 2 * w.grad
        b -= lr / 2 * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _fixed_lr(w, b, lr):
    with torch.no_grad():
        w -= 1e-5 * w.grad
        b -= 1e-5 * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _fixed_lr_1e4(w, b, lr):
    with torch.no_grad():
        w -= 1e-4 * w.grad
        b -= 1e-4 * b.grad
    w.grad.zero_()
    b.grad.zero_()


def _no_lr(w, b, lr):
    with torch.no_grad():
        w -= w.grad
        b -= b.grad
    w.grad.zero_()
    b.grad.zero_()


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (_no_no_grad, r"torch\.no_grad"),
        (_rebind, r"IN PLACE"),
        (_does_nothing, r"did not change.*IN PLACE"),
        (_no_zero, r"zero_\(\)"),
        (_wrong_sign, r"WITH the gradient.*move against it, subtract lr \* w\.grad"),
        (_zero_first, r"BEFORE using them"),
        (_only_w, r"bias too"),
        (_fixed_lr, r"-1e-05 \* w\.grad.*lr = 0\.0001.*fixed number instead of `lr`"),
        (_fixed_lr_1e4, r"-0\.0001 \* w\.grad.*lr = 1e-05.*fixed number instead of `lr`"),
        (_no_lr, r"-w\.grad, the whole gradient.*w -= lr \* w\.grad"),
        (_twice, r"your step of w is twice -lr \* w\.grad"),
        (_half, r"your step of w is half -lr \* w\.grad"),
        (_rebind_then_zero, r"AttributeError.*caller's w did not change.*NEW tensor.*IN PLACE"),
        (_rebind_b_then_zero, r"AttributeError.*caller's b did not change.*`b = b - lr"),
    ],
)
def test_gd_step_mistakes(answer, pattern, capsys):
    ok, out = _verdict("04.gd_step", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out
    # a gradient step differentiates nothing; "order of the subtraction" does not say what to do
    assert "differentiating" not in out and "order of the subtraction" not in out, out
    assert "Read the message, fix the cell" not in out, out  # explained, not a raw error


# ------------------------------------------------------------------ 04.standardise


def test_standardise_correct(capsys):
    ok, out = _verdict("04.standardise", lambda x: (x - x.mean(dim=0)) / x.std(dim=0), capsys)
    assert ok and "Correct!" in out


def test_standardise_population_std_accepted(capsys):
    ok, _ = _verdict("04.standardise", lambda x: (x - x.mean(0)) / x.std(0, correction=0), capsys)
    assert ok


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (lambda x: (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True), r"ROW"),
        (lambda x: x / x.std(dim=0), r"forgot to subtract the mean"),
        (lambda x: x - x.mean(dim=0) / x.std(dim=0), r"divides before it subtracts.*brackets"),
        (
            lambda x: x - x.mean(dim=0) / x.std(dim=0, correction=0),
            r"divides before it subtracts.*brackets",
        ),
        (
            lambda x: ((x - x.mean(dim=0)) / x.std(dim=0)).numpy(),
            r"should return a torch tensor.*a NumPy array",
        ),
        (lambda x: ((x - x.mean(dim=0)) / x.std(dim=0)).tolist(), r"torch tensor.*a list"),
        (lambda x: x - x.mean(dim=0), r"forgot to divide"),
        (lambda x: (x - x.mean(dim=0)) / x.var(dim=0), r"variance"),
        (lambda x: ((x - x.mean(0)) / x.std(0), x.mean(0)), r"tuple"),
        (lambda x: x[:2], r"shape"),
        (lambda x: None, r"returned None.*return"),
    ],
)
def test_standardise_mistakes(answer, pattern, capsys):
    ok, out = _verdict("04.standardise", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out
