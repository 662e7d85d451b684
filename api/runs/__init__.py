"""Run kinds: the seam between the engines and the audit layer.

Every engine command works in two steps so that an auditor can replay it from the
public bundle alone:

1. ``prepare`` (edge, does I/O): parse the input files into a :class:`PreparedRun`,
   whose ``config`` and ``roster`` are plain JSON data (strings, integers, booleans,
   lists, dicts; never floats, so RFC 8785 bytes are unambiguous). ``roster`` is the
   *public* roster: one record per applicant/student, sorted by ``"id"``, holding
   only what the engine uses. Names and ID numbers go in ``private`` and never into
   a public output.
2. ``execute(config, roster, seed)`` (pure): returns the public result files as bytes.
   Replaying a bundle calls exactly this function on the bundle's config and roster.
   ``render_private`` adds the outputs that carry names (e.g. class lists schools post).

:data:`RUN_KINDS` maps a kind name (``lottery``, ``points``, ``classes``) to its
:class:`RunKind`; modules register themselves when imported by :func:`get_kind`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["RUN_KINDS", "PreparedRun", "RunKind", "get_kind", "register"]

JSON = Any


@dataclass(frozen=True)
class PreparedRun:
    """Normalised inputs of one run: everything ``execute`` needs, plus private fields."""

    kind: str
    config: dict[str, JSON]
    roster: list[dict[str, JSON]]
    private: dict[str, dict[str, str]] = field(default_factory=dict)
    source_files: dict[str, bytes] = field(default_factory=dict)


class RunKind(Protocol):
    """What each engine's edge module provides."""

    name: str

    def execute(self, config: Mapping[str, JSON], roster: list[dict[str, JSON]], seed: bytes) -> dict[str, bytes]:
        """Public result files (name → bytes); deterministic in (config, roster, seed, engine version)."""
        ...

    def render_private(
        self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes
    ) -> dict[str, bytes]:
        """Outputs that may carry names (never part of the public bundle)."""
        ...

    def summary(self, public_files: Mapping[str, bytes]) -> str:
        """A few lines for the terminal after a run."""
        ...


RUN_KINDS: dict[str, RunKind] = {}
_MODULES = {"lottery": "api.runs.lottery", "points": "api.runs.points", "classes": "api.runs.classes"}


def register(kind: RunKind) -> RunKind:
    """Register a run kind (called at import of its module)."""
    RUN_KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> RunKind:
    """Look up a run kind, importing its module on first use; ``KeyError`` for an unknown kind."""
    if name not in RUN_KINDS and name in _MODULES:
        importlib.import_module(_MODULES[name])
    return RUN_KINDS[name]
