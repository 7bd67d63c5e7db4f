"""Exercises of notebook 06: right answers pass, typical mistakes get the right explanation."""

from __future__ import annotations

import numpy as np
import pytest

import gdhelpers as gd


def _verdict(capsys, name, answer):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


# ---------------------------------------------------------------- 06.best_rate


def rate_right(H):
    lam = np.linalg.eigvalsh(H)
    return 2 / (lam[0] + lam[-1])


def rate_unsorted_min_max(H):
    # a different, equally right way: eigvals (unsorted) with min and max
    lam = np.linalg.eigvals(H).real
    return 2 / (lam.min() + lam.max())


def rate_bound(H):
    return 2 / np.linalg.eigvalsh(H)[-1]


def rate_one_over_max(H):
    return 1 / np.linalg.eigvalsh(H)[-1]


def rate_half(H):
    lam = np.linalg.eigvalsh(H)
    return 1 / (lam[0] + lam[-1])


def rate_two_over_min(H):
    return 2 / np.linalg.eigvalsh(H)[0]


def rate_trace(H):
    return 2 / np.trace(H)


def rate_first_two(H):
    lam = np.linalg.eigvalsh(H)
    return 2 / (lam[0] + lam[1])


def rate_diagonal(H):
    d = np.diag(H)
    return 2 / (d.min() + d.max())


def rate_factor(H):
    lam = np.linalg.eigvalsh(H)
    return (lam[-1] - lam[0]) / (lam[-1] + lam[0])


def rate_inverted(H):
    lam = np.linalg.eigvalsh(H)
    return (lam[0] + lam[-1]) / 2


def rate_unpack_two(H):
    smallest, largest = np.linalg.eigvalsh(H)
    return 2 / (smallest + largest)


def rate_eigvals_order(H):
    # relies on the order of np.linalg.eigvals, which does not sort
    lam = np.linalg.eigvals(H).real
    return 2 / (lam[0] + lam[-1])


def rate_eig_order(H):
    lam = np.linalg.eig(H)[0].real
    return 2 / (lam[0] + lam[-1])


def rate_per_eigenvalue(H):
    return 2 / (np.linalg.eigvalsh(H) + np.linalg.eigvalsh(H).max())


def rate_by_search(H):
    """No formula: the lr minimising the worst factor max |1 - lr * lambda|, a convex function
    of lr, found by ternary search between 0 and the stability bound."""
    lam = np.linalg.eigvalsh(H)

    def worst(lr):
        return np.max(np.abs(1 - lr * lam))

    lo, hi = 0.0, 2.0 / lam.max()
    for _ in range(200):
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        lo, hi = (lo, b) if worst(a) < worst(b) else (a, hi)
    return (lo + hi) / 2


def test_the_search_finds_the_best_rate_of_a_hand_example():
    # eigenvalues 1 and 3: factors |1 - lr| and |1 - 3 lr| are equal (1/2) at lr = 1/2
    assert rate_by_search(np.diag([1.0, 3.0])) == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("answer", [rate_right, rate_unsorted_min_max, rate_by_search])
def test_best_rate_right(capsys, answer):
    ok, out = _verdict(capsys, "06.best_rate", answer)
    assert ok and "Correct!" in out


def test_best_rate_off_by_one_part_in_a_thousand_is_not_correct(capsys):
    ok, out = _verdict(capsys, "06.best_rate", lambda H: rate_by_search(H) * (1 + 1e-3))
    assert not ok and "Correct!" not in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (rate_bound, "stability bound 2 / lambda_max"),
        (rate_eigvals_order, "not the smallest and the largest"),
        (rate_eig_order, "does not sort them"),
        (rate_one_over_max, "1 / lambda_max removes the steep part"),
        (rate_half, "half the best one"),
        (rate_two_over_min, "smallest eigenvalue alone"),
        (rate_trace, "ALL the eigenvalues"),
        (rate_first_two, "not the smallest and the largest"),
        (rate_diagonal, "diagonal entries of H"),
        (rate_factor, "worst factor per step"),
        (rate_inverted, "inverse of the best rate"),
        (rate_unpack_two, "has 3 eigenvalues"),
        (rate_per_eigenvalue, "one per eigenvalue"),
        (lambda H: 0.05, "the worst factor max |1 - lr * lambda| is"),
        (lambda H: -0.1, "must be a positive number"),
        (lambda H: None, "forget the `return`"),
        (lambda H: "0.1", "got a string"),
        (lambda H: np.zeros((2, 2)), "got an array of shape (2, 2)"),
    ],
)
def test_best_rate_mistakes(capsys, answer, words):
    ok, out = _verdict(capsys, "06.best_rate", answer)
    assert not ok
    assert words in out
    assert "Traceback" not in out


def test_best_rate_cases_tell_every_mistake_apart():
    """On the first (3x3) case every typical wrong answer differs from the right one and from
    each other, so that each message names the mistake actually made."""
    from gdhelpers.exercises import nb06

    H = nb06._rate_cases()[0]
    values = [nb06._best_rate_reference(H)] + [v for v, _ in nb06._rate_mistakes(H)]
    values = np.array(values)
    close = np.isclose(values[:, None], values[None, :], rtol=1e-3)
    assert close.sum() == len(values)  # only the diagonal


def test_best_rate_bound_message_words():
    """At the bound the steep factor is -1 (a bounce), not convergence; every smaller rate
    converges."""
    from gdhelpers.exercises import nb06

    H = nb06._rate_cases()[0]
    bound_message = nb06._rate_mistakes(H)[0][1]
    assert "Every smaller rate converges" in bound_message
    assert "exactly -1" in bound_message
    assert "largest rate that still converges" not in bound_message


def test_best_rate_cases_catch_unsorted_eigenvalues():
    """Some case has eigenvalues that np.linalg.eigvals returns unsorted, and the answer
    relying on that order is wrong there."""
    from gdhelpers.exercises import nb06

    wrong = [
        not np.isclose(rate_eigvals_order(H), nb06._best_rate_reference(H))
        for H in nb06._rate_cases()
    ]
    assert any(wrong)


def test_best_rate_messages_are_true():
    """The numbers the messages rely on: the bound's steep factor is -1, 1/lambda_min makes the
    steep factor < -1 on every case where it is a mistake, and the right rate balances the two."""
    from gdhelpers.exercises import nb06

    for H in nb06._rate_cases():
        lam = np.linalg.eigvalsh(H)
        lr = nb06._best_rate_reference(H)
        assert np.isclose(1 - lr * lam[0], -(1 - lr * lam[-1]))
        assert np.isclose(1 - 2 / lam[-1] * lam[-1], -1)
        if not np.isclose(1 / lam[0], lr):
            assert 1 - lam[-1] / lam[0] < -1


# ---------------------------------------------------------------- 06.momentum_step


def momentum_right(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return param - lr * velocity, velocity


def momentum_inplace(param, velocity, grad, lr, beta):
    velocity *= beta
    velocity += grad
    param -= lr * velocity
    return param, velocity


def momentum_damped(param, velocity, grad, lr, beta):
    velocity = beta * velocity + (1 - beta) * grad
    return param - lr * velocity, velocity


def momentum_old_velocity(param, velocity, grad, lr, beta):
    new_velocity = beta * velocity + grad
    return param - lr * velocity, new_velocity


def momentum_uphill(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return param + lr * velocity, velocity


def momentum_param_only(param, velocity, grad, lr, beta):
    return param - lr * (beta * velocity + grad)


def momentum_swapped(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return velocity, param - lr * velocity


def momentum_no_memory(param, velocity, grad, lr, beta):
    return param - lr * grad, grad


def momentum_lr_inside(param, velocity, grad, lr, beta):
    # the other convention: lr inside the velocity
    velocity = beta * velocity + lr * grad
    return param - velocity, velocity


def momentum_velocity_shape(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return param - lr * velocity, velocity.ravel()[:1]


def momentum_velocity_scalar(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return param - lr * velocity, float(velocity.sum())


def momentum_param_shape(param, velocity, grad, lr, beta):
    velocity = beta * velocity + grad
    return np.append(param - lr * velocity, 0.0), velocity


def momentum_velocity_text(param, velocity, grad, lr, beta):
    return param - lr * (beta * velocity + grad), "velocity"


def momentum_by_torch(param, velocity, grad, lr, beta):
    """No formula: one step of torch.optim.SGD(momentum=beta) from this velocity."""
    import torch

    p = torch.tensor(param, dtype=torch.float64)
    opt = torch.optim.SGD([p], lr=lr, momentum=beta)
    opt.state[p]["momentum_buffer"] = torch.tensor(velocity, dtype=torch.float64)
    p.grad = torch.tensor(grad, dtype=torch.float64)
    opt.step()
    return p.detach().numpy(), opt.state[p]["momentum_buffer"].numpy()


@pytest.mark.parametrize("answer", [momentum_right, momentum_inplace, momentum_by_torch])
def test_momentum_right(capsys, answer):
    ok, out = _verdict(capsys, "06.momentum_step", answer)
    assert ok and "Correct!" in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (momentum_damped, "(1 - beta) * grad"),
        (momentum_old_velocity, "OLD velocity"),
        (momentum_uphill, "moves UP the slope"),
        (momentum_param_only, "return two things"),
        (momentum_swapped, "you returned (new_velocity, new_param)"),
        (momentum_no_memory, "your new velocity"),
        (momentum_lr_inside, "you put lr inside the velocity"),
        (momentum_velocity_shape, "your new velocity has shape (1,) but should have shape (2,)"),
        (momentum_velocity_scalar, "your new velocity has shape () but should have shape (2,)"),
        (momentum_param_shape, "your new parameter has shape (3,) but should have shape (2,)"),
        (momentum_velocity_text, "your new velocity should be a number"),
    ],
)
def test_momentum_mistakes(capsys, answer, words):
    ok, out = _verdict(capsys, "06.momentum_step", answer)
    assert not ok
    assert words in out
    assert "your code raised" not in out  # the checker explains; it does not crash on them


# ---------------------------------------------------------------- both


def test_not_callable_message(capsys):
    _, out = _verdict(capsys, "06.best_rate", 0.12)
    assert "should be a function best_rate(H)" in out


def test_reference_solutions_pass(capsys):
    from gdhelpers.exercises import nb06

    assert gd.check("06.best_rate", nb06._best_rate_reference)
    assert gd.check("06.momentum_step", nb06._momentum_step_reference)


def test_rate_as_tensor_is_accepted(capsys):
    import torch

    ok, out = _verdict(capsys, "06.best_rate", lambda H: torch.tensor(rate_right(H)))
    assert ok, out


def test_momentum_other_mistakes(capsys):
    def double_step(param, velocity, grad, lr, beta):
        velocity = beta * velocity + grad
        return param - 2 * lr * velocity, velocity

    def param_text(param, velocity, grad, lr, beta):
        return "param", beta * velocity + grad

    ok, out = _verdict(capsys, "06.momentum_step", double_step)
    assert not ok and "your new parameter" in out
    ok, out = _verdict(capsys, "06.momentum_step", param_text)
    assert not ok and "your new parameter should be a number" in out
