"""`make test-cpus`: the nbval suite with every notebook's kernel on other CPUs.

    python -m tools.cpu_kernels [--cpus "haswell nehalem"] NOTEBOOK_OR_DIR... -- NBVAL_OPTS [ARGS]

The recorded outputs must not depend on the CPU's vector instructions. Each configuration
(``CPUS``) runs the notebooks under nbval with a kernel of its own:

* ``haswell``: the kernel under Debian's qemu-user, ``qemu-x86_64 -cpu Haswell`` (Intel, AVX2
  and FMA, no AVX-512). qemu 7.2 warns on stderr that TCG lacks pcid, x2apic, tsc-deadline,
  hle, invpcid and rtm: none of them is visible to a user-mode program.
* ``nehalem``: the kernel under ``qemu-x86_64 -cpu Nehalem`` (SSE4.2 only). Skipped, with the
  reason, when numpy or torch refuse that CPU (an illegal instruction or a "CPU does not
  support" error in the probe below).
* ``no-avx``: the kernel on this machine's CPU, with torch's vectorised kernels at their
  ``default`` level (``ATEN_CPU_CAPABILITY``), numpy's AVX2 and AVX-512 dispatch targets off
  (``NPY_DISABLE_CPU_FEATURES``, names read from this numpy build: numpy refuses to disable a
  baseline feature and ignores names that are not dispatch targets) and MKL limited to SSE4.2
  (``MKL_ENABLE_INSTRUCTIONS``). numpy's OpenBLAS keeps the kernels it picks for this CPU:
  OPENBLAS_CORETYPE is left as the environment has it, on purpose.
* ``native`` (only when asked for): this machine as it is, as a reference for the others.

For each configuration a kernelspec ``build/kernels/cpu-NAME/kernel.json`` is written: its argv
is ``[qemu-x86_64, -cpu, MODEL,]`` the venv's python ``-m ipykernel_launcher -f
{connection_file}`` (absolute paths) and its ``env`` block holds tools/kernel_env.py's
KERNEL_ENV plus the configuration's variables. jupyter_client starts a kernel with the pytest
process's environment updated by that block, and qemu-user hands its own environment to the
emulated program, so the emulated kernels see what conftest.py gives every kernel. pytest is
then run with ``JUPYTER_PATH=build`` and nbval's ``--nbval-kernel-name cpu-NAME`` in place of
``--nbval-current-env``; for the emulated configurations (8-10x slower) each cell may take at
least 30 minutes and a kernel 5 minutes to start.

Before its pytest run, each configuration starts the kernel's own command (the argv up to
``-m``) with a probe: numpy and torch must import and compute, ``/proc/self/comm`` must name
qemu exactly when the configuration is emulated (qemu-user fakes /proc/self/exe, maps and
cmdline, but not comm), torch must report the expected capability (AVX2 under Haswell, DEFAULT
under Nehalem and no-avx), numpy's dispatch targets must be on or off as expected, and the
kernelspec's environment must arrive.

Worker processes (notebook 08, ``gd.data_parallel_gd``): multiprocessing's ``spawn`` starts
``sys.executable`` (the venv's python) with fork and exec. qemu-user emulates the fork, but
passes the exec to the host kernel, and no binfmt_misc handler sends an x86-64 binary back to
qemu on an x86-64 host: the workers run natively, on this machine's CPU (their comm is
``python`` and torch reports this CPU's capability, e.g. AVX2 under a Nehalem kernel). They
inherit the environment, so under ``no-avx`` they do run with the same limits. Only the
notebook's own process is emulated.

The configurations run in parallel, each a pytest process of its own (one kernel at a time)
with its log in ``build/cpus/NAME.log`` and its JUnit XML beside it. The script prints one
line per configuration (passed, failed, skipped, wall time) and writes the diffs of every
failing cell to ``build/cpus/diffs.md``. It exits 1 when any configuration failed; a skipped
configuration, with its reason printed, is not a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tools import kernel_env

QEMU = "qemu-x86_64"
KERNEL_PREFIX = "cpu-"
DEFAULT_CPUS = ("haswell", "nehalem", "no-avx")
X86_MACHINES = frozenset({"x86_64", "amd64"})

# numpy's x86 features up to SSE4.2 (numpy 2.x groups them as X86_V2); every other dispatch
# target (AVX, F16C, FMA3, AVX2, X86_V3, X86_V4, AVX512_*) needs AVX or more.
SSE_LEVEL = frozenset({"SSE", "SSE2", "SSE3", "SSSE3", "SSE41", "POPCNT", "SSE42", "X86_V2"})
HASWELL_LEVEL = frozenset({"AVX", "F16C", "FMA3", "AVX2", "X86_V3"})

# Under emulation: at least this many seconds per cell and for a kernel to start.
EMULATED_CELL_TIMEOUT = 1800
EMULATED_STARTUP_TIMEOUT = 300
PROBE_TIMEOUT = 600

# Signs that numpy or torch refuse the CPU: a SIGILL, or an error message saying so (numpy's:
# "NumPy was built with baseline optimizations: (X86_V2) but your machine doesn't support: ...";
# qemu's own "TCG doesn't support requested feature" warnings are left out before matching).
SIGILL_CODES = frozenset({-signal.SIGILL, 128 + signal.SIGILL})
REFUSAL = re.compile(r"illegal instruction|(?:cpu|machine) (?:does not|doesn't) support", re.I)
# colour codes; JUnit XML spells the escape character "#x1B"
ANSI = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")

# Runs in the kernel's command: what the CPU and the environment look like from inside.
PROBE = r"""
import json, os, sys
import numpy, torch
umath = numpy._core._multiarray_umath
try:
    comm = open("/proc/self/comm").read().strip()
except OSError:
    comm = ""
t = float((torch.ones(64, 64) @ torch.ones(64, 64)).sum())
n = float((numpy.ones((64, 64)) @ numpy.ones(64)).sum())
print(json.dumps({
    "comm": comm,
    "numpy": numpy.__version__,
    "torch": torch.__version__,
    "torch_capability": torch.backends.cpu.get_cpu_capability(),
    "numpy_features": {k: bool(v) for k, v in umath.__cpu_features__.items()},
    "numpy_dispatch": list(getattr(umath, "__cpu_dispatch__", [])),
    "computed": [t, n],
    "env": {k: os.environ.get(k) for k in json.loads(sys.argv[1])},
}))
"""
PROBE_COMPUTED = [262144.0, 4096.0]


@dataclass(frozen=True)
class CpuConfig:
    """One CPU configuration of `make test-cpus` and what its probe must find."""

    name: str
    describe: str
    qemu_cpu: str | None = None  # qemu-x86_64 -cpu MODEL; None: this machine's CPU
    env: Mapping[str, str] = field(default_factory=dict)
    torch_capability: str | None = None  # torch.backends.cpu.get_cpu_capability()
    numpy_on: tuple[str, ...] = ()  # numpy dispatch targets that must be on ...
    numpy_off: tuple[str, ...] = ()  # ... and off
    refusal_skips: bool = False  # numpy or torch refusing this CPU skips it (else it fails)

    @property
    def kernel_name(self) -> str:
        return KERNEL_PREFIX + self.name

    @property
    def emulated(self) -> bool:
        return self.qemu_cpu is not None


@dataclass
class Result:
    """What happened to one configuration."""

    config: CpuConfig
    status: str = "failed"  # passed, failed or skipped
    reason: str = ""
    probe: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    wall: float = 0.0


def avx_targets(dispatch: Iterable[str]) -> list[str]:
    """numpy dispatch targets that need AVX or more (all those above SSE4.2)."""
    return [t for t in dispatch if t.upper() not in SSE_LEVEL]


def avx512_targets(dispatch: Iterable[str]) -> list[str]:
    """numpy dispatch targets that need AVX-512."""
    return [t for t in dispatch if "AVX512" in t.upper() or t.upper() == "X86_V4"]


def numpy_dispatch() -> list[str]:
    """The dispatch targets of the numpy this script runs with (the venv's, as the kernels')."""
    import numpy

    return list(getattr(numpy._core._multiarray_umath, "__cpu_dispatch__", []))


def configurations(dispatch: Sequence[str]) -> dict[str, CpuConfig]:
    """Every configuration, by name, for a numpy whose dispatch targets are `dispatch`."""
    avx, avx512 = tuple(avx_targets(dispatch)), tuple(avx512_targets(dispatch))
    haswell_on = tuple(t for t in dispatch if t.upper() in HASWELL_LEVEL)
    configs = [
        CpuConfig(
            "haswell",
            "qemu-x86_64 -cpu Haswell (AVX2, no AVX-512)",
            qemu_cpu="Haswell",
            torch_capability="AVX2",
            numpy_on=haswell_on,
            numpy_off=avx512,
        ),
        CpuConfig(
            "nehalem",
            "qemu-x86_64 -cpu Nehalem (SSE4.2 only)",
            qemu_cpu="Nehalem",
            torch_capability="DEFAULT",
            numpy_off=avx,
            refusal_skips=True,
        ),
        CpuConfig(
            "no-avx",
            "this CPU, torch/numpy/MKL without AVX",
            env={
                "ATEN_CPU_CAPABILITY": "default",
                "NPY_DISABLE_CPU_FEATURES": " ".join(avx),
                "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
            },
            torch_capability="DEFAULT",
            numpy_off=avx,
        ),
        CpuConfig("native", "this CPU as it is (reference)"),
    ]
    return {c.name: c for c in configs}


def select(configs: Mapping[str, CpuConfig], names: str | None) -> list[CpuConfig]:
    """The configurations named in `names` (spaces or commas), or the default ones."""
    wanted = re.split(r"[\s,]+", names.strip()) if names and names.strip() else DEFAULT_CPUS
    unknown = [n for n in wanted if n not in configs]
    if unknown:
        raise ValueError(f"unknown CPU configuration {unknown}; known: {', '.join(configs)}")
    return [configs[n] for n in dict.fromkeys(wanted)]


def kernel_prefix(config: CpuConfig, python: str, qemu: str | None) -> list[str]:
    """The kernel's command up to the python arguments."""
    if config.emulated:
        if qemu is None:
            raise ValueError(f"{config.name} needs {QEMU}")
        return [qemu, "-cpu", config.qemu_cpu, python]
    return [python]


def kernel_env_block(config: CpuConfig) -> dict[str, str]:
    """The kernelspec's env block: the suite's kernel environment and the configuration's."""
    return {**kernel_env.KERNEL_ENV, **config.env}


def kernelspec(config: CpuConfig, python: str, qemu: str | None) -> dict:
    """The kernel.json of a configuration."""
    return {
        "argv": [
            *kernel_prefix(config, python, qemu),
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": f"Python 3 ({config.describe})",
        "language": "python",
        "env": kernel_env_block(config),
        "metadata": {"debugger": False},
    }


def write_kernelspec(config: CpuConfig, jupyter_dir: Path, python: str, qemu: str | None) -> Path:
    """Write jupyter_dir/kernels/cpu-NAME/kernel.json; return its path."""
    path = jupyter_dir / "kernels" / config.kernel_name / "kernel.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kernelspec(config, python, qemu), indent=1) + "\n")
    return path


def skip_reason(config: CpuConfig, qemu: str | None, machine: str) -> str | None:
    """Why a configuration cannot run on this machine at all, or None."""
    if machine.lower() not in X86_MACHINES:
        return f"not an x86-64 machine ({machine}): these configurations are x86-64 CPUs"
    if config.emulated and qemu is None:
        return (
            f"{QEMU} not found: install Debian's qemu-user "
            "(make test-cpus does when it runs as root with apt-get)"
        )
    return None


def _last_lines(text: str, n: int = 3) -> str:
    lines = [ln.strip() for ln in ANSI.sub("", text).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(f"{QEMU}: warning:")]
    return " | ".join(lines[-n:])


def judge_probe(config: CpuConfig, returncode: int, stdout: str, stderr: str) -> tuple[str, str]:
    """("ok", summary), ("skip", reason) or ("fail", reason) from the probe's run."""
    refused = returncode in SIGILL_CODES or REFUSAL.search(_last_lines(stderr or "", 1000))
    if returncode != 0:
        why = "illegal instruction (SIGILL)" if returncode in SIGILL_CODES else f"exit {returncode}"
        detail = _last_lines(stderr)
        reason = f"numpy/torch probe failed: {why}" + (f": {detail}" if detail else "")
        if refused and config.refusal_skips:
            return "skip", f"numpy or torch refuse {config.qemu_cpu or 'this CPU'}: {reason}"
        return "fail", reason
    try:
        info = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return "fail", f"probe printed no JSON: {_last_lines(stdout + stderr)}"
    problems = []
    comm = info.get("comm", "")
    if config.emulated and not comm.startswith("qemu"):
        problems.append(f"not emulated (/proc/self/comm is {comm!r}, expected qemu-…)")
    if not config.emulated and comm.startswith("qemu"):
        problems.append(f"emulated (/proc/self/comm is {comm!r}), expected this CPU")
    capability = info.get("torch_capability")
    if config.torch_capability and capability != config.torch_capability:
        problems.append(f"torch reports {capability}, expected {config.torch_capability}")
    features = info.get("numpy_features", {})
    on = [t for t in config.numpy_on if not features.get(t)]
    off = [t for t in config.numpy_off if features.get(t)]
    if on:
        problems.append(f"numpy dispatch targets off that must be on: {' '.join(on)}")
    if off:
        problems.append(f"numpy dispatch targets on that must be off: {' '.join(off)}")
    if info.get("computed") != PROBE_COMPUTED:
        problems.append(f"wrong sums {info.get('computed')}, expected {PROBE_COMPUTED}")
    wrong_env = {
        k: v for k, v in kernel_env_block(config).items() if info.get("env", {}).get(k) != v
    }
    if wrong_env:
        problems.append(f"the kernel environment did not arrive: {sorted(wrong_env)}")
    if problems:
        return "fail", "probe: " + "; ".join(problems)
    enabled = [t for t in info.get("numpy_dispatch", []) if features.get(t)]
    return "ok", (
        f"{'emulated' if config.emulated else 'native'} ({comm}), numpy {info.get('numpy')} "
        f"dispatch [{' '.join(enabled) or 'baseline only'}], torch {info.get('torch')} "
        f"{capability}"
    )


def _option_value(opts: list[str], i: int, name: str) -> tuple[str | None, int]:
    """(value, tokens used) if opts[i] is `name VALUE` or `name=VALUE`, else (None, 0)."""
    arg = opts[i]
    if arg == name:
        if i + 1 >= len(opts):
            raise ValueError(f"{name} needs a value")
        return opts[i + 1], 2
    if arg.startswith(name + "="):
        return arg.split("=", 1)[1], 1
    return None, 0


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def nbval_args(
    opts: Sequence[str],
    kernel_name: str,
    *,
    min_cell_timeout: float | None = None,
    startup_timeout: float | None = None,
) -> list[str]:
    """The pytest options of `make nbval` rewritten for one configuration's kernel.

    ``--nbval-current-env`` becomes ``--nbval-kernel-name kernel_name`` (added when absent); a
    cell timeout below `min_cell_timeout` is raised to it, and `startup_timeout` is added
    unless the options set one.
    """
    opts, out = list(opts), []
    has_startup, has_cell_timeout, i = False, False, 0
    while i < len(opts):
        arg = opts[i]
        if arg in ("--nbval-current-env", "--current-env"):
            i += 1
            continue
        if arg == "--nbval-kernel-name" or arg.startswith("--nbval-kernel-name="):
            raise ValueError("the kernel is chosen by the CPU configuration; drop " + arg)
        value, used = _option_value(opts, i, "--nbval-cell-timeout")
        if used:
            has_cell_timeout = True
            timeout = float(value)
            if min_cell_timeout is not None:
                timeout = max(timeout, min_cell_timeout)
            out += ["--nbval-cell-timeout", _seconds(timeout)]
            i += used
            continue
        if arg == "--nbval-kernel-startup-timeout" or arg.startswith(
            "--nbval-kernel-startup-timeout="
        ):
            has_startup = True
        out.append(arg)
        i += 1
    if min_cell_timeout is not None and not has_cell_timeout:
        out += ["--nbval-cell-timeout", _seconds(min_cell_timeout)]
    if startup_timeout is not None and not has_startup:
        out += ["--nbval-kernel-startup-timeout", _seconds(startup_timeout)]
    return [*out, "--nbval-kernel-name", kernel_name]


def pytest_command(
    config: CpuConfig, python: str, targets: Sequence[str], opts: Sequence[str], xml: Path
) -> list[str]:
    """The pytest run of one configuration."""
    timeouts = (
        {"min_cell_timeout": EMULATED_CELL_TIMEOUT, "startup_timeout": EMULATED_STARTUP_TIMEOUT}
        if config.emulated
        else {}
    )
    return [
        python,
        "-m",
        "pytest",
        *targets,
        "-vv",
        "--color=no",
        "-o",
        "junit_family=xunit1",
        f"--junitxml={xml}",
        *nbval_args(opts, config.kernel_name, **timeouts),
    ]


def pytest_env(jupyter_dir: Path, base: Mapping[str, str]) -> dict[str, str]:
    """The environment of a configuration's pytest: kernelspecs are looked up in jupyter_dir."""
    env = dict(base)
    paths = [str(jupyter_dir.resolve()), *filter(None, env.get("JUPYTER_PATH", "").split(":"))]
    env["JUPYTER_PATH"] = ":".join(dict.fromkeys(paths))
    return env


def read_junit(xml: Path) -> tuple[dict[str, int], list[dict[str, str]]]:
    """(counts, failures) of a pytest JUnit XML file (xunit1: testcases carry their file)."""
    root = ET.parse(xml).getroot()
    counts = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    failures = []
    for case in root.iter("testcase"):
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            counts["failed" if bad.tag == "failure" else "errors"] += 1
            failures.append(
                {
                    "file": case.get("file", case.get("classname", "")),
                    "name": case.get("name", ""),
                    "kind": bad.tag,
                    "message": ANSI.sub("", bad.get("message", "")),
                    "text": ANSI.sub("", bad.text or ""),
                }
            )
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts, failures


def notebook_cell_index(notebook: Path, code_cell: int) -> int | None:
    """The index in the notebook's cells of nbval's `Cell N` (the N-th code cell)."""
    try:
        cells = json.loads(notebook.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return None
    code = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    return code[code_cell] if 0 <= code_cell < len(code) else None


def diff_lines(text: str, limit: int = 80) -> list[str]:
    """The part of nbval's report after its 'Traceback:' line: the diff, or the exception."""
    lines = text.splitlines()
    start = next((i + 1 for i, ln in enumerate(lines) if ln.strip() == "Traceback:"), 0)
    body = [ln.rstrip() for ln in lines[start:]]
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    if len(body) > limit:
        body = [*body[: limit - 1], f"... ({len(body) - limit + 1} more lines)"]
    return body


def _counts_text(counts: Mapping[str, int]) -> str:
    text = f"{counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed"
    text += f", {counts.get('skipped', 0)} skipped"
    if counts.get("errors"):
        text += f", {counts['errors']} errors"
    return text


def summary_line(result: Result) -> str:
    """One line of the summary for one configuration."""
    head = f"  {result.config.name:8s} {result.config.describe:45s}"
    if result.status == "skipped":
        return f"{head} SKIPPED: {result.reason}"
    counts = _counts_text(result.counts) if result.counts else "no results"
    tail = f" {result.status.upper()}: {result.reason}" if result.reason else ""
    return f"{head} {counts} in {result.wall:.0f} s{tail}"


def diffs_markdown(results: Sequence[Result], root: Path) -> str:
    """Every failing cell of every configuration with nbval's diff lines, as Markdown."""
    native = next((r for r in results if r.config.name == "native" and r.counts), None)
    native_fail = {(f["file"], f["name"]): f for f in native.failures} if native else {}
    out = [
        "# make test-cpus: failing cells",
        "",
        "`Cell N` is nbval's numbering (the N-th code cell, from 0); `notebook cell` is the index",
        "in the notebook's `cells`. In the diffs, pytest compares `reference_output ==",
        "test_output`: lines starting with `+` are the output recorded in the notebook, lines",
        "starting with `-` the output produced on that CPU, `?` marks the characters that differ.",
        "",
    ]
    for r in results:
        out.append(f"## {r.config.name}: {r.config.describe}")
        out.append("")
        if r.status == "skipped":
            out += [f"Skipped: {r.reason}", ""]
            continue
        counts = _counts_text(r.counts) if r.counts else "no results"
        out += [f"{counts}, {r.wall:.0f} s wall." + (f" {r.reason}" if r.reason else ""), ""]
        if r.probe:
            out += [f"Probe: {r.probe}", ""]
        for f in r.failures:
            cell = re.search(r"Cell (\d+)", f["name"])
            index = notebook_cell_index(root / f["file"], int(cell.group(1))) if cell else None
            where = f"notebook cell {index}" if index is not None else "notebook cell ?"
            also = ""
            if native and r is not native:
                twin = native_fail.get((f["file"], f["name"]))
                if twin is None:
                    also = " — passes on native"
                elif diff_lines(twin["text"]) == diff_lines(f["text"]):
                    also = " — same diff on native"
                else:
                    also = " — fails on native too, with another diff"
            out += [f"### {f['file']} {f['name']} ({where}){also}", ""]
            headline = re.search(r"^Cell \d+: (.+)$", f["text"], re.M)
            if headline:
                out += [f"nbval: {headline.group(1).strip()}", ""]
            out += ["```", *diff_lines(f["text"]), "```", ""]
    return "\n".join(out).rstrip() + "\n"


class Runner:
    """Runs the configurations in parallel and stops every process it started on exit."""

    def __init__(self, python: str, qemu: str | None, targets: Sequence[str], opts: Sequence[str]):
        self.python, self.qemu = python, qemu
        self.targets, self.opts = list(targets), list(opts)
        self.lock = threading.Lock()
        self.procs: list[subprocess.Popen] = []

    def say(self, text: str) -> None:
        with self.lock:
            print(text, flush=True)

    def _start(self, cmd: list[str], **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
        with self.lock:
            self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def probe(self, config: CpuConfig) -> tuple[str, str]:
        keys = json.dumps(sorted(kernel_env_block(config)))
        env = {**os.environ, **kernel_env_block(config)}
        cmd = [*kernel_prefix(config, self.python, self.qemu), "-c", PROBE, keys]
        proc = self._start(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = proc.communicate(timeout=PROBE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "fail", f"numpy/torch probe did not finish in {PROBE_TIMEOUT} s"
        return judge_probe(config, proc.returncode, stdout, stderr)

    def run(self, config: CpuConfig, jupyter_dir: Path, logs: Path) -> Result:
        result, start = Result(config), time.monotonic()
        try:
            why = skip_reason(config, self.qemu, platform.machine())
            if why:
                result.status, result.reason = "skipped", why
                self.say(f"==> {config.name}: skipped: {why}")
                return result
            write_kernelspec(config, jupyter_dir, self.python, self.qemu)
            verdict, text = self.probe(config)
            if verdict != "ok":
                result.status = "skipped" if verdict == "skip" else "failed"
                result.reason = text
                self.say(f"==> {config.name}: {result.status}: {text}")
                return result
            result.probe = text
            log, xml = logs / f"{config.name}.log", logs / f"{config.name}.xml"
            xml.unlink(missing_ok=True)
            self.say(f"==> {config.name}: probe: {text}; running nbval (log: {log})")
            cmd = pytest_command(config, self.python, self.targets, self.opts, xml)
            with log.open("w") as out:
                out.write("$ " + " ".join(cmd) + "\n")
                out.flush()
                env = pytest_env(jupyter_dir, os.environ)
                code = self._start(cmd, env=env, stdout=out, stderr=subprocess.STDOUT).wait()
            if xml.exists():
                result.counts, result.failures = read_junit(xml)
            if code == 0:
                result.status = "passed"
            else:
                result.reason = "" if code == 1 else f"pytest exit code {code} (see {log})"
            return result
        finally:
            result.wall = time.monotonic() - start
            if result.status != "skipped" and result.counts:
                self.say(f"==> {config.name}: done: {summary_line(result).strip()}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opts: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, opts = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", default=["notebooks"], help="notebooks or folders")
    parser.add_argument("--cpus", help=f"configurations (default: {' '.join(DEFAULT_CPUS)})")
    parser.add_argument("--out", default="build", help="kernelspecs go to OUT/kernels")
    args = parser.parse_args(argv)

    try:
        configs = select(configurations(numpy_dispatch()), args.cpus)
    except ValueError as e:
        parser.error(str(e))
    out = Path(args.out).resolve()
    logs = out / "cpus"
    logs.mkdir(parents=True, exist_ok=True)
    # the venv's python by its own path (not resolved: the venv is found from it)
    python = os.path.abspath(sys.executable)
    runner = Runner(python, shutil.which(QEMU), args.targets, opts)
    start = time.monotonic()
    print(f"==> test-cpus: {', '.join(c.name for c in configs)} in parallel", flush=True)
    try:
        with ThreadPoolExecutor(max_workers=len(configs)) as pool:
            results = list(pool.map(lambda c: runner.run(c, out, logs), configs))
    finally:  # also on Ctrl-C: no pytest, kernel or probe outlives the run
        runner.stop_all()
    total = time.monotonic() - start

    diffs = logs / "diffs.md"
    diffs.write_text(diffs_markdown(results, Path.cwd()))
    failed = [r.config.name for r in results if r.status == "failed"]
    print(f"\n==> test-cpus summary (logs and JUnit XML in {logs}/, diffs in {diffs})")
    for r in results:
        print(summary_line(r))
    verdict = f"FAILED ({', '.join(failed)})" if failed else "PASSED"
    print(f"==> test-cpus {verdict} in {total:.0f} s wall")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
