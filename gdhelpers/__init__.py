"""gdhelpers: the small, tested helper package of the course.

Notebooks use it as ``import gdhelpers as gd``. Each module holds one idea:
data sets, losses and gradients, stability bounds, training loops for what earlier
notebooks taught, plots, reproducibility, the closed-form solution, exercise checks.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each public name and the module that defines it. The modules are imported on first use
# (PEP 562), so `import gdhelpers` costs little on top of `import torch, numpy`: pyplot,
# torch.distributed and multiprocessing load only when a notebook needs them (make bench
# reports the cost).
_MODULE_OF = {
    "lstsq_fit": "closed_form",
    **dict.fromkeys(
        (
            "CROPS_FEATURES",
            "CROPS_TARGETS",
            "RegressionData",
            "crops_data",
            "make_regression",
            "noisy_line",
            "toy_data",
        ),
        "data",
    ),
    **dict.fromkeys(("check", "hint", "solution"), "exercises"),
    **dict.fromkeys(("GradCheck", "gradcheck", "numerical_gradient"), "grads"),
    "History": "history",
    **dict.fromkeys(("linear_predict", "mse", "mse_grad"), "losses"),
    "run_optimizer": "optimizers",
    "data_parallel_gd": "parallel",
    **dict.fromkeys(("plot_fit", "plot_losses"), "plots"),
    **dict.fromkeys(("plot_loss_curve_1d", "plot_loss_surface"), "surfaces"),
    **dict.fromkeys(("describe_device", "seed_everything", "torch_generator"), "repro"),
    **dict.fromkeys(
        ("lr_stability_bound", "per_sample_stability_bounds", "sgd_stability_bound"),
        "stability",
    ),
    "fit_linear": "train",
    "check_versions": "versions",
}


# Submodules reachable as attributes without an import: gd.parallel holds the process
# plumbing (launch, free_port, WorkerError) that notebook 08 explains but does not call.
_SUBMODULES = ("parallel",)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'gdhelpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))


# The hand-picked public names are the keys of the table above, grouped by module.
__all__ = list(_MODULE_OF)
