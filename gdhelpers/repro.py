"""Reproducibility: one call seeds every random source and pins the thread counts.

Printed numbers of the notebooks must not depend on ``OMP_NUM_THREADS`` or on the number of
cores: a matrix product summed by 4 threads rounds differently from one summed by 1 thread.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from ._validate import check_int

__all__ = ["seed_everything", "torch_generator"]

# The limiter must stay alive: the BLAS limits last as long as this object is not restored.
_BLAS_LIMITER: threadpool_limits | None = None


def seed_everything(seed: int = 0, *, threads: int = 1) -> np.random.Generator:
    """Seed ``random``, NumPy and torch, and pin torch and BLAS to ``threads`` threads.

    Sets ``random.seed``, ``np.random.seed`` and ``torch.manual_seed`` to ``seed``, calls
    ``torch.set_num_threads(threads)`` and ``torch.use_deterministic_algorithms(True)``, and
    limits NumPy's BLAS with ``threadpoolctl.threadpool_limits(threads)``.

    Parameters
    ----------
    seed : int
        The seed (>= 0).
    threads : int
        Number of threads of torch and BLAS (>= 1); keep 1 for recorded outputs.

    Returns
    -------
    numpy.random.Generator
        ``np.random.default_rng(seed)``, the generator new NumPy code should use.

    Examples
    --------
    >>> rng = seed_everything(0)
    >>> round(float(rng.standard_normal()), 4), torch.get_num_threads()
    (0.1257, 1)
    """
    global _BLAS_LIMITER
    seed = check_int(seed, "seed", minimum=0)
    threads = check_int(threads, "threads")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- seeds legacy code that uses the global state
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    if _BLAS_LIMITER is not None:
        _BLAS_LIMITER.restore_original_limits()
    _BLAS_LIMITER = threadpool_limits(limits=threads)
    return np.random.default_rng(seed)


def torch_generator(seed: int = 0) -> torch.Generator:
    """A torch random generator of its own, seeded with ``seed``.

    Pass it as ``generator=`` (``torch.randn``, ``DataLoader``) so that one random source
    does not shift the numbers of another.

    Parameters
    ----------
    seed : int
        The seed (>= 0).

    Returns
    -------
    torch.Generator

    Examples
    --------
    >>> a = torch.randn(2, generator=torch_generator(3))
    >>> b = torch.randn(2, generator=torch_generator(3))
    >>> bool(torch.equal(a, b))
    True
    """
    seed = check_int(seed, "seed", minimum=0)
    return torch.Generator().manual_seed(seed)
