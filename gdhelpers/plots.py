"""Plots of the course (matplotlib only): loss curves, fitted lines, loss surfaces.

Every function draws on ``ax`` (a new ``figsize=(6, 4)`` figure when None) and returns the
Axes; none calls ``plt.show()`` -- the notebook cell does.

Runs are coloured by their position in the dict passed: the first run is ``"C0"``, the second
``"C1"``, ... in :func:`plot_losses` and :func:`plot_loss_surface` alike, so the same dict
gives each run the same colour in both plots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    check_int,
    check_same_n,
)
from .closed_form import lstsq_fit
from .history import History
from .losses import _mean_square

__all__ = ["plot_fit", "plot_loss_curve_1d", "plot_loss_surface", "plot_losses"]

# Bounds of plot_loss_surface: the grid has resolution**2 points (float64, several arrays).
MAX_RESOLUTION = 2000
MAX_LEVELS = 1000

_X_LABELS = {"epoch": "epoch", "step": "step", "grad_evals": "per-sample gradient evaluations"}

# Markers of plot_loss_surface. The minimum has a colour no run gets (runs use C0-C9); start
# and end are drawn in each run's colour and explained once in the legend, in grey.
_MINIMUM_COLOR = "black"
_LEGEND_GREY = "0.45"


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


# Residuals computed at once by _mse_grid: a block of grid points times the samples.
_GRID_BLOCK = 2**20


def _mse_grid(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MSE of ``w * x + b`` for every (w, b) pair (same shapes), with the package's one MSE.

    The residuals of a block of grid points over all samples are averaged by
    ``losses._mean_square`` along the sample axis; blocks bound the memory to ~8 MB per
    array. (Cost: grid points times samples.)
    """
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    flat_w, flat_b = w.reshape(-1, 1), b.reshape(-1, 1)
    out = np.empty(flat_w.shape[0])
    rows = max(1, _GRID_BLOCK // max(x.size, 1))
    for start in range(0, out.size, rows):
        block = slice(start, start + rows)
        out[block] = _mean_square(flat_w[block] * x + flat_b[block] - y, axis=1)
    return out.reshape(w.shape)


def _path(run: Any) -> np.ndarray:
    if isinstance(run, History):
        if run.weights.shape[1:] != (1, 1):
            raise ValueError(
                "each path must come from a one-feature, one-output model (weights of shape "
                f"(m, 1, 1)); got a History with weights of shape {run.weights.shape} instead. "
                "The surface has two axes, w and b: plot such a run with plot_losses."
            )
        return run.path
    arr = as_float_array(run, "each path")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"each path must be a History or an array of shape (m, 2) of (w, b) pairs; got "
            f"shape {arr.shape} instead. Stack them with np.column_stack([ws, bs])."
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"each path must hold at least one (w, b) pair; got shape {arr.shape} instead. "
            "Record the parameters before the first step too."
        )
    return arr


def plot_loss_surface(
    X: Any,
    Y: Any,
    *,
    w_range: Sequence[float],
    b_range: Sequence[float],
    paths: Mapping[str, Any] | None = None,
    ax: Axes | None = None,
    levels: int = 30,
    log: bool = True,
    resolution: int = 200,
) -> Axes:
    """Contours of the MSE of ``y = w * x + b`` over (w, b), with optional descent paths.

    Parameters
    ----------
    X, Y : arrays of shape (n,) or (n, 1)
        One feature, one output.
    w_range, b_range : (low, high)
        The window of the plot.
    paths : dict, optional
        ``label -> History`` (its ``weights[:, 0, 0]`` and ``biases[:, 0]``) or
        ``label -> array (m, 2)`` of (w, b) pairs. The i-th path is drawn in colour
        ``f"C{i}"``, as in :func:`plot_losses` (pass the same dict to both); its start is a
        square and its end a cross in that colour, explained once in the legend ("start",
        "end", in grey). NaN and infinite points (a diverged run) are not drawn; None or an
        empty dict draws no path.
    ax : matplotlib Axes, optional
    levels : int
        Number of contour levels (1 to 1000).
    log : bool
        Log-spaced levels: the bowl's floor and walls are both visible.
    resolution : int
        Grid points per axis (2 to 2000).

    Returns
    -------
    matplotlib Axes
        The least-squares minimum is marked with a black star, a colour no path gets.

    Examples
    --------
    >>> X, Y = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]
    >>> ax = plot_loss_surface(X, Y, w_range=(0, 4), b_range=(-2, 2), paths={"p": [[0, 0], [1, 1]]})
    >>> ax.get_legend_handles_labels()[1]
    ['p', 'start', 'end', 'minimum']
    """
    x, y = _line_data(X, Y)
    log = check_bool(log, "log")
    resolution = check_int(
        resolution,
        "resolution",
        minimum=2,
        maximum=MAX_RESOLUTION,
        why="The surface has resolution**2 points; the default 200 already looks smooth.",
    )
    levels = check_int(
        levels,
        "levels",
        maximum=MAX_LEVELS,
        why="More levels draw a solid block of lines; 30 (the default) shows the bowl.",
    )
    w_lim, b_lim = _check_range(w_range, "w_range"), _check_range(b_range, "b_range")
    if paths is not None and not isinstance(paths, Mapping):
        raise TypeError(
            f"paths must be a dict label -> History or label -> (m, 2) array; got "
            f"{type(paths).__name__} instead. Wrap one path as {{'my run': history}}."
        )
    drawn = [(label, _path(run)) for label, run in (paths or {}).items()]  # checked first
    _check_ax(ax)
    ws = np.linspace(*w_lim, resolution)
    bs = np.linspace(*b_lim, resolution)
    W, B = np.meshgrid(ws, bs)
    L = _mse_grid(x, y, W, B)
    ax = _axes(ax)
    top = float(L.max())
    if log and top > 0:  # a surface that is zero everywhere has no log scale: linear levels
        contour_levels = np.geomspace(max(float(L.min()), top * 1e-6, 1e-12), top, levels)
    else:
        contour_levels = levels
    ax.contour(W, B, L, levels=contour_levels, cmap="viridis", linewidths=0.8)
    for i, (label, p) in enumerate(drawn):
        color = _run_color(i)
        ax.plot(p[:, 0], p[:, 1], "o-", color=color, ms=3, lw=1, label=str(label))
        ax.plot(*p[0], "s", color=color, ms=7, label="_start")
        ax.plot(*p[-1], "X", color=color, ms=8, label="_end")
    if paths:
        # one legend entry each for the markers; empty lines, so that a later ax.legend()
        # (a notebook moving the legend) still finds them
        ax.plot([], [], "s", color=_LEGEND_GREY, ms=7, label="start")
        ax.plot([], [], "X", color=_LEGEND_GREY, ms=8, label="end")
    (w_best,), b_best = lstsq_fit(x, y)
    ax.plot(w_best[0], b_best[0], "*", color=_MINIMUM_COLOR, ms=14, mec="white", label="minimum")
    ax.set_xlim(*w_lim)
    ax.set_ylim(*b_lim)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.legend()
    return ax


def plot_loss_curve_1d(
    X: Any,
    Y: Any,
    *,
    w_range: Sequence[float],
    path: Sequence[float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The loss of ``y = w * x`` (no bias) as a function of ``w``, with optional visited ``w``.

    Parameters
    ----------
    X, Y : arrays of shape (n,) or (n, 1)
    w_range : (low, high)
    path : sequence of numbers, optional
        Values of ``w`` visited by gradient descent, drawn as numbered points on the curve
        (NaN and infinite values, a diverged run, are not drawn; an empty path draws none).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_loss_curve_1d([1.0, 2.0], [2.0, 4.0], w_range=(0, 4), path=[0.0, 1.2, 1.7])
    >>> [line.get_label() for line in ax.lines]
    ['loss', 'steps']
    """
    x, y = _line_data(X, Y)
    ws = np.linspace(*_check_range(w_range, "w_range"), 400)
    if path is not None:
        pw = as_float_array(path, "path")
        if pw.ndim != 1:
            raise ValueError(
                f"path must be a 1-D sequence of w values; got shape {pw.shape} instead. "
                "Pass e.g. history.weights[:, 0, 0]."
            )
    _check_ax(ax)
    ax = _axes(ax)
    ax.plot(ws, _mse_grid(x, y, ws, np.zeros_like(ws)), "C0", label="loss")
    if path is not None:
        with np.errstate(invalid="ignore", over="ignore"):  # a diverged w: inf, not drawn
            pl = _mse_grid(x, y, pw, np.zeros_like(pw))
        ax.plot(pw, pl, "o--", color="C1", ms=5, lw=0.8, label="steps")
        for i, (wi, li) in enumerate(zip(pw, pl, strict=True)):
            ax.annotate(str(i), (wi, li), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xlabel("w")
    ax.set_ylabel("MSE loss")
    ax.legend()
    return ax
