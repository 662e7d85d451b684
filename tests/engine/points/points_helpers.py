"""Shared builders for the points-admission tests: applicants with defaults, and a slow reference scorer.

The reference scorer follows the rule-set schema literally, one applicant at a time with
:class:`fractions.Fraction`, so the vectorised integer scorer can be cross-checked on
generated data (style guide §12: keep a slow reference implementation in tests).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from engine.points import Applicant
from engine.points.rules import Item, RuleSet, Unit

FOSHAN_DEFAULTS: dict[str, Any] = {
    "education": "初中", "skill": None, "insurance_gd": 0, "insurance_fs": 0, "insurance_months": 2400,
    "owns_property": False, "permit_date": dt.date(2022, 5, 31), "child_birth_date": dt.date(2018, 1, 1),
    "talent": None, "hardship_years": 0, "patents": (), "awards": (), "volunteer_hours": 0, "blood_ml": 0,
    "invest_yuan": 0, "tax_yuan": 0, "housing_fund_open": False, "housing_fund_months": 0,
    "family_planning": False, "child_school_years": 0, "false_documents": 0, "district_points": 0,
    "application_time": dt.datetime(2024, 5, 1, 9, 0, 0),
}


def applicant(aid: str, defaults: dict[str, Any], scope: str = "大良", prefs: tuple[str, ...] = (),
              priority: str = "", **values: Any) -> Applicant:
    """An applicant with ``defaults`` overridden by ``values`` (numbers given in hundredths)."""
    return Applicant(aid, scope, {**defaults, **values}, prefs, priority)


def _months(start: dt.date, cutoff: dt.date) -> int:
    months = (cutoff.year - start.year) * 12 + cutoff.month - start.month
    if start.day > cutoff.day:
        months -= 1
    return max(months, 0)


def _duration(start: dt.date | None, unit: Unit, cutoff: dt.date) -> int:
    if start is None:
        return 0
    if unit == "month":
        return _months(start, cutoff)
    if unit == "year":
        return _months(start, cutoff) // 12
    days = max((cutoff - start).days, 0)
    return days if unit == "day" else days // 30


def reference_item(rule_set: RuleSet, item: Item, values: dict[str, Any]) -> Fraction:
    """Points of one item in points (not hundredths), straight from the schema text."""
    spec = rule_set.field(item.field)
    v = values.get(item.field)
    if spec.type == "flag":
        pts = Fraction(item.points, 100) if v else Fraction(0)
    elif spec.type in ("category", "list"):
        listed = [] if v in (None, "", ()) else ([v] if spec.type == "category" else list(v))
        table = dict(item.table)
        got = [Fraction(table.get(x, 0), 100) for x in listed]
        pts = (max(got) if got else Fraction(0)) if item.combine == "highest" else sum(got, Fraction(0))
    else:
        if spec.type == "date":
            assert item.unit is not None
            qty = Fraction(_duration(v, item.unit, rule_set.evidence_cutoff))
        else:
            qty = Fraction(v or 0, 100)
        if item.minus:
            qty -= Fraction(values.get(item.minus) or 0, 100)
        qty = max(qty, Fraction(0))
        if item.brackets:
            # The band with from ≤ qty < below, searched literally; 0 outside every band.
            hit = [b.points for b in item.brackets
                   if Fraction(b.lower, 100) <= qty and (b.upper is None or qty < Fraction(b.upper, 100))]
            assert len(hit) <= 1, "bands overlap"
            pts = Fraction(hit[0], 100) if hit else Fraction(0)
            return pts if item.cap is None else max(-Fraction(item.cap, 100), min(Fraction(item.cap, 100), pts))
        per = Fraction(item.per, 100)
        rate = Fraction(abs(item.points), 100)
        # Whole multiples of ``per`` only, or pro rata rounded down to the hundredth.
        pts = (qty // per) * rate if item.whole else Fraction(int(qty * rate / per * 100), 100)
        if item.points < 0:
            pts = -pts
    if item.cap is not None:
        cap = Fraction(item.cap, 100)
        pts = max(-cap, min(cap, pts))
    return pts


def reference_total(rule_set: RuleSet, values: dict[str, Any]) -> Fraction:
    """Total points: groups combine their items (sum or highest) and apply their cap from above."""
    total = Fraction(0)
    for group in rule_set.groups:
        pts = [reference_item(rule_set, it, values) for it in rule_set.items if it.group == group.id]
        if not pts:
            continue
        g = max(pts) if group.combine == "highest" else sum(pts, Fraction(0))
        if group.cap is not None:
            g = min(g, Fraction(group.cap, 100))
        total += g
    return total
