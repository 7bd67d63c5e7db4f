"""Exercises of notebook 07: right answers pass, typical mistakes get the right explanation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gdhelpers as gd
from gdhelpers.exercises import nb07


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


# The checker's expected values against independent references. A central difference of a
# function whose Taylor series is known has a closed form: for each function the checker uses
# (found by name), the exact value of (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), no f called.
# It differs from the derivative (torch autograd) by the known truncation error, O(eps**2).
_XS = torch.arange(1.0, 5.0, dtype=torch.float64)
_TORCH_TWINS = {  # the checker's functions written with torch, for autograd
    "curved": lambda v: torch.sin(v[0]) * v[1] ** 2 + torch.exp(0.5 * v[2]),
    "matrix": lambda m: (
        torch.sum(torch.cos(m) * torch.arange(1.0, m.numel() + 1, dtype=m.dtype).reshape(m.shape))
        + m[0, 1] ** 3
    ),
    "mse_w": lambda w: torch.mean((w[0] * _XS - 2 * _XS) ** 2),
}


def _central_difference_closed_form(name, x, eps):
    if name == "curved":  # sin(v0) v1**2 + exp(v2 / 2)
        v0, v1, v2 = x
        return np.array(
            [
                v1**2 * np.cos(v0) * np.sin(eps) / eps,  # sin(a+e) - sin(a-e) = 2 cos(a) sin(e)
                2 * np.sin(v0) * v1,  # quadratic in v1: exact
                np.exp(v2 / 2) * np.sinh(eps / 2) / eps,  # e^(a+e) - e^(a-e) = 2 e^a sinh(e)
            ]
        )
    if name == "matrix":  # sum(cos(m) * [1..6]) + m01**3
        c = np.arange(1.0, x.size + 1).reshape(x.shape)
        g = -c * np.sin(x) * np.sin(eps) / eps  # cos(a+e) - cos(a-e) = -2 sin(a) sin(e)
        g[0, 1] += 3 * x[0, 1] ** 2 + eps**2  # ((a+e)**3 - (a-e)**3) / (2e) = 3a**2 + e**2
        return g
    if name == "mse_w":  # mean((w0 - 2)**2 * [1, 4, 9, 16]) = 7.5 (w0 - 2)**2: quadratic, exact
        return np.array([15 * (x[0] - 2)])
    raise AssertionError(f"the checker has a new case {name!r}: add its closed form here")


def _autograd_gradient(f, x, eps=1e-6):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(_TORCH_TWINS[f.__name__](t), t)
    return grad.numpy()


def cd_closed_form(f, x, eps=1e-6):
    return _central_difference_closed_form(f.__name__, x, eps)


def test_central_difference_cases_closed_forms_and_autograd_agree():
    names = []
    for f, x, eps, _ in nb07._cd_cases():
        names.append(f.__name__)
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        assert float(_TORCH_TWINS[f.__name__](t.detach())) == pytest.approx(f(x), rel=1e-14)
        assert torch.autograd.gradcheck(_TORCH_TWINS[f.__name__], (t,))  # the twin's autograd
        closed = _central_difference_closed_form(f.__name__, x, eps)
        # a central difference is off the derivative by eps**2 / 6 times the third derivative
        np.testing.assert_allclose(closed, _autograd_gradient(f, x), rtol=eps**2)
    assert names == ["curved", "matrix", "mse_w"]
    # on the first case (eps = 0.1) that error is above the checker's tolerance (1e-6)
    f, x, eps, _ = nb07._cd_cases()[0]
    assert not np.allclose(cd_closed_form(f, x, eps), _autograd_gradient(f, x), rtol=1e-6)


def test_central_difference_accepts_the_closed_form(capsys):
    ok, out = _verdict(capsys, "07.central_difference", cd_closed_form)
    assert ok and "Correct!" in out, out
    # values off by rounding only (a relative 1e-9) are accepted too
    ok, out = _verdict(
        capsys, "07.central_difference", lambda f, x, eps: cd_closed_form(f, x, eps) * (1 + 1e-9)
    )
    assert ok, out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        # the exact derivative: right for no eps, the same numbers whatever eps is
        (_autograd_gradient, "your function ignores its eps argument: called with eps = 0.1"),
        # the closed form off by 1e-4 in every entry: above the tolerance
        (lambda f, x, eps: cd_closed_form(f, x, eps) * (1 + 1e-4), "in every entry"),
        # one entry (2 sin(v0) v1 = -0.709) off by 1e-4 of itself
        (
            lambda f, x, eps: (
                cd_closed_form(f, x, eps)
                + np.eye(1, x.size, 1).reshape(x.shape) * 1e-4 * cd_closed_form(f, x, eps)
            ),
            "your gradient does not match the expected values (largest difference 7.09e-05)",
        ),
    ],
)
def test_central_difference_refuses_values_off_the_closed_form(capsys, answer, words):
    ok, out = _verdict(capsys, "07.central_difference", answer)
    assert not ok
    assert words in out and "(checked on f(v) = sin(v0)*v1**2 + exp(v2/2), eps = 0.1.)" in out, out


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


# The checker's cases with their values worked out by hand: |a_i - b_i| / max(|a_i|, |b_i|),
# the largest over i, 0 where a_i = b_i = 0.
REL_BY_HAND = [
    ([2.0], [1.0], 1 / 2),
    ([1.0], [2.0], 1 / 2),
    ([1.0, -2.0, 0.0], [1.0, -2.2, 0.0], 0.2 / 2.2),
    ([[3.0, 1e-8], [-4.0, 5.0]], [[3.0, 2e-8], [-4.0, 5.0]], 1e-8 / 2e-8),
    ([-30.0, -10.0], [-120.0, -40.0], 3 / 4),  # 90 / 120 and 30 / 40
    ([0.0, 0.0], [0.0, 0.0], 0.0),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0 + 3e-6], 3e-6 / (3.0 + 3e-6)),
]


def _by_hand(off_case=None, factor=1.0):
    """An answer that returns the hand-worked value of each case (one case times factor)."""

    def answer(a, b):
        for i, (ha, hb, value) in enumerate(REL_BY_HAND):
            if a.tolist() == ha and b.tolist() == hb:
                return value * (factor if i == off_case else 1.0)
        raise AssertionError(f"not a case worked out by hand: {a.tolist()}, {b.tolist()}")

    return answer


def rel_pure_python(a, b):
    """Independent of NumPy's vector operations: one entry at a time."""
    worst = 0.0
    for p, q in zip(np.ravel(a).tolist(), np.ravel(b).tolist(), strict=True):
        if max(abs(p), abs(q)) > 0:
            worst = max(worst, abs(p - q) / max(abs(p), abs(q)))
    return worst


def rel_smaller(a, b):
    diff = np.abs(a - b)
    small = np.minimum(np.abs(a), np.abs(b))
    return float(np.max(np.divide(diff, small, out=np.zeros(diff.shape), where=diff > 0)))


def test_relative_error_cases_are_the_hand_worked_ones():
    cases = [(a.tolist(), b.tolist()) for a, b in nb07._REL_CASES]
    assert cases == [(a, b) for a, b, _ in REL_BY_HAND]


@pytest.mark.parametrize("answer", [_by_hand(), _by_hand(2, 1 + 1e-9), rel_pure_python])
def test_relative_error_accepts_independent_answers(capsys, answer):
    ok, out = _verdict(capsys, "07.relative_error", answer)
    assert ok and "Correct!" in out, out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (
            _by_hand(2, 1 + 1e-3),
            "expected 0.0909091, got 0.091 (checked with a = [1.0, -2.0, 0.0], "
            "b = [1.0, -2.2, 0.0].)",
        ),
        (_by_hand(6, 2.0), "expected 9.99999e-07, got 2e-06"),  # the smallest, twice too large
        (_by_hand(4, 1 / 3), "expected 0.75, got 0.25"),
        (rel_smaller, "expected 0.5, got 1 (checked with a = [2.0], b = [1.0].)"),
    ],
)
def test_relative_error_refuses_values_off_the_hand_worked_ones(capsys, answer, words):
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
