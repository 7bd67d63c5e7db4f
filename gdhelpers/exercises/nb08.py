"""Exercises of notebook 08 (scaling up): a vectorised minibatch gradient, and combining the
gradients of data shards into the full-batch gradient (what ``all_reduce`` does)."""

from __future__ import annotations

from typing import Any

import torch

from ._core import diagnose, exercise, not_a_function

__all__: list[str] = []


# --------------------------------------------------------------------- 08.minibatch_gradient


def _minibatch_gradient(Xb, Yb, w, b):
    """Gradient of the MSE of a linear model on one minibatch, without a Python loop."""
    residual = Xb @ w.T + b - Yb  # (m, k): one row per sample
    scale = 2 / residual.numel()  # the mean runs over all m * k elements
    dw = scale * residual.T @ Xb  # (k, d), the shape of w
    db = scale * residual.sum(dim=0)  # (k,), the shape of b
    return dw, db


def _gradient_cases() -> list[tuple[torch.Tensor, ...]]:
    """(Xb, Yb, w, b) cases: one output first (clear messages), then two outputs, then m = 1."""
    gen = torch.Generator().manual_seed(8)
    cases = []
    for m, d, k in ((6, 3, 1), (5, 4, 2), (1, 3, 1)):
        Xb = torch.randn(m, d, generator=gen)
        Yb = torch.randn(m, k, generator=gen)
        w = torch.randn(k, d, generator=gen)
        b = torch.randn(k, generator=gen)
        cases.append((Xb, Yb, w, b))
    return cases


def _shape_mistake(value: Any, expected: torch.Tensor, name: str) -> str | None:
    """The two shape mistakes with a specific cause: dw transposed, db summed over everything."""
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError):
            return None
    value = value.detach().to(torch.float64)
    expected = expected.to(torch.float64)
    shape, want = tuple(value.shape), tuple(expected.shape)
    if (
        expected.dim() == 2
        and shape == want[::-1]
        and shape != want
        and torch.allclose(value.T, expected, rtol=1e-4, atol=1e-6)
    ):
        return (
            f"{name} has shape {shape} but should have shape {want}, the shape of w: "
            "the numbers are right but transposed. Transpose: r.T @ Xb has the shape (k, d) "
            "of w."
        )
    if expected.dim() == 1 and value.dim() == 0:
        return (
            f"{name} is one number (shape ()) but should have shape {want}, one number per "
            "output like b: sum over the samples only, r.sum(dim=0), not over everything."
        )
    return None


@exercise(
    "08.minibatch_gradient",
    hint=(
        "Compute all residuals at once: r = Xb @ w.T + b - Yb has one row per sample. "
        "The gradient for w is 2 * r.T @ Xb divided by the number of elements of r; the "
        "gradient for b is 2 * r.sum(dim=0) divided by the same number."
    ),
    solution=_minibatch_gradient,
)
def _check_minibatch_gradient(answer: Any) -> str | None:
    if problem := not_a_function(answer, "minibatch_gradient(Xb, Yb, w, b)"):
        return problem
    for Xb, Yb, w, b in _gradient_cases():
        inputs = [t.clone() for t in (Xb, Yb, w, b)]
        got = answer(*inputs)
        if not all(torch.equal(a, c) for a, c in zip(inputs, (Xb, Yb, w, b), strict=True)):
            return (
                "your function changed its inputs; compute new tensors instead of updating "
                "them in place."
            )
        if got is None:
            return (
                "the result of your function is None: did you forget the `return` statement? "
                "End it with `return dw, db`."
            )
        if not isinstance(got, tuple | list) or len(got) != 2:
            return (
                "your function should return two things, the gradients for w and for b: "
                f"`return dw, db`; it returned {type(got).__name__} instead."
            )
        dw, db = _minibatch_gradient(Xb, Yb, w, b)
        m, k = Yb.shape
        for value, expected, name in ((got[0], dw, "your dw"), (got[1], db, "your db")):
            if isinstance(value, str):
                return f"{name} should be a tensor of numbers; got a string instead."
            if problem := _shape_mistake(value, expected, name):
                return f"{problem} (batch of {m} samples, {Xb.shape[1]} features, {k} output(s))"
            problem = diagnose(value, expected, what=name, n=m * k)
            if problem is not None:
                if k > 1 and m > 1 and diagnose(value, expected * k, what=name) is None:
                    return (
                        f"{name} is {k} times too large with {k} outputs: the MSE averages over "
                        "all m * k elements of the residual, so divide by r.numel(), not by m."
                    )
                return f"{problem} (batch of {m} samples, {Xb.shape[1]} features, {k} output(s))"
    return None


# --------------------------------------------------------------- 08.combine_shard_gradients


def _combine_shard_gradients(grads, sizes):
    """The full-batch gradient from the mean gradients of the shards and their sizes."""
    total = sum(sizes)
    return sum(n_r * g_r for g_r, n_r in zip(grads, sizes, strict=True)) / total


def _shard_cases() -> list[tuple[list[torch.Tensor], list[int]]]:
    gen = torch.Generator().manual_seed(80)
    return [
        ([torch.randn(1, 3, generator=gen) for _ in range(2)], [50, 50]),
        ([torch.randn(1, 3, generator=gen) for _ in range(4)], [25, 25, 25, 25]),
        ([torch.randn(2, 3, generator=gen) for _ in range(3)], [10, 30, 60]),
        ([torch.randn(1, 3, generator=gen) for _ in range(2)], [1, 3]),
    ]


@exercise(
    "08.combine_shard_gradients",
    hint=(
        "The full-batch gradient is the mean over all n samples. Shard r contributes "
        "n_r samples whose mean gradient is g_r, so their sum is n_r * g_r. Add those sums "
        "up and divide by n = sum(sizes)."
    ),
    solution=_combine_shard_gradients,
)
def _check_combine_shard_gradients(answer: Any) -> str | None:
    if problem := not_a_function(answer, "combine_shard_gradients(grads, sizes)"):
        return problem
    for grads, sizes in _shard_cases():
        got = answer([g.clone() for g in grads], list(sizes))
        if isinstance(got, str):
            return "your function should return a gradient (a tensor); it returned a string."
        if isinstance(got, tuple | list):
            return (
                "your function should return ONE gradient with the shape of each shard's "
                f"gradient, {tuple(grads[0].shape)}; it returned a {type(got).__name__}."
            )
        expected = _combine_shard_gradients(grads, sizes)
        equal = len(set(sizes)) == 1
        plain_mean = torch.stack(grads).mean(dim=0)
        plain_sum = torch.stack(grads).sum(dim=0)
        if diagnose(got, expected) is None:
            continue
        if diagnose(got, plain_sum) is None:
            return (
                f"you summed the {len(grads)} shard gradients: each one is already a mean, so the "
                f"sum is about {len(grads)} times too large. all_reduce sums; then divide."
            )
        if not equal and diagnose(got, plain_mean) is None:
            return (
                f"with shard sizes {sizes} the plain average of the gradients is not the "
                "full-batch gradient: it is right only when every shard has the same size. "
                "Weight each shard's gradient by its number of samples."
            )
        by_shards = sum(n_r * g_r for g_r, n_r in zip(grads, sizes, strict=True)) / len(sizes)
        if diagnose(got, by_shards) is None:
            return (
                f"you divided the weighted sum by the number of shards, {len(sizes)}: "
                "n_r * g_r is the sum of the n_r sample gradients of shard r, so adding them "
                "up gives the sum over all samples; divide it by the total number of samples, "
                f"sum(sizes) = {sum(sizes)}, not by the number of shards (shard sizes {sizes})."
            )
        problem = diagnose(
            got, expected, what="your combined gradient", n=sum(sizes), factor_two=None
        )
        return f"{problem} (shard sizes {sizes})"
    return None
