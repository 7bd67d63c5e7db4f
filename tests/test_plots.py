"""Plots: they draw what they say on the Axes they return, and never show."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.contour import ContourSet

import gdhelpers as gd


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def runs():
    X, Y = gd.noisy_line(seed=0, backend="numpy")
    kw = dict(epochs=3, weight0=-10.0, bias0=-20.0)
    return {
        "batch": gd.fit_linear(X, Y, lr=0.1, **kw),
        "sgd": gd.fit_linear(X, Y, lr=0.01, batch_size=1, **kw),
        "mini": gd.fit_linear(X, Y, lr=0.05, batch_size=20, track_full_loss=False, **kw),
    }


def _labels(ax):
    return [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]


def test_plot_losses_epoch_axis(runs):
    ax = gd.plot_losses(runs, title="Loss")
    assert _labels(ax) == ["batch", "sgd", "mini"]
    assert ax.get_yscale() == "linear" and ax.get_title() == "Loss"
    assert ax.get_xlabel() == "epoch"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), runs["batch"].epoch_loss)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["batch", "sgd", "mini"]


def test_plot_losses_step_and_grad_evals(runs):
    _, (a1, a2) = plt.subplots(1, 2)
    ax = gd.plot_losses(runs, x="step", log=True, ax=a1)
    assert ax is a1 and ax.get_yscale() == "log"
    assert len(ax.lines[1].get_ydata()) == runs["sgd"].n_steps + 1  # full-data loss
    assert len(ax.lines[2].get_ydata()) == runs["mini"].n_steps  # batch losses (not tracked)
    ax = gd.plot_losses(runs, x="grad_evals", ax=a2)
    assert ax.get_xlabel() == "per-sample gradient evaluations"
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), runs["sgd"].grad_evals)
    np.testing.assert_array_equal(ax.lines[2].get_xdata(), [0, 100, 200, 300])


def test_plot_losses_plain_arrays_and_errors():
    ax = gd.plot_losses({"a": [3.0, 2.0, 1.0]})
    assert ax.lines[0].get_xdata().tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="x must be 'epoch' or 'step' or 'grad_evals'; got 'time'"):
        gd.plot_losses({"a": [1.0]}, x="time")
    with pytest.raises(TypeError, match="runs must be a non-empty dict label -> History"):
        gd.plot_losses([1.0, 2.0])


def test_plot_fit_with_and_without_true_line():
    X, Y = gd.noisy_line(seed=0)
    ax = gd.plot_fit(X, Y, np.array([[-4.9]]), np.array([0.1]), true_weight=-5, label="GD")
    assert _labels(ax) == ["GD", "true"]
    assert len(ax.collections) == 1  # the scatter
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(y, -4.9 * x + 0.1)
    ax = gd.plot_fit(X, Y, -4.9, 0.0)
    assert _labels(ax) == ["fit"]
    with pytest.raises(ValueError, match="weight must be a single number for a one-feature line"):
        gd.plot_fit(X, Y, np.ones((1, 2)), 0.0)
    with pytest.raises(ValueError, match="X and Y must have one column each for this plot"):
        gd.plot_fit(np.ones((3, 2)), np.ones(3), 1.0, 0.0)


def test_plot_loss_surface_paths_and_minimum(runs):
    X, Y = gd.noisy_line(seed=0)
    path = np.column_stack([np.linspace(-10, -5, 5), np.linspace(-20, 0, 5)])
    ax = gd.plot_loss_surface(
        X, Y, w_range=(-12, 2), b_range=(-22, 4), paths={"GD": runs["batch"], "mine": path}
    )
    assert _labels(ax) == ["GD", "mine", "start", "end", "minimum"]
    star = ax.lines[-1]
    w, b = gd.lstsq_fit(X, Y)
    assert star.get_xdata()[0] == pytest.approx(w[0, 0]) and star.get_ydata()[0] == pytest.approx(
        b[0]
    )
    np.testing.assert_allclose(ax.lines[0].get_xdata(), runs["batch"].weights[:, 0, 0])
    assert len(ax.lines) == 3 * 2 + 2 + 1  # each path: line, start, end; 2 legend keys; star
    assert ax.get_xlim() == (-12, 2) and ax.get_ylim() == (-22, 4)
    # one set of contour lines (not filled), nothing else drawn as a collection
    assert len(ax.collections) == 1 and isinstance(ax.collections[0], ContourSet)
    contours = ax.collections[0]
    assert not contours.filled
    # its 30 log-spaced levels run from the lowest to the highest loss on the 200 x 200 grid,
    # both from the closed form of the MSE as a quadratic in (w, b)
    x, y = np.asarray(X, np.float64)[:, 0], np.asarray(Y, np.float64)[:, 0]
    w, b = np.meshgrid(np.linspace(-12, 2, 200), np.linspace(-22, 4, 200))
    quadratic = (
        w**2 * np.mean(x * x) + 2 * w * b * np.mean(x) + b**2
        - 2 * w * np.mean(x * y) - 2 * b * np.mean(y) + np.mean(y * y)
    )  # fmt: skip
    top = max(np.mean((wc * x + bc - y) ** 2) for wc in (-12, 2) for bc in (-22, 4))  # a corner
    assert quadratic.max() == pytest.approx(top, rel=1e-12)
    np.testing.assert_allclose(contours.levels, np.geomspace(quadratic.min(), top, 30), rtol=1e-9)
    with pytest.raises(
        ValueError, match=r"each path must be a History or an array of shape \(m, 2\)"
    ):
        gd.plot_loss_surface(X, Y, w_range=(0, 1), b_range=(0, 1), paths={"bad": np.ones(3)})


def test_plot_loss_surface_linear_levels():
    X, Y = gd.toy_data()
    ax = gd.plot_loss_surface(
        X, Y, w_range=(0, 4), b_range=(-2, 2), log=False, levels=10, resolution=20
    )
    assert _labels(ax) == ["minimum"]


def test_mse_grid_matches_the_mean_over_the_data():
    from gdhelpers.surfaces import _mse_grid  # the loss drawn by both surface and curve plots

    X, Y = gd.noisy_line(seed=0, backend="numpy")
    x, y = X[:, 0].astype(np.float64), Y[:, 0].astype(np.float64)
    w, b = np.meshgrid([-7.0, -5.0, 0.5], [-3.0, 0.0, 2.0])
    brute = np.vectorize(lambda wi, bi: np.mean((wi * x + bi - y) ** 2))(w, b)
    np.testing.assert_allclose(_mse_grid(x, y, w, b), brute, rtol=1e-10)


def test_plot_loss_curve_1d():
    X, Y = gd.toy_data()
    ax = gd.plot_loss_curve_1d(X, Y, w_range=(0, 4), path=[0.0, 1.2, 1.68])
    assert _labels(ax) == ["loss", "steps"]
    w, loss = ax.lines[0].get_data()
    np.testing.assert_allclose(loss, [np.mean((wi * X - Y) ** 2) for wi in w], rtol=1e-5)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [30.0, 4.8, 0.768], rtol=1e-5)
    assert len(ax.texts) == 3
    assert _labels(gd.plot_loss_curve_1d(X, Y, w_range=(0, 4))) == ["loss"]


def test_plots_never_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    X, Y = gd.toy_data()
    gd.plot_loss_curve_1d(X, Y, w_range=(0, 4))
    gd.plot_losses({"a": [1.0, 0.5]})
    gd.plot_fit(X, Y, 2.0, 0.0)
    gd.plot_loss_surface(X, Y, w_range=(0, 4), b_range=(-1, 1), resolution=10)
    assert plt.gcf().get_size_inches().tolist() == [6.0, 4.0]


def _hex(line):
    return to_hex(line.get_color())


def test_a_run_has_the_same_colour_in_both_plots(runs):
    X, Y = gd.noisy_line(seed=0)
    paths = {"mine": np.array([[-10.0, -20.0], [-5.0, 0.0]]), **runs}  # 4 runs
    losses = gd.plot_losses({"mine": [3.0, 2.0], **runs})
    surface = gd.plot_loss_surface(X, Y, w_range=(-12, 2), b_range=(-22, 4), paths=paths)
    curve_colours = {line.get_label(): _hex(line) for line in losses.lines}
    path_colours = {
        line.get_label(): _hex(line) for line in surface.lines if line.get_xdata().size > 1
    }
    assert list(curve_colours) == ["mine", "batch", "sgd", "mini"]
    assert path_colours == curve_colours
    assert len(set(curve_colours.values())) == 4  # and different runs differ
    # the start square and end cross of a path have the path's colour
    for line in surface.lines:
        if line.get_label() in ("_start", "_end"):
            assert _hex(line) in curve_colours.values()


def test_loss_surface_legend_explains_the_markers_once(runs):
    X, Y = gd.noisy_line(seed=0)
    paths = {"a": runs["batch"], "b": runs["sgd"]}
    ax = gd.plot_loss_surface(X, Y, w_range=(-12, 2), b_range=(-22, 4), paths=paths)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a", "b", "start", "end", "minimum"]
    markers = {h.get_label(): h.get_marker() for h in ax.get_legend().legend_handles}
    assert markers == {"a": "o", "b": "o", "start": "s", "end": "X", "minimum": "*"}
    # a notebook that moves the legend keeps the entries
    ax.legend(loc="lower right", fontsize=7)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == legend
    # the minimum's colour is its own: no run, and not the grey of the marker keys
    star = next(line for line in ax.lines if line.get_label() == "minimum")
    others = {_hex(line) for line in ax.lines if line is not star}
    assert _hex(star) == "#000000" and _hex(star) not in others


def test_loss_surface_without_paths_has_no_marker_keys():
    X, Y = gd.toy_data()
    ax = gd.plot_loss_surface(X, Y, w_range=(0, 4), b_range=(-2, 2), resolution=10)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimum"]


def test_run_colours_cycle_after_ten():
    ax = gd.plot_losses({f"r{i}": [1.0, 0.5] for i in range(12)})
    assert [line.get_color() for line in ax.lines] == [f"C{i % 10}" for i in range(12)]


def test_plot_losses_takes_every_kind_of_run():
    """gd.plot_losses({"adam": run}) failed with "array of dtype object" (issue 17, item 9)."""
    X, Y = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]
    run = gd.run_optimizer(X, Y, optimizer="adam", lr=0.1, steps=5)
    hist = gd.fit_linear(X, Y, lr=0.01, epochs=5)
    ax = gd.plot_losses({"adam": run, "gd": hist, "list": [30.0, 20.0]}, x="step")
    xs, ys = ax.lines[0].get_data()
    assert list(xs) == list(range(6)) and np.allclose(ys, run.loss)
    # one result type: a full-batch step costs n_samples = 4 per-sample gradients
    ax = gd.plot_losses({"adam": run, "gd": hist}, x="grad_evals")
    for line in ax.lines:
        assert list(line.get_data()[0]) == [0, 4, 8, 12, 16, 20]
    plt.close("all")


def test_plot_losses_draws_a_sparse_history_at_its_recorded_steps():
    X, Y = np.arange(1.0, 11.0), 2 * np.arange(1.0, 11.0)
    full = gd.fit_linear(X, Y, lr=0.005, epochs=3, batch_size=3)  # 4 steps per epoch
    every5 = gd.fit_linear(X, Y, lr=0.005, epochs=3, batch_size=3, record_every=5)
    ax = gd.plot_losses({"5": every5}, x="step")
    xs, ys = ax.lines[0].get_data()
    assert list(xs) == [0, 5, 10, 12] and list(ys) == list(full.loss[[0, 5, 10, 12]])
    ax = gd.plot_losses({"5": every5}, x="grad_evals")  # 3 + 3 + 3 + 1 = 10 per epoch
    assert list(ax.lines[0].get_data()[0]) == [0, 13, 26, 30]
    quiet = gd.fit_linear(
        X, Y, lr=0.005, epochs=3, batch_size=3, record_every=5, track_full_loss=False
    )
    ax = gd.plot_losses({"5": quiet}, x="step")  # batch losses, before their step
    xs, ys = ax.lines[0].get_data()
    assert list(xs) == [4, 9, 11] and list(ys) == list(full.step_loss[[4, 9, 11]])
    ax = gd.plot_losses({"5": quiet}, x="grad_evals")  # the epochs' costs
    assert list(ax.lines[0].get_data()[0]) == [0, 10, 20, 30]
    plt.close("all")
