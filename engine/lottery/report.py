"""Tables and figures published for a lottery run (docs/lottery.md §6).

Rows are plain tuples in canonical order (applicants by application number,
schools by id) so the edge can write byte-identical CSV. The summary holds only
integers and strings (no floats), so its JSON bytes are unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.arrays import BoolArray, Int64Array
from engine.compiled import kernel
from engine.lottery.rounds import LotteryResult
from engine.randomness import format_lottery_number

__all__ = [
    "APPLICANT_COLUMNS",
    "SCHOOL_COLUMNS",
    "ApplicantRow",
    "SchoolRow",
    "applicant_rows",
    "count_justified_envy",
    "school_rows",
    "summarize",
    "unit_of_applicant",
]

APPLICANT_COLUMNS = ("applicant_id", "lottery_number", "tier", "school_id", "choice_rank", "round", "reason",
                     "unit_size")
SCHOOL_COLUMNS = ("school_id", "capacity", "admitted", "admitted_round1", "admitted_round2", "remaining",
                  "cutoff_tier", "cutoff_lottery_number", "round2_cutoff_tier", "round2_cutoff_lottery_number")




@dataclass(frozen=True)
class ApplicantRow:
    """One line of ``results.csv``; ``school_id`` is empty and ``choice_rank``/``round`` 0 when unplaced."""

    applicant_id: str
    lottery_number: str
    tier: int
    school_id: str
    choice_rank: int
    round: int
    reason: str
    unit_size: int

    def as_tuple(self) -> tuple[str, str, int, str, int, int, str, int]:
        return (self.applicant_id, self.lottery_number, self.tier, self.school_id, self.choice_rank, self.round,
                self.reason, self.unit_size)


@dataclass(frozen=True)
class SchoolRow:
    """One line of ``schools.csv``. A cutoff is the (tier, number) of the last unit admitted in that round."""

    school_id: str
    capacity: int
    admitted: int
    admitted_round1: int
    admitted_round2: int
    remaining: int
    cutoff_tier: int | None
    cutoff_lottery_number: str
    round2_cutoff_tier: int | None
    round2_cutoff_lottery_number: str

    def as_tuple(self) -> tuple[object, ...]:
        return (self.school_id, self.capacity, self.admitted, self.admitted_round1, self.admitted_round2,
                self.remaining, self.cutoff_tier, self.cutoff_lottery_number, self.round2_cutoff_tier,
                self.round2_cutoff_lottery_number)


def unit_of_applicant(result: LotteryResult) -> Int64Array:
    """The unit of each applicant (index into the per-unit arrays), in application-number order."""
    m = result.market
    unit = np.empty(len(m.applicant_ids), dtype=np.int64)
    unit[m.member_idx] = np.repeat(np.arange(m.n_units, dtype=np.int64), m.size)
    return unit


def applicant_rows(result: LotteryResult) -> list[ApplicantRow]:
    """One row per applicant, sorted by application number; multiples members share their unit's number."""
    m = result.market
    unit = unit_of_applicant(result)
    numbers = [format_lottery_number(int(x)) for x in result.numbers.tolist()]
    school = result.school.tolist()
    choice = result.choice_rank.tolist()
    rnd = result.round.tolist()
    size = m.size.tolist()
    tiers = m.applicant_tier.tolist()
    rows: list[ApplicantRow] = []
    for i, (aid, u) in enumerate(zip(m.applicant_ids, unit.tolist(), strict=True)):
        s = school[u]
        rows.append(ApplicantRow(aid, numbers[u], tiers[i], m.school_ids[s] if s >= 0 else "", choice[u], rnd[u],
                                 result.reason[u], size[u]))
    return rows


def school_rows(result: LotteryResult) -> list[SchoolRow]:
    """Per school: seats, admissions by round, seats left and each round's cutoff."""
    m = result.market
    n = m.n_units
    rows: list[SchoolRow] = []
    counts = {r: np.bincount(result.school[(result.round == r)], weights=m.size[result.round == r],
                             minlength=m.n_schools).astype(np.int64) for r in (1, 2)}
    key = result.admit_tier * n + result.rank  # (tier used, lottery rank), larger = admitted later
    unit_of_rank = np.empty(n, dtype=np.int64)
    unit_of_rank[result.rank] = np.arange(n, dtype=np.int64)
    cut: dict[int, Int64Array] = {}
    for r in (1, 2):
        worst = np.full(m.n_schools, -1, dtype=np.int64)
        sel = result.round == r
        np.maximum.at(worst, result.school[sel], key[sel])
        cut[r] = np.where(worst >= 0, unit_of_rank[worst % n], -1)
    for s, sid in enumerate(m.school_ids):
        admitted1 = int(counts[1][s])
        admitted2 = int(counts[2][s])
        cells: list[tuple[int | None, str]] = []
        for r in (1, 2):
            u = int(cut[r][s])
            cells.append((None, "") if u < 0 else
                         (int(result.admit_tier[u]), format_lottery_number(int(result.numbers[u]))))
        rows.append(SchoolRow(sid, int(m.capacity[s]), admitted1 + admitted2, admitted1, admitted2,
                              int(m.capacity[s]) - admitted1 - admitted2, cells[0][0], cells[0][1],
                              cells[1][0], cells[1][1]))
    return rows


def count_justified_envy(result: LotteryResult) -> int:
    """Round-1 blocking pairs under the greedy-fit rule, counted in units (O(L log L)).

    Unit u envies school s with justification when u ranks s above its round-1
    placement and the units s admitted with better priority than u there, plus u
    itself, fit in s's capacity. Zero for ``da`` without multiples (stability);
    ``boston`` and ``serial`` with per-school priorities can be positive.

    1. Each unit held in round 1 gets its score (``tier * units + rank``) at the school holding it;
       the held units are sorted by (school, score) with running seat sums.
    2. One compiled pass over every entry a unit prefers to its round-1 entry (all of its list when
       not placed in round 1) looks up the seats held with a better score there (binary search),
       without whole-list temporaries (those were most of the cost at a million units).
    """
    m = result.market
    n = m.n_units
    in_r1 = result.round == 1
    # Position of each unit's round-1 entry; entries before it are schools it prefers.
    got = np.where(in_r1, m.ptr[:-1] + result.choice_rank - 1, m.ptr[1:])
    held = np.flatnonzero(in_r1 & (result.school >= 0))
    held_entry = got[held]
    held_school = m.school[held_entry]
    held_score = m.tier[held_entry] * n + result.rank[held]
    order = np.lexsort((held_score, held_school))
    school_start = np.zeros(m.n_schools + 1, dtype=np.int64)
    np.cumsum(np.bincount(held_school, minlength=m.n_schools), out=school_start[1:])
    seats_before = np.zeros(held.shape[0] + 1, dtype=np.int64)
    np.cumsum(m.size[held][order], out=seats_before[1:])
    return int(_count_envy(m.ptr, m.school, m.tier, result.rank, m.size, m.capacity, got, school_start,
                           held_score[order], seats_before))


@kernel
def _count_envy(ptr: Int64Array, school: Int64Array, tier: Int64Array, rank: Int64Array, size: Int64Array,
                capacity: Int64Array, got: Int64Array, school_start: Int64Array, score: Int64Array,
                seats_before: Int64Array) -> int:
    # score[school_start[s]:school_start[s+1]] are the held scores at s, ascending; seats_before their
    # running seat sums. Counts the preferred entries (u, s) with better seats + size[u] <= capacity[s].
    n = rank.shape[0]
    count = 0
    for u in range(n):
        for e in range(ptr[u], got[u]):
            s = school[e]
            lo = school_start[s]
            k = lo + np.searchsorted(score[lo : school_start[s + 1]], tier[e] * n + rank[u])
            if seats_before[k] - seats_before[lo] + size[u] <= capacity[s]:
                count += 1
    return count


def summarize(result: LotteryResult) -> dict[str, object]:
    """Counts per base tier: applicants, first choice, top 3, round 1/2 placements, unplaced, rank histogram."""
    m = result.market
    unit = unit_of_applicant(result)
    choice = result.choice_rank[unit]
    rnd = result.round[unit]
    tiers: dict[str, object] = {}

    def block(mask: BoolArray) -> dict[str, object]:
        counts = np.bincount(choice[mask & (rnd == 1)])  # ranks are small positive integers: counted, not sorted
        hist = {str(k): int(counts[k]) for k in np.flatnonzero(counts).tolist()}
        return {
            "applicants": int(mask.sum()),
            "first_choice": int(np.count_nonzero(mask & (rnd == 1) & (choice == 1))),
            "top3": int(np.count_nonzero(mask & (rnd == 1) & (choice <= 3) & (choice >= 1))),
            "placed_round1": int(np.count_nonzero(mask & (rnd == 1))),
            "placed_round2": int(np.count_nonzero(mask & (rnd == 2))),
            "unplaced": int(np.count_nonzero(mask & (rnd == 0))),
            "round1_choice_rank_histogram": hist,
        }

    for t in np.flatnonzero(np.bincount(m.applicant_tier)).tolist():  # the tiers present, ascending
        tiers[str(t)] = block(m.applicant_tier == t)
    reasons: dict[str, int] = {}
    for u in np.flatnonzero(result.school < 0).tolist():
        reasons[result.reason[u]] = reasons.get(result.reason[u], 0) + int(m.size[u])
    return {
        "mechanism": result.mechanism,
        "round2": result.round2,
        "applicants": len(m.applicant_ids),
        "units": m.n_units,
        "multiples_units": int(np.count_nonzero(m.size > 1)),
        "schools": m.n_schools,
        "seats": int(m.capacity.sum()),
        "total": block(np.ones(len(m.applicant_ids), dtype=np.bool_)),
        "by_tier": tiers,
        "unplaced_reasons": dict(sorted(reasons.items())),
        "justified_envy_round1": count_justified_envy(result),
    }
