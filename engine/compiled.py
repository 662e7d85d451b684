"""The one way the engine compiles its hot loops: numba, cached on disk, strict IEEE arithmetic.

Why these settings: ``cache=True`` keeps the compile (seconds) out of every run after the
first; no ``fastmath`` and no ``parallel`` so floating-point operations happen in source
order and results are bit-identical across runs and machines (determinism is the product);
``nogil`` so a caller may run kernels beside other threads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["inlined_kernel", "kernel"]

F = TypeVar("F", bound=Callable[..., Any])


def kernel(fn: F) -> F:
    """Compile ``fn`` with numba (see the module docstring for the settings)."""
    # numba is untyped; the cast keeps mypy --strict honest about our own signatures.
    return cast(F, numba.njit(cache=True, nogil=True)(fn))


def inlined_kernel(fn: F) -> F:
    """:func:`kernel`, inlined into its callers at numba's IR level (``inline="always"``).

    Why: the SHA-256 lane loops vectorise only when LLVM sees the whole compression in one
    function; split into a called schedule and rounds, the lottery numbers ran 3× slower
    (measured, benchmarks/RESULTS.md § Simulation). Inlining keeps one copy of each in source.
    """
    return cast(F, numba.njit(cache=True, nogil=True, inline="always")(fn))
