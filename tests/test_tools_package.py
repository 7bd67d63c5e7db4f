"""tools/ is a package (issue 17, item 16): `python -m tools.x`, no sys.path edits anywhere.

Every command in tools/ has ``main(argv=None) -> int`` and ends with
``raise SystemExit(main())``; modules import their siblings as ``from tools.x import y``; the
Makefile, binder/postBuild and the documentation run them as ``python -m tools.x``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = sorted(p for p in (ROOT / "tools").glob("*.py") if p.name != "__init__.py")
MODULES = {p.stem for p in TOOLS}
PYTHON_FILES = sorted(
    [*TOOLS, *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").glob("*.py"), ROOT / "conftest.py"]
)
SCRIPTS = [ROOT / "binder" / "postBuild", ROOT / ".ci" / "run", ROOT / "Makefile"]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _sys_path_edits(tree: ast.AST) -> list[int]:
    """Lines that change ``sys.path``: a call of one of its methods, or an assignment to it."""

    def is_sys_path(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        )

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if is_sys_path(node.func.value):
                lines.append(node.lineno)
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if is_sys_path(target) or (
                isinstance(target, ast.Subscript) and is_sys_path(target.value)
            ):
                lines.append(node.lineno)
    return sorted(lines)


def _bare_sibling_imports(tree: ast.AST) -> list[str]:
    """``import atomic`` or ``from atomic import x``: a sibling found through sys.path."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in MODULES]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in MODULES:
                found.append(node.module)
    return found


@pytest.mark.parametrize("path", PYTHON_FILES, ids=_shown)
def test_no_python_file_edits_sys_path_or_imports_a_tool_by_its_bare_name(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not _sys_path_edits(tree), f"{_shown(path)} changes sys.path on these lines"
    assert not _bare_sibling_imports(tree), "import it as `from tools.x import y`"


def test_the_checks_above_catch_what_they_look_for():
    code = "import sys\nsys.path.insert(0, 'tools')\nsys.path += ['x']\nimport atomic\n"
    code += "from record import main\nfrom tools.atomic import write_atomically\n"
    tree = ast.parse(code)
    assert _sys_path_edits(tree) == [2, 3]
    assert _bare_sibling_imports(tree) == ["atomic", "record"]


@pytest.mark.parametrize("path", SCRIPTS, ids=_shown)
def test_scripts_run_tools_as_modules(path):
    text = path.read_text(encoding="utf-8")
    assert "sys.path" not in text and "PYTHONPATH" not in text
    stale = re.findall(r"\S*\s+tools/\w+\.py", _commands(text))
    assert not stale, f"{_shown(path)}: run `python -m tools.x`, not {stale}"


def _commands(text: str) -> str:
    """The text without its comment lines (which may name a file, not run it)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("path", DOCS, ids=_shown)
def test_the_documentation_runs_tools_as_modules(path):
    text = path.read_text(encoding="utf-8")
    stale = re.findall(r"python3?\s+tools/\w+\.py", text)
    assert not stale, f"{_shown(path)}: write `python -m tools.x`, not {stale}"


def test_every_tool_the_makefile_runs_is_a_command():
    text = (ROOT / "Makefile").read_text()
    run = set(re.findall(r"-m tools\.(\w+)", text))
    assert {"record", "student", "workspace", "cpu_kernels", "binder_url"} <= run
    for name in run:
        assert name in MODULES, f"the Makefile runs tools.{name}, which does not exist"


@pytest.mark.parametrize("path", [p for p in TOOLS if "__main__" in p.read_text()], ids=_shown)
def test_every_command_has_main_and_exits_with_its_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    assert mains, f"{_shown(path)} has a __main__ block but no main()"
    args = mains[0].args
    assert [a.arg for a in args.args] == ["argv"] and len(args.defaults) == 1
    assert isinstance(args.defaults[0], ast.Constant) and args.defaults[0].value is None
    assert ast.unparse(mains[0].returns) == "int"
    assert (
        path.read_text()
        .rstrip()
        .endswith('if __name__ == "__main__":\n    raise SystemExit(main())')
    )


def test_the_package_says_what_it_holds():
    import tools

    assert tools.__doc__ and "python -m tools." in tools.__doc__


def test_binder_url_runs_with_the_standard_library_alone():
    """`make binder-url` runs it with the system python3, without .venv: -S hides site-packages."""
    done = subprocess.run(
        [sys.executable, "-S", "-m", "tools.binder_url", "https://github.com/OWNER/REPO"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("https://mybinder.org/v2/gh/OWNER/REPO/")
