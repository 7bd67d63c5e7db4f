"""The shared input checks: the dtype policy and the wording of the messages."""

import numpy as np
import pytest
import torch

from gdhelpers import _validate as v


def test_floats_pass_through_and_float16_becomes_float32():
    x = np.ones(3, dtype=np.float32)
    assert v.as_float_array(x, "x") is x
    assert v.as_float_array(np.ones(3, dtype=np.float16), "x").dtype == np.float32


def test_integers_and_lists_become_float64():
    out = v.as_float_array([1, 2, 3], "x")
    assert out.dtype == np.float64
    assert out.tolist() == [1.0, 2.0, 3.0]


def test_torch_input_is_detached_to_numpy():
    t = torch.ones(2, requires_grad=True)
    out = v.as_float_array(t, "x")
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [1.0, 1.0]
    # NumPy has no bfloat16: such tensors become float32 instead of crashing in .numpy()
    half = v.as_float_array(torch.tensor([0.5, -2.0], dtype=torch.bfloat16), "x")
    assert half.dtype == np.float32 and half.tolist() == [0.5, -2.0]


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("abc", "x must be an array of numbers; got the string 'abc' instead"),
        (np.array(["a", "b"]), "x must hold real numbers; got an array of dtype <U1 instead"),
        (np.array([1 + 2j]), "Complex numbers are not supported"),
        (np.array([True, False]), "Convert booleans explicitly"),
        (np.array([{}, 1], dtype=object), "x must hold real numbers; got an array of dtype object"),
    ],
)
def test_non_real_input_raises_type_error(value, match):
    with pytest.raises(TypeError, match=match):
        v.as_float_array(value, "x")


def test_ragged_list_raises_value_error():
    with pytest.raises(ValueError, match="x must be a rectangular array of numbers"):
        v.as_float_array([[1.0, 2.0], [3.0]], "x")


def test_as_float_tensor():
    t = torch.ones(2, requires_grad=True)
    assert v.as_float_tensor(t, "t") is t
    assert v.as_float_tensor(torch.tensor([1, 2]), "t").dtype == torch.float32
    assert v.as_float_tensor(t, "t", dtype=torch.float64).dtype == torch.float64
    assert v.as_float_tensor(np.array([1.0]), "t").dtype == torch.float64
    with pytest.raises(TypeError, match=r"t must hold real numbers; got a torch tensor of dtype"):
        v.as_float_tensor(torch.tensor([True]), "t")


def test_as_2d_messages():
    with pytest.raises(
        ValueError,
        match=r"X must be a 2-D array .* got shape \(4,\) instead\. Use X\.reshape\(-1, 1\) for",
    ):
        v.as_2d(np.ones(4), "X")
    with pytest.raises(
        ValueError,
        match=r"got shape \(2, 2, 2\) instead\. Flatten the extra dimensions, e\.g\. X\.reshape",
    ):
        v.as_2d(np.ones((2, 2, 2)), "X")
    with pytest.raises(
        ValueError,
        match=r"Y must be a 2-D array of shape \(n_samples, n_outputs\); got shape \(\) instead\. "
        r"Pass one row per sample",
    ):
        v.as_2d(3.0, "Y", allow_1d=True, what="n_outputs")
    assert v.as_2d(np.ones(4), "X", allow_1d=True).shape == (4, 1)
    with pytest.raises(ValueError, match=r"X must hold at least one sample; got shape \(0, 2\)"):
        v.as_2d(np.ones((0, 2)), "X")
    with pytest.raises(ValueError, match="X must hold finite numbers; got NaN or infinity"):
        v.as_2d(np.array([[1.0], [np.inf]]), "X")
    assert v.as_2d(np.array([[np.nan]]), "X", finite=False).shape == (1, 1)


def test_check_finite_torch():
    with pytest.raises(ValueError, match="t must hold finite numbers"):
        v.check_finite(torch.tensor([float("nan")]), "t")
    v.check_finite(torch.tensor([1.0, -2.0]), "t")  # finite: no error


def test_check_same_n_message():
    with pytest.raises(
        ValueError,
        match=r"X and Y must have the same number of samples \(rows\); got 3 and 2 instead\. "
        r"Each row of X needs one row of Y\.",
    ):
        v.check_same_n(np.ones((3, 1)), np.ones((2, 1)), "X", "Y")


def test_check_positive_and_int():
    assert v.check_positive(1, "lr") == 1.0
    assert v.check_positive(0, "noise", allow_zero=True) == 0.0
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0; got -1.0 instead"):
        v.check_positive(-1, "noise", allow_zero=True)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0; got 0\.0 instead\. "):
        v.check_positive(0.0, "lr")
    with pytest.raises(ValueError, match=r"such as 1e-6\.$"):
        v.check_positive(-1.0, "eps", example="1e-6")
    with pytest.raises(TypeError, match="lr must be a real number; got bool True"):
        v.check_positive(True, "lr")
    with pytest.raises(
        TypeError,
        match=r"lr must be a real number; got a torch tensor of dtype torch\.float32 instead\. "
        r"Pass a plain number such as lr=0\.01 \(take it out of a tensor with \.item\(\)\)\.",
    ):
        v.check_positive(torch.tensor(0.1), "lr")
    with pytest.raises(
        TypeError,
        match=r"epochs must be an integer; got float 1\.5 instead\. Pass a whole number such as "
        r"epochs=1 \(convert with int\(\.\.\.\)\)\.",
    ):
        v.check_int(1.5, "epochs")
    with pytest.raises(ValueError, match="epochs must be an integer >= 1; got 0 instead"):
        v.check_int(0, "epochs")
    assert v.check_int(np.int64(3), "epochs") == 3


def test_check_choice_and_to_backend():
    with pytest.raises(ValueError, match="backend must be 'numpy' or 'torch'; got 'jax' instead"):
        v.to_backend(np.ones(2), "jax")
    assert isinstance(v.to_backend(np.ones(2), "torch"), torch.Tensor)
    assert v.check_choice("a", "x", ("a",)) == "a"
