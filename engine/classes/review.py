"""复核 corrections of a published class placement: the posted classes stand.

Spec: ``docs/classes.md`` § "复核 corrections". After the class lists are posted a school
confirms them: a student withdraws (转学, 放弃学位), or a gender, score or yes/no attribute
on file turns out wrong. Each :class:`ClassCorrection` names the value on file (``old``,
checked), the verified value (``new``) and a reason.

The rule: **nobody moves because of someone else's correction.** The corrected run is the
original placement (recomputed from the original roster and seed, so it is reproducible),
with withdrawn students taken off their class lists and corrected attributes recorded;
every other student keeps the class the original run published. Why not place again: the
exchange search is a whole-grade optimisation, so re-placing after one withdrawal moved
388 of the 449 other sample students (measured, docs/classes.md), and the class-number
draw is keyed on each class's smallest student id, so a withdrawal could renumber whole
classes. The balance figures and the hard-rule audit are recomputed on the corrected cohort
with the classes as they now are; a count rule the corrections pushed outside ±1 is
reported (``holds: false`` and a warning), never silently repaired by moving children.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.classes.data import Cohort, PlacementRules, Student
from engine.classes.draws import canonical_slots
from engine.classes.problem import build_problem
from engine.classes.report import balance_report
from engine.classes.solve import Placement, place_students
from engine.corrections import Subject, apply_checked
from engine.errors import EngineError

__all__ = ["ClassChange", "ClassCorrection", "ClassReview", "apply_class_corrections", "review_placement"]

REVIEW_METHOD = "review: posted classes kept"


@dataclass(frozen=True)
class ClassCorrection:
    """One verified change to one student.

    ``field`` is ``withdraw``, ``gender`` (values ``"M"``/``"F"``), ``score:<name>`` (integer
    hundredths) or ``flag:<name>`` (booleans); ``old``/``new`` are ``None`` for a withdrawal.
    """

    student_id: str
    field: str
    old: str | int | bool | None
    new: str | int | bool | None
    reason: str


@dataclass(frozen=True)
class ClassChange:
    """One row of ``review_diff.csv``: the class before and after (``None``: withdrawn), and why."""

    student_id: str
    old_class: int
    new_class: int | None
    cause: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class ClassReview:
    """The original placement, the corrected one (same classes, same draws) and the changes."""

    before: Placement
    after: Placement
    withdrawn: tuple[str, ...]
    changes: tuple[ClassChange, ...]
    broken_counts: tuple[str, ...]  # count rules outside their bounds after the corrections


def _value(s: Student, cohort: Cohort, field: str) -> str | int | bool | None:
    kind, _, name = field.partition(":")
    if kind == "gender":
        return s.gender
    if kind == "score" and name in cohort.score_names:
        return s.scores[cohort.score_names.index(name)]
    if kind == "flag" and name in cohort.flag_names:
        return s.flags[cohort.flag_names.index(name)]
    raise EngineError(f"更正引用了未知项目「{field}」", f"correction names unknown field '{field}'")


def _set(s: Student, cohort: Cohort, field: str, value: str | int | bool | None, total_is_sum: bool) -> Student:
    kind, _, name = field.partition(":")
    if kind == "gender" and value in ("M", "F"):
        return replace(s, gender="M" if value == "M" else "F")
    if kind == "score" and isinstance(value, int) and not isinstance(value, bool):
        j = cohort.score_names.index(name)
        if total_is_sum and j == 0:
            raise EngineError(f"学生 {s.student_id}：总分为各科之和，请更正科目成绩",
                              f"student {s.student_id}: the total is the sum of the subjects; correct a subject")
        scores = list(s.scores)
        if total_is_sum:
            scores[0] += value - scores[j]
        scores[j] = value
        return replace(s, scores=tuple(scores))
    if kind == "flag" and isinstance(value, bool):
        flags = list(s.flags)
        flags[cohort.flag_names.index(name)] = value
        return replace(s, flags=tuple(flags))
    raise EngineError(f"学生 {s.student_id} 的「{field}」新值无效", f"student {s.student_id}: invalid new {field}")


def apply_class_corrections(cohort: Cohort, corrections: Sequence[ClassCorrection], *, total_is_sum: bool
                            ) -> tuple[Cohort, tuple[str, ...]]:
    """The corrected cohort (withdrawn students left out) and the withdrawn ids, sorted.

    Raises :class:`EngineError` for an unknown student or field, an ``old`` value that is not
    the one on file (a stale file), a field corrected twice, or a withdrawn student with other
    corrections. With ``total_is_sum`` (no total column in the input) a subject's correction
    moves the total by the same amount, and the total itself cannot be corrected.
    """
    subject: Subject[Student, ClassCorrection] = Subject(
        "学号", "student", lambda c: c.student_id, lambda s, c: _value(s, cohort, c.field),
        lambda s, c: _set(s, cohort, c.field, c.new, total_is_sum), _label)
    by_id, withdrawn = apply_checked({s.student_id: s for s in cohort.students}, corrections, subject)
    gone = set(withdrawn)
    kept = tuple(by_id[s.student_id] for s in cohort.students if s.student_id not in gone)
    return Cohort(cohort.score_names, cohort.flag_names, kept), withdrawn


def _own(fixes: Sequence[ClassCorrection]) -> tuple[str, str]:
    zh, en = [], []
    for c in fixes:
        if c.field == "withdraw":
            zh.append(f"本人退出（{c.reason}）")
            en.append(f"withdrew ({c.reason})")
        else:
            change = f"{_show(c.old)}→{_show(c.new)}"
            zh.append(f"本人更正{_label(c.field)} {change}（{c.reason}），班级不变")
            en.append(f"own correction of {_label(c.field, 'gender')} {change} ({c.reason}); class unchanged")
    return "；".join(zh), "; ".join(en)


def _label(field: str, gender: str = "性别") -> str:
    kind, _, name = field.partition(":")
    return gender if kind == "gender" else name


def _show(value: str | int | bool | None) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        whole, cents = divmod(value, 100)
        return str(whole) if cents == 0 else f"{value / 100:g}"
    if value in ("M", "F"):
        return "男" if value == "M" else "女"
    return str(value or "")


def review_placement(cohort: Cohort, rules: PlacementRules, seed: bytes, corrections: Sequence[ClassCorrection],
                     *, total_is_sum: bool, max_passes: int | None = None) -> ClassReview:
    """The original placement and the corrected one under the "posted classes stand" rule (module docstring)."""
    before = place_students(cohort, rules, seed, max_passes=max_passes)
    corrected, withdrawn = apply_class_corrections(cohort, corrections, total_is_sum=total_is_sum)
    index = {s.student_id: i for i, s in enumerate(before.problem.cohort.students)}
    slot = np.array([int(before.slot_of_student[index[s.student_id]]) for s in corrected.students], dtype=np.int64)
    sizes = np.bincount(slot, minlength=rules.classes)
    if (sizes == 0).any():
        empty = int(np.flatnonzero(sizes == 0)[0])
        label = before.label_of_slot[empty]
        raise EngineError(f"更正后 {label} 班没有学生", f"class {label} has no students left after the corrections")
    # The classes as they now are: sizes fixed to the actual sizes, every rule and figure recomputed on them.
    now = replace(rules, class_sizes=tuple(int(s) for s in sizes.tolist()))
    problem = build_problem(corrected, now, seed)
    report = balance_report(problem, slot)
    broken = tuple(f"{rule.name} {before.label_of_slot[c]}班 {int(rule.member[slot == c].sum())} ∉ "
                   f"[{rule.lo[c]}, {rule.hi[c]}]" for rule in problem.counts for c in range(problem.k)
                   if not rule.lo[c] <= int(rule.member[slot == c].sum()) <= rule.hi[c])
    after = Placement(problem, slot, canonical_slots(problem, slot), before.label_of_slot, before.head_teachers,
                      REVIEW_METHOD, before.stats, report)
    fixes: dict[str, list[ClassCorrection]] = {}
    for c in corrections:
        fixes.setdefault(c.student_id, []).append(c)
    changes = []
    gone = set(withdrawn)
    for sid in sorted(fixes, key=str.encode):
        zh, en = _own(fixes[sid])
        old = before.class_of(index[sid])
        changes.append(ClassChange(sid, old, None if sid in gone else old, "own", zh, en))
    return ClassReview(before, after, withdrawn, tuple(changes), broken)
