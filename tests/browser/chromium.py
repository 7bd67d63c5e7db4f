"""Headless Chromium for the browser tests (JupyterLab and the course site), and a wait.

One start-up for both: Debian's chromium and chromium-driver (or CHROMIUM, CHROMEDRIVER),
driven by Selenium, in a fresh profile; a missing browser or driver skips with the reason.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1024",
]


@contextmanager
def chromium(
    folder: Path, *, target: str, extra_flags: tuple[str, ...] = (), eager: bool = False
) -> Iterator[Any]:
    """Yield a Selenium driver of headless Chromium with its profile and log in ``folder``.

    ``target`` is the make target that installs Chromium (named in the skip reason);
    ``eager`` stops waiting for a page once its DOM is ready (not its images and scripts).
    """
    webdriver = pytest.importorskip(
        "selenium.webdriver",
        reason="selenium is not installed; `make venv` installs it from constraints.txt",
    )
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = (
        os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    )
    real = Path("/usr/lib/chromium/chromium")  # Debian's wrapper script execs this binary
    if browser == "/usr/bin/chromium" and real.is_file():
        browser = str(real)
    for what, path in [("chromium", browser), ("chromedriver", driver_path)]:
        if not Path(path).is_file():
            pytest.skip(
                f"{what} not found at {path}; install Debian's chromium and chromium-driver "
                f"(`make {target}` does it when run as root)"
            )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    if eager:
        options.page_load_strategy = "eager"
    for flag in [*FLAGS, *extra_flags, f"--user-data-dir={folder / 'chromium-profile'}"]:
        options.add_argument(flag)
    service = Service(executable_path=driver_path, log_output=str(folder / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()
        service.stop()


def wait(
    driver: Any, condition: Callable[[Any], Any], timeout: float, what: str, *, poll: float = 0.2
) -> Any:
    """Poll ``condition(driver)`` until it is truthy and return it; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition(driver)
        if value:
            return value
        time.sleep(poll)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
