"""Starting worker processes (gdhelpers.processes): results, errors, timeouts, clean-up.

Every launch here has a timeout, and the ``no_leftover_children`` fixture fails a test that
leaves a child process alive. The code that runs inside a worker is also run in this process
(a process group of one), so that coverage sees it: spawned children do not report coverage.
"""

from __future__ import annotations

import importlib
import multiprocessing
import pickle
import socket

import numpy as np
import psutil
import pytest
import torch

from gdhelpers.parallel import WorkerError, free_port, launch

launch_module = importlib.import_module("gdhelpers.processes")


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


# ----------------------------------------------------------------------------- with processes


@pytest.mark.slow
def test_results_come_back_by_rank(no_leftover_children):
    assert launch(launch_module._sleeping_worker, (0.0,), world_size=2, timeout=60) == [
        0,
        1,
    ]


@pytest.mark.slow
def test_worker_exception_names_the_worker(no_leftover_children):
    with pytest.raises(WorkerError) as info:
        launch(launch_module._failing_worker, (1,), world_size=2, timeout=60)
    message = str(info.value)
    assert message.startswith("worker 1 of 2 raised ValueError: worker 1 was told to fail")
    assert "--- traceback in worker 1 ---" in message and "_failing_worker" in message


@pytest.mark.slow
def test_timeout_stops_the_workers(no_leftover_children, tmp_path):
    """The workers really ran (each left a mark) and were stopped at the deadline.

    A 1.5 s timeout could pass on a loaded machine before any worker had started; 20 s leaves
    time to start and still stops workers that would sleep for 120 s.
    """
    with pytest.raises(TimeoutError, match=r"did not finish within 20 s .*they were stopped"):
        launch(launch_module._marking_worker, (str(tmp_path), 120.0), world_size=2, timeout=20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0", "1"]


@pytest.mark.slow
def test_a_worker_that_dies_is_reported(no_leftover_children):
    with pytest.raises(WorkerError, match=r"^worker \d of 2 exited with code 3 without"):
        launch(launch_module._dying_worker, (3,), world_size=2, timeout=60)


@pytest.mark.slow
def test_an_interrupt_stops_the_workers(monkeypatch, no_leftover_children):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(launch_module, "_collect", interrupted)
    with pytest.raises(KeyboardInterrupt):
        launch(launch_module._sleeping_worker, (60.0,), world_size=2, timeout=60)


# ----------------------------------------------------------------------------- in this process


@pytest.fixture
def group_of_one(monkeypatch):
    """Run the worker side (processes._run_worker) here with world_size=1; return its report."""
    for key in ("MASTER_ADDR", "MASTER_PORT", "RANK", "LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.setenv(key, "")  # restored after the test
    threads = torch.get_num_threads()

    def run(worker, *args):
        reader, writer = multiprocessing.Pipe(duplex=False)
        launch_module._run_worker(worker, 0, 1, free_port(), "gloo", 30.0, args, writer)
        assert not torch.distributed.is_initialized()  # the group was destroyed
        report = reader.recv()
        with pytest.raises(EOFError):  # exactly one report, and the pipe was closed
            reader.recv()
        reader.close()
        return report

    yield run
    torch.set_num_threads(threads)


def test_worker_side_reports_results_and_errors(group_of_one):
    assert group_of_one(launch_module._sleeping_worker, 0.0) == ("ok", 0)
    assert group_of_one(launch_module._failing_worker, 1) == ("ok", 0)  # barrier of one
    status, summary, trace, when = group_of_one(launch_module._failing_worker, 0)
    assert (status, summary) == ("error", "ValueError: worker 0 was told to fail")
    assert "Traceback" in trace and when > 0


def test_worker_side_reports_a_result_that_cannot_be_sent(group_of_one):
    status, summary, *_ = group_of_one(lambda rank, world_size: lambda: "not picklable")
    assert status == "error" and summary.startswith("the worker's return value must be picklable")


def test_worker_side_sets_the_torchrun_environment(group_of_one):
    def environment(rank, world_size):
        import os

        keys = ("MASTER_ADDR", "RANK", "LOCAL_RANK", "WORLD_SIZE")
        return [os.environ[key] for key in keys], torch.get_num_threads()

    assert group_of_one(environment) == ("ok", (["127.0.0.1", "0", "0", "1"], 1))


# ----------------------------------------------------------------------------- checks


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_input_errors():
    with pytest.raises(TypeError, match="worker must be a function"):
        launch("not a function")
    with pytest.raises(ValueError, match="world_size"):
        launch(launch_module._sleeping_worker, world_size=0)
    with pytest.raises(ValueError, match="timeout"):
        launch(launch_module._sleeping_worker, timeout=0)


def test_large_arguments_travel_through_a_file_not_the_start_pipe(tmp_path, monkeypatch):
    """spawn's start pipe holds 64 KiB; a child dying before reading more blocked the parent."""
    big = np.zeros(1_000_000, dtype=np.float32)  # 4 MB: far more than the pipe holds
    sent = []
    real_start = launch_module.mp.get_context("spawn").Process.start

    def spy(self):
        sent.append(len(pickle.dumps(self._args)))
        return real_start(self)

    monkeypatch.setattr(launch_module.mp.get_context("spawn").Process, "start", spy)
    assert launch(launch_module._echo_size_worker, (big,), world_size=2, timeout=60) == [
        big.size,
        big.size,
    ]
    assert sent and max(sent) < 64 * 1024
