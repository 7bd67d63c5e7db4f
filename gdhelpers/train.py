"""Gradient descent on a linear model with the MSE: batch, stochastic and mini-batch.

:func:`fit_linear` is the loop the notebooks write by hand, packed up for later notebooks:

    for each epoch:
        (optionally) shuffle the samples
        for each batch of ``batch_size`` samples, in order:
            loss, gradient = MSE of the batch and its gradient
            weight -= lr * dweight;  bias -= lr * dbias

It records everything a plot needs in a :class:`History`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ._validate import (
    as_2d,
    check_bool,
    check_choice,
    check_int,
    check_positive,
    check_same_n,
    check_seed,
    initial_params,
)
from .history import History
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
        Record the full-data loss after every step (``History.loss``). Costs one pass over the
        data per step: turn it off for large data.

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
    """
    X = as_2d(X, "X", allow_1d=True)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs")
    check_same_n(X, Y, "X", "Y")
    lr = check_positive(lr, "lr")
    epochs = check_int(epochs, "epochs")
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

    step = _torch_stepper(X, Y, W, b, lr, bias) if backend == "torch" else None
    steps_per_epoch = math.ceil(n / m)
    total = epochs * steps_per_epoch
    _check_history_size(total, k, d, np.dtype(dtype).itemsize, track_full_loss)
    weights = np.empty((total + 1, k, d), dtype=dtype)
    biases = np.empty((total + 1, k), dtype=dtype)
    step_loss = np.empty(total)
    full_loss = np.empty(total + 1) if track_full_loss else None
    weights[0], biases[0] = W, b
    epoch_loss = [_full_loss(X, Y, W, b)]
    epoch_steps = [0]
    if full_loss is not None:
        full_loss[0] = epoch_loss[0]

    def blow_up(epoch: int, j: int, value: float) -> bool:
        """React to a non-finite loss; True means: stop here."""
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
    stopped = False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle and m < n else None
            Xe, Ye = (X, Y) if order is None else (X[order], Y[order])
            for j, start in enumerate(range(0, n, m)):
                Xb, Yb = Xe[start : start + m], Ye[start : start + m]
                if step is None:  # NumPy: the analytic gradient of the batch MSE (gd.mse_grad)
                    R = Xb @ W.T + b - Yb  # residuals, (m, k)
                    batch_loss = float(np.sum(R * R)) / R.size
                    step_size = lr * 2.0 / R.size  # lr times the 2/(m k) of the MSE gradient
                    W = W - (step_size * R.T) @ Xb
                    if bias:
                        b = b - step_size * R.sum(axis=0)
                else:  # torch: autograd, same batches
                    batch_loss, W, b = step(order, start, m)
                if not math.isfinite(batch_loss) and blow_up(epoch, j, batch_loss):
                    W, b = weights[s], biases[s]  # the state before the failed step
                    stopped = True
                    break
                s += 1
                weights[s], biases[s], step_loss[s - 1] = W, b, batch_loss
                if full_loss is not None:
                    full_loss[s] = _full_loss(X, Y, W, b)
            if s > epoch_steps[-1]:  # (a run stopped at an epoch's first step has no new state)
                epoch_loss.append(_full_loss(X, Y, W, b))
                epoch_steps.append(s)
            if stopped:
                break
            if not math.isfinite(epoch_loss[-1]) and blow_up(epoch, j, epoch_loss[-1]):
                stopped = True
                break

    final, initial = epoch_loss[-1], epoch_loss[0]
    return History(
        method=method,
        lr=lr,
        batch_size=m,
        epoch_loss=np.array(epoch_loss),
        step_loss=step_loss[:s],
        weights=weights[: s + 1],
        biases=biases[: s + 1],
        grad_evals=_grad_evals(n, m, epochs)[: s + 1],
        diverged=stopped or not math.isfinite(final) or final > initial,
        bound_fn=bound_fn,
        loss=None if full_loss is None else full_loss[: s + 1],
        epoch_steps=np.array(epoch_steps),
    )


# The history keeps every step's state; beyond this it would not fit a learner's laptop.
MAX_HISTORY_BYTES = 2 * 1024**3


def _check_history_size(total: int, k: int, d: int, itemsize: int, full: bool) -> None:
    """Refuse, before allocating, a history larger than MAX_HISTORY_BYTES."""
    per_step = (k * d + k) * itemsize + 8 + 8 + (8 if full else 0)  # state, losses, evals
    need = (total + 1) * per_step
    if need > MAX_HISTORY_BYTES:
        raise ValueError(
            f"epochs must be small enough for the history to fit in memory; got {total:,} steps "
            f"to record ({need / 1024**3:,.1f} GiB, the limit is "
            f"{MAX_HISTORY_BYTES / 1024**3:.0f} GiB) instead. Use fewer epochs or a larger "
            "batch_size (fewer steps), or write the loop by hand if you need no history."
        )


def _grad_evals(n: int, m: int, epochs: int) -> np.ndarray:
    """Cumulative per-sample gradients after each step: batches of m, the last one smaller."""
    sizes = [min(m, n - start) for start in range(0, n, m)] * epochs
    return np.concatenate([[0], np.cumsum(sizes)])


def _full_loss(X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """Full-data MSE at (W, b), a Python float."""
    residual = X @ W.T + b - Y
    return float(np.sum(residual * residual)) / residual.size


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
        Xb, Yb = Xt[idx], Yt[idx]
        diff = Xb @ Wt.T + bt - Yb
        loss = torch.sum(diff * diff) / diff.numel()
        loss.backward()
        with torch.no_grad():
            Wt.sub_(lr * Wt.grad)
            Wt.grad.zero_()
            if bias:
                bt.sub_(lr * bt.grad)
                bt.grad.zero_()
        return loss.item(), Wt.detach().numpy().copy(), bt.detach().numpy().copy()

    return step
