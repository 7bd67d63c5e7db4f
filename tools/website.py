"""Build the course website: Sphinx, myst-nb and the book theme, in two editions.

Usage: python -m tools.website [--edition student|instructor] [--out build/site] [--remote URL]
(`make site` installs the builder into build/site-venv and runs this with it.)

The learner site (``--edition student``, the default) shows the student edition built by
tools/student.py: exercises read ``# YOUR CODE HERE``, check outputs are cleared. The
instructor site shows notebooks/ with the solutions. Both render the recorded outputs without
executing anything. Each notebook page gets a line under its title with a Binder link (from
``--remote`` or git's ``origin``; without a GitHub remote the line says that Binder comes with
publishing) and a link to download the student edition's .ipynb, shipped in the site's
``notebooks/`` folder. The home page is the README's course description, notebook table and
credits; the teacher's guide (docs/teaching.md) is a page. Sphinx's configuration is site/conf.py.
Sources are assembled under build/site-src/ and rewritten only when they change, so a second
build renders only what changed.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import nbformat

from tools.atomic import write_atomically
from tools.binder_url import binder_url
from tools.course_notebooks import course_notebooks
from tools.student import build as build_student

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "site"
SOURCES = ROOT / "build" / "site-src"
OUT = {"student": ROOT / "build" / "site", "instructor": ROOT / "build" / "site-instructor"}
COURSE_TITLE = "Gradient Descent, from scratch to PyTorch"
#: The README's sections that make the home page, in this order.
HOME_SECTIONS = ("What this course is", "The notebooks", "Credits: the original tutorials")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EDITION_NOTES = {
    "student": "This is the learner edition: the exercises are left for you to solve "
    "(`# YOUR CODE HERE`). Under each notebook's title, a line lets you run it on Binder or "
    "download it.",
    "instructor": "This is the **instructor edition**: every exercise shows its solution and "
    "its recorded output. Learners get the learner site (`make site`), built from the student "
    "edition.",
}
#: A page must load nothing from another host: these attributes may only hold local URLs.
ASSET = re.compile(r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)=[\"']([^\"']+)[\"']")


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first Markdown heading of ``nb``, without Markdown emphasis."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def readme_sections(text: str, names: tuple[str, ...] = HOME_SECTIONS) -> dict[str, str]:
    """The body of each ``## name`` section of the README (up to the next ``## `` heading)."""
    parts = re.split(r"^## +(.+?)\s*$", text, flags=re.MULTILINE)
    found = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(
            f"README.md must have the sections {list(names)} (the site's home page); "
            f"got {list(found)} instead, without {missing}. Restore the heading or change "
            "HOME_SECTIONS in tools/website.py."
        )
    return {name: found[name] for name in names}


def home_page(readme: str, stems: list[str], *, edition: str) -> str:
    """The site's index.md: the README's description, notebook table and credits, the toctrees."""
    sections = readme_sections(readme)
    table = re.sub(
        r"`((\d\d_\w+)\.ipynb)`",
        lambda m: f"[`{m[1]}`]({m[1]})" if m[2] in stems else m[0],
        sections["The notebooks"],
    )
    pages = "\n".join(stems)
    return (
        f"# {COURSE_TITLE}\n\n{EDITION_NOTES[edition]}\n\n"
        f"{sections['What this course is']}\n\n## The notebooks\n\n{table}\n\n"
        f"## Credits: the original tutorials\n\n{sections['Credits: the original tutorials']}\n\n"
        f"```{{toctree}}\n:hidden:\n:caption: Notebooks\n\n{pages}\n```\n\n"
        "```{toctree}\n:hidden:\n:caption: For teachers\n\nteaching\n```\n"
    )


def binder_link(remote: str, notebook: str) -> str:
    """The Binder URL that opens ``my-work/<notebook>`` (tools/binder_url.py's, another page)."""
    url = urllib.parse.urlsplit(binder_url(remote))
    query = urllib.parse.urlencode({"labpath": f"my-work/{notebook}"}, safe="")
    return urllib.parse.urlunsplit(url._replace(query=query))


def links_line(notebook: str, *, remote: str | None) -> str:
    """The HTML line under a notebook's title: Binder, and the student edition's download."""
    download = (
        f'<a class="download-link" href="notebooks/{html.escape(notebook)}" download>'
        "download it</a> (student edition, .ipynb) and open it in JupyterLab"
    )
    if remote is None:
        binder = (
            '<span class="binder-link">(A "launch on Binder" link appears here once the course '
            "is published on GitHub.)</span>"
        )
        return f'<p class="course-links">Run this notebook yourself: {download}. {binder}</p>'
    url = html.escape(binder_link(remote, notebook))
    return (
        f'<p class="course-links">Run this notebook yourself: <a class="binder-link" '
        f'href="{url}">launch it on Binder</a> (in the browser, nothing to install) or '
        f"{download}.</p>"
    )


def with_links(nb: nbformat.NotebookNode, line: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``line`` put right under its title (its first heading)."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        match = HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            end = cell.source.find("\n", match.start(1))
            end = len(cell.source) if end < 0 else end
            parts = [cell.source[:end], line, cell.source[end:].strip()]
            cell.source = "\n\n".join(part for part in parts if part)
            return nb
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(line))
    return nb


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomically(path, text)
    return True


def assemble(
    notebooks: list[Path], src: Path, *, edition: str, downloads: Path, remote: str | None
) -> int:
    """Write the Sphinx sources of one edition into ``src``; return how many files changed.

    ``downloads``: the student edition, already built there by tools/student.py.
    """
    pages = {}
    for path in notebooks:
        chosen = downloads / path.name if edition == "student" else path
        nb = nbformat.read(chosen, as_version=4)
        pages[path.name] = nbformat.writes(with_links(nb, links_line(path.name, remote=remote)))
    stems = [Path(name).stem for name in pages]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages["index.md"] = home_page(readme, stems, edition=edition)
    pages["teaching.md"] = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    src.mkdir(parents=True, exist_ok=True)
    for stale in [*src.glob("*.ipynb"), *src.glob("*.md")]:  # renamed or removed notebooks
        if stale.name not in pages:
            stale.unlink()
    return sum(_write_if_changed(src / name, text) for name, text in pages.items())


def external_assets(out: Path) -> dict[str, list[str]]:
    """Scripts, styles, images or frames that a page of ``out`` would load from another host."""
    found = {}
    for page in sorted(out.rglob("*.html")):
        urls = ASSET.findall(page.read_text(encoding="utf-8", errors="replace"))
        remote = [u for u in urls if urllib.parse.urlsplit(u).scheme or u.startswith("//")]
        remote = [u for u in remote if not u.startswith("data:")]
        if remote:
            found[str(page.relative_to(out))] = remote
    return found


def origin() -> str | None:
    """git's ``origin`` URL, or None when this clone has none."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None if done.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--edition", default="student", help="student (default) or instructor")
    parser.add_argument("--out", type=Path, help="[build/site or build/site-instructor]")
    parser.add_argument("--remote", help="the course's GitHub URL [git's origin]")
    args = parser.parse_args(argv)
    if args.edition not in OUT:
        print(
            f"site: --edition must be 'student' (the learner site) or 'instructor'; got "
            f"{args.edition!r} instead. Run `make site` or `make site EDITION=instructor`.",
            file=sys.stderr,
        )
        return 2
    notebooks = course_notebooks(args.notebooks, "site")
    if notebooks is None:
        return 2
    remote = args.remote or origin()
    if remote is not None:
        try:
            binder_url(remote)
        except ValueError as err:
            if args.remote:
                print(f"site: {err}", file=sys.stderr)
                return 2
            print(
                f"site: git's origin {remote!r} is not on GitHub: no Binder links", file=sys.stderr
            )
            remote = None
    start = time.monotonic()
    out = args.out or OUT[args.edition]
    downloads = SOURCES / "downloads"
    try:
        build_student(notebooks, downloads / "notebooks")
    except ValueError as err:
        print(f"site: {err}", file=sys.stderr)
        return 1
    src = SOURCES / args.edition
    changed = assemble(
        notebooks, src, edition=args.edition, downloads=downloads / "notebooks", remote=remote
    )
    env = {**os.environ, "GD_SITE_EDITION": args.edition, "GD_SITE_DOWNLOADS": str(downloads)}
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(CONF), "-q"]
    command += ["-d", str(SOURCES / f"{args.edition}-doctrees"), str(src), str(out)]
    done = subprocess.run(command, env=env, check=False)
    if done.returncode != 0:
        print(f"site: Sphinx failed (exit {done.returncode}); see above", file=sys.stderr)
        return 1
    remote_assets = external_assets(out)
    if remote_assets:
        print(f"site: pages would load files from other hosts: {remote_assets}", file=sys.stderr)
        return 1
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    binder = f"Binder links to {remote}" if remote else "no GitHub remote: no Binder links"
    print(
        f"site: {shown}/ ({args.edition} edition, {len(notebooks)} notebooks, {changed} sources "
        f"changed, {binder}) in {time.monotonic() - start:.1f} s; open {shown}/index.html"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
