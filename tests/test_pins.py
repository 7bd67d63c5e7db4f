"""constraints.txt, pyproject.toml and the conda environment files describe one environment.

environment.yml (developers, conda) and binder/environment.yml (Binder, the learner's
libraries) pin the versions of constraints.txt; their pip steps are constrained by it too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from gdhelpers.versions import COURSE_PACKAGES, read_pins

ROOT = Path(__file__).resolve().parents[1]
ENV_FILES = [ROOT / "environment.yml", ROOT / "binder" / "environment.yml"]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: conda-forge packages that are a PyPI package under another name
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
#: in `.[dev]` for the test suite only; the learner's environment (Binder) does without them,
#: except what 00_setup_check.ipynb checks (gdhelpers.versions.COURSE_PACKAGES)
TEST_ONLY = {"pytest", "pytest-cov", "pytest-xdist", "nbval", "hypothesis", "ruff", "selenium"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_versions(text: str) -> dict[str, str]:
    """Versions from environment.yml: conda lines `- name=ver` and pip lines `- name==ver`.

    Names are PyPI's (matplotlib-base is matplotlib).
    """
    versions = {}
    for line in text.splitlines():
        match = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)\s*==?\s*([0-9][^\s#]*)\s*$", line)
        if match and match.group(1) != "python":
            name = _norm(match.group(1))
            versions[CONDA_TO_PYPI.get(name, name)] = match.group(2)
    return versions


def env_file(path: Path) -> tuple[list[str], list[str]]:
    """The conda entries and the pip entries of an environment file."""
    deps = yaml.safe_load(path.read_text())["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = [line for d in deps if isinstance(d, dict) for line in d.get("pip", [])]
    return conda, pip


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
    text = (
        "dependencies:\n  - numpy=2.4.6\n  - matplotlib-base=3.11.2\n  - pip:\n"
        "      - torch==2.13.0\n      - -e .\n"
    )
    assert conda_versions(text) == {"numpy": "2.4.6", "matplotlib": "3.11.2", "torch": "2.13.0"}


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_files_match_constraints(pins, path):
    conda = conda_versions(path.read_text())
    assert conda, f"{path.name} lists no pinned package"
    mismatched = {n: (v, pins.get(n)) for n, v in conda.items() if pins.get(n) != v}
    assert not mismatched, (
        f"{path.relative_to(ROOT)} and constraints.txt disagree (name: (environment file, "
        f"constraints.txt)): {mismatched}. Update it to the versions in constraints.txt."
    )


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_files_use_matplotlib_without_a_gui_toolkit(path):
    conda, _ = env_file(path)
    names = {re.split(r"[=<>]", entry, maxsplit=1)[0] for entry in conda}
    assert "matplotlib-base" in names and "matplotlib" not in names


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_environment_python_is_a_supported_one(path):
    from packaging.specifiers import SpecifierSet

    conda, _ = env_file(path)
    [python] = [entry for entry in conda if entry.startswith("python=")]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(python.removeprefix("python=") + ".0")


def test_conda_pip_step_takes_the_cpu_build_constrained_by_constraints_txt(pins):
    _, pip = env_file(ROOT / "environment.yml")
    assert f"--extra-index-url {CPU_INDEX}" in pip
    # conda runs pip in the environment file's folder: this is the course's constraints.txt
    assert "-c constraints.txt" in pip
    assert f"torch=={pins['torch']}" in pip and "-e ." in pip


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


# -- Binder -------------------------------------------------------------------------------------


def test_binder_environment_is_the_learners(pins):
    conda = conda_versions((ROOT / "binder" / "environment.yml").read_text())
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    learner = {_norm(re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0]) for r in data["dependencies"]}
    learner |= {
        _norm(re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0])
        for r in data["optional-dependencies"]["course"]
    }
    missing = learner - {"torch"} - set(conda)  # torch: pip, in postBuild
    assert not missing, f"binder/environment.yml lacks {sorted(missing)}"
    checked = {_norm(p) for p in COURSE_PACKAGES} - {"torch"}
    assert checked <= set(conda), "00_setup_check.ipynb checks packages Binder would not have"
    extra = (set(conda) & TEST_ONLY) - checked
    assert not extra, f"test-only tools in the learner's environment: {sorted(extra)}"


def test_binder_environment_can_be_cached_by_repo2docker():
    """repo2docker builds an environment.yml before copying the repository unless its pip
    section names local files (-e ., -r, -c); then every change to the course rebuilds it."""
    _, pip = env_file(ROOT / "binder" / "environment.yml")
    assert not [line for line in pip if line.startswith(("-", "."))]


def test_binder_postbuild_installs_the_cpu_build_with_constraints_then_the_workspace(pins):
    path = ROOT / "binder" / "postBuild"
    text = path.read_text()
    assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text
    assert path.stat().st_mode & 0o111, "postBuild must be executable"
    command = " ".join(text.replace("\\\n", " ").split())
    assert f"--extra-index-url {CPU_INDEX} -c constraints.txt 'torch=={pins['torch']}'" in command
    assert "--no-deps -e ." in command and "pip check" in command
    assert text.rstrip().endswith("python -m tools.workspace")


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/someone/gd-course",
        "https://github.com/someone/gd-course.git",
        "git@github.com:someone/gd-course.git",
        "ssh://git@github.com/someone/gd-course.git",
    ],
)
def test_binder_url_opens_the_first_notebook_of_the_workspace(remote):
    binder = _load_tool("binder_url")
    first = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]
    assert binder.binder_url(remote) == (
        "https://mybinder.org/v2/gh/someone/gd-course/HEAD?labpath=my-work%2F" + first.name
    )


@pytest.mark.parametrize("remote", ["https://gitlab.com/someone/gd-course", "/srv/git/course"])
def test_binder_url_names_a_remote_binder_cannot_build(remote, capsys):
    binder = _load_tool("binder_url")
    with pytest.raises(ValueError, match=r"must be a GitHub repository .*; got .* instead"):
        binder.binder_url(remote)
    assert binder.main([remote]) == 1
    assert "push the course there first" in capsys.readouterr().err


def test_binder_url_without_origin_says_what_to_do(tmp_path, monkeypatch, capsys):
    binder = _load_tool("binder_url")
    monkeypatch.setattr(binder, "ROOT", tmp_path)  # not a git clone: no origin
    assert binder.main([]) == 1
    assert "has no 'origin' remote" in capsys.readouterr().err


def test_readme_binder_example_matches_the_tool():
    readme = (ROOT / "README.md").read_text()
    binder = _load_tool("binder_url")
    assert "make binder-url" in readme
    assert binder.binder_url("https://github.com/OWNER/REPO") in readme


def _load_tool(name: str):
    import importlib

    return importlib.import_module(f"tools.{name}")


def test_license_is_pyprojects():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    text = (ROOT / "LICENSE").read_text()
    assert data["license"] == "MIT" and text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the course authors" in text
    assert "LICENSE" in data["license-files"]


def test_supported_pythons_agree():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert data["requires-python"] == ">=3.11,<3.14"
    classified = {
        c.rsplit(" :: ", 1)[1] for c in data["classifiers"] if c.startswith("Programming Language")
    }
    makefile = (ROOT / "Makefile").read_text()
    supported = re.search(r"^PY_SUPPORTED := (.*)$", makefile, re.M).group(1).split()
    assert classified == set(supported) == {"3.11", "3.12", "3.13"}


def test_nothing_pinned_builds_a_grammar_when_nbformat_is_imported(pins):
    """jsonschema 4.25+ asks for rfc3987-syntax, whose import builds a lark grammar: ~2.6 s in
    every process that imports nbformat (each pytest worker, nbval, make grade, JupyterLab)."""
    assert "rfc3987-syntax" not in pins and "lark" not in pins
    major, minor = (int(part) for part in pins["jsonschema"].split(".")[:2])
    assert (major, minor) < (4, 25), pins["jsonschema"]
