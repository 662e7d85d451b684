"""Hard-rule pre-checks: explain infeasible input by naming the rules that collide.

A clerk must never see a bare solver status. Each check below detects one classic
conflict and words it in Chinese and English; all conflicts found are reported
together in one :class:`~engine.errors.InfeasiblePlacement`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from engine.classes.data import Cohort, PlacementRules
from engine.classes.problem import Problem
from engine.errors import InfeasiblePlacement

__all__ = ["check_input", "check_problem", "raise_if"]


def raise_if(conflicts: list[tuple[str, str]]) -> None:
    """Raise one InfeasiblePlacement listing every ``(zh, en)`` conflict, if any."""
    if conflicts:
        raise InfeasiblePlacement(
            "硬性规则无法同时满足，冲突如下（请修改捆绑/分开/预设班级或班级数）：",
            "The hard rules cannot all hold; conflicting rules (change together/apart/preset or the class count):",
            [f"{zh} / {en}" for zh, en in conflicts],
        )


def check_input(cohort: Cohort, rules: PlacementRules) -> None:
    """Checks that need only the cohort and rules (before class sizes are drawn)."""
    k = rules.classes
    n = cohort.size
    out: list[tuple[str, str]] = []
    if n < k:
        out.append((f"学生数 {n} 少于班级数 {k}", f"{n} students are fewer than {k} classes"))
    if rules.class_sizes is not None and sum(rules.class_sizes) != n:
        out.append((f"class_sizes 合计 {sum(rules.class_sizes)} 不等于学生数 {n}",
                    f"class_sizes add up to {sum(rules.class_sizes)}, not the {n} students"))
    largest = max(rules.class_sizes) if rules.class_sizes else -(-n // k)
    if largest > rules.max_class_size:
        need = -(-n // rules.max_class_size)
        out.append((f"班额上限 {rules.max_class_size}：{n} 名学生分 {k} 个班需要 {largest} 人的班，"
                    f"至少需要 {need} 个班",
                    f"max class size {rules.max_class_size}: {n} students in {k} classes need a class of "
                    f"{largest}; at least {need} classes are needed"))
    together: dict[str, list[str]] = defaultdict(list)
    presets_of: dict[str, set[int]] = defaultdict(set)
    for s in cohort.students:
        if s.preset is not None and not 1 <= s.preset <= k:
            out.append((f"学生 {s.student_id} 预设班级 {s.preset} 不在 1–{k} 之间",
                        f"student {s.student_id}: preset class {s.preset} is outside 1–{k}"))
        if s.together:
            together[s.together].append(s.student_id)
            if s.preset is not None:
                presets_of[s.together].add(s.preset)
    for g, members in sorted(together.items()):
        if len(members) > largest:
            out.append((f"捆绑组「{g}」有 {len(members)} 人，超过最大班额 {largest}",
                        f"together group '{g}' has {len(members)} students, more than the largest class ({largest})"))
        if len(presets_of[g]) > 1:
            ps = "、".join(str(p) for p in sorted(presets_of[g]))
            out.append((f"捆绑组「{g}」的成员预设在不同班级（{ps}）",
                        f"together group '{g}' has members preset to different classes ({ps})"))
    apart: dict[str, list[str]] = defaultdict(list)
    for s in cohort.students:
        for g in s.apart:
            apart[g].append(s.student_id)
    by_id = {s.student_id: s for s in cohort.students}
    for g, members in sorted(apart.items()):
        if len(members) > k:
            out.append((f"分开组「{g}」有 {len(members)} 人，但只有 {k} 个班",
                        f"apart group '{g}' has {len(members)} students but there are only {k} classes"))
        seen_together: dict[str, str] = {}
        seen_preset: dict[int, str] = {}
        for m in members:
            s = by_id[m]
            if s.together and s.together in seen_together:
                out.append((f"学生 {seen_together[s.together]} 和 {m} 既在捆绑组「{s.together}」又在分开组「{g}」",
                            f"students {seen_together[s.together]} and {m} are in together group "
                            f"'{s.together}' and in apart group '{g}'"))
            elif s.together:
                seen_together[s.together] = m
            if s.preset is not None and s.preset in seen_preset:
                out.append((f"分开组「{g}」的 {seen_preset[s.preset]} 和 {m} 都预设在 {s.preset} 班",
                            f"apart group '{g}': {seen_preset[s.preset]} and {m} are both preset to class {s.preset}"))
            elif s.preset is not None:
                seen_preset[s.preset] = m
    raise_if(out)


def check_problem(p: Problem) -> None:
    """Checks that need slot sizes: presets overfilling a class, homophone groups, count rules."""
    out: list[tuple[str, str]] = []
    load = np.zeros(p.k, dtype=np.int64)
    for u, members in enumerate(p.units):
        if p.unit_fixed[u] >= 0:
            load[p.unit_fixed[u]] += len(members)
    for c in range(p.k):
        if load[c] > p.sizes[c]:
            out.append((f"预设到 {c + 1} 班的学生（含捆绑成员）共 {load[c]} 人，超过该班班额 {p.sizes[c]}",
                        f"presets (with their together groups) put {load[c]} students into class {c + 1}, "
                        f"more than its size {p.sizes[c]}"))
    for g, members in p.apart_groups.items():
        if g.startswith("homophone:") and len(members) > p.k:
            ids = "、".join(p.cohort.students[m].student_id for m in members)
            out.append((f"同音姓名组（{ids}）有 {len(members)} 人，但只有 {p.k} 个班；可关闭 homophones_apart",
                        f"same-sounding names ({ids}): {len(members)} students but only {p.k} classes; "
                        "set homophones_apart = false"))
        units = [int(p.unit_of[m]) for m in members]
        if g.startswith("homophone:") and len(set(units)) < len(units):
            pass  # together wins over homophones: such members are exempted by the search
    for rule in p.counts:
        # A together group carrying more of an attribute than any class may hold.
        top = int(rule.hi.max())
        for members in p.units:
            have = int(rule.member[list(members)].sum())
            if len(members) > 1 and have > top:
                s = p.cohort.students[members[0]]
                out.append((f"捆绑组「{s.together}」有 {have} 人属于「{rule.name_zh}」，超过每班均衡上限 {top}",
                            f"together group '{s.together}' has {have} students counted as '{rule.name}', above "
                            f"the per-class balance limit {top}"))
        fixed = np.zeros(p.k, dtype=np.int64)
        for u, members in enumerate(p.units):
            if p.unit_fixed[u] >= 0:
                fixed[p.unit_fixed[u]] += int(rule.member[list(members)].sum())
        for c in range(p.k):
            if fixed[c] > rule.hi[c]:
                out.append((f"预设使 {c + 1} 班的「{rule.name_zh}」达到 {fixed[c]} 人，超过均衡上限 {rule.hi[c]}",
                            f"presets put {fixed[c]} '{rule.name}' into class {c + 1}, above the balance "
                            f"limit {rule.hi[c]}"))
    raise_if(out)
