"""复核 corrections of a zone lottery (engine.lottery.review): hand-worked examples and properties.

The examples fix roles by the real draw: ``order(seed, ids)`` lists the applicants by their
lottery number (docs/randomness.md §3.2), so p0 is first in line, p1 second, and so on; the
placements then follow by hand from the mechanism rules in docs/lottery.md.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lottery_strategies import problems

from engine.errors import EngineError
from engine.lottery import Applicant, LotteryProblem, School, run_lottery
from engine.lottery.data import MECHANISMS, Mechanism
from engine.lottery.report import applicant_rows
from engine.lottery.review import WITHDRAWN, Correction, apply_corrections, review_lottery
from engine.randomness import format_lottery_number, lottery_number

SEED = bytes(range(32))


def order(ids: list[str]) -> list[str]:
    """``ids`` by lottery number under SEED (smaller first)."""
    return sorted(ids, key=lambda a: lottery_number(SEED, "lottery", [a]))


def test_withdrawal_frees_a_seat_for_the_next_in_line() -> None:
    """S1 has 2 seats; p0…p3 all list only S1. Before: p0, p1 admitted. p0 withdraws: p2 (next in line) moves up."""
    p = order(["A1", "A2", "A3", "A4"])
    problem = LotteryProblem.create([School("S1", "甲校", 2)], [Applicant(a, ("S1",)) for a in p])
    review = review_lottery(problem, [Correction(p[0], "withdraw", None, None, "家长放弃")], SEED)
    after = {r.applicant_id: r for r in review.rows}
    assert [a for a in p if after[a].school_id] == [p[1], p[2]]
    assert after[p[0]].reason == WITHDRAWN and after[p[0]].unit_size == 0
    changes = {c.applicant_id: c for c in review.changes}
    assert set(changes) == {p[0], p[2]}
    assert changes[p[0]].cause == "own" and "家长放弃" in changes[p[0]].reason_zh
    assert changes[p[2]].cause == "freed_seat" and p[0] in changes[p[2]].reason_en
    # nobody was drawn again: every number is the spec's number of the applicant's own key
    assert all(r.lottery_number == format_lottery_number(lottery_number(SEED, "lottery", [r.applicant_id]))
               for r in review.rows)


def test_tier_correction_moves_one_child_and_displaces_another() -> None:
    """S1 and S2 have one seat each; p0, p1, p2 list S1;S2 (tier 1). DA before: p0→S1, p1→S2, p2 unplaced.

    p2's tier is corrected 1→0 (priority): p2→S1, p0 is displaced to S2 (by p2's correction),
    and p1 loses S2 to p0 (a knock-on).
    """
    p = order(["B1", "B2", "B3"])
    schools = [School("S1", "甲校", 1), School("S2", "乙校", 1)]
    problem = LotteryProblem.create(schools, [Applicant(a, ("S1", "S2")) for a in p])
    review = review_lottery(problem, [Correction(p[2], "tier", 1, 0, "户籍核实")], SEED)
    after = {r.applicant_id: r.school_id for r in review.rows}
    assert after == {p[2]: "S1", p[0]: "S2", p[1]: ""}
    changes = {c.applicant_id: c for c in review.changes}
    assert (changes[p[2]].cause, changes[p[2]].before.tier, changes[p[2]].after.tier) == ("own", 1, 0)
    assert changes[p[0]].cause == "displaced" and p[2] in changes[p[0]].reason_en
    assert changes[p[1]].cause == "knock_on" and p[0] in changes[p[1]].reason_en


def test_withdrawing_one_twin_keeps_the_units_number() -> None:
    """Twins T1, T2 drew once, keyed ["T1", "T2"]; when T1 withdraws T2 keeps that number (no fresh draw)."""
    apps = [Applicant("T1", ("S1",), group="G"), Applicant("T2", ("S1",), group="G"), Applicant("X", ("S1",))]
    problem = LotteryProblem.create([School("S1", "甲校", 1)], apps)
    review = review_lottery(problem, [Correction("T1", "withdraw", None, None, "转学")], SEED)
    twin = format_lottery_number(lottery_number(SEED, "lottery", ["T1", "T2"]))
    rows = {r.applicant_id: r for r in review.rows}
    assert rows["T1"].lottery_number == rows["T2"].lottery_number == twin
    assert rows["T2"].unit_size == 1
    assert {c.applicant_id: c.cause for c in review.changes}["T2"] == "group"


def test_stale_or_conflicting_corrections_are_refused() -> None:
    problem = LotteryProblem.create([School("S1", "甲校", 1)], [Applicant("A", ("S1",), tier=2)])
    with pytest.raises(EngineError, match="does not match the correction's old value 1"):
        apply_corrections(problem, [Correction("A", "tier", 1, 0, "旧文件")])
    with pytest.raises(EngineError, match="unknown applicant 'Z'"):
        apply_corrections(problem, [Correction("Z", "withdraw", None, None, "")])
    with pytest.raises(EngineError, match="corrected twice"):
        apply_corrections(problem, [Correction("A", "tier", 2, 1, ""), Correction("A", "tier", 1, 0, "")])
    with pytest.raises(EngineError, match="withdraws and cannot also"):
        apply_corrections(problem, [Correction("A", "tier", 2, 1, ""), Correction("A", "withdraw", None, None, "")])


@st.composite
def corrected(draw: st.DrawFn, *, twins: bool = True) -> tuple[LotteryProblem, list[Correction]]:
    """A problem and a set of valid corrections: withdrawals, tier changes, new choice lists for singles."""
    problem = draw(problems())
    if not twins:
        problem = LotteryProblem.create(problem.schools, [replace(a, group="") for a in problem.applicants])
    school_ids = [s.id for s in problem.schools]
    fixes: list[Correction] = []
    for a in problem.applicants:
        what = draw(st.sampled_from(["none", "none", "withdraw", "tier", "preferences"]))
        if what == "withdraw":
            fixes.append(Correction(a.id, "withdraw", None, None, "退出"))
        elif what == "tier":
            new = draw(st.integers(0, 3).filter(lambda t, old=a.tier: t != old))
            fixes.append(Correction(a.id, "tier", a.tier, new, "类别"))
        elif what == "preferences" and not a.group:
            new_prefs = tuple(draw(st.permutations(school_ids))[: draw(st.integers(1, len(school_ids)))])
            fixes.append(Correction(a.id, "preferences", a.preferences, new_prefs, "志愿"))
    assume(len({f.applicant_id for f in fixes if f.field == "withdraw"}) < len(problem.applicants))
    return problem, fixes


@settings(max_examples=80, deadline=None)
@given(corrected(), st.sampled_from(MECHANISMS), st.booleans())
def test_numbers_are_inherited_and_the_diff_lists_exactly_the_changed_rows(
        case: tuple[LotteryProblem, list[Correction]], mechanism: Mechanism, round2: bool) -> None:
    problem, fixes = case
    review = review_lottery(problem, fixes, SEED, mechanism, round2)
    old = applicant_rows(review.before)
    assert [r.applicant_id for r in review.rows] == [r.applicant_id for r in old]
    assert [r.lottery_number for r in review.rows] == [r.lottery_number for r in old]
    changed = {o.applicant_id for o, n in zip(old, review.rows, strict=True) if o != n}
    assert {c.applicant_id for c in review.changes} == changed | {f.applicant_id for f in fixes}
    withdrawn = {f.applicant_id for f in fixes if f.field == "withdraw"}
    assert {r.applicant_id for r in review.rows if r.reason == WITHDRAWN} == withdrawn


@settings(max_examples=80, deadline=None)
@given(corrected(twins=False), st.sampled_from(MECHANISMS), st.booleans())
def test_without_multiples_the_corrected_run_is_a_plain_run_of_the_corrected_problem(
        case: tuple[LotteryProblem, list[Correction]], mechanism: Mechanism, round2: bool) -> None:
    """Singles are keyed on their own application number, so inheriting equals drawing again."""
    problem, fixes = case
    review = review_lottery(problem, fixes, SEED, mechanism, round2)
    plain, _ = apply_corrections(problem, fixes)
    assert [r for r in review.rows if r.reason != WITHDRAWN] == applicant_rows(
        run_lottery(plain, SEED, mechanism, round2))


@settings(max_examples=60, deadline=None)
@given(corrected(), st.randoms(use_true_random=False))
def test_the_corrections_order_does_not_matter(case: tuple[LotteryProblem, list[Correction]],
                                               rnd: random.Random) -> None:
    problem, fixes = case
    shuffled = list(fixes)
    rnd.shuffle(shuffled)
    a, b = review_lottery(problem, fixes, SEED, "da", True), review_lottery(problem, shuffled, SEED, "da", True)
    assert (a.rows, a.changes) == (b.rows, b.changes)


@settings(max_examples=80, deadline=None)
@given(corrected(twins=False))
def test_under_da_withdrawals_alone_never_make_anyone_worse_off(case: tuple[LotteryProblem, list[Correction]]
                                                                ) -> None:
    """Student-proposing DA: removing applicants weakly improves everyone else (round 1, own choice order)."""
    problem, fixes = case
    gone = [f for f in fixes if f.field == "withdraw"]
    assume(gone)
    review = review_lottery(problem, gone, SEED, "da", False)
    for old, new in zip(applicant_rows(review.before), review.rows, strict=True):
        if new.reason != WITHDRAWN:
            assert (new.choice_rank or 99) <= (old.choice_rank or 99), (old, new)
