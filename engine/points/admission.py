"""One points-admission run: score, rank per scope, place (and optionally 二次排位).

This is the pure entry point the edge (``api/runs/points.py``) and the benchmark call.
Result labels are the ones published on the lists (公示名单).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.arrays import BoolArray
from engine.errors import EngineError
from engine.points.placement import Placement, School, place_by_rank
from engine.points.ranking import Ranking, rank_applicants
from engine.points.rules import RuleSet
from engine.points.scoring import Applicant, Columns, Scores, build_columns, score_applicants

__all__ = ["RESULT_LABELS", "Outcome", "admit_by_points"]

RESULT_LABELS = {
    "admitted": "录取",
    "admitted_second": "二次排位录取",
    "unplaced": "统筹安排",
    "below_minimum": "未达最低分",
    "ineligible": "不符合条件",
}


@dataclass(frozen=True)
class Outcome:
    """Everything a run decided, indexed like ``applicants`` and ``schools``."""

    rule_set: RuleSet
    applicants: tuple[Applicant, ...]
    schools: tuple[School, ...]
    columns: Columns
    scores: Scores
    ranking: Ranking
    second: Ranking | None
    placement: Placement

    def result(self, i: int) -> str:
        """Result code of applicant ``i`` (keys of :data:`RESULT_LABELS`)."""
        status = self.ranking.status[i]
        if status in ("ineligible", "below_minimum"):
            return status
        r = int(self.placement.round[i])
        return "admitted" if r == 1 else "admitted_second" if r == 2 else "unplaced"

    def admission_lines(self) -> dict[int, int]:
        """Lowest total admitted in round 1 by points (priority admissions excluded), per school index."""
        lines: dict[int, int] = {}
        for i in range(len(self.applicants)):
            s = int(self.placement.school[i])
            if s >= 0 and self.placement.round[i] == 1 and self.ranking.status[i] == "ranked":
                t = int(self.scores.total[i])
                lines[s] = min(lines.get(s, t), t)
        return lines


def admit_by_points(
    rule_set: RuleSet,
    applicants: Sequence[Applicant],
    schools: Sequence[School],
    seed: bytes,
    *,
    second_pass: bool = False,
) -> Outcome:
    """Score, rank and place ``applicants``.

    Preconditions (checked, :class:`EngineError`): applicant ids and school ids are
    unique, each preference names a known school in the applicant's own scope, and no
    applicant lists more than ``rule_set.max_preferences`` schools. Priority applicants
    must name a category of the rule set.
    """
    applicants = tuple(applicants)
    schools = tuple(schools)
    school_index = {s.id: k for k, s in enumerate(schools)}
    if len(school_index) != len(schools):
        raise EngineError("学校编号重复", "duplicate school id")
    if len({a.id for a in applicants}) != len(applicants):
        raise EngineError("申请编号重复", "duplicate applicant id")
    prefs: list[list[int]] = []
    for a in applicants:
        if a.priority and a.priority not in rule_set.priority_categories:
            raise EngineError(f"申请 {a.id} 的优先类别「{a.priority}」未在规则中定义",
                              f"applicant {a.id}: unknown priority category '{a.priority}'")
        if len(a.preferences) > rule_set.max_preferences:
            raise EngineError(f"申请 {a.id} 的志愿数超过 {rule_set.max_preferences}",
                              f"applicant {a.id} lists more than {rule_set.max_preferences} preferences")
        row = []
        for sid in a.preferences:
            k = school_index.get(sid)
            if k is None or schools[k].scope != a.scope:
                raise EngineError(f"申请 {a.id} 的志愿学校「{sid}」不存在或不属于 {a.scope}",
                                  f"applicant {a.id}: preference '{sid}' is not a school of {a.scope}")
            row.append(k)
        prefs.append(row)

    columns = build_columns(rule_set, applicants)
    scores = score_applicants(rule_set, columns)
    ranking = rank_applicants(rule_set, applicants, columns, scores, seed)
    seconds: list[Ranking] = []

    def district_wide(mask: BoolArray) -> Sequence[tuple[int, ...]]:
        second = rank_applicants(rule_set, applicants, columns, scores, seed, by_scope=False, among=mask)
        seconds.append(second)
        return second.groups

    placement = place_by_rank(
        schools, prefs, [a.scope for a in applicants], ranking.groups,
        unplaced_after_first=district_wide if second_pass else None,
    )
    return Outcome(rule_set, applicants, schools, columns, scores, ranking,
                   seconds[0] if seconds else None, placement)
