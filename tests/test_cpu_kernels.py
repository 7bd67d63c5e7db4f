"""tools/cpu_kernels.py and `make test-cpus`: kernelspecs, probe verdicts, options, skips.

Nothing here needs qemu: the emulated kernels are checked by what their kernelspec says, and
the Makefile's install-or-skip logic runs with a PATH that has no qemu-x86_64.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, _is_valid_kernel_name
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import cpu_kernels as ck
from tools import kernel_env

ROOT = Path(__file__).resolve().parents[1]

PY = "/venv/bin/python"
QEMU = "/usr/bin/qemu-x86_64"
# numpy 2.4 on x86-64 (baseline X86_V2), and numpy 1.26 (baseline SSE SSE2 SSE3)
DISPATCH_2 = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]
DISPATCH_1 = ["SSSE3", "SSE41", "POPCNT", "SSE42", "AVX", "F16C", "FMA3", "AVX2", "AVX512F"]
DISPATCH_1 += ["AVX512CD", "AVX512_KNL", "AVX512_SKX", "AVX512_ICL", "AVX512_SPR"]
CONFIGS = ck.configurations(DISPATCH_2)
HASWELL, NEHALEM, NO_AVX, NATIVE = (CONFIGS[n] for n in ("haswell", "nehalem", "no-avx", "native"))
NBVAL_OPTS = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "s.cfg"]
NBVAL_OPTS += ["--nbval-cell-timeout", "600"]


# -- configurations -------------------------------------------------------------------------


def test_default_configurations_are_the_three_of_the_issue():
    assert ck.DEFAULT_CPUS == ("haswell", "nehalem", "no-avx")
    assert (HASWELL.qemu_cpu, NEHALEM.qemu_cpu, NO_AVX.qemu_cpu) == ("Haswell", "Nehalem", None)
    assert NEHALEM.refusal_skips and not HASWELL.refusal_skips and not NO_AVX.refusal_skips


def test_no_avx_environment_for_numpy_2():
    assert NO_AVX.env == {
        "ATEN_CPU_CAPABILITY": "default",
        "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
    }
    assert NO_AVX.torch_capability == NEHALEM.torch_capability == "DEFAULT"


def test_no_avx_never_disables_an_sse_feature_numpy_1_dispatches():
    # numpy refuses to disable a baseline feature, and SSE4.2 is what this configuration keeps
    disabled = ck.configurations(DISPATCH_1)["no-avx"].env["NPY_DISABLE_CPU_FEATURES"].split()
    assert disabled == DISPATCH_1[4:]
    assert not set(disabled) & ck.SSE_LEVEL


def test_openblas_settings_are_never_touched():
    for config in ck.configurations(DISPATCH_1).values():
        assert not any(k.startswith("OPENBLAS") for k in ck.kernel_env_block(config))


def test_haswell_expects_avx2_and_no_avx512():
    assert HASWELL.torch_capability == "AVX2"
    assert HASWELL.numpy_on == ("X86_V3",)
    assert HASWELL.numpy_off == ("X86_V4", "AVX512_ICL", "AVX512_SPR")
    haswell_1 = ck.configurations(DISPATCH_1)["haswell"]
    assert haswell_1.numpy_on == ("AVX", "F16C", "FMA3", "AVX2")
    assert "AVX512F" in haswell_1.numpy_off and "AVX2" not in haswell_1.numpy_off


def test_select():
    assert [c.name for c in ck.select(CONFIGS, None)] == list(ck.DEFAULT_CPUS)
    assert [c.name for c in ck.select(CONFIGS, " ")] == list(ck.DEFAULT_CPUS)
    assert [c.name for c in ck.select(CONFIGS, "native, haswell haswell")] == ["native", "haswell"]
    with pytest.raises(ValueError, match=r"unknown CPU configuration.*pentium"):
        ck.select(CONFIGS, "haswell pentium")


@pytest.mark.slow
def test_no_avx_numpy_names_are_accepted_by_this_numpy(tmp_path):
    # this venv's numpy: every name is a dispatch target (else numpy ignores it with an
    # ImportWarning), none is in the baseline (else numpy raises), and all end up off
    config = ck.configurations(ck.numpy_dispatch())["no-avx"]
    code = (
        "import json, numpy as np; u = np._core._multiarray_umath; "
        "print(json.dumps([u.__cpu_baseline__, u.__cpu_dispatch__, u.__cpu_features__]))"
    )
    env = {**os.environ, **config.env}
    out = subprocess.run(
        [sys.executable, "-W", "error::ImportWarning", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    baseline, dispatch, features = json.loads(out.stdout)
    disabled = config.env["NPY_DISABLE_CPU_FEATURES"].split()
    assert disabled, "this numpy has no AVX dispatch target to turn off"
    assert set(disabled) <= set(dispatch) and not set(disabled) & set(baseline)
    assert not any(features[name] for name in disabled)


# -- kernelspecs ----------------------------------------------------------------------------


def test_emulated_kernelspec_argv_and_env():
    spec = ck.kernelspec(HASWELL, PY, QEMU)
    assert spec["argv"] == [
        QEMU,
        "-cpu",
        "Haswell",
        PY,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
    ]
    assert spec["env"] == kernel_env.KERNEL_ENV
    assert spec["language"] == "python" and "Haswell" in spec["display_name"]
    assert ck.kernelspec(NEHALEM, PY, QEMU)["argv"][:4] == [QEMU, "-cpu", "Nehalem", PY]


def test_native_kernelspec_has_the_configuration_env_over_the_kernel_env():
    spec = ck.kernelspec(NO_AVX, PY, None)
    assert spec["argv"] == [PY, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert spec["env"] == {**kernel_env.KERNEL_ENV, **NO_AVX.env}
    assert all(isinstance(v, str) for v in spec["env"].values())


def test_emulated_kernelspec_needs_qemu():
    with pytest.raises(ValueError, match="qemu-x86_64"):
        ck.kernelspec(NEHALEM, PY, None)


def test_kernel_names_are_valid_for_jupyter():
    for config in CONFIGS.values():
        assert _is_valid_kernel_name(config.kernel_name), config.kernel_name
        assert config.kernel_name == "cpu-" + config.name


def test_jupyter_finds_the_written_kernelspec_through_jupyter_path(tmp_path, monkeypatch):
    path = ck.write_kernelspec(HASWELL, tmp_path, PY, QEMU)
    assert path == tmp_path / "kernels" / "cpu-haswell" / "kernel.json"
    env = ck.pytest_env(tmp_path, {"JUPYTER_PATH": "/elsewhere", "HOME": "/h"})
    assert env["JUPYTER_PATH"] == f"{tmp_path.resolve()}:/elsewhere" and env["HOME"] == "/h"
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    spec = KernelSpecManager().get_kernel_spec("cpu-haswell")
    assert spec.argv[:4] == [QEMU, "-cpu", "Haswell", PY]
    assert spec.env == kernel_env.KERNEL_ENV


def test_pytest_env_without_a_jupyter_path():
    assert ck.pytest_env(Path("/b"), {})["JUPYTER_PATH"] == "/b"


# -- skip logic -----------------------------------------------------------------------------


def test_emulated_configurations_skip_without_qemu():
    reason = ck.skip_reason(HASWELL, None, "x86_64")
    assert "qemu-x86_64 not found" in reason and "qemu-user" in reason
    assert ck.skip_reason(NEHALEM, None, "x86_64") == reason
    assert ck.skip_reason(NO_AVX, None, "x86_64") is None
    assert ck.skip_reason(HASWELL, QEMU, "x86_64") is None


def test_everything_skips_off_x86():
    for config in CONFIGS.values():
        assert "not an x86-64 machine (aarch64)" in ck.skip_reason(config, QEMU, "aarch64")


def probe_output(config, **changes):
    info = {
        "comm": "qemu-x86_64" if config.emulated else "python",
        "numpy": "2.4.6",
        "torch": "2.13.0+cpu",
        "torch_capability": config.torch_capability or "AVX2",
        "numpy_features": {"X86_V2": True, **{t: t in config.numpy_on for t in DISPATCH_2}},
        "numpy_dispatch": DISPATCH_2,
        "computed": ck.PROBE_COMPUTED,
        "env": ck.kernel_env_block(config),
    }
    info.update(changes)
    return "some noise\n" + json.dumps(info) + "\n"


@pytest.mark.parametrize("name", CONFIGS)
def test_probe_as_expected_is_ok(name):
    config = CONFIGS[name]
    verdict, text = ck.judge_probe(config, 0, probe_output(config), "")
    assert verdict == "ok", text
    assert ("emulated (qemu-x86_64)" if config.emulated else "native (python)") in text


def test_probe_of_haswell_names_what_is_on():
    assert "dispatch [X86_V3]" in ck.judge_probe(HASWELL, 0, probe_output(HASWELL), "")[1]
    assert "dispatch [baseline only]" in ck.judge_probe(NEHALEM, 0, probe_output(NEHALEM), "")[1]


@pytest.mark.parametrize("code", [-signal.SIGILL, 128 + signal.SIGILL])
def test_illegal_instruction_skips_nehalem_but_fails_haswell(code):
    stderr = "qemu: uncaught target signal 4 (Illegal instruction) - core dumped\n"
    verdict, reason = ck.judge_probe(NEHALEM, code, "", stderr)
    assert verdict == "skip"
    assert "refuse Nehalem" in reason and "illegal instruction (SIGILL)" in reason
    assert ck.judge_probe(HASWELL, code, "", stderr)[0] == "fail"


def test_cpu_does_not_support_error_skips_nehalem():
    stderr = (
        "qemu-x86_64: warning: TCG doesn't support requested feature: x\n"
        "Traceback (most recent call last):\n"
        "RuntimeError: The CPU does not support the instructions this build needs (AVX)\n"
    )
    verdict, reason = ck.judge_probe(NEHALEM, 1, "", stderr)
    assert verdict == "skip" and "exit 1" in reason and "RuntimeError: The CPU" in reason
    assert "TCG" not in reason  # qemu's warnings are not the reason


def test_numpy_baseline_error_skips_nehalem():
    # what numpy 2.4 prints under qemu-x86_64 -cpu Penryn (SSE4.1, no SSE4.2 nor POPCNT)
    stderr = (
        '  File ".../numpy/_core/multiarray.py", line 11, in <module>\n'
        "RuntimeError: NumPy was built with baseline optimizations: \n"
        "(X86_V2) but your machine doesn't support:\n"
        "(X86_V2).\n"
    )
    verdict, reason = ck.judge_probe(NEHALEM, 1, "", stderr)
    assert verdict == "skip" and "your machine doesn't support" in reason


def test_qemu_warnings_are_no_refusal():
    stderr = (
        "qemu-x86_64: warning: TCG doesn't support requested feature: CPUID.01H:ECX.pcid\n"
        "ModuleNotFoundError: No module named 'torch'\n"
    )
    assert ck.judge_probe(NEHALEM, 1, "", stderr)[0] == "fail"


def test_other_probe_errors_fail_even_on_nehalem():
    verdict, reason = ck.judge_probe(NEHALEM, 1, "", "ModuleNotFoundError: No module named 'x'")
    assert verdict == "fail" and "ModuleNotFoundError" in reason


def test_probe_without_json_fails():
    assert ck.judge_probe(HASWELL, 0, "", "")[0] == "fail"
    assert ck.judge_probe(HASWELL, 0, "hello\n", "")[0] == "fail"


@pytest.mark.parametrize(
    ("config", "changes", "message"),
    [
        (HASWELL, {"comm": "python3.11"}, "not emulated"),
        (NO_AVX, {"comm": "qemu-x86_64"}, "emulated"),
        (HASWELL, {"torch_capability": "AVX512"}, "torch reports AVX512, expected AVX2"),
        (NEHALEM, {"torch_capability": "AVX2"}, "torch reports AVX2, expected DEFAULT"),
        (NO_AVX, {"torch_capability": "AVX2"}, "expected DEFAULT"),
        (HASWELL, {"numpy_features": {"X86_V3": False}}, "off that must be on: X86_V3"),
        (HASWELL, {"numpy_features": {"X86_V3": True, "X86_V4": True}}, "must be off: X86_V4"),
        (NO_AVX, {"numpy_features": {"X86_V3": True}}, "must be off: X86_V3"),
        (NEHALEM, {"computed": [1.0, 2.0]}, "wrong sums"),
        (NO_AVX, {"env": {}}, "did not arrive"),
        (HASWELL, {"env": {"MPLBACKEND": "agg"}}, "did not arrive"),
    ],
)
def test_probe_that_finds_the_wrong_cpu_fails(config, changes, message):
    verdict, reason = ck.judge_probe(config, 0, probe_output(config, **changes), "")
    assert verdict == "fail" and message in reason


# -- pytest options -------------------------------------------------------------------------


def test_nbval_args_for_an_emulated_kernel():
    args = ck.nbval_args(NBVAL_OPTS, "cpu-x", min_cell_timeout=1800, startup_timeout=300)
    assert "--nbval-current-env" not in args
    assert args == [
        "--nbval",
        "--nbval-sanitize-with",
        "s.cfg",
        "--nbval-cell-timeout",
        "1800",
        "--nbval-kernel-startup-timeout",
        "300",
        "--nbval-kernel-name",
        "cpu-x",
    ]


def test_nbval_args_keep_what_they_can():
    assert ck.nbval_args(NBVAL_OPTS, "cpu-x") == [
        "--nbval",
        "--nbval-sanitize-with",
        "s.cfg",
        "--nbval-cell-timeout",
        "600",
        "--nbval-kernel-name",
        "cpu-x",
    ]
    longer = ck.nbval_args(["--nbval-cell-timeout=5000", "-k", "x"], "k", min_cell_timeout=1800)
    assert longer == ["--nbval-cell-timeout", "5000", "-k", "x", "--nbval-kernel-name", "k"]
    own = ["--nbval-kernel-startup-timeout=9"]
    assert ck.nbval_args(own, "k", startup_timeout=300) == [*own, "--nbval-kernel-name", "k"]
    added = ck.nbval_args(["--nbval"], "k", min_cell_timeout=1800.5)
    assert added == ["--nbval", "--nbval-cell-timeout", "1800.5", "--nbval-kernel-name", "k"]


def test_nbval_args_refuse_another_kernel_and_a_missing_value():
    with pytest.raises(ValueError, match="chosen by the CPU configuration"):
        ck.nbval_args(["--nbval-kernel-name", "python3"], "k")
    with pytest.raises(ValueError, match="chosen by the CPU configuration"):
        ck.nbval_args(["--nbval-kernel-name=python3"], "k")
    with pytest.raises(ValueError, match="needs a value"):
        ck.nbval_args(["--nbval-cell-timeout"], "k")


def test_pytest_command():
    xml = Path("/b/cpus/haswell.xml")
    cmd = ck.pytest_command(HASWELL, PY, ["notebooks"], NBVAL_OPTS, xml)
    assert cmd[:4] == [PY, "-m", "pytest", "notebooks"]
    assert "-vv" in cmd and "--color=no" in cmd and f"--junitxml={xml}" in cmd
    assert cmd[cmd.index("-o") + 1] == "junit_family=xunit1"
    assert cmd[cmd.index("--nbval-cell-timeout") + 1] == str(ck.EMULATED_CELL_TIMEOUT)
    assert cmd[-2:] == ["--nbval-kernel-name", "cpu-haswell"]
    native = ck.pytest_command(NO_AVX, PY, ["a.ipynb"], NBVAL_OPTS, xml)
    assert native[native.index("--nbval-cell-timeout") + 1] == "600"
    assert "--nbval-kernel-startup-timeout" not in native


# -- results --------------------------------------------------------------------------------

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest"
 errors="1" failures="2" skipped="1" tests="6">
<testcase classname="nb.a.ipynb" name="Cell 0" file="nb/a.ipynb" line="0" />
<testcase classname="nb.a.ipynb" name="Cell 1" file="nb/a.ipynb" line="0"><failure
 message="m">Notebook cell execution failed
Cell 1: Cell outputs differ

Input:
print(x)

Traceback:
 mismatch 'stdout'

 assert reference_output == test_output failed:

  'x = 1.24\\n' == 'x = 1.25\\n'

  - x = 1.25
  ?       ^
  + x = 1.24
  ?       ^

</failure></testcase>
<testcase classname="nb.a.ipynb" name="Cell 2" file="nb/a.ipynb" line="0"><failure
 message="m">Notebook cell execution failed
Cell 2: Cell execution caused an exception

Input:
1/0

Traceback:

#x1B[31mZeroDivisionError#x1B[39m: division by zero
</failure></testcase>
<testcase classname="nb.a.ipynb" name="Cell 3" file="nb/a.ipynb" line="0"><skipped /></testcase>
<testcase classname="nb.b.ipynb" name="Cell 0" file="nb/b.ipynb" line="0"><error
 message="e">kernel died</error></testcase>
<testcase classname="nb.b.ipynb" name="Cell 1" file="nb/b.ipynb" line="0" />
</testsuite></testsuites>
"""


def write_notebook(path: Path, *cells) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [nbformat.from_dict({**cell, "id": f"c{i}"}) for i, cell in enumerate(cells)]
    nbformat.write(new_notebook(cells=cells), path)


def test_read_junit(tmp_path):
    (tmp_path / "r.xml").write_text(JUNIT)
    counts, failures = ck.read_junit(tmp_path / "r.xml")
    assert counts == {"passed": 2, "failed": 2, "skipped": 1, "errors": 1}
    assert [(f["file"], f["name"], f["kind"]) for f in failures] == [
        ("nb/a.ipynb", "Cell 1", "failure"),
        ("nb/a.ipynb", "Cell 2", "failure"),
        ("nb/b.ipynb", "Cell 0", "error"),
    ]
    assert "#x1B" not in failures[1]["text"]
    assert ck.diff_lines(failures[1]["text"]) == ["ZeroDivisionError: division by zero"]
    assert ck.diff_lines(failures[0]["text"])[-4:] == [
        "  - x = 1.25",
        "  ?       ^",
        "  + x = 1.24",
        "  ?       ^",
    ]
    assert len(ck.diff_lines("\n".join(map(str, range(200))), limit=10)) == 10


def test_notebook_cell_index_counts_code_cells(tmp_path):
    md, code = new_markdown_cell("# t"), new_code_cell("1")
    write_notebook(tmp_path / "a.ipynb", md, code, md, md, code, code)
    indexes = [ck.notebook_cell_index(tmp_path / "a.ipynb", n) for n in range(4)]
    assert indexes == [1, 4, 5, None]
    assert ck.notebook_cell_index(tmp_path / "missing.ipynb", 0) is None


def test_summary_and_diffs_markdown(tmp_path):
    (tmp_path / "r.xml").write_text(JUNIT)
    counts, failures = ck.read_junit(tmp_path / "r.xml")
    md, code = new_markdown_cell("# t"), new_code_cell("1")
    write_notebook(tmp_path / "nb" / "a.ipynb", md, code, md, code, code, code)
    haswell = ck.Result(HASWELL, "failed", "", "emulated", counts, failures, 61.4)
    native = ck.Result(NATIVE, "failed", "", "native", counts, failures[:1], 5)
    nehalem = ck.Result(NEHALEM, "skipped", "numpy or torch refuse Nehalem: SIGILL")
    line = ck.summary_line(haswell)
    assert line.split()[0] == "haswell"
    assert "2 passed, 2 failed, 1 skipped, 1 errors in 61 s" in line
    assert ck.summary_line(nehalem).endswith("SKIPPED: numpy or torch refuse Nehalem: SIGILL")
    broken = ck.Result(NO_AVX, "failed", "pytest exit code 4 (see x.log)", wall=2)
    assert ck.summary_line(broken).endswith(
        "no results in 2 s FAILED: pytest exit code 4 (see x.log)"
    )

    text = ck.diffs_markdown([haswell, nehalem, native], tmp_path)
    assert "### nb/a.ipynb Cell 1 (notebook cell 3) — same diff on native" in text
    assert "### nb/a.ipynb Cell 2 (notebook cell 4) — passes on native" in text
    assert "### nb/b.ipynb Cell 0 (notebook cell ?)" in text
    assert "nbval: Cell outputs differ" in text and "  + x = 1.24" in text
    assert "Skipped: numpy or torch refuse Nehalem: SIGILL" in text
    assert "`+` are the output recorded in the notebook" in text


# -- end to end, without qemu ---------------------------------------------------------------


def run_main(args, capsys) -> tuple[int, str]:
    code = ck.main(args)
    return code, capsys.readouterr().out


def test_main_skips_the_emulated_cpus_without_qemu(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ck.shutil, "which", lambda name: None)
    code, out = run_main(["--cpus", "haswell,nehalem", "--out", "b", "x.ipynb"], capsys)
    assert code == 0, out
    assert out.count("SKIPPED: qemu-x86_64 not found") == 2
    assert "test-cpus PASSED" in out
    assert not (tmp_path / "b" / "kernels").exists()
    assert "Skipped: qemu-x86_64 not found" in (tmp_path / "b/cpus/diffs.md").read_text()


def test_main_refuses_an_unknown_cpu(capsys):
    with pytest.raises(SystemExit) as exc:
        ck.main(["--cpus", "z80"])
    assert exc.value.code == 2 and "unknown CPU configuration" in capsys.readouterr().err


@pytest.mark.slow
def test_main_runs_nbval_with_the_no_avx_kernel(tmp_path, monkeypatch, capsys):
    # the kernelspec's env arrives on top of the parent's environment (jupyter_client merges)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GD_TEST_PARENT", "from-parent")
    show = "import os\nprint(*(os.environ[k] for k in %r))"
    keys = ["ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "GD_TEST_PARENT", "TQDM_DISABLE"]

    def cell(source, text, n):
        stdout = new_output("stream", name="stdout", text=text)
        return new_code_cell(source, execution_count=n, outputs=[stdout])

    good = cell(show % keys, "default SSE4_2 from-parent 1\n", 1)
    torch_cell = cell(
        "import torch\nprint(torch.backends.cpu.get_cpu_capability())", "DEFAULT\n", 2
    )
    write_notebook(tmp_path / "nbs" / "a.ipynb", new_markdown_cell("# a"), good, torch_cell)
    write_notebook(tmp_path / "nbs" / "b.ipynb", cell("print(1.25)", "1.24\n", 1))
    code, out = run_main(["--cpus", "no-avx", "--out", "b", "nbs", "--", "--nbval"], capsys)
    assert code == 1, out
    assert "2 passed, 1 failed, 0 skipped" in out and "test-cpus FAILED (no-avx)" in out
    spec = json.loads((tmp_path / "b/kernels/cpu-no-avx/kernel.json").read_text())
    assert spec["env"]["ATEN_CPU_CAPABILITY"] == "default"
    diffs = (tmp_path / "b/cpus/diffs.md").read_text()
    assert "### nbs/b.ipynb Cell 0 (notebook cell 0)" in diffs
    assert "  - 1.25" in diffs and "  + 1.24" in diffs


# -- the Makefile target --------------------------------------------------------------------

MAKE = shutil.which("make")


def make_sandbox(tmp_path: Path, uid: int, apt_exit: int | None) -> tuple[Path, dict]:
    """A checkout of links to this one, and a PATH with no qemu-x86_64, a fake id/apt-get."""
    work, bin_dir = tmp_path / "work", tmp_path / "bin"
    work.mkdir()
    bin_dir.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt", "tools", "notebooks", ".venv"):
        (work / name).symlink_to(ROOT / name)
    for tool in ("bash", "sh", "cat", "sha1sum", "cut", "mkdir", "grep", "awk", "rm", "touch"):
        if shutil.which(tool):
            (bin_dir / tool).symlink_to(shutil.which(tool))
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    if apt_exit is not None:
        (bin_dir / "apt-get").write_text(
            f'#!/bin/sh\necho "$@" >> "{tmp_path}/apt-calls"\nexit {apt_exit}\n'
        )
    for stub in bin_dir.iterdir():
        if not stub.is_symlink():
            stub.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    return work, env


@pytest.mark.slow
@pytest.mark.skipif(MAKE is None, reason="make is not installed")
@pytest.mark.skipif(not (ROOT / ".venv/bin/python").exists(), reason="no .venv (run make venv)")
@pytest.mark.parametrize(
    ("uid", "apt_exit", "says", "apt_calls"),
    [
        (1000, 0, "qemu-x86_64 is missing and cannot be installed here", None),
        (0, None, "qemu-x86_64 is missing and cannot be installed here", None),
        (0, 0, "installing Debian's qemu-user (log: build/cpus/apt.log)", "install -y qemu-user"),
        (0, 100, "apt-get failed; the emulated CPUs will skip", "update"),
    ],
    ids=["not-root", "no-apt-get", "apt-installs-nothing", "apt-fails"],
)
def test_make_test_cpus_installs_qemu_or_skips(tmp_path, uid, apt_exit, says, apt_calls):
    work, env = make_sandbox(tmp_path, uid, apt_exit)
    run = subprocess.run(
        [MAKE, "-C", str(work), "test-cpus", "CPUS=haswell nehalem"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert says in run.stdout
    assert run.stdout.count("SKIPPED: qemu-x86_64 not found") == 2
    calls = tmp_path / "apt-calls"
    if apt_calls is None:
        assert not calls.exists()
    else:
        assert apt_calls in calls.read_text().splitlines()[-1]
        assert (work / "build/cpus/apt.log").exists()


def test_makefile_declares_the_target():
    text = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", text, re.M).group(1)
    assert "test-cpus" in phony.replace("\\\n", " ").split()
    assert "\ntest-cpus: $(STAMP) ## " in text
    recipe = text.split("\ntest-cpus:")[1].split("\n\n")[0]
    assert "$(PY) -m tools.cpu_kernels " in recipe and "-- $(NBVAL_OPTS) $(ARGS)" in recipe
    assert "apt-get install -y qemu-user" in recipe and "OPENBLAS" not in recipe
