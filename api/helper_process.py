"""A helper process that imports a slow library while this process works, then answers one request.

Edge module (starts a process). Why: ``sunshine classes`` needs pypinyin (≈ 1.1 s to import)
for the homophone groups and matplotlib (≈ 1.1–1.5 s with the CJK font) for ``chart.png``;
both imports are Python holding the GIL, so a thread would not run beside this process's own
Python work (and would stall the solve after each of its ~5,000 numba kernel returns, up to
the 5 ms switch interval each). A second process on the second core imports while this one
reads, validates and solves; when the data is ready, :meth:`HelperProcess.ask` sends it and
waits for the answer.

The helper runs ``python -m <module>`` with this interpreter (``sys.executable``), so it computes
with the same code and libraries as this process would: the answer does not depend on where
it was computed, and nothing depends on timing (the caller waits). A helper module imports
nothing heavy of Sunshine and calls :func:`serve`. A failed helper raises :class:`HelperError`
with its error output; there is no silent fallback.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["Helper", "HelperError", "HelperProcess", "InProcess", "helper_for", "serve"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class HelperError(RuntimeError):
    """A helper process failed (its exit status and error output are in the message)."""


class HelperProcess:
    """``python -m module``, started now; :meth:`ask` it once, or :meth:`close` it unasked."""

    def __init__(self, module: str) -> None:
        self.module = module
        # Run from the package root, so ``-m`` finds this package whatever the caller's directory.
        self._proc = subprocess.Popen([sys.executable, "-m", module], cwd=_PACKAGE_ROOT, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def ask(self, request: bytes) -> bytes:
        """Send ``request`` (the helper's whole stdin), wait, return its stdout; :class:`HelperError` if it failed."""
        out, err = self._proc.communicate(request)
        if self._proc.returncode != 0:
            raise HelperError(f"{self.module} helper exited with status {self._proc.returncode}: "
                              f"{err.decode('utf-8', 'replace').strip()}")
        return out

    def close(self) -> None:
        """Stop the helper if it was never asked (the caller failed first); a no-op after :meth:`ask`."""
        if self._proc.returncode is None:
            self._proc.kill()
            self._proc.communicate()


class InProcess:
    """The same request answered in this process (by the function the helper would call)."""

    def __init__(self, answer: Callable[[bytes], bytes]) -> None:
        self._answer = answer

    def ask(self, request: bytes) -> bytes:
        return self._answer(request)

    def close(self) -> None:
        """Nothing to stop."""


Helper = HelperProcess | InProcess
_STARTED: set[str] = set()


def helper_for(module: str, answer: Callable[[bytes], bytes]) -> Helper:
    """A helper process for this process's first request to ``module``; :class:`InProcess` after that.

    Why only the first: the helper hides an import that a process pays once. A process that
    runs many placements (``--batch``, the HTTP service, the tests) pays it on its second
    request and then answers in process for free, instead of starting one importing helper per
    school. ``answer`` is what the helper's :func:`serve` calls, so the bytes are the same.
    """
    if module in _STARTED:
        return InProcess(answer)
    _STARTED.add(module)
    return HelperProcess(module)


def serve(warm: Callable[[], object], answer: Callable[[bytes], bytes]) -> None:
    """The helper's side: ``warm()`` first (the slow imports, while the caller works), then answer stdin."""
    warm()
    request = sys.stdin.buffer.read()
    sys.stdout.buffer.write(answer(request))
    sys.stdout.buffer.flush()
