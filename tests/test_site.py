"""The course website's assembly (tools/website.py) and its pinned builder, without Sphinx.

The real build and a browser reading it are `make test-site` (tests/browser/test_site_browser.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import website
from tools.student import build as build_student

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REMOTE = "https://github.com/someone/gd-course"


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and re.fullmatch(r"[0-9][0-9A-Za-z.+]*", version), (
                f"{path.name}: {line!r} must be an exact pin name==version"
            )
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_site_builder_is_pinned_exactly_and_pins_nothing_of_the_course():
    site = _pins(ROOT / "site" / "requirements.txt")
    course = _pins(ROOT / "constraints.txt")
    assert {"sphinx", "myst-nb", "sphinx-book-theme", "sphinx-mathjax-offline"} <= set(site)
    shared = sorted(set(site) & set(course))
    assert not shared, f"site/requirements.txt pins course packages (constraints.txt's): {shared}"


def test_home_page_is_the_readmes_description_table_and_credits_with_the_notebooks_in_order():
    readme = (ROOT / "README.md").read_text()
    stems = [p.stem for p in NOTEBOOKS]
    page = website.home_page(readme, stems, edition="student")
    assert page.startswith(f"# {website.COURSE_TITLE}\n")
    assert "the algorithm that trains almost every neural" in page
    assert "Patrick Loeber" in page and "## Credits: the original tutorials" in page
    assert f"[`{NOTEBOOKS[1].name}`]({NOTEBOOKS[1].name})" in page  # the table links the pages
    toctree = page.split(":caption: Notebooks\n\n", 1)[1].split("\n```", 1)[0]
    assert toctree.split("\n") == stems
    assert "teaching" in page.split(":caption: For teachers", 1)[1]
    assert "instructor edition" in website.home_page(readme, stems, edition="instructor")


def test_a_readme_without_a_home_page_section_is_named():
    readme = "# Course\n\n## What this course is\n\nText.\n\n## Credits: the original tutorials\n"
    with pytest.raises(ValueError, match=r"must have the sections .*; got .* instead, without "):
        website.readme_sections(readme)


def test_each_page_links_binder_at_its_own_notebook_and_the_student_download():
    line = website.links_line("03_nn_training_pipeline.ipynb", remote=REMOTE)
    assert (
        'href="https://mybinder.org/v2/gh/someone/gd-course/HEAD?'
        'labpath=my-work%2F03_nn_training_pipeline.ipynb"' in line
    )
    assert 'href="notebooks/03_nn_training_pipeline.ipynb" download' in line
    offline = website.links_line("03_nn_training_pipeline.ipynb", remote=None)
    assert "mybinder" not in offline and "once the course is published on GitHub" in offline
    assert 'href="notebooks/03_nn_training_pipeline.ipynb" download' in offline
    with pytest.raises(ValueError, match="must be a GitHub repository"):
        website.links_line("03_nn_training_pipeline.ipynb", remote="https://gitlab.com/a/b")


def test_the_links_go_right_under_the_title_of_a_copy():
    nb = new_notebook(cells=[new_markdown_cell("# 01 · Title\n\nIntro."), new_code_cell("1")])
    out = website.with_links(nb, "<p>LINKS</p>")
    assert out.cells[0].source == "# 01 · Title\n\n<p>LINKS</p>\n\nIntro."
    assert nb.cells[0].source == "# 01 · Title\n\nIntro."  # the original is untouched
    untitled = website.with_links(new_notebook(cells=[new_code_cell("1")]), "<p>LINKS</p>")
    assert untitled.cells[0].source == "<p>LINKS</p>"


def test_notebook_title_is_the_first_heading_without_emphasis():
    nb = new_notebook(cells=[new_markdown_cell("Intro.\n\n## 99 · *Synthetic* `nb`\n\nText.")])
    assert website.notebook_title(nb, "fallback") == "99 · Synthetic nb"
    assert website.notebook_title(new_notebook(), "fallback") == "fallback"


def test_external_assets_are_found_local_ones_are_not(tmp_path):
    (tmp_path / "a.html").write_text(
        '<script src="_static/x.js"></script><img src="data:image/png;base64,AA">'
        '<a href="https://example.org">a plain link is fine</a>'
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text(
        '<script defer src="https://cdn.example/mathjax.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
    )
    assert website.external_assets(tmp_path) == {
        "sub/b.html": ["https://cdn.example/mathjax.js", "//fonts.example/css"]
    }


def _course(tmp_path: Path) -> list[Path]:
    """Two notebooks, the second with a solution, in tmp_path/notebooks."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    first = new_notebook(cells=[new_markdown_cell("# 98 · First\n\nText $x^2$.")])
    solved = new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    return x * 42 + 7\n    ### END SOLUTION"
    )
    second = new_notebook(cells=[new_markdown_cell("# 99 · Second"), solved])
    paths = [folder / "98_first.ipynb", folder / "99_second.ipynb"]
    for path, nb in zip(paths, [first, second], strict=True):
        nbformat.write(nb, path)
    return paths


@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_assemble_writes_one_edition_and_rewrites_only_what_changed(tmp_path, edition):
    notebooks = _course(tmp_path)
    downloads = tmp_path / "downloads"
    build_student(notebooks, downloads)
    src = tmp_path / "src"
    src.mkdir()
    (src / "97_removed.ipynb").write_text("{}")
    changed = website.assemble(notebooks, src, edition=edition, downloads=downloads, remote=None)
    assert changed == 4
    assert sorted(p.name for p in src.iterdir()) == [
        "98_first.ipynb", "99_second.ipynb", "index.md", "teaching.md",
    ]  # fmt: skip
    second = (src / "99_second.ipynb").read_text()
    assert ("return x * 42 + 7" in second) is (edition == "instructor")
    assert ("# YOUR CODE HERE" in second) is (edition == "student")
    assert "course-links" in second and "notebooks/99_second.ipynb" in second
    stamp = (src / "index.md").stat().st_mtime_ns
    again = website.assemble(notebooks, src, edition=edition, downloads=downloads, remote=None)
    assert again == 0 and (src / "index.md").stat().st_mtime_ns == stamp
    third = website.assemble(notebooks, src, edition=edition, downloads=downloads, remote=REMOTE)
    assert third == 2  # the two notebook pages gain their Binder link


def test_main_refuses_a_wrong_edition_and_a_remote_binder_cannot_build(capsys):
    assert website.main(["--edition", "learner"]) == 2
    err = capsys.readouterr().err
    assert "--edition must be 'student' (the learner site) or 'instructor'; got 'learner'" in err
    assert website.main(["--remote", "https://gitlab.com/someone/gd-course"]) == 2
    assert "must be a GitHub repository" in capsys.readouterr().err


def test_an_origin_binder_cannot_build_only_drops_the_binder_links(monkeypatch, capsys):
    monkeypatch.setattr(website, "origin", lambda: "https://gitlab.com/someone/gd-course")

    def stop(notebooks, out):  # the build would start here
        raise ValueError("stopped before building")

    monkeypatch.setattr(website, "build_student", stop)
    assert website.main([]) == 1
    err = capsys.readouterr().err
    assert "'https://gitlab.com/someone/gd-course' is not on GitHub: no Binder links" in err
    assert "stopped before building" in err


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_html_is_make_site_and_passes_the_edition_and_remote():
    run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "html", "EDITION=instructor", f"REMOTE={REMOTE}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"-m tools.website --edition 'instructor' --remote '{REMOTE}'" in run.stdout
    assert "export_html" not in run.stdout
