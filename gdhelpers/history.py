"""The record of a training run: :class:`History`, what every training loop of the package returns.

:func:`gdhelpers.fit_linear`, :func:`gdhelpers.run_optimizer` and
:func:`gdhelpers.data_parallel_gd` all return a :class:`History`, and every plot takes one.
Each attribute has one meaning and is computed in one place, whichever loop made the record.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ._validate import check_positive, check_real

__all__ = ["History"]


@dataclass(frozen=True, repr=False, eq=False)  # arrays: no field-wise == or hash
class History:
    """Everything recorded by a training run (``k`` outputs, ``d`` features).

    ``n_states`` parameter states are recorded: all ``n_steps + 1`` of them, or, with
    ``fit_linear(..., record_every=r)``, those after ``0, r, 2r, ...`` steps plus the last one
    (``steps`` says which). The record is frozen and its arrays are read-only.

    Attributes
    ----------
    method : str
        Which samples each step uses: ``"batch"`` (all of them: ``run_optimizer`` and
        ``data_parallel_gd`` too), ``"stochastic"`` (one) or ``"minibatch"``.
    label : str
        A short name of the run for legends: ``"GD(lr=0.04, batch_size=4)"`` (fit_linear),
        the optimizer and its options such as ``"SGD(lr=0.05, momentum=0.9)"`` (run_optimizer,
        or its ``label=``), ``"all_reduce(world_size=2)"`` or ``"ddp(world_size=2)"``.
    lr : float
        The learning rate.
    batch_size : int
        Samples per step, over all processes (``n_samples`` for full batch).
    epoch_loss : ndarray of shape (n_epochs + 1,)
        Full-data MSE before the first epoch and after each one (a full-batch step is an
        epoch). For a run stopped by ``on_divergence="stop"``, the last entry is the loss
        where it stopped.
    epoch_steps : ndarray of shape (n_epochs + 1,)
        Steps taken at each ``epoch_loss`` entry.
    epoch_grad_evals : ndarray of shape (n_epochs + 1,)
        Per-sample gradient evaluations at each ``epoch_loss`` entry.
    steps : ndarray of shape (n_states,)
        Steps taken at each recorded state: ``weights[i]`` is the weight after ``steps[i]``
        steps (``0, 1, 2, ...`` unless ``record_every`` was set).
    weights : ndarray of shape (n_states, k, d)
    biases : ndarray of shape (n_states, k)
    grad_evals : ndarray of shape (n_states,)
        Per-sample gradient evaluations at each recorded state, over all processes (the
        cost of the run).
    step_loss : ndarray of shape (n_states - 1,)
        MSE of the batch of the step that led to each recorded state after the first,
        computed before that step (with every state recorded: the batch loss of every step).
    loss : ndarray of shape (n_states,) or None
        Full-data MSE at each recorded state (None with ``track_full_loss=False``).
    diverged : bool
        True when a loss became NaN or infinite, or the final loss exceeds the initial one.
    world_size : int
        Processes that trained (``data_parallel_gd``; 1 otherwise).
    ranks_agree : bool
        True when every process ended every step with the same parameters (always True for
        one process).
    stability_bound : float
        :func:`~gdhelpers.lr_stability_bound` (batch, mini-batch) or
        :func:`~gdhelpers.sgd_stability_bound` (stochastic) of the inputs; computed on first
        use, so that a run that never looks at it does not pay for it.
    """

    method: str
    label: str
    lr: float
    batch_size: int
    epoch_loss: np.ndarray
    epoch_steps: np.ndarray
    epoch_grad_evals: np.ndarray
    steps: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    grad_evals: np.ndarray
    step_loss: np.ndarray
    loss: np.ndarray | None
    diverged: bool
    world_size: int = 1
    ranks_agree: bool = True
    bound_fn: Callable[[], float] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("epoch_loss", "epoch_steps", "epoch_grad_evals", "steps", "weights",
                     "biases", "grad_evals", "step_loss", "loss"):  # fmt: skip
            value = getattr(self, name)
            if value is not None:
                value = np.asarray(value)
                if value.flags.writeable:  # a read-only view: the record cannot change later
                    value = value.view()
                    value.flags.writeable = False
                object.__setattr__(self, name, value)

    @cached_property
    def stability_bound(self) -> float:
        """The stability bound of the inputs (see the class docstring)."""
        if self.bound_fn is None:
            raise ValueError(
                "History.stability_bound needs bound_fn; got a History made without one. "
                "Use the History that a training function (gd.fit_linear) returns."
            )
        return self.bound_fn()

    @property
    def n_steps(self) -> int:
        """Number of gradient steps taken (``steps[-1]``)."""
        return int(self.steps[-1])

    @property
    def final_weight(self) -> np.ndarray:
        """Weights after the last step, shape (k, d)."""
        return self.weights[-1]

    @property
    def final_bias(self) -> np.ndarray:
        """Bias after the last step, shape (k,)."""
        return self.biases[-1]

    @property
    def final_loss(self) -> float:
        """Full-data MSE after the last step (``epoch_loss[-1]``)."""
        return float(self.epoch_loss[-1])

    @property
    def shard_size(self) -> int:
        """Samples each process uses per step (``batch_size // world_size``)."""
        return self.batch_size // self.world_size

    @property
    def path(self) -> np.ndarray:
        """The (w, b) pairs of a one-feature, one-output model, shape (n_states, 2).

        This is the form ``gd.plot_loss_surface(..., paths={label: run.path})`` takes.
        """
        if self.weights.shape[1:] != (1, 1):
            raise ValueError(
                "path needs a model with one feature and one output; got weights of shape "
                f"{self.weights.shape[1:]} instead. Use run.weights and run.biases."
            )
        return np.column_stack([self.weights[:, 0, 0], self.biases[:, 0]])

    def steps_to(self, tol: float, *, optimum: float = 0.0) -> int | None:
        """Steps after which the full-data loss is first within ``tol`` of ``optimum``.

        The first recorded state with ``loss - optimum <= tol`` (0: already at the start);
        None when the run never gets there. With ``record_every=r`` it is the first recorded
        state, at most ``r - 1`` steps after the exact answer.

        Parameters
        ----------
        tol : float
            Tolerance on the loss gap, a finite number (a negative one is never reached).
        optimum : float
            The smallest loss reachable (e.g. the least-squares loss, >= 0); 0 by default.

        Returns
        -------
        int or None
        """
        if self.loss is None:
            raise ValueError(
                "steps_to needs the full-data loss after every step; got a History recorded "
                "with track_full_loss=False instead. Fit again with track_full_loss=True."
            )
        tol = check_real(tol, "tol", example="1e-3")
        optimum = check_positive(optimum, "optimum", allow_zero=True, example="0.5")
        gap = self.loss - optimum
        hits = np.flatnonzero(np.isfinite(gap) & (gap <= tol))
        return int(self.steps[hits[0]]) if hits.size else None

    def __repr__(self) -> str:
        status = "diverged" if self.diverged else f"final loss {self.final_loss:.6g}"
        return f"History({self.label}, {self.method}, {self.n_steps} steps, {status})"


def diverged(initial: float, final: float, nonfinite_seen: bool) -> bool:
    """What ``History.diverged`` means, for every loop: a NaN/inf loss, or worse than the start."""
    return bool(nonfinite_seen or not math.isfinite(final) or final > initial)


def full_batch_history(
    *,
    label: str,
    lr: float,
    n_samples: int,
    loss: np.ndarray,
    weights: np.ndarray,
    biases: np.ndarray,
    bound_fn: Callable[[], float] | None,
    world_size: int = 1,
    ranks_agree: bool = True,
) -> History:
    """The History of a full-batch run recording every state (run_optimizer, data_parallel_gd).

    ``loss[t]`` is the full-data loss after ``t`` steps; one step is one epoch, and the batch
    of a step is all the data, so ``epoch_loss`` is ``loss`` and ``step_loss`` is ``loss[:-1]``.
    """
    loss = np.asarray(loss, dtype=np.float64)
    steps = np.arange(loss.size)
    return History(
        method="batch",
        label=label,
        lr=lr,
        batch_size=n_samples,
        epoch_loss=loss,
        epoch_steps=steps,
        epoch_grad_evals=steps * n_samples,
        steps=steps,
        weights=weights,
        biases=biases,
        grad_evals=steps * n_samples,
        step_loss=loss[:-1],
        loss=loss,
        diverged=diverged(loss[0], loss[-1], not np.all(np.isfinite(loss))),
        world_size=world_size,
        ranks_agree=ranks_agree,
        bound_fn=bound_fn,
    )
