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
        (lambda x, y, w: np.dot(2 * x, w * x - y).mean(), r"4 times too large.*summed"),
        (lambda x, y, w: np.mean(2 * x * (y - w * x)), r"wrong sign"),
        (lambda x, y, w: np.mean(2 * (w * x - y)), r"forgot a factor x"),
        (lambda x, y, w: np.mean(x * (w * x - y)), r"factor of 0\.5.*factor 2"),
        (lambda x, y, w: 2 * x * (w * x - y), r"shape"),
    ],
)
def test_mse_gradient_mistakes(capsys, answer, words):
    assert gd.check("01.mse_gradient", answer) is False
    assert re.search(words, capsys.readouterr().out)


def test_mse_gradient_tries_other_inputs(capsys):
    # right only on the notebook's data at w = 0 (where the gradient is -30)
    assert gd.check("01.mse_gradient", lambda x, y, w: -30.0) is False
    assert "checked at w = 1.5" in capsys.readouterr().out


def test_contraction_factor_correct(capsys):
    assert gd.check("01.contraction_factor", contraction_factor) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda x, lr: 1 - lr * 2 * np.sum(x**2), r"SUM of x\*\*2"),
        (lambda x, lr: lr * 2 * np.mean(x**2), r"1 minus that"),
        (lambda x, lr: 1 - lr * np.mean(x**2), r"factor 2"),
        (lambda x, lr: 1 + lr * 2 * np.mean(x**2), r"wrong sign"),
        (lambda x, lr: 0.85, r"the factor is not"),
    ],
)
def test_contraction_factor_mistakes(capsys, answer, words):
    assert gd.check("01.contraction_factor", answer) is False
    assert re.search(words, capsys.readouterr().out)


def test_function_expected_message(capsys):
    assert gd.check("01.mse_gradient", "mse_gradient") is False
    assert "should be a function" in capsys.readouterr().out


def test_hint_and_solution(capsys):
    gd.hint("01.mse_gradient")
    gd.solution("01.contraction_factor")
    out = capsys.readouterr().out
    assert "chain rule" in out
    assert "np.mean(x**2)" in out
