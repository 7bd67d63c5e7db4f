"""Regenerate the tables of docs/teaching.md (run from the repository root, with .venv).

Usage: python tools/teaching_tables.py [timings.log]
rewrites the GENERATED blocks of docs/teaching.md;
timings.log: output of `pytest -s tests/test_student_edition.py` (its `timing:` lines).
"""

import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, "tools")
import export_html
from atomic import write_atomically

import gdhelpers.exercises as ex

ROOT = Path(".")
DOC = ROOT / "docs" / "teaching.md"
ex._load_all()
REG = ex._core._REGISTRY

times = {}
if len(sys.argv) > 1:
    for m in re.finditer(
        r"timing: (\S+\.ipynb) student edition executed in ([\d.]+) s",
        Path(sys.argv[1]).read_text(),
    ):
        times[m.group(1)] = float(m.group(2))

CHECK = re.compile(r"""\bgd\.check\(\s*["']([^"']+)["']""")
notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
rows, ex_rows, used = [], [], set()
for path in notebooks:
    nb = nbformat.read(path, as_version=4)
    title = export_html.notebook_title(nb, path.stem)
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    names = []
    for i, c in enumerate(code_cells):
        if "### BEGIN SOLUTION" in c.source:
            head = c.source.split("### BEGIN SOLUTION")[0]
            defs = re.findall(r"^\s*def (\w+)\(([^)]*)\)", head, re.M)
            func = f"`{defs[-1][0]}({defs[-1][1]})`" if defs else "?"
            doc = re.search(r'"""(.+?)(?:"""|\n)', head)
            nxt = code_cells[i + 1].source if i + 1 < len(code_cells) else ""
            name = (CHECK.findall(nxt) or ["?"])[0]
            names.append(name)
            used.add(name)
            hint = REG[name].hint if name in REG else ""
            k = nb.cells.index(c)
            heading = None
            while k > 0 and heading is None:
                k -= 1
                if nb.cells[k].cell_type == "markdown":
                    exercise_heading = r"^#+\s*Exercise\s*\d*\s*[:.]\s*(.+)$"
                    found = re.findall(exercise_heading, nb.cells[k].source, re.M)
                    heading = found[-1].strip() if found else None
                elif "### BEGIN SOLUTION" in nb.cells[k].source:
                    break
            if heading:
                what = heading[0].upper() + heading[1:]
            else:
                what = doc.group(1).strip() if doc else hint.split(". ")[0].rstrip(".") + "."
            ex_rows.append(f"| {path.name[:2]} | `{name}` | {func} | {what} |")
    run = f"{times[path.name]:.0f} s" if path.name in times else "TBD"
    minutes = words / 100 + 10 * len(names)
    cls = f"~{max(5, 5 * round(minutes / 5)):.0f} min"
    rows.append(f"| `{path.name}` | {title} | {run} | {len(names)} | {cls} |")
for name in sorted(set(REG) - used):
    nn = name[:2]
    if not any(p.name.startswith(nn) for p in notebooks):
        hint = REG[name].hint.split(". ")[0].rstrip(".") + "."
        ex_rows.append(f"| {nn} | `{name}` | (notebook not written yet) | hint: {hint} |")
ex_rows.sort(key=lambda r: r.split("|")[1])

nb_table = "\n".join(
    [
        "| notebook | title | runs in | exercises | class time (rough) |",
        "| --- | --- | --- | --- | --- |",
        *rows,
    ]
)
ex_table = "\n".join(
    [
        "| nb | exercise (`gd.check` name) | learners write | title in the notebook |",
        "| --- | --- | --- | --- |",
        *ex_rows,
    ]
)


def fill(text, key, table):
    pattern = re.compile(
        rf"(<!-- BEGIN GENERATED {key} -->\n)(?:.*?\n)?(<!-- END GENERATED {key} -->)", re.S
    )
    assert pattern.search(text), key
    return pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)


text = DOC.read_text()
text = fill(text, "notebooks", nb_table)
text = fill(text, "exercises", ex_table)
write_atomically(DOC, text)
print(nb_table)
print(ex_table)
