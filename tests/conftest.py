"""Fixtures shared by the tests that start worker processes (test_processes.py, test_parallel.py).

pytest finds this file by its place (tests/conftest.py) and gives its fixtures to every test
under tests/, by name: no test module imports another, so nothing depends on tests/ being on
``sys.path`` or on pytest's import mode.
"""

from __future__ import annotations

import multiprocessing

import psutil
import pytest


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


@pytest.fixture
def group_of_one(monkeypatch):
    """Run the worker side (processes._run_worker) here with world_size=1; return its report.

    Spawned workers do not report coverage; run here, the code inside a worker is covered.
    """
    import torch  # here, not at the top: a pytest run that needs no torch starts 2-3 s sooner

    from gdhelpers import processes

    for key in ("MASTER_ADDR", "MASTER_PORT", "RANK", "LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.setenv(key, "")  # restored after the test
    threads = torch.get_num_threads()

    def run(worker, *args):
        reader, writer = multiprocessing.Pipe(duplex=False)
        port = processes.free_port()
        processes._run_worker(worker, 0, 1, port, "gloo", 30.0, args, writer)
        assert not torch.distributed.is_initialized()  # the group was destroyed
        report = reader.recv()
        with pytest.raises(EOFError):  # exactly one report, and the pipe was closed
            reader.recv()
        reader.close()
        return report

    yield run
    torch.set_num_threads(threads)
