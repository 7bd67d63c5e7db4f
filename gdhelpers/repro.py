"""Reproducibility: one call seeds every random source and pins the thread counts.

Printed numbers of the notebooks must not depend on ``OMP_NUM_THREADS`` or on the number of
cores: a matrix product summed by 4 threads rounds differently from one summed by 1 thread.
:func:`describe_device` says which device torch would compute on here.
"""

from __future__ import annotations

import os
import random
import warnings

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from ._validate import MAX_THREADS, check_int, check_seed

__all__ = ["describe_device", "seed_everything", "torch_generator"]

# The limiter must stay alive: the BLAS limits last as long as this object is not restored.
_BLAS_LIMITER: threadpool_limits | None = None

# Deterministic matrix products on an NVIDIA GPU need cuBLAS to use a fixed workspace: with
# torch.use_deterministic_algorithms(True), torch raises a RuntimeError at the first CUDA matrix
# product unless CUBLAS_WORKSPACE_CONFIG is ":4096:8" (or ":16:8"). cuBLAS reads the variable
# when torch creates its cuBLAS handle, at the first CUDA matrix product of the process, so it
# must be in the environment before that: set it before any CUDA work. On a CPU-only machine
# the variable is read by nobody and changes nothing.
_CUBLAS_VARIABLE = "CUBLAS_WORKSPACE_CONFIG"
_CUBLAS_DETERMINISTIC = ":4096:8"


def _cublas_workspace_for_determinism() -> None:
    """Put ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` in ``os.environ`` unless it is already set.

    Warns when CUDA was started before the variable was set: handles created before it may
    not follow it, so the results are not guaranteed to be deterministic in this process.
    """
    if _CUBLAS_VARIABLE in os.environ:
        return  # the user's own choice (":16:8" is deterministic too)
    os.environ[_CUBLAS_VARIABLE] = _CUBLAS_DETERMINISTIC
    if torch.cuda.is_initialized():
        warnings.warn(
            f"CUDA was already in use when {_CUBLAS_VARIABLE} was set to "
            f"{_CUBLAS_DETERMINISTIC!r}, so GPU matrix products of this process may not be "
            "deterministic. Restart the kernel and call gd.seed_everything() before any GPU "
            "work, or set the variable before starting Python.",
            RuntimeWarning,
            stacklevel=3,
        )


def seed_everything(seed: int = 0, *, threads: int = 1) -> np.random.Generator:
    """Seed ``random``, NumPy and torch, and pin torch and BLAS to ``threads`` threads.

    Sets ``random.seed``, ``np.random.seed`` and ``torch.manual_seed`` to ``seed``, calls
    ``torch.set_num_threads(threads)`` and ``torch.use_deterministic_algorithms(True)``, and
    limits NumPy's BLAS with ``threadpoolctl.threadpool_limits(threads)``. For GPUs it sets the
    environment variable ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` first (unless it is set already),
    which deterministic CUDA matrix products need; call it before any GPU work (it warns when
    CUDA was started before).

    Parameters
    ----------
    seed : int
        The seed (>= 0).
    threads : int
        Number of threads of torch and BLAS (1 to 1024); keep 1 for recorded outputs.

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
    seed = check_seed(seed)
    threads = check_int(
        threads,
        "threads",
        maximum=MAX_THREADS,
        why=f"More threads than CPU cores only slow a run down; this machine has {os.cpu_count()}.",
    )
    _cublas_workspace_for_determinism()  # before anything can start CUDA
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
    seed = check_seed(seed)
    return torch.Generator().manual_seed(seed)


def describe_device() -> str:
    """The device torch computes on here when code picks "cuda if available, else cpu".

    ``"cpu"`` without a usable NVIDIA GPU (or with the CPU build of torch, or with
    ``CUDA_VISIBLE_DEVICES=""``); otherwise the current CUDA device and its name, e.g.
    ``"cuda:0 (NVIDIA GeForce RTX 4070)"``. Naming the GPU starts CUDA, so this sets
    ``CUBLAS_WORKSPACE_CONFIG`` first, as :func:`seed_everything` does.

    Returns
    -------
    str

    Examples
    --------
    >>> name = describe_device()  # "cpu" here, "cuda:0 (NVIDIA ...)" on a GPU machine
    >>> name == "cpu" or name.startswith("cuda:")
    True
    """
    if not torch.cuda.is_available():  # asks the driver; does not start CUDA
        return "cpu"
    _cublas_workspace_for_determinism()
    index = torch.cuda.current_device()
    return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
