"""复核 corrections of a published zone lottery: the linked run and who moved and why.

Spec: ``docs/lottery.md`` § "复核 corrections". After publication a bureau re-checks
eligibility (第二轮资格复核) and confirms places; what it finds is a list of
:class:`Correction` (a withdrawal, a tier or priority correction, a corrected choice
list), each with the value it found on file (``old``), the verified value (``new``) and a
reason. The corrected run is the original run with those corrections applied and **the
original's lottery numbers**: nobody is drawn again.

Why the numbers are inherited instead of drawn from the corrected roster: a number is
keyed on the unit (randomness spec §3.2), and a multiples unit's key is its members' ids.
When one twin withdraws, the other's unit would get a new key and a fresh number. So every
unit of the corrected market takes the number of the original unit its members came from
(its original key also breaks ties), and every other applicant's number is the same
by construction. The mechanism then runs again with those numbers: a seat given up goes to
the next in the published order (for ``da``, withdrawals alone never make anyone worse off).

:func:`review_lottery` returns both results, the result rows of the corrected run (withdrawn
applicants included, reason ``withdrawn``) and :class:`Change` rows for everyone whose row
changed, each with its cause: their own correction, a multiples partner's correction, a seat
taken by a corrected applicant (``displaced``), a seat freed by one (``freed_seat``), or a
knock-on of those moves. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from engine.arrays import Int64Array, UInt64Array
from engine.corrections import Subject, apply_checked
from engine.errors import EngineError
from engine.lottery.data import Applicant, LotteryProblem, Market, Mechanism, build_market
from engine.lottery.numbers import draw_numbers, priority_ranks
from engine.lottery.report import ApplicantRow, applicant_rows, applicant_units
from engine.lottery.rounds import REASON_LABELS, LotteryResult, place_market

__all__ = [
    "CAUSES",
    "FIELDS",
    "WITHDRAWN",
    "Change",
    "Correction",
    "CorrectionValue",
    "Field",
    "Review",
    "apply_corrections",
    "inherited_draw",
    "result_label",
    "review_lottery",
    "show_value",
]

Field = Literal["withdraw", "tier", "priority", "preferences", "round2"]
#: The fields a correction may change, in the order a correction's effects are listed.
FIELDS: tuple[Field, ...] = ("withdraw", "tier", "priority", "preferences", "round2")
#: A corrected value: a tier, a school list, (school, tier) overrides, or ``None`` for a withdrawal.
CorrectionValue = int | tuple[str, ...] | tuple[tuple[str, int], ...] | None
#: The ``reason`` code of a withdrawn applicant's row in ``results.csv`` of a corrected run.
WITHDRAWN = "withdrawn"
#: Why a row of ``review_diff.csv`` changed (column ``cause``).
CAUSES = ("own", "group", "displaced", "freed_seat", "knock_on")

_FIELD_ZH = {"withdraw": "退出", "tier": "类别", "priority": "学校优先", "preferences": "志愿", "round2": "二轮志愿"}
_FIELD_EN = {"withdraw": "withdrawal", "tier": "tier", "priority": "school priority", "preferences": "choices",
             "round2": "round-2 choices"}
_NAMED = 3  # at most this many ids are named in one reason ("and N more" after them)


@dataclass(frozen=True)
class Correction:
    """One verified change to one applicant, typed as in :class:`~engine.lottery.data.Applicant`."""

    applicant_id: str
    field: Field
    old: CorrectionValue
    new: CorrectionValue
    reason: str


@dataclass(frozen=True)
class Change:
    """One row of ``review_diff.csv``: an applicant's result row before and after, and why it changed."""

    applicant_id: str
    lottery_number: str
    before: ApplicantRow
    after: ApplicantRow
    cause: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Review:
    """The original and the corrected run, the corrected run's result rows, and the changes."""

    before: LotteryResult
    after: LotteryResult
    withdrawn: tuple[str, ...]
    rows: tuple[ApplicantRow, ...]  # every applicant of the original, by application number
    changes: tuple[Change, ...]  # by application number


def _current(a: Applicant, field: Field) -> CorrectionValue:
    if field == "tier":
        return a.tier
    if field == "priority":
        return a.priorities
    if field == "preferences":
        return a.preferences
    if field == "round2":
        return a.round2
    return None


_SUBJECT: Subject[Applicant, Correction] = Subject(
    "报名号", "applicant", lambda c: c.applicant_id, lambda a, c: _current(a, c.field),
    lambda a, c: _with(a, c.field, c.new), _FIELD_ZH.__getitem__, _FIELD_EN.__getitem__,
    lambda v: show_value(v) if v is None or isinstance(v, int | tuple) else str(v))


def apply_corrections(problem: LotteryProblem, corrections: Sequence[Correction]
                      ) -> tuple[LotteryProblem, tuple[str, ...]]:
    """The corrected problem (withdrawn applicants left out) and the withdrawn ids, sorted.

    Raises :class:`EngineError` for an unknown applicant, an ``old`` value that is not the
    one on file (a stale corrections file), a field corrected twice for one applicant, any
    other correction of a withdrawn applicant, or a corrected problem that breaks an
    invariant (e.g. twins whose choice lists no longer agree).
    """
    by_id, withdrawn = apply_checked({a.id: a for a in problem.applicants}, corrections, _SUBJECT)
    gone = set(withdrawn)
    kept = [by_id[a.id] for a in problem.applicants if a.id not in gone]
    if not kept:
        raise EngineError("更正后没有任何报名记录", "no applicant is left after the corrections")
    return LotteryProblem.create(problem.schools, kept), withdrawn


def _with(a: Applicant, field: Field, value: CorrectionValue) -> Applicant:
    if field == "tier" and isinstance(value, int):
        return replace(a, tier=value)
    if isinstance(value, tuple) and all(isinstance(v, tuple) for v in value) and field == "priority":
        return replace(a, priorities=tuple(sorted((str(v[0]), int(v[1])) for v in value if isinstance(v, tuple))))
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value) and field in ("preferences", "round2"):
        schools = tuple(str(v) for v in value)
        return replace(a, preferences=schools) if field == "preferences" else replace(a, round2=schools)
    raise EngineError(f"报名号 {a.id} 的「{_FIELD_ZH[field]}」新值无效", f"applicant {a.id}: invalid new {field}")


def inherited_draw(before: Market, numbers: UInt64Array, after: Market) -> tuple[UInt64Array, Int64Array]:
    """Numbers and ranks of ``after``'s units, each taken from the original unit its members came from.

    Ties (equal numbers) are broken by the original units' keys, exactly as in the original
    draw, so the relative order of any two units is the one the original run published.
    """
    original_unit = applicant_units(before)
    index = {aid: i for i, aid in enumerate(before.applicant_ids)}
    first = after.member_idx[after.member_ptr[:-1]]
    source = np.fromiter((original_unit[index[after.applicant_ids[i]]] for i in first.tolist()),
                         dtype=np.int64, count=after.n_units)
    inherited = numbers[source]
    return inherited, priority_ranks(inherited, [before.keys[u] for u in source.tolist()])


def review_lottery(problem: LotteryProblem, corrections: Sequence[Correction], seed: bytes,
                   mechanism: Mechanism = "da", round2: bool = False) -> Review:
    """The original run of ``problem`` and the corrected run with the original's numbers, and what changed."""
    market = build_market(problem)
    numbers = draw_numbers(seed, market.keys)
    before = place_market(market, numbers, priority_ranks(numbers, market.keys), mechanism, round2)
    corrected, withdrawn = apply_corrections(problem, corrections)
    after_market = build_market(corrected)
    after_numbers, after_rank = inherited_draw(market, numbers, after_market)
    after = place_market(after_market, after_numbers, after_rank, mechanism, round2)
    old_rows = applicant_rows(before)
    new_rows = {r.applicant_id: r for r in applicant_rows(after)}
    rows = tuple(new_rows.get(r.applicant_id) or ApplicantRow(r.applicant_id, r.lottery_number, r.tier, "", 0, 0,
                                                              WITHDRAWN, 0) for r in old_rows)
    changes = _changes(problem, corrections, old_rows, rows)
    return Review(before, after, withdrawn, rows, changes)


def result_label(row: ApplicantRow) -> str:
    """The result of a row in Chinese: 录取, the unplaced reason's label, or 已退出."""
    if row.school_id:
        return "录取"
    if row.reason == WITHDRAWN:
        return "已退出"
    return REASON_LABELS.get(row.reason, row.reason)


def show_value(value: CorrectionValue) -> str:
    """A corrected value as a clerk writes it: ``2``, ``S0001;S0002``, ``S0002:0``, blank for none."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return ";".join(f"{v[0]}:{v[1]}" if isinstance(v, tuple) else str(v) for v in value)


def _outcome_order(row: ApplicantRow) -> tuple[int, int]:
    """Smaller is better for the applicant: round 1 before round 2 before unplaced, then choice rank."""
    return (row.round if row.round else 3, row.choice_rank)


def _names(ids: Sequence[str]) -> tuple[str, str]:
    shown = "、".join(ids[:_NAMED])
    more = len(ids) - _NAMED
    return (shown + (f" 等 {len(ids)} 人" if more > 0 else ""),
            ", ".join(ids[:_NAMED]) + (f" and {more} more" if more > 0 else ""))


def _own(fixes: Sequence[Correction]) -> tuple[str, str]:
    zh, en = [], []
    for c in sorted(fixes, key=lambda c: FIELDS.index(c.field)):
        if c.field == "withdraw":
            zh.append(f"本人退出（{c.reason}）")
            en.append(f"withdrew ({c.reason})")
        else:
            change = f"{show_value(c.old) or '(空)'}→{show_value(c.new) or '(空)'}"
            zh.append(f"本人更正{_FIELD_ZH[c.field]} {change}（{c.reason}）")
            en.append(f"own correction of {_FIELD_EN[c.field]} {change} ({c.reason})")
    return "；".join(zh), "; ".join(en)


def _changes(problem: LotteryProblem, corrections: Sequence[Correction], old_rows: Sequence[ApplicantRow],
             new_rows: Sequence[ApplicantRow]) -> tuple[Change, ...]:
    """Every applicant whose result row differs, and every corrected applicant, with the cause."""
    fixes: dict[str, list[Correction]] = {}
    for c in corrections:
        fixes.setdefault(c.applicant_id, []).append(c)
    group_of = {a.id: a.group for a in problem.applicants if a.group}
    members: dict[str, list[str]] = {}
    for aid, g in group_of.items():
        members.setdefault(g, []).append(aid)
    entered: dict[str, list[str]] = {}  # school -> corrected applicants placed there only after the corrections
    left: dict[str, list[str]] = {}  # school -> corrected applicants placed there only before
    moved_in: dict[str, list[str]] = {}  # the same, for anyone (knock-on)
    moved_out: dict[str, list[str]] = {}
    for old, new in zip(old_rows, new_rows, strict=True):
        if old.school_id != new.school_id:
            if new.school_id:
                moved_in.setdefault(new.school_id, []).append(old.applicant_id)
                if old.applicant_id in fixes:
                    entered.setdefault(new.school_id, []).append(old.applicant_id)
            if old.school_id:
                moved_out.setdefault(old.school_id, []).append(old.applicant_id)
                if old.applicant_id in fixes:
                    left.setdefault(old.school_id, []).append(old.applicant_id)
    out: list[Change] = []
    for old, new in zip(old_rows, new_rows, strict=True):
        aid = old.applicant_id
        if old == new and aid not in fixes:
            continue
        cause, zh, en = _why(aid, old, new, fixes, group_of, members, entered, left, moved_in, moved_out)
        out.append(Change(aid, old.lottery_number, old, new, cause, zh, en))
    return tuple(out)


_SEAT_REASONS = {
    "displaced": ("在 {s} 的学位被 {who} 的更正挤占", "displaced at {s} by the correction of {who}"),
    "lost": ("连锁变化：{s} 的学位由 {who} 递补（他人更正引起）",
             "knock-on: the seat at {s} went to {who} (after others' corrections)"),
    "freed_seat": ("递补 {who} 的更正空出的 {s} 学位", "took the seat at {s} freed by the correction of {who}"),
    "took": ("连锁变化：递补 {who} 离开的 {s} 学位（他人更正引起）",
             "knock-on: took the seat at {s} left by {who} (after others' corrections)"),
}


def _seat(school: str, corrected: Mapping[str, Sequence[str]], anyone: Mapping[str, Sequence[str]], direct: str,
          knock: str) -> tuple[str, str, str]:
    """A seat at ``school`` taken (or freed) by a corrected applicant (cause ``direct``), else by anyone (knock-on)."""
    by = corrected.get(school)
    zh, en = _names(by or anyone.get(school, []))
    template_zh, template_en = _SEAT_REASONS[direct if by else knock]
    return direct if by else "knock_on", template_zh.format(s=school, who=zh), template_en.format(s=school, who=en)


def _why(aid: str, old: ApplicantRow, new: ApplicantRow, fixes: Mapping[str, Sequence[Correction]],
         group_of: Mapping[str, str], members: Mapping[str, Sequence[str]], entered: Mapping[str, Sequence[str]],
         left: Mapping[str, Sequence[str]], moved_in: Mapping[str, Sequence[str]],
         moved_out: Mapping[str, Sequence[str]]) -> tuple[str, str, str]:
    """(cause, reason in Chinese, reason in English) of one changed row (module docstring)."""
    if aid in fixes:
        zh, en = _own(fixes[aid])
        return "own", zh, en
    partners = [m for m in members.get(group_of.get(aid, ""), ()) if m != aid and m in fixes]
    if partners:
        zh, en = _names(partners)
        return "group", f"同组多胞胎 {zh} 的更正", f"correction of multiples partner {en}"
    worse = _outcome_order(new) > _outcome_order(old)
    if worse and old.school_id and old.school_id != new.school_id:
        return _seat(old.school_id, entered, moved_in, "displaced", "lost")
    if new.school_id and old.school_id != new.school_id:
        return _seat(new.school_id, left, moved_out, "freed_seat", "took")
    return "knock_on", "连锁变化（他人更正引起）", "knock-on of others' corrections"
