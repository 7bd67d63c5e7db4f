"""A real browser runs a notebook in JupyterLab, as a teacher would after `make teach`.

Run with `make test-browser` (it installs Chromium and Selenium when needed and sets
GD_BROWSER_TEST=1). Under `make test` this test is skipped: it needs a browser and takes
about half a minute.

JupyterLab serves a copy of notebooks/ (so that autosave can never touch the committed
files) with fresh settings, laid out as `make teach` has it (the instructor edition: its
exercises are solved, so every cell runs; `make lab`'s student edition leaves them blank and
its own run is tested by tests/test_student_edition.py under make test-editions). Headless
Chromium opens the notebook, clears its recorded outputs, runs all cells from the Run menu and
waits. The test passes when the expected line appears in the outputs, every code cell has
run, and no output shows an error. A screenshot goes to build/browser/notebookNN.png.

Environment variables (defaults in brackets):
  GD_BROWSER_NOTEBOOK  notebook to run [notebooks/01_numpy_gradient_descent.ipynb]
  GD_BROWSER_EXPECT    a line its outputs must contain [Prediction after training: f(5) = 9.999]
  GD_BROWSER_TIMEOUT   seconds to wait for the run [240]
  GD_JUPYTER           the jupyter executable [.venv/bin/jupyter]
  CHROMIUM, CHROMEDRIVER  the browser and its driver [/usr/bin/chromium, /usr/bin/chromedriver]
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.chromium import chromium, wait

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(os.environ.get("GD_BROWSER_NOTEBOOK", "notebooks/01_numpy_gradient_descent.ipynb"))
EXPECT = os.environ.get("GD_BROWSER_EXPECT", "Prediction after training: f(5) = 9.999")
TIMEOUT = float(os.environ.get("GD_BROWSER_TIMEOUT", "240"))
JUPYTER = Path(os.environ.get("GD_JUPYTER", ROOT / ".venv" / "bin" / "jupyter"))
SHOTS = ROOT / "build" / "browser"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("GD_BROWSER_TEST") != "1",
        reason="the browser test runs with `make test-browser` (set GD_BROWSER_TEST=1)",
    ),
]

# Settings of a fresh JupyterLab: every cell in the DOM, no autosave, no news pop-up.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# Reads the state of the open notebook: one prompt per code cell, the text of the outputs.
STATE_JS = """
const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
if (!nb) { return null; }
const cells = [...nb.querySelectorAll('.jp-CodeCell')];
const stderr = [...nb.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')];
return {
  prompts: cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || ''),
  outputs: [...nb.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join('\\n'),
  stderr: stderr.map(o => o.textContent),
};
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_group(proc: subprocess.Popen) -> None:
    """End a process we started in its own session, with its children (the kernels)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on a free port, laid out as `make teach` has it; yields (url, token).

    Its root holds a copy of notebooks/, so that nothing can write to the committed files.
    """
    if not JUPYTER.is_file():
        pytest.fail(f"jupyter not found at {JUPYTER}; run `make venv` first")
    root = tmp_path / "course"
    shutil.copytree(
        ROOT / "notebooks",
        root / "notebooks",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
    )
    settings = tmp_path / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values), encoding="utf-8")
    env = dict(os.environ)
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        env[var] = str(tmp_path / sub)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{_tail(tmp_path)}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within 90 s:\n{_tail(tmp_path)}")
                time.sleep(0.5)
        yield url, token
    finally:
        _stop_group(proc)
        log.close()


def _tail(tmp_path: Path, lines: int = 30) -> str:
    text = (tmp_path / "lab.log").read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium driven by Selenium; skips with the reason when either is missing."""
    with chromium(tmp_path, target="test-browser") as driver:
        yield driver


def _wait(driver, condition, timeout: float, what: str):
    return wait(driver, condition, timeout, what, poll=0.5)


def _menu(driver, menu: str, command: str) -> None:
    """Click a menu of the menu bar, then the item running ``command``."""
    from selenium.webdriver.common.by import By

    items = driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
    target = [item for item in items if item.text.strip() == menu]
    assert target, f"no {menu!r} menu in {[item.text for item in items]}"
    target[0].click()
    selector = f'.lm-Menu-item[data-command="{command}"]'
    item = _wait(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, selector), 10, f"menu item {command}"
    )
    item[0].click()


def test_run_all_cells_in_jupyterlab(browser, lab):
    url, token = lab
    path = NOTEBOOK if NOTEBOOK.is_absolute() else ROOT / NOTEBOOK
    assert path.is_file(), f"notebook {NOTEBOOK} not found (set GD_BROWSER_NOTEBOOK)"
    assert path.parent == ROOT / "notebooks", "the notebook must be in notebooks/"
    driver = browser
    start = time.monotonic()
    driver.get(f"{url}/lab/tree/notebooks/{path.name}?token={token}")
    _wait(
        driver,
        lambda d: (s := d.execute_script(STATE_JS)) and s["prompts"] and EXPECT in s["outputs"],
        90,
        f"JupyterLab to open {path.name} and show {EXPECT!r} in its recorded outputs",
    )

    # Clear the recorded outputs, so that what we find next comes from this run.
    _menu(driver, "Edit", "editmenu:clear-all")
    _wait(
        driver,
        lambda d: EXPECT not in d.execute_script(STATE_JS)["outputs"],
        20,
        "the outputs to be cleared",
    )
    _menu(driver, "Run", "runmenu:run-all")

    def finished(d):
        s = d.execute_script(STATE_JS)
        errors = [t for t in s["stderr"] if "Error" in t or "Traceback" in t]
        if errors:
            pytest.fail(f"error output in {path.name}:\n" + "\n---\n".join(errors))
        done = all(p.strip().startswith("[") and p.strip()[1:-2].isdigit() for p in s["prompts"])
        return s if done and EXPECT in s["outputs"] else None

    state = _wait(driver, finished, TIMEOUT, f"all cells to run and print {EXPECT!r}")
    took = time.monotonic() - start
    assert not [t for t in state["stderr"] if "Error" in t or "Traceback" in t]

    from selenium.webdriver.common.by import By

    for output in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output"):
        if EXPECT in output.get_attribute("textContent"):
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", output)
            break
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"notebook{path.name[:2]}.png"
    driver.save_screenshot(str(shot))
    print(f"timing: {path.name} ran in JupyterLab in {took:.1f} s; screenshot {shot}")
