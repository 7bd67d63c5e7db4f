"""Print the mybinder.org link that opens this course's learner workspace.

Usage: python3 -m tools.binder_url [REMOTE_URL]   (`make binder-url` runs it)

Binder builds a public GitHub repository, so the link depends on where the course is
published. Without an argument the URL of git's ``origin`` remote is used. The link opens
``my-work/`` (built by ``binder/postBuild``) at the first notebook.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_GITHUB = re.compile(
    r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)


def first_notebook() -> str:
    """File name of the course's first notebook (``notebooks/NN_*.ipynb``, sorted)."""
    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not names:
        raise FileNotFoundError(f"no notebooks/NN_*.ipynb under {ROOT}")
    return names[0]


def binder_url(remote: str, *, branch: str = "HEAD") -> str:
    """mybinder.org URL for a GitHub ``remote`` (https or ssh form).

    Raises
    ------
    ValueError
        When ``remote`` is not a GitHub repository URL.
    """
    match = _GITHUB.match(remote.strip())
    if match is None:
        raise ValueError(
            f"the remote must be a GitHub repository (https://github.com/OWNER/REPO or "
            f"git@github.com:OWNER/REPO.git); got {remote!r} instead. Binder builds public "
            "GitHub repositories: push the course there first."
        )
    labpath = f"my-work%2F{first_notebook()}"
    return f"https://mybinder.org/v2/gh/{match['owner']}/{match['repo']}/{branch}?labpath={labpath}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        remote = args[0]
    else:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(
                "binder-url: this clone has no 'origin' remote. Publish the course on GitHub, "
                "then run `make binder-url` (or `make binder-url REMOTE=https://github.com/OWNER/REPO`).",
                file=sys.stderr,
            )
            return 1
        remote = done.stdout.strip()
    try:
        print(binder_url(remote))
    except ValueError as err:
        print(f"binder-url: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
