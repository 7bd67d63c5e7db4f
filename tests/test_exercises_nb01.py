"""Checkers of notebook 01's exercises: right answers pass, typical mistakes are named."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gdhelpers as gd


def mse_gradient(x, y, w):
    return np.mean(2 * x * (w * x - y))


def contraction_factor(x, lr):
    return 1 - lr * 2 * np.mean(x**2)


def test_mse_gradient_correct(capsys):
    assert gd.check("01.mse_gradient", mse_gradient) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            lambda x, y, w: np.dot(2 * x, w * x - y).mean(),  # a sum: np.dot already adds up
            r"^Not quite \(01\.mse_gradient\): your gradient is n times too large, n the number "
            r"of samples \(4 times with 4 samples, 3 times with 3, 6 times with 6\): you summed "
            r"over the samples where the mean was needed\.$",
        ),
        (
            lambda x, y, w: np.mean(2 * x * (w * x - y)) / len(x),  # a mean taken twice
            r"your gradient is n times too small, .*divide by the number of samples only once",
        ),
        (lambda x, y, w: np.mean(2 * x * (y - w * x)), r"your gradient has the wrong sign"),
        (lambda x, y, w: np.mean(2 * (w * x - y)), r"you forgot a factor x: by the chain rule"),
        (
            lambda x, y, w: np.mean(x * (w * x - y)),  # the 1/2-MSE convention
            r"your gradient is off by a factor of 0\.5: check the factor 2 that comes from "
            r"differentiating the square\.",
        ),
        (
            lambda x, y, w: np.mean(4 * x * (w * x - y)),
            r"your gradient is off by a factor of 2: check the factor 2",
        ),
        (
            lambda x, y, w: 2 * x * (w * x - y),  # no mean at all
            r"^Not quite \(01\.mse_gradient\): your gradient should be one number, here -30; "
            r"you returned a NumPy array of shape \(4,\), one value per sample: the mean over "
            r"the samples is missing \(checked at w = 0\.0 with x = "
            r"\[1\.0, 2\.0, 3\.0, 4\.0\]\.\)$",
        ),
        (
            lambda x, y, w: np.mean((w * x - y) ** 2),  # the loss, not its derivative
            r"^Not quite \(01\.mse_gradient\): you returned the loss \(the mean of squared "
            r"errors\), not its derivative: differentiate \(w\*x - y\)\*\*2 with respect to w",
        ),
        (
            lambda x, y, w: np.sum((w * x - y) ** 2),  # the summed loss
            r"you returned the sum of squared errors, a loss, not the derivative",
        ),
        (
            lambda x, y, w: "-30",  # a string, not a number
            r"^Not quite \(01\.mse_gradient\): your gradient should be one number, here -30; "
            r"you returned a str, '-30' \(checked at w = 0\.0 with x = "
            r"\[1\.0, 2\.0, 3\.0, 4\.0\]\.\)$",
        ),
        (
            lambda x, y, w: [-30.0, -7.5],
            r"your gradient should be one number, here -30; you returned a list of 2 numbers ",
        ),
        (
            lambda x, y, w: float("nan"),
            r"^Not quite \(01\.mse_gradient\): your gradient is nan, 'not a number', where -30 "
            r"was expected \(checked at w = 0\.0 with x = \[1\.0, 2\.0, 3\.0, 4\.0\]\)\. NumPy "
            r"gives nan for 0/0",
        ),
        (
            lambda x, y, w: float("inf"),
            r"your gradient is infinite where -30 was expected \(checked at w = 0\.0",
        ),
        (
            lambda x, y: np.mean(2 * x * (2.0 * x - y)),  # w forgotten: a TypeError when called
            r"^Not quite \(01\.mse_gradient\): your function must take \(x, y, w\): three "
            r"arguments, in this order; yours takes \(x, y\)\.$",
        ),
        (
            lambda w, x, y: np.mean(2 * x * (w * x - y)),  # right formula, arguments swapped
            r"your function must take \(x, y, w\) in this order; yours takes \(w, x, y\), so "
            r"the checker's x lands in your w\.",
        ),
        (
            lambda x, y, w: np.mean(2 * x * (w * x - y)) + 1.0,
            r"your gradient has a wrong value: expected -30, got -29 \(checked at w = 0\.0",
        ),
        (lambda x, y, w: None, r"your gradient is None: did you forget the `return`"),
    ],
)
def test_mse_gradient_mistakes(capsys, answer, words):
    assert gd.check("01.mse_gradient", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out.splitlines()[0]), out


def test_mse_gradient_tries_other_inputs(capsys):
    # right only on the notebook's data at w = 0 (where the gradient is -30); at w = 1.5 it is
    # 4 times the right -7.5 by coincidence, which is no sum over the samples
    assert gd.check("01.mse_gradient", lambda x, y, w: -30.0) is False
    out = capsys.readouterr().out
    assert "summed" not in out and "times too large" not in out
    assert "wrong value: expected -7.5, got -30 (checked at w = 1.5" in out


def test_contraction_factor_correct(capsys):
    assert gd.check("01.contraction_factor", contraction_factor) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            lambda x, lr: 1 - lr * 2 * np.sum(x**2),
            r"you used the SUM of x\*\*2: that is the factor of the original tutorial's",
        ),
        (
            lambda x, lr: lr * 2 * np.mean(x**2),
            r"you returned lr \* 2 \* mean\(x\*\*2\); .*1 minus",
        ),
        (lambda x, lr: 1 - lr * np.mean(x**2), r"you forgot the factor 2 that comes from diff"),
        (lambda x, lr: 1 + lr * 2 * np.mean(x**2), r"wrong sign: a gradient step moves AGAINST"),
        (
            lambda x, lr: 0.85,  # right for the first case only
            r"your factor has a wrong value: expected -0\.5, got 0\.85 \(checked with "
            r"x = \[1\.0, 2\.0, 3\.0, 4\.0\], lr = 0\.1\.\)",
        ),
        (
            lambda x, lr: 2 * (1 - lr * 2 * np.mean(x**2)),  # a factor 2 here is no typical slip
            r"your factor has a wrong value: expected 0\.85, got 1\.7 ",
        ),
        (
            lambda x, lr: np.array([0.5, 0.5]),
            r"your factor should be one number, here 0\.85; you returned a NumPy array of shape "
            r"\(2,\) \(checked with x = \[1\.0, 2\.0, 3\.0, 4\.0\], lr = 0\.01\.\)",
        ),
        (
            lambda x, lr: "0.85",
            r"your factor should be one number, here 0\.85; you returned a str, '0\.85' ",
        ),
        (lambda x, lr: float("nan"), r"your factor is nan, 'not a number', where 0\.85 was"),
        (
            lambda x: 1 - 0.01 * 2 * np.mean(x**2),  # lr forgotten
            r"your function must take \(x, lr\): two arguments, in this order; yours takes "
            r"\(x\)\.",
        ),
        (
            lambda lr, x: 1 - lr * 2 * np.mean(x**2),
            r"your function must take \(x, lr\) in this order; yours takes \(lr, x\)",
        ),
    ],
)
def test_contraction_factor_mistakes(capsys, answer, words):
    assert gd.check("01.contraction_factor", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out), out
    assert "seed" not in out


def test_correct_answer_with_other_parameter_names_or_order_of_use(capsys):
    # the names do not matter, only the order in which the checker passes the values
    assert gd.check("01.mse_gradient", lambda a, b, c: np.mean(2 * a * (c * a - b))) is True
    assert gd.check("01.contraction_factor", lambda x, eta: 1 - eta * 2 * np.mean(x**2)) is True
    capsys.readouterr()


def test_error_inside_the_function_is_still_shown(capsys):
    # a TypeError raised by the learner's code (not by the arguments) keeps Python's message
    assert gd.check("01.mse_gradient", lambda x, y, w: len(w)) is False
    out = capsys.readouterr().out
    assert "your code raised TypeError" in out
    assert "must take" not in out


def test_function_expected_message(capsys):
    assert gd.check("01.mse_gradient", "mse_gradient") is False
    assert "should be a function" in capsys.readouterr().out


def test_hint_and_solution(capsys):
    gd.hint("01.mse_gradient")
    gd.solution("01.contraction_factor")
    out = capsys.readouterr().out
    assert "chain rule" in out
    assert "np.mean(x**2)" in out


def test_contraction_factor_hint_uses_only_what_notebook_01_taught(capsys):
    gd.hint("01.contraction_factor")
    out = capsys.readouterr().out
    assert "second derivative" not in out and "Hessian" not in out
    assert "(w - w_best)" in out
