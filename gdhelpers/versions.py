"""Compare the installed library versions with the pins the notebooks were recorded with."""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path

from ._validate import check_bool

__all__ = ["COURSE_PACKAGES", "check_versions", "read_pins"]

#: The libraries whose versions change what the notebooks print.
COURSE_PACKAGES: tuple[str, ...] = ("numpy", "torch", "matplotlib", "jupyterlab", "nbval", "pytest")

_PINS_FILE = Path(__file__).resolve().parent.parent / "constraints.txt"


def read_pins(path: str | Path | None = None) -> dict[str, str]:
    """Read ``name==version`` lines of a pip constraints file.

    Parameters
    ----------
    path : str or Path, optional
        Constraints file; defaults to the repository's ``constraints.txt``.

    Returns
    -------
    dict
        Lower-case, dash-normalised package name -> pinned version.

    Examples
    --------
    >>> pins = read_pins()
    >>> pins["torch"]
    '2.13.0'
    """
    path = Path(path) if path is not None else _PINS_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"pins file must exist; got {str(path)!r} instead. Run from a clone of the course "
            "repository, where constraints.txt sits next to gdhelpers/."
        )
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[_norm(match.group(1))] = match.group(2)
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_versions(
    packages: tuple[str, ...] = COURSE_PACKAGES,
    *,
    constraints: str | Path | None = None,
    verbose: bool = True,
) -> bool:
    """Print installed vs pinned versions of ``packages``; return True when all match.

    A local build tag is ignored (``2.13.0+cpu`` matches the pin ``2.13.0``).

    Parameters
    ----------
    packages : tuple of str
        Package names, e.g. ``("numpy", "torch")``.
    constraints : str or Path, optional
        Pins file (``name==version`` lines); defaults to the repository's ``constraints.txt``.
        A path that does not exist raises FileNotFoundError.
    verbose : bool
        Print the table and a verdict.

    Returns
    -------
    bool
        True when every package is installed at its pinned version.

    Examples
    --------
    >>> check_versions(("numpy",), verbose=False)
    True
    """
    verbose = check_bool(verbose, "verbose")
    if isinstance(packages, str | bytes) or not isinstance(packages, tuple | list):
        raise TypeError(
            f"packages must be a tuple of package names; got {type(packages).__name__} "
            f"{packages!r:.40} instead. Write e.g. packages=('numpy',) for one package."
        )
    for name in packages:
        if not isinstance(name, str):
            raise TypeError(
                f"packages must hold package names (strings); got {type(name).__name__} "
                f"{name!r:.40} instead. Write e.g. packages=('numpy', 'torch')."
            )
    if constraints is not None:
        if not isinstance(constraints, str | os.PathLike):
            raise TypeError(
                f"constraints must be the path of a pins file (a str or Path); got "
                f"{type(constraints).__name__} instead. Leave it out for the repository's."
            )
        if not Path(constraints).is_file():
            raise FileNotFoundError(
                f"constraints must be the path of an existing pins file; got "
                f"{str(constraints)!r} instead. Leave it out for the repository's "
                "constraints.txt."
            )
    pins = read_pins(constraints)
    all_ok = True
    rows = []
    for name in packages:
        pinned = pins.get(_norm(name))
        installed = _installed(name)
        base = installed.split("+")[0] if installed else None
        ok = pinned is not None and base == pinned
        all_ok &= ok
        status = "ok" if ok else ("NOT INSTALLED" if installed is None else "DIFFERS")
        rows.append((name, base or "-", pinned or "(not pinned)", status))
    if verbose:
        print(f"{'package':<12} {'installed':<12} {'pinned':<12} status")
        for row in rows:
            print(f"{row[0]:<12} {row[1]:<12} {row[2]:<12} {row[3]}")
        if all_ok:
            print(
                "All versions match the pins: the numbers you see will be the recorded ones, "
                "up to one unit in a last printed digit."
            )
        else:
            print(
                "Some versions differ from the pins: numbers may differ from the recorded ones.\n"
                "Fix: run 'make lab' from the course folder, which installs the pinned versions."
            )
    return all_ok
