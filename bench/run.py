"""Benchmark of the course (`make bench`): ratios measured side by side in one run.

Not a test: it measures, prints a table and writes bench/latest.json. Each ratio is the median
of several repeats of both sides, run alternately so that both see the same machine load.

1. helpers' training loop (gd.fit_linear, track_full_loss=False) vs the same loop by hand,
   making the same NumPy calls, in two shapes: large batches (the arithmetic dominates) and
   stochastic steps on small data (the per-step bookkeeping dominates); the worse ratio counts
   (target: helpers within 5%, ratio <= 1.05); the ratio to the hand loop with np.sum, as the
   notebooks write it, is printed beside;
2. vectorised minibatch update vs per-sample Python loop, the same steps as notebook 08
   (target: >= 100x);
3. the whole `make test` vs the floor of starting one kernel per notebook that imports torch,
   numpy and matplotlib (target: <= 1.5x); `make test` runs only with --with-suite or
   BENCH_SUITE=1, because it takes minutes;
4. peak memory (max RSS) of the kernel of each notebook, executed with nbclient; the largest
   is reported (no target).

Usage: .venv/bin/python -m bench.run [--repeats 5] [--with-suite] [--no-memory]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import torch
from nbclient import NotebookClient

import gdhelpers as gd
from tools import kernel_env

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FLOOR_CELL = "import torch, numpy, matplotlib.pyplot"
MEMORY_CELL = (
    "import resource as _r\n"
    "print('BENCH_MAXRSS_KB', _r.getrusage(_r.RUSAGE_SELF).ru_maxrss, "
    "_r.getrusage(_r.RUSAGE_CHILDREN).ru_maxrss)"
)


def alternate_times(*fns: Callable[[], Any], repeats: int) -> list[list[float]]:
    """Seconds of each run of each of ``fns``, run in turn ``repeats`` times each."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, runs in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
    return times


def median_pair(a: Callable[[], Any], b: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median seconds of ``a`` and of ``b``, run alternately ``repeats`` times each."""
    ta, tb = alternate_times(a, b, repeats=repeats)
    return statistics.median(ta), statistics.median(tb)


# ----------------------------------------------------------------------------- 1. helpers vs hand


def hand_loop(
    X: np.ndarray,
    Y: np.ndarray,
    lr: float,
    epochs: int,
    batch_size: int,
    *,
    total: Callable[..., Any] = np.sum,
) -> np.ndarray:
    """Minibatch gradient descent written by hand, recording what fit_linear records.

    ``total`` sums: ``np.sum``, as the notebooks teach, or ``np.add.reduce``, what np.sum calls
    without its ~3 us of dispatch and what fit_linear calls (the same bits either way).
    """
    n, d = X.shape
    k = Y.shape[1]
    W, b = np.zeros((k, d), dtype=X.dtype), np.zeros(k, dtype=X.dtype)
    steps = epochs * -(-n // batch_size)
    weights = np.empty((steps + 1, k, d), dtype=X.dtype)
    biases = np.empty((steps + 1, k), dtype=X.dtype)
    step_loss = np.empty(steps)
    weights[0], biases[0] = W, b

    def full_loss(W: np.ndarray, b: np.ndarray) -> float:
        R = X @ W.T + b - Y
        return float(total(R * R, axis=None)) / R.size

    epoch_loss = [full_loss(W, b)]  # the loss per epoch, as every training loop reports it
    s = 0
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            Xb, Yb = X[start : start + batch_size], Y[start : start + batch_size]
            R = Xb @ W.T + b - Yb
            step_loss[s] = float(total(R * R, axis=None)) / R.size
            scale = lr * 2.0 / R.size
            W = W - (scale * R.T) @ Xb
            b = b - scale * total(R, axis=0)
            s += 1
            weights[s], biases[s] = W, b
        epoch_loss.append(full_loss(W, b))
    return weights[-1]


def _helper_vs_hand(n: int, d: int, kw: dict[str, Any], runs: int) -> dict[str, Any]:
    """fit_linear vs :func:`hand_loop` (both sums) on ``make_regression(n, d)``."""
    data = gd.make_regression(n, d, seed=0)
    X, Y = data.X, data.Y

    def helper():
        return gd.fit_linear(X, Y, track_full_loss=False, **kw).final_weight

    def hand_lean():
        return hand_loop(X, Y, **kw, total=np.add.reduce)

    def hand_taught():
        return hand_loop(X, Y, **kw)

    same = all(np.array_equal(helper(), f()) for f in (hand_lean, hand_taught))
    t_helper, t_lean, t_taught = alternate_times(helper, hand_lean, hand_taught, repeats=runs)
    steps = kw["epochs"] * -(-n // kw["batch_size"])
    fastest, median = (
        (min(t_helper), min(t_lean)),
        (statistics.median(t_helper), statistics.median(t_lean)),
    )
    return {
        "ratio": fastest[0] / fastest[1],
        "median_ratio": median[0] / median[1],
        "taught_ratio": fastest[0] / min(t_taught),
        "text": f"{n:,} x {d}, batch {kw['batch_size']}, {steps:,} steps: fit_linear "
        f"{fastest[0] * 1e3:.1f} ms vs hand {fastest[1] * 1e3:.1f} ms (medians "
        f"{median[0] * 1e3:.1f} vs {median[1] * 1e3:.1f} ms; the hand loop with np.sum "
        f"{min(t_taught) * 1e3:.1f} ms), same weights, bit for bit: {same}",
        "same": same,
    }


def bench_helpers(repeats: int) -> dict[str, Any]:
    # Two shapes: the matrix products dominate (50,000 x 50 in batches of 100), or the Python
    # bookkeeping of each step does (stochastic steps on 2,000 x 5: ~15 us a step), so a
    # per-step overhead cannot hide behind the arithmetic. The hand loop makes the same NumPy
    # calls as fit_linear (np.add.reduce): the ratio measures fit_linear's bookkeeping alone;
    # the same loop with np.sum, as the notebooks write it, is printed beside. Many alternate
    # runs, and the fastest of each side, the run least disturbed by the rest of the machine
    # (a loaded machine slows some runs, never speeds one up); the medians are printed beside.
    runs = max(repeats, 40)
    big = _helper_vs_hand(50_000, 50, {"lr": 0.1, "epochs": 2, "batch_size": 100}, runs)
    small = _helper_vs_hand(2_000, 5, {"lr": 0.01, "epochs": 2, "batch_size": 1}, runs)
    ratio = max(big["ratio"], small["ratio"])
    return {
        "value": ratio,
        "unit": "x (helper time / the same loop by hand, fastest of alternate runs, the worse "
        "of two shapes)",
        "target": "<= 1.05",
        "pass": ratio <= 1.05 and big["same"] and small["same"],
        "detail": f"{big['ratio']:.2f}x on {big['text']}; {small['ratio']:.2f}x on "
        f"{small['text']}; fastest of {runs} alternate runs each; medians give "
        f"{big['median_ratio']:.2f}x and {small['median_ratio']:.2f}x; against the hand loop "
        f"with np.sum {big['taught_ratio']:.2f}x and {small['taught_ratio']:.2f}x",
    }


def import_seconds(code: str, repeats: int) -> float:
    """Median wall time of a fresh Python process running ``code`` (imports included)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_import(repeats: int) -> dict[str, Any]:
    """Extra seconds of `import gdhelpers` on top of `import torch, numpy` (target <= 0.3 s)."""
    base, extra = [], []
    for _ in range(repeats):  # interleaved, so that a busy moment hits both alike
        base.append(import_seconds("import torch, numpy", 1))
        extra.append(import_seconds("import torch, numpy, gdhelpers", 1))
    t_base, t_gd = statistics.median(base), statistics.median(extra)
    cost = t_gd - t_base
    return {
        "value": cost,
        "unit": "s (import gdhelpers after torch, numpy)",
        "target": "<= 0.3",
        "pass": cost <= 0.3,
        "detail": f"import torch, numpy {t_base:.2f} s; with gdhelpers {t_gd:.2f} s "
        "(medians of fresh processes)",
    }


# ----------------------------------------------------------------------------- 2. vectorised


def per_sample(X: torch.Tensor, Y: torch.Tensor, lr: float, m: int):
    w, b = torch.zeros(1, X.shape[1]), torch.zeros(1)
    for start in range(0, len(X), m):
        Xb, Yb = X[start : start + m], Y[start : start + m]
        dw, db = torch.zeros_like(w), torch.zeros_like(b)
        for x, y in zip(Xb, Yb, strict=True):
            r = x @ w.T + b - y
            dw += 2 * r * x
            db += 2 * r
        w, b = w - lr * dw / len(Xb), b - lr * db / len(Xb)
    return w, b


def vectorized(X: torch.Tensor, Y: torch.Tensor, lr: float, m: int):
    w, b = torch.zeros(1, X.shape[1]), torch.zeros(1)
    for start in range(0, len(X), m):
        Xb, Yb = X[start : start + m], Y[start : start + m]
        r = Xb @ w.T + b - Yb
        w, b = w - lr * 2 * r.T @ Xb / len(Xb), b - lr * 2 * r.sum(dim=0) / len(Xb)
    return w, b


def bench_vectorized(repeats: int) -> dict[str, Any]:
    data = gd.make_regression(2_000, 50, seed=0, backend="torch")
    args = (data.X, data.Y, 0.1, 500)  # the subset and batch size of notebook 08
    same = bool(torch.allclose(per_sample(*args)[0], vectorized(*args)[0], atol=1e-5))
    t_loop, t_vec = median_pair(lambda: per_sample(*args), lambda: vectorized(*args), repeats)
    ratio = t_loop / t_vec
    return {
        "value": ratio,
        "unit": "x (per-sample time / vectorised time)",
        "target": ">= 100",
        "pass": ratio >= 100,
        "detail": f"per-sample {t_loop * 1e3:.1f} ms vs vectorised {t_vec * 1e3:.2f} ms "
        f"(2,000 x 50, batch 500, as notebook 08); same parameters: {same}",
    }


# ----------------------------------------------------------------------------- 3./4. kernels


def run_notebook(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 600) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute()
    return nb


def kernel_floor(n_kernels: int) -> tuple[float, list[float]]:
    """Seconds to start ``n_kernels`` kernels one after the other, each importing the stack."""
    times = []
    for _ in range(n_kernels):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        start = time.perf_counter()
        run_notebook(nb, ROOT / "notebooks")
        times.append(time.perf_counter() - start)
    return sum(times), times


def bench_suite(floor: float, enabled: bool) -> dict[str, Any]:
    if not enabled:
        return {
            "value": None,
            "unit": "x (make test time / kernel floor)",
            "target": "<= 1.5",
            "pass": None,
            "detail": "skipped: pass --with-suite or set BENCH_SUITE=1 to run `make test` "
            "(it takes minutes)",
        }
    # a clean make: `make bench ARGS=...` must not hand its ARGS down to `make test`
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    start = time.perf_counter()
    proc = subprocess.run(
        ["make", "test", "ARGS="], cwd=ROOT, capture_output=True, text=True, check=False, env=env
    )
    took = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-5:])
        raise SystemExit(f"bench: make test failed (exit code {proc.returncode}):\n{tail}")
    ratio = took / floor
    return {
        "value": ratio,
        "unit": "x (make test time / kernel floor)",
        "target": "<= 1.5",
        "pass": ratio <= 1.5,
        "detail": f"make test {took:.1f} s vs floor {floor:.1f} s",
    }


def peak_memory() -> dict[str, Any]:
    """Execute every notebook and read its kernel's peak RSS from an injected last cell."""
    peaks = {}
    for path in NOTEBOOKS:
        nb = copy.deepcopy(nbformat.read(path, as_version=4))
        nb.cells.append(nbformat.v4.new_code_cell(MEMORY_CELL))
        run_notebook(nb, path.parent)
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        fields = text.split("BENCH_MAXRSS_KB")[1].split()
        peaks[path.name] = {
            "kernel_mb": int(fields[0]) / 1024,
            "children_mb": int(fields[1]) / 1024,
        }
    largest = max(peaks, key=lambda k: peaks[k]["kernel_mb"])
    return {
        "value": peaks[largest]["kernel_mb"],
        "unit": "MB (peak RSS of the kernel)",
        "target": None,
        "pass": None,
        "detail": f"largest: {largest}",
        "per_notebook": peaks,
    }


# ----------------------------------------------------------------------------- main


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeats per ratio (median)")
    parser.add_argument("--with-suite", action="store_true", help="also time `make test`")
    parser.add_argument("--no-memory", action="store_true", help="skip executing the notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "latest.json")
    args = parser.parse_args(argv)
    with_suite = args.with_suite or os.environ.get("BENCH_SUITE") == "1"

    kernel_env.apply()
    gd.seed_everything(0)  # one thread, like the notebooks
    results: dict[str, Any] = {}
    print("bench: helpers vs hand-written loop ...", flush=True)
    results["helpers_vs_hand"] = bench_helpers(args.repeats)
    print("bench: import gdhelpers ...", flush=True)
    results["import_gdhelpers"] = bench_import(args.repeats)
    print("bench: vectorised vs per-sample loop ...", flush=True)
    results["vectorized_vs_per_sample"] = bench_vectorized(args.repeats)
    print("bench: grading 50 submissions of notebook 01 (bench/grade.py) ...", flush=True)
    results["grade_per_submission"] = __import__("runpy").run_path(str(ROOT / "bench" / "grade.py"))["bench_grade"]()  # fmt: skip  # noqa: E501
    print(f"bench: kernel floor ({len(NOTEBOOKS)} kernels) ...", flush=True)
    floor, kernel_times = kernel_floor(len(NOTEBOOKS))
    results["kernel_floor"] = {
        "value": floor,
        "unit": "s",
        "target": None,
        "pass": None,
        "detail": f"{len(NOTEBOOKS)} kernels running `{FLOOR_CELL}`; median "
        f"{statistics.median(kernel_times):.2f} s each",
    }
    print("bench: make test ..." if with_suite else "bench: make test skipped", flush=True)
    results["make_test_vs_floor"] = bench_suite(floor, with_suite)
    if args.no_memory:
        results["peak_memory"] = {"value": None, "unit": "MB", "target": None, "pass": None,
                                  "detail": "skipped (--no-memory)"}  # fmt: skip
    else:
        print(f"bench: peak memory ({len(NOTEBOOKS)} notebooks) ...", flush=True)
        results["peak_memory"] = peak_memory()

    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "repeats": args.repeats,
        "machine": machine(),
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"\n{'measure':28s} {'value':>8s}  {'target':8s} {'pass':5s} detail")
    for name, r in results.items():
        verdict = {True: "yes", False: "NO", None: "-"}[r["pass"]]
        print(f"{name:28s} {fmt(r['value']):>8s}  {r['target'] or '-':8s} {verdict:5s} "
              f"{r['detail']}")  # fmt: skip
    print(f"\nwritten to {args.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
