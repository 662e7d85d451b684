"""Generate the points-admission sample (samples/points): 200 applicants, 2 towns, 10 schools, Foshan rules.

Deterministic (seeded ``random.Random``; sample data only, never a result). Run:
``.venv/bin/python samples/points/generate.py``. Names and ID numbers are fictitious.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).parent
TOWNS = {"大良街道": ["DL01", "DL02", "DL03", "DL04"], "容桂街道": ["RG01", "RG02", "RG03", "RG04"]}
SURNAMES = "陈李黄张梁何刘吴林罗周郑谢邓冯"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def main() -> None:
    rng = random.Random(20240531)
    with (HERE / "schools.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["学校编号", "学校名称", "镇街", "积分入学指标"])
        for town, ids in TOWNS.items():
            for k, sid in enumerate(ids):
                w.writerow([sid, f"{town[:2]}第{k + 1}小学", town, rng.choice([8, 10, 12, 15])])
        # Two schools nobody lists: their seats are what 二次排位 (--second-pass) fills.
        w.writerow(["DL05", "大良第5小学", "大良街道", 6])
        w.writerow(["RG05", "容桂第5小学", "容桂街道", 4])
    header = ["申请编号", "姓名", "身份证号", "联系电话", "镇街", "优先类别", "学历", "技能职称", "广东社保险种年数",
              "佛山社保险种年数", "连续社保月数", "自有房产", "居住证登记日期", "子女出生日期", "急需人才",
              "艰苦岗位年数", "专利", "表彰奖励", "志愿服务小时", "献血毫升", "投资额元", "个人所得税元",
              "住房公积金开户", "住房公积金月数", "政策内生育", "子女在佛山就读年数", "虚假材料份数",
              "区自定指标分", "申请时间", "志愿1", "志愿2", "志愿3"]
    with (HERE / "applicants.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for n in range(1, 201):
            town = rng.choice(list(TOWNS))
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
            birth = dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(0, 5000))
            idno = f"44060{rng.randrange(10)}{birth:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"
            permit = dt.date(2024, 5, 31) - dt.timedelta(days=rng.randrange(200, 4000))
            child = dt.date(2017, 9, 1) + dt.timedelta(days=rng.randrange(0, 400))
            prefs = rng.sample(TOWNS[town], 3)
            years_gd = rng.randrange(0, 40)
            fund = rng.random() < 0.4
            w.writerow([
                f"FS2024{n:04d}", name, idno, f"13{rng.randrange(10**9):09d}", town,
                rng.choice(["现役军人", "高层次人才"]) if rng.random() < 0.03 else "",
                rng.choice(["初中", "高中", "中专", "大专", "本科", "硕士"]),
                rng.choice(["", "", "初级工", "中级工", "高级工", "技师"]),
                years_gd, min(years_gd, rng.randrange(0, 25)), rng.choice([6, 18, 24, 36, 60, 96]),
                "是" if rng.random() < 0.2 else "否", f"{permit:%Y/%-m/%-d}", child.isoformat(),
                rng.choice(["", "", "", "", "区级", "市级"]), rng.choice([0, 0, 0, 2, 5]),
                rng.choice(["", "", "", "发明", "实用新型;外观设计"]),
                rng.choice(["", "", "", "县级", "县级;市级以上"]),
                rng.choice([0, 0, 60, 120, 300]), rng.choice([0, 0, 200, 400, 800]), 0,
                rng.choice([0, 0, 800, 2500, 6000]), "是" if fund else "否", rng.randrange(0, 60) if fund else 0,
                "是" if rng.random() < 0.7 else "否", rng.choice([0, 1, 2, 3]),
                1 if rng.random() < 0.02 else 0, rng.choice([0, 5, 10, 20]),
                f"2024-05-{rng.randrange(1, 31):02d} {rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00",
                *prefs,
            ])
    with (HERE / "corrections.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["申请编号", "字段", "原值", "新值", "理由"])
        w.writerow(["FS20240007", "自有房产", "否", "是", "复核：不动产登记中心确认房产证有效"])
        w.writerow(["FS20240042", "学历", "硕士", "博士", "复核：学信网核验为博士学位"])


if __name__ == "__main__":
    main()
