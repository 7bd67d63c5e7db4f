"""Keep the learner's workspace (``my-work/``) in step with the student edition; never lose work.

Usage: python -m tools.workspace [--dest my-work] [notebooks/NN_x.ipynb ...]
(`make workspace` runs it, and `make lab` runs `make workspace` before opening JupyterLab.)

The student edition (tools/student.py: solutions blanked, checks cleared) is built into a
temporary folder. Then each of its files is, in the workspace:

* **added** when the workspace has no file of that name: on first use, for a notebook that is
  new in the course, and for one the learner deleted (the way to start a notebook over);
* **updated** when the workspace holds the very copy this tool made (same SHA-256): the
  learner has not changed it, so the course's current version replaces it;
* **kept** when the learner changed it (its SHA-256 is not that of the copy made), or when
  this tool did not make it. A kept file is never written to; every run names the kept files.

The manifest ``<workspace>/.workspace.json`` records the SHA-256 of each copy made; a kept
file keeps the hash of the copy it started from. Files the edition does not have (the
learner's own notebooks, data) are never touched, and neither is ``.ipynb_checkpoints/``.
Every file is written to a temporary name first and then renamed, so an interrupted run never
leaves half a notebook.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tools import student
from tools.atomic import write_atomically

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "my-work"
MANIFEST = ".workspace.json"
MANIFEST_VERSION = 1


@dataclass
class Report:
    """What :func:`sync` did, file names relative to the workspace."""

    added: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: changed by the learner; the value says whether the course's version changed since
    kept: dict[str, bool] = field(default_factory=dict)
    #: in the workspace before this tool made a copy of that name
    foreign: list[str] = field(default_factory=list)
    #: no manifest before this run: the workspace is being filled for the first time
    first_use: bool = False


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(dest: Path) -> dict[str, str]:
    """File name -> SHA-256 of the copy made; {} when there is none or it cannot be read.

    An unreadable manifest makes every existing file count as the learner's: nothing is lost.
    """
    path = dest / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {str(name): str(entry["sha256"]) for name, entry in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        print(
            f"workspace: {path} cannot be read ({err}); every notebook there is kept as it is",
            file=sys.stderr,
        )
        return {}


def write_manifest(dest: Path, hashes: dict[str, str]) -> None:
    data = {
        "about": "Written by tools/workspace.py (make workspace): the SHA-256 of each copy of "
        "the student edition it made. A file whose hash differs was changed by you and is kept.",
        "version": MANIFEST_VERSION,
        "files": {name: {"sha256": hashes[name]} for name in sorted(hashes)},
    }
    write_atomically(dest / MANIFEST, (json.dumps(data, indent=1) + "\n").encode("utf-8"))


def edition_files(edition: Path) -> list[str]:
    """Relative names of the files of ``edition``, without hidden files and folders."""
    names = []
    for path in sorted(edition.rglob("*")):
        rel = path.relative_to(edition)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            names.append(rel.as_posix())
    return names


def sync(edition: Path, dest: Path) -> Report:
    """Bring ``dest`` in step with the files of ``edition``; see the module docstring."""
    report = Report(first_use=not (dest / MANIFEST).is_file())
    dest.mkdir(parents=True, exist_ok=True)
    recorded = read_manifest(dest)
    hashes = dict(recorded)  # entries of files the course dropped stay: harmless, and truthful
    for name in edition_files(edition):
        content = (edition / name).read_bytes()
        new = hashlib.sha256(content).hexdigest()
        target = dest / name
        if not target.exists() and not target.is_symlink():
            write_atomically(target, content)
            hashes[name] = new
            (report.restored if name in recorded else report.added).append(name)
            continue
        current = sha256(target) if target.is_file() else None
        if current == new:  # already the course's current version
            hashes[name] = new
            report.unchanged.append(name)
        elif current is not None and current == recorded.get(name):
            write_atomically(target, content)
            hashes[name] = new
            report.updated.append(name)
        elif name in recorded:
            report.kept[name] = recorded[name] != new
        else:
            report.foreign.append(name)
    write_manifest(dest, hashes)
    return report


def describe(report: Report, dest: Path) -> list[str]:
    """The lines ``make workspace`` prints: a summary, then one line per file it did not skip."""
    shown = _shown(dest)
    kept = len(report.kept) + len(report.foreign)
    if report.first_use:
        lines = [
            f"workspace: {shown}/ filled with the student edition ({_files(len(report.added))} "
            f"added{f', {kept} already there kept' if kept else ''}): your copy to work in; "
            "git ignores it and make clean leaves it alone"
        ]
    else:
        total = (
            len(report.unchanged)
            + kept
            + sum(map(len, (report.added, report.restored, report.updated)))
        )
        counts = [
            f"{len(report.added)} added" if report.added else "",
            f"{len(report.restored)} restored" if report.restored else "",
            f"{len(report.updated)} updated" if report.updated else "",
            f"{kept} kept as you changed them" if kept else "",
        ]
        summary = ", ".join(c for c in counts if c) or "up to date"
        lines = [f"workspace: {shown}/, {_files(total)} of the student edition: {summary}"]
        lines += [f"  added    {name} (new in the course)" for name in report.added]
        lines += [f"  restored {name} (it was missing: a fresh copy)" for name in report.restored]
        lines += [
            f"  updated  {name} (you had not changed it: now the course's current version)"
            for name in report.updated
        ]
    for name, newer in sorted(report.kept.items()):
        note = (
            "; the course's version changed too: to get it, rename your file and run "
            "`make workspace`"
            if newer
            else ""
        )
        lines.append(f"  kept     {name} (changed by you{note})")
    lines += [
        f"  kept     {name} (it was there before `make workspace` copied the course's version: "
        "to get that, rename yours and run `make workspace`)"
        for name in report.foreign
    ]
    return lines


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def build_edition(notebooks: list[Path], out: Path) -> int:
    """Build the student edition into ``out`` with tools/student.py; its exit code."""
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        return student.main(["--out", str(out), *map(str, notebooks)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every course notebook")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="the workspace folder")
    args = parser.parse_args(argv)
    if args.dest.resolve() == (ROOT / "notebooks").resolve():
        print("workspace: the workspace must not be notebooks/ itself", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="student-edition-") as tmp:
        edition = Path(tmp) / "student"
        code = build_edition(args.notebooks, edition)
        if code:
            print(
                "workspace: the student edition could not be built; nothing changed in "
                f"{_shown(args.dest)}/",
                file=sys.stderr,
            )
            return code
        report = sync(edition, args.dest)
    for line in describe(report, args.dest):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
