"""Shared input checks of the package (private).

Every public helper validates its inputs with these functions, so that a learner sees one
kind of message everywhere: ``"X must be ...; got ... instead. <how to fix>"``.

Dtype policy (the same in every module):

* floating point arrays (float16/32/64) are used as they are (float16 becomes float32);
* integer arrays are converted to float64 (NumPy) or to torch's default float dtype (torch),
  because ``np.array([1, 2, 3])`` is such a common way to write data;
* booleans, complex numbers, strings and other objects raise :class:`TypeError`;
* ``torch.Tensor`` inputs to NumPy-only helpers are detached and converted with ``.numpy()``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

BACKENDS = ("numpy", "torch")


def is_torch(x: Any) -> bool:
    """True when ``x`` is a ``torch.Tensor``."""
    return isinstance(x, torch.Tensor)


def _describe(x: Any) -> str:
    if is_torch(x):
        return f"a torch tensor of dtype {x.dtype}"
    if isinstance(x, np.ndarray):
        return f"an array of dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:80]


def as_float_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a floating point NumPy array (see the module's dtype policy)."""
    if is_torch(x):
        x = x.detach().cpu()
        x = (x.float() if x.dtype == torch.bfloat16 else x).numpy()  # NumPy has no bfloat16
    if isinstance(x, str | bytes):
        raise TypeError(
            f"{name} must be an array of numbers; got the string {x!r} instead. "
            "Pass a NumPy array or a torch tensor."
        )
    try:
        arr = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got {type(x).__name__} that NumPy "
            f"cannot turn into an array ({err}) instead. Make every row the same length."
        ) from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32) if arr.dtype == np.float16 else arr
    if kind in "iu":
        return arr.astype(np.float64)
    hint = {
        "b": "Convert booleans explicitly, e.g. x.astype(np.float32).",
        "c": "Complex numbers are not supported; use the real part (x.real) if that is meant.",
    }.get(kind, "Pass a NumPy array or a torch tensor of floats, e.g. np.asarray(x, dtype=float).")
    raise TypeError(f"{name} must hold real numbers; got {_describe(arr)} instead. {hint}")


def as_float_tensor(x: Any, name: str, *, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Return ``x`` as a floating point tensor (autograd kept when ``x`` already is one)."""
    if is_torch(x):
        if x.is_floating_point():
            return x if dtype is None else x.to(dtype)
        if x.dtype == torch.bool or x.is_complex():
            raise TypeError(
                f"{name} must hold real numbers; got {_describe(x)} instead. "
                "Convert it with x.float()."
            )
        return x.to(dtype or torch.get_default_dtype())
    arr = as_float_array(x, name)
    return torch.as_tensor(arr, dtype=dtype)


def check_finite(x: np.ndarray | torch.Tensor, name: str) -> None:
    """Raise ValueError when ``x`` holds NaN or infinity."""
    if is_torch(x):
        finite = bool(torch.isfinite(x).all())
    else:
        finite = _all_finite(x)
    if not finite:
        raise ValueError(
            f"{name} must hold finite numbers; got NaN or infinity instead. "
            f"Find the bad entries with np.argwhere(~np.isfinite({name})) and fix or drop them."
        )


def _all_finite(x: np.ndarray) -> bool:
    """Whether every entry of ``x`` is finite, in one pass without a temporary array.

    The sum of squares ``x . x`` is finite exactly when every entry is (a NaN or an infinity
    makes it NaN or infinite: squares are never negative, so nothing cancels), unless finite
    entries overflow it (beyond ~1e19 in float32, ~1e154 in float64): then the exact test
    decides. ``np.isfinite(x).all()`` would allocate a boolean array of x's size on every call
    (a training run checks its data once: make bench, fit_linear vs the loop by hand).
    """
    if x.dtype in (np.float32, np.float64) and x.flags.c_contiguous and x.size:
        flat = x.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if math.isfinite(np.dot(flat, flat)):
                return True
    return bool(np.isfinite(x).all())


def check_not_empty(x: np.ndarray | torch.Tensor, name: str) -> None:
    """Raise ValueError when ``x`` has no sample (first dimension 0) or no element."""
    if x.ndim == 0:
        return
    if x.shape[0] == 0 or math.prod(x.shape) == 0:
        raise ValueError(
            f"{name} must hold at least one sample; got shape {tuple(x.shape)} instead. "
            "Check how the data were loaded or sliced."
        )


def as_2d(
    x: Any, name: str, *, allow_1d: bool = False, finite: bool = True, what: str = "n_features"
) -> np.ndarray:
    """Float array of shape ``(n_samples, what)``; 1-D input is a column when ``allow_1d``."""
    arr = as_float_array(x, name)
    if arr.ndim == 1 and allow_1d:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        fix = {
            0: "Pass one row per sample, e.g. np.array([[value]]).",
            1: f"Use {name}.reshape(-1, 1) for a single column.",
        }.get(arr.ndim, f"Flatten the extra dimensions, e.g. {name}.reshape(len({name}), -1).")
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, {what}); got shape "
            f"{arr.shape} instead. {fix}"
        )
    check_not_empty(arr, name)
    if finite:
        check_finite(arr, name)
    return arr


def check_same_n(a: Any, b: Any, name_a: str, name_b: str) -> None:
    """Raise ValueError when ``a`` and ``b`` do not have the same number of samples."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of samples (rows); got "
            f"{a.shape[0]} and {b.shape[0]} instead. Each row of {name_a} needs one row of "
            f"{name_b}."
        )


def check_positive(
    value: Any, name: str, *, allow_zero: bool = False, example: str = "0.01"
) -> float:
    """Return ``value`` as a float after checking it is a finite number > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number; got {_describe(value)} instead. Pass a plain "
            f"number such as {name}={example} (take it out of a tensor with .item())."
        )
    value = float(value)
    bad = value < 0 if allow_zero else value <= 0
    if not math.isfinite(value) or bad:
        sign = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{name} must be a finite number {sign}; got {value} instead. "
            f"Typical values are small positive numbers such as {example}."
        )
    return value


def check_real(value: Any, name: str, *, example: str = "1.0") -> float:
    """Return ``value`` as a float after checking it is a finite real number (of any sign)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number; got {_describe(value)} instead. Pass a plain "
            f"number such as {name}={example} (take it out of a tensor with .item())."
        )
    if not math.isfinite(value):
        raise ValueError(
            f"{name} must be a finite number; got {float(value)} instead. "
            f"Pass a number such as {name}={example}."
        )
    return float(value)


def check_callable(value: Any, name: str, *, example: str) -> Any:
    """Return ``value`` after checking it can be called (a function, not its result)."""
    if not callable(value):
        raise TypeError(
            f"{name} must be a function; got {_describe(value)} instead. Pass the function "
            f"itself, without calling it, e.g. {example}."
        )
    return value


# Arrays and records the package allocates: beyond this they would not fit a learner's laptop.
MAX_BYTES = 2 * 1024**3


def check_fits_in_memory(n_bytes: int, name: str, what: str, fix: str) -> None:
    """Raise ValueError, before allocating, when ``n_bytes`` exceed :data:`MAX_BYTES`.

    ``name`` is the argument that sets the size, ``what`` what is allocated (with the values
    that make it that large), ``fix`` how to get a smaller one.
    """
    if n_bytes > MAX_BYTES:
        raise ValueError(
            f"{name} must be small enough for {what} to fit in memory; got "
            f"{n_bytes / 1024**3:,.1f} GiB (the limit is {MAX_BYTES / 1024**3:.0f} GiB) "
            f"instead. {fix}"
        )


# Seeds: NumPy's legacy np.random.seed takes 0 .. 2**32 - 1; every seed of the package does.
MAX_SEED = 2**32 - 1
# Worker processes: each is a Python process with its own torch; more than this is a mistake.
MAX_WORLD_SIZE = 32
# Threads of torch and BLAS: far more than any CPU has cores (torch takes a C int, and every
# thread of the pool is started).
MAX_THREADS = 1024


def check_int(
    value: Any, name: str, *, minimum: int = 1, maximum: int | None = None, why: str = ""
) -> int:
    """Return ``value`` as an int after checking ``minimum <= value (<= maximum)``.

    ``why`` explains the maximum in the error message. Nothing else is done before the check,
    so a bad value never leaves a half-done side effect (a half-seeded run).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer; got {_describe(value)} instead. Pass a whole number "
            f"such as {name}={max(minimum, 1)} (convert with int(...))."
        )
    if value < minimum:
        raise ValueError(
            f"{name} must be an integer >= {minimum}; got {value} instead. Pass {minimum} or more."
        )
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{name} must be an integer between {minimum} and {maximum}; got {value} instead. "
            f"{why}".rstrip()
        )
    return int(value)


def check_seed(value: Any, name: str = "seed") -> int:
    """A random seed: an integer from 0 to 2**32 - 1."""
    return check_int(
        value,
        name,
        minimum=0,
        maximum=MAX_SEED,
        why="Seeds above 2**32 - 1 are not accepted "
        "by NumPy; any number in the range works, e.g. seed=0.",
    )


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` after checking it is True or False (a string "False" is not)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{name} must be True or False; got {_describe(value)} instead. Write "
            f"{name}=True or {name}=False, without quotes."
        )
    return bool(value)


def initial_params(
    value: Any, shape: tuple[int, ...], name: str, *, dtype: Any, reshape: bool = False
) -> np.ndarray:
    """The start value of a weight or bias, checked the same way by every training loop.

    None gives zeros; a number fills ``shape``; an array must have exactly ``shape`` (with
    ``reshape=True``, any array with as many entries is reshaped to it). Non-finite entries
    raise ValueError here, else the first step would be reported as a divergence.
    """
    if value is None:
        return np.zeros(shape, dtype=dtype)
    arr = as_float_array(value, name)
    if arr.ndim == 0:
        arr = np.full(shape, arr)
    elif reshape and arr.size == math.prod(shape):
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ValueError(
            f"{name} must be a number or an array of shape {shape}; got shape {arr.shape} "
            "instead. Weights have shape (n_outputs, n_features), biases (n_outputs,)."
        )
    check_finite(arr, name)
    return np.ascontiguousarray(arr, dtype=dtype)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        options = " or ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be {options}; got {value!r} instead. Pick one of these.")
    return value


def to_backend(arr: np.ndarray, backend: str) -> np.ndarray | torch.Tensor:
    """Return ``arr`` as a NumPy array or a torch tensor (sharing memory when possible)."""
    check_choice(backend, "backend", BACKENDS)
    return torch.from_numpy(np.ascontiguousarray(arr)) if backend == "torch" else arr
