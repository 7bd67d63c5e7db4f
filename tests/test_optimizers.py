"""Tests of gdhelpers.optimizers against hand-written NumPy optimizers (independent reference)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdhelpers.history import History, full_batch_history
from gdhelpers.optimizers import run_optimizer


def _problem(seed: int = 0, n: int = 30, d: int = 2, k: int = 2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((k, d))
    Y = X @ W.T + 0.5 + 0.1 * rng.standard_normal((n, k))
    return X, Y


def _loss_grad(X, Y, w, b):
    r = X @ w.T + b - Y
    s = 2.0 / r.size
    return float(np.mean(r * r)), s * r.T @ X, s * r.sum(axis=0)


def _reference(X, Y, steps, update):
    """Run ``update(params, grads, state)`` on the flat parameter vector; return losses, ws, bs."""
    k, d = Y.shape[1], X.shape[1]
    w, b = np.zeros((k, d)), np.zeros(k)
    state: dict = {"t": 0}
    losses, ws, bs = [], [w.copy()], [b.copy()]
    for _ in range(steps):
        loss, gw, gb = _loss_grad(X, Y, w, b)
        losses.append(loss)
        state["t"] += 1
        w, b = update((w, b), (gw, gb), state)
        ws.append(w.copy())
        bs.append(b.copy())
    losses.append(_loss_grad(X, Y, w, b)[0])
    return np.array(losses), np.stack(ws), np.stack(bs)


def _gd(lr):
    def update(params, grads, state):
        return tuple(p - lr * g for p, g in zip(params, grads, strict=True))

    return update


def _heavy_ball(lr, mu):
    # PyTorch's form: v <- mu v + g (v = g at the first step), p <- p - lr v
    def update(params, grads, state):
        vs = state.setdefault("v", [np.zeros_like(p) for p in params])
        for i, g in enumerate(grads):
            vs[i] = g.copy() if state["t"] == 1 else mu * vs[i] + g
        return tuple(p - lr * v for p, v in zip(params, vs, strict=True))

    return update


def _adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    def update(params, grads, state):
        ms = state.setdefault("m", [np.zeros_like(p) for p in params])
        vs = state.setdefault("v", [np.zeros_like(p) for p in params])
        t = state["t"]
        out = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            ms[i] = b1 * ms[i] + (1 - b1) * g
            vs[i] = b2 * vs[i] + (1 - b2) * g * g
            m_hat = ms[i] / (1 - b1**t)
            v_hat = vs[i] / (1 - b2**t)
            out.append(p - lr * m_hat / (np.sqrt(v_hat) + eps))
        return tuple(out)

    return update


@pytest.mark.parametrize(
    ("optimizer", "lr", "options", "reference"),
    [
        ("sgd", 0.1, {}, _gd(0.1)),
        ("sgd", 0.05, {"momentum": 0.9}, _heavy_ball(0.05, 0.9)),
        ("adam", 0.1, {}, _adam(0.1)),
        ("adam", 0.3, {"betas": (0.8, 0.99)}, _adam(0.3, 0.8, 0.99)),
    ],
)
def test_matches_numpy_reference(optimizer, lr, options, reference):
    X, Y = _problem()
    run = run_optimizer(X, Y, optimizer=optimizer, lr=lr, steps=40, dtype=torch.float64, **options)
    losses, ws, bs = _reference(X, Y, 40, reference)
    np.testing.assert_allclose(run.loss, losses, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.weights, ws, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.biases, bs, rtol=1e-10, atol=1e-12)
    assert run.n_steps == 40 and not run.diverged
    assert run.final_loss == run.loss[-1]
    np.testing.assert_array_equal(run.final_weight, run.weights[-1])
    np.testing.assert_array_equal(run.final_bias, run.biases[-1])


def test_float32_close_to_float64_and_shapes():
    X, Y = _problem(k=1, d=1)
    r32 = run_optimizer(X, Y, lr=0.1, steps=20)
    r64 = run_optimizer(X, Y, lr=0.1, steps=20, dtype=torch.float64)
    assert r32.weights.dtype == np.float32 and r64.weights.dtype == np.float64
    assert r32.weights.shape == (21, 1, 1) and r32.biases.shape == (21, 1)
    np.testing.assert_allclose(r32.loss, r64.loss, rtol=1e-5)
    assert r32.path.shape == (21, 2)
    np.testing.assert_array_equal(r32.path[:, 0], r32.weights[:, 0, 0])


def test_start_values_and_1d_inputs():
    x = np.arange(-5, 5, 0.5)
    y = -5 * x
    run = run_optimizer(x, y, lr=0.01, steps=3, weight0=-10.0, bias0=-20.0, dtype=torch.float64)
    np.testing.assert_array_equal(run.path[0], [-10.0, -20.0])
    # first step against the closed-form gradient
    gw = np.mean(2 * (-10 * x - 20 - y) * x)
    gb = np.mean(2 * (-10 * x - 20 - y))
    np.testing.assert_allclose(run.path[1], [-10 - 0.01 * gw, -20 - 0.01 * gb], rtol=1e-12)


def test_steps_to_and_optimum():
    run = full_batch_history(
        label="x",
        lr=0.1,
        n_samples=3,
        loss=np.array([5.0, 2.0, 1.0, 0.6, 0.55]),
        weights=np.zeros((5, 1, 1)),
        biases=np.zeros((5, 1)),
        bound_fn=None,
    )
    assert isinstance(run, History) and not run.diverged
    np.testing.assert_array_equal(run.grad_evals, [0, 3, 6, 9, 12])
    np.testing.assert_array_equal(run.step_loss, [5.0, 2.0, 1.0, 0.6])
    assert run.steps_to(1.0) == 2
    assert run.steps_to(0.1, optimum=0.5) == 3
    assert run.steps_to(1e-3) is None
    assert run.n_steps == 4
    assert repr(run) == "History(x, batch, 4 steps, final loss 0.55)"


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _gd_losses_until_float32_overflow(X, Y, lr):
    """Independent closed form: full-batch GD on y = w x + b from (0, 0), as a matrix power.

    The error e = (w, b) - (w*, b*) evolves as e_t = (I - lr H)^t e_0, H = 2/n A^T A with
    A = [x, 1], and the loss is |A e_t|^2 / n (here the minimum is 0). Returns the losses up
    to the first one above the float32 maximum.
    """
    A = np.c_[X[:, 0], np.ones(len(X))]
    step = np.eye(2) - lr * 2 / len(X) * A.T @ A
    e = -np.linalg.lstsq(A, Y[:, 0], rcond=None)[0]  # start (0, 0) minus the minimum
    losses = [np.mean((A @ e) ** 2)]
    while losses[-1] <= FLOAT32_MAX:
        e = step @ e
        losses.append(np.mean((A @ e) ** 2))
    return np.array(losses)


def test_divergence_stop_raise_continue():
    X = np.arange(1.0, 5.0).reshape(-1, 1)
    Y = 2 * X
    stop = run_optimizer(X, Y, lr=0.5, steps=400)
    assert stop.diverged and not np.isfinite(stop.loss[-1])
    reference = _gd_losses_until_float32_overflow(X, Y, 0.5)
    # the last finite loss fits in float32 even summed before the mean (4 squares), and the
    # first overflow is far above the limit: the same step whatever the float32 rounding
    assert 4 * reference[-2] < FLOAT32_MAX and reference[-1] > 10 * FLOAT32_MAX
    assert len(stop.loss) == len(stop.weights) == len(stop.biases) == len(reference) == 23
    np.testing.assert_allclose(stop.loss[:-1], reference[:-1], rtol=1e-5)
    assert "diverged" in repr(stop)
    with pytest.raises(FloatingPointError, match=r"lr=0\.5"):
        run_optimizer(X, Y, lr=0.5, steps=400, on_divergence="raise")
    cont = run_optimizer(X, Y, lr=0.5, steps=400, on_divergence="continue")
    assert cont.diverged and cont.n_steps == 400
    # finishes non-finite exactly at the last state
    short = run_optimizer(X, Y, lr=0.5, steps=stop.n_steps, on_divergence="continue")
    assert short.diverged
    with pytest.raises(FloatingPointError):
        run_optimizer(X, Y, lr=0.5, steps=stop.n_steps, on_divergence="raise")


def test_callable_optimizer_and_label():
    X, Y = _problem(k=1)
    run = run_optimizer(X, Y, optimizer=torch.optim.NAdam, lr=0.05, steps=5)
    assert run.label.startswith("NAdam(lr=0.05") and run.method == "batch"
    run = run_optimizer(X, Y, lr=0.05, steps=5, label="plain GD")
    assert run.label == "plain GD"
    run = run_optimizer(X, Y, lr=0.05, steps=5, momentum=0.9, nesterov=True)
    assert run.label == "SGD(lr=0.05, momentum=0.9, nesterov=True)"


def test_path_needs_one_feature():
    X, Y = _problem(k=2, d=2)
    run = run_optimizer(X, Y, lr=0.05, steps=2)
    with pytest.raises(ValueError, match="one feature"):
        _ = run.path


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": 0.1, "steps": -1}, ValueError, "steps"),
        ({"lr": 0.1, "optimizer": "lbfgs"}, ValueError, "optimizer"),
        ({"lr": 0.1, "optimizer": 3}, TypeError, "optimizer"),
        ({"lr": 0.1, "on_divergence": "ignore"}, ValueError, "on_divergence"),
        ({"lr": 0.1, "dtype": torch.int64}, TypeError, "dtype"),
        ({"lr": 0.1, "weight0": np.zeros(3)}, ValueError, "weight0"),
    ],
)
def test_validation(kwargs, error, match):
    X, Y = _problem(k=1, d=2)
    kwargs.setdefault("steps", 2)
    with pytest.raises(error, match=match):
        run_optimizer(X, Y, **kwargs)


def test_mismatched_samples():
    with pytest.raises(ValueError, match="same number of samples"):
        run_optimizer(np.zeros((3, 1)), np.zeros((4, 1)), lr=0.1, steps=1)
