"""Charts of a simulation for parents and the bureau: admit chance by tier per school, unplaced histogram.

Edge module (reads a font file). Labels are Chinese, so a CJK font is required: Debian's
``fonts-wqy-microhei`` (``make system-deps`` installs it), loaded by file path so the
result does not depend on which fonts matplotlib happens to find. PNGs carry no
version or time stamp (``metadata={"Software": None}``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from api.simulate import Simulation, school_table
from engine.errors import SunshineError

__all__ = ["CJK_FONT", "render_charts"]

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TIER_NAMES = {0: "优先类 (0)", 1: "第一类 (1)", 2: "第二类 (2)", 3: "第三类 (3)"}


def _pyplot(font: Path) -> Any:
    if not font.is_file():
        raise SunshineError(
            f"缺少中文字体 {font}：请先安装 fonts-wqy-microhei（make system-deps），或加 --no-charts",
            f"missing the CJK font {font}: install fonts-wqy-microhei (make system-deps) or pass --no-charts",
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font))
    name = font_manager.FontProperties(fname=str(font)).get_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(plt: Any, fig: Any, ax: Any, title: str, xlabel: str, ylabel: str) -> bytes:
    """Titles, a light horizontal grid behind the bars, then the PNG bytes (and the figure closed)."""
    ax.set_title(title, fontsize=12)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _tier_name(tier: int) -> str:
    return _TIER_NAMES.get(tier, f"第{tier}类 ({tier})")


def _percent(value: float) -> str:
    """A chance as a parent reads it: never "0%" or "100%" for something merely unlikely or likely."""
    if 0 < value < 0.5:
        return "<1%"
    if 99.5 <= value < 100:
        return ">99%"
    return f"{value:.0f}%"


def _school_png(plt: Any, rows: list[dict[str, Any]], draws: int) -> bytes:
    first = rows[0]
    shown = [r for r in rows if r["first_choice_applicants"]]
    fig, ax = plt.subplots(figsize=(7.0, 4.2), dpi=110)
    labels = [f"{_tier_name(r['tier'])}\n{r['first_choice_applicants']} 人填第一志愿" for r in shown]
    p = [100 * r["first_choice_admit_probability"] for r in shown]
    low = [max(0.0, 100 * (r["first_choice_admit_probability"] - r["ci_low"])) for r in shown]
    high = [max(0.0, 100 * (r["ci_high"] - r["first_choice_admit_probability"])) for r in shown]
    bars = ax.bar(labels, p, color="#3b7dd8", width=0.55, yerr=[low, high], capsize=6, ecolor="#333333")
    for bar, value, up in zip(bars, p, high, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, min(value + up + 2, 104), _percent(value),
                ha="center", va="bottom", fontsize=13)
    if not shown:
        ax.text(0.5, 0.5, "没有人把这所学校填为第一志愿", ha="center", va="center", transform=ax.transAxes, fontsize=13)
    ax.set_ylim(0, 112)
    ax.set_yticks(range(0, 101, 20), [f"{v}%" for v in range(0, 101, 20)])
    name = f"{first['school_id']} {first['school_name']}".strip()
    return _png(plt, fig, ax, f"{name}：第一志愿的录取机会\n"
                f"招生计划 {first['seats']} 个学位 · 模拟派位 {draws} 次 · 细线为 95% 置信区间",
                "类别（数字越小越优先）", "录取概率（填为第一志愿时）")


def _unplaced_png(plt: Any, sim: Simulation) -> bytes:
    import numpy as np

    values = sim.tally.unplaced
    found, counts = np.unique(values, return_counts=True)
    fig, ax = plt.subplots(figsize=(7.0, 4.2), dpi=110)
    if found.size > 60:  # many distinct counts: bins of equal width instead of one bar per count
        ax.hist(values, bins=40, color="#d8763b", edgecolor="white")
    else:
        ax.bar(found, counts, color="#d8763b", width=0.8)
    mean = float(values.mean())
    ax.axvline(mean, color="#333333", linestyle="--")
    ax.text(mean, ax.get_ylim()[1] * 0.95, f" 平均 {mean:.1f} 人", va="top", fontsize=11)
    m = sim.market
    return _png(plt, fig, ax, f"未录取人数的分布：{len(m.applicant_ids)} 名报名者、{int(m.capacity.sum())} 个学位，"
                f"模拟 {sim.draws} 次", "未录取（需统筹安排）的人数", "模拟次数")


def render_charts(sim: Simulation, font: Path = CJK_FONT) -> dict[str, bytes]:
    """``charts/admit_<school>.png`` per school and ``charts/unplaced.png``."""
    plt = _pyplot(font)
    rows = school_table(sim)
    files = {"charts/unplaced.png": _unplaced_png(plt, sim)}
    by_school: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_school.setdefault(r["school_id"], []).append(r)
    for i, (school, school_rows) in enumerate(sorted(by_school.items())):
        stem = school if _SAFE_NAME.match(school) else f"school-{i + 1:04d}"
        files[f"charts/admit_{stem}.png"] = _school_png(plt, school_rows, sim.draws)
    return files
