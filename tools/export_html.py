"""Export the course to static HTML: one page per notebook, outputs and figures embedded.

Usage: python tools/export_html.py [--out build/html] [notebooks/01_x.ipynb ...]
(`make html` exports every notebook of the instructor edition.)

Each page is a single file: figures are embedded as data URIs, the CSS is inline, and the
require.js, widget and mermaid scripts of nbconvert's "lab" template are left out (the course
has no widgets). MathJax renders the formulas: when a local MathJax 2 is installed (Debian's
libjs-mathjax, /usr/share/javascript/mathjax) it is copied into the output folder and the pages
need no network at all; otherwise it comes from a CDN and, offline, formulas show as LaTeX.
``index.html`` lists the pages in course order with each notebook's title (its first heading).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from atomic import write_atomically
from course_notebooks import course_notebooks
from jinja2 import DictLoader
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "html"
LOCAL_MATHJAX = Path("/usr/share/javascript/mathjax")
MATHJAX_CONFIG = "?config=TeX-AMS_CHTML-full,Safe"

TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block body_header -%}
{{ super() }}
{{ resources.course_nav }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.course_nav }}
{{ super() }}
{%- endblock body_footer -%}
"""

NAV_STYLE = (
    "font-family: sans-serif; font-size: 14px; padding: 8px 16px; "
    "display: flex; gap: 24px; border-bottom: 1px solid #ddd;"
)

INDEX = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 48em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #222; }}
ul {{ list-style: none; padding-left: 0; }}
li {{ margin: 0.4em 0; }}
.file {{ color: #777; font-size: 0.85em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Every notebook of the course with its recorded outputs ({edition} edition). Read them in
order; to run and change the code, open the notebooks in JupyterLab (<code>make lab</code>).</p>
<ul>
{items}
</ul>
</body>
</html>
"""

COURSE_TITLE = "Gradient Descent, from scratch to PyTorch"
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first Markdown heading of ``nb``, without Markdown emphasis."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def _nav(pages: list[tuple[str, str]], index: int) -> str:
    links = ['<a href="index.html">Contents</a>']
    if index > 0:
        name, title = pages[index - 1]
        links.append(f'<a href="{name}">← {html.escape(title)}</a>')
    if index + 1 < len(pages):
        name, title = pages[index + 1]
        links.append(f'<a href="{name}">{html.escape(title)} →</a>')
    return f'<nav class="course-nav" style="{NAV_STYLE}">{" ".join(links)}</nav>'


def make_exporter(*, mathjax_url: str | None = None) -> HTMLExporter:
    options = {"mathjax_url": mathjax_url} if mathjax_url else {}
    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"course.html.j2": TEMPLATE})],
        template_file="course.html.j2",
        embed_images=True,
        **options,
    )


def copy_mathjax(source: Path, out: Path) -> str:
    """Copy a MathJax 2 folder into ``out/mathjax``; return the URL the pages load it from."""
    if not (source / "MathJax.js").is_file():
        raise ValueError(f"{source} is not a MathJax 2 folder (it has no MathJax.js)")
    target = out / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("unpacked", "test"))
    return "mathjax/MathJax.js" + MATHJAX_CONFIG


def export(
    notebooks: list[Path],
    out: Path,
    *,
    edition: str = "instructor",
    mathjax: Path | None = None,
) -> list[Path]:
    """Write one HTML page per notebook and ``index.html`` into ``out``; return the pages.

    ``mathjax``: a local MathJax 2 folder to copy next to the pages (default: load it from a CDN).
    """
    if any(path.parent.resolve() == out.resolve() for path in notebooks):
        raise ValueError(f"the output folder {out} must not be the folder of the notebooks")
    nbs = [nbformat.read(path, as_version=4) for path in notebooks]
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.html"):  # pages of renamed or removed notebooks
        stale.unlink()
    pages = [
        (path.with_suffix(".html").name, notebook_title(nb, path.stem))
        for path, nb in zip(notebooks, nbs, strict=True)
    ]
    exporter = make_exporter(mathjax_url=copy_mathjax(mathjax, out) if mathjax else None)
    written = []
    for index, (path, nb) in enumerate(zip(notebooks, nbs, strict=True)):
        name, title = pages[index]
        resources = {
            "metadata": {"name": title, "path": str(path.parent)},
            "course_nav": _nav(pages, index),
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        write_atomically(out / name, body)
        written.append(out / name)
    items = "\n".join(
        f'<li><a href="{name}">{html.escape(title)}</a> <span class="file">{name}</span></li>'
        for name, title in pages
    )
    index_html = INDEX.format(title=html.escape(COURSE_TITLE), edition=edition, items=items)
    write_atomically(out / "index.html", index_html)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--edition", default="instructor", help="named on the index page")
    parser.add_argument(
        "--mathjax",
        default="auto",
        help="a local MathJax 2 folder to copy next to the pages, 'cdn' to load MathJax from "
        f"the web, or 'auto' (default): {LOCAL_MATHJAX} when installed, else the web",
    )
    args = parser.parse_args(argv)
    notebooks = course_notebooks(args.notebooks, "html")
    if notebooks is None:
        return 2
    if args.mathjax == "auto":
        mathjax = LOCAL_MATHJAX if (LOCAL_MATHJAX / "MathJax.js").is_file() else None
    else:
        mathjax = None if args.mathjax == "cdn" else Path(args.mathjax)
    try:
        pages = export(notebooks, args.out, edition=args.edition, mathjax=mathjax)
    except ValueError as err:
        print(f"html: {err}", file=sys.stderr)
        return 1
    for page in pages:
        shown = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
        print(f"html: {shown} ({page.stat().st_size / 1e6:.1f} MB)")
    where = f"local copy in {args.out / 'mathjax'}" if mathjax else "loaded from a CDN"
    print(f"html: formulas by MathJax, {where}")
    print(f"html: open {args.out / 'index.html'} in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
