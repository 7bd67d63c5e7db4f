"""Suite-wide pytest settings: the kernel environment for nbval, and a guard against empty runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
import kernel_env

# Kernels started by nbval inherit this environment (same as `make record`).
kernel_env.apply()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--course-suite",
        action="store_true",
        help="fail unless both unit tests and notebooks were collected (used by make test)",
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    if not session.config.getoption("--course-suite"):
        return
    notebooks = {i.path for i in session.items if i.path.suffix == ".ipynb"}
    units = [i for i in session.items if i.path.suffix != ".ipynb"]
    if not notebooks or not units:
        raise pytest.UsageError(
            f"make test collected {len(units)} unit tests and {len(notebooks)} notebooks; "
            "both must be more than zero. Check that tests/ and notebooks/ exist and that "
            "pytest is run from the repository root."
        )
    session.config.stash[_COUNTS] = (len(units), len(notebooks))


_COUNTS = pytest.StashKey[tuple[int, int]]()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    counts = config.stash.get(_COUNTS, None)
    if counts is None:
        return
    units, notebooks = counts
    verdict = "PASSED" if exitstatus == 0 else "FAILED"
    terminalreporter.write_sep(
        "=",
        f"course suite {verdict}: {units} unit tests/doctests, {notebooks} notebooks under nbval",
    )
