"""Checkers of notebook 02's exercises: right answers pass, typical mistakes are named.

The learner's right answers below use autograd, as the exercises ask. They are checked against
references that do not: the original tutorial's printed trace (seed 000, PyTorch part), the
closed form of the gradient, and a central difference of the loss; and the checkers must accept
answers computed those ways and refuse one a little off.
"""

from __future__ import annotations

import re

import pytest
import torch

import gdhelpers as gd
from tests.test_seed_traces import SEED000_TORCH


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


def fd_gradient(x, y, w):
    """dL/dw by a central difference of the loss in float64: no autograd, no formula."""
    x, y, h = x.double(), y.double(), 1e-3

    def loss(v):
        return ((v * x - y) ** 2).mean().item()

    return (loss(w + h) - loss(w - h)) / (2 * h)


def closed_form_step(w, x, y, lr):
    """One step with the derivative written out, dL/dw = mean(2 x (w x - y)); no backward()."""
    with torch.no_grad():
        error = w * x - y
        loss = (error**2).mean()
        w -= lr * (2 * x * error).mean()
    return loss.item()


def test_train_step_replays_the_original_tutorials_trace():
    x = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
    w = torch.tensor([0.0], dtype=torch.float32, requires_grad=True)
    lines = []
    for epoch in range(100):
        loss = train_step(w, x, 2 * x, 0.01)
        if epoch % 10 == 0:
            lines.append(f"epoch {epoch + 1}: w = {w.item():.3f}, loss = {loss:.8f}")
    # the original tutorial's printout (seed 000, PyTorch part: lr 0.01, every tenth epoch)
    _, *epochs, after = SEED000_TORCH.splitlines()
    assert lines == epochs
    assert after == f"Prediction after training: f(5) = {(w * 5).item():.3f}"


def test_the_gradients_agree_with_the_closed_form_on_the_notebooks_data():
    # x = 1, 2, 3, 4 and y = 2x: L(w) = 7.5 (w - 2)**2, so dL/dw = 15 (w - 2)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    for w in (0.0, 1.5, -0.7):
        assert autograd_gradient(x, 2 * x, w) == pytest.approx(15 * (w - 2), rel=1e-6)
        assert fd_gradient(x, 2 * x, w) == pytest.approx(15 * (w - 2), rel=1e-10)


@pytest.mark.parametrize(
    ("name", "answer"),
    [("02.autograd_gradient", fd_gradient), ("02.train_step", closed_form_step)],
    ids=["finite-difference", "closed-form"],
)
def test_an_answer_computed_without_autograd_is_correct(capsys, name, answer):
    assert gd.check(name, answer) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "answer", "words"),
    [
        (
            "02.autograd_gradient",
            lambda x, y, w: fd_gradient(x, y, w) * (1 + 1e-3),
            "your gradient has a wrong value",
        ),
        (
            "02.train_step",
            lambda w, x, y, lr: closed_form_step(w, x, y, lr * (1 + 1e-3)),
            "in step 1 w moved by",
        ),
        (
            "02.train_step",
            lambda w, x, y, lr: closed_form_step(w, x, y, lr) * (1 + 1e-3),
            "but the loss before the update was",
        ),
    ],
    ids=["gradient", "step", "loss"],
)
def test_an_answer_off_by_one_part_in_a_thousand_is_not_correct(capsys, name, answer, words):
    """The checkers allow 1e-4 or less (float32 data); ten times that is a wrong answer."""
    assert gd.check(name, answer) is False
    assert words in capsys.readouterr().out


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


def step_zero_first(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    w.grad.zero_()  # too early: the update below uses a zero gradient
    with torch.no_grad():
        w -= lr * w.grad
    return loss.item()


def step_wrong_lr(w, x, y, lr):
    return train_step(w, x, y, 4 * lr)


def step_fixed_lr(w, x, y, lr):
    return train_step(w, x, y, 0.01)  # the notebook's lr written in, the argument ignored


def step_rebinding_then_zero(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w = w - lr * w.grad  # a new tensor named w, without a gradient
    w.grad.zero_()  # AttributeError: w.grad is None
    return loss.item()


def step_without_backward(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    w.grad.zero_()  # AttributeError: no backward() yet, w.grad is None
    return loss.item()


def step_loss_as_text(w, x, y, lr):
    return f"{train_step(w, x, y, lr):.4f}"


def test_autograd_gradient_correct(capsys):
    assert gd.check("02.autograd_gradient", autograd_gradient) is True
    assert "Correct!" in capsys.readouterr().out


def test_autograd_gradient_tensor_result_named(capsys):
    # the exercise asks for a Python float: the right value as a tensor is named, not accepted
    def as_tensor(x, y, w):
        w = torch.tensor(float(w), requires_grad=True)
        ((w * x - y) ** 2).mean().backward()
        return w.grad

    assert gd.check("02.autograd_gradient", as_tensor) is False
    out = capsys.readouterr().out
    assert "right value, but your function returns a tensor" in out
    assert "w.grad.item()" in out


def test_autograd_gradient_order_of_the_subtraction_does_not_matter(capsys):
    def swapped(x, y, w):
        w = torch.tensor(float(w), requires_grad=True)
        ((y - w * x) ** 2).mean().backward()
        return w.grad.item()

    assert gd.check("02.autograd_gradient", swapped) is True


def gradient_without_backward_item(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    ((w * x - y) ** 2).mean()  # no backward(): w.grad stays None
    return w.grad.item()


def gradient_without_backward(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    ((w * x - y) ** 2).mean()
    return w.grad  # None


def gradient_without_requires_grad(x, y, w):
    w = torch.tensor(float(w))
    loss = ((w * x - y) ** 2).mean()
    loss.backward()  # RuntimeError: the loss has no graph
    return w.grad.item()


def negated_gradient(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    ((w * x - y) ** 2).mean().backward()
    return -w.grad.item()  # the minus of the update step, put in the wrong place


def gradient_of_sum(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    ((w * x - y) ** 2).sum().backward()  # .sum() where the loss is a mean
    return w.grad.item()


def gradient_of_half_mse(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    (0.5 * ((w * x - y) ** 2).mean()).backward()  # the 1/2-MSE convention of other texts
    return w.grad.item()


def returns_the_loss(x, y, w):
    w = torch.tensor(float(w), requires_grad=True)
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    return loss.item()


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            gradient_of_sum,
            r"your gradient is n times too large, n the number of samples \(4 times with 4 "
            r"samples, 3 times with 3, 6 times with 6\): you summed over the samples",
        ),
        (
            gradient_of_half_mse,
            r"your gradient is off by a factor of 0\.5: the loss is mean\(\(w\*x - y\)\*\*2\), "
            r"with no factor 2 or 1/2 in front\.",
        ),
        (
            negated_gradient,
            r"your gradient has the wrong sign\. It does not come from the order of the "
            r"subtraction.*return w\.grad itself \(w\.grad\.item\(\)\); the minus sign belongs "
            r"in the update step, w -= lr \* w\.grad\.",
        ),
        (
            gradient_without_backward_item,
            r"w\.grad\.item\(\) failed because w\.grad is None: PyTorch fills w\.grad only when "
            r"you call loss\.backward\(\) on a loss computed from this w\.",
        ),
        (
            gradient_without_backward,
            r"your function returned None\. If that was w\.grad, it is None because PyTorch "
            r"fills w\.grad only when you call loss\.backward\(\)",
        ),
        (
            gradient_without_requires_grad,
            r"loss\.backward\(\) failed because the loss has no computation graph: create w "
            r"with torch\.tensor\(float\(w\), requires_grad=True\)",
        ),
        (returns_the_loss, r"you returned the loss; return its gradient"),
        (lambda x, y, w: None, r"your function returned None"),
        (lambda x, y, w: [1.0, 2.0], r"should return one number"),
        (
            lambda x, y, w: f"{autograd_gradient(x, y, w)}",  # the right number, as text
            r"should return one number \(the gradient dL/dw\), not a string \(you returned "
            r"'-30\.0'\): return w\.grad\.item\(\) itself\.",
        ),
        (
            lambda x, y, w: [autograd_gradient(x, y, w)],  # the right number, in a list
            r"should return one number \(the gradient dL/dw\), not a list \(you returned "
            r"\[-30\.0\]\)",
        ),
        (
            lambda x, y, w: (autograd_gradient(x, y, w),),
            r"should return one number \(the gradient dL/dw\), not a tuple",
        ),
        (
            lambda x, y, w: -30.0,  # 4 times the right value at w = 1.5, by coincidence
            r"your gradient has a wrong value: expected -7\.5, got -30 \(checked at w = 1\.5 ",
        ),
        (
            lambda x, y, w: 4 * autograd_gradient(x, y, w),  # 4 is no sample count of every case
            r"your gradient has a wrong value: expected -30, got -120 \(checked at w = 0\.0 ",
        ),
    ],
)
def test_autograd_gradient_mistakes(capsys, answer, words):
    assert gd.check("02.autograd_gradient", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out, re.S), out
    assert "your code raised" not in out


def test_train_step_correct(capsys):
    assert gd.check("02.train_step", train_step) is True
    assert "Correct!" in capsys.readouterr().out


def step_sum_loss(w, x, y, lr):
    loss = ((w * x - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    return loss.item()


def step_uphill(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w += lr * w.grad
    w.grad.zero_()
    return loss.item()


def step_outside_no_grad(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    w -= lr * w.grad  # RuntimeError: in-place change of a leaf that requires grad
    w.grad.zero_()
    return loss.item()


def step_everything_in_no_grad(w, x, y, lr):
    with torch.no_grad():
        loss = ((w * x - y) ** 2).mean()  # no graph recorded
        loss.backward()
        w -= lr * w.grad
    w.grad.zero_()
    return loss.item()


def step_returns_loss_tensor(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
    return loss  # the tensor, with its graph


def step_grad_set_to_none(w, x, y, lr):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad = None  # what optimizer.zero_grad() does by default
    return loss.item()


def test_train_step_grad_set_to_none_accepted(capsys):
    assert gd.check("02.train_step", step_grad_set_to_none) is True


def step_returns_garbage(w, x, y, lr):
    train_step(w, x, y, lr)
    return 1.0


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (step_without_zero, r"after step 1 w\.grad is .*, not 0: call w\.grad\.zero_\(\) after"),
        (step_rebinding, r"w did not change\. Update it IN PLACE .*new local tensor"),
        (
            step_zero_first,
            r"w did not change and w\.grad is 0: you called w\.grad\.zero_\(\) BEFORE the update",
        ),
        (
            step_loss_after_update,
            r"you returned 21\.675 at step 1: that is the loss AFTER the update\. Return the loss "
            r"BEFORE the update, 30,",
        ),
        (
            step_wrong_lr,
            r"in step 1 w moved by 1\.2, but a step of -lr \* w\.grad moves it by 0\.3: use the lr",
        ),
        (
            step_sum_loss,
            r"your loss is 4 times too large, and so is the step: you summed the squared errors",
        ),
        (step_uphill, r"in step 1 w moved the wrong way: a gradient step goes AGAINST"),
        (
            step_returns_garbage,
            r"you returned 1 at step 1, but the loss before the update was 30: "
            r"return loss\.item\(\)",
        ),
        (lambda w, x, y, lr: train_step(w, x, y, lr) and None, r"return the loss as one number"),
        (
            step_fixed_lr,
            r"in step 1 w moved by -0\.0121667: that is a step with lr = 0\.01, but this call "
            r"passed lr = 0\.1\. Use the argument lr, not a number written into your function\.",
        ),
        (
            step_rebinding_then_zero,
            r"w\.grad\.zero_\(\) failed because w\.grad is None: `w = w - lr \* w\.grad` made "
            r"a NEW tensor named w, .* the w you were given did not change\. Update it IN PLACE",
        ),
        (
            step_without_backward,
            r"w\.grad\.zero_\(\) failed because w\.grad is None: PyTorch fills w\.grad only "
            r"when you call loss\.backward\(\)",
        ),
        (
            step_outside_no_grad,
            r"PyTorch refused the in-place update of w, a leaf tensor that requires grad, "
            r"outside torch\.no_grad\(\): write the update inside `with torch\.no_grad\(\):`",
        ),
        (
            step_everything_in_no_grad,
            r"loss\.backward\(\) failed because the loss has no computation graph: compute the "
            r"loss from the w you were given, outside torch\.no_grad\(\)",
        ),
        (
            step_returns_loss_tensor,
            r"your loss has the right value, but your function returns a tensor; return it as "
            r"a Python float, loss\.item\(\)",
        ),
        (
            step_loss_as_text,
            r"return the loss as one number, e\.g\. loss\.item\(\), not a string\.",
        ),
    ],
)
def test_train_step_mistakes(capsys, answer, words):
    assert gd.check("02.train_step", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out, re.S), out
    assert "your code raised" not in out


def test_train_step_zero_before_update_is_not_called_rebinding(capsys):
    assert gd.check("02.train_step", step_zero_first) is False
    out = capsys.readouterr().out
    assert "new local tensor" not in out
    assert "BEFORE the update" in out


def test_reference_solutions_pass(capsys):
    from gdhelpers.exercises import nb02

    assert gd.check("02.autograd_gradient", nb02._autograd_gradient_reference)
    assert gd.check("02.train_step", nb02._train_step_reference)


def test_train_step_must_keep_w_trainable(capsys):
    def detaches(w, x, y, lr):
        loss = train_step(w, x, y, lr)
        w.requires_grad_(False)
        return loss

    assert gd.check("02.train_step", detaches) is False
    assert "w must stay a leaf tensor with requires_grad=True" in capsys.readouterr().out


def test_train_step_rebinding_then_zero_gives_no_raw_attribute_error(capsys):
    assert gd.check("02.train_step", step_rebinding_then_zero) is False
    out = capsys.readouterr().out
    assert "AttributeError" not in out and "NoneType" not in out


def test_train_step_cases_use_more_than_one_learning_rate():
    from gdhelpers.exercises import nb02

    assert len({lr for *_, lr in nb02._STEP_CASES}) > 1
