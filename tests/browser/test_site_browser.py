"""A real browser reads the learner site (`make site`), as a learner would, with no network.

Run with `make test-site` (it builds the site, installs Chromium when needed and sets
GD_SITE_TEST=1). Under `make test` and `make test-browser` these tests are skipped.

Headless Chromium opens build/site/ from file:// with every host name unresolvable, so a page
that needed the network would show it. The tests check that the sidebar lists every notebook in
course order with previous/next links; that on every page the formulas are typeset by the site's
own MathJax and no `$` or TeX command is left in the prose; that the search box and the search
index find "stability bound" on exactly the pages that say it; that no solution of the
instructor edition appears in the learner site, neither on a rendered page nor in any of its
files (pages, searchindex.js, downloads); and that each page links the student edition's
notebook. Screenshots go to build/browser/site-*.png. One more test asks pip whether the site
builder could be installed beside the course without moving any of its pins (it reads the
package index, and skips when it cannot reach it).

Environment variables: GD_SITE_DIR, the site to test [build/site]; CHROMIUM, CHROMEDRIVER.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.browser import site_files
from tests.browser.chromium import chromium, wait
from tools.website import notebook_title

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GD_SITE_DIR", ROOT / "build" / "site")).resolve()
SHOTS = ROOT / "build" / "browser"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("GD_SITE_TEST") != "1",
        reason="the site's browser test runs with `make test-site` (set GD_SITE_TEST=1)",
    ),
]

# No host name resolves: anything the pages would fetch from the web fails to load.
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND",)

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
    with chromium(
        tmp_path_factory.mktemp("chromium"), target="test-site", extra_flags=OFFLINE, eager=True
    ) as driver:  # eager: the DOM is enough; the tests wait for MathJax
        yield driver


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


# Text of a page's article outside typeset maths and code: a `$` or a TeX command there is maths
# that MyST's dollarmath paired wrongly (or not at all), shown raw to the learner.
RAW_TEX_JS = r"""
const root = document.querySelector('article') || document.querySelector('main') || document.body;
const raw = [];
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (n.parentElement.closest('mjx-container, pre, code, script, style')) continue;
  if (/\$|\\[a-zA-Z]+/.test(n.textContent)) raw.push(n.textContent.trim().slice(0, 160));
}
return {raw: raw, errors: [...root.querySelectorAll('mjx-merror')].map(e => e.textContent)};
"""


def test_formulas_are_typeset_by_the_sites_own_mathjax(browser):
    """Every page of the learner site (notebooks, home page, teacher's guide, search, index)."""
    from selenium.webdriver.common.by import By

    start = time.monotonic()
    count = "return document.querySelectorAll('.math').length"
    typeset = "return document.querySelectorAll('.math mjx-container').length"
    pages = sorted(p.name for p in SITE.glob("*.html"))
    assert {"index.html", "teaching.html"} | {p.stem + ".html" for p in NOTEBOOKS} <= set(pages)
    found, formulas = {}, 0
    for name in pages:
        browser.get(_page(name))
        maths = browser.execute_script(count)
        if maths:
            wait(
                browser, lambda d, n=maths: d.execute_script(typeset) >= n, 30, f"MathJax on {name}"
            )
            scripts = browser.execute_script(LOADED_JS)["scripts"]
            assert [s for s in scripts if "/_static/mathjax/" in s], f"{name}: no local MathJax"
        _assert_nothing_from_the_web(browser)
        page = browser.execute_script(RAW_TEX_JS)
        if page["raw"] or page["errors"]:
            found[name] = page
        formulas += maths
    assert not found, (
        "raw TeX in the prose ($ or \\command outside typeset maths: put each $$...$$ on its own "
        f"lines, with a blank line before and after) or MathJax errors: {found}"
    )
    assert formulas > 100, f"the course should have formulas (class 'math'); found {formulas}"
    browser.get(_page("01_numpy_gradient_descent.html"))
    paragraph = wait(
        browser, lambda d: d.find_elements(By.XPATH, "//p[.//mjx-container]"), 30, "a formula"
    )[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", paragraph)
    _shot(browser, "formula")
    took = time.monotonic() - start
    print(f"timing: {formulas} formulas on {len(pages)} pages typeset, no raw TeX, in {took:.1f} s")


def test_the_search_box_finds_the_stability_bound(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(_page("index.html"))
    browser.find_element(By.CSS_SELECTOR, ".bd-sidebar-primary .search-button-field").click()
    field = wait(
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
    finished = "return document.querySelector('#search-results .search-summary')?.innerText"
    status = wait(
        browser,
        lambda d: (
            "search.html" in d.current_url and "finished" in (d.execute_script(finished) or "")
        ),
        30,
        "search results for 'stability bound'",
    )
    hrefs = browser.execute_script(results)
    assert hrefs, status
    assert any(h.endswith("/06_learning_rate_and_landscape.html") for h in hrefs), hrefs
    _assert_nothing_from_the_web(browser)
    _shot(browser, "search")
    # The index behind it: "stability" and "bound" stem to these two (Sphinx's English stemmer);
    # the pages holding both are exactly the pages whose article says "stability bound".
    index = site_files.search_index(SITE)
    found = site_files.pages_with_all(index, ["stabil", "bound"])
    saying = {
        doc for doc in index["docnames"]
        if "stability bound" in site_files.article_text(SITE / f"{doc}.html")
    }  # fmt: skip
    assert {"06_learning_rate_and_landscape", "teaching"} <= saying
    assert found == saying, f"search index: {sorted(found)}; pages that say it: {sorted(saying)}"
    results = {h.rsplit("/", 1)[-1].split("#")[0].removesuffix(".html") for h in hrefs}
    assert results == saying, f"search results {sorted(results)}; expected {sorted(saying)}"


def test_no_solution_of_the_instructor_edition_is_on_a_rendered_page(browser):
    """Every page as the browser shows it: article text and code blocks."""
    from selenium.webdriver.common.by import By

    pages_js = """
    const root = document.querySelector('article') || document.querySelector('main');
    return {
      text: root.innerText,
      code: [...root.querySelectorAll('pre')].map(p => p.innerText).join('\\n\\n'),
    };
    """
    found = site_files.solutions(NOTEBOOKS)
    pages = sorted(p.name for p in SITE.glob("*.html"))
    for name in pages:
        blocks, lines = site_files.forbidden(found, name)
        browser.get(_page(name))
        page = browser.execute_script(pages_js)
        leaked = site_files.leaks(page["code"] + "\n" + page["text"], blocks, lines)
        assert not leaked, f"{name} shows solution code: {leaked}"
        notebook = f"{Path(name).stem}.ipynb"
        if found.get(notebook):
            assert "# YOUR CODE HERE" in page["code"], f"{name} lacks the placeholder"
            link = browser.find_element(By.CSS_SELECTOR, "p.course-links a.download-link")
            assert link.get_attribute("href").endswith(f"/notebooks/{notebook}")
    checked = sum(len(v) for k, v in found.items() if k.endswith(".ipynb")) + len(found["lines"])
    assert checked > 40, "the instructor notebooks should have solutions to look for"
    print(f"site: {checked} solution blocks and lines absent from {len(pages)} rendered pages")


def test_no_solution_of_the_instructor_edition_is_in_any_file_of_the_learner_site():
    """Every file of the site: HTML pages without their tags, searchindex.js and other scripts,
    the downloads (cells and outputs), objects.inv; images and fonts are skipped."""
    start = time.monotonic()
    found = site_files.solutions(NOTEBOOKS)
    leaked, files = {}, 0
    for path in sorted(p for p in SITE.rglob("*") if p.is_file()):
        relative = path.relative_to(SITE).as_posix()
        try:
            text = site_files.file_text(path)
        except UnicodeDecodeError:
            why = "is neither text nor an image or font (site_files.BINARY): add its suffix there"
            pytest.fail(f"{relative} {why} if it holds no text, or read it in site_files.file_text")
        if text is not None:
            files += 1
            leaked[relative] = site_files.leaks(text, *site_files.forbidden(found, relative))
    leaked = {name: hits for name, hits in leaked.items() if hits}
    assert not leaked, f"solution code in the learner site's files: {leaked}"
    for path in NOTEBOOKS:
        student = nbformat.read(SITE / "notebooks" / path.name, as_version=4)
        assert student.metadata.get("course_edition") == "student", path.name
    names = {p.name for p in SITE.iterdir()}
    assert {"index.html", "teaching.html", "searchindex.js", "notebooks"} <= names, names
    took = time.monotonic() - start
    print(f"site: no solution in {files} text files of {SITE.name}/ ({took:.1f} s)")


def test_the_site_builder_leaves_the_course_pins_alone():
    """pip, asked to install site/requirements.txt into .venv's environment with nothing but
    the builder's own pins, would install no course package (constraints.txt) at another
    version than its pin: the builder needs no other version of anything the notebooks print
    with, so `make site`'s `-c constraints.txt` in build/site-venv changes nothing the builder
    asked for. (Reads the package index; skips when it cannot be reached.)"""
    start = time.monotonic()
    report = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
            "--disable-pip-version-check", "-r", str(ROOT / "site" / "requirements.txt"),
        ],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    unreachable = re.search(
        r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
        r"resolution|Network is unreachable|ConnectTimeout|ProxyError|Read timed out|"
        r"requirement \S+ \(from versions: none\)",  # --quiet hides the connection errors
        report.stderr,
    )
    if report.returncode != 0 and unreachable:
        pytest.skip(
            f"the package index cannot be reached (pip: {unreachable[0]}), so pip cannot tell "
            "which versions the site builder would install here"
        )
    assert report.returncode == 0, report.stderr[-3000:]
    installs = {
        item["metadata"]["name"]: item["metadata"]["version"]
        for item in json.loads(report.stdout)["install"]
    }
    assert {name.lower() for name in installs} >= {"sphinx", "myst-nb", "sphinx-book-theme"}
    moved = _moved(installs, _pins(ROOT / "constraints.txt"))
    assert not moved, (
        f"the site builder needs course packages at other versions than constraints.txt's: "
        f"{moved}; choose builder versions that accept the course's pins"
    )
    print(f"timing: pip's dry run of the site builder in {time.monotonic() - start:.1f} s")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].split(";", 1)[0].strip().partition("==")
        if sep:
            pins[_canonical(name)] = version.strip()
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _moved(installs: dict[str, str], pins: dict[str, str]) -> list[str]:
    """The packages pip would install at another version than the course's pin or than the
    one installed in this environment."""
    from importlib import metadata

    moved = []
    for name, version in installs.items():
        pinned = pins.get(_canonical(name))
        if pinned is not None and pinned != version:
            moved.append(f"{name} {version} (constraints.txt: {pinned})")
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # new: the builder's own package, pinned in site/requirements.txt
        if installed != version:
            moved.append(f"{name} {installed} -> {version}")
    return moved
