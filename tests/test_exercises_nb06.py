"""Exercises of notebook 06: right answers pass, typical mistakes get the right explanation."""

from __future__ import annotations

import numpy as np
import pytest

import gdhelpers as gd


def _verdict(capsys, name, answer):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


# ---------------------------------------------------------------- 06.stability_bound


def bound_right(X):
    n = X.shape[0]
    A = np.hstack([X, np.ones((n, 1))])
    return 2 / np.linalg.eigvalsh(2 / n * A.T @ A).max()


def bound_via_svd(X):
    # a different, equally right way: lambda_max(2/n A^T A) = 2/n * sigma_max(A)**2
    A = np.column_stack([X, np.ones(len(X))])
    return len(X) / np.linalg.norm(A, 2) ** 2


def bound_no_bias(X):
    return 2 / np.linalg.eigvalsh(2 / len(X) * X.T @ X).max()


def bound_one_over(X):
    return bound_right(X) / 2


def bound_lambda(X):
    return 2 / bound_right(X)


def bound_min_eig(X):
    n = X.shape[0]
    A = np.hstack([X, np.ones((n, 1))])
    return 2 / np.linalg.eigvalsh(2 / n * A.T @ A).min()


def bound_no_2_over_n(X):
    A = np.hstack([X, np.ones((len(X), 1))])
    return 2 / np.linalg.eigvalsh(A.T @ A).max()


def bound_no_2(X):
    A = np.hstack([X, np.ones((len(X), 1))])
    return 2 / np.linalg.eigvalsh(A.T @ A / len(X)).max()


def bound_sum(X):
    A = np.hstack([X, np.ones((len(X), 1))])
    return 2 / np.linalg.eigvalsh(2 * A.T @ A).max()


def bound_all_eigs(X):
    A = np.hstack([X, np.ones((len(X), 1))])
    return 2 / np.linalg.eigvalsh(2 / len(X) * A.T @ A)


@pytest.mark.parametrize("answer", [bound_right, bound_via_svd])
def test_stability_bound_right(capsys, answer):
    ok, out = _verdict(capsys, "06.stability_bound", answer)
    assert ok and "Correct!" in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (bound_no_bias, "ignores the bias"),
        (bound_one_over, "half the right value"),
        (bound_lambda, "lambda_max itself"),
        (bound_min_eig, "SMALLEST eigenvalue"),
        (bound_no_2_over_n, "misses the factor 2/n"),
        (bound_no_2, "factor 2 from differentiating"),
        (bound_sum, "n times too large"),
        (bound_all_eigs, "ONE number"),
        (lambda X: 0.12, "should be"),
        (lambda X: None, "return"),
    ],
)
def test_stability_bound_mistakes(capsys, answer, words):
    ok, out = _verdict(capsys, "06.stability_bound", answer)
    assert not ok
    assert words in out
    assert "Traceback" not in out


# ---------------------------------------------------------------- 06.momentum_step


def momentum_right(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return param - lr * velocity, velocity


def momentum_inplace(param, velocity, grad, lr, beta):
    velocity *= beta
    velocity += grad
    param -= lr * velocity
    return param, velocity


def momentum_damped(param, velocity, grad, lr, beta):
    velocity = beta * velocity + (1 - beta) * grad
    return param - lr * velocity, velocity


def momentum_old_velocity(param, velocity, grad, lr, beta):
    new_velocity = beta * velocity + grad
    return param - lr * velocity, new_velocity


def momentum_uphill(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return param + lr * velocity, velocity


def momentum_param_only(param, velocity, grad, lr, beta):
    return param - lr * (beta * velocity + grad)


def momentum_swapped(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return velocity, param - lr * velocity


def momentum_no_memory(param, velocity, grad, lr, beta):
    return param - lr * grad, grad


@pytest.mark.parametrize("answer", [momentum_right, momentum_inplace])
def test_momentum_right(capsys, answer):
    ok, out = _verdict(capsys, "06.momentum_step", answer)
    assert ok and "Correct!" in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (momentum_damped, "(1 - beta) * grad"),
        (momentum_old_velocity, "OLD velocity"),
        (momentum_uphill, "moves UP the slope"),
        (momentum_param_only, "return two things"),
        (momentum_swapped, "your new velocity"),
        (momentum_no_memory, "your new velocity"),
    ],
)
def test_momentum_mistakes(capsys, answer, words):
    ok, out = _verdict(capsys, "06.momentum_step", answer)
    assert not ok
    assert words in out


# ---------------------------------------------------------------- both


def test_not_callable_message(capsys):
    _, out = _verdict(capsys, "06.stability_bound", 0.12)
    assert "should be a function" in out


def test_reference_solutions_pass(capsys):
    from gdhelpers.exercises import nb06

    assert gd.check("06.stability_bound", nb06._stability_bound_reference)
    assert gd.check("06.momentum_step", nb06._momentum_step_reference)


def test_bound_as_tensor_is_accepted(capsys):
    import torch

    ok, out = _verdict(capsys, "06.stability_bound", lambda X: torch.tensor(bound_right(X)))
    assert ok, out


def test_momentum_other_mistakes(capsys):
    def double_step(param, velocity, grad, lr, beta):
        velocity = beta * velocity + grad
        return param - 2 * lr * velocity, velocity

    def param_text(param, velocity, grad, lr, beta):
        return "param", beta * velocity + grad

    ok, out = _verdict(capsys, "06.momentum_step", double_step)
    assert not ok and "your new parameter" in out
    ok, out = _verdict(capsys, "06.momentum_step", param_text)
    assert not ok and "your new parameter should be a number" in out
