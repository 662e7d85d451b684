"""Known small examples checked by hand, and the infeasibility explanations."""

from __future__ import annotations

import numpy as np
import pytest

import engine.classes.solve as solve
from engine.classes import Cohort, PlacementRules, Student, place_students
from engine.classes.draws import draw_labels
from engine.classes.search import SearchStats
from engine.errors import ConfigError, InfeasiblePlacement

SEED = bytes(range(32))


def _cohort(n: int, **extra: dict[int, object]) -> Cohort:
    students = []
    for i in range(n):
        fields: dict[str, object] = {"student_id": f"s{i:02d}", "gender": "M" if i % 2 else "F",
                                     "scores": (100 * (100 + i),)}
        for key, values in extra.items():
            if i in values:
                fields[key] = values[i]
        students.append(Student(**fields))  # type: ignore[arg-type]
    return Cohort(("total",), (), tuple(students))


def test_four_students_two_classes_exact_balance() -> None:
    # Scores 100,101,102,103: the only perfect split is {100,103} / {101,102}, means 101.5 each.
    pl = place_students(_cohort(4), PlacementRules(classes=2, bands=1, top_n=0, bottom_n=0), SEED)
    cls = [pl.class_of(i) for i in range(4)]
    assert cls[0] == cls[3] and cls[1] == cls[2] and cls[0] != cls[1]
    assert pl.report.gaps["mean total"] == 0.0


def test_apart_group_of_six_with_five_classes() -> None:
    cohort = _cohort(30, apart={i: ("A",) for i in range(6)})
    with pytest.raises(InfeasiblePlacement, match="cannot all hold") as info:
        place_students(cohort, PlacementRules(classes=5), SEED)
    assert any("apart group 'A' has 6 students but there are only 5 classes" in c for c in info.value.conflicts)


def test_together_group_larger_than_a_class() -> None:
    cohort = _cohort(20, together={i: "T" for i in range(6)})
    with pytest.raises(InfeasiblePlacement, match="cannot all hold") as info:
        place_students(cohort, PlacementRules(classes=4), SEED)
    assert any("together group 'T' has 6 students, more than the largest class (5)" in c
               for c in info.value.conflicts)


def test_presets_overfilling_a_class() -> None:
    cohort = _cohort(20, preset={i: 1 for i in range(6)})
    with pytest.raises(InfeasiblePlacement, match="cannot all hold") as info:
        place_students(cohort, PlacementRules(classes=4), SEED)
    assert any("into class 1, more than its size 5" in c for c in info.value.conflicts)


def test_together_and_apart_on_the_same_pair() -> None:
    cohort = _cohort(8, together={0: "T", 1: "T"}, apart={0: ("A",), 1: ("A",)})
    with pytest.raises(InfeasiblePlacement, match="cannot all hold") as info:
        place_students(cohort, PlacementRules(classes=2), SEED)
    assert any("together group 'T' and in apart group 'A'" in c for c in info.value.conflicts)


def test_large_class_needs_explicit_permission() -> None:
    with pytest.raises(ConfigError, match="large class"):
        PlacementRules(classes=2, max_class_size=56)
    assert PlacementRules(classes=2, max_class_size=56, allow_large_classes=True).max_class_size == 56


def test_preset_class_keeps_its_label_and_others_are_drawn() -> None:
    cohort = _cohort(40, preset={0: 3})
    pl = place_students(cohort, PlacementRules(classes=4), SEED)
    assert pl.class_of(0) == 3
    assert pl.label_of_slot[2] == 3
    assert draw_labels(pl.problem, pl.slot_of_student, SEED) == pl.label_of_slot
    assert sorted(pl.label_of_slot) == [1, 2, 3, 4]


def test_seed_decides_labels_but_not_balance_rules() -> None:
    cohort = _cohort(40)
    rules = PlacementRules(classes=4, head_teachers=("甲", "乙", "丙", "丁"))
    a = place_students(cohort, rules, SEED)
    b = place_students(cohort, rules, bytes(32))
    assert a.report.violations == b.report.violations == 0
    assert sorted(a.head_teachers.values()) == ["丁", "丙", "乙", "甲"]


def test_work_limit_reached_is_not_called_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    # Neither the exchange search nor CP-SAT finds a placement (both stubbed): the message must say the work
    # limit was reached and name the counts still broken, not claim that the rules conflict.
    def all_boys_in_slot_0(p, slot, max_passes):  # type: ignore[no-untyped-def]
        boys = np.array([p.cohort.students[m[0]].gender == "M" for m in p.units])
        return np.where(boys, 0, 1).astype(np.int64), SearchStats(1, 0, 0, 0.0, 1)

    monkeypatch.setattr(solve, "search_and_polish", all_boys_in_slot_0)
    monkeypatch.setattr(solve, "cpsat_start", lambda p, seed, hint=None: (False, None))
    with pytest.raises(InfeasiblePlacement, match="work limit") as info:
        place_students(_cohort(8), PlacementRules(classes=2, search_passes=3), SEED)
    assert "work limit (search_passes = 3)" in info.value.message_en
    assert info.value.conflicts and all(c.startswith("count") for c in info.value.conflicts)
