"""The record of a training run: :class:`History`, what :func:`gdhelpers.fit_linear` returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ._validate import check_real

__all__ = ["History"]


@dataclass
class History:
    """Everything recorded by :func:`~gdhelpers.fit_linear` (``k`` outputs, ``d`` features).

    Attributes
    ----------
    method : str
        ``"batch"``, ``"stochastic"`` (batch size 1) or ``"minibatch"``.
    lr : float
        The learning rate.
    batch_size : int
        Samples per step (``n_samples`` for full batch).
    epoch_loss : ndarray of shape (epochs + 1,)
        Full-data MSE before each epoch and after the last one (for a run stopped by
        ``on_divergence="stop"``, the last entry is the loss where it stopped).
    step_loss : ndarray of shape (n_steps,)
        MSE of the batch used at each step, before that step.
    weights : ndarray of shape (n_steps + 1, k, d)
        Weights before the first step and after every step.
    biases : ndarray of shape (n_steps + 1, k)
        Biases before the first step and after every step.
    grad_evals : ndarray of shape (n_steps + 1,)
        Cumulative number of per-sample gradient evaluations (the cost of the run).
    diverged : bool
        True when a loss became NaN/inf or the final loss exceeds the initial one.
    stability_bound : float
        :func:`~gdhelpers.lr_stability_bound` (batch, mini-batch) or
        :func:`~gdhelpers.sgd_stability_bound` (stochastic) of the inputs; computed on first
        use, so that a run that never looks at it does not pay for it.
    loss : ndarray of shape (n_steps + 1,) or None
        Full-data MSE at every parameter state (None with ``track_full_loss=False``).
    epoch_steps : ndarray of shape (len(epoch_loss),)
        Step index of each ``epoch_loss`` entry (``grad_evals[epoch_steps]`` is its cost).
    """

    method: str
    lr: float
    batch_size: int
    epoch_loss: np.ndarray
    step_loss: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    grad_evals: np.ndarray
    diverged: bool
    loss: np.ndarray | None = None
    epoch_steps: np.ndarray | None = None
    bound_fn: Callable[[], float] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def stability_bound(self) -> float:
        """The stability bound of the inputs (see the class docstring)."""
        if self.bound_fn is None:
            raise ValueError(
                "History.stability_bound needs bound_fn; got a History made without one. "
                "Use the History that gd.fit_linear returns."
            )
        return self.bound_fn()

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
        """Full-data MSE after the last step."""
        return float(self.epoch_loss[-1])

    @property
    def n_steps(self) -> int:
        """Number of gradient steps taken."""
        return len(self.step_loss)

    def steps_to(self, tol: float) -> int | None:
        """First step after which the full-data loss is <= ``tol`` (0: already at the start).

        Returns None when the run never gets there. Needs ``track_full_loss=True``. ``tol``
        is a finite number (a NaN tolerance would silently give None).
        """
        if self.loss is None:
            raise ValueError(
                "steps_to needs the full-data loss after every step; got a History recorded "
                "with track_full_loss=False instead. Fit again with track_full_loss=True."
            )
        tol = check_real(tol, "tol", example="1e-3")
        hits = np.flatnonzero(self.loss <= tol)
        return int(hits[0]) if hits.size else None
