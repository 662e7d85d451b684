"""Run kinds: the seam between the engines and every edge (CLI, ceremony, HTTP, simulation).

The protocol and the data crossing it are in :mod:`api.runs.kind`; each kind's edge module
(``lottery``, ``points``, ``classes``) provides one :class:`~api.runs.kind.RunKind` object.
This module is the one registry: :func:`get_kind` maps the kind name recorded in a log or a
bundle to its object. Callers dispatch through that object (its ``inputs``, ``options``,
``prepare``, ``execute`` …), never by importing or naming a kind's functions.

``register`` exists for tests, which add fake kinds behind the same seam.
"""

from __future__ import annotations

from api.runs.classes import CLASSES
from api.runs.kind import PreparedRun, RunKind, RunSummary
from api.runs.lottery import LOTTERY
from api.runs.points import POINTS
from engine.errors import ConfigError

__all__ = ["RUN_KINDS", "PreparedRun", "RunKind", "RunSummary", "get_kind", "register"]

RUN_KINDS: dict[str, RunKind] = {k.name: k for k in (LOTTERY, POINTS, CLASSES)}


def register(kind: RunKind) -> RunKind:
    """Add a run kind to the registry (the three shipped kinds are registered here; tests add fakes)."""
    RUN_KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> RunKind:
    """The run kind called ``name``; an unknown name is a ConfigError listing the known kinds."""
    try:
        return RUN_KINDS[name]
    except KeyError:
        known = ", ".join(sorted(RUN_KINDS))
        raise ConfigError("kind", name, f"未知的运行类型 {name}（可用：{known}）",
                          f"unknown run kind {name!r} (known: {known})") from None
