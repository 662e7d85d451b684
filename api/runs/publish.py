"""Publish a run into a result folder: build (pure, :mod:`api.runs.build`), then store (the folder).

``publish_run`` is what the engine commands call for a practice run; the ceremony's publish
step goes through :mod:`api.service.ceremony`, which stores the log first and then writes the
same kind of folder with :func:`api.store.result_folder.write_result_folder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.runs.build import Publication, build_practice
from api.runs.kind import PreparedRun, RunSummary
from api.store.result_folder import write_result_folder

__all__ = ["PublishedRun", "publish_run"]


@dataclass(frozen=True)
class PublishedRun:
    """Where a published run was written, with its publication (every file as bytes) and summary."""

    out: Path
    publication: Publication

    @property
    def public_files(self) -> dict[str, bytes]:
        return self.publication.results.public

    @property
    def summary(self) -> RunSummary:
        return self.publication.summary


def publish_run(run: PreparedRun, seed: bytes, out: str | Path) -> PublishedRun:
    """Practice run: execute ``run`` with the typed-in ``seed`` and write every output into ``out``.

    Nothing is written unless every step succeeds; ``out`` is replaced only when it is a previous
    result folder or empty (:func:`~api.store.result_folder.write_result_folder`).
    """
    publication = build_practice(run, seed)
    target = write_result_folder(out, publication.files(), run_id=publication.run_id, kind=publication.kind)
    return PublishedRun(out=target, publication=publication)
