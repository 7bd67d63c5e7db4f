"""seed_everything: every random source restarts, threads are pinned; the device line."""

import os
import random
import warnings

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

import gdhelpers as gd


def _draw():
    return random.random(), np.random.rand(), torch.rand(1).item()  # noqa: NPY002


def test_seed_everything_restarts_every_source():
    rng = gd.seed_everything(3)
    first = _draw()
    gen_value = rng.standard_normal()
    rng2 = gd.seed_everything(3)
    assert _draw() == first
    assert rng2.standard_normal() == gen_value
    assert isinstance(rng, np.random.Generator)
    assert rng2.standard_normal() == np.random.default_rng(3).standard_normal(2)[1]
    gd.seed_everything(4)
    assert _draw() != first


def test_each_source_is_seeded_with_seed():
    # independent generators seeded with the same number give the same first draws
    rng = gd.seed_everything(7)
    assert random.random() == random.Random(7).random()
    assert np.random.rand() == np.random.RandomState(7).rand()  # noqa: NPY002
    assert torch.rand(1).item() == torch.rand(1, generator=torch.Generator().manual_seed(7)).item()
    assert rng.standard_normal() == np.random.default_rng(7).standard_normal()


def test_threads_are_pinned():
    gd.seed_everything(0, threads=2)
    assert torch.get_num_threads() == 2
    gd.seed_everything(0)
    assert torch.get_num_threads() == 1
    assert torch.are_deterministic_algorithms_enabled()
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    assert blas and all(info["num_threads"] == 1 for info in blas)


def test_torch_generator_is_independent_of_global_seed():
    a = torch.randn(3, generator=gd.torch_generator(5))
    torch.manual_seed(99)
    b = torch.randn(3, generator=gd.torch_generator(5))
    assert torch.equal(a, b)
    assert not torch.equal(a, torch.randn(3, generator=gd.torch_generator(6)))


def test_repro_errors():
    with pytest.raises(ValueError, match="seed must be an integer >= 0; got -1 instead"):
        gd.seed_everything(-1)
    with pytest.raises(ValueError, match="threads must be an integer >= 1; got 0 instead"):
        gd.seed_everything(0, threads=0)
    with pytest.raises(TypeError, match="seed must be an integer; got str"):
        gd.torch_generator("1")


# ---------------------------------------------------------------- GPU machines (no GPU needed)

CUBLAS = "CUBLAS_WORKSPACE_CONFIG"


def test_seed_everything_sets_the_cublas_workspace_for_determinism(monkeypatch):
    monkeypatch.delenv(CUBLAS, raising=False)
    gd.seed_everything(0)
    assert os.environ[CUBLAS] == ":4096:8"


def test_seed_everything_keeps_a_cublas_setting_of_the_user(monkeypatch):
    monkeypatch.setenv(CUBLAS, ":16:8")
    gd.seed_everything(0)
    assert os.environ[CUBLAS] == ":16:8"


def test_the_variable_is_set_before_determinism_is_turned_on(monkeypatch):
    monkeypatch.delenv(CUBLAS, raising=False)
    seen = []
    real = torch.use_deterministic_algorithms
    monkeypatch.setattr(
        torch,
        "use_deterministic_algorithms",
        lambda mode: (seen.append(os.environ.get(CUBLAS)), real(mode)),
    )
    gd.seed_everything(0)
    assert seen == [":4096:8"]


def test_seed_everything_warns_when_cuda_started_before(monkeypatch):
    monkeypatch.delenv(CUBLAS, raising=False)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    with pytest.warns(RuntimeWarning, match=r"CUDA was already in use .*Restart the kernel"):
        gd.seed_everything(0)
    assert os.environ[CUBLAS] == ":4096:8"


def test_no_warning_when_the_variable_was_set_before_cuda(monkeypatch):
    monkeypatch.setenv(CUBLAS, ":4096:8")
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.seed_everything(0)


def test_describe_device_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: pytest.fail("CUDA was started"))
    assert gd.describe_device() == "cpu"


def test_describe_device_with_a_gpu(monkeypatch):
    monkeypatch.delenv(CUBLAS, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: f"NVIDIA Test GPU {i}")
    assert gd.describe_device() == "cuda:1 (NVIDIA Test GPU 1)"
    assert os.environ[CUBLAS] == ":4096:8"  # set before the name query starts CUDA
