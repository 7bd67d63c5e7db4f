"""Exercises of notebook 05: correct answers pass, typical mistakes get the right message."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import gdhelpers as gd


def _verdict(name, answer, capsys):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


# ------------------------------------------------------------------ 05.sgd_step


def _sgd_step(w, b, x, y, lr):
    r = w * x + b - y
    return w - lr * 2 * r * x, b - lr * 2 * r


def test_sgd_step_correct(capsys):
    ok, out = _verdict("05.sgd_step", _sgd_step, capsys)
    assert ok and "Correct!" in out


def test_sgd_step_reference_is_the_gradient():
    """Independent check: the step equals -lr times the numerical gradient of (w*x+b-y)**2."""
    w, b, x, y, lr = -3.0, 1.0, 2.0, -9.5, 0.05
    loss = lambda p: (p[0] * x + p[1] - y) ** 2  # noqa: E731
    grad = gd.numerical_gradient(loss, np.array([w, b]))
    np.testing.assert_allclose(_sgd_step(w, b, x, y, lr), np.array([w, b]) - lr * grad, rtol=1e-6)


def _sequential(w, b, x, y, lr):
    w = w - lr * 2 * (w * x + b - y) * x
    b = b - lr * 2 * (w * x + b - y)
    return w, b


def _b_first(w, b, x, y, lr):  # the mirror mistake: b updated first, its new value used for w
    b = b - lr * 2 * (w * x + b - y)
    w = w - lr * 2 * (w * x + b - y) * x
    return w, b


@pytest.mark.parametrize(
    "wrap",
    [np.array, lambda pair: torch.tensor(pair, dtype=torch.float64), list],
    ids=["ndarray", "tensor", "list"],
)
def test_sgd_step_two_numbers_in_an_array_or_list_accepted(wrap, capsys):
    ok, out = _verdict(
        "05.sgd_step", lambda w, b, x, y, lr: wrap(_sgd_step(w, b, x, y, lr)), capsys
    )
    assert ok and "Correct!" in out, out


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (_sequential, r"NEW w"),
        (
            lambda w, b, x, y, lr: (
                w - lr * 2 * (w * x + b - y) * x,
                b - lr * 2 * (w * x + b - y) * x,
            ),
            r"without the factor x",
        ),
        (
            lambda w, b, x, y, lr: (w - lr * 2 * (w * x + b - y), b - lr * 2 * (w * x + b - y)),
            r"forgot the factor x",
        ),
        (
            lambda w, b, x, y, lr: (w + lr * 2 * (w * x + b - y) * x, b + lr * 2 * (w * x + b - y)),
            r"wrong sign.*uphill.*step up the gradient.*w_new = w - lr \* gradient",
        ),
        (  # the residual the other way round: the same numbers as the step up the gradient
            lambda w, b, x, y, lr: (w - lr * 2 * (y - w * x - b) * x, b - lr * 2 * (y - w * x - b)),
            r"wrong sign.*y - \(w\*x \+ b\)",
        ),
        (
            lambda w, b, x, y, lr: (_sgd_step(w, b, x, y, lr)[0], b),
            r"your b did not change: update it too",
        ),
        (
            lambda w, b, x, y, lr: (w, _sgd_step(w, b, x, y, lr)[1]),
            r"your w did not change: update it too",
        ),
        (lambda w, b, x, y, lr: (w, b), r"your w and your b did not change"),
        (
            lambda w, b, x, y, lr: (w - lr * (w * x + b - y) * x, b - lr * (w * x + b - y)),
            r"factor of 0.5",
        ),
        (_b_first, r"your w update used the NEW b \(you updated b first\)"),
        (lambda w, b, x, y, lr: _sgd_step(w, b, x, y, lr)[::-1], r"new b first and the new w"),
        (lambda w, b, x, y, lr: w, r"two numbers, the new w and the new b, as a tuple"),
        (lambda w, b, x, y, lr: (*_sgd_step(w, b, x, y, lr), 0.0), r"two numbers.*as a tuple"),
        (lambda w, b, x, y, lr: None, r"returned None: did you forget the `return`"),
        (lambda w, b, x, y, lr: f"{w}, {b}", r"returned text"),
        (lambda w, b, x, y, lr: ("a", "b"), r"one number"),
    ],
)
def test_sgd_step_mistakes(answer, pattern, capsys):
    ok, out = _verdict("05.sgd_step", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out


# ------------------------------------------------------------------ 05.sample_bound


def _sample_bound(x):
    return 1 / (x**2 + 1)


def test_sample_bound_correct(capsys):
    ok, out = _verdict("05.sample_bound", _sample_bound, capsys)
    assert ok and "Correct!" in out


def test_sample_bound_is_where_the_factor_reaches_minus_one():
    """Independent check of the reference: the step 1/(x^2+1) leaves a sample's residual
    multiplied by exactly -1 (same size), and any larger step makes it larger."""
    x, y, w, b = -5.0, 25.3, -10.0, -20.0
    for scale, size_ratio in ((1.0, 1.0), (1.01, None), (0.99, None)):
        lr = scale * float(_sample_bound(np.array(x)))
        r = w * x + b - y
        w1, b1 = w - lr * 2 * r * x, b - lr * 2 * r  # one SGD step on (x, y)
        ratio = abs((w1 * x + b1 - y) / r)
        if size_ratio is not None:
            assert ratio == pytest.approx(size_ratio)
        else:
            assert (ratio > 1) == (scale > 1)
    xs = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(_sample_bound(xs), gd.per_sample_stability_bounds(xs))


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        # typical mistakes
        (
            lambda x: np.divide(1, x**2, out=np.full_like(x, np.inf), where=x != 0),
            r"left out the bias.*\+1",
        ),
        (lambda x: 2 / (x**2 + 1), r"2 times too large.*= -3.*factor 2 of the derivative"),
        (lambda x: 1 / (2 * (x**2 + 1)), r"half the answer.*= 0\b.*reaches -1, not 0"),
        (lambda x: -1 / (x**2 + 1), r"negative.*Check the sign"),
        (lambda x: np.zeros_like(x), r"all 0.*factor.*is -1"),
        (lambda x: 1 / (np.abs(x) + 1), r"do not match: at x = -5 the answer is 0.03846"),
        # garbage
        (lambda x: None, r"returned None.*return"),
        (lambda x: "1 / (x**2 + 1)", r"not text"),
        (lambda x: float(np.min(1 / (x**2 + 1))), r"returned one number.*shape \(5,\)"),
        (lambda x: (1 / (x**2 + 1))[:, None], r"shape \(5,\).*not \(5, 1\)"),
        (lambda x: {"bound": 1}, r"array of numbers.*got dict"),
        (lambda x: 1 / (x**2 + 1) + np.where(x == 0, np.nan, 0), r"NaN or infinite"),
    ],
)
def test_sample_bound_mistakes(answer, pattern, capsys):
    ok, out = _verdict("05.sample_bound", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out


def test_sample_bound_not_a_function_and_not_done(capsys):
    ok, out = _verdict("05.sample_bound", 0.0385, capsys)
    assert not ok and "should be a function" in out

    def todo(x):
        raise NotImplementedError

    ok, out = _verdict("05.sample_bound", todo, capsys)
    assert not ok and "Not yet done" in out


# ------------------------------------------------------------------ 05.minibatches


def _minibatches(n, m):
    return [list(range(s, min(s + m, n))) for s in range(0, n, m)]


def test_minibatches_correct(capsys):
    ok, out = _verdict("05.minibatches", _minibatches, capsys)
    assert ok and "Correct!" in out


def _generator(n, m):
    for s in range(0, n, m):
        yield np.arange(s, min(s + m, n))


def test_minibatches_generator_and_slices_accepted(capsys):
    assert _verdict("05.minibatches", _generator, capsys)[0]
    assert _verdict(
        "05.minibatches", lambda n, m: [slice(s, s + m) for s in range(0, n, m)], capsys
    )[0]


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (lambda n, m: [list(range(s, s + m)) for s in range(0, n - m + 1, m)], r"dropped the last"),
        (lambda n, m: [list(range(s, min(s + m + 1, n))) for s in range(0, n, m)], r"exactly once"),
        (
            lambda n, m: [list(range(s, s + m)) for s in range(0, n, m)],
            r"your last batch goes past n-1 \(indices 10, 11\): cut it at n",
        ),
        (
            lambda n, m: [list(range(s - 1, min(s + m, n) - 1)) for s in range(0, n, m)],
            r"between 0 and n-1; yours include -1\.",
        ),
        (lambda n, m: [list(range(n))[::-1][s : s + m] for s in range(0, n, m)], r"in order"),
        (lambda n, m: [list(range(n))], r"batch_size"),
        (lambda n, m: 5, r"list of batches"),
        (lambda n, m: ["ab", "cd"], r"sample indices"),
        (lambda n, m: None, r"returned None: did you forget the `return` statement"),
        (lambda n, m: str(_minibatches(n, m)), r"returned text \(a string\)"),
        (lambda n, m: "".join(str(i) for i in range(n)), r"returned text \(a string\)"),
        (lambda n, m: [str(i) for i in range(n)], r"sample indices \(numbers\), not text"),
        (
            lambda n, m: [list(range(s, min(s + m, n + 1))) for s in range(1, n + 1, m)],
            r"indices start at 0",
        ),
    ],
)
def test_minibatches_mistakes(answer, pattern, capsys):
    ok, out = _verdict("05.minibatches", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out
