"""Rule-set validation: every malformed rule set names the file and the offending key."""

from __future__ import annotations

import re

import pytest

from engine.errors import ConfigError
from engine.points import format_points, parse_rule_set, shipped_rule_set_text

FOSHAN = shipped_rule_set_text("foshan-2014")


def test_points_are_exact_hundredths() -> None:
    rules = parse_rule_set(FOSHAN)
    by_id = {it.id: it for it in rules.items}
    assert by_id["insurance_gd"].points == 150
    assert by_id["housing_fund_months"].points == 20
    assert by_id["false_documents"].points == -4000
    assert rules.minimum_total == 3000


@pytest.mark.parametrize(
    ("mutation", "where"),
    [
        (('field = "permit_date"\nunit = "year"', 'field = "permit_datum"\nunit = "year"'), "items.permit_years.field"),
        (('group = "insurance"\nfield = "insurance_gd"', 'group = "insurence"\nfield = "insurance_gd"'),
         "items.insurance_gd.group"),
        (("points = 1.5", "points = 1.505"), "items.insurance_gd.points"),
        (('"group:residence"', '"group:residense"'), "ruleset.tie_break[2]"),
        (('final_tie_break = "lottery"', 'final_tie_break = "coin"'), "ruleset.final_tie_break"),
        (("evidence_cutoff = 2024-05-31", 'evidence_cutoff = "May"'), "ruleset.evidence_cutoff"),
        (('id = "hardship"', 'id = "blood"'), "items[12].id"),
        (("not_after = 2018-08-31", "not_after = 2018-08-31\nminimum = 3"), "gates.child_age"),
        (('field = "owns_property"\npoints = 80', 'field = "owns_property"\nunit = "year"\npoints = 80'),
         "items.property.unit"),
        (("[ruleset]", "[ruleset"), "TOML"),
    ],
    ids=["unknown-field", "unknown-group", "three-decimals", "unknown-tie-key", "bad-final", "cutoff-not-date",
         "duplicate-id", "gate-two-conditions", "unit-on-flag", "toml-syntax"],
)
def test_invalid_rule_sets_name_the_key(mutation: tuple[str, str], where: str) -> None:
    old, new = mutation
    assert old in FOSHAN
    text = FOSHAN.replace(old, new, 1)
    with pytest.raises(ConfigError, match=f"Config file foshan.toml, '{re.escape(where)}'") as info:
        parse_rule_set(text, "foshan.toml")
    assert info.value.where == where
    assert "foshan.toml" in info.value.diagnostics()


def test_format_points() -> None:
    assert [format_points(v) for v in (0, 150, 3000, -4000, 833, 5, -5)] == [
        "0", "1.5", "30", "-40", "8.33", "0.05", "-0.05"]
