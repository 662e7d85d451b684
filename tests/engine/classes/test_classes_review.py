"""复核 corrections of a class placement (engine.classes.review): the posted classes stand."""

from __future__ import annotations

import random

import pytest
from classes_strategies import cohorts
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.classes import Cohort, PlacementRules, Student, place_students
from engine.classes.review import ClassCorrection, apply_class_corrections, review_placement
from engine.errors import EngineError, InfeasiblePlacement

SEED = bytes(range(32))
RULES = PlacementRules(classes=2, bands=1, top_n=0, bottom_n=0)


def _cohort() -> Cohort:
    """Eight students, alternately girl/boy, totals 100…107 (subjects: half each)."""
    return Cohort(("total", "math"), ("boarder",), tuple(
        Student(f"s{i}", "M" if i % 2 else "F", (100 * (100 + i), 50 * (100 + i)), (i < 2,)) for i in range(8)))


def test_a_withdrawal_takes_one_student_off_and_moves_nobody() -> None:
    cohort = _cohort()
    review = review_placement(cohort, RULES, SEED, [ClassCorrection("s3", "withdraw", None, None, "转学")],
                              total_is_sum=False)
    before = {s.student_id: review.before.class_of(i) for i, s in enumerate(cohort.students)}
    after = {s.student_id: review.after.class_of(i) for i, s in enumerate(review.after.problem.cohort.students)}
    assert set(after) == set(before) - {"s3"}
    assert all(after[s] == before[s] for s in after)
    sizes = sorted(c.size for c in review.after.report.classes)
    assert sizes == [3, 4]
    (change,) = review.changes
    assert (change.student_id, change.old_class, change.new_class, change.cause) == ("s3", before["s3"], None, "own")
    assert "转学" in change.reason_zh and "withdrew" in change.reason_en
    # the draws stand: the same class numbers and head teachers as the posted run
    assert review.after.label_of_slot == review.before.label_of_slot
    assert review.before.slot_of_student.tolist() == place_students(cohort, RULES, SEED).slot_of_student.tolist()


def test_a_corrected_score_moves_the_total_when_the_total_is_the_sum() -> None:
    cohort = _cohort()
    fix = ClassCorrection("s0", "score:math", 5000, 5600, "阅卷漏分")
    corrected, withdrawn = apply_class_corrections(cohort, [fix], total_is_sum=True)
    assert withdrawn == ()
    assert corrected.students[0].scores == (10600, 5600)
    with pytest.raises(EngineError, match="the total is the sum"):
        apply_class_corrections(cohort, [ClassCorrection("s0", "score:total", 10000, 10100, "")], total_is_sum=True)


def test_a_correction_that_breaks_a_count_rule_is_reported_not_repaired() -> None:
    """Every student of s0's class becomes a boarder: 4 in a class of 4 (bound 3) — reported, nobody moves."""
    cohort = _cohort()
    posted = place_students(cohort, RULES, SEED)
    mine = [s for i, s in enumerate(cohort.students) if posted.class_of(i) == posted.class_of(0)]
    fixes = [ClassCorrection(s.student_id, "flag:boarder", False, True, "住校登记") for s in mine if not s.flags[0]]
    review = review_placement(cohort, RULES, SEED, fixes, total_is_sum=False)
    assert [c.new_class for c in review.changes] == [c.old_class for c in review.changes]
    assert review.after.slot_of_student.tolist() == posted.slot_of_student.tolist()
    other = 3 - posted.class_of(0)  # 5 boarders: each class of 4 should hold 2.5 ± 1, i.e. 2 or 3
    assert set(review.broken_counts) == {f"boarder {posted.class_of(0)}班 4 ∉ [2, 3]", f"boarder {other}班 1 ∉ [2, 3]"}
    assert review.after.report.violations == 1  # one count rule


def test_stale_corrections_are_refused() -> None:
    cohort = _cohort()
    with pytest.raises(EngineError, match="does not match the correction's old value 'M'"):
        apply_class_corrections(cohort, [ClassCorrection("s0", "gender", "M", "F", "")], total_is_sum=False)
    with pytest.raises(EngineError, match="unknown student 'zz'"):
        apply_class_corrections(cohort, [ClassCorrection("zz", "withdraw", None, None, "")], total_is_sum=False)
    with pytest.raises(EngineError, match="unknown field"):
        apply_class_corrections(cohort, [ClassCorrection("s0", "score:art", 1, 2, "")], total_is_sum=False)


@settings(max_examples=25, deadline=None)
@given(cohorts(presets=False), st.data())
def test_only_the_corrected_students_are_listed_and_nobody_else_moves(
        case: tuple[Cohort, PlacementRules], data: st.DataObject) -> None:
    cohort, rules = case
    fixes = []
    for s in cohort.students:
        what = data.draw(st.sampled_from(["none", "none", "none", "withdraw", "gender", "flag"]))
        if what == "withdraw":
            fixes.append(ClassCorrection(s.student_id, "withdraw", None, None, "退出"))
        elif what == "gender":
            fixes.append(ClassCorrection(s.student_id, "gender", s.gender, "F" if s.gender == "M" else "M", "性别"))
        elif what == "flag":
            fixes.append(ClassCorrection(s.student_id, f"flag:{cohort.flag_names[0]}", s.flags[0], not s.flags[0],
                                         "标记"))
    try:
        place_students(cohort, rules, SEED, max_passes=20)
    except InfeasiblePlacement:
        assume(False)
    gone = {f.student_id for f in fixes if f.field == "withdraw"}
    kept = [s for s in cohort.students if s.student_id not in gone]
    assume(len({s.student_id for s in kept}) >= rules.classes)
    try:
        review = review_placement(cohort, rules, SEED, fixes, total_is_sum=False, max_passes=20)
    except EngineError as exc:
        assume("has no students left" not in exc.message_en)
        raise
    before = {s.student_id: review.before.class_of(i) for i, s in enumerate(cohort.students)}
    after = {s.student_id: review.after.class_of(i) for i, s in enumerate(review.after.problem.cohort.students)}
    assert set(after) == set(before) - gone
    assert all(after[s] == before[s] for s in after)
    assert [c.student_id for c in review.changes] == sorted({f.student_id for f in fixes}, key=str.encode)
    shuffled = list(fixes)
    random.Random(len(fixes)).shuffle(shuffled)
    again = review_placement(cohort, rules, SEED, shuffled, total_is_sum=False, max_passes=20)
    assert again.changes == review.changes and again.broken_counts == review.broken_counts
