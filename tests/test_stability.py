"""Stability bounds against hand values and against actual runs just below / above them."""

import numpy as np
import pytest
import torch

import gdhelpers as gd


def test_toy_bound_without_bias_is_2_over_15():
    # H = 2 * mean(x^2) = 2 * 30 / 4 = 15
    X, _ = gd.toy_data()
    assert gd.lr_stability_bound(X, bias=False) == pytest.approx(2 / 15, rel=1e-12)
    Xc, _ = gd.toy_data(backend="torch", column=True)
    assert gd.lr_stability_bound(Xc, bias=False) == pytest.approx(2 / 15, rel=1e-12)


def test_toy_bound_with_bias_hand_value():
    # H = 2/4 * [[30, 10], [10, 4]]; lambda_max = (34 + sqrt(26**2 + 4*100)) / 4
    lam = (34 + np.sqrt(26**2 + 400)) / 4
    assert gd.lr_stability_bound([1.0, 2.0, 3.0, 4.0]) == pytest.approx(2 / lam, rel=1e-12)


def _autograd_bound(X, k, bias):
    """2 / lambda_max of the Hessian of the MSE over all parameters, from torch autograd."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float64).reshape(len(X), -1))
    n, d = X.shape
    Y = torch.zeros(n, k, dtype=torch.float64)  # the Hessian does not depend on Y

    def loss(theta):
        W, b = theta[: k * d].reshape(k, d), theta[k * d :]
        return torch.mean((X @ W.T + (b if bias else 0) - Y) ** 2)

    H = torch.autograd.functional.hessian(loss, torch.zeros(k * d + k, dtype=torch.float64))
    return 2 / torch.linalg.eigvalsh(H)[-1].item()


@pytest.mark.parametrize(("k", "bias"), [(1, True), (1, False), (3, True), (2, False)])
def test_bound_matches_autograd_hessian(k, bias):
    X = np.random.default_rng(k).normal(loc=1.0, size=(30, 2))
    expected = _autograd_bound(X, k, bias)
    assert gd.lr_stability_bound(X, bias=bias, n_outputs=k) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(("k", "bias"), [(1, True), (2, True), (2, False)])
def test_per_sample_bound_matches_autograd_hessian(k, bias):
    X = np.array([[0.5, -2.0], [3.0, 1.0]])
    bounds = gd.per_sample_stability_bounds(X, bias=bias, n_outputs=k)
    expected = [_autograd_bound(X[i : i + 1], k, bias) for i in range(2)]
    np.testing.assert_allclose(bounds, expected, rtol=1e-10)
    assert gd.sgd_stability_bound(X, bias=bias, n_outputs=k) == pytest.approx(min(expected))


def test_bound_scales_with_outputs():
    X = np.random.default_rng(0).normal(size=(20, 3))
    one = gd.lr_stability_bound(X)
    assert gd.lr_stability_bound(X, n_outputs=3) == pytest.approx(3 * one)


def test_zero_inputs_have_no_bound():
    assert gd.lr_stability_bound(np.zeros((3, 1)), bias=False) == float("inf")
    assert np.isinf(gd.per_sample_stability_bounds(np.zeros((2, 1)), bias=False)).all()


@pytest.mark.parametrize("bias", [True, False])
def test_bound_separates_convergence_from_divergence(bias):
    X, Y = gd.noisy_line(seed=0, backend="numpy")
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    bound = gd.lr_stability_bound(X, bias=bias)
    below = gd.fit_linear(X, Y, lr=0.95 * bound, epochs=300, bias=bias, on_divergence="stop")
    above = gd.fit_linear(X, Y, lr=1.05 * bound, epochs=300, bias=bias, on_divergence="continue")
    # below: converged to the least-squares minimum (closed form, np.linalg.lstsq)
    A = np.hstack([X, np.ones_like(X)]) if bias else X
    best, *_ = np.linalg.lstsq(A, Y, rcond=None)
    assert not below.diverged
    assert below.final_loss == pytest.approx(np.mean((A @ best - Y) ** 2), rel=1e-9)
    # above: the bound is 2 / (largest eigenvalue), so lr = 1.05 x bound multiplies the error
    # along that eigenvector by 1 - 2.1 = -1.1 each epoch, and the loss by 1.21 once it dominates
    assert above.diverged
    assert above.epoch_loss[-1] / above.epoch_loss[-2] == pytest.approx(1.21, rel=1e-9)


def test_toy_run_at_the_bound_edges():
    X, Y = gd.toy_data()
    bound = 2 / 15  # hand value
    ok = gd.fit_linear(X, Y, lr=0.95 * bound, epochs=200, bias=False)
    bad = gd.fit_linear(X, Y, lr=1.05 * bound, epochs=200, bias=False, on_divergence="stop")
    assert ok.final_weight[0, 0] == pytest.approx(2.0, abs=1e-4)
    # closed form: L(w) = 7.5 (w - 2)**2 and w - 2 is multiplied by 1 - 15 lr = -1.1 per step,
    # so from w = 0 the loss after 200 steps is 30 x 1.21**200 (float32: to about 1e-5)
    assert bad.diverged and bad.final_loss == pytest.approx(30 * 1.21**200, rel=1e-4)


def test_per_sample_bounds_noisy_line():
    X, _ = gd.noisy_line(seed=0)
    bounds = gd.per_sample_stability_bounds(X)
    assert bounds.shape == (100,)
    x = X[:, 0].numpy().astype(np.float64)
    np.testing.assert_allclose(bounds, 1 / (x**2 + 1), rtol=1e-6)
    i3 = int(np.argmin(np.abs(x - 3)))
    assert bounds[i3] == pytest.approx(0.1, rel=1e-5)
    assert np.all((bounds < 0.1) == (np.abs(x) > 3.0 + 1e-4))
    assert gd.sgd_stability_bound(X) == pytest.approx(1 / 26)


def test_per_sample_bound_is_where_a_single_step_stops_contracting():
    # one sample's squared error, step at 0.99 and 1.01 times its bound, from torch autograd
    a = torch.tensor([3.0, 1.0], dtype=torch.float64)  # x = 3 with bias
    bound = gd.per_sample_stability_bounds([3.0])[0]
    for factor, contracts in ((0.99, True), (1.01, False)):
        w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        errors = []
        for _ in range(50):
            loss = (a @ w - 1.0) ** 2
            errors.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= factor * bound * w.grad
                w.grad.zero_()
        assert (errors[-1] < errors[0]) == contracts


def test_per_sample_with_outputs_and_bad_inputs():
    np.testing.assert_allclose(gd.per_sample_stability_bounds([[1.0, 1.0]], n_outputs=2), [2 / 3])
    with pytest.raises(ValueError, match="X must hold finite numbers"):
        gd.lr_stability_bound([1.0, np.nan])
    with pytest.raises(
        ValueError, match=r"X must be a 2-D array of shape \(n_samples, n_features\)"
    ):
        gd.sgd_stability_bound(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="n_outputs must be an integer >= 1; got 0"):
        gd.lr_stability_bound([1.0], n_outputs=0)
    with pytest.raises(ValueError, match=r"X must hold at least one sample; got shape \(0, 1\)"):
        gd.lr_stability_bound([])
