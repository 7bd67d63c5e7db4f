"""fit_linear against closed forms, torch autograd loops, and its records and errors."""

import numpy as np
import pytest
import torch

import gdhelpers as gd

# Seed 000's autograd run (lr 0.01, mean gradient, y = 2x, w0 = 0), as printed every 10 epochs:
# "epoch {e}: w = {w after the step:.3f}, loss = {loss before the step:.8f}"
SEED_000_TORCH = [
    (1, 0.300, 30.00000000),
    (11, 1.665, 1.16278565),
    (21, 1.934, 0.04506890),
    (31, 1.987, 0.00174685),
    (41, 1.997, 0.00006770),
    (51, 1.999, 0.00000262),
    (61, 2.000, 0.00000010),
]
# Seed 000's NumPy run: its gradient is a sum (4x the mean), so its lr 0.01 is lr 0.04 here.
SEED_000_NUMPY_W = [1.200, 1.680, 1.872, 1.949, 1.980, 1.992, 1.997, 1.999, 1.999, 2.000]
SEED_000_NUMPY_LOSS = [30.0, 4.79999924, 0.76800019, 0.12288, 0.01966083, 0.00314574]


def test_full_batch_reaches_hand_solution_y_equals_2x():
    X, Y = gd.toy_data()
    hist = gd.fit_linear(X, Y, lr=0.04, epochs=30, bias=False)
    assert hist.method == "batch" and hist.batch_size == 4 and hist.n_steps == 30
    # w - 2 shrinks by 1 - 0.04 * 15 = 0.4 a step: 2 * 0.4**20 is below float32's spacing at 2,
    # and w = 2 is a fixed point, so float32 lands on 2.0 exactly, with a zero loss
    assert hist.final_weight[0, 0] == 2.0 and hist.epoch_loss[-1] == 0.0
    assert hist.final_bias.tolist() == [0.0]
    # first step by hand: dw = -2 mean(x * 2x) = -30, w = 0.04 * 30 = 1.2; loss mean(4x^2) = 30
    assert hist.weights[1, 0, 0] == pytest.approx(1.2)
    assert hist.epoch_loss[0] == pytest.approx(30.0)
    assert hist.epoch_loss[1] == pytest.approx(4.8, rel=1e-5)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_seed_000_autograd_trace(backend):
    X, Y = gd.toy_data()
    hist = gd.fit_linear(X, Y, lr=0.01, epochs=100, bias=False, backend=backend)
    for epoch, w, loss in SEED_000_TORCH:
        assert round(float(hist.weights[epoch, 0, 0]), 3) == w, epoch
        # float32 as in the seed: equal to float32 rounding (printed to 8 decimals)
        assert hist.step_loss[epoch - 1] == pytest.approx(loss, rel=3e-7, abs=5e-9), epoch


def test_seed_000_numpy_trace():
    X, Y = gd.toy_data()
    hist = gd.fit_linear(X, Y, lr=0.04, epochs=10, bias=False)
    assert [round(float(w), 3) for w in hist.weights[1:, 0, 0]] == SEED_000_NUMPY_W
    # the seed sums in another order in float32: equal to a few float32 roundings of 30
    np.testing.assert_allclose(hist.step_loss[:6], SEED_000_NUMPY_LOSS, rtol=5e-7, atol=2e-6)


@pytest.mark.parametrize("bias", [True, False])
def test_full_batch_matches_lstsq(bias):
    d = gd.make_regression(300, 3, 2, noise=0.3, seed=1)
    X, Y = d.X.astype(np.float64), d.Y.astype(np.float64)
    hist = gd.fit_linear(
        X, Y, lr=0.9 * gd.lr_stability_bound(X, n_outputs=2), epochs=400, bias=bias
    )
    w, b = gd.lstsq_fit(X, Y, bias=bias)
    np.testing.assert_allclose(hist.final_weight, w, atol=1e-8)
    np.testing.assert_allclose(hist.final_bias, b, atol=1e-8)
    assert not hist.diverged and hist.stability_bound == gd.lr_stability_bound(
        X, bias=bias, n_outputs=2
    )


def _reference_torch_loop(X, Y, lr, epochs, m, order_seed, shuffle):
    """The seed-004 loop written out with torch, independent of fit_linear."""
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    w = torch.tensor([[-10.0]], dtype=Xt.dtype, requires_grad=True)
    b = torch.tensor([-20.0], dtype=Xt.dtype, requires_grad=True)
    rng = np.random.default_rng(order_seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        for start in range(0, len(X), m):
            idx = torch.from_numpy(order[start : start + m])
            loss = torch.mean((Xt[idx] @ w.T + b - Yt[idx]) ** 2)
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
    return np.array(losses), w.detach().numpy(), b.detach().numpy()


@pytest.mark.parametrize(
    ("batch_size", "shuffle", "method"),
    [
        (None, False, "batch"),
        (1, False, "stochastic"),
        (16, True, "minibatch"),
        (1, True, "stochastic"),
    ],
)
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_matches_independent_torch_loop(batch_size, shuffle, method, backend):
    X, Y = gd.noisy_line(seed=0, backend="numpy")
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    lr = 0.02
    m = batch_size or len(X)
    ref_losses, ref_w, ref_b = _reference_torch_loop(X, Y, lr, 3, m, 7, shuffle)
    hist = gd.fit_linear(
        X, Y, lr=lr, epochs=3, batch_size=batch_size, shuffle=shuffle, seed=7,
        weight0=-10.0, bias0=-20.0, backend=backend,
    )  # fmt: skip
    assert hist.method == method
    rtol = 1e-9 if backend == "numpy" else 1e-4  # torch backend trains in float32
    np.testing.assert_allclose(hist.step_loss, ref_losses, rtol=rtol, atol=1e-5)
    np.testing.assert_allclose(hist.final_weight, ref_w, rtol=rtol)
    np.testing.assert_allclose(hist.final_bias, ref_b, rtol=rtol, atol=1e-5)


def test_numpy_and_torch_backends_agree_in_float32():
    d = gd.make_regression(500, 4, 2, seed=3)
    kw = dict(lr=0.05, epochs=4, batch_size=32, shuffle=True, seed=1)
    a = gd.fit_linear(d.X, d.Y, backend="numpy", **kw)
    b = gd.fit_linear(d.X, d.Y, backend="torch", **kw)
    assert a.weights.dtype == np.float32 and b.weights.dtype == np.float32
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-4, atol=1e-6)


def test_records_have_documented_shapes():
    X, Y = gd.noisy_line(seed=0, backend="numpy")
    hist = gd.fit_linear(X, Y, lr=0.01, epochs=3, batch_size=30)
    assert hist.method == "minibatch" and hist.n_steps == 3 * 4
    assert hist.epoch_loss.shape == (4,) and hist.step_loss.shape == (12,)
    assert hist.weights.shape == (13, 1, 1) and hist.biases.shape == (13, 1)
    assert hist.loss.shape == (13,) and hist.epoch_steps.tolist() == [0, 4, 8, 12]
    assert hist.grad_evals.tolist()[:6] == [0, 30, 60, 90, 100, 130]
    np.testing.assert_allclose(hist.loss[hist.epoch_steps], hist.epoch_loss)
    by_hand = np.mean((X[:, 0] * hist.final_weight[0, 0] + hist.final_bias[0] - Y[:, 0]) ** 2)
    assert hist.final_loss == pytest.approx(by_hand, rel=1e-5)
    assert hist.loss[-1] == pytest.approx(by_hand, rel=1e-5)


def test_torch_tensors_are_accepted_as_data():
    Xt, Yt = gd.noisy_line(seed=0)
    from_torch = gd.fit_linear(Xt, Yt, lr=0.05, epochs=5)
    from_numpy = gd.fit_linear(Xt.numpy(), Yt.numpy(), lr=0.05, epochs=5)
    np.testing.assert_array_equal(from_torch.weights, from_numpy.weights)


def test_steps_to():
    X, Y = gd.toy_data()
    hist = gd.fit_linear(X, Y, lr=0.04, epochs=10, bias=False)
    assert hist.steps_to(100.0) == 0
    assert hist.steps_to(1.0) == 2  # losses 30, 4.8, 0.768: below 1 after step 2
    assert hist.steps_to(-1.0) is None
    quiet = gd.fit_linear(X, Y, lr=0.04, epochs=2, bias=False, track_full_loss=False)
    assert quiet.loss is None
    with pytest.raises(ValueError, match="steps_to needs the full-data loss after every step"):
        quiet.steps_to(1.0)


def test_batch_size_at_least_n_is_full_batch_and_shuffle_is_seeded():
    X, Y = gd.noisy_line(seed=0, backend="numpy")
    assert gd.fit_linear(X, Y, lr=0.01, epochs=1, batch_size=1000).method == "batch"
    a = gd.fit_linear(X, Y, lr=0.01, epochs=2, batch_size=10, shuffle=True, seed=1)
    b = gd.fit_linear(X, Y, lr=0.01, epochs=2, batch_size=10, shuffle=True, seed=1)
    c = gd.fit_linear(X, Y, lr=0.01, epochs=2, batch_size=10, shuffle=True, seed=2)
    assert np.array_equal(a.weights, b.weights) and not np.array_equal(a.weights, c.weights)


def test_initial_values_and_int_data():
    hist = gd.fit_linear([[1], [2]], [[2], [4]], lr=0.01, epochs=1, weight0=[[0.5]], bias0=[0.25])
    assert hist.weights.dtype == np.float64  # integers are trained in float64
    assert hist.weights[0].tolist() == [[0.5]] and hist.biases[0].tolist() == [0.25]
    with pytest.raises(ValueError, match=r"weight0 must be a number or an array of shape \(1, 1\)"):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.1, epochs=1, weight0=[1.0, 2.0])
    # a NaN start is bad input, not a divergence of the training
    with pytest.raises(ValueError, match="bias0 must hold finite numbers; got NaN or infinity"):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.1, epochs=1, bias0=float("nan"))
    with pytest.raises(ValueError, match="weight0 must hold finite numbers; got NaN or infinity"):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.1, epochs=1, weight0=[[np.inf]])


def test_divergence_raise_message():
    # each step multiplies w - 2 by 1 - 0.5 * 15 = -6.5, the loss by 42.25: 30 * 42.25**23 is
    # above the float32 maximum 3.4e38, so the loss after epoch 23 is the first inf
    X, Y = gd.toy_data()
    with pytest.raises(
        FloatingPointError,
        match=(
            r"training diverged at epoch 23 step 1: loss became inf with lr=0\.5; the stability "
            r"bound for these inputs is lr < 0\.133 \(gd\.lr_stability_bound\)\. Lower the "
            r"learning rate or standardise the inputs; pass on_divergence='stop' to keep the "
            r"history instead\."
        ),
    ):
        gd.fit_linear(X, Y, lr=0.5, epochs=500, bias=False)


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _sgd_steps_until_float32_overflow(x, y, lr):
    """Independent reference: plain per-sample SGD in float64 from w = b = 0, in data order.

    Returns the batch losses (r**2) of the steps taken before the first loss that float32 cannot
    hold, and that loss: the step at which a float32 run meets its first non-finite loss.
    """
    w = b = 0.0
    losses = []
    for xi, yi in zip(x.astype(np.float64), y.astype(np.float64), strict=True):
        r = w * xi + b - yi
        if r * r > FLOAT32_MAX:
            return np.array(losses), r * r
        losses.append(r * r)
        w, b = w - lr * 2 * r * xi, b - lr * 2 * r
    raise AssertionError("the reference run did not overflow within one epoch")


def test_divergence_stop_and_continue():
    X, Y = gd.noisy_line(seed=0, backend="numpy")
    stop = gd.fit_linear(X, Y, lr=0.5, epochs=20, batch_size=1, on_divergence="stop")
    ref_losses, overflow = _sgd_steps_until_float32_overflow(X[:, 0], Y[:, 0], 0.5)
    # far from the float32 limit on both sides: the step is the same whatever the rounding
    assert ref_losses[-1] < FLOAT32_MAX / 2 and overflow > 10 * FLOAT32_MAX
    assert stop.diverged and stop.n_steps == len(ref_losses) == 15  # the 16th loss is inf
    np.testing.assert_allclose(stop.step_loss, ref_losses, rtol=1e-5)
    assert stop.weights.shape[0] == stop.n_steps + 1 == stop.grad_evals.size
    assert np.isfinite(stop.weights).all()
    cont = gd.fit_linear(X, Y, lr=0.5, epochs=20, batch_size=1, on_divergence="continue")
    assert cont.diverged and cont.n_steps == 2000 and not np.isfinite(cont.final_loss)
    with pytest.raises(FloatingPointError, match=r"lr < 0\.0385 \(gd\.sgd_stability_bound\)"):
        gd.fit_linear(X, Y, lr=0.5, epochs=20, batch_size=1)
    torch_stop = gd.fit_linear(
        X, Y, lr=0.5, epochs=20, batch_size=1, on_divergence="stop", backend="torch"
    )
    assert torch_stop.n_steps == stop.n_steps and np.isfinite(torch_stop.weights).all()


def test_full_batch_stop_when_the_epoch_loss_overflows():
    X, Y = gd.toy_data()  # float32: the loss overflows after 23 steps at lr = 0.5
    hist = gd.fit_linear(X, Y, lr=0.5, epochs=500, bias=False, on_divergence="stop")
    assert hist.diverged and hist.n_steps == 23 and hist.final_loss == float("inf")
    assert hist.epoch_steps[-1] == 23 and len(hist.epoch_loss) == 24
    assert np.isfinite(hist.weights).all()


def test_slow_divergence_is_flagged_without_inf():
    X, Y = gd.toy_data()
    hist = gd.fit_linear(X, Y, lr=0.14, epochs=5, bias=False)  # bound 2/15 = 0.1333
    assert np.isfinite(hist.final_loss) and hist.diverged


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(lr=0.0), ValueError, r"lr must be a finite number > 0; got 0\.0 instead"),
        (dict(lr=-0.1), ValueError, r"lr must be a finite number > 0; got -0\.1 instead"),
        (dict(lr=float("inf")), ValueError, r"lr must be a finite number > 0; got inf"),
        (dict(lr=float("nan")), ValueError, r"lr must be a finite number > 0; got nan"),
        (dict(lr="0.1"), TypeError, "lr must be a real number; got str"),
        (dict(lr=0.1, epochs=0), ValueError, "epochs must be an integer >= 1; got 0"),
        (dict(lr=0.1, batch_size=0), ValueError, "batch_size must be an integer >= 1; got 0"),
        (dict(lr=0.1, backend="jax"), ValueError, "backend must be 'numpy' or 'torch'; got 'jax'"),
        (
            dict(lr=0.1, on_divergence="ignore"),
            ValueError,
            "on_divergence must be 'raise' or 'stop'",
        ),
    ],
)
def test_argument_errors(kwargs, error, match):
    kwargs.setdefault("epochs", 1)
    with pytest.raises(error, match=match):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], **kwargs)


def test_data_errors():
    with pytest.raises(ValueError, match="X and Y must have the same number of samples"):
        gd.fit_linear(np.ones(3), np.ones(4), lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="Y must hold finite numbers; got NaN or infinity"):
        gd.fit_linear(np.ones(2), [1.0, np.nan], lr=0.1, epochs=1)
    with pytest.raises(ValueError, match=r"X must hold at least one sample; got shape \(0, 1\)"):
        gd.fit_linear(np.ones((0, 1)), np.ones((0, 1)), lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="X must hold real numbers; got an array of dtype complex"):
        gd.fit_linear(np.ones(2, dtype=complex), np.ones(2), lr=0.1, epochs=1)


def _least_squares_minimum(X, y):
    """Independent closed form: the smallest MSE of ``X w + b`` (normal equations, centred)."""
    X, y = X.astype(np.float64), y.astype(np.float64)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc, Xc.T @ yc)
    return float(np.mean((Xc @ w - yc) ** 2))


def test_one_minibatch_epoch_on_big_data_reaches_the_noise_floor():
    # speed is measured by `make bench`, not asserted here
    d = gd.make_regression(200_000, 50, seed=0)
    lr, m = 0.05, 256
    hist = gd.fit_linear(
        d.X, d.Y, lr=lr, epochs=1, batch_size=m, shuffle=True, track_full_loss=False
    )
    assert hist.n_steps == 782  # ceil(200_000 / 256): the last batch holds 64 samples
    best = _least_squares_minimum(d.X, d.Y[:, 0])
    assert best == pytest.approx(0.1**2, rel=0.01)  # the noise variance, 0.1**2
    # SGD at a constant lr stops on a floor above the minimum: for standard-normal features
    # the excess is about lr / (m (1 - lr)) * (d + 1) * noise variance, here 1.05 %
    floor = lr / (m * (1 - lr)) * (d.X.shape[1] + 1)
    assert floor == pytest.approx(0.0105, abs=1e-4)
    excess = hist.final_loss / best - 1
    assert 0 < excess < 2 * floor
    # the run is seeded: its excess is pinned (other CPUs round float32 sums differently,
    # which moves it by about 1e-4 of itself)
    assert excess == pytest.approx(0.01805, rel=0.01)


def test_stability_bound_is_computed_on_first_use_and_equals_the_helper():
    X, Y = gd.toy_data(column=True)
    hist = gd.fit_linear(X, Y, lr=0.01, epochs=2)
    assert "stability_bound" not in vars(hist)  # not computed during training
    assert hist.stability_bound == pytest.approx(
        2 / np.linalg.eigvalsh(2 / 4 * np.c_[X, np.ones(4)].T @ np.c_[X, np.ones(4)]).max()
    )
    from gdhelpers.history import full_batch_history

    bare = full_batch_history(
        label="bare",
        lr=0.1,
        n_samples=4,
        loss=np.zeros(1),
        weights=np.zeros((1, 1, 1)),
        biases=np.zeros((1, 1)),
        bound_fn=None,
    )
    with pytest.raises(ValueError, match=r"History\.stability_bound needs bound_fn; got a History"):
        _ = bare.stability_bound


@pytest.mark.parametrize(
    ("batch_size", "backend", "record_every"),
    [(3, "numpy", 5), (1, "numpy", 4), (None, "torch", 3), (2, "numpy", 1000)],
)
def test_record_every_keeps_every_kth_state_and_the_last(batch_size, backend, record_every):
    """Item 13: the same training, a subset of the states; epoch losses unchanged."""
    X = np.arange(1.0, 11.0).reshape(-1, 1)
    Y = np.c_[2 * X[:, 0] + 1, -X[:, 0]]
    kw = {"lr": 0.004, "epochs": 3, "batch_size": batch_size, "backend": backend}
    full = gd.fit_linear(X, Y, shuffle=True, **kw)
    sparse = gd.fit_linear(X, Y, shuffle=True, record_every=record_every, **kw)
    keep = sorted({*range(0, full.n_steps + 1, record_every), full.n_steps})
    np.testing.assert_array_equal(sparse.steps, keep)
    assert sparse.weights.shape == (len(keep), 2, 1) and sparse.biases.shape == (len(keep), 2)
    for name in ("weights", "biases", "loss", "grad_evals"):
        np.testing.assert_array_equal(getattr(sparse, name), getattr(full, name)[keep], name)
    np.testing.assert_array_equal(sparse.step_loss, full.step_loss[np.array(keep[1:]) - 1])
    np.testing.assert_array_equal(sparse.epoch_loss, full.epoch_loss)
    np.testing.assert_array_equal(sparse.epoch_steps, full.epoch_steps)
    assert sparse.n_steps == full.n_steps and sparse.final_loss == full.final_loss
    np.testing.assert_array_equal(sparse.final_weight, full.final_weight)


def test_record_every_when_a_run_stops_on_divergence():
    X, Y = np.arange(1.0, 5.0), np.arange(2.0, 10.0, 2.0)
    full = gd.fit_linear(X, Y, lr=0.3, epochs=50, batch_size=1, on_divergence="stop")
    sparse = gd.fit_linear(
        X, Y, lr=0.3, epochs=50, batch_size=1, on_divergence="stop", record_every=7
    )
    assert full.diverged and sparse.diverged and sparse.n_steps == full.n_steps
    assert sparse.steps[-1] == full.n_steps and full.n_steps % 7  # the last state is added
    np.testing.assert_array_equal(sparse.final_weight, full.final_weight)
    np.testing.assert_array_equal(sparse.step_loss[-1], full.step_loss[-1])
    np.testing.assert_array_equal(sparse.epoch_loss, full.epoch_loss)


def test_the_loop_uses_the_one_mse_implementation(monkeypatch):
    """Item 10: fit_linear's loss and step come from gdhelpers.losses, not a copy."""
    import gdhelpers.losses
    import gdhelpers.train

    calls = []
    real = gdhelpers.losses._loss_and_step

    def spy(*args):
        calls.append(args[-1])
        return real(*args)

    monkeypatch.setattr(gdhelpers.train, "_loss_and_step", spy)
    gd.fit_linear([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], lr=0.04, epochs=3)
    assert calls == [0.04] * 3
