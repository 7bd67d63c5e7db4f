"""How large may the learning rate be? Stability bounds of gradient descent on the MSE.

The MSE of a linear model is a quadratic bowl with Hessian ``H``. One gradient step
multiplies the error along an eigenvector of ``H`` by ``1 - lr * lambda``; the step is
stable when ``|1 - lr * lambda| < 1`` for every eigenvalue, i.e. ``lr < 2 / lambda_max``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_2d, check_bool, check_int

__all__ = ["lr_stability_bound", "per_sample_stability_bounds", "sgd_stability_bound"]


def _inputs(X: Any) -> np.ndarray:
    """The inputs as a float64 array of shape (n, d); 1-D is one feature."""
    return as_2d(X, "X", allow_1d=True).astype(np.float64)


def _check_no_overflow(values: np.ndarray, X: np.ndarray) -> None:
    """Raise when the squares of X overflow float64 (the bound would come out inf or NaN)."""
    if not np.isfinite(values).all():
        raise ValueError(
            "X must have values whose squares fit in float64; got values up to "
            f"{np.abs(X).max():.3g}, whose squares overflow to infinity instead. Standardise the "
            "inputs first: X = (X - X.mean(axis=0)) / X.std(axis=0)."
        )


def _gram(X: np.ndarray, bias: bool) -> np.ndarray:
    """``A.T @ A`` for ``A = [X, 1]``, assembled from blocks (no copy of X with a ones column)."""
    G = X.T @ X
    if not bias:
        return G
    col = X.sum(axis=0)
    return np.block([[G, col[:, None]], [col[None, :], np.array([[X.shape[0]]])]])


def lr_stability_bound(X: Any, *, bias: bool = True, n_outputs: int = 1) -> float:
    """Largest learning rate for which full-batch gradient descent on the MSE converges.

    The loss is the mean over all ``n * n_outputs`` squared errors of ``y = X @ W.T + b``.
    Its Hessian (for each output's weights) is ``H = 2 / (n * n_outputs) * A.T @ A`` with
    ``A = [X, 1]``, and gradient descent converges for ``lr < 2 / lambda_max(H)``; at larger
    learning rates the loss grows without bound. The bound depends on the inputs only.

    Parameters
    ----------
    X : array of shape (n_samples, n_features) or (n_samples,)
        The inputs; 1-D means one feature.
    bias : bool
        Whether the model has a bias (adds the column of ones).
    n_outputs : int
        Number of outputs ``k`` (the mean runs over ``n * k`` elements).

    Returns
    -------
    float
        ``2 / lambda_max(H)`` (``inf`` when ``H`` is zero).

    Examples
    --------
    For ``y = 2x`` on ``x = 1, 2, 3, 4`` without bias, ``H = 2 * mean(x**2) = 15``:

    >>> round(lr_stability_bound([1.0, 2.0, 3.0, 4.0], bias=False), 4)
    0.1333
    """
    n_outputs = check_int(n_outputs, "n_outputs")
    bias = check_bool(bias, "bias")
    X = _inputs(X)
    with np.errstate(over="ignore", invalid="ignore"):
        H = 2.0 / (X.shape[0] * n_outputs) * _gram(X, bias)
    _check_no_overflow(H, X)
    lam_max = float(np.linalg.eigvalsh(H)[-1])
    return 2.0 / lam_max if lam_max > 0 else float("inf")


def per_sample_stability_bounds(X: Any, *, bias: bool = True, n_outputs: int = 1) -> np.ndarray:
    """Stability bound of a step on ONE sample's squared error, for every sample.

    For sample ``a = [x_i, 1]`` the loss ``mean_k (a . w_k - y_ik)**2`` has Hessian
    ``2 / n_outputs * a a^T``, whose largest eigenvalue is ``2 |a|**2 / n_outputs``; the bound
    is ``n_outputs / (a . a)``. Samples far from the origin allow only small steps.

    Parameters
    ----------
    X : array of shape (n_samples, n_features) or (n_samples,)
    bias : bool
        Whether the model has a bias.
    n_outputs : int
        Number of outputs ``k`` of the model.

    Returns
    -------
    ndarray of shape (n_samples,)
        The bound of each sample (``inf`` for a zero row without bias).

    Examples
    --------
    With a bias, the sample ``x = 3`` allows ``lr < 1 / (9 + 1)``:

    >>> per_sample_stability_bounds([3.0, 1.0]).round(3).tolist()
    [0.1, 0.5]
    """
    n_outputs = check_int(n_outputs, "n_outputs")
    bias = check_bool(bias, "bias")
    X = _inputs(X)
    with np.errstate(over="ignore", invalid="ignore"):
        sq_norm = np.einsum("ij,ij->i", X, X) + (1.0 if bias else 0.0)  # a . a, a = [x_i, 1]
    _check_no_overflow(sq_norm, X)
    with np.errstate(divide="ignore"):
        return n_outputs / sq_norm


def sgd_stability_bound(X: Any, *, bias: bool = True, n_outputs: int = 1) -> float:
    """Learning rate below which EVERY single-sample step is contracting: the min bound.

    This is sufficient, not necessary: stochastic gradient descent may still converge at a
    slightly larger rate, but then steps on the far-out samples overshoot.

    Parameters
    ----------
    X : array of shape (n_samples, n_features) or (n_samples,)
    bias : bool
        Whether the model has a bias.
    n_outputs : int
        Number of outputs ``k`` of the model.

    Returns
    -------
    float
        ``min_i 1 / (a_i . a_i)`` (times ``n_outputs``).

    Examples
    --------
    >>> round(sgd_stability_bound([1.0, 2.0, 3.0, 4.0], bias=False), 4)
    0.0625
    """
    return float(np.min(per_sample_stability_bounds(X, bias=bias, n_outputs=n_outputs)))
