"""Data sets of the course: the same numbers as the source tutorials, plus a fast generator.

* :func:`toy_data` -- ``y = 2x`` on four points (the original tutorial "Gradient Descent using
  NumPy vs PyTorch" of Patrick Loeber's PyTorch tutorial series);
* :func:`crops_data` -- the crop-yield table of the original tutorial "Linear Regression and
  Gradient Descent using basic pytorch operations": temperature, rainfall and humidity of five
  regions, and their yields of apples and oranges;
* :func:`noisy_line` -- ``y = -5x + noise`` on 100 points (the original tutorial "Implementing
  Gradient Descent in PyTorch", Machine Learning Mastery), with a seeded noise;
* :func:`make_regression` -- a random linear regression problem of any size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._validate import (
    BACKENDS,
    check_bool,
    check_choice,
    check_fits_in_memory,
    check_int,
    check_positive,
    check_seed,
    to_backend,
)

__all__ = [
    "CROPS_FEATURES",
    "CROPS_TARGETS",
    "RegressionData",
    "crops_data",
    "make_regression",
    "noisy_line",
    "toy_data",
]

CROPS_FEATURES = ("temperature", "rainfall", "humidity")
CROPS_TARGETS = ("apples", "oranges")

_CROPS_INPUTS = [[73, 67, 43], [91, 88, 64], [87, 134, 58], [102, 43, 37], [69, 96, 70]]
_CROPS_TARGETS = [[56, 70], [81, 101], [119, 133], [22, 37], [103, 119]]

Array = np.ndarray | torch.Tensor


def toy_data(*, backend: str = "numpy", column: bool = False) -> tuple[Array, Array]:
    """The four points of ``y = 2x`` used in the first notebooks.

    Parameters
    ----------
    backend : {"numpy", "torch"}
        Return NumPy arrays or torch tensors.
    column : bool
        False gives shape ``(4,)``; True gives column vectors of shape ``(4, 1)``, the shape
        ``nn.Linear`` expects (one sample per row, one feature per column).

    Returns
    -------
    X, Y : float32 arrays of shape (4,) or (4, 1)
        ``X = [1, 2, 3, 4]`` and ``Y = 2 X``.

    Examples
    --------
    >>> X, Y = toy_data()
    >>> X.tolist(), Y.tolist()
    ([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])
    >>> X, Y = toy_data(backend="torch", column=True)
    >>> tuple(X.shape), X.dtype
    ((4, 1), torch.float32)
    """
    check_choice(backend, "backend", BACKENDS)
    column = check_bool(column, "column")
    X = np.array([1, 2, 3, 4], dtype=np.float32)
    Y = 2 * X
    if column:
        X, Y = X.reshape(-1, 1), Y.reshape(-1, 1)
    return to_backend(X, backend), to_backend(Y, backend)


def crops_data(*, backend: str = "numpy") -> tuple[Array, Array]:
    """Crop yields of five regions: three inputs, two targets (notebook 04's original tutorial).

    The tutorial is "Linear Regression and Gradient Descent using basic pytorch operations".

    Parameters
    ----------
    backend : {"numpy", "torch"}
        Return NumPy arrays or torch tensors.

    Returns
    -------
    inputs : float32 array of shape (5, 3)
        Columns in the order of :data:`CROPS_FEATURES` (temperature, rainfall, humidity).
    targets : float32 array of shape (5, 2)
        Columns in the order of :data:`CROPS_TARGETS` (apples, oranges).

    Examples
    --------
    >>> inputs, targets = crops_data()
    >>> inputs.shape, targets.shape, inputs.dtype
    ((5, 3), (5, 2), dtype('float32'))
    >>> dict(zip(CROPS_FEATURES, inputs[0].tolist()))
    {'temperature': 73.0, 'rainfall': 67.0, 'humidity': 43.0}
    """
    check_choice(backend, "backend", BACKENDS)
    inputs = np.array(_CROPS_INPUTS, dtype=np.float32)
    targets = np.array(_CROPS_TARGETS, dtype=np.float32)
    return to_backend(inputs, backend), to_backend(targets, backend)


def noisy_line(*, seed: int = 0, noise: float = 0.4, backend: str = "torch") -> tuple[Array, Array]:
    """The 100 points of ``y = -5x + noise`` of notebook 05's original tutorial.

    The tutorial is "Implementing Gradient Descent in PyTorch" (Machine Learning Mastery); the
    noise here is reproducible.

    ``X = torch.arange(-5, 5, 0.1).view(-1, 1)`` and
    ``Y = -5 X + noise * torch.randn(X.shape, generator=torch.Generator().manual_seed(seed))``.
    The noise comes from its own generator, so it does not depend on (or change) the global
    torch seed.

    Parameters
    ----------
    seed : int
        Seed of the noise; the same seed gives the same numbers on every machine.
    noise : float
        Standard deviation of the Gaussian noise (>= 0).
    backend : {"torch", "numpy"}
        Torch tensors (the default, as in the original tutorial) or NumPy arrays holding the
        same numbers.

    Returns
    -------
    X, Y : float32 arrays of shape (100, 1)
        Inputs from -5.0 to 4.9 in steps of 0.1, and their noisy targets.

    Examples
    --------
    >>> X, Y = noisy_line(seed=0)
    >>> tuple(X.shape), round(X[0, 0].item(), 1), round(X[-1, 0].item(), 1)
    ((100, 1), -5.0, 4.9)
    >>> X, Y = noisy_line(noise=0.0, backend="numpy")
    >>> float(Y[0, 0])
    25.0
    """
    check_choice(backend, "backend", BACKENDS)
    seed = check_seed(seed)
    noise = check_positive(noise, "noise", allow_zero=True)
    X = torch.arange(-5, 5, 0.1).view(-1, 1)
    generator = torch.Generator().manual_seed(seed)
    Y = -5 * X + noise * torch.randn(X.shape, generator=generator)
    if backend == "numpy":
        return X.numpy(), Y.numpy()
    return X, Y


@dataclass(frozen=True)
class RegressionData:
    """A linear regression problem ``Y = X @ weight.T + bias + noise``.

    Attributes
    ----------
    X : float32 array of shape (n_samples, n_features)
    Y : float32 array of shape (n_samples, n_outputs)
    weight : float32 array of shape (n_outputs, n_features)
        The true weights (the layout of ``nn.Linear.weight``).
    bias : float32 array of shape (n_outputs,)
        The true bias.
    """

    X: Array
    Y: Array
    weight: Array
    bias: Array


def make_regression(
    n_samples: int,
    n_features: int,
    n_outputs: int = 1,
    *,
    noise: float = 0.1,
    seed: int = 0,
    backend: str = "numpy",
) -> RegressionData:
    """Random linear regression data with known true weights.

    Draws, in this order and with ``np.random.default_rng(seed)`` in float32: ``X`` standard
    normal, ``weight`` standard normal, ``bias`` standard normal, then the noise, and sets
    ``Y = X @ weight.T + bias + noise * N(0, 1)``. 200,000 x 50 takes a fraction of a second.

    Parameters
    ----------
    n_samples, n_features, n_outputs : int
        Sizes (each >= 1; the arrays together at most 2 GiB).
    noise : float
        Standard deviation of the noise added to ``Y`` (>= 0).
    seed : int
        Seed of the generator (>= 0).
    backend : {"numpy", "torch"}
        Fields as NumPy arrays or torch tensors.

    Returns
    -------
    RegressionData
        ``X (n, d)``, ``Y (n, k)``, ``weight (k, d)``, ``bias (k,)``, all float32.

    Examples
    --------
    >>> data = make_regression(1000, 3, 2, noise=0.0, seed=1)
    >>> data.X.shape, data.Y.shape, data.weight.shape, data.bias.shape
    ((1000, 3), (1000, 2), (2, 3), (2,))
    >>> bool(np.allclose(data.Y, data.X @ data.weight.T + data.bias, atol=1e-5))
    True
    """
    n_samples = check_int(n_samples, "n_samples")
    n_features = check_int(n_features, "n_features")
    n_outputs = check_int(n_outputs, "n_outputs")
    noise = check_positive(noise, "noise", allow_zero=True)
    seed = check_seed(seed)
    check_choice(backend, "backend", BACKENDS)
    check_fits_in_memory(  # X, weight, bias, and Y with its two temporaries (float32)
        4
        * (n_samples * n_features + n_outputs * n_features + n_outputs + 3 * n_samples * n_outputs),
        "n_samples, n_features and n_outputs",
        f"the data ({n_samples:,} x {n_features:,} inputs, {n_outputs:,} outputs)",
        "Use fewer samples or features.",
    )

    rng = np.random.default_rng(seed)
    f32 = np.float32
    X = rng.standard_normal((n_samples, n_features), dtype=f32)
    weight = rng.standard_normal((n_outputs, n_features), dtype=f32)
    bias = rng.standard_normal(n_outputs, dtype=f32)
    Y = X @ weight.T + bias
    Y += f32(noise) * rng.standard_normal((n_samples, n_outputs), dtype=f32)
    return RegressionData(*(to_backend(a, backend) for a in (X, Y, weight, bias)))
