"""The public API of ``import gdhelpers as gd``: names the notebooks rely on."""

import importlib
import inspect
import subprocess
import sys

import pytest

import gdhelpers as gd

PUBLIC = {
    "toy_data", "crops_data", "noisy_line", "make_regression", "RegressionData",
    "CROPS_FEATURES", "CROPS_TARGETS", "mse", "linear_predict", "mse_grad",
    "numerical_gradient", "gradcheck", "GradCheck", "lr_stability_bound",
    "per_sample_stability_bounds", "sgd_stability_bound", "lstsq_fit", "History",
    "fit_linear", "plot_losses", "plot_fit", "plot_loss_surface", "plot_loss_curve_1d",
    "seed_everything", "torch_generator", "check", "hint", "solution",
}  # fmt: skip


def test_all_lists_the_public_names():
    # other modules (optimizers, parallel, ...) add their own names; these must stay
    assert PUBLIC <= set(gd.__all__)
    assert len(gd.__all__) == len(set(gd.__all__))
    for name in gd.__all__:
        assert hasattr(gd, name), name


def test_options_are_keyword_only():
    positional_ok = {
        "mse": 2, "linear_predict": 3, "mse_grad": 4, "numerical_gradient": 2, "gradcheck": 3,
        "make_regression": 3, "lstsq_fit": 2, "fit_linear": 2, "plot_fit": 4,
        "plot_loss_surface": 2, "plot_loss_curve_1d": 2, "plot_losses": 1,
        "lr_stability_bound": 1, "per_sample_stability_bounds": 1, "sgd_stability_bound": 1,
        "seed_everything": 1, "torch_generator": 1, "toy_data": 0, "crops_data": 0,
        "noisy_line": 0,
    }  # fmt: skip
    for name, n_positional in positional_ok.items():
        params = inspect.signature(getattr(gd, name)).parameters.values()
        positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert len(positional) == n_positional, name
        for p in params:
            assert not isinstance(p.default, list | dict | set), f"mutable default in {name}"
        doc = inspect.cleandoc(getattr(gd, name).__doc__)  # Python 3.13 dedents docstrings
        for section in ("Returns", "Examples"):  # numpydoc sections
            assert f"\n{section}\n-------" in doc, f"{name}: no {section} section"
        if n_positional or len(params) > 0:
            assert "\nParameters\n----------" in doc, f"{name}: no Parameters section"


def test_import_is_lazy_and_every_public_name_resolves():
    """`import gdhelpers` loads no submodule (pyplot, processes) until a name is used."""
    code = (
        "import sys, gdhelpers as gd\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('gdhelpers.'))\n"
        "print(loaded, 'matplotlib.pyplot' in sys.modules)\n"
        "gd.plot_losses\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == "[] False\nTrue\n"
    for name in gd.__all__:
        module = importlib.import_module(f"gdhelpers.{gd._MODULE_OF[name]}")
        assert name in module.__all__, f"{name} is not public in {module.__name__}"
        assert getattr(gd, name) is getattr(module, name), name
    with pytest.raises(AttributeError, match="module 'gdhelpers' has no attribute 'nope'"):
        gd.nope  # noqa: B018
    assert set(gd.__all__) <= set(dir(gd))
