"""Known-answer examples worked by hand (docs/lottery.md).

The lottery ranks are fixed by hand (rank 0 = smallest lottery number) through
``place_market`` so each answer can be checked with pencil and paper; one example
goes through a real seed and the randomness-spec number.
"""

from __future__ import annotations

import numpy as np

from engine.lottery import Applicant, LotteryProblem, School, build_market, run_lottery
from engine.lottery.data import Mechanism
from engine.lottery.report import count_justified_envy, school_rows
from engine.lottery.rounds import LotteryResult, place_market
from engine.randomness import lottery_number


def solve(problem: LotteryProblem, ranks: dict[str, int], mechanism: Mechanism, round2: bool = False
          ) -> LotteryResult:
    """Place with hand-chosen ranks; ``ranks`` maps each unit's first member id to its rank."""
    market = build_market(problem)
    rank = np.array([ranks[k[0]] for k in market.keys], dtype=np.int64)
    numbers = rank.astype(np.uint64)  # published numbers are irrelevant to these placements
    return place_market(market, numbers, rank, mechanism, round2)


def outcome(result: LotteryResult) -> dict[str, str]:
    m = result.market
    out: dict[str, str] = {}
    for u in range(m.n_units):
        for i in m.member_idx[m.member_ptr[u]:m.member_ptr[u + 1]]:
            out[m.applicant_ids[i]] = m.school_ids[result.school[u]] if result.school[u] >= 0 else "-"
    return out


def test_boston_and_da_differ() -> None:
    """A and B have one seat each. Ranks: a1=0, a2=1, a3=2. a1, a2 list A>B; a3 lists B>A.

    DA: a1→A held; a2→A rejected (a1 better) → B held; a3→B rejected (a2 better) → A
    rejected. Result a1:A, a2:B, a3 unplaced. Stable: a3 envies both, but both holders
    have better numbers.
    Boston: choice round 1: A gets {a1, a2} → a1; B gets {a3} → a3 (seat final).
    Round 2: a2 → B, full. Result a1:A, a3:B, a2 unplaced — a2 is punished for not
    ranking B first although its number is better than a3's (justified envy 1).
    """
    schools = [School("A", "甲校", 1), School("B", "乙校", 1)]
    apps = [Applicant("a1", ("A", "B")), Applicant("a2", ("A", "B")), Applicant("a3", ("B", "A"))]
    problem = LotteryProblem.create(schools, apps)
    ranks = {"a1": 0, "a2": 1, "a3": 2}
    da = solve(problem, ranks, "da")
    boston = solve(problem, ranks, "boston")
    assert outcome(da) == {"a1": "A", "a2": "B", "a3": "-"}
    assert outcome(boston) == {"a1": "A", "a2": "-", "a3": "B"}
    assert count_justified_envy(da) == 0
    assert count_justified_envy(boston) == 1
    assert outcome(solve(problem, ranks, "serial")) == outcome(da)  # one common order: SD == DA


def test_twin_unit_skipped_and_leftover_seat_used() -> None:
    """A has 2 seats, B has 2. Ranks: s1=0, twins T=(t1,t2)=1, s2=2.

    DA: s1→A held (1 of 2 used). T→A needs 2 seats, only 1 free; nobody worse than T
    is held, so T is rejected whole and proposes to B: held (2 of 2). s2→A: 1 free →
    held. Result: s1,s2 at A; t1,t2 at B together. The lower-number single s2 takes
    the seat the twins could not use (greedy fit, docs/lottery.md §3).
    Boston and serial give the same here: choice round 1 at A takes s1, skips T
    (does not fit), takes s2; T gets B in round 2.
    """
    schools = [School("A", "甲校", 2), School("B", "乙校", 2)]
    apps = [Applicant("s1", ("A",)), Applicant("t1", ("A", "B"), group="T"), Applicant("t2", ("A", "B"), group="T"),
            Applicant("s2", ("A",))]
    problem = LotteryProblem.create(schools, apps)
    ranks = {"s1": 0, "t1": 1, "s2": 2}
    want = {"s1": "A", "s2": "A", "t1": "B", "t2": "B"}
    for mech in ("da", "boston", "serial"):
        assert outcome(solve(problem, ranks, mech)) == want, mech


def test_twins_displace_two_singles_in_da() -> None:
    """A has 2 seats. Ranks: s1=1, s2=2, twins T=0 (best). s1, s2 list A>B; B has 2 seats.

    DA in lottery order: T→A held (2/2). s1→A: full, nobody worse than s1 held → B.
    s2→A rejected → B. Result T at A, s1 and s2 at B; cutoff of A is T's (tier 1, rank 0).
    """
    schools = [School("A", "甲校", 2), School("B", "乙校", 2)]
    apps = [Applicant("s1", ("A", "B")), Applicant("s2", ("A", "B")),
            Applicant("t1", ("A",), group="T"), Applicant("t2", ("A",), group="T")]
    problem = LotteryProblem.create(schools, apps)
    r = solve(problem, {"t1": 0, "s1": 1, "s2": 2}, "da")
    assert outcome(r) == {"s1": "B", "s2": "B", "t1": "A", "t2": "A"}
    rows = {row.school_id: row for row in school_rows(r)}
    assert (rows["A"].admitted, rows["A"].remaining, rows["A"].cutoff_tier) == (2, 0, 1)


def test_sibling_priority_beats_better_number() -> None:
    """A has 1 seat. x has rank 0, tier 1; y has rank 1 but a sibling at A (``A:0``).

    Priority at A is (tier, rank): y=(0,1) beats x=(1,0). DA and Boston give A to y.
    Serial uses base tiers only (both 1), so x, with the smaller number, picks first.
    """
    schools = [School("A", "甲校", 1), School("B", "乙校", 1)]
    apps = [Applicant("x", ("A", "B")), Applicant("y", ("A", "B"), priorities=(("A", 0),))]
    problem = LotteryProblem.create(schools, apps)
    ranks = {"x": 0, "y": 1}
    assert outcome(solve(problem, ranks, "da")) == {"x": "B", "y": "A"}
    assert outcome(solve(problem, ranks, "boston")) == {"x": "B", "y": "A"}
    assert outcome(solve(problem, ranks, "serial")) == {"x": "A", "y": "B"}
    assert school_rows(solve(problem, ranks, "da"))[0].cutoff_tier == 0


def test_round2_and_reasons() -> None:
    """A has 1 seat, B has 1. Ranks p=0, q=1, r=2, s=3; all list A only in round 1.

    Round 1 (DA): p gets A; q, r, s unplaced. Round 2: q lists nothing →
    ``no_preference_in_round2``; r lists B, s lists B: r (better rank) gets B in round 2
    with choice rank 1; s → ``all_choices_full``.
    """
    schools = [School("A", "甲校", 1), School("B", "乙校", 1)]
    apps = [Applicant("p", ("A",)), Applicant("q", ("A",)), Applicant("r", ("A",), round2=("B",)),
            Applicant("s", ("A",), round2=("B",))]
    problem = LotteryProblem.create(schools, apps)
    res = solve(problem, {"p": 0, "q": 1, "r": 2, "s": 3}, "da", round2=True)
    assert outcome(res) == {"p": "A", "q": "-", "r": "B", "s": "-"}
    assert res.round.tolist() == [1, 0, 2, 0]
    assert list(res.reason) == ["", "no_preference_in_round2", "", "all_choices_full"]
    without = solve(problem, {"p": 0, "q": 1, "r": 2, "s": 3}, "da", round2=False)
    assert list(without.reason) == ["", "all_choices_full", "all_choices_full", "all_choices_full"]


def test_real_seed_uses_spec_numbers() -> None:
    """With a seed, each unit's number is the randomness-spec number of its key; twins share one.

    One seat at A: whichever of u1 and the twin unit (key ["t1", "t2"]) has the smaller
    number gets it... but the twins need 2 seats, so u1 always gets the single seat.
    """
    seed = bytes(range(32))
    problem = LotteryProblem.create(
        [School("A", "甲校", 1)],
        [Applicant("u1", ("A",)), Applicant("t2", ("A",), group="G"), Applicant("t1", ("A",), group="G")],
    )
    r = run_lottery(problem, seed, "da")
    keys = list(r.market.keys)
    assert keys == [("t1", "t2"), ("u1",)]
    want = [lottery_number(seed, "lottery", ["t1", "t2"]), lottery_number(seed, "lottery", ["u1"])]
    assert r.numbers.tolist() == want
    assert outcome(r) == {"t1": "-", "t2": "-", "u1": "A"}
    assert r.reason[0] == "all_choices_full"


def test_equal_numbers_ordered_by_key_encoding() -> None:
    """Spec §3.2: equal numbers are ordered by ``encode_key(key)`` bytewise.

    Numbers (5, 5, 3, 5): the unit with 3 is first (rank 0). Among the 5s, keys
    ["b"], ["a"] and ["a", "b"] encode as u32be(1)‖u32be(1)‖"b", u32be(1)‖u32be(1)‖"a"
    and u32be(2)‖…, so the order is ["a"], ["b"], ["a", "b"].
    """
    from engine.lottery import priority_ranks

    keys = [("b",), ("a",), ("c",), ("a", "b")]
    rank = priority_ranks(np.array([5, 5, 3, 5], dtype=np.uint64), keys)
    assert rank.tolist() == [2, 1, 0, 3]
