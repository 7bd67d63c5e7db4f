"""Workers that misbehave on purpose, for tests/test_processes.py and the bad-input matrix.

They live in tests/, not in the package: spawned processes import them as
``tests.process_workers`` (the repository root is on the path: pyproject's pytest pythonpath,
inherited by spawned children through multiprocessing's sys.path).
"""

from __future__ import annotations

import os
import time
from typing import Any

import torch.distributed as dist


def _failing_worker(rank: int, world_size: int, bad_rank: int = 1) -> int:
    """Raise on ``bad_rank``; the other ranks wait at a barrier for a partner that never comes."""
    if rank == bad_rank:
        raise ValueError(f"worker {rank} was told to fail")
    dist.barrier()
    return rank


def _echo_size_worker(rank: int, world_size: int, array: Any) -> int:
    """Test worker: the number of entries of the array it was given."""
    return int(array.size)


def _marking_worker(rank: int, world_size: int, folder: str, seconds: float = 60.0) -> int:
    """Test worker: create ``folder/<rank>`` (proof that it ran), then sleep ``seconds``."""
    with open(os.path.join(folder, str(rank)), "w"):
        pass
    time.sleep(seconds)
    return rank


def _sleeping_worker(rank: int, world_size: int, seconds: float = 60.0) -> int:
    """Sleep ``seconds``, then return the rank."""
    time.sleep(seconds)
    return rank


def _dying_worker(rank: int, world_size: int, code: int = 3) -> None:  # pragma: no cover
    """Exit at once without reporting, like a crash."""
    os._exit(code)
