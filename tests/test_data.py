"""Data sets: the numbers of the seeds, reproducible noise, a fast generator."""

import numpy as np
import pytest
import torch

import gdhelpers as gd

# Printed by seed 001 (print(inputs), print(targets)).
SEED_001_INPUTS = [[73, 67, 43], [91, 88, 64], [87, 134, 58], [102, 43, 37], [69, 96, 70]]
SEED_001_TARGETS = [[56, 70], [81, 101], [119, 133], [22, 37], [103, 119]]


def test_toy_data_numpy_and_torch():
    X, Y = gd.toy_data()
    assert X.dtype == np.float32 and X.shape == (4,)
    assert X.tolist() == [1, 2, 3, 4] and Y.tolist() == [2, 4, 6, 8]
    Xt, Yt = gd.toy_data(backend="torch", column=True)
    assert Xt.dtype == torch.float32 and tuple(Xt.shape) == (4, 1) and tuple(Yt.shape) == (4, 1)
    assert torch.equal(Yt, 2 * Xt)


def test_crops_data_equals_seed_001():
    inputs, targets = gd.crops_data()
    assert inputs.dtype == np.float32 and targets.dtype == np.float32
    assert inputs.tolist() == SEED_001_INPUTS
    assert targets.tolist() == SEED_001_TARGETS
    ti, tt = gd.crops_data(backend="torch")
    assert torch.equal(ti, torch.tensor(SEED_001_INPUTS, dtype=torch.float32))
    assert torch.equal(tt, torch.tensor(SEED_001_TARGETS, dtype=torch.float32))
    assert gd.CROPS_FEATURES == ("temperature", "rainfall", "humidity")
    assert gd.CROPS_TARGETS == ("apples", "oranges")


def test_noisy_line_grid_and_reproducible_noise():
    X, Y = gd.noisy_line(seed=0)
    assert X.dtype == torch.float32 and tuple(X.shape) == (100, 1) and tuple(Y.shape) == (100, 1)
    assert np.allclose(X[:, 0].numpy(), np.arange(100) / 10 - 5, atol=1e-5)
    assert X[0, 0].item() == -5.0 and abs(X[-1, 0].item() - 4.9) < 1e-5
    _, Y2 = gd.noisy_line(seed=0)
    assert torch.equal(Y, Y2)
    _, Y3 = gd.noisy_line(seed=1)
    assert not torch.equal(Y, Y3)
    # exact float32 values with the pinned torch, on every machine; notebook 05 prints the first
    # three rounded (24.55, 24.039, 23.9), and nbval holds it to them
    assert Y[:3, 0].tolist() == [24.549663543701172, 24.0390567779541, 23.899768829345703]
    assert Y[-1, 0].item() == -24.406831741333008
    # the noise y + 5x of these 100 draws (0.4 times a standard normal): its mean and std
    noise = Y.double().numpy()[:, 0] + 5 * X.double().numpy()[:, 0]
    assert noise.mean() == pytest.approx(0.01485648788511753, rel=1e-9)
    assert noise.std(ddof=1) == pytest.approx(0.4118402964687745, rel=1e-9)
    # `noise` scales the same draws
    _, Y8 = gd.noisy_line(seed=0, noise=0.8)
    np.testing.assert_allclose((Y8 + 5 * X).numpy(), 2 * (Y + 5 * X).numpy(), rtol=0, atol=1e-5)


def test_noisy_line_does_not_touch_global_torch_seed():
    torch.manual_seed(123)
    a = torch.rand(1)
    torch.manual_seed(123)
    gd.noisy_line(seed=5)
    assert torch.equal(torch.rand(1), a)


def test_noisy_line_numpy_has_same_numbers_and_noise_zero_is_exact():
    X, Y = gd.noisy_line(seed=3)
    Xn, Yn = gd.noisy_line(seed=3, backend="numpy")
    assert isinstance(Xn, np.ndarray) and Xn.dtype == np.float32
    assert np.array_equal(Yn, Y.numpy()) and np.array_equal(Xn, X.numpy())
    X0, Y0 = gd.noisy_line(noise=0.0)
    assert torch.equal(Y0, -5 * X0)


def test_make_regression_shapes_and_determinism():
    d = gd.make_regression(500, 4, 3, noise=0.0, seed=2)
    assert d.X.shape == (500, 4) and d.Y.shape == (500, 3)
    assert d.weight.shape == (3, 4) and d.bias.shape == (3,)
    assert all(a.dtype == np.float32 for a in (d.X, d.Y, d.weight, d.bias))
    assert np.allclose(d.Y, d.X @ d.weight.T + d.bias, atol=1e-5)
    again = gd.make_regression(500, 4, 3, noise=0.0, seed=2)
    assert np.array_equal(d.Y, again.Y)
    assert not np.array_equal(d.X, gd.make_regression(500, 4, 3, seed=3).X)
    with pytest.raises(AttributeError):
        d.X = None  # frozen


def test_make_regression_follows_the_documented_draw_order():
    # X, weight, bias, then the noise, from np.random.default_rng(seed) in float32
    rng = np.random.default_rng(11)
    X = rng.standard_normal((50, 3), dtype=np.float32)
    weight = rng.standard_normal((2, 3), dtype=np.float32)
    bias = rng.standard_normal(2, dtype=np.float32)
    noise = rng.standard_normal((50, 2), dtype=np.float32)
    d = gd.make_regression(50, 3, 2, noise=0.25, seed=11)
    np.testing.assert_array_equal(d.X, X)
    np.testing.assert_array_equal(d.weight, weight)
    np.testing.assert_array_equal(d.bias, bias)
    np.testing.assert_allclose(d.Y, X @ weight.T + bias + 0.25 * noise, rtol=1e-6, atol=1e-6)


def test_make_regression_noise_level_and_torch_backend():
    d = gd.make_regression(20_000, 2, noise=0.5, seed=0, backend="torch")
    assert isinstance(d.X, torch.Tensor) and d.X.dtype == torch.float32
    std = (d.Y - (d.X @ d.weight.T + d.bias)).double().std().item()
    # 20 000 draws of 0.5 x a standard normal: std within 4 standard errors, 4 x 0.5/sqrt(2n),
    # of 0.5; and, these draws being seeded, this value on every machine
    assert abs(std - 0.5) < 4 * 0.5 / np.sqrt(2 * 20_000)
    assert std == pytest.approx(0.49894197550496766, rel=1e-6)


def test_make_regression_makes_the_notebook_08_size():
    # speed is measured by `make bench`, not asserted here
    d = gd.make_regression(200_000, 50, seed=0)
    assert d.X.shape == (200_000, 50) and d.Y.shape == (200_000, 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(n_samples=0, n_features=2), ValueError, "n_samples must be an integer >= 1; got 0"),
        (dict(n_samples=2.0, n_features=2), TypeError, "n_samples must be an integer; got float"),
        (dict(n_samples=5, n_features=2, noise=-1), ValueError, "noise must be a finite number"),
        (dict(n_samples=5, n_features=2, seed=-1), ValueError, "seed must be an integer >= 0"),
        (dict(n_samples=5, n_features=2, backend="jax"), ValueError, "backend must be 'numpy'"),
    ],
)
def test_make_regression_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        gd.make_regression(**kwargs)


def test_unknown_backend_everywhere():
    for fn in (gd.toy_data, gd.crops_data, gd.noisy_line):
        with pytest.raises(ValueError, match="backend must be 'numpy' or 'torch'; got 'tf'"):
            fn(backend="tf")
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got nan"):
        gd.noisy_line(noise=float("nan"))
