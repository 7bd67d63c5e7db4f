"""What tests/browser/test_site_browser.py looks for in a built site's files, without a browser.

The solutions of the instructor notebooks, the text of every file of a site (HTML pages without
their tags, the shipped notebooks' cells, scripts such as searchindex.js, compressed inventories),
and which pages Sphinx's search index gives for a query's stems.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from pathlib import Path

import nbformat

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", re.DOTALL)
TAG = re.compile(r"<[^>]*>")
#: Files of a site that hold no text (images, fonts, compiled translations).
BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".mo"}


def solutions(notebooks: list[Path]) -> dict[str, list[str]]:
    """What a learner-facing file must not show of the instructor notebooks' solutions.

    Keys: each notebook's name, its solution blocks (non-empty lines stripped, joined by
    newlines); ``"secret"``, the blocks of all notebooks that no notebook shows outside a
    solution (a later notebook may reuse an earlier exercise's code in the open); ``"lines"``,
    the stripped solution lines, comments excepted, that appear nowhere in any notebook outside
    a solution.
    """
    books = {path.name: nbformat.read(path, as_version=4) for path in notebooks}
    outside = "\n".join(
        SOLUTION.sub("", c.source) if c.cell_type == "code" else c.source
        for nb in books.values()
        for c in nb.cells
    )
    shown = normalise(outside)
    found = {"secret": [], "lines": []}
    for name, nb in books.items():
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        found[name] = [normalise(block) for source in code for block in SOLUTION.findall(source)]
        found["secret"] += [block for block in found[name] if block not in shown]
        found["lines"] += [
            line
            for block in found[name]
            for line in block.split("\n")
            if not line.startswith("#") and line not in outside
        ]
    return found


def forbidden(found: dict[str, list[str]], relative: str) -> tuple[list[str], list[str]]:
    """The blocks and lines that the site's file ``relative`` must not contain.

    A notebook's page and download: its own solutions and the secret ones. Any other file
    (home page, teacher's guide, search index, ...): every solution block of the course.
    """
    stem = Path(relative).stem
    own = [name for name in found if name.endswith(".ipynb") and Path(name).stem == stem]
    if own and relative in {f"{stem}.html", f"notebooks/{stem}.ipynb"}:
        blocks = found[own[0]] + found["secret"]
    else:
        blocks = [b for name, bs in found.items() if name.endswith(".ipynb") for b in bs]
    return blocks, found["lines"]


def normalise(text: str) -> str:
    """``text``'s non-empty lines, stripped, joined by newlines (indentation and markup gone)."""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _notebook_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += [str(value) for value in output.get("data", {}).values()]
    return "\n".join(parts)


def file_text(path: Path) -> str | None:
    """The text of one file of a site as a reader would find it; None for images and fonts.

    HTML: without tags, entities decoded (the raw file too, for attributes); notebooks: cell
    sources and outputs; ``objects.inv``: decompressed; anything else: the file, and its JSON
    string escapes decoded. Raises UnicodeDecodeError for a binary file of another kind.
    """
    if path.suffix.lower() in BINARY:
        return None
    if path.suffix == ".ipynb":
        return _notebook_text(path)
    data = path.read_bytes()
    if path.suffix == ".inv":  # four header lines, then zlib
        head = data.split(b"\n", 4)
        return b"\n".join(head[:4]).decode() + "\n" + zlib.decompress(head[4]).decode()
    text = data.decode("utf-8")
    if path.suffix in {".html", ".htm"}:
        return html.unescape(TAG.sub("", text)) + "\n" + html.unescape(text)
    try:  # searchindex.js and other scripts hold JSON strings: "a\nb", "\u00e9"
        decoded = json.loads(f'"{text}"', strict=False)
    except ValueError:
        decoded = text.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
    return text + "\n" + decoded


def leaks(text: str, blocks: list[str], lines: list[str]) -> list[str]:
    """The solution blocks and solution-only lines that ``text`` contains."""
    flat = normalise(text)
    return [b for b in blocks if b in flat] + [ln for ln in lines if ln in text]


def search_index(site: Path) -> dict:
    """The data of ``site``'s searchindex.js (``Search.setIndex({...})``)."""
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def pages_with_all(index: dict, stems: list[str]) -> set[str]:
    """The documents that hold every stem in their text or titles: Sphinx's search results."""
    found = None
    for stem in stems:
        docs = set()
        for table in ("terms", "titleterms"):
            value = index[table].get(stem, [])
            docs |= {value} if isinstance(value, int) else set(value)
        found = docs if found is None else found & docs
    return {index["docnames"][i] for i in found or ()}


def article_text(page: Path) -> str:
    """The text of a page's ``<article>``, tags gone, whitespace collapsed, lower case."""
    text = page.read_text(encoding="utf-8")
    match = re.search(r"<article\b.*?</article>", text, re.DOTALL)
    body = html.unescape(TAG.sub(" ", match.group(0) if match else ""))
    return " ".join(body.split()).lower()
