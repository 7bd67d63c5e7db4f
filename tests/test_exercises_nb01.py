"""Checkers of notebook 01's exercises: right answers pass, typical mistakes are named.

The right answers here do not retype the checker's formulas: the gradient is a central
difference of the loss the notebook defines (exact for a loss quadratic in w, up to rounding),
and the contraction factor is measured by taking gradient steps. Both are checked against the
closed forms on the notebook's data and against the original tutorial's printed trace (seed 000).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gdhelpers as gd

H = 1e-3  # the central difference of a quadratic is exact whatever the step; this one is safe


def loss(x, y, w):
    """The loss of notebook 01: the mean of the squared errors of the line w*x."""
    return np.mean((w * x - y) ** 2)


def mse_gradient(x, y, w):
    """dL/dw by a central difference of the loss, not by the derivative's formula."""
    return (loss(x, y, w + H) - loss(x, y, w - H)) / (2 * H)


def contraction_factor(x, lr):
    """Measured: one gradient step maps w to c*w when the best w is 0 (y = 0); returns c."""
    y = np.zeros_like(x)

    def step(w):
        return w - lr * mse_gradient(x, y, w)

    return (step(1.0) - step(-1.0)) / 2.0


def test_the_independent_answers_agree_with_the_closed_forms_on_the_notebooks_data():
    # x = 1, 2, 3, 4 and y = 2x: L(w) = 7.5 (w - 2)**2, so dL/dw = 15 (w - 2), c = 1 - 15 lr
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])
    for w in (0.0, 1.5, -0.7, 2.0):
        assert mse_gradient(x, y, w) == pytest.approx(15 * (w - 2), rel=1e-10, abs=1e-10)
    for lr in (0.01, 0.1, 0.2):
        assert contraction_factor(x, lr) == pytest.approx(1 - 15 * lr, rel=1e-10)


def test_the_independent_gradient_replays_the_original_tutorials_trace():
    """Seed 000 (NumPy) summed over the 4 samples, np.dot(2*x, y_pred - y): 4 times dL/dw."""
    printed = ["1.200", "1.680", "1.872", "1.949", "1.980", "1.992", "1.997", "1.999", "1.999"]
    x = np.array([1, 2, 3, 4], dtype=np.float32)
    w, trace = 0.0, []
    for _ in printed:
        w -= 0.01 * 4 * mse_gradient(x, 2 * x, w)
        trace.append(f"{w:.3f}")
    assert trace == printed


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
            lambda x, y, w: mse_gradient(x, y, w) / len(x),  # a mean taken twice
            r"your gradient is n times too small, .*divide by the number of samples only once",
        ),
        (lambda x, y, w: np.mean(2 * x * (y - w * x)), r"your gradient has the wrong sign"),
        (lambda x, y, w: np.mean(2 * (w * x - y)), r"you forgot a factor x: by the chain rule"),
        (
            lambda x, y, w: np.mean(x * (w * x - y)),  # the 1/2-MSE convention
            r"^Not quite \(01\.mse_gradient\): your gradient is half the right value: check the "
            r"factor 2 that comes from differentiating the square \(the derivative of u\*\*2 "
            r"is 2\*u\)\.$",
        ),
        (
            lambda x, y, w: np.mean(4 * x * (w * x - y)),
            r"your gradient is twice the right value: check the factor 2",
        ),
        (
            lambda x, y, w: 2 * x * (w * x - y),  # no mean at all
            r"^Not quite \(01\.mse_gradient\): your gradient should be one number, here -30; "
            r"you returned a NumPy array of shape \(4,\), one value per sample: the mean over "
            r"the samples is missing \(checked at w = 0\.0 with x = "
            r"\[1\.0, 2\.0, 3\.0, 4\.0\], y = \[2\.0, 4\.0, 6\.0, 8\.0\]\.\)$",
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
            r"\[1\.0, 2\.0, 3\.0, 4\.0\], y = \[2\.0, 4\.0, 6\.0, 8\.0\]\.\)$",
        ),
        (
            lambda x, y, w: [-30.0, -7.5],
            r"your gradient should be one number, here -30; you returned a list of 2 numbers ",
        ),
        (
            lambda x, y, w: float("nan"),
            r"^Not quite \(01\.mse_gradient\): your gradient is nan, 'not a number', where -30 "
            r"was expected \(checked at w = 0\.0 with x = \[1\.0, 2\.0, 3\.0, 4\.0\], "
            r"y = \[2\.0, 4\.0, 6\.0, 8\.0\]\)\. NumPy "
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
            lambda x, y, w: mse_gradient(x, y, w) + 1.0,
            r"your gradient has a wrong value: expected -30, got -29 \(checked at w = 0\.0",
        ),
        (lambda x, y, w: None, r"your gradient is None: did you forget the `return`"),
        # one number inside a list, tuple or array: the training loop cannot use it
        (
            lambda x, y, w: [mse_gradient(x, y, w)],
            r"^Not quite \(01\.mse_gradient\): your gradient should be one number, here -30; "
            r"you returned a list of 1 number \(checked at w = 0\.0 with x = "
            r"\[1\.0, 2\.0, 3\.0, 4\.0\], y = \[2\.0, 4\.0, 6\.0, 8\.0\]\.\) Return the "
            r"number itself, not a list holding it: the training loop needs a number\.$",
        ),
        (
            lambda x, y, w: (mse_gradient(x, y, w),),
            r"you returned a tuple of 1 number .* not a tuple holding it",
        ),
        (
            lambda x, y, w: np.full((1, 1), mse_gradient(x, y, w)),
            r"you returned a NumPy array of shape \(1, 1\) .* not an array holding it "
            r"\(`\.item\(\)` takes it out\)",
        ),
        (
            lambda x, y, w: np.array([mse_gradient(x, y, w)]),
            r"you returned a NumPy array of shape \(1,\) \(checked",
        ),
        # a number of the notebook's data written in: right there, wrong on other data
        (
            lambda x, y, w: np.sum(2 * x * (w * x - y)) / 4,
            r"^Not quite \(01\.mse_gradient\): your gradient is right on the notebook's data "
            r"\(x = \[1\.0, 2\.0, 3\.0, 4\.0\]\) but not on other data: expected 1\.21667, got "
            r"0\.9125 \(checked at w = -0\.7 with x = \[0\.5, -1\.0, 2\.0\], y = "
            r"\[1\.0, 0\.0, -3\.0\]\.\) Did you write a number of the notebook's data, such as 4 "
            r"\(the number of samples\) or 7\.5 \(the mean of x\*\*2\), instead of computing it "
            r"from x and y\?$",
        ),
        (
            lambda x, y, w: 2 * 7.5 * (w - 2),  # the gradient on y = 2x data only
            r"your gradient is right on the notebook's data .* but not on other data",
        ),
    ],
)
def test_mse_gradient_mistakes(capsys, answer, words):
    assert gd.check("01.mse_gradient", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out.splitlines()[0]), out


@pytest.mark.parametrize(
    "answer",
    [
        mse_gradient,
        lambda x, y, w: float(mse_gradient(x, y, w)),
        lambda x, y, w: np.float32(mse_gradient(x, y, w)),
        lambda x, y, w: np.array(mse_gradient(x, y, w)),  # a 0-d array is one number
    ],
)
def test_mse_gradient_one_number_in_any_numeric_type(capsys, answer):
    assert gd.check("01.mse_gradient", answer) is True
    assert "Correct!" in capsys.readouterr().out


def test_mse_gradient_tries_other_inputs(capsys):
    # right only on the notebook's data at w = 0 (where the gradient is -30); at w = 1.5 it is
    # 4 times the right -7.5 by coincidence, which is no sum over the samples
    assert gd.check("01.mse_gradient", lambda x, y, w: -30.0) is False
    out = capsys.readouterr().out
    assert "summed" not in out and "times too large" not in out
    assert "right on the notebook's data" not in out  # it is wrong at w = 1.5 already
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
            lambda x, lr: 2 * contraction_factor(x, lr),  # a factor 2 here is no typical slip
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
        (
            lambda x, lr: [contraction_factor(x, lr)],
            r"^Not quite \(01\.contraction_factor\): your factor should be one number, here "
            r"0\.85; you returned a list of 1 number \(checked with x = \[1\.0, 2\.0, 3\.0, "
            r"4\.0\], lr = 0\.01\.\) Return the number itself, not a list holding it",
        ),
        (
            lambda x, lr: 1 - 2 * lr * 7.5,  # the notebook's mean of x**2 written in
            r"^Not quite \(01\.contraction_factor\): your factor is right on the notebook's "
            r"data \(x = \[1\.0, 2\.0, 3\.0, 4\.0\]\) but not on other data: expected 0\.3, got "
            r"-2 \(checked with x = \[0\.5, -1\.0, 2\.0\], lr = 0\.2\.\) Did you write a number "
            r"of the notebook's data, such as 4 \(the number of samples\) or 7\.5 \(the mean of "
            r"x\*\*2\), instead of computing it from x\?$",
        ),
        (
            lambda x, lr: 1 - lr * 2 * np.sum(x**2) / 4,
            r"your factor is right on the notebook's data .* instead of computing it from x\?",
        ),
        (
            lambda x, lr: 1 - lr * 2 * np.mean(x) ** 2,
            r"^Not quite \(01\.contraction_factor\): you used the square of the mean of x, "
            r"np\.mean\(x\)\*\*2; the factor needs the mean of x\*\*2, np\.mean\(x\*\*2\) "
            r"\(for x = 1, 2, 3, 4: 7\.5, not 2\.5\*\*2 = 6\.25\)\.$",
        ),
    ],
)
def test_contraction_factor_mistakes(capsys, answer, words):
    assert gd.check("01.contraction_factor", answer) is False
    out = capsys.readouterr().out
    assert re.search(words, out.splitlines()[0]), out
    assert "seed" not in out


def test_correct_answer_with_other_parameter_names_or_order_of_use(capsys):
    # the names do not matter, only the order in which the checker passes the values
    assert gd.check("01.mse_gradient", lambda a, b, c: mse_gradient(a, b, c)) is True
    assert gd.check("01.contraction_factor", lambda x, eta: contraction_factor(x, eta)) is True
    capsys.readouterr()


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("01.mse_gradient", lambda x, y, w: mse_gradient(x, y, w) * (1 + 1e-3)),
        ("01.mse_gradient", lambda x, y, w: mse_gradient(x, y, w) + 1e-3),
        ("01.contraction_factor", lambda x, lr: contraction_factor(x, lr) * (1 + 1e-3)),
    ],
    ids=["gradient-relative", "gradient-absolute", "factor-relative"],
)
def test_an_answer_off_by_one_part_in_a_thousand_is_not_correct(capsys, name, answer):
    """The checkers allow 1e-4 (float32 data); ten times that is a wrong answer."""
    assert gd.check(name, answer) is False
    assert "has a wrong value" in capsys.readouterr().out


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
