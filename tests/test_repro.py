"""seed_everything: every random source restarts, threads are pinned."""

import random

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
