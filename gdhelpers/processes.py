"""Start worker processes joined in a ``torch.distributed`` process group, and clean up.

:func:`launch` is a tiny, one-machine version of ``torchrun``: it starts ``world_size``
Python processes, gives each one the environment variables ``torchrun`` would set
(``MASTER_ADDR``, ``MASTER_PORT``, ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``), lets each
join the group with ``dist.init_process_group``, runs a function in each and collects the
results. Every path stops the workers: success, an error in a worker, a timeout, an interrupt.

How it works:

* processes are started with ``spawn`` (a fresh Python each), so the function they run must
  be importable: defined in a module, not in a notebook cell;
* each worker sends one report back through its own pipe: ``("ok", value)`` or
  ``("error", "TypeName: message", traceback_text, time_of_failure)``. When a worker dies
  without reporting, its pipe reports end-of-file instead;
* a worker leaves with ``os._exit``: its result is sent and its group destroyed, and skipping
  the interpreter's shutdown avoids rare aborts of torch's threads at exit.

:mod:`gdhelpers.parallel` uses it to run data-parallel gradient descent.
"""

from __future__ import annotations

import inspect
import multiprocessing as mp
import os
import pickle
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from multiprocessing import connection
from typing import Any

import torch
import torch.distributed as dist

from ._validate import MAX_WORLD_SIZE, check_choice, check_int, check_positive

_WORLD_SIZE_WHY = (
    "Each worker is a separate Python process with its own copy of torch; use at most the "
    "number of CPU cores (os.cpu_count())."
)

__all__ = ["WorkerError", "free_port", "launch"]

MASTER_ADDR = "127.0.0.1"


class WorkerError(RuntimeError):
    """A worker process raised an exception or died; the message names the worker."""


def free_port(host: str = MASTER_ADDR) -> int:
    """A TCP port on ``host`` that is free right now.

    Binds a socket to port 0 (the operating system picks a free port), reads the port back and
    closes the socket. Another program could take the port in between; on one machine that is
    very unlikely.

    Parameters
    ----------
    host : str
        The address to bind to (an address of this machine, e.g. ``"127.0.0.1"``).

    Returns
    -------
    int
        A port number.

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    if not isinstance(host, str):
        raise TypeError(
            f"host must be an address string such as {MASTER_ADDR!r}; got "
            f"{type(host).__name__} {host!r:.40} instead."
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, 0))
        except socket.gaierror as err:  # not an address, and no name that resolves to one
            raise ValueError(
                f"host must be an address of this machine such as {MASTER_ADDR!r}; got "
                f"{host!r}, which does not resolve ({err.strerror}), instead."
            ) from None
        return int(sock.getsockname()[1])


def launch(
    worker: Callable[..., Any],
    args: Sequence[Any] = (),
    *,
    world_size: int = 2,
    timeout: float = 60.0,
    backend: str = "gloo",
) -> list[Any]:
    """Run ``worker(rank, world_size, *args)`` in ``world_size`` processes joined in a group.

    The parent waits for every worker's result. When a worker fails, the time runs out or the
    call is interrupted, it stops the other workers before raising. No worker outlives this
    call.

    Parameters
    ----------
    worker : callable
        An importable module-level function (``spawn`` pickles it by name); its return value
        must be picklable (NumPy arrays are).
    args : tuple or list
        Extra arguments passed to every worker after ``rank`` and ``world_size``; they must
        fit the worker's parameters (checked before any process starts).
    world_size : int
        Number of processes (>= 1).
    timeout : float
        Seconds to wait for all workers (also the timeout of the collectives).
    backend : str
        ``"gloo"`` (CPU tensors) here; ``"nccl"`` is the backend for GPUs (any name in
        ``torch.distributed.Backend.backend_list``).

    Returns
    -------
    list
        The value returned by each worker, indexed by rank.

    Raises
    ------
    WorkerError
        A worker raised (the message names the worker that failed first, its error and its
        traceback) or died without reporting.
    TimeoutError
        Not all workers finished within ``timeout`` seconds.

    Examples
    --------
    A worker must be importable (defined in a module, not in a notebook cell). It is called
    as ``worker(rank, world_size, *args)``; ``operator.add`` returns ``rank + world_size``,
    and the results come back in rank order:

    >>> import operator
    >>> launch(operator.add, world_size=2, timeout=60)
    [2, 3]
    """
    world_size = check_int(world_size, "world_size", maximum=MAX_WORLD_SIZE, why=_WORLD_SIZE_WHY)
    timeout = check_positive(timeout, "timeout")
    if not callable(worker):
        raise TypeError(
            f"worker must be a function; got {type(worker).__name__} instead. Pass a function "
            "defined in a module (spawn cannot start functions defined in a notebook)."
        )
    _check_args(worker, args, world_size)
    check_choice(
        backend, "backend", tuple(b for b in dist.Backend.backend_list if b != "undefined")
    )
    ctx = mp.get_context("spawn")
    port = free_port()
    readers, processes = [], []
    # The arguments go through a file, not through the process start: spawn writes what it
    # sends to a pipe that the child reads when it starts, and CPython blocks for ever when a
    # child dies before reading more than the pipe holds (64 KiB). A path is small.
    args_dir = tempfile.TemporaryDirectory(prefix="gd-launch-")
    args_path = os.path.join(args_dir.name, "args.pickle")
    with open(args_path, "wb") as out:
        pickle.dump(tuple(args), out, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        for rank in range(world_size):
            reader, writer = ctx.Pipe(duplex=False)
            readers.append(reader)
            proc = ctx.Process(
                target=_process_main,
                args=(worker, rank, world_size, port, backend, timeout, args_path, writer),
                name=f"gd-worker-{rank}",
                daemon=True,
            )
            try:
                proc.start()
            finally:
                writer.close()  # the child has its own copy: EOF on `reader` means it is gone
            processes.append(proc)
        results = _collect(readers, processes, timeout)
        _stop(processes, grace=10.0)  # they are leaving on their own; give them the time
        return results
    finally:
        _stop(processes, grace=0.0)  # after an error: terminate whoever is left, now
        for reader in readers:
            reader.close()
        args_dir.cleanup()


def _check_args(worker: Callable[..., Any], args: Any, world_size: int) -> None:
    """Refuse, before any process starts, args that are no tuple or do not fit the worker."""
    if not isinstance(args, tuple | list):
        raise TypeError(
            f"args must be a tuple of the worker's extra arguments; got {type(args).__name__} "
            f"{args!r:.40} instead. Write e.g. args=(X, Y), or args=(x,) for one argument."
        )
    try:
        signature = inspect.signature(worker)
    except (TypeError, ValueError):  # no signature to compare with (a builtin)
        return
    try:
        signature.bind(0, world_size, *args)
    except TypeError as err:
        name = getattr(worker, "__name__", "worker")
        raise TypeError(
            f"args must fit the worker's parameters, {name}{signature}, after rank and "
            f"world_size; got {len(args)} extra argument(s) instead ({err})."
        ) from None


# Why a worker may end without a report, and the fix for the commonest one.
_CRASH_HINT = (
    " (a crash, os._exit, or a worker that could not start: each worker re-imports the script "
    "that started it, so in a script the call to launch or data_parallel_gd must sit under "
    '`if __name__ == "__main__":`; the worker\'s own error, if any, is printed above)'
)


def _collect(readers: list[Any], processes: list[Any], timeout: float) -> list[Any]:
    """Wait for one report per worker; raise at the first failure or at the deadline."""
    world_size = len(readers)
    results: dict[int, Any] = {}
    pending = {reader: rank for rank, reader in enumerate(readers)}
    deadline = time.monotonic() + timeout
    while pending:
        ready = connection.wait(list(pending), timeout=max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(
                f"the {world_size} workers did not finish within {timeout:g} s (still "
                f"running: ranks {sorted(pending.values())}); they were stopped. Pass a "
                "larger timeout= if the job is simply slow."
            )
        failures = []  # (time, rank, what happened)
        for reader in ready:
            rank = pending.pop(reader)
            try:
                status, *payload = reader.recv()
            except EOFError:  # the process ended without sending anything: it crashed
                processes[rank].join(5.0)
                code = processes[rank].exitcode
                failures.append(
                    (time.time(), rank, f"exited with code {code} without reporting{_CRASH_HINT}")
                )
                continue
            if status == "ok":
                results[rank] = payload[0]
            else:
                summary, trace, when = payload
                detail = f"raised {summary}\n--- traceback in worker {rank} ---\n{trace.rstrip()}"
                failures.append((when, rank, detail))
        if failures:  # one failure breaks the group and the others fail next: report the first
            _, rank, detail = min(failures)
            raise WorkerError(f"worker {rank} of {world_size} {detail}")
    return [results[rank] for rank in range(world_size)]


def _stop(processes: Sequence[Any], *, grace: float) -> None:
    """Join every process within ``grace`` seconds; terminate, then kill, whatever is left."""
    deadline = time.monotonic() + grace
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.terminate()
            proc.join(2.0)
        if proc.is_alive():  # pragma: no cover - only when SIGTERM is ignored
            proc.kill()
            proc.join()


# ----------------------------------------------------------------------------- in the worker


def _process_main(*run_args: Any) -> None:  # pragma: no cover - runs in the child only
    """What every worker process runs: :func:`_run_worker`, then leave at once (``os._exit``)."""
    code = 1
    try:
        *head, args_path, conn = run_args
        with open(args_path, "rb") as source:
            args = pickle.load(source)
        _run_worker(*head, args, conn)
        code = 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _run_worker(
    worker: Callable[..., Any],
    rank: int,
    world_size: int,
    port: int,
    backend: str,
    timeout: float,
    args: Sequence[Any],
    conn: Any,
) -> None:
    """Join the group, call ``worker``, send the report through ``conn``, leave the group.

    The report is sent *before* the group is destroyed: destroying it makes the other workers
    fail, and the parent should hear about the first failure first.
    """
    os.environ.update(
        MASTER_ADDR=MASTER_ADDR,
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world_size),
    )
    torch.set_num_threads(1)  # several processes on a small machine: do not oversubscribe
    try:
        # reads MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE, as under torchrun
        dist.init_process_group(backend, timeout=timedelta(seconds=timeout))
        try:
            report = ("ok", worker(rank, world_size, *args))
        except Exception as err:
            report = _error_report(err)
        try:  # pickle here, so the message names the problem on every Python version
            pickle.dumps(report)
        except Exception as err:
            status, summary, trace, when = _error_report(err)
            summary = (
                "the worker's return value must be picklable to reach the main process; "
                f"got {summary} instead. Return numbers, lists or tensors."
            )
            report = (status, summary, trace, when)
        conn.send(report)
    except Exception as err:  # could not join the group, or the result cannot be pickled
        conn.send(_error_report(err))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
        conn.close()


def _error_report(err: BaseException) -> tuple[str, str, str, float]:
    return ("error", f"{type(err).__name__}: {err}", traceback.format_exc(), time.time())
