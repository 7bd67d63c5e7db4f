"""The shared input checks: the dtype policy and the wording of the messages."""

import numpy as np
import pytest
import torch

import gdhelpers as gd
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


# ---------------------------------------------------------------- issue 17: items 3-6


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda v: gd.lr_stability_bound([1.0, 2.0], bias=v), "bias"),
        (lambda v: gd.per_sample_stability_bounds([1.0, 2.0], bias=v), "bias"),
        (lambda v: gd.sgd_stability_bound([1.0, 2.0], bias=v), "bias"),
        (lambda v: gd.lstsq_fit([1.0, 2.0], [2.0, 4.0], bias=v), "bias"),
        (lambda v: gd.toy_data(column=v), "column"),
        (lambda v: gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=1, shuffle=v), "shuffle"),
        (lambda v: gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=1, bias=v), "bias"),
        (lambda v: gd.plot_losses({"a": [1.0, 0.5]}, log=v), "log"),
        (lambda v: gd.check_versions(("numpy",), verbose=v), "verbose"),
    ],
)
@pytest.mark.parametrize("value", ["False", 0, 1.0, None])
def test_booleans_must_be_booleans(call, name, value):
    """bias="False" used to count as True (bound 0.1198 instead of 0.1333)."""
    with pytest.raises(TypeError, match=rf"^{name} must be True or False; got .* instead\. Write "):
        call(value)


def test_bias_false_as_a_bool_still_works():
    assert round(gd.lr_stability_bound([1.0, 2.0, 3.0, 4.0], bias=False), 4) == 0.1333
    assert round(gd.lr_stability_bound([1.0, 2.0, 3.0, 4.0], bias=np.bool_(False)), 4) == 0.1333


@pytest.mark.parametrize(
    "bound", [gd.lr_stability_bound, gd.per_sample_stability_bounds, gd.sgd_stability_bound]
)
def test_a_bound_whose_squares_overflow_says_standardise(bound):
    """X.T @ X overflowed to inf, eigvalsh gave NaN, and the bound came out inf."""
    X = np.array([[1e200, 1.0], [2e200, 3.0]])
    with pytest.raises(
        ValueError,
        match=r"^X must have values whose squares fit in float64; got "
        r"values up to 2e\+200, .* Standardise the inputs first",
    ):
        bound(X)


def test_fit_linear_on_overflowing_inputs_never_prints_an_infinite_bound(capsys):
    with pytest.raises(ValueError, match="Standardise the inputs first"):
        gd.fit_linear(np.array([1e200, 2e200]), np.array([1.0, 2.0]), lr=0.01, epochs=2)
    assert "inf" not in capsys.readouterr().out


@pytest.mark.parametrize("seed", [2**32, -1, 2**64])
def test_seed_everything_checks_the_seed_before_seeding_anything(seed):
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    match = r"^seed must be an integer (>= 0|between 0 and 4294967295)"
    with pytest.raises(ValueError, match=match):
        gd.seed_everything(seed)
    assert random.random() == expected  # random.seed was not called: nothing half done


@pytest.mark.parametrize(
    "call",
    [
        lambda s: gd.torch_generator(s),
        lambda s: gd.noisy_line(seed=s),
        lambda s: gd.make_regression(10, 2, 1, seed=s),
        lambda s: gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=1, seed=s),
    ],
)
def test_every_seed_has_the_same_bounded_range(call):
    with pytest.raises(
        ValueError,
        match=r"^seed must be an integer between 0 and 4294967295; "
        r"got 18446744073709551616 instead\. Seeds above 2\*\*32 - 1",
    ):
        call(2**64)
    call(2**32 - 1)  # the largest seed works


def test_world_size_is_capped_before_any_process_starts():
    X, Y = np.ones((400, 1), dtype=np.float32), np.ones((400, 1), dtype=np.float32)
    with pytest.raises(
        ValueError,
        match=r"^world_size must be an integer between 1 and 32; got "
        r"400 instead\. Each worker is a separate Python process",
    ):
        gd.data_parallel_gd(X, Y, lr=0.1, steps=1, world_size=400)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"w_range": (0,)}, r"^w_range must be two numbers \(low, high\); got \(0,\) instead"),
        ({"b_range": "ab"}, r"^b_range must be two numbers"),
        ({"w_range": (3.0, 1.0)}, r"^w_range must be two finite numbers with low < high"),
        ({"w_range": (0.0, np.inf)}, r"^w_range must be two finite numbers"),
        ({"resolution": 1}, r"^resolution must be an integer >= 2; got 1 instead"),
    ],
)
def test_plot_loss_surface_ranges(kwargs, match):
    options = {"w_range": (0.0, 4.0), "b_range": (-1.0, 1.0)} | kwargs
    with pytest.raises((TypeError, ValueError), match=match):
        gd.plot_loss_surface([1.0, 2.0], [2.0, 4.0], **options)


def test_plots_refuse_to_reduce_a_run_silently():
    X = np.arange(8.0).reshape(4, 2)
    Y = X @ np.array([[1.0], [2.0]])
    run = gd.fit_linear(X, Y, lr=0.01, epochs=2)
    with pytest.raises(
        ValueError,
        match=r"^each path must come from a one-feature, one-output "
        r"model .*; got a History with weights of shape \(\d+, 1, 2\) instead",
    ):
        gd.plot_loss_surface(
            [1.0, 2.0], [2.0, 4.0], w_range=(0, 4), b_range=(-1, 1), paths={"2 features": run}
        )
    with pytest.raises(
        ValueError,
        match=r"^path must be a 1-D sequence of w values; got shape "
        r"\(2, 2\) instead",
    ):
        gd.plot_loss_curve_1d([1.0, 2.0], [2.0, 4.0], w_range=(0, 4), path=[[0.0, 1.0], [1, 2]])
    with pytest.raises(ValueError, match=r"^w_range must be two finite numbers with low < high"):
        gd.plot_loss_curve_1d([1.0, 2.0], [2.0, 4.0], w_range=(4, 0))


def test_a_surface_that_is_zero_everywhere_still_draws():
    ax = gd.plot_loss_surface([0.0, 0.0], [0.0, 0.0], w_range=(-1, 1), b_range=(0, 1e-300))
    assert ax.get_xlabel() == "w"


def test_fit_linear_refuses_a_history_that_cannot_fit_before_allocating():
    """epochs=10**12 asked numpy for 7 TiB; record_every counts, the epoch losses too."""
    with pytest.raises(
        ValueError,
        match=r"^epochs must be small enough for the history to fit in memory; got "
        r"1,000,000,000,000 steps and 1,000,000,000,001 states to record with record_every=1 "
        r"\(59,604.6 GiB, the limit is 2 GiB\) instead\. Use fewer epochs \(each keeps its loss\)",
    ):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=10**12)
    # 10**8 SGD steps: 4.5 GiB of states and 0.75 GiB of epoch losses; every 5th state fits
    with pytest.raises(
        ValueError,
        match=r"^epochs must be small enough .* got 100,000,000 steps and 100,000,001 states "
        r"to record with record_every=1 \(5\.2 GiB, .*\) instead\. Record fewer states with "
        r"record_every \(e\.g\. record_every=5\)",
    ):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=5 * 10**7, batch_size=1)
    with pytest.raises(ValueError, match=r"^record_every must be an integer >= 1; got 0 instead"):
        gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=1, record_every=0)


def test_one_start_value_check_for_every_training_loop(monkeypatch):
    """fit_linear, run_optimizer and data_parallel_gd parsed start values three ways."""
    np.testing.assert_array_equal(v.initial_params(None, (1, 2), "w", dtype=np.float32), [[0, 0]])
    np.testing.assert_array_equal(v.initial_params(0.5, (2,), "b", dtype=np.float64), [0.5, 0.5])
    flat = v.initial_params([1.0, 2.0], (1, 2), "w", dtype=np.float64, reshape=True)
    assert flat.shape == (1, 2)
    with pytest.raises(
        ValueError,
        match=r"^w must be a number or an array of shape \(1, 2\); "
        r"got shape \(2,\) instead",
    ):
        v.initial_params([1.0, 2.0], (1, 2), "w", dtype=np.float64)
    with pytest.raises(ValueError, match=r"^w must hold finite numbers"):
        v.initial_params([np.nan], (1,), "w", dtype=np.float64)
    calls = []
    real = v.initial_params

    def spy(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    import gdhelpers.optimizers
    import gdhelpers.train

    monkeypatch.setattr(gdhelpers.train, "initial_params", spy)
    monkeypatch.setattr(gdhelpers.optimizers, "initial_params", spy)
    gd.fit_linear([1.0, 2.0], [2.0, 4.0], lr=0.01, epochs=1)
    gd.run_optimizer([1.0, 2.0], [2.0, 4.0], optimizer="sgd", lr=0.01, steps=1)
    assert calls == ["weight0", "bias0", "weight0", "bias0"]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf, 3e30, 1e200])
def test_the_one_pass_finite_check_agrees_with_isfinite(dtype, order, bad):
    """_all_finite sums squares (no temporary array); an overflow of finite entries (3e30 in
    float32, 1e200 in float64) must fall back to the exact test, not call them non-finite."""
    from gdhelpers._validate import _all_finite

    a = np.ones((1000, 7), dtype=dtype, order=order)
    if bad is not None:
        with np.errstate(over="ignore"):
            a[500, 3] = bad
    assert _all_finite(a) is bool(np.isfinite(a).all())
