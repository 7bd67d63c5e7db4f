"""Bad-input matrix (issue 17 item 14), in the style of scikit-learn's common checks.

Every callable name of ``gd.__all__`` gets the same families of bad input, one argument at a
time, starting from a valid call: wrong shapes, mismatched lengths, NaN/inf, empty, 0-d, bool,
complex, float16, strings, requires_grad tensors, non-positive and NaN numbers, huge integers.
Each call must either give its documented result (the table says which, and why) or raise
TypeError/ValueError whose message names the argument in the course's style
(``"X must be ...; got ... instead. <fix>"``), raised by gdhelpers itself: no raw NumPy, torch,
matplotlib or Python error may reach the learner.

The table (:data:`SPECS`) lists, for each function, a valid call with keyword arguments and the
kind of each argument; the families of a kind are in :data:`FAMILIES`. Functions that start
worker processes are checked with process creation disabled: a call that passes validation
stops at the first ``multiprocessing.get_context`` with :class:`_WouldStartProcesses`.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import random
import re
import signal
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import gdhelpers as gd
from gdhelpers import processes, repro
from tests import process_workers

GDHELPERS = Path(gd.__file__).resolve().parent
NAN, INF = float("nan"), float("inf")


# ----------------------------------------------------------------------------- the families


def _floats(v: Any) -> np.ndarray:
    return np.array(v, dtype=np.float32 if getattr(v, "dtype", None) == np.float32 else float)


def _with(v: Any, value: float) -> np.ndarray:
    a = _floats(v)
    a.flat[0] = value
    return a


def _three_d(v: Any) -> np.ndarray:
    a = _floats(v)
    return a.reshape(a.shape + (1,) * (3 - a.ndim)) if a.ndim < 3 else a[..., None]


def _requires_grad(v: Any) -> torch.Tensor:
    return torch.tensor(_floats(v), requires_grad=True)


# family -> value built from the valid value of the argument
ARRAY = {
    "3-D": _three_d,
    "short": lambda v: _floats(v)[:-1],  # one sample fewer than its partner (pairs only)
    "nan": lambda v: _with(v, NAN),
    "inf": lambda v: _with(v, INF),
    "empty": lambda v: _floats(v)[:0] if np.ndim(v) else np.empty(0),
    "0-d": lambda v: np.array(_floats(v).flat[0]),
    "bool": lambda v: _floats(v).astype(bool),
    "complex": lambda v: _floats(v).astype(complex),
    "float16": lambda v: _floats(v).astype(np.float16),
    "string": lambda v: "1.0",
    "strings": lambda v: ["a", "b"],
    "requires_grad": _requires_grad,
}
NUMBER = {
    "zero": lambda v: 0.0,
    "negative": lambda v: -1.0,
    "nan": lambda v: NAN,
    "inf": lambda v: INF,
    "string": lambda v: str(v),
    "complex": lambda v: 1j,
    "bool": lambda v: True,
    "none": lambda v: None,
    "requires_grad": lambda v: torch.tensor(float(v), requires_grad=True),
}
INT = {
    "huge": lambda v: 2**64,
    "negative": lambda v: -1,
    "zero": lambda v: 0,
    "float": lambda v: 1.5,
    "nan": lambda v: NAN,
    "string": lambda v: str(v),
    "bool": lambda v: True,
    "0-d": lambda v: np.array(v),
}
BOOL = {
    "string": lambda v: str(v),  # "False" is a true string
    "int": lambda v: int(v),
    "none": lambda v: None,
    "array": lambda v: np.array([v]),
}
CHOICE = {
    "unknown": lambda v: "nope",
    "none": lambda v: None,
    "strings": lambda v: [v],
    "int": lambda v: 3,
}
CALLABLE = {"string": lambda v: "f", "none": lambda v: None, "number": lambda v: 3}
OBJECT = {"string": lambda v: "abc", "array": lambda v: np.ones(2)}
# a host name: other types only (a wrong name would ask the DNS, slow on some machines)
HOST = {"none": lambda v: None, "number": lambda v: 127, "bytes": lambda v: v.encode()}
# label -> array arguments (runs of plot_losses, paths of plot_loss_surface): each array
# family in one entry, plus two of their own
MAPPING = {
    **{f: (lambda fam: lambda v: {k: ARRAY[fam](a) for k, a in v.items()})(f) for f in ARRAY},
    "not-a-dict": lambda v: list(v.values()),
    "empty-dict": lambda v: {},
}
# anything a learner may pass as an answer to gd.check: every array family
ANSWER = {f: (lambda fam: lambda v: ARRAY[fam](np.array([1.0, 2.0])))(f) for f in ARRAY}
FAMILIES = {
    "array": ARRAY,
    "answer": ANSWER,
    "number": NUMBER,
    "int": INT,
    "bool": BOOL,
    "choice": CHOICE,
    "callable": CALLABLE,
    "object": OBJECT,
    "host": HOST,
    "mapping": MAPPING,
}
# families that are not bad input under the dtype policy of gdhelpers._validate: float16 is
# used as float32, tensors are detached (NumPy helpers) or keep autograd (torch helpers)
ACCEPTED_EVERYWHERE = {("array", "float16"), ("array", "requires_grad")}
ACCEPTED_EVERYWHERE |= {("mapping", "float16"), ("mapping", "requires_grad")}


# ----------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Spec:
    """One public callable: a valid call and the kind of each argument.

    ``kinds`` maps argument -> kind (a key of FAMILIES); ``pairs`` are arrays that must have
    the same number of samples (they get the family "short"); ``accepts`` maps
    ``(argument, family)`` to where that result is documented; ``errors`` adds documented
    exception types to TypeError/ValueError; ``says`` is how a message names an argument
    when it is not by its own name; ``unchecked`` are parameters left out, with the reason.
    """

    name: str
    call: Callable[..., Any]
    valid: dict[str, Any]
    kinds: dict[str, str]
    pairs: tuple[str, ...] = ()
    accepts: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: tuple[type[Exception], ...] = ()
    says: dict[str, str] = field(default_factory=dict)
    extra: tuple[tuple[str, str, Any], ...] = ()  # (argument, family, value): raise
    xfail: dict[tuple[str, str], str] = field(default_factory=dict)
    unchecked: dict[str, str] = field(default_factory=dict)


def _acc(args: str, families: str, why: str) -> dict[tuple[str, str], str]:
    return {(a, f): why for a in args.split() for f in families.split()}


def _history() -> gd.History:
    return gd.fit_linear([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], lr=0.04, epochs=5)


def _optimizer_run() -> gd.History:
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    return gd.run_optimizer(X, 2 * X, lr=0.01, steps=5, dtype=torch.float64)


X42 = np.array([[1.0, 0.5], [2.0, -1.0], [3.0, 0.0], [4.0, 2.0]])
Y41 = np.array([[2.0], [1.0], [4.0], [3.0]])
W12, B1 = np.array([[0.5, -0.5]]), np.array([0.1])
X1D, Y1D = np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2.1, 3.9, 6.2, 8.0, 9.9])
NONFINITE = "nan inf"


FREE_TEXT = "a label or title: matplotlib shows any object as its str()"


def _ok_check(name: str, answer: Any) -> bool:
    with contextlib.redirect_stdout(io.StringIO()):
        return gd.check(name, answer)


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(**kw: Any) -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return fn(**kw)

    return call


SPECS = [
    # ---------------------------------------------------------------- data
    Spec("toy_data", gd.toy_data, {"backend": "numpy", "column": False},
         {"backend": "choice", "column": "bool"}),
    Spec("crops_data", gd.crops_data, {"backend": "numpy"}, {"backend": "choice"}),
    Spec("noisy_line", gd.noisy_line, {"seed": 0, "noise": 0.4, "backend": "numpy"},
         {"seed": "int", "noise": "number", "backend": "choice"},
         accepts={**_acc("seed", "zero", "seed >= 0"), **_acc("noise", "zero", "noise >= 0")}),
    Spec("make_regression", gd.make_regression,
         {"n_samples": 20, "n_features": 2, "n_outputs": 1, "noise": 0.1, "seed": 0,
          "backend": "numpy"},
         {"n_samples": "int", "n_features": "int", "n_outputs": "int", "noise": "number",
          "seed": "int", "backend": "choice"},
         accepts={**_acc("seed", "zero", "seed >= 0"), **_acc("noise", "zero", "noise >= 0")}),
    # ---------------------------------------------------------------- losses
    Spec("mse", gd.mse, {"y_pred": Y41[:, 0], "y": X42[:, 0]},
         {"y_pred": "array", "y": "array"}, pairs=("y_pred", "y"),
         accepts=_acc("y_pred y", NONFINITE, "mse: NaN and infinity propagate")),
    Spec("linear_predict", gd.linear_predict, {"X": X42, "weight": W12, "bias": B1},
         {"X": "array", "weight": "array", "bias": "array"},
         accepts={**_acc("X weight bias", NONFINITE, "linear_predict: NaN and inf propagate"),
                  **_acc("X", "empty", "linear_predict: (0, n_outputs) for no samples")},
         extra=(("weight", "wide", np.zeros((1, 3))), ("bias", "wide", np.zeros(2)))),
    Spec("mse_grad", gd.mse_grad, {"X": X42, "Y": Y41, "weight": W12, "bias": B1},
         {"X": "array", "Y": "array", "weight": "array", "bias": "array"}, pairs=("X", "Y"),
         extra=(("weight", "wide", np.zeros((1, 3))), ("Y", "wide", np.zeros((4, 2))))),
    # ---------------------------------------------------------------- grads
    Spec("numerical_gradient", gd.numerical_gradient,
         {"f": lambda v: np.sum(v**2), "x": np.array([1.0, -2.0]), "eps": 1e-6},
         {"f": "callable", "x": "array", "eps": "number"},
         accepts=_acc("x", "3-D empty 0-d", "numerical_gradient: x of any shape")),
    Spec("gradcheck", gd.gradcheck,
         {"f": lambda v: np.sum(v**2), "grad_f": lambda v: 2 * v, "x": np.array([1.0, -2.0]),
          "eps": 1e-6, "tol": 1e-5},
         {"f": "callable", "grad_f": "callable", "x": "array", "eps": "number", "tol": "number"},
         accepts=_acc("x", "3-D 0-d", "gradcheck: x of any shape, at least one entry")),
    # ---------------------------------------------------------------- stability, closed form
    *(
        Spec(name, getattr(gd, name), {"X": X42, "bias": True, "n_outputs": 1},
             {"X": "array", "bias": "bool", "n_outputs": "int"},
             accepts=_acc("n_outputs", "huge", "the bound scales with n_outputs"))
        for name in ("lr_stability_bound", "per_sample_stability_bounds", "sgd_stability_bound")
    ),
    Spec("lstsq_fit", gd.lstsq_fit, {"X": X42, "Y": Y41, "bias": True},
         {"X": "array", "Y": "array", "bias": "bool"}, pairs=("X", "Y")),
    # ---------------------------------------------------------------- training
    Spec("fit_linear", gd.fit_linear,
         {"X": X42, "Y": Y41, "lr": 0.01, "epochs": 2, "batch_size": 2, "shuffle": True,
          "seed": 0, "weight0": W12, "bias0": B1, "bias": True, "backend": "numpy",
          "on_divergence": "raise", "track_full_loss": True, "record_every": 2},
         {"X": "array", "Y": "array", "lr": "number", "epochs": "int", "batch_size": "int",
          "shuffle": "bool", "seed": "int", "weight0": "array", "bias0": "array",
          "bias": "bool", "backend": "choice", "on_divergence": "choice",
          "track_full_loss": "bool", "record_every": "int"},
         pairs=("X", "Y"),
         accepts={**_acc("seed", "zero", "seed >= 0"),
                  **_acc("batch_size", "huge", "batch_size >= n_samples: full batch"),
                  **_acc("record_every", "huge", "record_every > steps: the first and last "
                         "states"),
                  **_acc("weight0 bias0", "0-d", "fit_linear: a number fills the shape")},
         extra=(("weight0", "wide", np.zeros((1, 3))),)),
    Spec("History.steps_to", lambda **kw: _history().steps_to(**kw),
         {"tol": 1.0, "optimum": 0.0}, {"tol": "number", "optimum": "number"},
         accepts={**_acc("tol", "zero negative", "History.steps_to: a loss gap (None if "
                         "never reached)"),
                  **_acc("optimum", "zero", "optimum: the smallest loss, 0 by default")}),
    Spec("run_optimizer", gd.run_optimizer,
         {"X": X42, "Y": Y41, "optimizer": "sgd", "lr": 0.01, "steps": 3, "weight0": W12,
          "bias0": B1, "dtype": torch.float64, "on_divergence": "stop", "momentum": 0.5},
         {"X": "array", "Y": "array", "optimizer": "choice", "lr": "number", "steps": "int",
          "weight0": "array", "bias0": "array", "dtype": "object", "on_divergence": "choice",
          "momentum": "number"},
         pairs=("X", "Y"),
         accepts={**_acc("steps", "zero", "steps >= 0"),
                  **_acc("momentum", "zero", "momentum 0 is plain gradient descent"),
                  **_acc("weight0 bias0", "3-D", "run_optimizer: any array with k*d (k) "
                         "entries is reshaped"),
                  **_acc("weight0 bias0", "0-d", "initial_params: a number fills the shape")},
         extra=(("weight0", "wide", np.zeros((1, 3))), ("optimizer", "callable", 3),
                ("nesterov", "string", "True"), ("betas", "nan", (0.9, NAN)),
                ("weight_decya", "unknown-option", 0.1)),
         unchecked={"label": FREE_TEXT, "options": "**options: momentum is the row's example; "
                    "each option is checked against the optimizer's signature"}),
    Spec("History.steps_to(run_optimizer)", lambda **kw: _optimizer_run().steps_to(**kw),
         {"tol": 1.0, "optimum": 0.0}, {"tol": "number", "optimum": "number"},
         accepts={**_acc("tol", "zero negative", "History.steps_to: a loss gap (None if "
                         "never reached)"),
                  **_acc("optimum", "zero", "optimum: the smallest loss, 0 by default")}),
    # ---------------------------------------------------------------- plots
    Spec("plot_losses", gd.plot_losses,
         {"runs": {"a": np.array([3.0, 2.0, 1.0])}, "ax": None, "log": True, "x": "epoch"},
         {"runs": "mapping", "ax": "object", "log": "bool", "x": "choice"},
         accepts=_acc("runs", NONFINITE, "plot_losses: a diverged run's inf/NaN not drawn"),
         says={"runs": "run"}, unchecked={"title": FREE_TEXT}),
    Spec("plot_fit", gd.plot_fit,
         {"X": X1D, "Y": Y1D, "weight": 2.0, "bias": 0.0, "true_weight": 2.0,
          "true_bias": 0.0, "ax": None},
         {"X": "array", "Y": "array", "weight": "array", "bias": "array",
          "true_weight": "array", "true_bias": "array", "ax": "object"},
         pairs=("X", "Y"),
         accepts=_acc("weight bias true_weight true_bias", "3-D 0-d",
                      "plot_fit: a number or an array with one element"),
         unchecked={"label": FREE_TEXT}),
    Spec("plot_loss_surface", gd.plot_loss_surface,
         {"X": X1D, "Y": Y1D, "w_range": (0.0, 4.0), "b_range": (-2.0, 2.0),
          "paths": {"p": np.array([[0.0, 0.0], [1.0, 1.0]])}, "ax": None, "levels": 5,
          "log": True, "resolution": 12},
         {"X": "array", "Y": "array", "w_range": "array", "b_range": "array",
          "paths": "mapping", "ax": "object", "levels": "int", "log": "bool",
          "resolution": "int"},
         pairs=("X", "Y"),
         accepts={**_acc("paths", NONFINITE, "plot_loss_surface: a diverged path's inf/NaN "
                         "points are not drawn"),
                  **_acc("paths", "empty-dict", "plot_loss_surface: no path drawn")},
         says={"paths": "path"}),
    Spec("plot_loss_curve_1d", gd.plot_loss_curve_1d,
         {"X": X1D, "Y": Y1D, "w_range": (0.0, 4.0), "path": np.array([0.0, 1.2, 1.7]),
          "ax": None},
         {"X": "array", "Y": "array", "w_range": "array", "path": "array", "ax": "object"},
         pairs=("X", "Y"),
         accepts={**_acc("path", NONFINITE, "plot_loss_curve_1d: a diverged path's inf/NaN "
                         "points are not drawn"),
                  **_acc("path", "empty", "plot_loss_curve_1d: no visited w, no points")}),
    # ---------------------------------------------------------------- repro
    Spec("seed_everything", gd.seed_everything, {"seed": 0, "threads": 1},
         {"seed": "int", "threads": "int"}, accepts=_acc("seed", "zero", "seed >= 0")),
    Spec("torch_generator", gd.torch_generator, {"seed": 0}, {"seed": "int"},
         accepts=_acc("seed", "zero", "seed >= 0")),
    Spec("describe_device", gd.describe_device, {}, {}),
    # ---------------------------------------------------------------- processes (none start)
    Spec("free_port", gd.parallel.free_port, {"host": "127.0.0.1"}, {"host": "host"}),
    Spec("launch", gd.parallel.launch,
         {"worker": process_workers._sleeping_worker, "args": (0.0,), "world_size": 2,
          "timeout": 60.0, "backend": "gloo"},
         {"worker": "callable", "args": "object", "world_size": "int", "timeout": "number",
          "backend": "choice"},
         extra=(("args", "too-many", (0.0, 1.0, 2.0)),)),
    Spec("data_parallel_gd", gd.data_parallel_gd,
         {"X": X42, "Y": Y41, "lr": 0.1, "steps": 2, "world_size": 2, "method": "all_reduce",
          "weight0": W12, "bias0": B1, "timeout": 60.0},
         {"X": "array", "Y": "array", "lr": "number", "steps": "int", "world_size": "int",
          "method": "choice", "weight0": "array", "bias0": "array", "timeout": "number"},
         pairs=("X", "Y"), extra=(("weight0", "wide", np.zeros((1, 3))),),
         accepts=_acc("weight0 bias0", "0-d", "initial_params: a number fills the shape")),
    # ---------------------------------------------------------------- exercises, versions
    Spec("check", _ok_check,
         {"name": "01.mse_gradient", "answer": lambda x, y, w: np.mean(2 * x * (w * x - y))},
         {"name": "choice", "answer": "answer"},
         accepts=_acc("answer", " ".join(ANSWER), "check: never raises because of the answer")),
    *(
        Spec(name, _quiet(getattr(gd, name)), {"name": "01.mse_gradient"}, {"name": "choice"})
        for name in ("hint", "solution")
    ),
    Spec("check_versions", gd.check_versions,
         {"packages": ("numpy",), "constraints": None, "verbose": False},
         {"packages": "object", "constraints": "object", "verbose": "bool"},
         errors=(FileNotFoundError,), extra=(("packages", "not-strings", ("numpy", 3)),)),
]  # fmt: skip

# Public names that take no input of their own: constants, result records built by the
# package (their public use is reading attributes; methods with arguments are rows above),
# and an exception class.
NOT_CALLED = {
    "CROPS_FEATURES": "a constant tuple",
    "CROPS_TARGETS": "a constant tuple",
    "RegressionData": "result of make_regression; no method",
    "GradCheck": "result of gradcheck; no method",
    "History": "result of fit_linear, run_optimizer and data_parallel_gd; its method "
    "steps_to is a row",
    "WorkerError": "an exception class, raised by launch",
}


# ----------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    spec: Spec
    arg: str
    family: str
    value: Callable[[], Any]

    @property
    def expected(self) -> str:
        key = (self.arg, self.family)
        kind = self.spec.kinds.get(self.arg, "")
        if key in self.spec.accepts or (kind, self.family) in ACCEPTED_EVERYWHERE:
            return "result"
        return "error"


def _cases() -> list[Any]:
    cases = []
    for spec in SPECS:
        cases.append(pytest.param(Case(spec, "", "valid", lambda: None), id=f"{spec.name}-valid"))
        for arg, kind in spec.kinds.items():
            for family, make in FAMILIES[kind].items():
                if family == "short" and arg not in spec.pairs:
                    continue
                case = Case(spec, arg, family, (lambda m, v: lambda: m(v))(make, spec.valid[arg]))
                marks = []
                if (arg, family) in spec.xfail:
                    marks = [pytest.mark.xfail(reason=spec.xfail[arg, family], strict=True)]
                cases.append(pytest.param(case, id=f"{spec.name}-{arg}-{family}", marks=marks))
        for arg, family, value in spec.extra:
            case = Case(spec, arg, family, (lambda v: lambda: v)(value))
            cases.append(pytest.param(case, id=f"{spec.name}-{arg}-{family}"))
    return cases


class _WouldStartProcesses(Exception):
    """Raised instead of starting worker processes: the call passed every check."""


class _TooSlow(BaseException):  # not caught by `except Exception` on the way
    """A case ran longer than CASE_SECONDS (an unbounded loop or allocation)."""


CASE_SECONDS = 10


def _too_slow(signum: int, frame: Any) -> None:
    raise _TooSlow(f"the call took more than {CASE_SECONDS} s")


class _NoProcesses:
    def get_context(self, *args: Any, **kwargs: Any) -> Any:
        raise _WouldStartProcesses


@pytest.fixture
def _sandbox(monkeypatch):
    """No worker process can start; figures are closed; global seeding state is restored."""
    monkeypatch.setattr(processes, "mp", _NoProcesses())
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    state = (
        random.getstate(),
        np.random.get_state(),  # noqa: NPY002
        torch.get_rng_state(),
        torch.get_num_threads(),
        torch.are_deterministic_algorithms_enabled(),
    )
    limiter = repro._BLAS_LIMITER
    alarm = hasattr(signal, "SIGALRM")  # not on Windows: no time limit there
    if alarm:
        previous = signal.signal(signal.SIGALRM, _too_slow)
        signal.alarm(CASE_SECONDS)
    try:
        yield
    finally:
        if alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    plt.close("all")
    random.setstate(state[0])
    np.random.set_state(state[1])  # noqa: NPY002
    torch.set_rng_state(state[2])
    torch.set_num_threads(state[3])
    torch.use_deterministic_algorithms(state[4])
    if repro._BLAS_LIMITER is not limiter and limiter is None:
        repro._BLAS_LIMITER.restore_original_limits()
        repro._BLAS_LIMITER = None


def _origin(err: BaseException) -> Path:
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve()


@pytest.mark.parametrize("case", _cases())
def test_bad_input(case: Case, _sandbox) -> None:
    spec = case.spec
    kwargs = dict(spec.valid)
    if case.arg:
        kwargs[case.arg] = case.value()
    if case.arg in ("weight_decya", "betas"):  # options of other optimizers than the row's
        kwargs.pop("momentum")
        kwargs["optimizer"] = "adam" if case.arg == "betas" else "sgd"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a NumPy or matplotlib warning escapes too
            spec.call(**kwargs)
    except _TooSlow as slow:
        pytest.fail(f"{spec.name}({case.arg}=<{case.family}>): {slow}; bound it with a check")
    except _WouldStartProcesses:
        error = None  # passed every check; the processes would start now
    except Exception as err:
        error = err
    else:
        error = None
    where = f"{spec.name}({case.arg}=<{case.family}>)" if case.arg else f"{spec.name}(valid)"
    if case.expected == "result" or not case.arg:
        assert error is None, f"{where} must give its documented result; raised {error!r}"
        return
    assert error is not None, f"{where} was accepted silently: it must raise, naming {case.arg}"
    allowed = (TypeError, ValueError, *spec.errors)
    message = str(error)
    named = spec.says.get(case.arg, case.arg)
    assert isinstance(error, allowed), f"{where} raised {type(error).__name__}: {message}"
    assert GDHELPERS in _origin(error).parents, (
        f"{where}: the error comes from {_origin(error)}, not from gdhelpers: {message}"
    )
    names_it = re.search(rf"(?<![\w.]){re.escape(named)}(?!\w)", message) is not None
    assert names_it and " must " in message and "got" in message, (
        f"{where}: the message must name {named!r} in the course style "
        f"('{named} must be ...; got ... instead.'); got: {message}"
    )


def _public(name):
    return getattr(gd, name) if name in gd.__all__ else getattr(gd.parallel, name)


def test_the_table_covers_every_public_name():
    """Every name of gd.__all__ and of gd.parallel.__all__ (the process plumbing)."""
    public = set(gd.__all__) | set(gd.parallel.__all__)
    called = {spec.name.split(".")[0] for spec in SPECS} - {"History"}
    callable_names = {n for n in public if callable(_public(n))}
    assert called | set(NOT_CALLED) == public
    assert not called & set(NOT_CALLED)
    assert called == callable_names - {n for n in NOT_CALLED if callable(_public(n))}
    wrapped = {
        "check": gd.check,
        "hint": gd.hint,
        "solution": gd.solution,
        "History.steps_to": gd.History.steps_to,
        "History.steps_to(run_optimizer)": gd.History.steps_to,
    }
    for spec in SPECS:  # every parameter is in the table, or left out with a reason
        assert set(spec.kinds) == set(spec.valid), spec.name
        params = inspect.signature(wrapped.get(spec.name, spec.call)).parameters
        params = set(params) - {"self"}
        assert params == (set(spec.kinds) - {"momentum"}) | set(spec.unchecked), spec.name
