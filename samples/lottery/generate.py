"""Generate the zone-lottery sample files (deterministic; re-run to reproduce byte for byte).

    .venv/bin/python samples/lottery/generate.py

Writes schools.csv and applicants.csv (UTF-8, Chinese headers) and applicants_gbk.csv
(the same table encoded as GBK, as older Excel saves it). Randomness comes from
engine.randomness.WordStream with a fixed seed, never from Python's ``random``.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.randomness import WordStream

HERE = Path(__file__).parent
SCHOOLS = [
    ("S0001", "阳光实验小学", 60),
    ("S0002", "东城第一小学", 45),
    ("S0003", "西湖路小学", 40),
    ("S0004", "育才小学", 40),
    ("S0005", "和平里小学", 35),
    ("S0006", "新华街小学", 50),
]
POPULARITY = [8, 6, 5, 3, 2, 1]  # S0001 is the most wanted


def _weighted(stream: WordStream, weights: list[int], exclude: set[int]) -> int:
    pool = [(i, w) for i, w in enumerate(weights) if i not in exclude]
    total = sum(w for _, w in pool)
    x = stream.below(total)
    for i, w in pool:
        if x < w:
            return i
        x -= w
    raise AssertionError


def _table(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def main() -> None:
    stream = WordStream(bytes(32), "samples", "lottery")
    rows: list[list[str]] = []
    number = 0
    while len(rows) < 300:
        number += 1
        k = 2 + stream.below(3)  # 2 to 4 choices
        prefs: list[int] = []
        for _ in range(k):
            prefs.append(_weighted(stream, POPULARITY, set(prefs)))
        tier = [1, 1, 1, 1, 1, 1, 2, 2, 3, 1][stream.below(10)]  # 1 local hukou+house, 2, 3
        priority = ""
        if stream.below(12) == 0:  # sibling already enrolled: tier 0 at that school
            priority = f"{SCHOOLS[prefs[0]][0]}:0"
        r2: list[int] = []
        if stream.below(3) > 0:
            for _ in range(2):
                r2.append(_weighted(stream, list(reversed(POPULARITY)), set(r2)))
        twins = stream.below(40) == 0
        pref_text = ";".join(SCHOOLS[p][0] for p in prefs)
        r2_text = "；".join(SCHOOLS[p][0] for p in r2)
        members = 2 if twins else 1
        for m in range(members):
            aid = f"2026{number:04d}{m}"
            group = f"T{number:04d}" if twins else ""
            rows.append([aid, pref_text, str(tier), priority, group, r2_text])
    schools = _table(["学校代码", "学校名称", "招生计划"], [[s, n, str(c)] for s, n, c in SCHOOLS])
    applicants = _table(["报名号", "志愿", "类别", "优先", "多胞胎组", "二轮志愿"], rows)
    (HERE / "schools.csv").write_bytes(schools.encode("utf-8"))
    (HERE / "applicants.csv").write_bytes(applicants.encode("utf-8"))
    (HERE / "applicants_gbk.csv").write_bytes(applicants.encode("gbk"))


if __name__ == "__main__":
    main()
