"""The exact least-squares solution, the reference every gradient descent run aims at."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_2d, check_bool, check_same_n

__all__ = ["lstsq_fit"]


def lstsq_fit(X: Any, Y: Any, *, bias: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias minimising the MSE of ``y = X @ weight.T + bias`` exactly.

    Solves the least-squares problem ``[X, 1] @ [weight, bias].T ~ Y`` with
    ``numpy.linalg.lstsq`` in float64 (no iterations, no learning rate).

    Parameters
    ----------
    X : array of shape (n_samples, n_features) or (n_samples,)
        Inputs; 1-D means one feature.
    Y : array of shape (n_samples, n_outputs) or (n_samples,)
        Targets; 1-D means one output.
    bias : bool
        Fit a bias; False forces the line through the origin and returns zero biases.

    Returns
    -------
    weight : float64 array of shape (n_outputs, n_features)
    bias : float64 array of shape (n_outputs,)

    Examples
    --------
    >>> w, b = lstsq_fit([1.0, 2.0, 3.0, 4.0], [3.0, 5.0, 7.0, 9.0])
    >>> np.round(w, 6).tolist(), np.round(b, 6).tolist()
    ([[2.0]], [1.0])
    """
    bias = check_bool(bias, "bias")
    X = as_2d(X, "X", allow_1d=True).astype(np.float64)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs").astype(np.float64)
    check_same_n(X, Y, "X", "Y")
    A = np.hstack([X, np.ones((X.shape[0], 1))]) if bias else X
    solution, *_ = np.linalg.lstsq(A, Y, rcond=None)  # (d [+ 1], k)
    n_features = X.shape[1]
    weight = solution[:n_features].T.copy()
    b = solution[n_features].copy() if bias else np.zeros(Y.shape[1])
    return weight, b
