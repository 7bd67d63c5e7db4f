"""Suite-wide pytest settings: nbval's kernel environment and rounding rule, an empty-run guard."""

from __future__ import annotations

import pytest

from tools import kernel_env, nbval_rounding

# Kernels started by nbval inherit this environment (same as `make record`).
kernel_env.apply()
# nbval accepts outputs that differ only by rounding in the last printed digit (the rule of
# tools/outputs_compare.py, also used by `make record`); everything else must match exactly.
nbval_rounding.install()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--course-suite",
        action="store_true",
        help="fail unless both unit tests and notebooks were collected (used by make test)",
    )


def _require_units_and_notebooks(nodeids: list[str]) -> None:
    notebooks = {n.split("::")[0] for n in nodeids if ".ipynb::" in n}
    units = [n for n in nodeids if ".ipynb::" not in n]
    if not notebooks or not units:
        raise pytest.UsageError(
            f"make test collected {len(units)} unit tests and {len(notebooks)} notebooks; "
            "both must be more than zero. Check that tests/ and notebooks/ exist and that "
            "pytest is run from the repository root."
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    # without xdist; under xdist the controller checks what the workers collected (below)
    if session.config.getoption("--course-suite") and not hasattr(session.config, "workerinput"):
        _require_units_and_notebooks([item.nodeid for item in session.items])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    if node.config.getoption("--course-suite"):
        _require_units_and_notebooks(ids)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not config.getoption("--course-suite"):
        return
    reports = [
        r
        for key in ("passed", "failed", "error", "skipped")
        for r in terminalreporter.stats.get(key, [])
        if getattr(r, "when", "call") == "call" or key in ("error", "skipped")
    ]
    notebooks = {r.nodeid.split("::")[0] for r in reports if ".ipynb::" in r.nodeid}
    units = {r.nodeid for r in reports if ".ipynb::" not in r.nodeid}
    verdict = "PASSED" if exitstatus == 0 else "FAILED"
    terminalreporter.write_sep(
        "=",
        f"course suite {verdict}: {len(units)} unit tests/doctests, "
        f"{len(notebooks)} notebooks under nbval",
    )
