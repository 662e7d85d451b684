"""Objections and review (复核): applying field corrections and explaining what moved.

Spec: ``docs/points.md`` §Review. A correction names an applicant, a field, the value
the department found on file (``old``), the verified value (``new``) and a reason. The
``old`` value must equal what the run used — a mismatch means the clerk corrected the
wrong record or an out-of-date file, so it is an error, never silently applied. The
run is then repeated with the same seed (deterministic), and :func:`diff_outcomes`
lists everyone whose total, rank, school or result changed, with the reason: their own
corrections, or "moved by others' corrections" (someone above them changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from engine.errors import EngineError
from engine.points.admission import Outcome
from engine.points.rules import RuleSet
from engine.points.scoring import Applicant, FieldValue

__all__ = ["Change", "Correction", "apply_corrections", "diff_outcomes"]


@dataclass(frozen=True)
class Correction:
    """One verified change to one applicant's field (values typed as in :class:`Applicant`)."""

    applicant_id: str
    field: str
    old: FieldValue
    new: FieldValue
    reason: str


@dataclass(frozen=True)
class Change:
    """How one applicant's outcome moved between the original and the corrected run."""

    applicant_id: str
    old_total: int
    new_total: int
    old_rank: int
    new_rank: int
    old_school: str
    new_school: str
    old_result: str
    new_result: str
    reason: str


def apply_corrections(rule_set: RuleSet, applicants: Sequence[Applicant],
                      corrections: Sequence[Correction]) -> tuple[Applicant, ...]:
    """Applicants with ``corrections`` applied in order.

    Raises :class:`EngineError` for an unknown applicant or field, or an ``old`` value
    that differs from the current one (blank and ``None`` are the same).
    """
    names = {f.name for f in rule_set.fields}
    by_id = {a.id: a for a in applicants}
    for c in corrections:
        if c.field not in names:
            raise EngineError(f"更正引用了未知字段「{c.field}」", f"correction names unknown field '{c.field}'")
        current = by_id.get(c.applicant_id)
        if current is None:
            raise EngineError(f"更正引用了未知申请「{c.applicant_id}」",
                              f"correction names unknown applicant '{c.applicant_id}'")
        have = current.values.get(c.field)
        if _blank(have) != _blank(c.old):
            raise EngineError(
                f"申请 {c.applicant_id} 字段「{c.field}」原值为 {have!r}，与更正记录的原值 {c.old!r} 不符",
                f"applicant {c.applicant_id}, field '{c.field}': value on file {have!r} "
                f"does not match the correction's old value {c.old!r}",
            )
        by_id[c.applicant_id] = replace(current, values={**current.values, c.field: c.new})
    return tuple(by_id[a.id] for a in applicants)


def _blank(value: FieldValue) -> FieldValue:
    return None if value in ("", ()) else value


def diff_outcomes(before: Outcome, after: Outcome, corrections: Sequence[Correction]) -> list[Change]:
    """Applicants whose total, rank, school or result differ, sorted by applicant id.

    Both outcomes must cover the same applicants and schools in the same order.
    """
    reasons: dict[str, list[str]] = {}
    for c in corrections:
        reasons.setdefault(c.applicant_id, []).append(f"{c.field}: {c.reason}")
    changes: list[Change] = []
    for i, a in enumerate(before.applicants):
        if after.applicants[i].id != a.id:
            raise EngineError("两次运行的申请顺序不一致", "the two runs list applicants differently")
        old = (int(before.scores.total[i]), int(before.ranking.rank[i]), _school(before, i), before.result(i))
        new = (int(after.scores.total[i]), int(after.ranking.rank[i]), _school(after, i), after.result(i))
        if old == new and a.id not in reasons:
            continue
        why = "; ".join(reasons.get(a.id, [])) or "他人更正导致位次变化 / moved by others' corrections"
        changes.append(Change(a.id, old[0], new[0], old[1], new[1], old[2], new[2], old[3], new[3], why))
    return sorted(changes, key=lambda ch: ch.applicant_id)


def _school(outcome: Outcome, i: int) -> str:
    s = int(outcome.placement.school[i])
    return outcome.schools[s].id if s >= 0 else ""
