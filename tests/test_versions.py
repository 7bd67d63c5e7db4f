"""gd.check_versions: installed versions against the pins, as the setup notebook reports them."""

from __future__ import annotations

from importlib import metadata

import pytest

from gdhelpers.versions import check_versions, read_pins


def write_pins(tmp_path, text):
    path = tmp_path / "constraints.txt"
    path.write_text(text)
    return path


def test_read_pins_parses_names_versions_and_skips_comments(tmp_path):
    path = write_pins(
        tmp_path, "# comment\nNumPy==1.2.3\ntyping_extensions == 4.0 ; python<4\n-e .\n"
    )
    assert read_pins(path) == {"numpy": "1.2.3", "typing-extensions": "4.0"}


def test_read_pins_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"pins file must exist; got .* instead"):
        read_pins(tmp_path / "nope.txt")


def test_matching_versions_report_ok(tmp_path, capsys):
    installed = metadata.version("numpy")
    path = write_pins(tmp_path, f"numpy=={installed}\n")
    assert check_versions(("numpy",), constraints=path) is True
    out = capsys.readouterr().out
    assert "numpy" in out and " ok" in out and "All versions match the pins" in out


def test_local_build_tag_is_ignored(tmp_path):
    installed = metadata.version("torch")  # e.g. 2.13.0+cpu
    path = write_pins(tmp_path, f"torch=={installed.split('+')[0]}\n")
    assert check_versions(("torch",), constraints=path, verbose=False) is True


def test_differing_missing_and_unpinned_packages_are_reported(tmp_path, capsys):
    path = write_pins(tmp_path, "numpy==0.0.1\nnot-a-real-package==1.0\n")
    assert check_versions(("numpy", "not-a-real-package", "pytest"), constraints=path) is False
    out = capsys.readouterr().out
    assert "DIFFERS" in out
    assert "NOT INSTALLED" in out
    assert "(not pinned)" in out
    assert "Fix: run 'make lab'" in out
