"""Data-parallel gradient descent with ``torch.distributed`` on one machine (gloo, CPU).

Notebook 08 starts a few worker *processes* from a notebook. Each worker holds one shard (an
equal slice) of the data, computes the gradient of the loss on its shard, and the workers
average their gradients with ``dist.all_reduce``. With equal shard sizes the average of the
shard-mean gradients is exactly the full-batch gradient, so every worker takes the same step
as single-process full-batch gradient descent.

* :func:`data_parallel_gd` -- the training run, with a hand-written all-reduce or with
  ``DistributedDataParallel``; returns a :class:`ParallelRun`;
* :func:`launch` -- start ``world_size`` processes running an importable function, collect
  their results, and clean up on every path (errors, timeouts, interrupts);
* :func:`free_port` -- a free TCP port on ``127.0.0.1`` (bind to port 0, read it back).

Workers are started with the ``spawn`` method, so the function they run must be importable
(defined in a module, not in a notebook cell). Across many machines the same code runs under
``torchrun``, with ``MASTER_ADDR`` set to a machine on the network and ``nccl`` for GPUs.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing import connection
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from ._validate import as_2d, check_choice, check_int, check_positive, check_same_n

__all__ = ["ParallelRun", "WorkerError", "data_parallel_gd", "free_port", "launch"]

MASTER_ADDR = "127.0.0.1"
METHODS = ("all_reduce", "ddp")


class WorkerError(RuntimeError):
    """A worker process raised an exception or died; the message names the rank and the error."""


def free_port(host: str = MASTER_ADDR) -> int:
    """A TCP port on ``host`` that is free right now.

    Binds a socket to port 0 (the operating system picks a free port), reads the port back and
    closes the socket. Another program could take the port in between; on one machine that is
    very unlikely.

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _entry(
    worker: Callable[..., Any],
    rank: int,
    world_size: int,
    port: int,
    backend: str,
    timeout: float,
    args: Sequence[Any],
    conn: Any,
) -> None:
    """What every worker process runs: join the group, call ``worker``, report, leave the group.

    The outcome is sent through the pipe ``conn`` as ``(rank, "ok", value)`` or
    ``(rank, "error", "TypeName: message", traceback_text, time_of_failure)``, *before* the
    process group is destroyed (in ``finally``, whatever happens): so when one worker fails,
    its report is on its way before the others notice the broken group and fail in turn.
    """
    os.environ.update(
        MASTER_ADDR=MASTER_ADDR, MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world_size)
    )
    torch.set_num_threads(1)  # two processes on a small machine: do not oversubscribe the cores
    sent = False
    try:
        dist.init_process_group(
            backend, rank=rank, world_size=world_size, timeout=timedelta(seconds=timeout)
        )
        try:
            try:
                report = (rank, "ok", worker(rank, world_size, *args))
            except Exception as err:
                report = _failure_report(rank, err)
            conn.send(report)  # report first, then leave the group (which breaks it for others)
            sent = True
        finally:
            dist.destroy_process_group()
    except Exception as err:  # init_process_group or destroy_process_group failed
        if not sent:
            conn.send(_failure_report(rank, err))
    finally:
        conn.close()


def _process_main(*entry_args: Any) -> None:  # pragma: no cover - runs in the child only
    """Target of every worker process: :func:`_entry`, then exit at once with ``os._exit``.

    The result is already sent and the group destroyed; skipping the interpreter's shutdown
    avoids rare aborts of torch's C++ threads at exit ("terminate called without an active
    exception") and saves time.
    """
    code = 1
    try:
        _entry(*entry_args)
        code = 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _failure_report(rank: int, err: BaseException) -> tuple[int, str, str, str, float]:
    return (rank, "error", f"{type(err).__name__}: {err}", traceback.format_exc(), time.time())


def _stop(processes: Sequence[Any], *, grace: float) -> None:
    """Join every process within ``grace`` seconds; terminate, then kill, whatever is left."""
    deadline = time.monotonic() + grace
    for proc in processes:
        if proc.pid is not None:  # started
            proc.join(max(0.0, deadline - time.monotonic()))
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
            proc.join(2.0)
        if proc.is_alive():  # pragma: no cover - only when SIGTERM is ignored
            proc.kill()
            proc.join(2.0)
        if proc.pid is not None:
            proc.close()


def launch(
    worker: Callable[..., Any],
    args: Sequence[Any] = (),
    *,
    world_size: int = 2,
    timeout: float = 60.0,
    backend: str = "gloo",
) -> list[Any]:
    """Run ``worker(rank, world_size, *args)`` in ``world_size`` processes joined in a group.

    Each process sets ``MASTER_ADDR=127.0.0.1`` and ``MASTER_PORT`` to a free port, pins torch
    to one thread, calls ``dist.init_process_group(backend)``, runs ``worker``, sends the
    result back through a pipe and destroys the group. The parent waits for all results; on
    an error in any worker, a timeout or an interrupt it terminates the other workers before
    raising. No worker outlives this call.

    Parameters
    ----------
    worker : callable
        An importable module-level function (``spawn`` pickles it by name); its return value
        must be picklable (NumPy arrays are).
    args : sequence
        Extra arguments passed to every worker after ``rank`` and ``world_size``.
    world_size : int
        Number of processes (>= 1).
    timeout : float
        Seconds to wait for all workers (also the timeout of the collectives).
    backend : str
        ``"gloo"`` (CPU) here; ``"nccl"`` is the GPU backend.

    Returns
    -------
    list
        The value returned by each worker, indexed by rank.

    Raises
    ------
    WorkerError
        A worker raised (the message names the first worker that failed and its error, and
        includes that worker's traceback) or died without reporting.
    TimeoutError
        Not all workers finished within ``timeout`` seconds.
    """
    world_size = check_int(world_size, "world_size")
    timeout = check_positive(timeout, "timeout")
    if not callable(worker):
        raise TypeError(
            f"worker must be a function; got {type(worker).__name__} instead. Pass a function "
            "defined in a module (spawn cannot start functions defined in a notebook)."
        )
    ctx = mp.get_context("spawn")
    pipes = [ctx.Pipe(duplex=False) for _ in range(world_size)]  # (reader, writer) per rank
    port = free_port()
    processes = [
        ctx.Process(
            target=_process_main,
            args=(worker, rank, world_size, port, backend, timeout, tuple(args), pipes[rank][1]),
            daemon=True,
            name=f"gd-worker-{rank}",
        )
        for rank in range(world_size)
    ]
    values: dict[int, Any] = {}
    ok = False
    try:
        for proc, (_, writer) in zip(processes, pipes, strict=True):
            proc.start()
            writer.close()  # the child has its own copy; EOF on the reader means it is gone
        pending = {reader: rank for rank, (reader, _) in enumerate(pipes)}
        deadline = time.monotonic() + timeout
        while pending:
            remaining = deadline - time.monotonic()
            ready = connection.wait(list(pending), timeout=max(0.0, remaining))
            if not ready:
                raise TimeoutError(
                    f"the {world_size} workers did not finish within {timeout:g} s (still "
                    f"running: ranks {sorted(pending.values())}); they were stopped. Pass a "
                    "larger timeout= if the job is simply slow."
                )
            errors = _receive(ready, pending, processes, values)
            if errors:
                # a failure breaks the group: the others fail soon after; report the first one
                time.sleep(0.2)
                more = connection.wait(list(pending), timeout=0)
                errors += _receive(more, pending, processes, values)
                raise _first_failure(errors, world_size)
        ok = True
    finally:
        _stop(processes, grace=10.0 if ok else 0.0)
        for reader, writer in pipes:
            reader.close()
            writer.close()
    return [values[rank] for rank in range(world_size)]


def _receive(
    ready: list[Any], pending: dict[Any, int], processes: list[Any], values: dict[int, Any]
) -> list[tuple[float, int, str]]:
    """Read the ready pipes: store results in ``values``, return (time, rank, message) errors."""
    errors = []
    for conn in ready:
        rank = pending.pop(conn)
        try:
            _, status, *payload = conn.recv()
        except EOFError:  # the process ended without sending anything: it crashed
            processes[rank].join(5.0)
            code = processes[rank].exitcode
            errors.append(
                (time.time(), rank, f"exited with code {code} without reporting a result")
            )
            continue
        if status == "ok":
            values[rank] = payload[0]
        else:
            summary, trace, when = payload
            detail = f"raised {summary}\n--- traceback in worker {rank} ---\n{trace.rstrip()}"
            errors.append((when, rank, detail))
    return errors


def _first_failure(errors: list[tuple[float, int, str]], world_size: int) -> WorkerError:
    """The error to raise: the worker that failed first; the others are named after it."""
    errors.sort()
    _, rank, detail = errors[0]
    others = [r for _, r, _ in errors[1:]]
    after = f"\n(then worker(s) {others} failed too, after the group broke)" if others else ""
    return WorkerError(f"worker {rank} of {world_size} {detail}{after}")


# ----------------------------------------------------------------------------- the workers


def _shard(X: np.ndarray, Y: np.ndarray, rank: int, world_size: int) -> tuple[Any, Any]:
    """Rows ``rank * m`` to ``(rank + 1) * m`` of X and Y as tensors (``m = n / world_size``)."""
    m = X.shape[0] // world_size
    rows = slice(rank * m, (rank + 1) * m)
    return torch.from_numpy(X[rows]), torch.from_numpy(Y[rows])


def _average(tensor: torch.Tensor, world_size: int) -> torch.Tensor:
    """Replace ``tensor`` on every rank by its mean over the ranks (sum, then divide)."""
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    tensor /= world_size
    return tensor


def _all_reduce_worker(
    rank: int,
    world_size: int,
    X: np.ndarray,
    Y: np.ndarray,
    lr: float,
    steps: int,
    weight0: np.ndarray,
    bias0: np.ndarray,
) -> dict[str, np.ndarray]:
    """Full-batch gradient descent on this rank's shard, gradients averaged with all_reduce."""
    Xs, Ys = _shard(X, Y, rank, world_size)
    w = torch.tensor(weight0, requires_grad=True)
    b = torch.tensor(bias0, requires_grad=True)
    weights, biases, losses = [w.detach().clone()], [b.detach().clone()], []
    for _ in range(steps):
        diff = Xs @ w.T + b - Ys
        loss = torch.mean(diff * diff)  # the MSE of this shard
        loss.backward()
        losses.append(_average(loss.detach().clone(), world_size))
        with torch.no_grad():
            for p in (w, b):
                _average(p.grad, world_size)  # now the full-batch gradient, on every rank
                p -= lr * p.grad
                p.grad = None
        weights.append(w.detach().clone())
        biases.append(b.detach().clone())
    with torch.no_grad():
        diff = Xs @ w.T + b - Ys
        losses.append(_average(torch.mean(diff * diff), world_size))
    return _pack(weights, biases, losses)


def _ddp_worker(
    rank: int,
    world_size: int,
    X: np.ndarray,
    Y: np.ndarray,
    lr: float,
    steps: int,
    weight0: np.ndarray,
    bias0: np.ndarray,
) -> dict[str, np.ndarray]:
    """The same run with ``nn.Linear`` wrapped in ``DistributedDataParallel`` and ``optim.SGD``."""
    from torch.nn.parallel import DistributedDataParallel as DDP

    Xs, Ys = _shard(X, Y, rank, world_size)
    k, d = weight0.shape
    model = torch.nn.Linear(d, k)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(weight0))
        model.bias.copy_(torch.from_numpy(bias0))
    ddp = DDP(model)  # broadcasts rank 0's parameters; averages gradients during backward()
    optimizer = torch.optim.SGD(ddp.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()
    weights = [model.weight.detach().clone()]
    biases = [model.bias.detach().clone()]
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(ddp(Xs), Ys)
        loss.backward()  # DDP all-reduces the gradients here
        optimizer.step()
        losses.append(_average(loss.detach().clone(), world_size))
        weights.append(model.weight.detach().clone())
        biases.append(model.bias.detach().clone())
    with torch.no_grad():
        losses.append(_average(loss_fn(model(Xs), Ys), world_size))
    del ddp, optimizer  # release DDP's reducer before the process group is destroyed
    return _pack(weights, biases, losses)


def _pack(weights: list, biases: list, losses: list) -> dict[str, np.ndarray]:
    return {
        "weights": torch.stack(weights).numpy(),
        "biases": torch.stack(biases).numpy(),
        "loss": torch.stack(losses).numpy().astype(np.float64),
    }


def _failing_worker(rank: int, world_size: int, bad_rank: int = 1) -> int:
    """A worker that raises on ``bad_rank`` (tests and the notebook's error demo use it)."""
    if rank == bad_rank:
        raise ValueError(f"worker {rank} was told to fail")
    dist.barrier()  # the other ranks wait here for a partner that never comes
    return rank


def _sleeping_worker(rank: int, world_size: int, seconds: float = 60.0) -> int:
    """A worker that sleeps (tests of the timeout use it)."""
    time.sleep(seconds)
    return rank


def _dying_worker(rank: int, world_size: int, code: int = 3) -> None:
    """A worker that exits at once without reporting, like a crash (tests use it)."""
    os._exit(code)


_WORKERS = {"all_reduce": _all_reduce_worker, "ddp": _ddp_worker}


# ----------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class ParallelRun:
    """The record of a data-parallel run (rank 0's copy; see ``ranks_agree``).

    Attributes
    ----------
    method : str
        ``"all_reduce"`` (gradients averaged by hand) or ``"ddp"`` (DistributedDataParallel).
    world_size : int
        Number of processes.
    shard_size : int
        Samples per process.
    lr : float
    weights : float32 array of shape (steps + 1, n_outputs, n_features)
        Weights before the first step and after each step.
    biases : float32 array of shape (steps + 1, n_outputs)
    loss : float64 array of shape (steps + 1,)
        Full-data MSE at each state (the average of the shard losses).
    ranks_agree : bool
        True when every rank ended every step with exactly the same parameters.
    """

    method: str
    world_size: int
    shard_size: int
    lr: float
    weights: np.ndarray
    biases: np.ndarray
    loss: np.ndarray
    ranks_agree: bool

    @property
    def final_weight(self) -> np.ndarray:
        """Weights after the last step, shape (n_outputs, n_features)."""
        return self.weights[-1]

    @property
    def final_bias(self) -> np.ndarray:
        """Bias after the last step, shape (n_outputs,)."""
        return self.biases[-1]

    @property
    def n_steps(self) -> int:
        """Number of steps taken."""
        return len(self.weights) - 1


def data_parallel_gd(
    X: Any,
    Y: Any,
    *,
    lr: float,
    steps: int,
    world_size: int = 2,
    method: str = "all_reduce",
    weight0: Any = None,
    bias0: Any = None,
    timeout: float = 60.0,
) -> ParallelRun:
    """Full-batch gradient descent on ``Y ≈ X @ W.T + b`` split over ``world_size`` processes.

    The samples are cut into ``world_size`` equal contiguous shards; process ``r`` holds shard
    ``r`` only. Each step, every process computes the MSE gradient on its shard; the gradients
    are summed with ``dist.all_reduce`` and divided by ``world_size``. With equal shards that
    average is the full-batch gradient, so the run matches single-process gradient descent
    step for step (up to float rounding, the sums are taken in another order).

    Parameters
    ----------
    X : array or tensor of shape (n_samples, n_features)
    Y : array or tensor of shape (n_samples, n_outputs) or (n_samples,)
        Trained in float32. ``n_samples`` must be a multiple of ``world_size``.
    lr : float
        Learning rate (> 0).
    steps : int
        Number of gradient steps (>= 1).
    world_size : int
        Number of processes (>= 1).
    method : {"all_reduce", "ddp"}
        Average the gradients by hand, or wrap an ``nn.Linear`` in ``DistributedDataParallel``
        and step with ``torch.optim.SGD``.
    weight0, bias0 : array, optional
        Initial weight (n_outputs, n_features) and bias (n_outputs,); default zeros.
    timeout : float
        Seconds before the run is stopped with TimeoutError.

    Returns
    -------
    ParallelRun
    """
    X = as_2d(X, "X").astype(np.float32)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs").astype(np.float32)
    check_same_n(X, Y, "X", "Y")
    lr = check_positive(lr, "lr")
    steps = check_int(steps, "steps")
    world_size = check_int(world_size, "world_size")
    check_choice(method, "method", METHODS)
    n, d = X.shape
    k = Y.shape[1]
    if n % world_size:
        raise ValueError(
            f"n_samples must be a multiple of world_size so that every process gets a shard of "
            f"the same size; got {n} samples and world_size={world_size} instead. Keep "
            f"the first {n - n % world_size} (X[:{n - n % world_size}]) or change world_size."
        )
    weight0 = _initial(weight0, (k, d), "weight0")
    bias0 = _initial(bias0, (k,), "bias0")
    args = (X, Y, lr, steps, weight0, bias0)
    outs = launch(_WORKERS[method], args, world_size=world_size, timeout=timeout)
    agree = all(
        np.array_equal(out[key], outs[0][key]) for out in outs for key in ("weights", "biases")
    )
    return ParallelRun(
        method=method,
        world_size=world_size,
        shard_size=n // world_size,
        lr=lr,
        weights=outs[0]["weights"],
        biases=outs[0]["biases"],
        loss=outs[0]["loss"],
        ranks_agree=agree,
    )


def _initial(value: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    if value is None:
        return np.zeros(shape, dtype=np.float32)
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    arr = np.asarray(value, dtype=np.float32)
    if arr.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape}; got shape {arr.shape} instead. Weights have "
            "shape (n_outputs, n_features), biases (n_outputs,)."
        )
    return np.ascontiguousarray(arr)
