"""``chart.png`` of a class placement, drawn in a helper process started before the solve.

Edge module (reads a font file). Importing matplotlib and registering the CJK font take
1.1–1.5 s, about as long as the solve of a 1,200 × 24 placement: :class:`ChartWorker` starts
``python -m api.classes_chart`` (:func:`~api.helper_process.helper_for`: for the process's first
chart; later ones are drawn in process), which
imports and registers the font at once on the second core, then waits for one
:class:`ChartData` as JSON on stdin and answers with the PNG. It draws with
:func:`chart_png`, the function one would call in process, with the same interpreter and
libraries, so the bytes are the same (``tests/api/test_classes_chart.py`` compares them).
This module imports nothing heavy of Sunshine, so the helper starts in tens of milliseconds
plus matplotlib.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, TypedDict

from api.helper_process import helper_for, serve

__all__ = ["CJK_FONT_PATHS", "ChartData", "ChartWorker", "chart_png", "cjk_font"]

#: The CJK font the chart is drawn with (Debian ``fonts-wqy-microhei``, installed by ``make system-deps``).
CJK_FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)


class ChartData(TypedDict):
    """What the chart shows, as plain JSON: one panel per score, one box per class (in label order)."""

    n: int  # students
    labels: list[int]  # class numbers, in the order of the boxes
    score_names: list[str]  # panel titles: total first, then the subjects
    scores: list[list[list[int]]]  # [panel][box] → the class's scores in hundredths, in canonical student order


def cjk_font() -> str | None:
    """The family name of the installed CJK font, registered with matplotlib; ``None`` when absent."""
    from matplotlib import font_manager

    for path in CJK_FONT_PATHS:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
    return None


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_png(chart: ChartData) -> bytes:
    """Per-class score distributions for the notice board, in Chinese, readable by a parent.

    One panel per score column, named by its header (总分, 语文, 数学…); one box per class:
    the box holds the middle half of the class, the line in it is the median, the triangle
    the mean, the whiskers the spread of the rest (up to 1.5 box-heights), dots the outliers.
    A dashed line marks the whole grade's mean, so equal classes show as boxes level with it.
    Without the CJK font (``fonts-wqy-microhei``) the labels fall back to English.
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    family = cjk_font()
    zh = family is not None
    k, labels, scores = len(chart["labels"]), chart["labels"], chart["score_names"]
    with plt.rc_context({"font.family": [family or "DejaVu Sans"], "font.size": 11, "axes.unicode_minus": False}):
        fig, axes = plt.subplots(len(scores), 1, figsize=(max(7.0, 0.55 * k + 3), 2.9 * len(scores) + 1.2),
                                 dpi=100, squeeze=False)
        for j, ax in enumerate(axes[:, 0]):
            data = [[v / 100 for v in box] for box in chart["scores"][j]]
            ax.boxplot(data, showmeans=True, widths=0.6, patch_artist=True,
                       boxprops={"facecolor": "#cfe3f5", "edgecolor": "#2b5d8a"},
                       medianprops={"color": "#c0392b", "linewidth": 2},
                       meanprops={"marker": "^", "markerfacecolor": "#1e8449", "markeredgecolor": "#1e8449"},
                       flierprops={"marker": "o", "markersize": 3, "markerfacecolor": "#7f8c8d",
                                   "markeredgecolor": "#7f8c8d"})
            grade = [v for column in data for v in column]
            if grade:
                ax.axhline(sum(grade) / len(grade), color="#555555", linestyle="--", linewidth=1)
            ax.set_xticks(range(1, k + 1), [f"{label}班" if zh else str(label) for label in labels])
            name = scores[j] if zh or scores[j].isascii() else ("total" if j == 0 else f"subject {j}")
            ax.set_title(name if not zh else f"{name}（分）", loc="left", fontsize=12)
            ax.grid(axis="y", color="#e5e5e5")
            ax.set_axisbelow(True)
        axes[-1, 0].set_xlabel("班级" if zh else "class")
        title = (f"各班成绩分布：{chart['n']} 名学生，{k} 个班" if zh
                 else f"Scores per class: {chart['n']} students, {k} classes")
        hint = ("各班的箱体越齐平、越贴近虚线（全年级平均），说明分班越均衡" if zh
                else "the more level the boxes and the closer to the dashed grade mean, the more balanced")
        height = 2.9 * len(scores) + 1.2
        fig.suptitle(f"{title}\n{hint}", fontsize=13, y=1 - 0.1 / height)
        legend = [
            Patch(facecolor="#cfe3f5", edgecolor="#2b5d8a", label="中间一半学生（25%–75%）" if zh else "middle half"),
            Line2D([], [], color="#c0392b", linewidth=2, label="中位数" if zh else "median"),
            Line2D([], [], color="#1e8449", marker="^", linestyle="", label="平均分" if zh else "mean"),
            Line2D([], [], color="black", linewidth=1, label="分布范围（须线）" if zh else "spread (whiskers)"),
            Line2D([], [], color="#7f8c8d", marker="o", markersize=3, linestyle="",
                   label="离群值" if zh else "outliers"),
            Line2D([], [], color="#555555", linestyle="--", label="全年级平均" if zh else "grade mean"),
        ]
        fig.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.7 / height), ncol=3,
                   frameon=False, fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.9 / height))
        # tight_layout leaves a placeholder layout engine, for which savefig lays the figure out
        # (a whole draw without output) before drawing it; the layout is done, so drop the engine:
        # one draw instead of two, the same PNG bytes.
        fig.set_layout_engine(None)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})  # no version/timestamp text chunks
        plt.close(fig)
    return buf.getvalue()


class ChartWorker:
    """The helper that draws one chart: start it early, :meth:`draw` when the placement is known."""

    def __init__(self) -> None:
        self._helper = helper_for("api.classes_chart", _answer)

    def draw(self, chart: ChartData) -> bytes:
        """The PNG of ``chart`` (waits for the helper; :class:`~api.helper_process.HelperError` if it failed)."""
        return self._helper.ask(json.dumps(chart, ensure_ascii=False).encode("utf-8"))

    def close(self) -> None:
        """Stop a helper that will not be asked (the caller failed before it had the data)."""
        self._helper.close()


def _answer(request: bytes) -> bytes:
    chart: ChartData = json.loads(request.decode("utf-8"))
    return chart_png(chart)


def _warm() -> None:
    _pyplot()
    cjk_font()


if __name__ == "__main__":
    serve(_warm, _answer)
