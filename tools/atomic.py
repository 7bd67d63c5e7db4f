"""Write a file so that a failed write never leaves it truncated.

The content goes to a temporary file beside the target, which then replaces the target in one
step (``os.replace``). A full disk, a file-size limit or Ctrl-C during the write leaves the old
file as it was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(target: Path, content: bytes | str) -> None:
    """Replace ``target`` with ``content`` (str is written as UTF-8), all or nothing."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)  # mkstemp makes the file private; keep the target's mode
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
