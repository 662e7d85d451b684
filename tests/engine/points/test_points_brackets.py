"""Bracket items (分段计分) and strict rule-set keys: load-time checks with located errors, and hand-computed scores."""

from __future__ import annotations

import datetime as dt

import pytest
from points_helpers import applicant, reference_total

from engine.errors import ConfigError
from engine.points import admit_by_points, parse_rule_set, shipped_rule_set, shipped_rule_set_text

SEED = bytes(range(32))
D = dt.date
T = dt.datetime
FOSHAN = shipped_rule_set_text("foshan-2014")

TAX = """
[ruleset]
id = "tax-demo"
name = "纳税分段示例"
source = "docs/points-rules.md worked example"
evidence_cutoff = 2024-05-31

[fields]
tax_yuan = { type = "number", header = "个人所得税元" }

[groups]
tax = { label = "纳税" }

[[items]]
id = "tax"
label = "纳税：0–9,999 元 0 分；10,000–49,999 元 5 分；50,000 元及以上 10 分"
group = "tax"
field = "tax_yuan"
brackets = [
  { from = 0, below = 10000, points = 0 },
  { from = 10000, below = 50000, points = 5 },
  { from = 50000, points = 10 },
]
"""


@pytest.mark.parametrize(
    ("old", "new", "where", "guess"),
    [
        ("minimum_total = 30", "minimun_total = 30", "ruleset.minimun_total", "minimum_total"),
        ("max_preferences = 3", "max_preference = 3", "ruleset.max_preference", "max_preferences"),
        ("unit = \"year\"\npoints = 5\ncap = 50", "unit = \"year\"\npoints = 5\ncpa = 50", None, "cap"),
        ("[groups]", "[group]", "group", "groups"),
    ],
    ids=["minimun_total", "max_preference", "cpa-in-item", "misspelt-table"],
)
def test_unknown_rule_set_keys_are_errors_with_the_nearest_key(old: str, new: str, where: str | None,
                                                                guess: str) -> None:
    assert old in FOSHAN
    with pytest.raises(ConfigError, match=f"did you mean '{guess}'") as info:
        parse_rule_set(FOSHAN.replace(old, new, 1), "foshan.toml")
    if where is None:  # the item is named by its position, as a clerk counts [[items]] blocks
        assert info.value.where.startswith("items[") and info.value.where.endswith("].cpa")
    else:
        assert info.value.where == where
    assert "foshan.toml" in info.value.diagnostics()


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("below = 10000, points = 0 }", "below = 9000, points = 0 }", "items.tax.brackets[1].from", "gap"),
        ("below = 10000, points = 0 }", "below = 12000, points = 0 }", "items.tax.brackets[1].from", "overlaps"),
        ("{ from = 10000, below = 50000", "{ from = 10000", "items.tax.brackets[1].below", "only the last band"),
        ("{ from = 0, below = 10000", "{ from = 0, below = 0", "items.tax.brackets[0].below", "greater than"),
        ('field = "tax_yuan"\n', 'field = "tax_yuan"\npoints = 5\n', "items.tax.points", "from its bands"),
        ("{ from = 50000, points = 10 }", "{ from = 50000 }", "items.tax.brackets[2]", "needs 'from'"),
        ("brackets = [", "brackets = []\nx = [", "items[0].x", "unknown key"),
        ("{ from = 50000, points = 10 }", "{ from = 50000, pionts = 10 }", "items[0].brackets[2].pionts",
         "did you mean 'points'"),
    ],
    ids=["gap", "overlap", "open-band-not-last", "empty-band", "points-and-brackets", "band-without-points",
         "unknown-item-key", "misspelt-band-key"],
)
def test_bad_bands_are_located(old: str, new: str, where: str, message: str) -> None:
    assert old in TAX
    with pytest.raises(ConfigError, match=message) as info:
        parse_rule_set(TAX.replace(old, new, 1), "tax.toml")
    assert info.value.where == where


def test_tax_brackets_score_by_band_in_exact_hundredths() -> None:
    rules = parse_rule_set(TAX)
    # yuan in hundredths: 0, 9,999.99, 10,000, 49,999.99, 50,000, 1,000,000
    taxes = [0, 999999, 1000000, 4999999, 5000000, 100000000]
    people = [applicant(f"A{i}", {}, tax_yuan=t) for i, t in enumerate(taxes)]
    out = admit_by_points(rules, people, [], SEED)
    assert [int(out.scores.items["tax"][i]) for i in range(len(people))] == [0, 0, 500, 500, 1000, 1000]


def zhejiang(aid: str, **values: object) -> object:
    defaults = {"birth_date": D(1990, 1, 1), "education": "高中及以下", "skill": "无", "insurance_months": 0,
                "residence_date": None, "child_birth_date": D(2018, 1, 1),
                "application_time": T(2024, 4, 1, 9, 0, 0)}
    return applicant(aid, defaults, scope="拱墅", **values)


def test_zhejiang_age_bands_and_monthly_items_by_hand() -> None:
    people = [
        # age 34 on 2024-04-10 → 20; 本科及以上 10; 三级 5; 48 months × 0.5 = 24; 48 months × 0.25 = 12 → 71
        zhejiang("Z1", birth_date=D(1990, 4, 10), education="本科及以上", skill="三级", insurance_months=4800,
                 residence_date=D(2020, 4, 10)),
        # age 44 (45 only on Apr 11) → 16; 大专 8; 100 months → 50, capped 30; 123 months → 30.75, capped 30 → 84
        zhejiang("Z2", birth_date=D(1979, 4, 11), education="大专", insurance_months=10000,
                 residence_date=D(2014, 1, 1)),
        # age 58 → 5 (55–60 band); 高中及以下 5; 一级 10; 10 months → 5; 0 whole months → 0 → 25
        zhejiang("Z3", birth_date=D(1966, 1, 1), skill="一级", insurance_months=1000, residence_date=D(2024, 3, 11)),
        # age 64 → no band → 0; 本科及以上 10; 四级 3 → 13
        zhejiang("Z4", birth_date=D(1960, 1, 1), education="本科及以上", skill="四级"),
        # age exactly 41 → 19; 大专 8; 二级 8; 61 months → 30.5, item cap 30; 6 months → 1.5 → 66.5
        zhejiang("Z5", birth_date=D(1983, 4, 10), education="大专", skill="二级", insurance_months=6100,
                 residence_date=D(2023, 10, 10)),
    ]
    rules = shipped_rule_set("zhejiang-common-100")
    out = admit_by_points(rules, people, [], SEED)
    totals = {a.id: int(out.scores.total[i]) for i, a in enumerate(out.applicants)}
    assert totals == {"Z1": 7100, "Z2": 8400, "Z3": 2500, "Z4": 1300, "Z5": 6650}
    ages = {a.id: int(out.scores.items["age"][i]) for i, a in enumerate(out.applicants)}
    assert ages == {"Z1": 2000, "Z2": 1600, "Z3": 500, "Z4": 0, "Z5": 1900}
    # The slow reference scorer (schema read literally, Fractions) agrees on every applicant.
    for i, a in enumerate(out.applicants):
        assert reference_total(rules, dict(a.values)) * 100 == int(out.scores.total[i])
    ix = {a.id: i for i, a in enumerate(out.applicants)}
    assert [int(out.ranking.rank[ix[k]]) for k in ("Z2", "Z1", "Z5", "Z3", "Z4")] == [1, 2, 3, 4, 5]


def test_shipped_rule_set_cites_its_source() -> None:
    text = shipped_rule_set_text("zhejiang-common-100")
    assert "Source:" in text and "gansulong.com" in text
    assert "gansulong.com" in shipped_rule_set("zhejiang-common-100").source
