"""The environment every kernel of the suite runs with: nbval (via conftest.py) and `make record`.

Set once here, not per notebook. Threads are deliberately NOT fixed here: notebooks call
``gd.seed_everything`` which pins torch and BLAS to one thread, so that their numbers are the
same under any OMP_NUM_THREADS, in JupyterLab as in the test suite (`make test-threads`).
"""

from __future__ import annotations

import os

KERNEL_ENV: dict[str, str] = {
    # stable names for code cells in tracebacks and warnings (no /tmp/ipykernel_<pid>/ paths)
    "IPYKERNEL_CELL_NAME": "<cell>",
    # figures inline, rendered by Agg: identical PNG bytes run after run
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    # progress bars off, stable hashing, no debugger chatter on stderr
    "TQDM_DISABLE": "1",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    # the course runs on the CPU, whatever the machine has
    "CUDA_VISIBLE_DEVICES": "",
}


def apply() -> None:
    """Put KERNEL_ENV into os.environ; kernels started afterwards inherit it."""
    os.environ.update(KERNEL_ENV)
