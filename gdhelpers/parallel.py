"""Data-parallel gradient descent with ``torch.distributed`` on one machine (gloo, CPU).

Notebook 08 runs gradient descent in a few worker *processes*. Each worker holds one shard (an
equal slice) of the data, computes the gradient of the loss on its shard, and the workers
average their gradients with ``dist.all_reduce``. With equal shard sizes the average of the
shard-mean gradients is exactly the full-batch gradient, so every worker takes the same step
as single-process full-batch gradient descent.

* :func:`data_parallel_gd` -- the training run, with a hand-written all-reduce
  (:func:`_all_reduce_worker`) or with ``DistributedDataParallel`` (:func:`_ddp_worker`);
  returns a :class:`~gdhelpers.History` (rank 0's copy; ``ranks_agree`` compares the ranks).

Starting the processes, collecting their results and cleaning up is the job of
:func:`gdhelpers.parallel.launch` (defined in ``processes``). Across many machines the same
workers run under ``torchrun``,
with ``MASTER_ADDR`` set to a machine on the network and the ``nccl`` backend for GPUs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from ._validate import (
    MAX_WORLD_SIZE,
    as_2d,
    check_choice,
    check_fits_in_memory,
    check_int,
    check_positive,
    check_same_n,
    initial_params,
)
from .history import History, full_batch_history
from .losses import _mean_square, _residual
from .processes import _WORLD_SIZE_WHY, WorkerError, free_port, launch
from .stability import lr_stability_bound

# The process plumbing is public here, as gd.parallel.launch etc., not in gd itself.
__all__ = ["WorkerError", "data_parallel_gd", "free_port", "launch"]

METHODS = ("all_reduce", "ddp")


# ----------------------------------------------------------------------------- the workers


def _shard(X: np.ndarray, Y: np.ndarray, rank: int, world_size: int) -> tuple[Any, Any]:
    """Rows ``rank * m`` to ``(rank + 1) * m`` of X and Y as tensors (``m = n / world_size``).

    Examples
    --------
    >>> X, Y = np.arange(12.0).reshape(6, 2), np.arange(6.0).reshape(6, 1)
    >>> Xs, Ys = _shard(X, Y, rank=1, world_size=3)
    >>> Xs.tolist(), Ys.tolist()
    ([[4.0, 5.0], [6.0, 7.0]], [[2.0], [3.0]])
    """
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
    history = []
    for step in range(steps + 1):
        loss = _mean_square(_residual(Xs, w, b, Ys))  # the MSE of this shard
        state = (w.detach().clone(), b.detach().clone())
        history.append((*state, _average(loss.detach().clone(), world_size)))
        if step == steps:
            break
        loss.backward()
        with torch.no_grad():
            for p in (w, b):
                _average(p.grad, world_size)  # now the full-batch gradient, on every rank
                p -= lr * p.grad
                p.grad = None
    return _pack(history)


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
    ddp = DDP(model)  # copies rank 0's parameters to all ranks; averages gradients in backward()
    optimizer = torch.optim.SGD(ddp.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()
    history = []
    for step in range(steps + 1):
        loss = loss_fn(ddp(Xs), Ys)  # the MSE of this shard
        state = (model.weight.detach().clone(), model.bias.detach().clone())
        history.append((*state, _average(loss.detach().clone(), world_size)))
        if step == steps:
            break
        optimizer.zero_grad()
        loss.backward()  # DDP all-reduces the gradients here
        optimizer.step()
    del ddp, optimizer  # release DDP's reducer before the process group is destroyed
    return _pack(history)


def _pack(history: list[tuple[torch.Tensor, ...]]) -> dict[str, np.ndarray]:
    """Stack (weight, bias, full-data loss) of every state into arrays.

    Examples
    --------
    >>> w, b, loss = torch.zeros(1, 2), torch.zeros(1), torch.tensor(4.0)
    >>> {key: value.shape for key, value in _pack([(w, b, loss)] * 3).items()}
    {'weights': (3, 1, 2), 'biases': (3, 1), 'loss': (3,)}
    """
    weights, biases, losses = zip(*history, strict=True)
    return {
        "weights": torch.stack(weights).numpy(),
        "biases": torch.stack(biases).numpy(),
        "loss": torch.stack(losses).numpy().astype(np.float64),
    }


_WORKERS = {"all_reduce": _all_reduce_worker, "ddp": _ddp_worker}


# ----------------------------------------------------------------------------- the run


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
) -> History:
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
    weight0, bias0 : number or array, optional
        Initial weight (n_outputs, n_features) and bias (n_outputs,) of finite numbers;
        default zeros; a number fills the shape (checked by the same function as
        ``fit_linear``'s).
    timeout : float
        Seconds before the run is stopped with TimeoutError.

    Returns
    -------
    History
        Rank 0's record, with ``method="batch"``, ``label`` such as
        ``"all_reduce(world_size=2)"``, ``world_size``, ``shard_size`` (samples per process)
        and ``ranks_agree`` (True when every rank ended every step with exactly the same
        parameters). ``weights`` and ``biases`` are float32; ``loss[t]``, the full-data MSE
        after ``t`` steps, is the average of the shard losses.

    Examples
    --------
    Two processes, 5 steps (starting the processes takes a few seconds):

    >>> from gdhelpers.data import make_regression
    >>> data = make_regression(400, 3, seed=1)
    >>> run = data_parallel_gd(data.X, data.Y, lr=0.1, steps=5, world_size=2)
    >>> run.ranks_agree, run.n_steps, bool(run.loss[-1] < run.loss[0])
    (True, 5, True)
    """
    X = as_2d(X, "X").astype(np.float32)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs").astype(np.float32)
    check_same_n(X, Y, "X", "Y")
    lr = check_positive(lr, "lr")
    steps = check_int(steps, "steps")
    world_size = check_int(world_size, "world_size", maximum=MAX_WORLD_SIZE, why=_WORLD_SIZE_WHY)
    check_choice(method, "method", METHODS)
    n, d = X.shape
    k = Y.shape[1]
    if n % world_size:
        raise ValueError(
            f"n_samples must be a multiple of world_size so that every process gets a shard of "
            f"the same size; got {n} samples and world_size={world_size} instead. Keep "
            f"the first {n - n % world_size} (X[:{n - n % world_size}]) or change world_size."
        )
    weight0 = initial_params(weight0, (k, d), "weight0", dtype=np.float32)
    bias0 = initial_params(bias0, (k,), "bias0", dtype=np.float32)
    check_fits_in_memory(  # every worker records every state
        world_size * (steps + 1) * ((k * d + k) * 4 + 8),
        "steps",
        f"the recorded states ({steps:,} steps in {world_size} workers)",
        "Use fewer steps.",
    )
    args = (X, Y, lr, steps, weight0, bias0)
    outs = launch(_WORKERS[method], args, world_size=world_size, timeout=timeout)
    agree = all(
        np.array_equal(out[key], outs[0][key]) for out in outs for key in ("weights", "biases")
    )
    return full_batch_history(
        label=f"{method}(world_size={world_size})",
        lr=lr,
        n_samples=n,
        loss=outs[0]["loss"],
        weights=outs[0]["weights"],
        biases=outs[0]["biases"],
        bound_fn=lambda: lr_stability_bound(X, n_outputs=k),
        world_size=world_size,
        ranks_agree=agree,
    )
