"""Recorded outputs are compared up to rounding in the last printed digit, and nothing else.

The rule (tools/outputs_compare.py), its use by nbval (tools/nbval_rounding.py, installed by
conftest.py) and by `make record` (tools/record.py decides "unchanged" with it).
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import nbformat
import numpy as np
import pytest
import torch
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbval.plugin import IPyNbCell, nocolors
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from tools import nbval_rounding, record
from tools.outputs_compare import first_mismatch, texts_match, tokenize

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# the rule on plain texts

MATCH = [
    ("0.1234", "0.1235"),  # one unit in the last digit
    ("0.1235", "0.1234"),
    ("loss: 0.0002\n", "loss: 0.0003\n"),
    ("0.09999", "0.1000"),  # across a decade, 4 significant digits each
    ("99.99", "100.0"),
    ("9.999e-01", "1.000e+00"),  # scientific notation across a decade, both directions
    ("1.000e+00", "9.999e-01"),
    ("3.27193e+12", "3.27194e+12"),  # unit 1e7
    ("1.5e-06", "1.6e-06"),  # unit 1e-7
    ("-0.0000", "0.0000"),  # negative zero
    ("0.0000", "-0.0000"),
    ("-0.0001", "0.0000"),
    ("w = -0.0001, b = 1.0000", "w = 0.0000, b = 1.0000"),
    ("0.0000e+00", "-0.0000e+00"),
    ("epoch 10: loss 0.4932 (lr 1e-05)\n", "epoch 10: loss 0.4931 (lr 1e-05)\n"),
    ("x = 0.5.", "x = 0.6."),  # a number at the end of a sentence
    ("float32 x1 nb01", "float32 x1 nb01"),
    # :g drops trailing zeros; the shorter number stands for itself padded with zeros
    ("0.1388", "0.13881"),  # f"{0.138804:.5g}" vs f"{0.138806:.5g}"
    ("3.272e+12", "3.2719e+12"),
    ("-5", "-5.0001"),  # f"{-5.00004:.5g}" vs f"{-5.00006:.5g}"
    ("1", "1.0"),
    ("0.1200", "0.12"),
    ("0.0000", "0.00000"),
]

MISMATCH = [
    ("0.0002", "0.0004", "differs by 2 units of 1e-4"),  # two units
    ("0.1234", "0.1236", "differs by 2 units"),
    ("9.999e-01", "1.001e+00", "differs by 1.1 units of 1e-3"),  # across a decade
    ("1.000e+00", "9.989e-01", "differs by 1.1 units"),
    ("3.27193e+12", "3.27195e+12", "units of 1e+7"),
    ("0.0000e+00", "1.2340e-05", "units of 1e-9"),  # a zero in scientific mode is exact
    ("loss: 0.5\n", "lost: 0.5\n", "text differs"),  # a changed word
    ("a 0.5\n", "a 0.5\nb 0.6\n", "expected 1 numbers, got 2"),  # an extra line
    ("a 0.5\n", "a 0.5\n\n", "text differs"),  # an extra empty line
    ("[0.5, 0.6]", "[0.5, 0.6, 0.7]", "expected 2 numbers, got 3"),  # an extra number
    ("steps: 523", "steps: 522", "integers differ"),  # integers are exact
    ("-0", "0", "integers differ"),
    ("1.2", "1.2345", "differs by 345 units of 1e-4"),  # the shorter one means 1.2000
    ("0.12", "0.1202", "differs by 2 units of 1e-4"),
    ("30", "30.002", "differs by 2 units of 1e-3"),  # an integer-looking :g float
    ("0.1388", "0.13882", "differs by 2 units of 1e-5"),
    ("0.0001", "1.000e-04", "fixed vs scientific"),
    ("0.1", "1e-01", "fixed vs scientific"),
    ("+0.1000", "0.1000", "explicit '+'"),
    ("float32", "float64", "text differs"),  # identifiers are text
    ("x1", "x2", "text differs"),
    ("nb01", "nb02", "text differs"),
    ("2x faster", "3x faster", "text differs"),
    ("torch 2.13.0", "torch 2.14.0", "text differs"),  # a version is text
    ("loss nan", "loss 0.5", "expected 0 numbers, got 1"),  # nan and inf are text
    ("inf", "nan", "text differs"),
]


@pytest.mark.parametrize(("expected", "actual"), MATCH)
def test_rounding_in_the_last_digit_matches(expected, actual):
    assert first_mismatch(expected, actual) is None
    assert texts_match(expected, actual)


@pytest.mark.parametrize(("expected", "actual", "why"), MISMATCH)
def test_anything_else_does_not_match(expected, actual, why):
    assert not texts_match(expected, actual)
    assert why in first_mismatch(expected, actual)


def test_the_explanation_names_the_line_and_the_numbers():
    expected = "epoch 1: loss 0.5000\nepoch 2: loss 0.2500\n"
    actual = "epoch 1: loss 0.5001\nepoch 2: loss 0.2502\n"
    assert first_mismatch(expected, actual) == (
        "line 2: number 4: expected '0.2500', got '0.2502': "
        "differs by 2 units of 1e-4 (at most 1 allowed)"
    )


def test_numbers_glued_to_words_are_text():
    texts, numbers = tokenize("float32 x1 nb01 2x 1.5ms v2.13.0 a_1 lr=1e-05 (-0.5) [1., 2]")
    assert [n.text for n in numbers] == ["1e-05", "-0.5", "1.", "2"]
    assert texts[0] == "float32 x1 nb01 2x 1.5ms v2.13.0 a_1 lr="


def test_a_sign_after_a_word_character_is_text():
    texts, numbers = tokenize("x-1 = -2")
    assert [n.text for n in numbers] == ["1", "-2"]
    assert texts[:2] == ["x-", " = "]


# ---------------------------------------------------------------------------------------------
# padding: only a run of spaces directly before a number, only when some number's width changed


@pytest.fixture
def torch_4_decimals():
    torch.set_printoptions(precision=4, sci_mode=False)
    yield
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize(
    ("recorded", "fresh"),
    [
        ([-0.0001, 1.5], [0.0, 1.5]),
        ([[-0.0001, 1.5], [2.25, 3.0]], [[0.0, 1.5], [2.25, 3.0]]),
        ([[-0.00004, 1.5], [2.25, 3.0]], [[0.00004, 1.5], [2.25, 3.0]]),  # -0.0000 vs 0.0000
        ([[0.12344, 1.5], [2.25, -3.0]], [[0.12346, 1.5], [2.25, -3.0]]),  # same padding
    ],
)
def test_torch_reprs_realigned_by_a_sign_match(torch_4_decimals, recorded, fresh):
    expected, actual = repr(torch.tensor(recorded)), repr(torch.tensor(fresh))
    assert expected != actual
    assert texts_match(expected, actual), first_mismatch(expected, actual)


def test_torch_repr_with_a_real_difference_still_fails(torch_4_decimals):
    expected = repr(torch.tensor([[-0.0001, 1.5], [2.25, 3.0]]))
    actual = repr(torch.tensor([[0.0, 1.5], [2.25, 3.1]]))
    assert "  1.5000" in expected and " 1.5000" in actual  # the padding changed too
    assert "number 4: expected '3.0000', got '3.1000'" in first_mismatch(expected, actual)


def test_torch_switching_to_scientific_mode_is_a_format_change():
    # default print options: -0.0001 makes torch print the whole tensor in scientific notation
    expected, actual = repr(torch.tensor([-0.0001, 1.5])), repr(torch.tensor([0.0, 1.5]))
    assert "e-04" in expected
    assert "fixed vs scientific" in first_mismatch(expected, actual)


@pytest.mark.parametrize(
    ("options", "recorded", "fresh"),
    [
        ({"floatmode": "fixed"}, [[-0.0001, 1.5], [2.25, 3.0]], [[0.0, 1.5], [2.25, 3.0]]),
        ({"floatmode": "fixed"}, [[-0.00004, 1.5], [2.25, 3.0]], [[0.00004, 1.5], [2.25, 3.0]]),
        ({"floatmode": "maxprec"}, [-0.00004, 1.5], [0.00004, 1.5]),  # array([-0. ,  1.5])
    ],
)
def test_numpy_reprs_realigned_by_a_sign_match(options, recorded, fresh):
    with np.printoptions(precision=4, suppress=True, **options):
        expected, actual = repr(np.array(recorded)), repr(np.array(fresh))
    assert expected != actual
    assert texts_match(expected, actual), first_mismatch(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        # every number keeps its width: the padding may not move
        ("tensor([0.1234,  1.5000])", "tensor([0.1235, 1.5000])"),
        ("a  0.5", "a 0.5"),
        # spaces not directly before a number
        ("x = -0.0001  end", "x = 0.0000 end"),
        ("x = -0.0001 | y  = 2", "x = 0.0000 | y = 2"),
        # padding is spaces only
        ("[-0.0001,\t1.5000]", "[0.0000,\t\t1.5000]"),
        ("[-0.0001,\n1.5000]", "[0.0000,\n\n1.5000]"),
        # the text before the padding is still compared
        ("a, -0.0001", "b, 0.0000"),
    ],
)
def test_padding_is_tolerated_nowhere_else(expected, actual):
    assert "text differs" in first_mismatch(expected, actual)


def test_fixed_width_columns_realigned_by_a_sign_match():
    expected = "".join(f"{name}:{value:8.4f}\n" for name, value in [("w", -0.00004), ("b", 1.5)])
    actual = "".join(f"{name}:{value:8.4f}\n" for name, value in [("w", 0.00004), ("b", 1.5)])
    assert expected == "w: -0.0000\nb:  1.5000\n" and actual == "w:  0.0000\nb:  1.5000\n"
    assert texts_match(expected, actual)


# ---------------------------------------------------------------------------------------------
# nbval: the hook, in process, and nbval on a notebook in a subprocess


class FakeCell:
    """What IPyNbCell.compare_outputs uses of its cell, with the rules of sanitize.cfg."""

    compare_outputs = IPyNbCell.compare_outputs
    format_output_compare = IPyNbCell.format_output_compare
    colors = nocolors
    # nbval's IPyNbFile.skip_compare without --nbdime
    skip = ("metadata", "traceback", "prompt_number", "output_type", "name", "execution_count")
    parent = SimpleNamespace(
        skip_compare=(*skip, "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg")
    )
    config = None
    ihook = SimpleNamespace(pytest_assertrepr_compare=lambda **_: [])  # nbval's plain report
    rules = record.sanitize_rules()

    def sanitize(self, text):
        if not isinstance(text, str):
            return text
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return text


def cell_outputs(printed: str, value: str) -> list:
    return [
        new_output("stream", name="stdout", text=printed),
        new_output("execute_result", data={"text/plain": value}, execution_count=1),
    ]


def nbval_compare(test: list, ref: list) -> tuple[bool, str]:
    cell = FakeCell()
    ok = cell.compare_outputs(test, ref)
    return ok, "\n".join(cell.comparison_traceback)


def test_conftest_installs_the_hook_once():
    wrapped = IPyNbCell.compare_outputs
    assert getattr(wrapped, "_tolerates_rounding", False)
    nbval_rounding.install()
    assert IPyNbCell.compare_outputs is wrapped


def test_nbval_accepts_one_unit_and_keeps_the_fresh_outputs_untouched():
    ref = cell_outputs("loss 0.2500\ntiming: 1.0 s\n", "tensor([-0.0001,  1.5000])")
    test = cell_outputs("loss 0.2501\ntiming: 9.9 s\n", "tensor([0.0000, 1.5000])")
    ok, report = nbval_compare(test, ref)
    assert ok, report
    assert test[0]["text"] == "loss 0.2501\ntiming: 9.9 s\n"  # the caller's outputs: unchanged


@pytest.mark.parametrize(
    ("printed", "value", "shown"),
    [
        ("loss 0.2502\n", "tensor([-0.0001,  1.5000])", "loss 0.2502"),  # stream, two units
        ("loss 0.2500\n", "tensor([0.0000, 1.5002])", "1.5002"),  # text/plain, two units
        ("loss: 0.2500\n", "tensor([-0.0001,  1.5000])", "loss: 0.2500"),  # a changed word
    ],
)
def test_nbval_still_reports_everything_else_with_its_own_diff(printed, value, shown):
    ref = cell_outputs("loss 0.2500\n", "tensor([-0.0001,  1.5000])")
    ok, report = nbval_compare(cell_outputs(printed, value), ref)
    assert not ok
    assert "disagrees with newly computed (test) output" in report and shown in report


def test_nbval_pairs_outputs_by_key_as_nbval_does():
    """nbval ignores the relative order of different keys: so does the tolerance."""
    ref = cell_outputs("a 0.5000\n", "0.2500")
    test = list(reversed(cell_outputs("a 0.5001\n", "0.2501")))
    assert nbval_compare(test, ref)[0]
    assert not nbval_compare([*test, new_output("stream", name="stdout", text="x")], ref)[0]


def write_notebook(path: Path, printed: str, value: str) -> None:
    """Two code cells whose recorded outputs are ``printed`` (stdout) and ``value``."""
    cells = [
        new_markdown_cell("# t"),
        new_code_cell("print(f'third: {1 / 3:.4f}')", execution_count=1),
        new_code_cell("round(2 / 3, 4)", execution_count=2),
    ]
    cells[1].outputs = [new_output("stream", name="stdout", text=printed)]
    cells[2].outputs = [new_output("execute_result", data={"text/plain": value}, execution_count=2)]
    nbformat.write(new_notebook(cells=cells), path)


def run_nbval(path: Path, *options: str) -> subprocess.CompletedProcess:
    """pytest --nbval on ``path`` with this repository's conftest.py loaded as a plugin."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    nbval = ["--nbval", "--nbval-sanitize-with", str(ROOT / "notebooks" / "sanitize.cfg")]
    plugins = ["-p", "conftest", "-p", "no:cacheprovider"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(path), *plugins, *nbval, *options, "-q"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=path.parent,
        env=env,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "options",
    [
        ["--nbval-current-env"],
        ["--nbval-kernel-name", "python3"],
        ["--nbval-current-env", "-n", "2", "--dist", "loadfile"],
    ],
    ids=["current-env", "kernel-name", "xdist"],
)
def test_nbval_passes_a_notebook_recorded_one_unit_away(tmp_path, options):
    nb_path = tmp_path / "one_unit.ipynb"
    write_notebook(nb_path, "third: 0.3334\n", "0.6666")  # fresh: 0.3333 and 0.6667
    result = run_nbval(nb_path, *options)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.slow
def test_nbval_fails_a_notebook_recorded_two_units_away(tmp_path):
    nb_path = tmp_path / "two_units.ipynb"
    write_notebook(nb_path, "third: 0.3335\n", "0.6666")
    result = run_nbval(nb_path, "--nbval-current-env")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "Cell outputs differ" in result.stdout and "third: 0.3335" in result.stdout


# ---------------------------------------------------------------------------------------------
# make record: "unchanged" means the same up to sanitizing and rounding


def notebook_with(outputs: list, source: str = "f()") -> nbformat.NotebookNode:
    cell = new_code_cell(source, execution_count=1, id="cell-001")
    cell.outputs = outputs
    return new_notebook(cells=[new_markdown_cell("# t", id="cell-000"), cell])


def test_record_treats_one_unit_and_timings_as_unchanged():
    old = notebook_with(cell_outputs("loss 0.2500\ntiming: 1.0 s\n", "tensor([-0.0001,  1.5])"))
    new = notebook_with(cell_outputs("loss 0.2501\ntiming: 2.0 s\n", "tensor([0.0000, 1.5])"))
    assert record.same_up_to_sanitizing(old, new)


@pytest.mark.parametrize(
    "new",
    [
        notebook_with(cell_outputs("loss 0.2502\n", "0.5")),  # two units
        notebook_with(cell_outputs("loss 0.2500\n", "0.5"), source="g()"),  # another source
        notebook_with(cell_outputs("loss 0.2500\n", "0.5")[:1]),  # an output less
        notebook_with(list(reversed(cell_outputs("loss 0.2500\n", "0.5")))),  # another order
        notebook_with([new_output("stream", name="stderr", text="loss 0.2500\n")]),
    ],
    ids=["two-units", "source", "output-less", "order", "stream-name"],
)
def test_record_sees_every_other_change(new):
    old = notebook_with(cell_outputs("loss 0.2500\n", "0.5"))
    assert record.same_up_to_sanitizing(old, copy_of(old))  # the control
    assert not record.same_up_to_sanitizing(old, new)


def test_record_keeps_the_recorded_text_of_a_cell_nbval_ignores():
    """00's machine line (Python version, OS, CPU) differs on every machine: keep it."""

    def tagged(text: str) -> nbformat.NotebookNode:
        nb = notebook_with([new_output("stream", name="stdout", text=text)])
        nb.cells[1].metadata["tags"] = ["nbval-ignore-output"]
        return nb

    old, new = tagged("Python 3.11.7 on Linux x86_64\n"), tagged("Python 3.13.0 on Darwin arm64\n")
    assert record.same_up_to_sanitizing(old, new)
    assert not record.same_up_to_sanitizing(old, new, edited={"cell-001"})  # code edited: record
    untagged = notebook_with([new_output("stream", name="stdout", text="Python 3.13.0\n")])
    plain_old = notebook_with([new_output("stream", name="stdout", text="Python 3.11.7\n")])
    assert not record.same_up_to_sanitizing(plain_old, untagged)  # without the tag: compared
    extra = tagged("Python 3.13.0\n")
    extra.cells[1].outputs.append(new_output("stream", name="stderr", text="warning\n"))
    assert not record.same_up_to_sanitizing(old, extra)  # another output is still a change


def copy_of(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.reads(nbformat.writes(nb), as_version=4)


def figure_png(y, **plot_options) -> str:
    """A small line plot as the inline backend embeds it: base64 PNG, tight bounding box."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(y, **plot_options)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def with_pixels_changed(png: str, count: int) -> str:
    pixels = np.array(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGBA"))
    chosen = np.random.default_rng(0).choice(pixels.shape[0] * pixels.shape[1], count, False)
    rows, cols = np.unravel_index(chosen, pixels.shape[:2])
    pixels[rows, cols, :3] ^= 0x0F
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def pixel_count(png: str) -> int:
    width, height = Image.open(io.BytesIO(base64.b64decode(png))).size
    return width * height


@pytest.fixture(scope="module")
def curve():
    t = np.arange(200)
    return 2.0 * np.exp(-t / 30) + 0.02 * np.random.default_rng(0).standard_normal(200)


def test_images_with_rounding_noise_match(curve):
    base = figure_png(curve)
    noisy = figure_png(curve * (1 + 1e-6 * np.random.default_rng(1).standard_normal(200)))
    assert noisy != base  # the perturbation moved some anti-aliased pixels
    assert record.images_match(base, noisy)


def test_the_image_threshold_is_a_share_of_the_pixels(curve):
    base = figure_png(curve)
    allowed = int(record.IMAGE_PIXEL_TOLERANCE * pixel_count(base))
    assert record.images_match(base, with_pixels_changed(base, allowed))
    assert not record.images_match(base, with_pixels_changed(base, allowed + 1))


@pytest.mark.parametrize(
    "change",
    [
        lambda y: figure_png(y, color="C1"),  # another line colour
        lambda y: figure_png(y, linestyle="--"),
        lambda y: figure_png(np.where(np.arange(200) >= 150, y * 1.02, y)),  # a data change
        lambda y: figure_png(np.stack([y, y * 1.1], axis=1)),  # an added line
    ],
    ids=["colour", "linestyle", "data", "added-line"],
)
def test_real_changes_to_an_image_exceed_the_threshold_by_far(curve, change):
    base, changed = figure_png(curve), change(curve)
    assert not record.images_match(base, changed)
    # "by far": even five times the threshold would not let them through
    assert not record.images_match(base, changed, tolerance=5 * record.IMAGE_PIXEL_TOLERANCE)


def test_record_compares_images_with_the_threshold(curve):
    def with_image(png):
        data = {"image/png": png, "text/plain": "<Figure size 600x400 with 1 Axes>"}
        return notebook_with([new_output("display_data", data=data)])

    base = figure_png(curve)
    old = with_image(base)
    assert record.same_up_to_sanitizing(old, with_image(with_pixels_changed(base, 20)))
    assert not record.same_up_to_sanitizing(old, with_image(figure_png(curve, color="C1")))


@pytest.mark.slow
def test_record_keeps_the_file_when_outputs_moved_by_one_unit(tmp_path):
    nb_path = tmp_path / "rounded.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print(f'{1 / 3:.4f}')")]), nb_path)
    assert "updated" in run_record(nb_path).stdout
    assert "0.3333" in nb_path.read_text()
    commit(nb_path)  # tolerance applies to code as committed

    # as if recorded on another machine, one unit away: re-recording keeps it byte for byte
    nb_path.write_text(nb_path.read_text().replace("0.3333", "0.3334"))
    before = nb_path.read_bytes()
    result = run_record(nb_path)
    assert "unchanged" in result.stdout, result.stdout + result.stderr
    assert nb_path.read_bytes() == before

    # two units away is a change: the fresh output is written
    nb_path.write_text(nb_path.read_text().replace("0.3334", "0.3335"))
    assert "updated" in run_record(nb_path).stdout
    assert "0.3333" in nb_path.read_text()


@pytest.mark.slow
def test_record_writes_an_edited_cell_exactly(tmp_path):
    """A cell edited since the last commit gets no tolerance: a new format is recorded."""
    nb_path = tmp_path / "edited.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print(f'{1 / 3:.4f}')")]), nb_path)
    assert "updated" in run_record(nb_path).stdout
    commit(nb_path)
    # the code now prints 2 decimals; the stale output 0.3333 matches 0.33 to one unit of the
    # finer digit, but the cell was edited, so the fresh output must be written
    nb_path.write_text(nb_path.read_text().replace(":.4f", ":.2f"))
    assert "updated" in run_record(nb_path).stdout
    assert '"0.33\\n"' in nb_path.read_text()
    # committed again, an unchanged re-run leaves it alone
    commit(nb_path)
    assert "unchanged" in run_record(nb_path).stdout


def test_edited_cells_without_git_means_all(tmp_path):
    nb_path = tmp_path / "loose.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), nb_path)
    assert record.edited_cells(nb_path) is None


def commit(path: Path) -> None:
    """Commit ``path`` in a git repository in its folder (made on first use)."""
    git = ["git", "-C", str(path.parent), "-c", "user.name=t", "-c", "user.email=t@t"]
    if not (path.parent / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", path.name], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "record"], check=True)


def run_record(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.record", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
