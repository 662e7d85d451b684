"""City batch of class placement: one students file per school, one result folder per school.

Edge module. ``sunshine classes --batch DIR`` reads every ``*.csv`` / ``*.xlsx`` in DIR (sorted
by name), validates all of them first (a bad file stops the batch before any placement,
with the usual located bilingual error), then places each school as one task on the
:mod:`api.distributed` backend (in-process, ``--workers K`` or ``--scheduler ADDRESS``).
``OUT/<file stem>/`` is exactly what ``sunshine classes --students <file>`` writes with the
same seed and options; OUT as a whole is replaced atomically. With ``--scheduler`` the
workers write the school folders themselves, so they must see the same file system.
"""

from __future__ import annotations

from pathlib import Path

from api.distributed import Backend
from api.outputs import staged_directory
from api.runs import PreparedRun
from api.runs.classes import prepare_classes
from api.runs.publish import publish_run
from engine.errors import ConfigError

__all__ = ["STUDENT_SUFFIXES", "batch_files", "prepare_batch", "run_batch"]

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


def _place_school(run: PreparedRun, seed: bytes, out: str) -> str:
    # A task: top-level so that Dask workers can import it by name.
    return publish_run(run, seed, out).summary


def prepare_batch(directory: Path, n_classes: int | None, config: Path | None) -> dict[str, PreparedRun]:
    """Every school's validated inputs, ``{file stem: run}`` in file-name order (errors before any work)."""
    return {p.stem: prepare_classes(p, n_classes, config) for p in batch_files(directory)}


def run_batch(runs: dict[str, PreparedRun], seed: bytes, out: Path, backend: Backend) -> dict[str, str]:
    """Place every school on ``backend`` into ``out/<stem>/``; returns ``{stem: summary}``."""
    with staged_directory(out) as staging:
        summaries = backend.map(_place_school, [(run, seed, str(staging / stem)) for stem, run in runs.items()], {})
    return dict(zip(runs, summaries, strict=True))
