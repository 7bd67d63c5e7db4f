"""Data-parallel gradient descent (gdhelpers.parallel): the same steps as full-batch GD.

The reference is independent: full-batch gradient descent in float64 NumPy with the analytic
gradient. The worker functions are also run in this process, with a process group of one, so
that coverage sees them (spawned children do not report coverage). Starting processes,
errors, timeouts and clean-up are tested in test_processes.py. The fixtures
``no_leftover_children`` and ``group_of_one`` come from tests/conftest.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gdhelpers as gd
from gdhelpers import parallel

LR, STEPS = 0.1, 6


@pytest.fixture(scope="module")
def data() -> gd.RegressionData:
    return gd.make_regression(400, 5, 2, noise=0.1, seed=3)


@pytest.fixture(scope="module")
def start(data):
    rng = np.random.default_rng(0)
    return (
        rng.standard_normal(data.weight.shape).astype(np.float32),
        rng.standard_normal(data.bias.shape).astype(np.float32),
    )


def numpy_full_batch_gd(X, Y, lr, steps, W0, b0):
    """Independent reference: full-batch gradient descent in float64 with the analytic gradient."""
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    W, b = W0.astype(np.float64), b0.astype(np.float64)
    weights, biases, losses = [W], [b], []
    for step in range(steps + 1):
        R = X @ W.T + b - Y
        losses.append(np.mean(R * R))
        if step == steps:
            break
        W = W - lr * 2 / R.size * R.T @ X
        b = b - lr * 2 / R.size * R.sum(axis=0)
        weights.append(W)
        biases.append(b)
    return np.array(weights), np.array(biases), np.array(losses)


def assert_same_steps(got, reference):
    for g, r in zip(got, reference, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- with processes


@pytest.mark.slow
@pytest.mark.parametrize("method", ["all_reduce", "ddp"])
def test_two_processes_match_single_process(data, start, method, no_leftover_children):
    W0, b0 = start
    run = gd.data_parallel_gd(
        data.X, data.Y, lr=LR, steps=STEPS, world_size=2, method=method,
        weight0=W0, bias0=b0, timeout=60,
    )  # fmt: skip
    assert isinstance(run, gd.History) and run.method == "batch" and run.batch_size == 400
    assert run.label == f"{method}(world_size=2)" and run.world_size == 2 and run.shard_size == 200
    np.testing.assert_array_equal(run.grad_evals, 400 * np.arange(STEPS + 1))
    assert run.final_loss == run.loss[-1] and not run.diverged
    assert run.weights.shape == (STEPS + 1, 2, 5) and run.biases.shape == (STEPS + 1, 2)
    assert run.n_steps == STEPS and run.ranks_agree
    reference = numpy_full_batch_gd(data.X, data.Y, LR, STEPS, W0, b0)
    assert_same_steps((run.weights, run.biases, run.loss), reference)
    np.testing.assert_array_equal(run.final_weight, run.weights[-1])
    np.testing.assert_array_equal(run.final_bias, run.biases[-1])
    # the helpers' own torch loop takes the same steps
    hist = gd.fit_linear(data.X, data.Y, lr=LR, epochs=STEPS, weight0=W0, bias0=b0,
                         backend="torch")  # fmt: skip
    np.testing.assert_allclose(run.weights, hist.weights, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- in this process


@pytest.mark.parametrize("worker", [parallel._all_reduce_worker, parallel._ddp_worker])
def test_workers_in_a_group_of_one(data, start, worker, group_of_one):
    status, value = group_of_one(worker, data.X, data.Y, LR, STEPS, *start)
    assert status == "ok"
    reference = numpy_full_batch_gd(data.X, data.Y, LR, STEPS, *start)
    assert_same_steps((value["weights"], value["biases"], value["loss"]), reference)


def test_shards_are_equal_consecutive_slices(data):
    pieces = [parallel._shard(data.X, data.Y, r, 4) for r in range(4)]
    assert [tuple(Xs.shape) for Xs, _ in pieces] == [(100, 5)] * 4
    np.testing.assert_array_equal(torch.cat([Xs for Xs, _ in pieces]).numpy(), data.X)
    np.testing.assert_array_equal(torch.cat([Ys for _, Ys in pieces]).numpy(), data.Y)


# ----------------------------------------------------------------------------- checks


def test_input_errors(data):
    with pytest.raises(ValueError, match=r"multiple of world_size.*399 samples.*world_size=2"):
        gd.data_parallel_gd(data.X[:399], data.Y[:399], lr=0.1, steps=1, world_size=2)
    with pytest.raises(ValueError, match="method must be"):
        gd.data_parallel_gd(data.X, data.Y, lr=0.1, steps=1, method="nccl")
    with pytest.raises(ValueError, match=r"weight0 must be a number or an array of shape \(2, 5\)"):
        gd.data_parallel_gd(data.X, data.Y, lr=0.1, steps=1, weight0=np.zeros(5))
    with pytest.raises(ValueError, match=r"bias0 must be a number or an array of shape \(2,\)"):
        gd.data_parallel_gd(data.X, data.Y, lr=0.1, steps=1, bias0=torch.zeros(3))
    with pytest.raises(ValueError, match="lr must be"):
        gd.data_parallel_gd(data.X, data.Y, lr=-1, steps=1)
