"""Runs built up over HTTP: created empty, inputs uploaded one file at a time, options set, in DRAFT.

The command line prepares every input at once (``sunshine ceremony init``); the service cannot:
a clerk uploads the schools table, then the applicants, fixes an error and uploads again. So a
service run starts in DRAFT with no inputs, and every upload or option change is one
``inputs.update`` step (:func:`api.service.ceremony.update_inputs`: the inputs and the log entry
stored together) holding the whole new set of source files:

* an input file is stored as ``<key>/<file name as uploaded>`` (``applicants/报名表.xlsx``), so
  the freeze's ``inputs`` commitment names what each file is for and what the clerk called it;
* the options are the source file ``options.json`` (canonical JSON), committed by the freeze like
  every other input;
* once every required input is there, the kind's ``prepare`` runs on the whole set, and the
  upload that completes it (or any later one) is refused, changing nothing, when ``prepare``
  refuses it; before that, a file is only checked to be of a format the kind reads.

The checklist (:mod:`api.service.checklist`) and the freeze refuse a DRAFT whose set is incomplete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from api.inputs import InputFile
from api.runs import get_kind
from api.runs.kind import OptionValue, PreparedRun, RunKind, check_options, missing_inputs
from api.service import ceremony
from api.store.base import RunStore
from audit.canonical import canonical_bytes
from audit.ceremony import check_next, replay_log
from audit.errors import CeremonyError
from engine.errors import InputError

__all__ = ["ACCEPTED_SUFFIXES", "OPTIONS_FILE", "complete", "input_files", "options_of", "set_options",
           "upload_input"]

#: The source file holding a service run's options.
OPTIONS_FILE = "options.json"
#: The formats an input file may have, by suffix.
ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".toml", ".json")


def input_files(sources: Mapping[str, bytes]) -> dict[str, InputFile]:
    """The stored source files as the kind's inputs: ``{key: InputFile(uploaded name, bytes)}``."""
    out: dict[str, InputFile] = {}
    for name, data in sources.items():
        key, sep, filename = name.partition("/")
        if sep:
            out[key] = InputFile(filename, data)
    return out


def options_of(sources: Mapping[str, bytes]) -> dict[str, OptionValue]:
    """The options stored with a service run (``{}`` when none were set)."""
    raw = sources.get(OPTIONS_FILE)
    if raw is None:
        return {}
    loaded: dict[str, OptionValue] = json.loads(raw)
    return loaded


def complete(kind: RunKind, sources: Mapping[str, bytes]) -> bool:
    """Whether every required input of ``kind`` is among ``sources``."""
    return not missing_inputs(kind, input_files(sources))


def _prepared(kind: RunKind, sources: dict[str, bytes]) -> PreparedRun:
    """The DRAFT's inputs for the store: prepared in full when complete, else only the sources."""
    inputs = input_files(sources)
    options = check_options(kind, options_of(sources))
    if missing_inputs(kind, inputs):
        return PreparedRun(kind=kind.name, config={}, roster=[], source_files=sources)
    run = kind.prepare(inputs, options)
    return PreparedRun(kind=run.kind, config=run.config, roster=run.roster, private=run.private,
                       source_files=sources)


def upload_input(store: RunStore, key: str, file: InputFile, step: ceremony.Step) -> PreparedRun:
    """Store ``file`` as the run's input ``key`` (replacing any earlier one), validated; DRAFT only.

    Raises :class:`~engine.errors.InputError` / ``ConfigError`` (nothing changed) when the file,
    or the set it completes, is refused; :class:`~audit.errors.CeremonyError` after the freeze.
    """
    _require_draft(store)
    kind = get_kind(store.info().kind)
    specs = {s.key: s for s in kind.inputs}
    if key not in specs:
        known = "、".join(specs)
        raise InputError(file.name, f"{kind.name} 没有输入 {key}（可用：{known}）",
                         f"{kind.name} has no input {key!r} (known: {', '.join(specs)})")
    if file.suffix not in ACCEPTED_SUFFIXES or "/" in file.name or not file.name.strip():
        raise InputError(file.name or "(no name)",
                         f"不支持的文件：{file.name!r}（可用 {'、'.join(ACCEPTED_SUFFIXES)}）",
                         f"unsupported file {file.name!r} (use {', '.join(ACCEPTED_SUFFIXES)})")
    sources = {n: d for n, d in store.source_files().items() if not n.startswith(f"{key}/")}
    sources[f"{key}/{file.name}"] = file.data
    return _update(store, kind, sources, step)


def set_options(store: RunStore, options: Mapping[str, OptionValue], step: ceremony.Step) -> PreparedRun:
    """Replace the run's options (checked against the kind; re-prepares a complete set); DRAFT only."""
    _require_draft(store)
    kind = get_kind(store.info().kind)
    checked = check_options(kind, options)
    sources = dict(store.source_files())
    sources[OPTIONS_FILE] = canonical_bytes({k: v for k, v in checked.items() if v is not None})
    return _update(store, kind, sources, step)


def _require_draft(store: RunStore) -> None:
    """Inputs change only in DRAFT: refused by the state machine before any file is even read."""
    check_next(replay_log(store.log()), "inputs.update")


def _update(store: RunStore, kind: RunKind, sources: dict[str, bytes], step: ceremony.Step) -> PreparedRun:
    run = _prepared(kind, dict(sorted(sources.items())))
    ceremony.update_inputs(store, run, step)
    return run


def require_complete(store: RunStore) -> None:
    """Refuse to go on from a DRAFT whose required inputs are not all uploaded."""
    kind = get_kind(store.info().kind)
    missing = missing_inputs(kind, input_files(store.source_files()))
    if missing:
        raise CeremonyError("缺少输入：" + "、".join(f"{s.key}（{s.help_zh}）" for s in missing),
                            "inputs missing: " + ", ".join(f"{s.key} ({s.help_en})" for s in missing))
