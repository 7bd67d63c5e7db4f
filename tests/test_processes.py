"""Starting worker processes (gdhelpers.processes): results, errors, timeouts, clean-up.

Every launch here has a timeout, and the ``no_leftover_children`` fixture fails a test that
leaves a child process alive. The code that runs inside a worker is also run in this process
(a process group of one, the ``group_of_one`` fixture), so that coverage sees it: spawned
children do not report coverage. Both fixtures are in tests/conftest.py.
"""

from __future__ import annotations

import importlib
import pickle
import signal
import socket
import time

import numpy as np
import pytest
import torch

from gdhelpers.parallel import WorkerError, free_port, launch
from tests import process_workers as workers

launch_module = importlib.import_module("gdhelpers.processes")


# ----------------------------------------------------------------------------- with processes


@pytest.mark.slow
def test_results_come_back_by_rank(no_leftover_children):
    assert launch(workers._sleeping_worker, (0.0,), world_size=2, timeout=60) == [
        0,
        1,
    ]


@pytest.mark.slow
def test_worker_exception_names_the_worker(no_leftover_children):
    with pytest.raises(WorkerError) as info:
        launch(workers._failing_worker, (1,), world_size=2, timeout=60)
    message = str(info.value)
    assert message.startswith("worker 1 of 2 raised ValueError: worker 1 was told to fail")
    assert "--- traceback in worker 1 ---" in message and "_failing_worker" in message


@pytest.mark.slow
def test_timeout_stops_the_workers(monkeypatch, no_leftover_children, tmp_path):
    """Both workers run (each leaves a mark), launch waits the whole timeout, then stops them.

    The parent's wait (``_collect``, with the real timeout) starts only once both marks exist:
    a loaded machine that is slow to start Python and torch makes the test slower, never
    vacuous, and a 1 s timeout keeps it cheap. The workers would sleep 60 s and then exit 0:
    exit code -SIGTERM proves that launch stopped them, at the deadline and not before.
    """
    real_collect, seen = launch_module._collect, {}

    def collect_once_both_run(readers, processes, timeout):
        give_up = time.monotonic() + 120.0  # start-up of two Pythons with torch, however slow
        while sorted(p.name for p in tmp_path.iterdir()) != ["0", "1"]:
            assert all(p.is_alive() for p in processes), "a worker ended before its mark"
            assert time.monotonic() < give_up, "the workers did not start within 120 s"
            time.sleep(0.01)
        seen["processes"], start = processes, time.monotonic()
        try:
            return real_collect(readers, processes, timeout)
        finally:
            seen["waited"] = time.monotonic() - start
            seen["alive at the deadline"] = [p.is_alive() for p in processes]

    monkeypatch.setattr(launch_module, "_collect", collect_once_both_run)
    with pytest.raises(
        TimeoutError,
        match=(
            r"^the 2 workers did not finish within 1 s \(still running: ranks \[0, 1\]\); "
            r"they were stopped\. Pass a larger timeout= if the job is simply slow\.$"
        ),
    ):
        launch(workers._marking_worker, (str(tmp_path), 60.0), world_size=2, timeout=1)
    assert 1.0 <= seen["waited"] < 30.0  # the whole timeout (the upper bound: a sanity limit)
    assert seen["alive at the deadline"] == [True, True]
    assert [p.exitcode for p in seen["processes"]] == [-signal.SIGTERM] * 2


@pytest.mark.slow
def test_a_worker_that_dies_is_reported(no_leftover_children):
    with pytest.raises(
        WorkerError,
        match=r"^worker \d of 2 exited with code 3 without reporting \(a crash, os._exit, .*"
        r"must sit under `if __name__ == \"__main__\":`",
    ):
        launch(workers._dying_worker, (3,), world_size=2, timeout=60)


@pytest.mark.slow
def test_an_interrupt_stops_the_workers(monkeypatch, no_leftover_children):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(launch_module, "_collect", interrupted)
    with pytest.raises(KeyboardInterrupt):
        launch(workers._sleeping_worker, (60.0,), world_size=2, timeout=60)


# ----------------------------------------------------------------------------- in this process


def test_worker_side_reports_results_and_errors(group_of_one):
    assert group_of_one(workers._sleeping_worker, 0.0) == ("ok", 0)
    assert group_of_one(workers._failing_worker, 1) == ("ok", 0)  # barrier of one
    before = time.time()
    status, summary, trace, when = group_of_one(workers._failing_worker, 0)
    assert (status, summary) == ("error", "ValueError: worker 0 was told to fail")
    assert "Traceback" in trace and before <= when <= time.time()  # when it failed (wall clock)


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
        launch(workers._sleeping_worker, world_size=0)
    with pytest.raises(ValueError, match="timeout"):
        launch(workers._sleeping_worker, timeout=0)


def test_large_arguments_travel_through_a_file_not_the_start_pipe(tmp_path, monkeypatch):
    """spawn's start pipe holds 64 KiB; a child dying before reading more blocked the parent."""
    big = np.zeros(1_000_000, dtype=np.float32)  # 4 MB: far more than the pipe holds
    sent = []
    real_start = launch_module.mp.get_context("spawn").Process.start

    def spy(self):
        sent.append(len(pickle.dumps(self._args)))
        return real_start(self)

    monkeypatch.setattr(launch_module.mp.get_context("spawn").Process, "start", spy)
    assert launch(workers._echo_size_worker, (big,), world_size=2, timeout=60) == [
        big.size,
        big.size,
    ]
    assert sent and max(sent) < 64 * 1024
