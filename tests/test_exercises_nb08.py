"""Exercises of notebook 08: correct answers pass, typical mistakes get their explanation."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import gdhelpers as gd


def check(name, answer, capsys):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


# --------------------------------------------------------------------- 08.minibatch_gradient


def good_gradient(Xb, Yb, w, b):
    r = Xb @ w.T + b - Yb
    return 2 * r.T @ Xb / r.numel(), 2 * r.sum(dim=0) / r.numel()


def test_minibatch_gradient_correct(capsys):
    ok, out = check("08.minibatch_gradient", good_gradient, capsys)
    assert ok and "Correct!" in out


def test_minibatch_gradient_numpy_output_accepted(capsys):
    def as_numpy(Xb, Yb, w, b):
        dw, db = good_gradient(Xb, Yb, w, b)
        return dw.numpy(), db.numpy()

    assert check("08.minibatch_gradient", as_numpy, capsys)[0]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda Xb, Yb, w, b: tuple(2 * g for g in good_gradient(Xb, Yb, w, b)), "factor of 2"),
        (lambda Xb, Yb, w, b: tuple(g / 2 for g in good_gradient(Xb, Yb, w, b)), "factor of 0.5"),
        (lambda Xb, Yb, w, b: tuple(-g for g in good_gradient(Xb, Yb, w, b)), "wrong sign"),
        (
            lambda Xb, Yb, w, b: tuple(g * Yb.numel() for g in good_gradient(Xb, Yb, w, b)),
            "6 times too large: you summed over the 6 samples",
        ),
        (
            lambda Xb, Yb, w, b: (good_gradient(Xb, Yb, w, b)[0].T, good_gradient(Xb, Yb, w, b)[1]),
            "has shape (3, 1) but should have shape (1, 3)",
        ),
        (lambda Xb, Yb, w, b: good_gradient(Xb, Yb, w, b)[0], "return two things"),
        (
            lambda Xb, Yb, w, b: tuple(g * Yb.shape[1] for g in good_gradient(Xb, Yb, w, b)),
            "2 times too large with 2 outputs",
        ),
    ],
)
def test_minibatch_gradient_mistakes(answer, words, capsys):
    ok, out = check("08.minibatch_gradient", answer, capsys)
    assert not ok
    assert words in out, out


def test_minibatch_gradient_mean_over_samples_only(capsys):
    def per_sample_mean(Xb, Yb, w, b):  # divides by m instead of m * k
        r = Xb @ w.T + b - Yb
        return 2 * r.T @ Xb / len(Xb), 2 * r.sum(dim=0) / len(Xb)

    ok, out = check("08.minibatch_gradient", per_sample_mean, capsys)
    assert not ok and "divide by r.numel()" in out


def test_minibatch_gradient_in_place_update_detected(capsys):
    def in_place(Xb, Yb, w, b):
        dw, db = good_gradient(Xb, Yb, w, b)
        w -= 0.1 * dw
        return dw, db

    ok, out = check("08.minibatch_gradient", in_place, capsys)
    assert not ok and "changed its inputs" in out


def test_minibatch_gradient_not_done_and_garbage(capsys):
    def todo(Xb, Yb, w, b):
        raise NotImplementedError

    ok, out = check("08.minibatch_gradient", todo, capsys)
    assert not ok and "Not yet done" in out
    for garbage in (None, "dw, db", 3.0):
        ok, out = check("08.minibatch_gradient", garbage, capsys)
        assert not ok
    ok, out = check("08.minibatch_gradient", lambda *a: "text", capsys)
    assert not ok and "return two things" in out
    ok, out = check("08.minibatch_gradient", lambda *a: ("a", "b"), capsys)
    assert not ok and "got a string" in out
    ok, out = check("08.minibatch_gradient", lambda *a: (None, None), capsys)
    assert not ok and "forget the `return`" in out


def test_minibatch_gradient_transposed_dw_says_transpose(capsys):
    def transposed(Xb, Yb, w, b):  # dw of shape (d, k) instead of (k, d)
        r = Xb @ w.T + b - Yb
        return 2 * Xb.T @ r / r.numel(), 2 * r.sum(dim=0) / r.numel()

    ok, out = check("08.minibatch_gradient", transposed, capsys)
    assert not ok
    assert "has shape (3, 1) but should have shape (1, 3)" in out, out
    assert "Transpose: r.T @ Xb has the shape (k, d) of w" in out, out
    assert "reshape them" not in out, out


def test_minibatch_gradient_db_summed_over_everything(capsys):
    def sum_all(Xb, Yb, w, b):  # db = 2 * r.sum() / n: one number instead of (k,)
        r = Xb @ w.T + b - Yb
        return 2 * r.T @ Xb / r.numel(), 2 * r.sum() / r.numel()

    ok, out = check("08.minibatch_gradient", sum_all, capsys)
    assert not ok
    assert "your db is one number (shape ())" in out, out
    assert "sum over the samples only, r.sum(dim=0)" in out, out
    assert "reshape them" not in out, out


def test_minibatch_gradient_no_return(capsys):
    def forgot_return(Xb, Yb, w, b):
        r = Xb @ w.T + b - Yb
        dw, db = 2 * r.T @ Xb / r.numel(), 2 * r.sum(dim=0) / r.numel()  # noqa: F841

    ok, out = check("08.minibatch_gradient", forgot_return, capsys)
    assert not ok
    assert "is None: did you forget the `return` statement?" in out, out
    assert "NoneType" not in out, out


# --------------------------------------------------------------- 08.combine_shard_gradients


def good_combine(grads, sizes):
    return sum(n * g for g, n in zip(grads, sizes, strict=True)) / sum(sizes)


def test_combine_correct(capsys):
    ok, out = check("08.combine_shard_gradients", good_combine, capsys)
    assert ok and "Correct!" in out


def test_combine_numpy_answer_accepted(capsys):
    def with_numpy(grads, sizes):
        arr = np.stack([g.numpy() for g in grads])
        return np.tensordot(np.asarray(sizes, dtype=np.float32), arr, axes=1) / sum(sizes)

    assert check("08.combine_shard_gradients", with_numpy, capsys)[0]


def test_combine_plain_average_fails_on_unequal_shards(capsys):
    ok, out = check("08.combine_shard_gradients", lambda g, s: sum(g) / len(g), capsys)
    assert not ok
    assert re.search(r"shard sizes \[10, 30, 60\] the plain average .* same size", out), out


def test_combine_sum_fails(capsys):
    ok, out = check("08.combine_shard_gradients", lambda g, s: sum(g), capsys)
    assert not ok and "you summed the 2 shard gradients" in out


def test_combine_other_mistakes(capsys):
    ok, out = check("08.combine_shard_gradients", lambda g, s: -good_combine(g, s), capsys)
    assert not ok and "wrong sign" in out
    ok, out = check("08.combine_shard_gradients", lambda g, s: list(g), capsys)
    assert not ok and "ONE gradient" in out
    ok, out = check(
        "08.combine_shard_gradients",
        lambda g, s: sum(n * x for x, n in zip(g, s, strict=True)),
        capsys,
    )
    assert not ok and "100 times too large" in out


def test_combine_divided_by_the_number_of_shards(capsys):
    def by_shards(grads, sizes):  # the weighted sum divided by len(sizes) instead of sum(sizes)
        return sum(n * g for g, n in zip(grads, sizes, strict=True)) / len(sizes)

    ok, out = check("08.combine_shard_gradients", by_shards, capsys)
    assert not ok
    assert "you divided the weighted sum by the number of shards, 2" in out, out
    assert "divide it by the total number of samples, sum(sizes) = 100" in out, out
    assert "off by a factor" not in out, out


def test_combine_not_done_and_garbage(capsys):
    def todo(grads, sizes):
        raise NotImplementedError

    ok, out = check("08.combine_shard_gradients", todo, capsys)
    assert not ok and "Not yet done" in out
    for garbage in (None, "grads", 1):
        assert not check("08.combine_shard_gradients", garbage, capsys)[0]
    ok, out = check("08.combine_shard_gradients", lambda g, s: "text", capsys)
    assert not ok and "returned a string" in out
    ok, out = check("08.combine_shard_gradients", lambda g, s: None, capsys)
    assert not ok and "forget the `return`" in out


def test_hints_and_solutions(capsys):
    gd.hint("08.minibatch_gradient")
    gd.solution("08.combine_shard_gradients")
    out = capsys.readouterr().out
    assert "r.numel()" in out or "number of elements" in out
    assert "def _combine_shard_gradients" in out


def test_reference_solutions_agree_with_torch_autograd():
    from gdhelpers.exercises import nb08

    gen = torch.Generator().manual_seed(1)
    Xb, Yb = torch.randn(7, 4, generator=gen), torch.randn(7, 3, generator=gen)
    w = torch.randn(3, 4, generator=gen, requires_grad=True)
    b = torch.randn(3, generator=gen, requires_grad=True)
    torch.mean((Xb @ w.T + b - Yb) ** 2).backward()
    dw, db = nb08._minibatch_gradient(Xb, Yb, w.detach(), b.detach())
    torch.testing.assert_close(dw, w.grad)
    torch.testing.assert_close(db, b.grad)
    grads = [torch.randn(2, 2, generator=gen) for _ in range(3)]
    torch.testing.assert_close(
        nb08._combine_shard_gradients(grads, [1, 1, 1]), torch.stack(grads).mean(dim=0)
    )


def test_combine_half_is_not_blamed_on_a_square(capsys):
    ok, out = check("08.combine_shard_gradients", lambda g, s: good_combine(g, s) / 2, capsys)
    assert not ok
    assert "your combined gradient is off by a factor of 0.5 (half the expected value)." in out
    assert "square" not in out
