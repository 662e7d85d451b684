"""City batch of class placement: one students file per school, one result folder per school.

Edge module. ``sunshine classes --batch DIR`` takes every ``*.csv`` / ``*.xlsx`` in DIR (sorted
by name, :func:`batch_files`), validates all of them first through the classes run kind (a bad
file stops the batch before any placement, with the usual located bilingual error), then builds
each school's publication as one task on the :mod:`api.distributed` backend (in-process,
``--workers K`` or ``--scheduler ADDRESS``). Tasks are the pure build step
(:func:`api.runs.build.build_practice`): workers return bytes and only this process writes, so
remote workers need no shared file system. ``OUT/<file stem>/`` holds exactly the files
``sunshine classes --students <file>`` writes with the same seed and options; OUT as a whole is
one result folder, replaced atomically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from api.distributed import Backend
from api.inputs import InputFile
from api.runs import PreparedRun, RunSummary, get_kind
from api.runs.build import Publication, build_practice
from engine.errors import ConfigError

__all__ = ["STUDENT_SUFFIXES", "batch_files", "batch_folder_files", "place_batch", "prepare_batch"]

STUDENT_SUFFIXES = (".csv", ".xlsx")


def batch_files(directory: Path) -> list[Path]:
    """The students files of a batch folder, sorted by name; one result folder per file stem."""
    if not directory.is_dir():
        raise ConfigError(str(directory), "--batch", "不是文件夹", "is not a folder")
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in STUDENT_SUFFIXES
                   and not p.name.startswith((".", "~$")))
    if not files:
        raise ConfigError(str(directory), "--batch", "文件夹中没有学生表（.csv / .xlsx）",
                          "the folder has no students files (.csv / .xlsx)")
    stems: dict[str, Path] = {}
    for p in files:
        if p.stem in stems:
            raise ConfigError(str(directory), p.name, f"与 {stems[p.stem].name} 同名，结果文件夹会冲突",
                              f"has the same name as {stems[p.stem].name}: their result folders would collide")
        stems[p.stem] = p
    return files


def prepare_batch(students: Mapping[str, InputFile], config: InputFile | None,
                  n_classes: int | None) -> dict[str, PreparedRun]:
    """Every school's validated run, ``{school folder name: run}`` in the given order (errors before any work)."""
    kind = get_kind("classes")
    runs = {}
    for school, file in students.items():
        inputs = {"students": file} if config is None else {"students": file, "config": config}
        runs[school] = kind.prepare(inputs, {"classes": n_classes})
    return runs


def _build_school(run: PreparedRun, seed: bytes) -> Publication:
    # A task: top-level so that Dask workers can import it by name; pure (bytes out).
    return build_practice(run, seed)


def place_batch(runs: Mapping[str, PreparedRun], seed: bytes, backend: Backend) -> dict[str, Publication]:
    """Build every school's publication on ``backend``; ``{school: publication}`` in the order of ``runs``."""
    built = backend.map(_build_school, [(run, seed) for run in runs.values()], {})
    return dict(zip(runs, built, strict=True))


def batch_folder_files(built: Mapping[str, Publication]) -> tuple[dict[str, bytes], str]:
    """The batch result folder's files (``<school>/<file>``) and its run id (a digest of the schools' ids)."""
    files = {f"{school}/{name}": data for school, pub in built.items() for name, data in pub.files().items()}
    ids = "\n".join(f"{school}\t{pub.run_id}" for school, pub in built.items())
    return files, "batch-" + hashlib.sha256(ids.encode()).hexdigest()[:16]


def summaries(built: Mapping[str, Publication]) -> dict[str, RunSummary]:
    """Each school's run summary (for printing)."""
    return {school: pub.summary for school, pub in built.items()}
