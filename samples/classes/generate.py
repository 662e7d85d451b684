"""Generate the sample cohort for ``sunshine classes`` (deterministic; fictitious names).

    .venv/bin/python samples/classes/generate.py   # writes students.csv next to this file

450 students with Chinese headers, three correlated subjects, 住校/随迁子女/班干部 flags,
6 twin pairs (捆绑), 4 apart pairs (分开), 3 presets (预设班级) and a few same-sounding names.
"""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鑫浩宇轩涵睿欣怡子墨梓晨一诺思远佳琪雨泽"


class _Gen:
    def __init__(self) -> None:
        self.i = 0

    def u(self) -> float:
        self.i += 1
        return int.from_bytes(hashlib.sha256(f"sample-classes/{self.i}".encode()).digest()[:7], "big") / 2**56

    def normal(self) -> float:
        return math.sqrt(-2 * math.log(max(self.u(), 1e-12))) * math.cos(2 * math.pi * self.u())


def main() -> None:
    g = _Gen()
    rows = []
    for i in range(450):
        a = g.normal()
        subj = [min(120.0, max(20.0, round(2 * (95 + 12 * (0.75 * a + 0.66 * g.normal()))) / 2)) for _ in range(3)]
        name = SURNAMES[int(g.u() * len(SURNAMES))] + "".join(
            GIVEN[int(g.u() * len(GIVEN))] for _ in range(1 + (g.u() < 0.6)))
        rows.append({
            "学号": f"2025{i + 1:04d}", "姓名": name, "性别": "男" if g.u() < 0.51 else "女",
            "语文": f"{subj[0]:g}", "数学": f"{subj[1]:g}", "英语": f"{subj[2]:g}",
            "住校": "是" if g.u() < 0.2 else "", "随迁子女": "是" if g.u() < 0.15 else "否",
            "班干部": "是" if g.u() < 0.1 else "否", "捆绑": "", "分开": "", "预设班级": "",
        })
    for t in range(6):  # twins: same surname, bound together
        a, b = rows[10 + 2 * t], rows[11 + 2 * t]
        b["姓名"] = a["姓名"][0] + b["姓名"][1:]
        a["捆绑"] = b["捆绑"] = f"双胞胎{t + 1}"
    for p in range(4):  # apart pairs
        rows[40 + 2 * p]["分开"] = rows[41 + 2 * p]["分开"] = f"分{p + 1}"
    rows[60]["预设班级"], rows[61]["预设班级"], rows[62]["预设班级"] = "1", "2", "3"
    rows[70]["姓名"], rows[71]["姓名"], rows[72]["姓名"] = "张伟", "章伟", "张玮"  # same-sounding names
    out = Path(__file__).with_name("students.csv")
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
