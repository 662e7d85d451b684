"""Execute a prepared run and write its outputs atomically into ``--out``.

This is the one code path every engine command uses to produce results, so the audit
layer can add the bundle (roster commitment, seed derivation, signed log) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.outputs import staged_directory, write_files
from api.runs import PreparedRun, get_kind

__all__ = ["PublishedRun", "publish_run"]


@dataclass(frozen=True)
class PublishedRun:
    out: Path
    public_files: dict[str, bytes]
    summary: str


def publish_run(run: PreparedRun, seed: bytes, out: str | Path, *, practice: bool = True) -> PublishedRun:
    """Run the engine on ``run`` with ``seed`` and write public and private outputs into ``out``.

    ``practice`` marks a manually chosen seed (the engines' ``--seed HEX``); a
    ceremony run passes ``False``. Nothing is written to ``out`` unless every step succeeds.
    """
    kind = get_kind(run.kind)
    public = kind.execute(run.config, run.roster, seed)
    private = kind.render_private(run, public, seed)
    with staged_directory(out) as staging:
        write_files(staging, public)
        write_files(staging, private)
    return PublishedRun(out=Path(out), public_files=public, summary=kind.summary(public))
