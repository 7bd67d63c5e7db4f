"""What every exercise of the course does alike: "Not yet done", garbage answers, hint and solution.

The exercise-specific messages are tested in ``test_exercises_nbNN.py``.
"""

from __future__ import annotations

import re

import pytest

import gdhelpers as gd
from gdhelpers.exercises import _load_all
from gdhelpers.exercises._core import _REGISTRY

_load_all()
NAMES = sorted(name for name in _REGISTRY if not name.startswith("test."))

GARBAGE = [
    None,
    "a string",
    42,
    3.0,
    lambda *a: "a string",
    lambda *a: (1, "x"),
    lambda *a: [None],
]


def _not_done(*args):
    raise NotImplementedError


def _verdict(capsys, name, answer):
    ok = gd.check(name, answer)
    return ok, capsys.readouterr().out


def test_every_notebook_has_exercises():
    assert sorted({name.split(".")[0] for name in NAMES}) == [f"0{i}" for i in range(1, 9)]


@pytest.mark.parametrize("name", NAMES)
def test_not_done(capsys, name):
    ok, out = _verdict(capsys, name, _not_done)
    assert ok is False and "Not yet done" in out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage(capsys, name, garbage):
    ok, out = _verdict(capsys, name, garbage)
    assert ok is False
    assert "Traceback" not in out
    assert re.search(r"Not yet done|Not quite", out)


@pytest.mark.parametrize("name", NAMES)
def test_hint_and_solution(capsys, name):
    gd.hint(name)
    gd.solution(name)
    out = capsys.readouterr().out
    assert out.startswith(f"Hint ({name})") and "def " in out
    # every reference solution returns its result, except the in-place gradient step
    assert "return" in out or name == "04.gd_step"
