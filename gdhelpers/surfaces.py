"""Loss landscapes (matplotlib only): the MSE over (w, b) as contours, and over w as a curve.

Like :mod:`gdhelpers.plots`, every function draws on ``ax`` (a new figure when None), returns
the Axes and never calls ``plt.show()``; a path gets the colour of its position in the dict, as
the same run gets in :func:`~gdhelpers.plot_losses`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ._validate import as_float_array, check_bool, check_int
from .closed_form import lstsq_fit
from .history import History
from .losses import _mean_square
from .plots import _axes, _check_ax, _check_range, _line_data, _run_color

__all__ = ["plot_loss_curve_1d", "plot_loss_surface"]

# Bounds of plot_loss_surface: the grid has resolution**2 points (float64, several arrays).
MAX_RESOLUTION = 2000
MAX_LEVELS = 1000

# Markers of plot_loss_surface. The minimum has a colour no run gets (runs use C0-C9); start
# and end are drawn in each run's colour and explained once in the legend, in grey.
_MINIMUM_COLOR = "black"
_LEGEND_GREY = "0.45"

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
