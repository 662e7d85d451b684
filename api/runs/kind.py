"""The run-kind seam: what each engine's edge module provides, and the data that crosses it.

Every engine command works in two steps so that an auditor can replay it from the
public bundle alone:

1. :meth:`RunKind.prepare` parses the input files (bytes, :class:`~api.inputs.InputFile`)
   and options into a :class:`PreparedRun`, whose ``config`` and ``roster`` are plain JSON
   (strings, integers, booleans, lists, objects; never floats, so RFC 8785 bytes are
   unambiguous). ``roster`` is the *public* roster: one record per applicant/student,
   sorted by ``"id"``, holding only what the engine uses. Names and ID numbers go in
   ``private`` and never into a public output.
2. :meth:`RunKind.execute` ``(config, roster, seed)`` is pure: it returns the public
   result files as bytes. Replaying a bundle calls exactly this function on the bundle's
   config and roster. :meth:`RunKind.render_private` adds the outputs that carry names.

Each kind declares its inputs (:class:`InputSpec`) and options (:class:`OptionSpec`), so
the command line, the ceremony and the HTTP layer build their arguments from the
declaration instead of mapping them by hand, and :func:`check_options` refuses an
unknown or mistyped option in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

from api.inputs import InputFile
from audit.run_facts import RunFacts
from engine.errors import ConfigError

__all__ = [
    "Figure",
    "InputSpec",
    "JSONObject",
    "JSONValue",
    "OptionSpec",
    "OptionValue",
    "PreparedRun",
    "Record",
    "RunKind",
    "RunSummary",
    "check_options",
    "missing_inputs",
]

JSONValue: TypeAlias = str | int | bool | list["JSONValue"] | dict[str, "JSONValue"] | None
JSONObject: TypeAlias = dict[str, JSONValue]
#: A roster record as the audit layer sees it (each kind narrows it to its own TypedDict).
Record: TypeAlias = Mapping[str, object]
OptionValue: TypeAlias = str | int | bool | None


@dataclass(frozen=True)
class InputSpec:
    """One input file of a kind: its key (``schools``), whether it is required, what it is (zh/en)."""

    key: str
    required: bool
    help_zh: str
    help_en: str


@dataclass(frozen=True)
class OptionSpec:
    """One option of a kind: key, value type, default, accepted values (empty: any), help text."""

    key: str
    type: type[str] | type[int] | type[bool]
    default: OptionValue
    help_zh: str
    help_en: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreparedRun:
    """Normalised inputs of one run: everything ``execute`` needs, plus private fields and the sources read."""

    kind: str
    config: JSONObject
    roster: Sequence[Record]
    private: dict[str, dict[str, str]] = field(default_factory=dict)
    source_files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """One labelled figure of a run summary (the CLI prints it, the HTTP service returns it as JSON)."""

    key: str
    label_zh: str
    label_en: str
    value: str | int | bool


@dataclass(frozen=True)
class RunSummary:
    """A structured summary of a run's public files: data, never a terminal string."""

    kind: str
    title_zh: str
    title_en: str
    figures: tuple[Figure, ...]
    warnings: tuple[str, ...] = ()

    def as_json(self) -> JSONObject:
        """The summary as plain JSON (for the HTTP service)."""
        return {
            "kind": self.kind, "title_zh": self.title_zh, "title_en": self.title_en,
            "figures": [{"key": f.key, "label_zh": f.label_zh, "label_en": f.label_en, "value": f.value}
                        for f in self.figures],
            "warnings": list(self.warnings),
        }


class RunKind(Protocol):
    """What each engine's edge module provides (``api/runs/<kind>.py``)."""

    @property
    def name(self) -> str:
        """The kind's name, as recorded in every log and bundle (``lottery``, ``points``, ``classes``)."""
        ...

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        """The input files, in the order a user is asked for them."""
        ...

    @property
    def options(self) -> tuple[OptionSpec, ...]:
        """The options (besides the inputs) that shape the config."""
        ...

    def prepare(self, inputs: Mapping[str, InputFile], options: Mapping[str, OptionValue]) -> PreparedRun:
        """Parse and validate; raise :class:`~engine.errors.InputError`/``ConfigError`` at the first problem."""
        ...

    def execute(self, config: Mapping[str, object], roster: Sequence[Record], seed: bytes,
                facts: RunFacts | None = None) -> dict[str, bytes]:
        """Public result files (name → bytes); deterministic in (config, roster, seed, facts, engine version).

        ``facts`` name the run in the title rows of the lists people open (XLSX); they come from
        the run's log only (:mod:`audit.run_facts`), so replaying a bundle passes the same ones."""
        ...

    def render_private(self, run: PreparedRun, public_files: Mapping[str, bytes], seed: bytes,
                       facts: RunFacts | None = None) -> dict[str, bytes]:
        """Outputs that may carry names (never part of the public bundle), titled like the public ones."""
        ...

    def summarize(self, public_files: Mapping[str, bytes]) -> RunSummary:
        """The figures a person looks at after a run."""
        ...


def check_options(kind: RunKind, options: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
    """``options`` completed with defaults; an unknown key, a wrong type or an unlisted value is a ConfigError."""
    specs = {s.key: s for s in kind.options}
    for key in options:
        if key not in specs:
            known = ", ".join(specs) or "(none)"
            raise ConfigError("options", key, f"{kind.name} 没有选项 {key}（可用：{known}）",
                              f"{kind.name} has no option {key!r} (known: {known})")
    out: dict[str, OptionValue] = {}
    for key, spec in specs.items():
        value = options.get(key, spec.default)
        if value is not None and (type(value) is not spec.type):
            raise ConfigError("options", key, f"应为 {spec.type.__name__}", f"must be of type {spec.type.__name__}")
        if spec.choices and value not in spec.choices:
            raise ConfigError("options", key, f"可选值：{'、'.join(spec.choices)}",
                              f"must be one of {', '.join(spec.choices)}")
        out[key] = value
    return out


def missing_inputs(kind: RunKind, inputs: Mapping[str, InputFile]) -> list[InputSpec]:
    """The required inputs of ``kind`` not in ``inputs`` (the checklist before a run can be frozen)."""
    return [s for s in kind.inputs if s.required and s.key not in inputs]
