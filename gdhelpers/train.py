"""Gradient descent on a linear model with the MSE: batch, stochastic and mini-batch.

:func:`fit_linear` is the loop the notebooks write by hand, packed up for later notebooks:

    for each epoch:
        (optionally) shuffle the samples
        for each batch of ``batch_size`` samples, in order:
            loss, gradient = MSE of the batch and its gradient
            weight -= lr * dweight;  bias -= lr * dbias

It records everything a plot needs in a :class:`History` (every state, or every
``record_every``-th one). The MSE and its gradient come from :mod:`gdhelpers.losses`, the one
implementation of the package.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ._validate import (
    MAX_BYTES,
    as_2d,
    check_bool,
    check_choice,
    check_int,
    check_positive,
    check_same_n,
    check_seed,
    initial_params,
)
from .history import History, diverged
from .losses import _loss_and_step, _mean_square, _residual
from .stability import lr_stability_bound, sgd_stability_bound

__all__ = ["fit_linear"]

ON_DIVERGENCE = ("raise", "stop", "continue")


def fit_linear(
    X: Any,
    Y: Any,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    shuffle: bool = False,
    seed: int = 0,
    weight0: Any = None,
    bias0: Any = None,
    bias: bool = True,
    backend: str = "numpy",
    on_divergence: str = "raise",
    track_full_loss: bool = True,
    record_every: int = 1,
) -> History:
    """Fit ``y = X @ W.T + b`` to the MSE with (batch, stochastic or mini-batch) gradient descent.

    Parameters
    ----------
    X : array or tensor of shape (n_samples, n_features) or (n_samples,)
    Y : array or tensor of shape (n_samples, n_outputs) or (n_samples,)
        1-D means one feature / one output. Integers become floats; float32 data are
        trained in float32, everything else in float64 (backend "numpy").
    lr : float
        Learning rate (> 0).
    epochs : int
        Passes over the data (>= 1).
    batch_size : int, optional
        None (or >= n_samples): full batch, one step per epoch; 1: stochastic; else mini-batch.
    shuffle : bool
        Permute the samples each epoch with ``np.random.default_rng(seed)``; else the batches
        are taken in order. A full batch is never shuffled (the order does not matter).
    seed : int
        Seed of the permutations.
    weight0, bias0 : number or array, optional
        Initial weight ``(k, d)`` and bias ``(k,)``; default zeros; a number fills the shape.
    bias : bool
        Train the bias; False keeps it at ``bias0`` (zero by default).
    backend : {"numpy", "torch"}
        "numpy" uses the analytic gradient of :func:`~gdhelpers.mse_grad`; "torch" uses
        autograd and ``torch.no_grad()`` updates on float32 tensors, in the same data order.
    on_divergence : {"raise", "stop", "continue"}
        When a loss becomes NaN/inf: raise FloatingPointError, return the history so far with
        ``diverged=True``, or keep going.
    track_full_loss : bool
        Record the full-data loss at every recorded state (``History.loss``). Costs one pass
        over the data per recorded state: turn it off for large data.
    record_every : int
        Record the state after every ``record_every``-th step (and the last one) instead of
        every step (>= 1). With ``S`` steps, ``weights`` then has shape
        ``(S // record_every + 1 (+1 if record_every does not divide S), k, d)``, and
        ``biases``, ``grad_evals``, ``loss``, ``steps`` and ``step_loss`` (one fewer) hold
        the same states; ``epoch_loss`` is unchanged. The training itself is the same.

    Returns
    -------
    History

    Examples
    --------
    The ``y = 2x`` of the original tutorial "Gradient Descent using NumPy vs PyTorch" (its
    gradient is a sum, 4 times the mean, so its lr 0.01 is 0.04 here):

    >>> X, Y = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]
    >>> hist = fit_linear(X, Y, lr=0.04, epochs=10, bias=False)
    >>> round(float(hist.final_weight[0, 0]), 3), hist.method, hist.n_steps
    (2.0, 'batch', 10)
    >>> np.round(hist.epoch_loss[:3], 4).tolist()
    [30.0, 4.8, 0.768]
    >>> sparse = fit_linear(X, Y, lr=0.04, epochs=10, bias=False, record_every=4)
    >>> sparse.steps.tolist(), sparse.weights.shape, bool(sparse.final_weight == hist.final_weight)
    ([0, 4, 8, 10], (4, 1, 1), True)
    """
    X = as_2d(X, "X", allow_1d=True)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs")
    check_same_n(X, Y, "X", "Y")
    lr = check_positive(lr, "lr")
    epochs = check_int(epochs, "epochs")
    record_every = check_int(record_every, "record_every")
    seed = check_seed(seed)
    shuffle = check_bool(shuffle, "shuffle")
    bias = check_bool(bias, "bias")
    track_full_loss = check_bool(track_full_loss, "track_full_loss")
    check_choice(backend, "backend", ("numpy", "torch"))
    check_choice(on_divergence, "on_divergence", ON_DIVERGENCE)
    n, d = X.shape
    k = Y.shape[1]
    m = n if batch_size is None else min(check_int(batch_size, "batch_size"), n)
    method = "batch" if m == n else "stochastic" if m == 1 else "minibatch"
    dtype = np.float32 if X.dtype == Y.dtype == np.float32 else np.float64
    if backend == "torch":
        dtype = np.float32
    X, Y = X.astype(dtype, copy=False), Y.astype(dtype, copy=False)
    W = initial_params(weight0, (k, d), "weight0", dtype=dtype)
    b = initial_params(bias0, (k,), "bias0", dtype=dtype)
    bound_of = sgd_stability_bound if method == "stochastic" else lr_stability_bound

    def bound_fn() -> float:  # only computed when needed: it costs a pass over X
        return bound_of(X, bias=bias, n_outputs=k)

    steps_per_epoch = math.ceil(n / m)
    total = epochs * steps_per_epoch
    n_states = _states(total, record_every)
    _check_history_size(
        total, record_every, epochs, (k, d), np.dtype(dtype).itemsize, track_full_loss
    )
    step = _torch_stepper(X, Y, W, b, lr, bias) if backend == "torch" else None
    weights = np.empty((n_states, k, d), dtype=dtype)
    biases = np.empty((n_states, k), dtype=dtype)
    step_loss = np.empty(n_states - 1)
    full_loss = np.empty(n_states) if track_full_loss else None
    epoch_loss = np.empty(epochs + 1)
    epoch_steps = np.empty(epochs + 1, dtype=np.int64)
    weights[0], biases[0] = W, b
    epoch_loss[0] = _mean_square(_residual(X, W, b, Y))
    epoch_steps[0] = 0
    if full_loss is not None:
        full_loss[0] = epoch_loss[0]
    nonfinite = False

    def blow_up(epoch: int, j: int, value: float) -> bool:
        """React to a non-finite loss; True means: stop here."""
        nonlocal nonfinite
        nonfinite = True
        if on_divergence == "raise":
            raise FloatingPointError(
                f"training diverged at epoch {epoch + 1} step {j + 1}: loss became {value} "
                f"with lr={lr:g}; the stability bound for these inputs is lr < {bound_fn():.3g} "
                f"(gd.{bound_of.__name__}). Lower the learning rate or standardise the inputs; "
                "pass on_divergence='stop' to keep the history instead."
            )
        return on_divergence == "stop"

    rng = np.random.default_rng(seed)
    s = 0  # steps taken so far
    r = 0  # index of the last recorded state
    next_record = record_every  # the step count of the next state to record
    e = 0  # index of the last epoch_loss entry
    last_loss = math.nan  # batch loss of the last step taken
    stopped = False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle and m < n else None
            Xe, Ye = (X, Y) if order is None else (X[order], Y[order])
            # (every line here runs at every step: make bench times it against the loop by hand)
            for start in range(0, n, m):
                if step is None:  # NumPy: the analytic gradient of the batch MSE (gd.mse_grad)
                    batch_loss, dW, db = _loss_and_step(
                        Xe[start : start + m], Ye[start : start + m], W, b, lr
                    )
                    new_W, new_b = W - dW, b - db if bias else b
                else:  # torch: autograd, same batches
                    batch_loss, new_W, new_b = step(order, start, m)
                if not math.isfinite(batch_loss) and blow_up(epoch, start // m, batch_loss):
                    stopped = True  # W, b: the state before the failed step
                    break
                W, b, last_loss = new_W, new_b, batch_loss
                s += 1
                if s == next_record:
                    r += 1
                    next_record += record_every
                    weights[r], biases[r], step_loss[r - 1] = W, b, batch_loss
                    if full_loss is not None:
                        full_loss[r] = _mean_square(_residual(X, W, b, Y))
            if s > epoch_steps[e]:  # (a run stopped at an epoch's first step has no new state)
                e += 1
                epoch_loss[e] = _mean_square(_residual(X, W, b, Y))
                epoch_steps[e] = s
            if stopped:
                break
            if not math.isfinite(epoch_loss[e]) and blow_up(epoch, (n - 1) // m, epoch_loss[e]):
                stopped = True
                break

    recorded = np.arange(0, s + 1, min(record_every, s + 1))  # (a huge record_every: [0])
    if recorded[-1] != s:  # the last state, when record_every does not divide the steps
        recorded = np.append(recorded, s)
        r += 1
        weights[r], biases[r], step_loss[r - 1] = W, b, last_loss
        if full_loss is not None:
            full_loss[r] = _mean_square(_residual(X, W, b, Y))
    return History(
        method=method,
        label=f"GD(lr={lr:g}, batch_size={m})",
        lr=lr,
        batch_size=m,
        epoch_loss=epoch_loss[: e + 1],
        epoch_steps=epoch_steps[: e + 1],
        epoch_grad_evals=_grad_evals(epoch_steps[: e + 1], steps_per_epoch, n, m),
        steps=recorded,
        weights=weights[: r + 1],
        biases=biases[: r + 1],
        grad_evals=_grad_evals(recorded, steps_per_epoch, n, m),
        step_loss=step_loss[:r],
        loss=None if full_loss is None else full_loss[: r + 1],
        diverged=diverged(epoch_loss[0], epoch_loss[e], nonfinite),
        bound_fn=bound_fn,
    )


def _grad_evals(steps: np.ndarray, steps_per_epoch: int, n: int, m: int) -> np.ndarray:
    """Per-sample gradients after ``steps`` steps: n per epoch, m per step of the epoch begun.

    (Only an epoch's last batch may be smaller than m, and it ends the epoch.)
    """
    return steps // steps_per_epoch * n + steps % steps_per_epoch * m


def _states(total: int, record_every: int) -> int:
    """Recorded states of a run of ``total`` steps: 0, r, 2r, ... and the last one."""
    return total // record_every + 1 + (1 if total % record_every else 0)


def _check_history_size(
    total: int, record_every: int, epochs: int, kd: tuple[int, int], itemsize: int, full: bool
) -> None:
    """Refuse, before allocating, a history larger than MAX_BYTES (_validate)."""
    (k, d), n_states = kd, _states(total, record_every)
    per_state = (k * d + k) * itemsize + 8 + 8 + 8 + (8 if full else 0)  # state, losses, steps
    need = n_states * per_state + (epochs + 1) * 16  # and the loss and step of every epoch
    if need > MAX_BYTES:
        if (epochs + 1) * 16 > MAX_BYTES // 2:
            fix = "Use fewer epochs (each keeps its loss), or write the loop by hand."
        else:
            every = math.ceil(n_states * per_state / (MAX_BYTES // 2))
            fix = (
                f"Record fewer states with record_every (e.g. record_every={every:,}), use "
                "fewer epochs or a larger batch_size (fewer steps), or write the loop by hand."
            )
        raise ValueError(
            f"epochs must be small enough for the history to fit in memory; got {total:,} steps "
            f"and {n_states:,} states to record with record_every={record_every} "
            f"({need / 1024**3:,.1f} GiB, the limit is {MAX_BYTES / 1024**3:.0f} GiB) instead. "
            f"{fix}"
        )


def _torch_stepper(
    X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray, lr: float, bias: bool
) -> Callable[[np.ndarray | None, int, int], tuple[float, np.ndarray, np.ndarray]]:
    """A step function doing what the notebooks do in PyTorch: autograd, no_grad update."""
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=bias)

    def step(order: np.ndarray | None, start: int, m: int) -> tuple[float, np.ndarray, np.ndarray]:
        idx = (
            slice(start, start + m) if order is None else torch.from_numpy(order[start : start + m])
        )
        loss = _mean_square(_residual(Xt[idx], Wt, bt, Yt[idx]))
        loss.backward()
        with torch.no_grad():
            Wt.sub_(lr * Wt.grad)
            Wt.grad.zero_()
            if bias:
                bt.sub_(lr * bt.grad)
                bt.grad.zero_()
        return loss.item(), Wt.detach().numpy().copy(), bt.detach().numpy().copy()

    return step
