"""numerical_gradient and gradcheck: accuracy, no side effects, messages that explain."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gdhelpers as gd


def quadratic(x):
    return float(np.sum(np.arange(1, x.size + 1).reshape(x.shape) * x**2))


def quadratic_grad(x):
    return 2 * np.arange(1, x.size + 1).reshape(x.shape) * x


def test_numerical_gradient_hand_values_and_shape():
    g = gd.numerical_gradient(lambda v: v[0] ** 2 * v[1], np.array([3.0, 2.0]))
    np.testing.assert_allclose(g, [12.0, 9.0], rtol=1e-8)
    x = np.arange(6.0).reshape(2, 3)
    assert gd.numerical_gradient(quadratic, x).shape == (2, 3)
    scalar = gd.numerical_gradient(lambda v: float(v) ** 3, 2.0)
    assert scalar.shape == () and float(scalar) == pytest.approx(12.0, rel=1e-8)


def test_numerical_gradient_is_the_central_difference():
    # For a cubic the central difference is exact up to rounding: ((x+h)^3 - (x-h)^3) / (2h)
    # = 3x^2 + h^2. A forward difference would give 3x^2 + 3xh + h^2 instead.
    x = np.array([1.0, -2.0, 0.5])
    g = gd.numerical_gradient(lambda v: np.sum(v**3), x, eps=0.1)
    np.testing.assert_allclose(g, 3 * x**2 + 0.1**2, rtol=1e-10)


def test_numerical_gradient_calls_f_twice_per_entry():
    calls = []
    gd.numerical_gradient(lambda v: calls.append(v.copy()) or 0.0, np.zeros((2, 3)))
    assert len(calls) == 12 and all(c.shape == (2, 3) for c in calls)
    # entry i is moved by +eps, then by -eps, the others stay at x
    assert calls[0][0, 0] == 1e-6 and calls[1][0, 0] == -1e-6 and calls[0].sum() == 1e-6


def test_numerical_gradient_does_not_modify_x_even_if_f_does():
    x = np.array([1.0, 2.0])
    seen = []

    def f(v):
        seen.append(v.copy())
        v[:] = 100.0  # a badly behaved f
        return 0.0

    gd.numerical_gradient(f, x)
    assert x.tolist() == [1.0, 2.0]
    assert seen[0].tolist() == [1.0 + 1e-6, 2.0]


def test_numerical_gradient_accepts_torch_valued_f_and_ints():
    g = gd.numerical_gradient(lambda v: torch.tensor(v).pow(2).sum(), [1, 2])
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-6)


def test_numerical_gradient_float32_needs_larger_eps():
    x = np.array([1.5, -0.5], dtype=np.float32)
    coarse = gd.numerical_gradient(lambda v: np.sum(v**2), x, eps=1e-3)
    np.testing.assert_allclose(coarse, [3.0, -1.0], rtol=1e-3)


def test_numerical_gradient_errors():
    with pytest.raises(ValueError, match=r"f must return a single number \(the loss\); got shape"):
        gd.numerical_gradient(lambda v: v * 2, np.ones(2))
    with pytest.raises(
        ValueError,
        match=r"eps must be a finite number > 0; got 0\.0 instead\. Typical values are small "
        r"positive numbers such as 1e-6\.",
    ):
        gd.numerical_gradient(quadratic, np.ones(2), eps=0.0)
    with pytest.raises(
        TypeError,
        match=r"f must return a single number \(the loss\); got str 'oops' instead\. Return the "
        r"loss itself",
    ):
        gd.numerical_gradient(lambda v: "oops", np.ones(2))
    with pytest.raises(
        TypeError, match=r"f must return a single number \(the loss\); got NoneType"
    ):
        gd.numerical_gradient(lambda v: None, np.ones(2))
    with pytest.raises(
        ValueError, match=r"x must hold finite numbers; got NaN or infinity instead"
    ):
        gd.numerical_gradient(quadratic, np.array([1.0, np.nan]))


@settings(max_examples=25, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
        elements=st.floats(-10, 10),
    )
)
def test_gradcheck_accepts_correct_and_rejects_4x_gradient(x):
    good = gd.gradcheck(quadratic, quadratic_grad, x)
    if good.inconclusive:  # only where the gradient is zero up to rounding
        assert np.abs(quadratic_grad(x)).max() < 1e-4, good.message
        return
    assert good.ok, good.message
    assert good.max_rel_error <= 1e-5
    if np.any(np.abs(x) > 1e-2):
        bad = gd.gradcheck(quadratic, lambda v: 4 * quadratic_grad(v), x)
        assert not bad.ok
        assert "4.00 times the numerical one" in bad.message


def test_gradcheck_names_the_factor_and_the_worst_entry():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    res = gd.gradcheck(quadratic, lambda v: 4 * quadratic_grad(v), x)
    assert isinstance(res, gd.GradCheck)
    assert str(res) == res.message
    assert res.message.startswith(
        "The analytic gradient is 4.00 times the numerical one: a sum instead of a mean, "
        "or a missing/extra factor?"
    )
    assert res.max_rel_error == pytest.approx(0.75, rel=1e-6)  # |4g - g| / |4g|
    i = res.worst_index
    assert len(i) == 2 and (
        f"The worst entry is at index {i}: analytic {4 * quadratic_grad(x)[i]:.6g}, numerical "
        f"{quadratic_grad(x)[i]:.6g}." in res.message
    )
    np.testing.assert_allclose(res.numerical, quadratic_grad(x), rtol=1e-6)


def test_gradcheck_message_recorded_in_notebook_07():
    # seed 000's gradient np.dot(2x, w x - y).mean() is a sum: at w = 0.5 on y = 2x it is
    # sum(-3 x^2) = -90, four times the mean -22.5 (hand values); notebook 07 prints this text.
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])
    res = gd.gradcheck(
        lambda w: np.mean((w * x - y) ** 2), lambda w: np.dot(2 * x, w * x - y).mean(), 0.5
    )
    assert res.message == (
        "The analytic gradient is 4.00 times the numerical one: a sum instead of a mean, or a "
        "missing/extra factor? Values: analytic -90, numerical -22.5. (Largest relative error "
        "7.50e-01 > tol 1e-05.)"
    )
    good = gd.gradcheck(
        lambda w: np.mean((w * x - y) ** 2), lambda w: np.mean(2 * x * (w * x - y)), 0.5
    )
    assert good.ok and good.message.startswith("Gradient check passed: largest relative error ")
    assert good.message.endswith(" <= tol 1e-05.")


def test_gradcheck_tolerance_is_relative_and_near_misses_are_explained():
    x = np.array([1.0, -2.0])
    assert gd.gradcheck(quadratic, lambda v: (1 + 1e-6) * quadratic_grad(v), x).ok
    near = gd.gradcheck(quadratic, lambda v: (1 + 1e-3) * quadratic_grad(v), x)
    assert not near.ok and near.max_rel_error == pytest.approx(1e-3, rel=1e-3)
    assert near.message.startswith(
        "The analytic gradient is 1.001000 times the numerical one: close, but not close enough."
    )
    loose = gd.gradcheck(quadratic, lambda v: (1 + 1e-3) * quadratic_grad(v), x, tol=1e-2)
    assert loose.ok


def test_gradcheck_sign_flip_and_negative_factor():
    x = np.array([1.0, 2.0])
    flip = gd.gradcheck(quadratic, lambda v: -quadratic_grad(v), x)
    assert not flip.ok and "sign flipped" in flip.message
    neg = gd.gradcheck(quadratic, lambda v: -2 * quadratic_grad(v), x)
    assert (
        "-2.00 times the numerical one" in neg.message and "The sign is flipped too" in neg.message
    )


def test_gradcheck_shape_mismatch_is_a_result_not_an_exception():
    res = gd.gradcheck(quadratic, lambda v: quadratic_grad(v).reshape(-1, 1), np.ones(3))
    assert not res.ok and res.max_rel_error == float("inf") and res.worst_index == ()
    assert "grad_f returned shape (3, 1) but x has shape (3,)" in res.message


def test_gradcheck_other_failures():
    x = np.array([1.0, 2.0, 3.0])
    zero = gd.gradcheck(quadratic, lambda v: np.zeros_like(v), x)
    assert "zero everywhere" in zero.message
    nan = gd.gradcheck(quadratic, lambda v: np.full_like(v, np.nan), x)
    assert not nan.ok and "NaN or infinity" in nan.message
    one_wrong = gd.gradcheck(quadratic, lambda v: quadratic_grad(v) + np.array([0, 0, 1]), x)
    assert not one_wrong.ok and one_wrong.worst_index == (2,)
    assert "1 of 3 entries disagree" in one_wrong.message
    text = gd.gradcheck(quadratic, lambda v: "oops", x)
    assert not text.ok and text.message == (
        "grad_f returned something that is not an array of numbers: grad_f(x) must be an array "
        "of numbers; got the string 'oops' instead. Pass a NumPy array or a torch tensor."
    )
    with np.errstate(invalid="ignore"):  # log of a negative number is NaN
        undefined = gd.gradcheck(
            lambda v: np.sum(np.log(v)), lambda v: 1 / v, np.array([-1.0, 2.0])
        )
    assert not undefined.ok
    assert undefined.message.startswith("The numerical gradient holds NaN or infinity")


def test_gradcheck_errors():
    with pytest.raises(ValueError, match=r"x must hold at least one number; got shape \(0,\)"):
        gd.gradcheck(quadratic, quadratic_grad, np.ones(0))

    def broken(v):
        return None * v  # a bug inside grad_f: the learner sees their own error

    with pytest.raises(TypeError, match="unsupported operand"):
        gd.gradcheck(quadratic, broken, np.ones(2))


def test_gradcheck_zero_gradient_entries_are_not_failures():
    # entries where the gradient is exactly 0 (the numerical one is round-off) do not fail
    x = np.array([0.0, 1.0, 0.0])
    res = gd.gradcheck(lambda v: 1e3 + np.sum(v**2), lambda v: 2 * v, x)
    assert res.ok and res.message.endswith(
        "2 of 3 entries are too small to check at this x (within the numerical gradient's "
        "rounding noise)."
    )
    # at the minimum every entry is round-off: nothing can be checked there
    at_minimum = gd.gradcheck(lambda v: 1e3 + np.sum(v**2), lambda v: 2 * v, np.zeros(3))
    assert not at_minimum.ok and at_minimum.inconclusive


def test_gradcheck_against_torch_autograd():
    X = np.random.default_rng(0).normal(size=(5, 2))

    def loss(w):
        return float(np.mean((X @ w) ** 2))

    def torch_grad(w):
        wt = torch.tensor(w, requires_grad=True)
        torch.mean((torch.tensor(X) @ wt) ** 2).backward()
        return wt.grad.numpy()

    assert gd.gradcheck(loss, torch_grad, np.array([0.3, -1.2])).ok


def test_gradcheck_tol_must_be_positive():
    with pytest.raises(ValueError, match="tol must be a finite number > 0"):
        gd.gradcheck(quadratic, quadratic_grad, np.ones(2), tol=-1)


# ---------------------------------------------------------------- issue 17: items 1-2


def big_constant_loss(x):  # the gradient is 2 i x_i; the constant 1e12 drowns its changes
    return 1e12 + np.sum(np.arange(1.0, x.size + 1) * x**2)


def big_constant_grad(x):
    return 2 * np.arange(1.0, x.size + 1) * x


@pytest.mark.parametrize("factor", [1.0, 4.0, -1.0], ids=["right", "4x", "sign"])
def test_gradcheck_is_inconclusive_when_the_loss_drowns_its_changes(factor):
    """Used to say "Gradient check passed" for the 4x and the sign-flipped gradient."""
    res = gd.gradcheck(big_constant_loss, lambda v: factor * big_constant_grad(v), np.ones(3))
    assert not res.ok and res.inconclusive and np.isnan(res.max_rel_error)
    assert res.message.startswith(
        "Gradient check inconclusive: no entry of the numerical gradient stands out of its own "
        "rounding noise (about 2"
    )
    assert "f(x) = 1e+12 is large next to its changes" in res.message


def test_the_same_loss_without_the_constant_is_checked():
    def loss(x):  # the same changes, without the constant that drowned them
        return np.sum(np.arange(1.0, x.size + 1) * x**2)

    assert gd.gradcheck(loss, big_constant_grad, np.ones(3)).ok
    assert (
        "4.00 times" in gd.gradcheck(loss, lambda v: 4 * big_constant_grad(v), np.ones(3)).message
    )


X32 = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)


def loss32(w):  # float32 data and parameter: the loss carries about 7 digits
    return np.mean((np.float32(w[0]) * X32 - 2 * X32) ** 2)


def grad64(w):
    return np.array([np.mean(2 * X32.astype(np.float64) * (w[0] * X32 - 2 * X32))])


@pytest.mark.parametrize("factor", [1.0, 2.0, 1.01])
def test_gradcheck_on_a_float32_loss_says_it_cannot_tell(factor):
    """A 2x mistake gave max_rel_error 1.1e-4 and a gradient 1 % too large passed."""
    res = gd.gradcheck(loss32, lambda w: factor * grad64(w), np.array([0.5]))
    assert not res.ok and res.inconclusive
    assert "f computes in float32 (about 7 digits): compute it in float64" in res.message


def test_gradcheck_on_a_float32_loss_with_a_large_step_finds_a_1_percent_error():
    right = gd.gradcheck(loss32, grad64, np.array([0.5]), eps=1e-3, tol=1e-3)
    assert right.ok, right.message
    wrong = gd.gradcheck(loss32, lambda w: 1.01 * grad64(w), np.array([0.5]), eps=1e-3, tol=1e-3)
    assert not wrong.ok and not wrong.inconclusive and "1.01 times" in wrong.message


def test_gradcheck_at_a_minimum_is_inconclusive_not_passed():
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])
    res = gd.gradcheck(
        lambda w: np.mean((w[0] * x - y) ** 2),
        lambda w: 4 * np.array([np.mean(2 * x * (w[0] * x - y))]),
        np.array([2.0]),
    )
    assert res.inconclusive and "The gradient is zero here (a minimum?)" in res.message


def test_numerical_gradient_perturbs_a_float64_copy():
    """float32 x gave [2.861, -0.954] for the gradient [6, -2] of sum(x**2) at [3, -1]."""
    seen = []

    def f(v):
        seen.append(v.dtype)
        return np.sum(v**2)

    g = gd.numerical_gradient(f, np.array([3.0, -1.0], dtype=np.float32))
    np.testing.assert_allclose(g, [6.0, -2.0], rtol=1e-8)
    assert set(seen) == {np.dtype(np.float64)}


def test_numerical_gradient_scales_a_step_that_rounding_would_lose():
    """At x = 1e12, x + 1e-6 == x in float64: the gradient came out 0 instead of 2e12."""
    g = gd.numerical_gradient(lambda v: v[0] ** 2, np.array([1e12]))
    np.testing.assert_allclose(g, [2e12], rtol=1e-6)
    calls = []
    gd.numerical_gradient(lambda v: calls.append(v.copy()) or 0.0, np.array([1e12, 3.0]))
    assert calls[0][0] - 1e12 == pytest.approx(1e6, rel=1e-3)  # eps * |x|
    assert calls[2][1] == 3.0 + 1e-6  # an ordinary entry keeps the step eps
