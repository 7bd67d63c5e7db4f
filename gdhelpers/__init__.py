"""gdhelpers: the small, tested helper package of the course.

Notebooks use it as ``import gdhelpers as gd``. Each module holds one idea:
data sets, losses and gradients, stability bounds, training loops for what earlier
notebooks taught, plots, reproducibility, the closed-form solution, exercise checks.
"""

from .closed_form import lstsq_fit
from .data import (
    CROPS_FEATURES,
    CROPS_TARGETS,
    RegressionData,
    crops_data,
    make_regression,
    noisy_line,
    toy_data,
)
from .exercises import check, hint, solution
from .grads import GradCheck, gradcheck, numerical_gradient
from .history import History
from .losses import linear_predict, mse, mse_grad
from .optimizers import OptimizerRun, run_optimizer
from .parallel import ParallelRun, data_parallel_gd
from .plots import plot_fit, plot_loss_curve_1d, plot_loss_surface, plot_losses
from .processes import WorkerError, free_port, launch
from .repro import describe_device, seed_everything, torch_generator
from .stability import lr_stability_bound, per_sample_stability_bounds, sgd_stability_bound
from .train import fit_linear
from .versions import check_versions

__all__ = [  # data
    "CROPS_FEATURES",
    "CROPS_TARGETS",
    "RegressionData",
    "crops_data",
    "make_regression",
    "noisy_line",
    "toy_data",
]
__all__ += ["linear_predict", "mse", "mse_grad"]  # losses
__all__ += ["GradCheck", "gradcheck", "numerical_gradient"]  # grads
__all__ += [  # stability
    "lr_stability_bound",
    "per_sample_stability_bounds",
    "sgd_stability_bound",
]
__all__ += ["lstsq_fit"]  # closed_form
__all__ += ["History"]  # history
__all__ += ["fit_linear"]  # train
__all__ += ["plot_fit", "plot_loss_curve_1d", "plot_loss_surface", "plot_losses"]  # plots
__all__ += ["describe_device", "seed_everything", "torch_generator"]  # repro
__all__ += ["OptimizerRun", "run_optimizer"]  # optimizers
__all__ += ["WorkerError", "free_port", "launch"]  # processes
__all__ += ["ParallelRun", "data_parallel_gd"]  # parallel
__all__ += ["check", "hint", "solution"]  # exercises
__all__ += ["check_versions"]  # versions
