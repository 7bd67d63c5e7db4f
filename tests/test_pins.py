"""environment.yml, constraints.txt and pyproject.toml must describe the same environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gdhelpers.versions import read_pins

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_versions(text: str) -> dict[str, str]:
    """Versions from environment.yml: conda lines `- name=ver` and pip lines `- name==ver`."""
    versions = {}
    for line in text.splitlines():
        match = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)\s*==?\s*([0-9][^\s#]*)\s*$", line)
        if match and match.group(1) != "python":
            versions[_norm(match.group(1))] = match.group(2)
    return versions


def project_requirements() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(data["project"]["dependencies"])
    for extra in data["project"]["optional-dependencies"].values():
        reqs += extra
    names = {_norm(re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0]) for r in reqs}
    return names - {"gdhelpers"}


@pytest.fixture(scope="module")
def pins() -> dict[str, str]:
    return read_pins(ROOT / "constraints.txt")


def test_conda_parser_reads_both_styles():
    text = "dependencies:\n  - numpy=2.4.6\n  - pip:\n      - torch==2.13.0\n      - -e .\n"
    assert conda_versions(text) == {"numpy": "2.4.6", "torch": "2.13.0"}


def test_environment_yml_matches_constraints(pins):
    conda = conda_versions((ROOT / "environment.yml").read_text())
    assert conda, "environment.yml lists no pinned package"
    mismatched = {n: (v, pins.get(n)) for n, v in conda.items() if pins.get(n) != v}
    assert not mismatched, (
        "environment.yml and constraints.txt disagree (name: (environment.yml, constraints.txt)): "
        f"{mismatched}. Update environment.yml to the versions in constraints.txt."
    )


def test_every_direct_dependency_is_pinned_in_both_files(pins):
    conda = conda_versions((ROOT / "environment.yml").read_text())
    direct = project_requirements()
    assert not direct - set(pins), f"not pinned in constraints.txt: {sorted(direct - set(pins))}"
    assert not direct - set(conda), f"not in environment.yml: {sorted(direct - set(conda))}"


def test_torch_is_the_version_the_outputs_were_recorded_with(pins):
    assert pins["torch"] == "2.13.0"
    # a local tag (+cpu) in the pin would break installs from other indexes
    assert all("+" not in v for v in pins.values())


def test_pins_satisfy_pyproject_ranges(pins):
    from packaging.requirements import Requirement

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(data["project"]["dependencies"])
    for extra in data["project"]["optional-dependencies"].values():
        reqs += extra
    for text in reqs:
        req = Requirement(text)
        if _norm(req.name) == "gdhelpers":
            continue
        assert req.specifier.contains(pins[_norm(req.name)], prereleases=True), (
            f"constraints.txt pins {req.name}=={pins[_norm(req.name)]}, "
            f"outside pyproject's {text!r}"
        )
