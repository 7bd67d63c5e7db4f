"""Record notebooks: execute each top to bottom in a fresh kernel and save its outputs.

Usage: python tools/record.py notebooks/01_numpy_gradient_descent.ipynb [...]
(`make record` runs it on every notebook, `make record NB=...` on one.)

The saved file depends only on the notebook's code and the pinned libraries: no execution
timings, no kernel or Python version, execution counts 1, 2, 3, ... in order. A notebook that
raises stops the recording, shows the cell and the error, and is left untouched on disk.
"""

from __future__ import annotations

import argparse
import configparser
import copy
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kernel_env

SANITIZE_CFG = Path(__file__).resolve().parent.parent / "notebooks" / "sanitize.cfg"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO_KEEP = (
    "name",
    "codemirror_mode",
    "file_extension",
    "mimetype",
    "nbconvert_exporter",
    "pygments_lexer",
)


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop everything that changes from run to run or machine to machine."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    info = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {k: info[k] for k in LANGUAGE_INFO_KEEP if k in info}
    for key in ("widgets", "papermill", "toc"):
        nb.metadata.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if not cell.get("id"):
            cell["id"] = f"cell-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = merge_adjacent_streams(cell.outputs)
            for output in cell.outputs:
                if output.get("output_type") == "execute_result":
                    output["metadata"] = {}
    return nb


def merge_adjacent_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks into one output, as Jupyter displays them.

    The kernel may flush one print in several messages depending on timing; merging makes the
    saved file independent of that.
    """
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def sanitize_rules(path: Path = SANITIZE_CFG) -> list[tuple[re.Pattern, str]]:
    """The nbval sanitize rules (regex, replacement), read from notebooks/sanitize.cfg."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def same_up_to_sanitizing(old: nbformat.NotebookNode, new: nbformat.NotebookNode) -> bool:
    """True when the two notebooks differ only where nbval's sanitize rules mask (timings...).

    Then the file on disk is kept, so that re-recording an unchanged notebook changes nothing.
    """

    rules = sanitize_rules()

    def clean(text: str) -> str:
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text

    def masked(nb: nbformat.NotebookNode) -> str:
        nb = copy.deepcopy(nb)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if "text" in output:
                    output["text"] = clean(output["text"])
                for key, value in output.get("data", {}).items():
                    if isinstance(value, str) and key.startswith("text/"):
                        output["data"][key] = clean(value)
        return nbformat.writes(nb)

    return masked(old) == masked(new)


def record(path: Path, *, timeout: int) -> bool:
    """Execute ``path`` and write it back if its content changed. Returns False on error."""
    original = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(original)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=False,
        # quiet the kernel's own log (e.g. its note on local TCP transport); cell errors still show
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    start = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        print(f"record: {path} FAILED; the file on disk is unchanged.", file=sys.stderr)
        print(str(err), file=sys.stderr)
        return False
    nbformat.validate(nb)
    nb = normalize(nb)
    text = nbformat.writes(nb) + "\n"
    changed = text != path.read_text(encoding="utf-8") and not same_up_to_sanitizing(original, nb)
    if changed:
        path.write_text(text, encoding="utf-8")
    took = time.perf_counter() - start
    print(f"record: {path} {'updated' if changed else 'unchanged'} ({took:.1f} s)")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    if not args.notebooks:
        print(
            "record: no notebook given; expected paths like notebooks/01_x.ipynb", file=sys.stderr
        )
        return 2
    missing = [p for p in args.notebooks if not p.is_file() or p.suffix != ".ipynb"]
    if missing:
        for p in missing:
            print(
                f"record: notebook {str(p)!r} not found; expected an existing .ipynb file such as "
                "notebooks/01_numpy_gradient_descent.ipynb (see 'ls notebooks/').",
                file=sys.stderr,
            )
        return 2
    kernel_env.apply()
    for path in args.notebooks:
        if not record(path, timeout=args.timeout):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
