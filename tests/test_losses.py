"""mse, linear_predict and mse_grad against torch, hand values and seed 001's printouts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import gdhelpers as gd

# Seed 001: random w, b, their predictions, loss and gradients, as printed.
W_001 = [[0.7042, -1.5674, -0.3579], [1.7298, -1.3018, 1.2664]]
B_001 = [-0.9878, 0.1373]
PREDS_001 = [
    [-69.9865, 93.6475],
    [-97.7417, 124.0402],
    [-170.5096, 49.6385],
    [-9.8022, 167.4584],
    [-127.9193, 83.1674],
]
W_GRAD_001 = [[-1.3965e04, -1.7300e04, -1.0198e04], [1.4810e03, -1.0777e03, -4.9734e00]]
B_GRAD_001 = [-171.3918, 11.5904]


def test_mse_hand_values_and_seed_001():
    assert gd.mse(np.zeros(4, np.float32), np.array([2, 4, 6, 8], np.float32)) == 30.0
    _, targets = gd.crops_data()
    loss = gd.mse(np.array(PREDS_001, np.float32), targets)
    assert loss.dtype == np.float32
    assert abs(float(loss) - 21231.4629) < 0.05


def test_mse_of_scalars():
    assert float(gd.mse(np.float64(3.0), 1.0)) == 4.0


def test_mse_numpy_dtype_and_int_inputs():
    assert gd.mse(np.ones(3), np.zeros(3)).dtype == np.float64
    assert float(gd.mse([1, 2], [1, 4])) == 2.0


def test_mse_torch_matches_nn_mseloss_and_keeps_autograd():
    gen = torch.Generator().manual_seed(0)
    pred = torch.randn(7, 3, generator=gen, requires_grad=True)
    target = torch.randn(7, 3, generator=gen)
    ours = gd.mse(pred, target)
    ref = torch.nn.functional.mse_loss(pred, target)
    assert ours.ndim == 0 and torch.allclose(ours, ref)
    ours.backward()
    assert torch.allclose(pred.grad, 2 * (pred - target).detach() / 21)


def test_mse_mixed_numpy_and_torch_uses_tensor_dtype():
    out = gd.mse(torch.ones(2), np.zeros(2))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and out.item() == 1.0
    assert gd.mse(torch.tensor([1, 2]), torch.tensor([1, 4])).item() == 2.0


def test_mse_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ValueError, match=r"y_pred and y must have the same shape; got \(4,\) and "):
        gd.mse(np.ones(4), np.ones((4, 1)))
    with pytest.raises(
        ValueError, match=r"Reshape one of them, e\.g\. y\.reshape\(y_pred\.shape\)"
    ):
        gd.mse(torch.ones(4, 1), torch.ones(4))
    with pytest.raises(ValueError, match="y must hold at least one sample"):
        gd.mse(np.ones(0), np.ones(0))
    with pytest.raises(TypeError, match="y must hold real numbers"):
        gd.mse(np.ones(2), np.array(["a", "b"]))


def test_linear_predict_against_seed_001():
    inputs, _ = gd.crops_data()
    preds = gd.linear_predict(inputs, np.array(W_001, np.float32), np.array(B_001, np.float32))
    # The printed weights are rounded to 4 decimals, so the predictions agree to ~0.05.
    assert preds.shape == (5, 2)
    assert np.allclose(preds, PREDS_001, atol=0.1)


def test_linear_predict_torch_matches_nn_linear():
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 2)
    X = torch.randn(6, 3)
    out = gd.linear_predict(X, layer.weight, layer.bias)
    assert out.requires_grad
    assert torch.allclose(out, layer(X))


@pytest.mark.parametrize(
    ("X", "w", "b", "match"),
    [
        (np.ones(3), np.ones((1, 1)), np.ones(1), r"X must be a 2-D array .* X\.reshape\(-1, 1\)"),
        (np.ones((3, 2)), np.ones((2, 1)), np.ones(2), r"weight must have shape \(n_outputs, n_fe"),
        (np.ones((3, 2)), np.ones(2), np.ones(1), r"weight must have shape .*got shape \(2,\)"),
        (
            np.ones((3, 2)),
            np.ones((1, 2)),
            np.ones(2),
            r"bias must have shape \(n_outputs,\) = \(1,\)",
        ),
    ],
)
def test_linear_predict_shape_errors(X, w, b, match):
    with pytest.raises(ValueError, match=match):
        gd.linear_predict(X, w, b)


def _autograd(X, Y, W, b):
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.mse_loss(torch.tensor(X) @ Wt.T + bt, torch.tensor(Y))
    loss.backward()
    return Wt.grad.numpy(), bt.grad.numpy()


def test_mse_grad_seed_001_printed_gradients():
    inputs, targets = gd.crops_data()
    dW, db = gd.mse_grad(inputs, targets, np.array(W_001, np.float32), np.array(B_001, np.float32))
    assert dW.shape == (2, 3) and db.shape == (2,)
    # The gradients are printed to 5 significant digits (half a unit: 0.5 on -1.3965e04) and
    # come from weights rounded to 4 decimals (error ~0.02 on every entry): rtol 5e-5 covers
    # the first, atol 0.05 the second. A factor of 2 or n is far outside, also on -4.9734.
    np.testing.assert_allclose(dW, W_GRAD_001, rtol=5e-5, atol=0.05)
    np.testing.assert_allclose(db, B_GRAD_001, rtol=0, atol=2e-3)


def test_mse_grad_hand_value_y_equals_2x():
    # d/dw mean((w x - 2x)^2) at w = 0 is -4 mean(x^2) = -30; d/db is -2 mean(2x) = -10
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    dW, db = gd.mse_grad(X, 2 * X, np.zeros((1, 1)), np.zeros(1))
    assert dW.tolist() == [[-30.0]] and db.tolist() == [-10.0]


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 8),
    d=st.integers(1, 4),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_mse_grad_matches_autograd_and_numerical(n, d, k, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(n, k))
    W, b = rng.normal(size=(k, d)), rng.normal(size=k)
    dW, db = gd.mse_grad(X, Y, W, b)
    tW, tb = _autograd(X, Y, W, b)
    np.testing.assert_allclose(dW, tW, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, tb, rtol=1e-10, atol=1e-12)
    nW = gd.numerical_gradient(lambda w: np.mean((X @ w.T + b - Y) ** 2), W)
    nb = gd.numerical_gradient(lambda c: np.mean((X @ W.T + c - Y) ** 2), b)
    np.testing.assert_allclose(dW, nW, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(db, nb, rtol=1e-6, atol=1e-7)


def test_mse_grad_accepts_tensors_and_checks_inputs():
    X = torch.ones(3, 2)
    dW, db = gd.mse_grad(X, torch.zeros(3, 1), torch.ones(1, 2, requires_grad=True), torch.zeros(1))
    assert isinstance(dW, np.ndarray) and dW.tolist() == [[4.0, 4.0]] and db.tolist() == [4.0]
    with pytest.raises(ValueError, match="X and Y must have the same number of samples"):
        gd.mse_grad(np.ones((3, 2)), np.ones((4, 1)), np.ones((1, 2)), np.ones(1))
    with pytest.raises(
        ValueError, match=r"Y must be a 2-D array of shape \(n_samples, n_outputs\)"
    ):
        gd.mse_grad(np.ones((3, 2)), np.ones(3), np.ones((1, 2)), np.ones(1))
    with pytest.raises(ValueError, match="Y must have one column per output, 1 like weight's rows"):
        gd.mse_grad(np.ones((3, 2)), np.ones((3, 2)), np.ones((1, 2)), np.ones(1))
    with pytest.raises(ValueError, match="weight must hold finite numbers"):
        gd.mse_grad(np.ones((3, 2)), np.ones((3, 1)), np.full((1, 2), np.nan), np.ones(1))
    with pytest.raises(ValueError, match="Y must hold finite numbers"):
        gd.mse_grad(np.ones((3, 2)), np.full((3, 1), np.inf), np.ones((1, 2)), np.ones(1))


# ------------------------------------------------------------------- one implementation


def test_the_mse_is_written_once():
    """Item 10: the loops and plots call gdhelpers.losses instead of retyping the formula."""
    import re
    from pathlib import Path

    package = Path(gd.__file__).parent
    square = re.compile(r"\) ?\*\* ?2\b|(?:sum|mean)\((\w+) \* \1\)")
    for name in ("train", "optimizers", "parallel", "surfaces"):
        source = (package / f"{name}.py").read_text(encoding="utf-8")
        assert not square.findall(source), f"gdhelpers/{name}.py squares a residual itself"
        assert "_mean_square(" in source, f"gdhelpers/{name}.py does not call _mean_square"
    assert "the training loop calls this" not in (package / "losses.py").read_text()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(1, 1), (7, 2), (4000, 1), (33333, 2)])
def test_torch_mean_forms_give_the_same_bits(dtype, shape):
    """run_optimizer used torch.mean(r * r), data_parallel_gd torch.mean(r ** 2): same bits."""
    from gdhelpers.losses import _mean_square

    r0 = torch.randn(shape, dtype=dtype, generator=torch.Generator().manual_seed(len(shape)))
    grads = []
    for form in (_mean_square, lambda r: torch.mean(r * r), lambda r: torch.mean(r**2)):
        r = (3 * r0).requires_grad_(True)
        loss = form(r)
        loss.backward()
        grads.append((loss.detach(), r.grad))
    for loss, grad in grads[1:]:
        assert torch.equal(loss, grads[0][0]) and torch.equal(grad, grads[0][1])


def test_numpy_mse_keeps_its_dtype_and_bits():
    """gd.mse divides in float64 and rounds to the dtype: the same as NumPy's own division."""
    from gdhelpers.losses import _loss_and_step

    rng = np.random.default_rng(0)
    for n in (1, 3, 100, 10_001):
        a = rng.standard_normal((n, 2)).astype(np.float32)
        b = rng.standard_normal((n, 2)).astype(np.float32)
        value = gd.mse(a, b)
        assert type(value) is np.float32
        assert value == np.sum((a - b) * (a - b)) / np.float32(a.size)
    X, Y = rng.standard_normal((9, 3)), rng.standard_normal((9, 2))
    W, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    loss, dW, db = _loss_and_step(X, Y, W, b, 0.1)
    gW, gb = gd.mse_grad(X, Y, W, b)
    np.testing.assert_allclose(dW, 0.1 * gW, rtol=1e-14)
    np.testing.assert_allclose(db, 0.1 * gb, rtol=1e-14)
    assert loss == float(gd.mse(X @ W.T + b, Y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 8, 129, 1000, 20_001])
def test_the_training_step_has_the_loss_bits_of_np_sum(dtype, n):
    """_loss_and_step (every step of fit_linear) sums with np.add.reduce: the same bits as
    _residual/_mean_square and as np.sum, what the notebooks call."""
    from gdhelpers.losses import _loss_and_step, _mean_square, _residual

    rng = np.random.default_rng(n)
    X, Y = rng.standard_normal((n, 3)).astype(dtype), rng.standard_normal((n, 2)).astype(dtype)
    W, b = rng.standard_normal((2, 3)).astype(dtype), rng.standard_normal(2).astype(dtype)
    loss, _, db = _loss_and_step(X, Y, W, b, 0.1)
    R = X @ W.T + b - Y
    assert loss == _mean_square(_residual(X, W, b, Y)) == float(np.sum(R * R)) / R.size
    assert np.array_equal(db, 0.1 * 2.0 / R.size * R.sum(axis=0))
