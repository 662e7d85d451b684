"""Points-admission inputs for any shipped rule set, as the files a bureau uploads (a plain helper module).

The browser verifier's cross-check tests and ``benchmarks/browser_verifier.py --kind points`` build their
runs here: a schools table and an applicants table (CSV bytes with the rule set's Chinese headers), an
optional corrections table (复核), all read back through the real ``prepare_points``. The values come from
small pools and a few shared profiles, so totals and tie-break keys collide and the cascade is exercised to
its last level (the seeded lottery, or a joint rank). Deterministic in ``seed`` (``random.Random``: test
data only, never a result); names and ID numbers are fictitious.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.inputs import InputFile
from api.runs.kind import PreparedRun
from api.runs.points import prepare_points
from engine.points import RuleSet, parse_rule_set
from engine.points.rules import FieldSpec

__all__ = ["RULESETS", "PointsCase", "points_run"]

ROOT = Path(__file__).resolve().parents[2]
#: Rule-set name → TOML text: the shipped rule sets and the sample's.
RULESETS = {p.stem: p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "engine" / "points" / "rulesets").glob("*.toml"))}
RULESETS["sample"] = (ROOT / "samples" / "points" / "rules.toml").read_text(encoding="utf-8")

TOWNS = ("大良街道", "容桂街道", "+乐从镇")  # the last one starts like a formula: published cells must be escaped
NUMBERS = ("0", "1", "2.5", "8.33", "12", "13", "24", "36", "60", "100", "1200", "50000")
DATES = ("2008-02-29", "2012-09-01", "2016-02-29", "2018-08-31", "2018-09-01", "2020-06-15", "2023-04-15",
         "2023/5/31", "2024-03-31", "2024-06-01")
TIMES = ("2024-04-01 09:30", "2024-05-24 15:16:00", "2024-05-24 15:16:01", "2024-05-31 23:59:59")


@dataclass(frozen=True)
class PointsCase:
    """How one generated run is shaped (``points_run``)."""

    ruleset: str
    applicants: int
    seed: int
    joint: bool = False
    second_pass: bool = False
    corrections: int = 0


def _allowed(rule_set: RuleSet, spec: FieldSpec) -> list[str]:
    values = set(spec.values)
    for item in rule_set.items:
        if item.field == spec.name:
            values.update(k for k, _ in item.table)
    return sorted(values) or ["无"]


def _cell(rng: random.Random, rule_set: RuleSet, spec: FieldSpec) -> str:
    if rng.random() < 0.1 and spec.type != "list":
        return ""
    if spec.type == "number":
        return rng.choice(NUMBERS)
    if spec.type == "date":
        return rng.choice(DATES)
    if spec.type == "datetime":
        return rng.choice(TIMES)
    if spec.type == "flag":
        return rng.choice(("是", "否", ""))
    allowed = _allowed(rule_set, spec)
    if spec.type == "category":
        return rng.choice(allowed)
    return ";".join(rng.sample(allowed, rng.randint(0, min(3, len(allowed)))))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def points_run(case: PointsCase) -> PreparedRun:
    """The prepared run of ``case``: generated tables read through ``prepare_points`` like uploaded files."""
    rng = random.Random(case.seed)
    text = RULESETS[case.ruleset]
    if case.joint:
        text = text.replace('final_tie_break = "lottery"', 'final_tie_break = "joint"')
    rule_set = parse_rule_set(text)
    towns = TOWNS[: rng.randint(1, len(TOWNS))]
    schools: dict[str, list[str]] = {}
    school_rows = []
    for t, town in enumerate(towns):
        for j in range(rng.randint(1, 3)):
            sid = f"S{t}{j:02d}"
            schools.setdefault(town, []).append(sid)
            name = rng.choice([f"{town[-3:-1]}第{j + 1}小学", "", '=HYPERLINK("http://x.example","点我")'])
            quota = rng.randint(0, max(1, case.applicants // 4))
            school_rows.append([sid, name, town, str(quota)])
    profiles = [[_cell(rng, rule_set, f) for f in rule_set.fields] for _ in range(rng.randint(1, 4))]
    header = ["申请编号", "姓名", "身份证号", "联系电话", "镇街", "优先类别", *(f.header for f in rule_set.fields),
              *(f"志愿{k + 1}" for k in range(rule_set.max_preferences))]
    rows = []
    for i in range(case.applicants):
        town = rng.choice(towns)
        shared = rng.random() < 0.6
        values = list(rng.choice(profiles)) if shared else [_cell(rng, rule_set, f) for f in rule_set.fields]
        listed = rng.sample(schools[town], rng.randint(0, min(rule_set.max_preferences, len(schools[town]))))
        categories = rule_set.priority_categories
        priority = rng.choice(categories) if categories and rng.random() < 0.08 else ""
        rows.append([f"A{i:06d}", rng.choice("陈李黄张梁何") + rng.choice(("伟", "芳娜", "敏")),
                     f"4406{rng.randrange(10**13, 10**14)}", f"138{rng.randrange(10**7, 10**8)}", town, priority,
                     *values, *listed, *([""] * (rule_set.max_preferences - len(listed)))])
    corrections = None
    if case.corrections:
        fixes = []
        for i, k in sorted({(rng.randrange(len(rows)), rng.randrange(len(rule_set.fields)))
                            for _ in range(case.corrections)}):
            spec = rule_set.fields[k]
            old = rows[i][6 + k]
            new = _cell(rng, rule_set, spec)
            old = old if old or spec.type != "flag" else "否"
            fixes.append([rows[i][0], spec.header, old, new, f"复核：{spec.header}"])
        corrections = InputFile("复核更正.csv", _csv(["申请编号", "字段", "原值", "新值", "理由"], fixes))
    inputs: dict[str, Any] = {
        "rules": InputFile("rules.toml", text.encode("utf-8")),
        "applicants": InputFile("申请表.csv", _csv(header, rows)),
        "schools": InputFile("学校指标表.csv", _csv(["学校编号", "学校名称", "镇街", "积分入学指标"], school_rows)),
    }
    return prepare_points(**inputs, corrections=corrections, second_pass=case.second_pass)
