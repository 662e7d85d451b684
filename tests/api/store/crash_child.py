"""Run one ceremony step (``execute`` or ``publish``) in this process and SIGKILL it at a chosen point.

Usage: ``crash_child.py STORE_KIND LOCATION RUN_ID STEP [TARGET]`` where TARGET is
``module:attribute:before|after[:N]``: the process kills itself (SIGKILL, no clean-up of any
kind) just before or just after the N-th call (default 1) of that function. Without TARGET
the step runs to its end (the restart). The crash tests run this as a subprocess.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1] / "audit")]

import fake_kind  # noqa: E402, F401  (registers the fake run kind)
from store_fixtures import StoreFactory, step  # noqa: E402

from api.service import ceremony as svc  # noqa: E402


def kill_at(target: str) -> None:
    """Wrap the function named by ``target`` so that the process dies at that point."""
    module_name, attr, when, *nth = target.split(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    real = getattr(owner, name)
    calls = [0]
    limit = int(nth[0]) if nth else 1

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if when == "before" and calls[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        out = real(*args, **kwargs)
        if when == "after" and calls[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    setattr(owner, name, dying)


def main(argv: list[str]) -> None:
    kind, location, run_id, step_name, *target = argv
    if target:
        kill_at(target[0])
    store = StoreFactory(kind, location).open(run_id)
    getattr(svc, step_name)(store, step())


if __name__ == "__main__":
    main(sys.argv[1:])
