"""The mean squared error, the linear model, and the analytic gradient of their combination.

Argument order follows PyTorch's ``loss(input, target)``: prediction first, target second.
:func:`mse` and :func:`linear_predict` work on NumPy arrays and on torch tensors (autograd
is kept); :func:`mse_grad` is the NumPy gradient the notebooks derive by hand.

This module holds the package's only implementation of the MSE and of its gradient: the
training loops (``fit_linear``, ``run_optimizer``, ``data_parallel_gd``), the plots and the
exercise checkers call :func:`_mean_square`, :func:`_residual` and :func:`_loss_and_step`
(private: no input checks, for the hot loops) instead of writing the formula again. Their
operation order is the one the recorded notebook outputs were computed with; changing it moves
printed digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._validate import (
    as_2d,
    as_float_array,
    as_float_tensor,
    check_finite,
    check_not_empty,
    check_same_n,
    is_torch,
)

__all__ = ["linear_predict", "mse", "mse_grad"]

Array = np.ndarray | torch.Tensor


def _same_kind(*items: tuple[Any, str]) -> list[Array]:
    """Convert every item to a float tensor if any is a tensor, else to a float array."""
    if any(is_torch(x) for x, _ in items):
        floats = [x.dtype for x, _ in items if is_torch(x) and x.is_floating_point()]
        dtype = floats[0] if floats else None
        return [as_float_tensor(x, name, dtype=dtype) for x, name in items]
    return [as_float_array(x, name) for x, name in items]


def mse(y_pred: Any, y: Any) -> np.floating | torch.Tensor:
    """Mean squared error ``sum((y_pred - y)**2) / y.size``: the mean over ALL elements.

    Parameters
    ----------
    y_pred : array or tensor of any shape
        The prediction (first, as in ``nn.MSELoss()(input, target)``).
    y : array or tensor of the same shape
        The target. Shapes must match exactly: ``(4,)`` and ``(4, 1)`` would broadcast to
        ``(4, 4)`` and give a wrong number, so they raise ValueError instead.

    Returns
    -------
    NumPy scalar or 0-d tensor
        NumPy inputs give a scalar of their dtype (``np.float32`` for float32); a torch
        input gives a 0-d tensor that keeps autograd. A NumPy argument mixed with a tensor is
        converted to the tensor's dtype. Integer inputs are converted to floats; NaN and
        infinity propagate (a diverging run shows ``inf``).

    Examples
    --------
    >>> y = np.array([2.0, 4.0, 6.0, 8.0], dtype=np.float32)
    >>> float(mse(np.zeros(4, dtype=np.float32), y))
    30.0
    >>> w = torch.tensor(1.0, requires_grad=True)
    >>> loss = mse(w * torch.tensor([1.0, 2.0]), torch.tensor([2.0, 4.0]))
    >>> loss.backward()
    >>> round(loss.item(), 3), round(w.grad.item(), 3)
    (2.5, -5.0)
    """
    y_pred, y = _same_kind((y_pred, "y_pred"), (y, "y"))
    if tuple(y_pred.shape) != tuple(y.shape):
        raise ValueError(
            f"y_pred and y must have the same shape; got {tuple(y_pred.shape)} and "
            f"{tuple(y.shape)} instead. Reshape one of them, e.g. y.reshape(y_pred.shape); "
            "NumPy and torch would otherwise broadcast them to a larger, wrong shape."
        )
    check_not_empty(y, "y")
    diff = y_pred - y
    if is_torch(diff):
        return _mean_square(diff)
    # the float64 quotient rounded to the array's dtype equals NumPy's division in that dtype
    # (float64 has more than 2 * 24 + 2 bits, so the double rounding is exact for float32)
    return diff.dtype.type(_mean_square(diff))


def _residual(X: Array, weight: Array, bias: Array, Y: Array) -> Array:
    """``X @ weight.T + bias - Y``, shape (n, k): NumPy or torch (autograd kept), no checks."""
    return X @ weight.T + bias - Y


def _mean_square(residual: Array, axis: int | None = None) -> Any:
    """The MSE of a residual, ``sum(r * r) / r.size``: the one implementation (no checks).

    NumPy: the sum of squares in the residual's dtype, divided as a Python float (float64);
    with ``axis``, the mean over that axis only, an array (the loss surface of the plots).
    Torch: a 0-d tensor of the residual's dtype that keeps autograd (``torch.mean(r * r)`` and
    ``torch.mean(r ** 2)`` give the same bits, forward and backward: tests/test_losses.py).
    """
    if isinstance(residual, torch.Tensor):
        return torch.sum(residual * residual) / residual.numel()
    # np.add.reduce is what np.sum calls (the same bits), without its ~3 us of dispatch: the
    # training loop calls this at every step (make bench: fit_linear vs the loop by hand)
    if axis is None:
        return float(np.add.reduce(residual * residual, axis=None)) / residual.size
    return np.add.reduce(residual * residual, axis=axis) / residual.shape[axis]


def _check_linear(X: Any, weight: Any, bias: Any) -> list[Array]:
    """Shared shape checks of the linear model; returns converted X, weight, bias."""
    X, weight, bias = _same_kind((X, "X"), (weight, "weight"), (bias, "bias"))
    if X.ndim != 2:
        raise ValueError(
            f"X must be a 2-D array of shape (n_samples, n_features); got shape "
            f"{tuple(X.shape)} instead. Use X.reshape(-1, 1) for a single feature."
        )
    if weight.ndim != 2 or weight.shape[1] != X.shape[1] or weight.shape[0] == 0:
        raise ValueError(
            f"weight must have shape (n_outputs, n_features) = (k, {X.shape[1]}), the layout "
            f"of nn.Linear.weight; got shape {tuple(weight.shape)} instead. "
            "For one output use weight.reshape(1, -1)."
        )
    if bias.ndim != 1 or bias.shape[0] != weight.shape[0]:
        raise ValueError(
            f"bias must have shape (n_outputs,) = ({weight.shape[0]},); got shape "
            f"{tuple(bias.shape)} instead. Use bias.reshape(-1) or one bias per output."
        )
    return [X, weight, bias]


def linear_predict(X: Any, weight: Any, bias: Any) -> Array:
    """Predictions of the linear model ``X @ weight.T + bias`` (what ``nn.Linear`` computes).

    Parameters
    ----------
    X : array or tensor of shape (n_samples, n_features)
    weight : array or tensor of shape (n_outputs, n_features)
    bias : array or tensor of shape (n_outputs,)

    Returns
    -------
    array or tensor of shape (n_samples, n_outputs)
        A tensor (with autograd) when any argument is a tensor, else a NumPy array. NaN and
        infinity propagate, as in :func:`mse`; no samples (``X`` of shape ``(0, d)``) give
        shape ``(0, n_outputs)``.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> linear_predict(X, np.array([[1.0, 1.0]]), np.array([0.5])).tolist()
    [[3.5], [7.5]]
    """
    X, weight, bias = _check_linear(X, weight, bias)
    return X @ weight.T + bias


def _loss_and_step(
    X: np.ndarray, Y: np.ndarray, weight: np.ndarray, bias: np.ndarray, lr: float = 1.0
) -> tuple[float, np.ndarray, np.ndarray]:
    """MSE at (weight, bias) and ``lr`` times its gradient (NumPy, no checks).

    ``gd.fit_linear`` calls it at every step with its learning rate (the step is
    ``weight - dweight``); :func:`mse_grad` calls it with ``lr=1.0``, the gradient itself
    (``1.0 * 2.0`` is exact, so both get the same bits as the formula written out). ``lr``
    enters the scalar ``lr * 2 / (n k)`` before the matrix product: one product per step.
    """
    residual = _residual(X, weight, bias, Y)  # (n, k)
    loss = _mean_square(residual)
    scale = lr * 2.0 / residual.size
    dweight = (scale * residual.T) @ X  # (k, d)
    dbias = scale * np.add.reduce(residual, axis=0)  # (k,): residual.sum(axis=0)
    return loss, dweight, dbias


def mse_grad(X: Any, Y: Any, weight: Any, bias: Any) -> tuple[np.ndarray, np.ndarray]:
    """Analytic gradient of ``mse(linear_predict(X, weight, bias), Y)`` (NumPy).

    With ``P = X @ weight.T + bias`` and the mean over all ``n * k`` elements:
    ``dweight = 2 / (n k) * (P - Y).T @ X`` and ``dbias = 2 / (n k) * sum_i (P - Y)_i``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    Y : array of shape (n_samples, n_outputs)
    weight : array of shape (n_outputs, n_features)
    bias : array of shape (n_outputs,)
        Torch tensors are accepted and detached; all values must be finite.

    Returns
    -------
    dweight : array of shape (n_outputs, n_features)
    dbias : array of shape (n_outputs,)

    Examples
    --------
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> dw, db = mse_grad(X, 2 * X, np.zeros((1, 1)), np.zeros(1))
    >>> dw.tolist(), db.tolist()
    ([[-30.0]], [-10.0])
    """
    X, weight, bias = (
        as_float_array(a, name) for a, name in ((X, "X"), (weight, "weight"), (bias, "bias"))
    )
    X, weight, bias = _check_linear(X, weight, bias)
    Y = as_2d(Y, "Y", what="n_outputs")
    check_same_n(X, Y, "X", "Y")
    if Y.shape[1] != weight.shape[0]:
        raise ValueError(
            f"Y must have one column per output, {weight.shape[0]} like weight's rows; got "
            f"shape {Y.shape} instead. Check that weight has shape (n_outputs, n_features)."
        )
    for arr, name in ((X, "X"), (weight, "weight"), (bias, "bias")):
        check_not_empty(arr, name)
        check_finite(arr, name)
    _, dweight, dbias = _loss_and_step(X, Y, weight, bias)
    return dweight, dbias
