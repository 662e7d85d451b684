"""Points-based admission for migrant children (随迁子女积分入学).

Rule sets are data (:mod:`engine.points.rules`, ``docs/points-rules.md``); scoring,
ranking, placement and review are pure functions over parsed records. Shipped rule
sets live in ``engine/points/rulesets/`` (:func:`shipped_rule_set`).
"""

from __future__ import annotations

from importlib import resources

from engine.points.admission import RESULT_LABELS, Outcome, admit_by_points
from engine.points.placement import Placement, School, place_by_rank
from engine.points.ranking import Ranking, rank_applicants
from engine.points.review import Change, Correction, apply_corrections, diff_outcomes
from engine.points.rules import RuleSet, format_points, parse_rule_set, rule_set_digest
from engine.points.scoring import Applicant, Scores, build_columns, score_applicants

__all__ = [
    "RESULT_LABELS",
    "SHIPPED_RULE_SETS",
    "Applicant",
    "Change",
    "Correction",
    "Outcome",
    "Placement",
    "Ranking",
    "RuleSet",
    "School",
    "Scores",
    "admit_by_points",
    "apply_corrections",
    "build_columns",
    "diff_outcomes",
    "format_points",
    "parse_rule_set",
    "place_by_rank",
    "rank_applicants",
    "rule_set_digest",
    "score_applicants",
    "shipped_rule_set",
    "shipped_rule_set_text",
]

SHIPPED_RULE_SETS = ("foshan-2014", "zhongshan-2014", "xiamen-120", "shenzhen-baoan", "zhejiang-common-100")


def shipped_rule_set_text(name: str) -> str:
    """TOML text of a shipped rule set (package data; reading it is not engine I/O on user files)."""
    if name not in SHIPPED_RULE_SETS:
        raise KeyError(name)
    return resources.files("engine.points.rulesets").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def shipped_rule_set(name: str) -> RuleSet:
    """A shipped rule set, parsed."""
    return parse_rule_set(shipped_rule_set_text(name), f"{name}.toml")
