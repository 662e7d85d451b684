"""Chinese labels for the codes the points engine publishes, for the lists people open.

The machine files (``results.csv``, ``ranking.csv``) keep the stable codes auditors script
against; the people-facing files (``ranking.xlsx``, ``results_by_school.xlsx``) show these
labels next to them, so a parent never has to decode ``below_minimum`` or ``group:insurance``.
Pure data and lookups (no I/O).
"""

from __future__ import annotations

from engine.points.admission import RESULT_LABELS
from engine.points.rules import RuleSet

__all__ = ["ELIGIBILITY_LABELS", "RESULT_LABELS", "decided_by_label"]

#: Ranking status (``ranking.csv`` column ``eligibility`` is already Chinese) by code.
ELIGIBILITY_LABELS = {"priority": "优先", "ranked": "符合", "below_minimum": "未达最低分", "ineligible": "不符合"}

_LEVELS = {"": "", "scope": "镇街", "tier": "优先类别", "total": "总积分", "lottery": "随机抽签", "joint": "并列"}


def decided_by_label(rule_set: RuleSet, code: str) -> str:
    """The cascade level that separated an applicant (``ranking.csv`` ``decided_by``) in Chinese.

    ``group:insurance`` → ``分组「社会保险」``, ``item:age`` → ``指标「年龄…」``,
    ``field:application_time`` → ``字段「申请时间」``; unknown codes are returned unchanged.
    """
    if code in _LEVELS:
        return _LEVELS[code]
    kind, _, name = code.partition(":")
    if kind == "group":
        return next((f"分组「{g.label}」" for g in rule_set.groups if g.id == name), code)
    if kind == "item":
        return next((f"指标「{it.label}」" for it in rule_set.items if it.id == name), code)
    if kind == "field":
        return next((f"字段「{f.header}」" for f in rule_set.fields if f.name == name), code)
    return code
