"""One result type (issue 17, item 9): every training loop returns a frozen gd.History."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import gdhelpers as gd

X4, Y4 = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])


def test_fit_linear_and_run_optimizer_give_the_same_record_of_the_same_run():
    """Full-batch GD with plain SGD is the same run: the same fields, with the same meaning."""
    fit = gd.fit_linear(X4, Y4, lr=0.01, epochs=6)
    opt = gd.run_optimizer(X4, Y4, optimizer="sgd", lr=0.01, steps=6, dtype=torch.float64)
    for run in (fit, opt):
        assert type(run) is gd.History and run.method == "batch" and run.batch_size == 4
        assert run.n_steps == 6 and run.world_size == 1 and run.ranks_agree
        np.testing.assert_array_equal(run.steps, np.arange(7))
        np.testing.assert_array_equal(run.grad_evals, 4 * np.arange(7))  # 4 samples a step
        np.testing.assert_array_equal(run.epoch_steps, np.arange(7))
        np.testing.assert_array_equal(run.epoch_grad_evals, 4 * np.arange(7))
        assert run.shard_size == 4 and run.path.shape == (7, 2)
    np.testing.assert_allclose(opt.weights, fit.weights, rtol=1e-12)
    np.testing.assert_allclose(opt.loss, fit.loss, rtol=1e-12)
    np.testing.assert_allclose(opt.epoch_loss, fit.epoch_loss, rtol=1e-12)
    np.testing.assert_allclose(opt.step_loss, fit.step_loss, rtol=1e-12)
    assert opt.final_loss == pytest.approx(fit.final_loss, rel=1e-12)
    assert opt.steps_to(15.0) == fit.steps_to(15.0) == 2  # losses 30, 20.8, 14.5, ...
    assert opt.steps_to(0.5, optimum=14.0) == fit.steps_to(0.5, optimum=14.0) == 2
    assert opt.stability_bound == fit.stability_bound == gd.lr_stability_bound(X4)
    assert fit.label == "GD(lr=0.01, batch_size=4)" and opt.label == "SGD(lr=0.01)"


def test_the_record_is_frozen_and_its_arrays_read_only():
    hist = gd.fit_linear(X4, Y4, lr=0.01, epochs=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hist.lr = 1.0
    for name in ("weights", "biases", "loss", "step_loss", "epoch_loss", "grad_evals", "steps"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(hist, name)[0] = 0
    # the cached bound still works on a frozen record: 2 / L, L the largest eigenvalue of the
    # MSE's Hessian (2/n) A^T A with A = [X, 1], computed here independently
    A = np.c_[np.asarray(X4, float).reshape(len(X4), -1), np.ones(len(X4))]
    L = 2 / len(A) * np.linalg.eigvalsh(A.T @ A).max()
    assert hist.stability_bound == pytest.approx(2 / L, rel=1e-12)
    # compared and hashed as objects, not field by field (arrays have no single truth value)
    same = gd.fit_linear(X4, Y4, lr=0.01, epochs=3)
    assert hist == hist and hist != same and hash(hist) != hash(same)
    assert len({hist, same}) == 2


def test_diverged_has_one_meaning():
    """A NaN/inf loss, or a final loss above the initial one, in every loop."""
    fit = gd.fit_linear(X4, Y4, lr=0.2, epochs=200, on_divergence="stop")
    opt = gd.run_optimizer(X4, Y4, lr=0.2, steps=200)
    assert fit.diverged and opt.diverged
    worse = gd.run_optimizer(X4, Y4, lr=0.14, steps=3, dtype=torch.float64)  # grows, finite
    assert np.all(np.isfinite(worse.loss)) and worse.loss[-1] > worse.loss[0] and worse.diverged
