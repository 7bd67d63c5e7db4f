"""Run a ``torch.optim`` optimizer on the linear model and keep its whole path.

Notebook 06 compares plain gradient descent with momentum and Adam on the same loss surface.
:func:`run_optimizer` trains ``X @ weight.T + bias`` with the mean squared error on the full
data set (one step = one gradient evaluation on all samples) and returns a
:class:`~gdhelpers.History`, like ``gd.fit_linear``: the loss and the parameters at every
state, so the path can be drawn on ``gd.plot_loss_surface`` and the steps to a tolerance can
be counted. The loss is :mod:`gdhelpers.losses`' MSE (``torch.mean`` of the squares gives the
same bits).
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ._validate import (
    as_2d,
    check_bool,
    check_choice,
    check_fits_in_memory,
    check_int,
    check_positive,
    check_real,
    check_same_n,
    initial_params,
)
from .history import History, full_batch_history
from .losses import _mean_square, _residual
from .stability import lr_stability_bound

__all__ = ["OPTIMIZERS", "run_optimizer"]

OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


_DISPLAY = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}


def _label(name: str, lr: float, options: dict[str, Any]) -> str:
    extra = "".join(
        f", {k}={v:g}" if isinstance(v, float) else f", {k}={v}" for k, v in options.items()
    )
    return f"{_DISPLAY.get(name, name)}(lr={lr:g}{extra})"


def _check_options(factory: Callable[..., Any], display: str, options: dict[str, Any]) -> None:
    """Check each option against the default of the optimizer's signature (type and finite).

    A bool default asks for True or False, a number default for a finite real number, a tuple
    of numbers (Adam's betas) for as many finite numbers. Values torch refuses (a negative
    momentum) are reported when the optimizer is built.
    """
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a callable without a signature: nothing to compare
        return
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    for key, value in options.items():
        if key not in params:
            if takes_any:
                continue
            known = [
                n for n, p in params.items() if n != "params" and p.kind is not p.VAR_POSITIONAL
            ]
            raise TypeError(
                f"{key} must be an option of {display}; got {key}={value!r:.40} instead. "
                f"Its options are: {', '.join(known)}."
            )
        default = params[key].default
        if isinstance(default, bool):
            check_bool(value, key)
        elif isinstance(default, numbers.Real):
            check_real(value, key, example=f"{default!r}")
        elif isinstance(default, tuple) and all(isinstance(d, numbers.Real) for d in default):
            if not isinstance(value, tuple | list) or len(value) != len(default):
                raise TypeError(
                    f"{key} must be a tuple of {len(default)} numbers; got {value!r:.60} "
                    f"instead. The default is {key}={default!r}."
                )
            for i, item in enumerate(value):
                check_real(item, f"{key}[{i}]", example=f"{default[i]!r}")


def run_optimizer(
    X: Any,
    Y: Any,
    *,
    optimizer: str | Callable[..., torch.optim.Optimizer] = "sgd",
    lr: float,
    steps: int,
    weight0: Any = None,
    bias0: Any = None,
    dtype: torch.dtype = torch.float32,
    on_divergence: str = "stop",
    label: str | None = None,
    **options: Any,
) -> History:
    """Train ``X @ weight.T + bias`` with MSE and a ``torch.optim`` optimizer; record the path.

    Each step is: ``zero_grad()``, loss on all samples, ``backward()``, ``step()``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features); a 1-D array is one feature
    Y : array of shape (n_samples, n_outputs); a 1-D array is one output
    optimizer : {"sgd", "adam", "rmsprop", "adagrad"} or callable
        Name of a ``torch.optim`` class, or any ``callable(params, lr=..., **options)`` that
        returns an optimizer (e.g. ``torch.optim.NAdam``).
    lr : float
        Learning rate (> 0).
    steps : int
        Number of optimizer steps (>= 0).
    weight0, bias0 : array or number, optional
        Start values, shapes (n_outputs, n_features) and (n_outputs,); zeros by default. A
        number fills the shape; any array with that many entries is reshaped to it; finite
        values.
    dtype : torch.dtype
        Precision of the run (float32 like the course's data, or float64).
    on_divergence : {"stop", "raise", "continue"}
        What to do when the loss becomes NaN or infinite: stop the run there, raise
        FloatingPointError, or carry on.
    label : str, optional
        The run's ``label``; built from the optimizer and its options by default.
    **options
        Passed to the optimizer, e.g. ``momentum=0.9`` or ``betas=(0.9, 0.999)``. Each must be
        an option of the optimizer, of the type of its default (finite numbers, True/False).

    Returns
    -------
    History
        With ``method="batch"``; ``loss[t]`` (and ``epoch_loss[t]``) is the loss after ``t``
        steps.

    Examples
    --------
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
    >>> run = run_optimizer(X, 2 * X, lr=0.01, steps=3, dtype=torch.float64)
    >>> run.label, run.n_steps, run.loss.round(4).tolist()
    ('SGD(lr=0.01)', 3, [30.0, 20.835, 14.4755, 10.0626])
    >>> run = run_optimizer(X, 2 * X, optimizer="sgd", lr=0.01, steps=200, momentum=0.9)
    >>> run.label, run.steps_to(1e-4)
    ('SGD(lr=0.01, momentum=0.9)', 86)
    """
    X = as_2d(X, "X", allow_1d=True)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs")
    check_same_n(X, Y, "X", "Y")
    lr = check_positive(lr, "lr")
    steps = check_int(steps, "steps", minimum=0)
    check_choice(on_divergence, "on_divergence", ("stop", "raise", "continue"))
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            f"dtype must be a torch floating dtype such as torch.float32; got {dtype!r}."
        )
    if isinstance(optimizer, str):
        check_choice(optimizer, "optimizer", tuple(OPTIMIZERS))
        factory, name = OPTIMIZERS[optimizer], optimizer
    elif callable(optimizer):
        factory, name = optimizer, getattr(optimizer, "__name__", "optimizer")
    else:
        raise TypeError(
            f"optimizer must be one of {sorted(OPTIMIZERS)} or a callable returning a "
            f"torch.optim optimizer; got {type(optimizer).__name__} instead."
        )
    _check_options(factory, _DISPLAY.get(name, name), options)
    k, d = Y.shape[1], X.shape[1]
    check_fits_in_memory(
        (steps + 1) * ((k * d + k) * 8 + 8 + 2 * 8),  # weights, biases, loss; list entries
        "steps",
        f"the recorded path ({steps:,} steps of {k * d + k} parameters)",
        "Use fewer steps.",
    )
    w0 = initial_params(weight0, (k, d), "weight0", dtype=np.float64, reshape=True)
    b0 = initial_params(bias0, (k,), "bias0", dtype=np.float64, reshape=True)
    if w0.shape != (k, d) or b0.shape != (k,):
        raise ValueError(
            f"weight0 must have shape ({k}, {d}) and bias0 shape ({k},) for this X and Y; got "
            f"{np.shape(weight0)} and {np.shape(bias0)} instead."
        )

    Xt = torch.as_tensor(X, dtype=dtype)
    Yt = torch.as_tensor(Y, dtype=dtype)
    w = torch.tensor(w0, dtype=dtype, requires_grad=True)
    b = torch.tensor(b0, dtype=dtype, requires_grad=True)
    try:
        opt = factory([w, b], lr=lr, **options)
    except (TypeError, ValueError) as err:  # e.g. torch's "Invalid momentum value: -1.0"
        given = ", ".join(f"{key}={value!r:.40}" for key, value in options.items()) or "none"
        raise type(err)(
            f"the options of {_label(name, lr, {})} must be values it accepts; got {given} "
            f"instead, and it says: {err}. Check the option's range in the torch.optim docs."
        ) from None

    losses: list[float] = []
    weights = [w.detach().numpy().copy()]
    biases = [b.detach().numpy().copy()]

    def full_loss() -> torch.Tensor:
        return _mean_square(_residual(Xt, w, b, Yt))

    for _ in range(steps):
        opt.zero_grad()
        loss = full_loss()
        value = loss.item()
        losses.append(value)
        if not math.isfinite(value):
            if on_divergence == "raise":
                raise FloatingPointError(
                    f"the loss became {value} after {len(losses) - 1} steps with lr={lr:g}: "
                    "the run diverged. Use a smaller learning rate."
                )
            if on_divergence == "stop":
                break
        loss.backward()
        opt.step()
        weights.append(w.detach().numpy().copy())
        biases.append(b.detach().numpy().copy())
    else:
        with torch.no_grad():
            value = full_loss().item()
        losses.append(value)
        if not math.isfinite(value):
            if on_divergence == "raise":
                raise FloatingPointError(
                    f"the loss became {value} after {steps} steps with lr={lr:g}: "
                    "the run diverged. Use a smaller learning rate."
                )

    return full_batch_history(
        label=label or _label(name, lr, options),
        lr=lr,
        n_samples=X.shape[0],
        loss=np.asarray(losses, dtype=np.float64),
        weights=np.stack(weights),
        biases=np.stack(biases),
        bound_fn=lambda: lr_stability_bound(X, n_outputs=k),
    )
