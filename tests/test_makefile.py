"""The Makefile: the Python that creates .venv, the pip command it runs, the editions, clean.

Most tests run make in a sandbox: a folder with copies of the Makefile, pyproject.toml and
constraints.txt, and a PATH of a few shell tools plus stand-in Python interpreters (bash
scripts that print a chosen version, create a stand-in venv, and log the pip commands they are
given instead of running them). So they check the real recipes in well under a second each,
without a network or a second Python version. One test checks pip's own choice between
2.13.0 and 2.13.0+cpu on two small local indexes.
"""

from __future__ import annotations

import os
import platform
import pty
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH = "2.13.0"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MAKE is None, reason="make is not installed"),
]

# Variables of the Makefile that the caller's environment must not set for these tests.
MAKE_VARS = {
    "PYTHON", "HOST_OS", "TORCH_INDEX", "WHEELS", "PIP_TIMEOUT", "PIP_RETRIES", "EDITION",
    "WORKSPACE", "CONFIRM", "ARGS", "MAKEFLAGS", "MAKELEVEL", "MFLAGS",
}  # fmt: skip
TOOLS = (
    "bash", "sh", "cat", "sha1sum", "cut", "mkdir", "grep", "awk", "rm", "touch", "sed",
    "tail", "cp", "mv", "chmod", "id", "find", "wc", "tr",
)  # fmt: skip

FAKE_PYTHON = r"""#!/bin/bash
# A stand-in for Python @VERSION@ (venv module: @VENV@) that logs what it is asked to do.
echo "${0##*/} $*" >> "$SANDBOX/calls"
case "$1" in
  -c)
    case "$2" in
      *version_info*) echo "@VERSION@ @VENV@"; exit 0 ;;
      *urlopen*)
        if [ -e "$SANDBOX/index-down" ]; then
          echo "[Errno -2] Name or service not known" >&2; exit 1
        fi
        echo "$3 $4" >> "$SANDBOX/probed"; exit 0 ;;
    esac ;;
  --version) echo "Python @VERSION@.4"; exit 0 ;;
  -m)
    case "$2 $3" in
      "venv "*)
        mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
        printf '#!/bin/bash\necho "jupyter $*" >> "$SANDBOX/calls"\n' > "$3/bin/jupyter"
        chmod +x "$3/bin/jupyter"; exit 0 ;;
      "pip install")
        shift 3; echo "$*" >> "$SANDBOX/pip-installs"
        if [ -e "$SANDBOX/pip-fails" ]; then
          # what pip 23.2 says when a constraint and the requirement torch==X+cpu meet no wheel
          echo "ERROR: Cannot install torch==@TORCH@+cpu because these package versions have"\
" conflicting dependencies."; exit 1
        fi
        exit 0 ;;
      "pip check") exit 0 ;;
      "tools.workspace "*) exit 0 ;;
      "pip freeze")
        printf 'numpy==2.4.6\npip==26.0\nsetuptools==80.1\ntorch==@TORCH@+cpu\n'; exit 0 ;;
    esac ;;
esac
echo "stand-in python: unexpected arguments: $*" >&2
exit 9
"""

# What a pyenv shim of a version that is not active does.
PYENV_SHIM = '#!/bin/bash\necho "pyenv: ${0##*/}: command not found" >&2\nexit 127\n'


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARS}
    env.update(extra)
    return env


@dataclass
class Sandbox:
    work: Path
    bin: Path
    log: Path
    env: dict[str, str]

    def python(self, name: str, version: str, venv: bool = True) -> None:
        text = FAKE_PYTHON.replace("@VERSION@", version).replace("@TORCH@", TORCH)
        self._script(name, text.replace("@VENV@", "venv" if venv else "novenv"))

    def shim(self, name: str) -> None:
        self._script(name, PYENV_SHIM)

    def _script(self, name: str, text: str) -> None:
        path = self.bin / name
        path.write_text(text)
        path.chmod(0o755)

    def make(
        self, *args: str, stdin=subprocess.DEVNULL
    ) -> tuple[subprocess.CompletedProcess, float]:
        start = time.monotonic()
        run = subprocess.run(
            [MAKE, "--no-print-directory", "-C", str(self.work), *args],
            env=self.env,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return run, time.monotonic() - start

    def lines(self, name: str) -> list[str]:
        path = self.log / name
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def box(tmp_path) -> Sandbox:
    work, bin_dir, log = tmp_path / "work", tmp_path / "bin", tmp_path / "log"
    for folder in (work, bin_dir, log):
        folder.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, work / name)
    for tool in TOOLS:
        if shutil.which(tool):
            (bin_dir / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8", "SANDBOX": str(log)}
    return Sandbox(work, bin_dir, log, env)


# -- which Python creates .venv ------------------------------------------------------------------


def test_an_unsupported_python_fails_within_a_second_and_says_what_to_run(box):
    box.python("python3", "3.10")
    run, took = box.make("lab")
    assert run.returncode != 0
    assert (
        "Python 3.10 found; the course needs 3.11-3.13: install one and run "
        "`make lab PYTHON=python3.12`"
    ) in run.stderr
    assert took < 2, f"took {took:.1f} s"
    assert not (box.work / ".venv").exists()
    assert not [c for c in box.lines("calls") if "-m venv" in c]
    run, _ = box.make("test")
    assert "`make test PYTHON=python3.12`" in run.stderr


def test_a_python_without_venv_names_the_debian_package(box):
    box.python("python3.12", "3.12", venv=False)
    box.python("python3", "3.10")
    run, took = box.make("venv")
    assert run.returncode != 0 and took < 2
    assert (
        "Python 3.12 found, but without its venv module (Debian/Ubuntu: apt install "
        "python3.12-venv); then run `make venv` again"
    ) in run.stderr


def test_no_python_at_all(box):
    run, took = box.make("venv")
    assert run.returncode != 0 and took < 2
    assert (
        "No Python found (looked for python3.13 python3.12 python3.11 python3); the course "
        "needs 3.11-3.13"
    ) in run.stderr


def test_the_newest_supported_python_that_runs_is_chosen(box):
    box.shim("python3.13")  # on PATH, but does not run
    box.python("python3.12", "3.12")
    box.python("python3.11", "3.11")
    box.python("python3", "3.10")
    run, _ = box.make("which-python")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "python3.12: Python 3.12.4"
    run, _ = box.make("which-python", "PYTHON=python3.11")
    assert run.stdout.strip() == "python3.11: Python 3.11.4"


def test_python_override_is_checked_too(box):
    box.python("python3.12", "3.12")
    box.python("python3.10", "3.10")
    run, _ = box.make("which-python", "PYTHON=python3.10")
    assert run.returncode != 0
    assert "Python 3.10 found; the course needs 3.11-3.13" in run.stderr
    run, _ = box.make("which-python", "PYTHON=nosuchpython")
    assert run.returncode != 0
    assert "PYTHON=nosuchpython does not run here" in run.stderr


# -- the pip command -----------------------------------------------------------------------------


def print_pip(*args: str) -> str:
    run = subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), "print-pip", *args],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_on_linux_pip_also_reads_the_cpu_index_with_bounded_network_waits():
    assert print_pip("HOST_OS=Linux") == (
        ".venv/bin/python -m pip install --disable-pip-version-check --timeout 10 "
        f"--retries 1 --extra-index-url {CPU_INDEX} -c constraints.txt -e '.[dev]'"
    )


def test_on_macos_pip_reads_pypi_only():
    assert print_pip("HOST_OS=Darwin") == (
        ".venv/bin/python -m pip install --disable-pip-version-check --timeout 10 "
        "--retries 1 -c constraints.txt -e '.[dev]'"
    )


def test_the_detected_os_decides():
    command = print_pip()
    assert (f"--extra-index-url {CPU_INDEX}" in command) == (platform.system() == "Linux")


def test_index_wheels_and_waits_can_be_changed():
    assert "--extra-index-url" not in print_pip("HOST_OS=Linux", "TORCH_INDEX=")
    command = print_pip(
        "HOST_OS=Linux", "TORCH_INDEX=file:///srv/torch-cpu", "WHEELS=/srv/wheels",
        "PIP_TIMEOUT=3", "PIP_RETRIES=0",
    )  # fmt: skip
    assert "--extra-index-url file:///srv/torch-cpu" in command
    assert "--find-links /srv/wheels" in command
    assert "--timeout 3 --retries 0" in command


def test_make_venv_runs_the_printed_command(box):
    box.python("python3.12", "3.12")
    run, _ = box.make("venv", "HOST_OS=Linux")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "==> creating .venv with Python 3.12.4 (python3.12)" in run.stdout
    assert box.lines("probed") == [f"{CPU_INDEX} 10"]
    printed = print_pip("HOST_OS=Linux").removeprefix(".venv/bin/python -m pip install ")
    assert box.lines("pip-installs") == [printed.replace("'", "")]
    assert list(box.work.glob(".venv/.installed-*")), "no stamp"
    run, _ = box.make("venv", "HOST_OS=Linux")  # up to date: nothing runs again
    assert len(box.lines("pip-installs")) == 1


def test_an_unreachable_cpu_index_is_left_out_and_the_cpu_build_required(box):
    box.python("python3.12", "3.12")
    (box.log / "index-down").touch()
    run, _ = box.make("venv", "HOST_OS=Linux")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        f"==> PyTorch's CPU wheel index {CPU_INDEX} cannot be reached "
        "([Errno -2] Name or service not known):"
    ) in run.stdout
    [args] = box.lines("pip-installs")
    assert "--extra-index-url" not in args and "--timeout 10 --retries 1" in args
    assert args.endswith(f"-c constraints.txt -e .[dev] torch=={TORCH}+cpu")


def test_without_a_cpu_build_the_failure_says_where_to_get_one(box):
    box.python("python3.12", "3.12")
    (box.log / "index-down").touch()
    (box.log / "pip-fails").touch()
    run, _ = box.make("venv", "HOST_OS=Linux")
    assert run.returncode != 0
    assert "pip install failed; full log: .venv/pip-install.log" in run.stdout
    assert f"no CPU build of torch {TORCH} for this Python was found" in run.stdout
    assert "run `make venv WHEELS=<folder>`" in run.stdout
    assert "with `make venv TORCH_INDEX=`" in run.stdout
    assert not list(box.work.glob(".venv/.installed-*"))


def test_on_macos_nothing_is_probed(box):
    box.python("python3.12", "3.12")
    run, _ = box.make("venv", "HOST_OS=Darwin")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not box.lines("probed")
    [args] = box.lines("pip-installs")
    assert "--extra-index-url" not in args and "+cpu" not in args


def test_lock_uses_the_same_pip_options_and_drops_the_local_label(box):
    box.python("python3.11", "3.11")
    header = (box.work / "constraints.txt").read_text().splitlines()[:2]
    run, _ = box.make("lock", "HOST_OS=Linux")
    assert run.returncode == 0, run.stdout + run.stderr
    [args] = box.lines("pip-installs")
    assert args.startswith("--disable-pip-version-check --timeout 10 --retries 1 ")
    assert f"--extra-index-url {CPU_INDEX} torch=={TORCH} -e .[dev]" in args
    lines = (box.work / "constraints.txt").read_text().splitlines()
    assert lines == [*header, "numpy==2.4.6", "setuptools==80.1", f"torch=={TORCH}"]
    assert not (box.work / "build" / "lock-venv").exists()


def fake_wheel(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{version}-py3-none-any.whl"
    info = f"demo-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: demo\nVersion: {version}\n")
        whl.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        )
        whl.writestr(f"{info}/RECORD", "")
    return path


def simple_index(root: Path, wheel: Path) -> str:
    """A PEP 503 index in ``root`` serving one wheel; its file:// URL."""
    page = root / "demo" / "index.html"
    page.parent.mkdir(parents=True)
    href = wheel.resolve().as_uri()
    page.write_text(f'<html><body><a href="{href}">{wheel.name}</a></body></html>\n')
    return root.resolve().as_uri()


def test_pip_prefers_the_local_cpu_version_whatever_index_serves_it(tmp_path):
    """The claim behind TORCH_INDEX: `==2.13.0` matches 2.13.0+cpu, which sorts above 2.13.0."""
    pypi = simple_index(tmp_path / "pypi", fake_wheel(tmp_path / "w1", "2.13.0"))
    cpu = simple_index(tmp_path / "cpu", fake_wheel(tmp_path / "w2", "2.13.0+cpu"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")

    def download(index: str, extra: str, requirement: str) -> subprocess.CompletedProcess:
        out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}"
        return subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(out),
             "--index-url", index, "--extra-index-url", extra, requirement],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    for index, extra in [(pypi, cpu), (cpu, pypi)]:
        run = download(index, extra, "demo==2.13.0")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Saved" in run.stdout and "demo-2.13.0+cpu-py3-none-any.whl" in run.stdout
    run = download(pypi, pypi, "demo==2.13.0+cpu")  # the fallback's requirement: no CPU build
    assert run.returncode != 0
    assert "No matching distribution found for demo==2.13.0+cpu" in run.stderr


# -- editions and the workspace -----------------------------------------------------------------


def dry_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MAKE, "-n", "-C", str(ROOT), *args],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_lab_opens_the_workspace_after_syncing_it():
    run = dry_run("lab", "WORKSPACE=/tmp/ws-of-a-test")
    assert run.returncode == 0, run.stderr
    assert ".venv/bin/python -m tools.workspace --dest '/tmp/ws-of-a-test'" in run.stdout
    assert "--ServerApp.root_dir='/tmp/ws-of-a-test' --LabApp.default_url=/lab" in run.stdout
    assert run.stdout.index("-m tools.workspace") < run.stdout.index("jupyter lab")


@pytest.mark.parametrize("args", [("teach",), ("lab", "EDITION=instructor")])
def test_the_instructor_edition_is_notebooks(args):
    run = dry_run(*args)
    assert run.returncode == 0, run.stderr
    assert "tools.workspace" not in run.stdout
    assert "--ServerApp.root_dir='.' --LabApp.default_url=/lab/tree/notebooks" in run.stdout


def test_an_unknown_edition_is_refused():
    run = dry_run("lab", "EDITION=solutions")
    assert run.returncode != 0
    assert "EDITION=solutions: use EDITION=student" in run.stderr


def test_make_lab_in_a_sandbox_syncs_then_opens_my_work(box):
    box.python("python3.13", "3.13")
    run, _ = box.make("lab", "HOST_OS=Darwin", "ARGS=--no-browser")
    assert run.returncode == 0, run.stdout + run.stderr
    calls = box.lines("calls")
    assert "python -m tools.workspace --dest my-work" in calls
    jupyter = [c for c in calls if c.startswith("jupyter ")]
    root_flag = " --allow-root" if os.geteuid() == 0 else ""
    assert jupyter == [
        "jupyter lab --ServerApp.root_dir=my-work --LabApp.default_url=/lab"
        f"{root_flag} --no-browser"
    ]
    assert calls.index("python -m tools.workspace --dest my-work") < calls.index(jupyter[0])
    assert "==> JupyterLab on your workspace my-work/" in run.stdout


def test_git_ignores_the_workspace():
    assert "my-work/" in (ROOT / ".gitignore").read_text().splitlines()


def test_clean_leaves_the_workspace_alone(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, work / name)
    keep = [
        work / "my-work" / "01_x.ipynb",
        work / "my-work" / ".ipynb_checkpoints" / "01_x-checkpoint.ipynb",
        work / "my-work" / ".workspace.json",
    ]
    gone = [
        work / ".venv" / "bin" / "python",
        work / "build" / "student" / "01_x.ipynb",
        work / "tools" / "__pycache__" / "a.pyc",
        work / "notebooks" / ".ipynb_checkpoints" / "01_x-checkpoint.ipynb",
    ]
    for path in keep + gone:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    run = subprocess.run(
        [MAKE, "-C", str(work), "clean"], env=clean_env(), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert all(p.exists() for p in keep)
    assert not any(p.exists() for p in gone)


def reset(workspace: Path, *args: str, answer: str | None = None) -> subprocess.CompletedProcess:
    command = [MAKE, "-s", "-C", str(ROOT), "reset-workspace", f"WORKSPACE={workspace}", *args]
    if answer is None:  # no terminal, as in CI
        return subprocess.run(
            command, env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
    leader, follower = pty.openpty()
    try:
        os.write(leader, answer.encode() + b"\n")
        return subprocess.run(
            command, env=clean_env(), stdin=follower, capture_output=True, text=True, timeout=30
        )
    finally:
        os.close(leader)
        os.close(follower)


@pytest.fixture
def workspace_dir(tmp_path) -> Path:
    folder = tmp_path / "my-work"
    folder.mkdir()
    (folder / "01_x.ipynb").write_text("my work")
    return folder


def test_reset_workspace_refuses_without_a_terminal(workspace_dir):
    run = reset(workspace_dir)
    assert run.returncode != 0 and workspace_dir.exists()
    assert "there is no terminal to ask" in run.stderr
    assert "make reset-workspace CONFIRM=yes" in run.stderr


def test_reset_workspace_with_confirm_yes_deletes(workspace_dir):
    run = reset(workspace_dir, "CONFIRM=yes")
    assert run.returncode == 0, run.stderr
    assert not workspace_dir.exists()
    assert "nothing to delete" in reset(workspace_dir).stdout


def test_reset_workspace_asks_on_a_terminal(workspace_dir):
    run = reset(workspace_dir, answer="no")
    assert run.returncode != 0 and workspace_dir.exists()
    assert "(1 files) with all your work in it?" in run.stdout
    assert "nothing deleted" in run.stdout
    run = reset(workspace_dir, answer="yes")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not workspace_dir.exists()


def test_help_lists_the_new_targets():
    run = subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), "help"], env=clean_env(), capture_output=True, text=True
    )
    for target in ("workspace", "teach", "reset-workspace", "print-pip", "which-python"):
        assert f"  make {target} " in run.stdout


def test_ci_runs_what_the_readme_promises():
    """CI = make test, every instructor notebook graded (issue 15), the browser tests
    (JupyterLab; the website, issue 16) and every notebook on other CPUs (issue 12)."""
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-5:] == [
        "make test",
        "make test-editions",
        "make test-browser",
        "make test-site",
        "make test-cpus",
    ]
    assert "set -euo pipefail" in commands
