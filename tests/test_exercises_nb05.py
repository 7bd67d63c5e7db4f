"""Exercises of notebook 05: correct answers pass, typical mistakes get the right message."""

from __future__ import annotations

import re

import numpy as np
import pytest

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
            r"wrong sign",
        ),
        (
            lambda w, b, x, y, lr: (w - lr * (w * x + b - y) * x, b - lr * (w * x + b - y)),
            r"factor of 0.5",
        ),
        (lambda w, b, x, y, lr: w, r"two numbers"),
        (lambda w, b, x, y, lr: ("a", "b"), r"one number"),
    ],
)
def test_sgd_step_mistakes(answer, pattern, capsys):
    ok, out = _verdict("05.sgd_step", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out


# ------------------------------------------------------------------ 05.sample_bound


def test_sample_bound_correct(capsys):
    ok, out = _verdict("05.sample_bound", lambda x: 1 / (x**2 + 1), capsys)
    assert ok and "Correct!" in out


def test_sample_bound_matches_gd():
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(1 / (x**2 + 1), gd.per_sample_stability_bounds(x))


@pytest.mark.parametrize(
    ("answer", "pattern"),
    [
        (
            lambda x: np.divide(1, x**2, out=np.full_like(x, np.inf), where=x != 0),
            r"left out the bias",
        ),
        (lambda x: 2 / (x**2 + 1), r"2 times too large"),
        (lambda x: 1 / (2 * (x**2 + 1)), r"factor of 0.5"),
        (lambda x: float(np.min(1 / (x**2 + 1))), r"one bound per sample"),
        (lambda x: 1 / (np.abs(x) + 1), r"does not match"),
    ],
)
def test_sample_bound_mistakes(answer, pattern, capsys):
    ok, out = _verdict("05.sample_bound", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out


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
        (lambda n, m: [list(range(n))[::-1][s : s + m] for s in range(0, n, m)], r"in order"),
        (lambda n, m: [list(range(n))], r"batch_size"),
        (lambda n, m: 5, r"list of batches"),
        (lambda n, m: ["ab", "cd"], r"sample indices"),
    ],
)
def test_minibatches_mistakes(answer, pattern, capsys):
    ok, out = _verdict("05.minibatches", answer, capsys)
    assert not ok
    assert re.search(pattern, out), out
