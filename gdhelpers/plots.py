"""Plots of the course (matplotlib only): loss curves and fitted lines (surfaces: ``surfaces``).

Every function draws on ``ax`` (a new ``figsize=(6, 4)`` figure when None) and returns the
Axes; none calls ``plt.show()`` -- the notebook cell does.

Runs are coloured by their position in the dict passed: the first run is ``"C0"``, the second
``"C1"``, ... in :func:`plot_losses` and :func:`plot_loss_surface` alike, so the same dict
gives each run the same colour in both plots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ._validate import (
    as_2d,
    as_float_array,
    check_bool,
    check_choice,
    check_finite,
    check_same_n,
)
from .history import History

__all__ = ["plot_fit", "plot_losses"]

_X_LABELS = {"epoch": "epoch", "step": "step", "grad_evals": "per-sample gradient evaluations"}


def _run_color(i: int) -> str:
    """Colour of the ``i``-th run of a dict (0-based): ``"C0"``, ``"C1"``, ... cycling after 10."""
    return f"C{i % 10}"


def _check_ax(ax: Any) -> None:
    """``ax`` is None (a new figure) or a matplotlib Axes."""
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(
            f"ax must be a matplotlib Axes or None; got {type(ax).__name__} instead. Pass one "
            "Axes, e.g. ax=ax1 after fig, (ax1, ax2) = plt.subplots(1, 2), or leave it out."
        )


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    return ax


def _range_values(value: Any, name: str) -> np.ndarray | None:
    """The numbers of a range as a float array, or None when they are not numbers."""
    try:
        if isinstance(value, tuple | list):  # each item a number, a 0-d array or tensor
            items = [as_float_array(v, name) for v in value]
            if any(item.ndim != 0 for item in items):
                return None
            return np.array([float(item) for item in items])
        return as_float_array(value, name)
    except (TypeError, ValueError):
        return None


def _check_range(value: Any, name: str) -> tuple[float, float]:
    """``(low, high)``: two finite real numbers with low < high."""
    values = _range_values(value, name)
    if values is None or values.shape != (2,):
        raise TypeError(
            f"{name} must be two numbers (low, high); got {value!r:.60} instead. "
            f"Write e.g. {name}=(-1.0, 3.0)."
        )
    low, high = float(values[0]), float(values[1])
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(
            f"{name} must be two finite numbers with low < high; got ({low}, {high}) instead. "
            "Swap them or widen the range."
        )
    return low, high


def _line_data(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    """1-D float64 x and y of a one-feature, one-output data set."""
    X = as_2d(X, "X", allow_1d=True)
    Y = as_2d(Y, "Y", allow_1d=True, what="n_outputs")
    check_same_n(X, Y, "X", "Y")
    if X.shape[1] != 1 or Y.shape[1] != 1:
        raise ValueError(
            f"X and Y must have one column each for this plot; got shapes {X.shape} and "
            f"{Y.shape} instead. Plot one feature against one output, e.g. X[:, :1]."
        )
    return X[:, 0].astype(np.float64), Y[:, 0].astype(np.float64)


def _curve(run: Any, x: str) -> tuple[np.ndarray, np.ndarray]:
    """(x values, losses) of one run for the chosen x axis."""
    if not isinstance(run, History):
        losses = as_float_array(run, "each run")
        if losses.ndim != 1 or losses.size == 0:
            raise ValueError(
                "each run must be a History or a 1-D sequence of at least one loss; got shape "
                f"{losses.shape} instead. Pass e.g. a list of losses or history.epoch_loss."
            )
        return np.arange(losses.size), losses
    if x == "epoch":
        return np.arange(run.epoch_loss.size), run.epoch_loss
    if x == "step":
        if run.loss is not None:
            return run.steps, run.loss
        return run.steps[1:] - 1, run.step_loss  # each batch loss is taken before its step
    if run.loss is not None:
        return run.grad_evals, run.loss
    return run.epoch_grad_evals, run.epoch_loss


def plot_losses(
    runs: Mapping[str, Any],
    *,
    ax: Axes | None = None,
    log: bool = False,
    x: str = "epoch",
    title: str | None = None,
) -> Axes:
    """Loss curves of several runs, one labelled line each.

    Parameters
    ----------
    runs : dict
        ``label -> History`` (from ``fit_linear``, ``run_optimizer`` or
        ``data_parallel_gd``), or ``label -> 1-D sequence of losses``. The i-th run is
        drawn in colour ``f"C{i}"``, as in :func:`plot_loss_surface`. NaN and infinite
        losses (a diverged run) are left out of the line, as matplotlib does.
    ax : matplotlib Axes, optional
    log : bool
        Logarithmic loss axis (shows linear convergence as a straight line).
    x : {"epoch", "step", "grad_evals"}
        ``"epoch"``: ``History.epoch_loss``; ``"step"``: the full-data loss at every recorded
        state (``History.loss`` against ``History.steps``), or the batch losses when it was
        not tracked; ``"grad_evals"``:
        loss against the number of per-sample gradient evaluations (the fair cost axis).
        Plain arrays are drawn against their index.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_losses({"a": [4.0, 2.0, 1.0], "b": [4.0, 3.0, 2.5]}, log=True)
    >>> len(ax.lines), ax.get_yscale()
    (2, 'log')
    """
    check_choice(x, "x", tuple(_X_LABELS))
    log = check_bool(log, "log")
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError(
            f"runs must be a non-empty dict label -> History or label -> losses; got "
            f"{type(runs).__name__} instead. Wrap one run as {{'my run': history}}."
        )
    _check_ax(ax)
    curves = [(label, *_curve(run, x)) for label, run in runs.items()]  # checked before drawing
    ax = _axes(ax)
    for i, (label, xs, losses) in enumerate(curves):
        ax.plot(xs, losses, color=_run_color(i), label=str(label))
    ax.set_xlabel(_X_LABELS[x])
    ax.set_ylabel("MSE loss")
    if log:
        ax.set_yscale("log")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_fit(
    X: Any,
    Y: Any,
    weight: Any,
    bias: Any,
    *,
    ax: Axes | None = None,
    true_weight: Any = None,
    true_bias: Any = None,
    label: str = "fit",
) -> Axes:
    """Scatter the data and draw the fitted line ``y = weight * x + bias`` (one feature).

    Parameters
    ----------
    X, Y : arrays of shape (n,) or (n, 1)
    weight, bias : number or array with one element
        The fitted line (e.g. ``History.final_weight``, ``History.final_bias``); finite.
    ax : matplotlib Axes, optional
    true_weight, true_bias : number, optional
        Also draw the true line, dashed (``true_bias`` defaults to 0); finite.
    label : str
        Legend label of the fitted line.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_fit([1.0, 2.0, 3.0], [2.1, 3.9, 6.0], 2.0, 0.0, true_weight=2.0)
    >>> [line.get_label() for line in ax.lines]
    ['fit', 'true']
    """
    x, y = _line_data(X, Y)
    _check_ax(ax)
    w, b = _number(weight, "weight"), _number(bias, "bias")
    if true_weight is not None:
        tw = _number(true_weight, "true_weight")
        tb = 0.0 if true_bias is None else _number(true_bias, "true_bias")
    ax = _axes(ax)
    grid = np.linspace(x.min(), x.max(), 100)
    ax.scatter(x, y, s=12, color="C0", alpha=0.7, label="data")
    ax.plot(grid, w * grid + b, "C1", label=label)
    if true_weight is not None:
        ax.plot(grid, tw * grid + tb, "k--", label="true")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax


def _number(value: Any, name: str) -> float:
    arr = as_float_array(value, name)
    if arr.size != 1:
        raise ValueError(
            f"{name} must be a single number for a one-feature line; got shape {arr.shape} "
            "instead. Pass e.g. weight[0, 0]."
        )
    check_finite(arr, name)  # a NaN line would silently not be drawn
    return float(arr.reshape(()))
