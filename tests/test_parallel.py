"""Data-parallel gradient descent (gdhelpers.parallel): results, errors, timeouts, clean-up.

The tests that start processes are bounded in time (every launch has a timeout) and check that
no child process outlives them. The worker code itself is also run in this process, with a
process group of one, so that coverage sees it (spawned children do not report coverage).
"""

from __future__ import annotations

import multiprocessing
import socket

import numpy as np
import psutil
import pytest
import torch

import gdhelpers as gd
from gdhelpers import parallel

pytestmark = pytest.mark.slow

LR, STEPS = 0.1, 6


@pytest.fixture(scope="module")
def data() -> gd.RegressionData:
    return gd.make_regression(400, 5, 2, noise=0.1, seed=3)


def numpy_full_batch_gd(X, Y, lr, steps, W0, b0):
    """Independent reference: full-batch gradient descent in float64 with the analytic gradient."""
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    W, b = W0.astype(np.float64), b0.astype(np.float64)
    weights, biases, losses = [W], [b], []
    for _ in range(steps + 1):
        R = X @ W.T + b - Y
        losses.append(np.mean(R * R))
        if len(weights) == steps + 1:
            break
        W = W - lr * 2 / R.size * R.T @ X
        b = b - lr * 2 / R.size * R.sum(axis=0)
        weights.append(W)
        biases.append(b)
    return np.array(weights), np.array(biases), np.array(losses)


@pytest.fixture
def no_leftover_children():
    """Fail when a test leaves a child process of this process alive."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield
    new = [p for p in me.children(recursive=True) if p.pid not in before]
    # spawn starts the stdlib's resource tracker once; it lives as long as this process
    new = [p for p in new if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    new = [p for p in new if "multiprocessing.resource_tracker" not in " ".join(p.cmdline())]
    assert new == [], f"child processes left alive: {new}"
    assert multiprocessing.active_children() == []


def _initial(data):
    rng = np.random.default_rng(0)
    return (
        rng.standard_normal(data.weight.shape).astype(np.float32),
        rng.standard_normal(data.bias.shape).astype(np.float32),
    )


# ----------------------------------------------------------------------------- with processes


@pytest.mark.parametrize("method", ["all_reduce", "ddp"])
def test_two_processes_match_single_process(data, method, no_leftover_children):
    W0, b0 = _initial(data)
    run = gd.data_parallel_gd(
        data.X, data.Y, lr=LR, steps=STEPS, world_size=2, method=method,
        weight0=W0, bias0=b0, timeout=60,
    )  # fmt: skip
    ref_w, ref_b, ref_loss = numpy_full_batch_gd(data.X, data.Y, LR, STEPS, W0, b0)
    assert run.method == method and run.world_size == 2 and run.shard_size == 200
    assert run.weights.shape == (STEPS + 1, 2, 5) and run.biases.shape == (STEPS + 1, 2)
    assert run.n_steps == STEPS and run.ranks_agree
    np.testing.assert_allclose(run.weights, ref_w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run.biases, ref_b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run.loss, ref_loss, rtol=1e-5)
    np.testing.assert_array_equal(run.final_weight, run.weights[-1])
    np.testing.assert_array_equal(run.final_bias, run.biases[-1])
    # the helpers' own torch loop takes the same steps
    hist = gd.fit_linear(data.X, data.Y, lr=LR, epochs=STEPS, weight0=W0, bias0=b0,
                         backend="torch")  # fmt: skip
    np.testing.assert_allclose(run.weights, hist.weights, rtol=1e-5, atol=1e-6)


def test_worker_exception_surfaces_and_no_child_survives(no_leftover_children):
    with pytest.raises(gd.WorkerError) as info:
        gd.launch(parallel._failing_worker, (1,), world_size=2, timeout=60)
    message = str(info.value)
    assert message.startswith("worker 1 of 2 raised ValueError: worker 1 was told to fail")
    assert "traceback in worker 1" in message and "_failing_worker" in message


def test_timeout_stops_the_workers(no_leftover_children):
    with pytest.raises(TimeoutError, match=r"did not finish within 3 s .*they were stopped"):
        gd.launch(parallel._sleeping_worker, (60.0,), world_size=2, timeout=3)


def test_a_worker_that_dies_is_reported(no_leftover_children):
    with pytest.raises(gd.WorkerError, match=r"exited with code 3 without reporting"):
        gd.launch(parallel._dying_worker, (3,), world_size=2, timeout=60)


# ----------------------------------------------------------------------------- in this process


class _FakeConnection:
    """Stands in for the pipe of a worker: keeps what is sent."""

    def __init__(self):
        self.items, self.closed = [], False

    def send(self, item):
        self.items.append(item)

    def close(self):
        self.closed = True


@pytest.fixture
def one_process_group(monkeypatch):
    """Run parallel._entry here with world_size=1; restore the environment and threads."""
    for key in ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE"):
        monkeypatch.setenv(key, "")
    threads = torch.get_num_threads()

    def run(worker, *args):
        out = _FakeConnection()
        parallel._entry(worker, 0, 1, gd.free_port(), "gloo", 30.0, args, out)
        assert not torch.distributed.is_initialized()  # destroyed in finally
        assert out.closed
        (item,) = out.items
        return item

    yield run
    torch.set_num_threads(threads)


@pytest.mark.parametrize("worker", [parallel._all_reduce_worker, parallel._ddp_worker])
def test_workers_in_a_group_of_one(data, worker, one_process_group):
    W0, b0 = _initial(data)
    rank, status, value = one_process_group(worker, data.X, data.Y, LR, STEPS, W0, b0)
    assert (rank, status) == (0, "ok")
    ref_w, ref_b, ref_loss = numpy_full_batch_gd(data.X, data.Y, LR, STEPS, W0, b0)
    np.testing.assert_allclose(value["weights"], ref_w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(value["biases"], ref_b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(value["loss"], ref_loss, rtol=1e-5)


def test_entry_reports_errors(one_process_group):
    rank, status, summary, trace, when = one_process_group(parallel._failing_worker, 0)
    assert (rank, status, summary) == (0, "error", "ValueError: worker 0 was told to fail")
    assert "Traceback" in trace and when > 0
    assert one_process_group(parallel._failing_worker, 1) == (0, "ok", 0)
    assert one_process_group(parallel._sleeping_worker, 0.0) == (0, "ok", 0)


# ----------------------------------------------------------------------------- checks


def test_free_port_is_bindable():
    port = gd.free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_input_errors(data):
    with pytest.raises(ValueError, match=r"multiple of world_size.*399 samples.*world_size=2"):
        gd.data_parallel_gd(data.X[:399], data.Y[:399], lr=0.1, steps=1, world_size=2)
    with pytest.raises(ValueError, match="method must be"):
        gd.data_parallel_gd(data.X, data.Y, lr=0.1, steps=1, method="nccl")
    with pytest.raises(ValueError, match=r"weight0 must have shape \(2, 5\)"):
        gd.data_parallel_gd(data.X, data.Y, lr=0.1, steps=1, weight0=np.zeros(5))
    with pytest.raises(ValueError, match=r"bias0 must have shape \(2,\)"):
        gd.data_parallel_gd(data.X, data.Y, lr=0.1, steps=1, bias0=torch.zeros(3))
    with pytest.raises(ValueError, match="lr must be"):
        gd.data_parallel_gd(data.X, data.Y, lr=-1, steps=1)
    with pytest.raises(TypeError, match="worker must be a function"):
        gd.launch("not a function")
