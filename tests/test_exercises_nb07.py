"""Exercises of notebook 07: right answers pass, typical mistakes get the right explanation."""

from __future__ import annotations

import numpy as np
import pytest

import gdhelpers as gd


def _verdict(capsys, name, answer):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


# ---------------------------------------------------------------- 07.central_difference


def cd_right(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        grad[i] = (f(xp) - f(xm)) / (2 * eps)
    return grad


def cd_restore(f, x, eps=1e-6):
    # right too: changes x but puts every entry back
    flat = x.reshape(-1)
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f(x)
        flat[i] = old - eps
        down = f(x)
        flat[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad.reshape(x.shape)


def cd_forward(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += eps
        grad[i] = (f(xp) - f(x)) / eps
    return grad


def cd_no_2(f, x, eps=1e-6):
    return 2 * cd_right(f, x, eps)


def cd_by_4_eps(f, x, eps=1e-6):
    return cd_right(f, x, eps) / 2


def cd_mutates(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        down = f(x)
        grad[i] = (up - down) / (2 * eps)
    return grad


def cd_flat(f, x, eps=1e-6):
    return cd_right(f, x, eps).reshape(-1)


def cd_sign(f, x, eps=1e-6):
    return -cd_right(f, x, eps)


def cd_scalar(f, x, eps=1e-6):
    return float(cd_right(f, x, eps).sum())


def cd_ignores_eps(f, x, eps=1e-6):
    return cd_right(f, x, 1e-5)  # a fixed step: the eps argument is never used


def cd_all_at_once(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        grad[i] = (f(x + eps) - f(x - eps)) / (2 * eps)  # x + eps moves every entry
    return grad


def cd_all_at_once_number(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def cd_none(f, x, eps=1e-6):
    cd_right(f, x, eps)  # no return


def cd_text(f, x, eps=1e-6):
    return "gradient"


def cd_package(f, x, eps=1e-6):
    # the package's own helper is a right answer too
    return gd.numerical_gradient(f, x, eps=eps)


@pytest.mark.parametrize("answer", [cd_right, cd_restore, cd_package])
def test_central_difference_right(capsys, answer):
    ok, out = _verdict(capsys, "07.central_difference", answer)
    assert ok and "Correct!" in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (cd_forward, "one-sided difference"),
        (
            cd_no_2,
            "your gradient is off by a factor of 2: divide by 2 * eps, once: x - eps and "
            "x + eps are 2 * eps apart.",
        ),
        (cd_by_4_eps, "your gradient is off by a factor of 0.5: divide by 2 * eps, once"),
        (cd_mutates, "changed x"),
        (cd_flat, "reshape them"),
        (cd_sign, "wrong sign"),
        (cd_scalar, "shape"),
        (cd_ignores_eps, "your function ignores its eps argument: called with eps = 0.1 and"),
        (cd_all_at_once, "you moved all entries of x at once (x + eps adds eps to EVERY entry)"),
        (cd_all_at_once_number, "you moved all entries of x at once"),
        (cd_none, "forget the `return`"),
        (cd_text, "a number or an array of numbers; got str"),
    ],
)
def test_central_difference_mistakes(capsys, answer, words):
    ok, out = _verdict(capsys, "07.central_difference", answer)
    assert not ok
    assert words in out, out
    assert "differentiating the square" not in out


# ---------------------------------------------------------------- 07.relative_error


def rel_right(a, b):
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(scale > 0, diff / np.where(scale > 0, scale, 1), 0)))


def rel_nan(a, b):
    with np.errstate(invalid="ignore"):
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))


def rel_by_b(a, b):
    diff = np.abs(a - b)
    return float(np.max(np.where(diff > 0, diff / np.where(b == 0, 1, np.abs(b)), 0)))


def rel_by_a(a, b):
    diff = np.abs(a - b)
    return float(np.max(np.where(diff > 0, diff / np.where(a == 0, 1, np.abs(a)), 0)))


def rel_mean(a, b):
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    return float(np.mean(np.where(scale > 0, diff / np.where(scale > 0, scale, 1), 0)))


def rel_by_sum(a, b):
    diff = np.abs(a - b)
    s = np.abs(a) + np.abs(b)
    return float(np.max(np.where(s > 0, diff / np.where(s > 0, s, 1), 0)))


def rel_array(a, b):
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.where(scale > 0, diff / np.where(scale > 0, scale, 1), 0)


def rel_no_abs(a, b):
    scale = np.maximum(np.abs(a), np.abs(b))
    return float(np.max(np.where(scale > 0, (a - b) / np.where(scale > 0, scale, 1), 0)))


def rel_text(a, b):
    return f"{rel_right(a, b):.3g}"  # formatted too early: a string


def _norm_ratio(a, b, scale):
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def rel_norm_max(a, b):
    return _norm_ratio(a, b, max(np.linalg.norm(a), np.linalg.norm(b)))


def rel_norm_sum(a, b):  # the form of many gradient-checking tutorials
    return _norm_ratio(a, b, np.linalg.norm(a) + np.linalg.norm(b))


def rel_norm_nan(a, b):
    with np.errstate(invalid="ignore"):
        return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b)))


def test_relative_error_right(capsys):
    ok, out = _verdict(capsys, "07.relative_error", rel_right)
    assert ok and "Correct!" in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (rel_nan, "0/0"),
        (rel_by_b, "you divided by |b| only; divide by the larger of the two"),
        (rel_by_a, "you divided by |a| only; divide by the larger of the two"),
        (rel_mean, "you averaged the entry-wise errors; return the LARGEST one"),
        (
            lambda a, b: 0.5,  # right for the first two cases only
            "your relative error has a wrong value: expected 0.0909091, got 0.5 (checked with "
            "a = [1.0, -2.0, 0.0], b = [1.0, -2.2, 0.0].)",
        ),
        (rel_by_sum, "|a| + |b|"),
        (rel_array, "ONE number"),
        (rel_no_abs, "your relative error"),
        (rel_text, "your relative error is text, the string '0.5', not a number"),
        (rel_norm_max, "you used norms of the whole arrays (np.linalg.norm)"),
        (rel_norm_sum, "ENTRY BY ENTRY"),
        (rel_norm_nan, "you used norms of the whole arrays"),
    ],
)
def test_relative_error_mistakes(capsys, answer, words):
    ok, out = _verdict(capsys, "07.relative_error", answer)
    assert not ok
    assert words in out, out


def _unhandled(denominator):
    """An entry-wise relative error that does not handle 0/0 (NaN where a and b are 0)."""

    def answer(a, b):
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(np.max(np.abs(a - b) / denominator(a, b)))

    return answer


@pytest.mark.parametrize(
    ("denominator", "words"),
    [
        (lambda a, b: np.abs(b), "you divided by |b| only"),
        (lambda a, b: np.abs(a), "you divided by |a| only"),
        (lambda a, b: np.abs(a) + np.abs(b), "you divided by |a| + |b|"),
    ],
)
def test_relative_error_nan_and_wrong_denominator_named_not_norms(capsys, denominator, words):
    # the first cases hold one entry each, where entry-wise and norm-based errors coincide: a NaN
    # on the third case must not be blamed on norms; the cases without zeros name the denominator
    ok, out = _verdict(capsys, "07.relative_error", _unhandled(denominator))
    assert not ok
    assert "0/0" in out and words in out, out
    assert "norm" not in out, out


def test_relative_error_nan_alone_names_only_the_nan(capsys):
    ok, out = _verdict(capsys, "07.relative_error", rel_nan)
    assert not ok
    assert "0/0" in out and "divided by" not in out and "norm" not in out, out


# ---------------------------------------------------------------- both


def test_reference_solutions_pass(capsys):
    from gdhelpers.exercises import nb07

    assert gd.check("07.central_difference", nb07._central_difference_reference)
    assert gd.check("07.relative_error", nb07._relative_error_reference)


def test_relative_error_none_is_not_told_it_divided_by_zero(capsys):
    ok, out = _verdict(capsys, "07.relative_error", lambda a, b: None)
    assert not ok
    assert "0/0" not in out and "NaN" not in out
    assert "forget the `return`" in out


def test_relative_error_given_a_string_is_told_to_pass_the_function(capsys):
    ok, out = _verdict(capsys, "07.relative_error", "0.5")
    assert not ok
    assert "pass the function itself" in out
