"""lstsq_fit against hand-derived solutions and the normal equations."""

import numpy as np
import pytest
import torch

import gdhelpers as gd


def test_exact_line_hand_values():
    X, Y = gd.toy_data()
    w, b = gd.lstsq_fit(X, Y)
    assert w.shape == (1, 1) and b.shape == (1,) and w.dtype == np.float64
    assert w[0, 0] == pytest.approx(2.0) and b[0] == pytest.approx(0.0, abs=1e-10)
    w0, b0 = gd.lstsq_fit(X, Y, bias=False)
    assert w0[0, 0] == pytest.approx(2.0) and b0.tolist() == [0.0]


def test_no_bias_slope_is_sum_xy_over_sum_xx():
    x = np.array([1.0, 2.0, 4.0])
    y = np.array([1.0, 3.0, 2.0])
    w, _ = gd.lstsq_fit(x, y, bias=False)
    assert w[0, 0] == pytest.approx(np.sum(x * y) / np.sum(x * x))


def test_simple_regression_formula_on_noisy_line():
    X, Y = gd.noisy_line(seed=0)
    x, y = X[:, 0].double().numpy(), Y[:, 0].double().numpy()
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    w, b = gd.lstsq_fit(X, Y)
    assert w[0, 0] == pytest.approx(slope, rel=1e-9)
    assert b[0] == pytest.approx(y.mean() - slope * x.mean(), abs=1e-9)


def test_multi_output_matches_normal_equations():
    d = gd.make_regression(200, 3, 2, noise=0.1, seed=4)
    w, b = gd.lstsq_fit(d.X, d.Y)
    A = np.hstack([d.X, np.ones((200, 1))]).astype(np.float64)
    theta = np.linalg.solve(A.T @ A, A.T @ d.Y.astype(np.float64))
    np.testing.assert_allclose(w, theta[:3].T, rtol=1e-8)
    np.testing.assert_allclose(b, theta[3], rtol=1e-8)
    np.testing.assert_allclose(w, d.weight, atol=0.05)


def test_lstsq_errors():
    with pytest.raises(ValueError, match="X and Y must have the same number of samples"):
        gd.lstsq_fit(np.ones((3, 1)), np.ones(4))
    with pytest.raises(ValueError, match="Y must hold finite numbers"):
        gd.lstsq_fit(np.ones(2), [1.0, np.inf])
    with pytest.raises(TypeError, match="X must hold real numbers"):
        gd.lstsq_fit(torch.tensor([True, False]), np.ones(2))
