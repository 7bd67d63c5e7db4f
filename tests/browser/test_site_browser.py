"""A real browser reads the learner site (`make site`), as a learner would, with no network.

Run with `make test-site` (it builds the site, installs Chromium when needed and sets
GD_SITE_TEST=1). Under `make test` and `make test-browser` these tests are skipped.

Headless Chromium opens build/site/ from file:// with every host name unresolvable, so a page
that needed the network would show it. The tests check that the sidebar lists every notebook in
course order with previous/next links, that the formulas are typeset by the site's own MathJax,
that the search box finds "stability bound", that no solution of the instructor edition appears
in the learner site, and that each page links the student edition's notebook. Screenshots go
to build/browser/site-*.png. One more test asks pip whether the site builder could be installed
beside the course without moving any of its pins (it reads the package index).

Environment variables: GD_SITE_DIR, the site to test [build/site]; CHROMIUM, CHROMEDRIVER.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tools.website import notebook_title

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GD_SITE_DIR", ROOT / "build" / "site")).resolve()
SHOTS = ROOT / "build" / "browser"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", re.DOTALL)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("GD_SITE_TEST") != "1",
        reason="the site's browser test runs with `make test-site` (set GD_SITE_TEST=1)",
    ),
]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1024",
    # No host name resolves: anything the pages would fetch from the web fails to load.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

# Every resource the page loaded (scripts, styles, fonts, images) and every script's source.
LOADED_JS = """
return {
  resources: performance.getEntriesByType('resource').map(e => e.name),
  scripts: [...document.scripts].map(s => s.src).filter(Boolean),
};
"""


def _page(name: str) -> str:
    return (SITE / name).as_uri()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium driven by Selenium; skips with the reason when either is missing."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no site in {SITE}: run `make site` first (make test-site does)")
    webdriver = pytest.importorskip(
        "selenium.webdriver",
        reason="selenium is not installed; `make venv` installs it from constraints.txt",
    )
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = (
        os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    )
    real = Path("/usr/lib/chromium/chromium")  # Debian's wrapper script execs this binary
    if chromium == "/usr/bin/chromium" and real.is_file():
        chromium = str(real)
    for what, path in [("chromium", chromium), ("chromedriver", driver_path)]:
        if not Path(path).is_file():
            pytest.skip(
                f"{what} not found at {path}; install Debian's chromium and chromium-driver "
                "(`make test-site` does it when run as root)"
            )
    from selenium.webdriver.chrome.service import Service

    tmp = tmp_path_factory.mktemp("chromium")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    options.page_load_strategy = "eager"  # the DOM is enough; the tests wait for MathJax
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}"]:
        options.add_argument(flag)
    service = Service(executable_path=driver_path, log_output=str(tmp / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()
        service.stop()


def _wait(driver, condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition(driver)
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"site-{name}.png"))


def _assert_nothing_from_the_web(driver) -> None:
    loaded = driver.execute_script(LOADED_JS)
    remote = [u for u in loaded["resources"] + loaded["scripts"] if not u.startswith("file:")]
    assert not remote, f"{driver.current_url} loads from the web: {remote}"


def test_sidebar_lists_every_notebook_in_course_order_with_prev_next(browser):
    from selenium.webdriver.common.by import By

    start = time.monotonic()
    browser.get(_page("index.html"))
    links = browser.find_elements(By.CSS_SELECTOR, "nav.bd-docs-nav a.reference.internal")
    hrefs = [a.get_attribute("href").rsplit("/", 1)[-1] for a in links]
    titles = [a.get_attribute("textContent").strip() for a in links]
    expected = [p.stem + ".html" for p in NOTEBOOKS]
    assert [h for h in hrefs if h[:2].isdigit()] == expected, hrefs
    assert "teaching.html" in hrefs, "the teacher's guide is missing from the sidebar"
    for path in NOTEBOOKS:
        title = notebook_title(nbformat.read(path, as_version=4), path.stem)
        assert title in titles, f"the sidebar does not show {title!r}: {titles}"
    body = browser.find_element(By.TAG_NAME, "article").get_attribute("textContent")
    assert "What this course is" not in body  # the README's section, under the course title
    assert "A short, hands-on course on gradient descent" in " ".join(body.split())
    assert "Credits: the original tutorials" in body and "Patrick Loeber" in body
    _assert_nothing_from_the_web(browser)
    _shot(browser, "home")

    for index, path in enumerate(NOTEBOOKS):
        browser.get(_page(path.stem + ".html"))
        prev = browser.find_elements(By.CSS_SELECTOR, ".prev-next-area a.left-prev")
        after = browser.find_elements(By.CSS_SELECTOR, ".prev-next-area a.right-next")
        want_prev = NOTEBOOKS[index - 1].stem + ".html" if index else "index.html"
        assert prev and prev[0].get_attribute("href").endswith("/" + want_prev)
        want_next = NOTEBOOKS[index + 1].stem + ".html" if index + 1 < len(NOTEBOOKS) else None
        if want_next:
            assert after and after[0].get_attribute("href").endswith("/" + want_next)
    took = time.monotonic() - start
    print(f"timing: sidebar and prev/next of {len(NOTEBOOKS)} pages in {took:.1f} s")


def test_formulas_are_typeset_by_the_sites_own_mathjax(browser):
    from selenium.webdriver.common.by import By

    browser.get(_page("01_numpy_gradient_descent.html"))
    count = "return document.querySelectorAll('.math').length"
    typeset = "return document.querySelectorAll('.math mjx-container').length"
    maths = browser.execute_script(count)
    assert maths > 10, "notebook 01 should have formulas (class 'math')"
    _wait(browser, lambda d: d.execute_script(typeset) >= maths, 30, "MathJax to typeset")
    scripts = browser.execute_script(LOADED_JS)["scripts"]
    assert [s for s in scripts if "/_static/mathjax/" in s], f"no local MathJax among {scripts}"
    _assert_nothing_from_the_web(browser)
    paragraph = browser.find_element(By.XPATH, "//p[.//mjx-container]")
    text = paragraph.get_attribute("innerText")
    assert "$" not in text and "\\(" not in text, f"raw LaTeX in {text!r}"
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", paragraph)
    _shot(browser, "formula")


def test_the_search_box_finds_the_stability_bound(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(_page("index.html"))
    browser.find_element(By.CSS_SELECTOR, ".bd-sidebar-primary .search-button-field").click()
    field = _wait(
        browser,
        lambda d: [
            e
            for e in d.find_elements(By.CSS_SELECTOR, "#pst-search-dialog input")
            if e.is_displayed()
        ],
        10,
        "the search dialog",
    )[0]
    field.send_keys("stability bound", Keys.ENTER)
    results = "return [...document.querySelectorAll('#search-results li a')].map(a => a.href)"
    hrefs = _wait(
        browser,
        lambda d: "search.html" in d.current_url and d.execute_script(results),
        30,
        "search results for 'stability bound'",
    )
    assert any(h.endswith("/06_learning_rate_and_landscape.html") for h in hrefs), hrefs
    _assert_nothing_from_the_web(browser)
    _shot(browser, "search")


def _solutions(path: Path) -> tuple[list[str], list[str]]:
    """The solution blocks of an instructor notebook (stripped lines, joined) and its lines
    that appear nowhere outside the solutions (the learner site must show neither)."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    outside = "\n".join(
        SOLUTION.sub("", c.source) if c.cell_type == "code" else c.source for c in nb.cells
    )
    blocks, lines = [], []
    for block in (b for source in code for b in SOLUTION.findall(source)):
        stripped = [line.strip() for line in block.split("\n") if line.strip()]
        blocks.append("\n".join(stripped))
        lines += [line for line in stripped if not line.startswith("#") and line not in outside]
    return blocks, lines


def test_no_solution_of_the_instructor_edition_is_in_the_learner_site(browser):
    from selenium.webdriver.common.by import By

    pages_js = """
    return {
      text: document.querySelector('article').innerText,
      code: [...document.querySelectorAll('article pre')].map(p => p.innerText.split('\\n')
              .map(l => l.trim()).filter(l => l).join('\\n')).join('\\n\\n'),
    };
    """
    checked = 0
    for path in NOTEBOOKS:
        blocks, lines = _solutions(path)
        browser.get(_page(path.stem + ".html"))
        page = browser.execute_script(pages_js)
        leaked = [b for b in blocks if b in page["code"]] + [
            ln for ln in lines if ln in page["text"]
        ]
        assert not leaked, f"{path.stem}.html shows solution code: {leaked}"
        if blocks:
            assert "# YOUR CODE HERE" in page["code"], f"{path.stem}.html lacks the placeholder"
            link = browser.find_element(By.CSS_SELECTOR, "p.course-links a.download-link")
            assert link.get_attribute("href").endswith(f"/notebooks/{path.name}")
        download = SITE / "notebooks" / path.name
        student = nbformat.read(download, as_version=4)
        assert student.metadata.get("course_edition") == "student", download
        shipped = download.read_text(encoding="utf-8")
        assert not [ln for ln in lines if json.dumps(ln)[1:-1] in shipped], download
        checked += len(blocks) + len(lines)
    index = (SITE / "searchindex.js").read_text(encoding="utf-8")
    assert "stabil" in index
    assert checked > 20, "the instructor notebooks should have solutions to look for"
    print(f"site: {checked} solution blocks and lines absent from the learner site")


def test_the_site_builder_leaves_the_course_pins_alone():
    """pip, asked to install site/requirements.txt into .venv with constraints.txt, resolves
    without changing a single installed package: the builder needs no other version of
    anything the notebooks print with. (Reads the package index; make site installs the
    builder in build/site-venv anyway, this shows the two sets agree.)"""
    report = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
            "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"),
            "-r", str(ROOT / "site" / "requirements.txt"),
        ],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr[-3000:]
    installs = json.loads(report.stdout)["install"]
    from importlib import metadata

    moved = []
    for item in installs:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        try:
            moved.append(f"{name} {metadata.version(name)} -> {version}")
        except metadata.PackageNotFoundError:
            pass  # new: the builder's own package
    assert not moved, f"installing the site builder would change course packages: {moved}"
    assert {i["metadata"]["name"].lower() for i in installs} >= {"sphinx", "myst-nb"}
