"""gdhelpers/exercises/_core.py: check(), hint(), solution() and diagnose().

Exercises registered here are test-only ("test.*") and removed from the registry afterwards.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import gdhelpers as gd
from gdhelpers.exercises import _core, _load_all
from gdhelpers.exercises._core import _REGISTRY, diagnose, diagnose_cases, exercise

X = np.array([1.0, 2.0, 3.0, 4.0])
Y = 2 * X


def _reference_gradient(x, y, w):
    """Gradient of the mean squared error of f(x) = w*x."""
    return np.mean(2 * x * (w * x - y))


@pytest.fixture
def registered():
    """Register test-only exercises; remove them (and only them) afterwards."""
    _load_all()  # the course's own exercises first, so that they are not mistaken for ours
    before = set(_REGISTRY)

    @exercise("test.gradient", hint="Differentiate (w*x - y)**2.", solution=_reference_gradient)
    def _check_gradient(answer):
        if not callable(answer):
            return "your answer should be a function."
        for w in (0.0, 1.5):
            problem = diagnose(answer(X, Y, w), _reference_gradient(X, Y, w), what="your gradient")
            if problem:
                return problem
        return None

    @exercise("test.swallows", hint="h", solution=_reference_gradient)
    def _check_swallows(answer):
        # A careless checker that catches every exception of the learner's code.
        try:
            answer(X, Y, 0.0)
        except Exception as err:
            return f"your function failed: {err}"
        return None

    yield
    for name in [name for name in _REGISTRY if name.startswith("test.")]:
        del _REGISTRY[name]
    assert set(_REGISTRY) == before


# ---------------------------------------------------------------- check()


def test_correct_answer(registered, capsys):
    def grad(x, y, w):
        return np.mean(2 * x * (w * x - y))

    assert gd.check("test.gradient", grad) is True
    assert capsys.readouterr().out == "Correct! (test.gradient)\n"


def test_wrong_answer_explains_and_points_to_the_hint(registered, capsys):
    def grad(x, y, w):
        return np.mean(2 * x * (y - w * x))  # sign flipped

    assert gd.check("test.gradient", grad) is False
    out = capsys.readouterr().out
    assert out.startswith("Not quite (test.gradient): your gradient has the wrong sign")
    assert 'gd.hint("test.gradient")' in out
    assert "Traceback" not in out


def test_not_implemented_says_not_yet_done(registered, capsys):
    def grad(x, y, w):
        # YOUR CODE HERE
        raise NotImplementedError

    assert gd.check("test.gradient", grad) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet done (test.gradient)")
    assert "raise NotImplementedError" in out


def test_not_implemented_is_noticed_even_if_the_checker_catches_it(registered, capsys):
    def grad(x, y, w):
        raise NotImplementedError

    assert gd.check("test.swallows", grad) is False
    assert capsys.readouterr().out.startswith("Not yet done (test.swallows)")


def test_the_watched_answer_keeps_name_and_signature(registered):
    import inspect

    seen = {}

    @exercise("test.introspect", hint="h", solution=_reference_gradient)
    def _check(answer):
        seen["name"] = answer.__name__
        seen["params"] = list(inspect.signature(answer).parameters)
        return None

    def my_grad(x, y, w):
        return 0.0

    assert gd.check("test.introspect", my_grad) is True
    assert seen == {"name": "my_grad", "params": ["x", "y", "w"]}


@pytest.mark.parametrize("answer", [None, ...])
def test_no_answer_yet(registered, capsys, answer):
    assert gd.check("test.gradient", answer) is False
    assert capsys.readouterr().out.startswith("Not yet done (test.gradient)")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("a string", "your answer should be a function"),
        (42, "your answer should be a function"),
        (lambda x, y, w: "two", "should be a number or an array of numbers; got str"),
        (lambda x, y, w: None, "did you forget the `return` statement?"),
        (lambda x, y, w: {"a": 1}, "got dict"),
        (lambda x: 0.0, "your code raised TypeError"),
        (lambda x, y, w: 1 / 0, "your code raised ZeroDivisionError: division by zero"),
        (lambda x, y, w: np.ones(3), "should be one number; got an array of shape (3,)"),
    ],
)
def test_garbage_is_rejected_without_a_traceback(registered, capsys, answer, words):
    assert gd.check("test.gradient", answer) is False
    out = capsys.readouterr().out
    assert out.startswith("Not quite (test.gradient)")
    assert words in out
    assert "Traceback" not in out


def test_unknown_name_lists_the_known_exercises(registered):
    with pytest.raises(ValueError, match=r"no exercise named 'test\.nope'.*test\.gradient"):
        gd.check("test.nope", lambda: None)
    with pytest.raises(ValueError, match=r"^name must be an exercise of the course; got 'test"):
        gd.hint("test.nope")
    with pytest.raises(ValueError, match="no exercise named"):
        gd.solution("test.nope")
    with pytest.raises(TypeError, match=r"^name must be an exercise name such as '01\.mse_"):
        gd.check(["01.mse_gradient"], lambda: None)


def test_registering_a_name_twice_is_an_error(registered):
    with pytest.raises(ValueError, match="registered twice"):
        exercise("test.gradient", hint="h", solution=_reference_gradient)(lambda a: None)


# ---------------------------------------------------------------- hint() and solution()


def test_hint_prints_the_hint(registered, capsys):
    gd.hint("test.gradient")
    assert capsys.readouterr().out == "Hint (test.gradient): Differentiate (w*x - y)**2.\n"


def test_solution_prints_the_reference_source(registered, capsys):
    gd.solution("test.gradient")
    out = capsys.readouterr().out
    assert out.startswith("def _reference_gradient(x, y, w):\n")
    assert "return np.mean(2 * x * (w * x - y))" in out
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_registry_is_left_clean():
    assert not [name for name in _REGISTRY if name.startswith("test.")]


# ---------------------------------------------------------------- diagnose()

EXPECTED = np.array([[1.0, -2.0, 3.0]])


@pytest.mark.parametrize(
    ("got", "pattern"),
    [
        (EXPECTED.copy(), None),
        (EXPECTED * (1 + 1e-6), None),
        (torch.tensor(EXPECTED, requires_grad=True), None),
        (EXPECTED.ravel(), r"^your x has shape \(3,\) but should have shape \(1, 3\): .*reshape"),
        (np.ones(4), r"^your x has shape \(4,\) but should have shape \(1, 3\)\.$"),
        (-EXPECTED, r"wrong sign"),
        (5 * EXPECTED, r"^your x is 5 times too large: you summed over the 5 samples"),
        (EXPECTED / 5, r"^your x is 5 times too small"),
        (2 * EXPECTED, r"off by a factor of 2: check the factor 2 that comes from diff"),
        (0.5 * EXPECTED, r"off by a factor of 0\.5: check the factor 2"),
        (3 * EXPECTED, r"^your x is off by a factor of 3 in every entry: the entries are right "),
        (-3 * EXPECTED, r"^your x is off by a factor of -3 in every entry: the sign is wrong"),
        (0 * EXPECTED, r"^your x is all zeros, but the expected values are not\.$"),
        (np.array([[1.0, np.nan, 3.0]]), r"contains NaN or infinity"),
        (np.array([[1.0, np.inf, 3.0]]), r"contains NaN or infinity"),
        (
            EXPECTED + np.array([[0.0, 0.0, 0.5]]),
            r"does not match the expected values .*difference 0\.5\)",
        ),
        ("abc", r"should be a number or an array of numbers; got str instead"),
        ("1.0", r"got str instead"),
        ([[1, "a", 3]], r"got list instead"),
        ([[1.0], [2.0, 3.0]], r"got list instead"),
        (object(), r"got object instead"),
        (None, r"^your x is None: did you forget the `return` statement\?$"),
    ],
)
def test_diagnose_names_the_mistake(got, pattern):
    message = diagnose(got, EXPECTED, what="your x", n=5)
    if pattern is None:
        assert message is None
    else:
        assert message is not None and re.search(pattern, message), message


def test_diagnose_without_n_does_not_guess_a_sample_count():
    message = diagnose(5 * EXPECTED, EXPECTED)
    assert message == (
        "your result is off by a factor of 5 in every entry: the entries are right relative to "
        "each other, their size is not."
    )


def test_diagnose_zero_reference():
    assert diagnose(np.zeros(3), np.zeros(3)) is None
    assert "does not match" in diagnose(np.ones(3), np.zeros(3))


def test_diagnose_scalar_tensor_expected():
    assert diagnose(2.0, torch.tensor(2.0)) is None
    assert "wrong sign" in diagnose(-2.0, torch.tensor(2.0))


def test_constants_are_the_documented_words():
    assert _core.CORRECT == "Correct!"
    assert _core.NOT_DONE == "Not yet done"


# ---------------------------------------------------------------- not_a_function()


def test_not_a_function_accepts_any_callable():
    assert _core.not_a_function(len) is None
    assert _core.not_a_function(lambda: None, "f(x)") is None


@pytest.mark.parametrize(
    ("answer", "signature", "message"),
    [
        (
            0.5,
            None,
            "your answer should be a function (you gave a float); "
            "pass the function itself, without calling it.",
        ),
        (
            "grads",
            "combine_shard_gradients(grads, sizes)",
            "your answer should be a function combine_shard_gradients(grads, sizes); "
            "got str instead.",
        ),
    ],
)
def test_not_a_function_message(answer, signature, message):
    assert _core.not_a_function(answer, signature) == message


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "01.mse_gradient",
            "Not quite (01.mse_gradient): your answer should be a function (you gave an int); "
            "pass the function itself, without calling it.",
        ),
        (
            "08.minibatch_gradient",
            "Not quite (08.minibatch_gradient): your answer should be a function "
            "minibatch_gradient(Xb, Yb, w, b); got int instead.",
        ),
    ],
)
def test_course_exercises_print_the_not_a_function_message(capsys, name, line):
    assert gd.check(name, 42) is False
    assert capsys.readouterr().out.splitlines()[0] == line


# ---------------------------------------------------------------- reported false messages


@pytest.mark.parametrize(("got", "expected"), [(-0.3, 3.0), (0.0, 3.0), (-6.0, 3.0), (1.0, 3.0)])
def test_a_wrong_number_is_not_called_the_right_direction(got, expected):
    message = diagnose(got, expected, what="your x")
    assert "direction is right" not in message
    assert message == f"your x has a wrong value: expected {expected:g}, got {got:g}."


@pytest.mark.parametrize("factor", [-5.0, -2.0, -0.5, -0.1, 0.0, 0.3, 3.0, 10.0])
def test_diagnose_names_no_other_factor_of_a_single_number(factor):
    message = diagnose(factor * 7.5, 7.5, what="your x", n=4)
    assert message == f"your x has a wrong value: expected 7.5, got {factor * 7.5:g}."


@pytest.mark.parametrize("factor", [-5.0, -2.0, -0.5, -0.1])
def test_diagnose_never_calls_a_negative_factor_the_right_direction(factor):
    message = diagnose(factor * EXPECTED, EXPECTED, what="your x")
    assert "the sign is wrong" in message
    assert "right" not in message.replace("the sign is wrong", "")


SQUARE = "check the factor 2 that comes from differentiating the square."


@pytest.mark.parametrize(
    ("got", "message"),
    [
        (-7.5, "your x has the wrong sign: check the order of the subtraction."),
        (30.0, "your x is 4 times too large: you summed over the 4 samples where the mean was "
               "needed."),
        (7.5 / 4, "your x is 4 times too small: divide by the number of samples only once."),
        (15.0, f"your x is off by a factor of 2: {SQUARE}"),
        (3.75, f"your x is off by a factor of 0.5: {SQUARE}"),
    ],
)  # fmt: skip
def test_diagnose_names_the_typical_factors_of_a_single_number(got, message):
    assert diagnose(got, 7.5, what="your x", n=4) == message


def test_diagnose_factor_two_reason_can_be_changed_or_left_out():
    assert diagnose(2 * EXPECTED, EXPECTED, factor_two="divide by 2 * eps") == (
        "your result is off by a factor of 2: divide by 2 * eps."
    )
    assert diagnose(2 * EXPECTED, EXPECTED, factor_two=None) == (
        "your result is off by a factor of 2 (twice the expected value)."
    )
    assert diagnose(0.5 * EXPECTED, EXPECTED, factor_two=None) == (
        "your result is off by a factor of 0.5 (half the expected value)."
    )


def test_diagnose_two_samples_are_explained_as_the_factor_two():
    # with n = 2 a factor 2 is ambiguous: the message does not claim a sum over 2 samples
    assert "summed" not in diagnose(2 * EXPECTED, EXPECTED, n=2)
    assert "factor of 2" in diagnose(2 * EXPECTED, EXPECTED, n=2)


def test_diagnose_one_element_arrays_and_scalars():
    assert diagnose(np.array([7.5]), 7.5) is None
    assert diagnose(np.array([[1.0]]), 7.5) == "your result has a wrong value: expected 7.5, got 1."
    assert diagnose(1.0, 0.0) == "your result has a wrong value: expected 0, got 1."


# ---------------------------------------------------------------- diagnose_cases()

WHERE = ["checked at w = 0", "checked at w = 1.5", "checked on 3 samples"]
GRAD = [-30.0, -7.5, 2.0]
N = [4, 4, 3]


def test_diagnose_cases_right_answers():
    assert diagnose_cases([-30.0, -7.5, 2.0], GRAD, what="g", where=WHERE, n=N) is None
    assert diagnose_cases([np.float32(-30), torch.tensor(-7.5), np.array([2.0])], GRAD,
                          what="g", where=WHERE) is None  # fmt: skip


def test_diagnose_cases_names_a_factor_only_when_every_case_has_it():
    # -30 everywhere is 4 times the expected value at w = 1.5, by coincidence
    assert diagnose_cases([-30.0, -30.0, -30.0], GRAD, what="g", where=WHERE, n=N) == (
        "g has a wrong value: expected -7.5, got -30 (checked at w = 1.5.)"
    )
    assert diagnose_cases([30.0, 7.5, -2.0], GRAD, what="g", where=WHERE) == (
        "g has the wrong sign: check the order of the subtraction."
    )
    assert diagnose_cases([-60.0, -15.0, 4.0], GRAD, what="g", where=WHERE).startswith(
        "g is off by a factor of 2: check the factor 2"
    )


def test_diagnose_cases_sum_over_samples():
    same_n = diagnose_cases([-120.0, -30.0], GRAD[:2], what="g", where=WHERE[:2], n=N[:2])
    assert (
        same_n == "g is 4 times too large: you summed over the 4 samples where the mean was needed."
    )
    mixed = diagnose_cases([-120.0, -30.0, 6.0], GRAD, what="g", where=WHERE, n=N)
    assert mixed == (
        "g is n times too large, n the number of samples (4 times with 4 samples, 3 times with "
        "3): you summed over the samples where the mean was needed."
    )
    assert diagnose_cases([-7.5, -7.5 / 4, 2.0 / 3], GRAD, what="g", where=WHERE, n=N).startswith(
        "g is n times too small"
    )


def test_diagnose_cases_without_factors():
    message = diagnose_cases([-60.0, -15.0, 4.0], GRAD, what="g", where=WHERE, factors=False)
    assert message == "g has a wrong value: expected -30, got -60 (checked at w = 0.)"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "g is None: did you forget the `return` statement?"),
        ("x", "g should be a number or an array of numbers; got str instead."),
        (np.ones(2), "g should be one number; got an array of shape (2,) instead."),
        (float("nan"), "g contains NaN or infinity; check for a division by zero or a huge step."),
    ],
)
def test_diagnose_cases_names_the_case_of_a_value_that_is_not_a_number(value, message):
    assert diagnose_cases([-30.0, value, 2.0], GRAD, what="g", where=WHERE) == (
        f"{message} (checked at w = 1.5.)"
    )
