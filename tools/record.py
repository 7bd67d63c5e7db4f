"""Record notebooks: execute each top to bottom in a fresh kernel and save its outputs.

Usage: python -m tools.record notebooks/01_numpy_gradient_descent.ipynb [...]
(`make record` runs it on every notebook, `make record NB=...` on one.)

The saved file depends only on the notebook's code and the pinned libraries: no execution
timings, no kernel or Python version, execution counts 1, 2, 3, ... in order. A notebook that
raises stops the recording, shows the cell and the error, and is left untouched on disk.
"""

from __future__ import annotations

import argparse
import base64
import configparser
import copy
import io
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from PIL import Image

from tools import kernel_env
from tools.atomic import write_atomically
from tools.course_notebooks import course_notebooks
from tools.outputs_compare import texts_match

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


def edited_cells(path: Path) -> set[str] | None:
    """Ids of the cells whose source differs from the committed version of ``path`` (git HEAD).

    Rounding tolerance is for re-running unchanged code on another CPU. A cell whose code was
    edited since the last commit may print other digits on purpose (a new format), so its
    outputs are compared exactly. None when there is no committed version to compare with:
    then every cell counts as edited.
    """
    try:
        top = subprocess.run(
            ["git", "-C", str(path.resolve().parent), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = path.resolve().relative_to(Path(top).resolve()).as_posix()
        committed = subprocess.run(
            ["git", "-C", top, "show", f"HEAD:{relative}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        old = nbformat.reads(committed, as_version=4)
    except (OSError, ValueError, subprocess.CalledProcessError, nbformat.reader.NotJSONError):
        return None
    sources = {cell.get("id"): (cell.cell_type, cell.source) for cell in old.cells}
    current = nbformat.read(path, as_version=4)
    return {
        cell.get("id")
        for cell in current.cells
        if sources.get(cell.get("id")) != (cell.cell_type, cell.source)
    }


def same_up_to_sanitizing(
    old: nbformat.NotebookNode,
    new: nbformat.NotebookNode,
    *,
    edited: set[str] | None = frozenset(),
) -> bool:
    """True when ``new`` differs from ``old`` only where sanitizing masks or rounding moves.

    Then the file on disk is kept byte for byte, so that re-recording an unchanged notebook, on
    this machine or another CPU, changes nothing. Compared cell by cell: the same cells with the
    same sources, metadata and execution counts; the same outputs (types, stream names, mime
    keys); texts equal after the nbval sanitize rules up to rounding in the last printed digit
    (tools/outputs_compare.py, the rule nbval applies too); PNG images identical or
    ``images_match``. Everything else must be identical. Cells in ``edited`` (see
    ``edited_cells``; None means all) get no rounding tolerance: their texts must be equal
    after sanitizing. The texts of an unedited cell tagged ``nbval-ignore-output`` (which nbval
    does not compare) are kept as recorded.
    """
    rules = sanitize_rules()

    def clean(text: str) -> str:
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text

    if len(old.cells) != len(new.cells):
        return False
    new = copy.deepcopy(new)  # where old and new match, new takes old's exact value
    for old_cell, new_cell in zip(old.cells, new.cells, strict=True):
        if (old_cell.cell_type, old_cell.source) != (new_cell.cell_type, new_cell.source):
            return False
        exact = edited is None or new_cell.get("id") in edited
        # nbval does not compare a cell tagged nbval-ignore-output (a machine's own details):
        # re-recording it elsewhere keeps the recorded text, unless its code was edited.
        ignored = not exact and IGNORE_TAG in new_cell.get("metadata", {}).get("tags", [])

        def same_text(a: str, b: str, exact: bool = exact, ignored: bool = ignored) -> bool:
            if ignored:
                return True
            return clean(a) == clean(b) if exact else texts_match(clean(a), clean(b))

        old_outputs, new_outputs = old_cell.get("outputs", []), new_cell.get("outputs", [])
        if len(old_outputs) != len(new_outputs):
            return False
        for old_out, new_out in zip(old_outputs, new_outputs, strict=True):
            if set(old_out) != set(new_out) or any(
                old_out.get(k) != new_out.get(k) for k in ("output_type", "name")
            ):
                return False
            if isinstance(old_out.get("text"), str) and isinstance(new_out.get("text"), str):
                if same_text(old_out["text"], new_out["text"]):
                    new_out["text"] = old_out["text"]
            old_data, new_data = old_out.get("data", {}), new_out.get("data", {})
            if set(old_data) != set(new_data):
                return False
            for mime, old_value in old_data.items():
                new_value = new_data[mime]
                if not (isinstance(old_value, str) and isinstance(new_value, str)):
                    continue
                if mime.startswith("text/"):
                    same = same_text(old_value, new_value)
                elif mime == "image/png":
                    same = images_match(old_value, new_value)
                else:
                    continue
                if same:
                    new_data[mime] = old_value
    return nbformat.writes(old) == nbformat.writes(new)


IGNORE_TAG = "nbval-ignore-output"

# Tolerated share of differing pixels between two renderings of the same figure (0.1 %).
# Measured on figsize (6, 4) figures as the inline backend saves them (about 200,000 pixels):
# data perturbed at float32 rounding (relative 6e-8) moved at most 24 pixels (0.011 %) in a
# line, a contour and a scatter plot; even a relative 1e-6 moved at most 187 (0.09 %). Real
# changes exceed the threshold many times over: another line colour 2,737 pixels (1.4 %), a
# dashed line 1,221 (0.6 %), the last quarter of a curve 2 % higher 2,978 (1.5 %), an added line
# changed the image size. A change confined to a few pixels (one point of 200 moved by 5 %: 22
# pixels) passes, as it does not differ in kind from rounding noise; the source and the printed
# numbers that go with a figure are checked exactly.
IMAGE_PIXEL_TOLERANCE = 0.001


def images_match(old_png: str, new_png: str, tolerance: float = IMAGE_PIXEL_TOLERANCE) -> bool:
    """True when two base64 PNGs are identical, or decode to the same size and differ in at
    most ``tolerance`` of their pixels (a pixel differs when any of its RGBA channels does)."""
    if old_png == new_png:
        return True
    images = [
        np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGBA"))
        for png in (old_png, new_png)
    ]
    if images[0].shape != images[1].shape:
        return False
    differing = np.any(images[0] != images[1], axis=-1)
    return int(differing.sum()) <= tolerance * differing.size


def record(path: Path, *, timeout: int) -> bool:
    """Execute ``path`` and write it back if its content changed. Returns False on error."""
    original = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(original)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    running = {"cell": None}

    def note_cell(cell, cell_index, **_) -> None:
        running["cell"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        allow_errors=False,
        # quiet the kernel's own log (e.g. its note on local TCP transport); cell errors still show
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        on_cell_start=note_cell,
    )
    start = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        print(f"record: {path} FAILED; the file on disk is unchanged.", file=sys.stderr)
        print(str(err), file=sys.stderr)
        return False
    except DeadKernelError:
        print(
            f"record: {path} FAILED: the kernel died while running cell {running['cell']} (the "
            "cell ended Python, e.g. os._exit or sys.exit in a subprocess, or ran out of memory); "
            "the file on disk is unchanged.",
            file=sys.stderr,
        )
        return False
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # the kernel could not start or talk (ZMQError, RuntimeError, ...)
        # Ctrl-C: nbclient's own SIGINT handler shuts the kernel down (and notes it in
        # _async_cleanup_kernel_future); the run then ends in some other error.
        if _interrupted or getattr(client, "_async_cleanup_kernel_future", None) is not None:
            raise KeyboardInterrupt from None
        print(
            f"record: {path} FAILED at cell {running['cell']}: {type(err).__name__}: {err}; "
            "the file on disk is unchanged.",
            file=sys.stderr,
        )
        return False
    nbformat.validate(nb)
    nb = normalize(nb)
    text = nbformat.writes(nb) + "\n"
    changed = text != path.read_text(encoding="utf-8") and not same_up_to_sanitizing(
        original, nb, edited=edited_cells(path)
    )
    if changed:
        write_atomically(path, text)
    took = time.perf_counter() - start
    print(f"record: {path} {'updated' if changed else 'unchanged'} ({took:.1f} s)")
    return True


_interrupted = False


def _on_sigint(signum, frame) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def invalid_notebook(path: Path) -> str | None:
    """Why ``path`` cannot be read as a notebook, or None when it can."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except (OSError, UnicodeDecodeError) as err:
        return f"cannot be read ({type(err).__name__}: {err})"
    except nbformat.reader.NotJSONError:
        return "is not valid JSON (a notebook is a JSON file); restore it with git"
    except nbformat.ValidationError as err:
        return f"is not a valid notebook: {err.message}; restore it with git"
    except Exception as err:  # any other reader failure: name it, do not crash
        return f"is not a valid notebook: {type(err).__name__}: {err}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    if not args.notebooks:  # `make record` names them all; never re-record everything by accident
        print(
            "record: no notebook given; expected paths like notebooks/01_x.ipynb", file=sys.stderr
        )
        return 2
    notebooks = course_notebooks(args.notebooks, "record")
    if notebooks is None:
        return 2
    # check every file before recording any: a broken file is named at once
    problems = [(p, why) for p in notebooks if (why := invalid_notebook(p)) is not None]
    for p, why in problems:
        print(f"record: {p} {why}; nothing was recorded.", file=sys.stderr)
    if problems:
        return 2
    kernel_env.apply()
    signal.signal(signal.SIGINT, _on_sigint)
    path = notebooks[0]
    try:
        for path in notebooks:
            if not record(path, timeout=args.timeout):
                return 1
    except KeyboardInterrupt:
        print(f"record: interrupted; {path} is unchanged on disk.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
