"""Ranking applicants by points with the rule set's tie-break cascade.

Spec: ``docs/points-rules.md`` §Tie-break and ``docs/randomness.md`` §3. Order within
a ranking scope (town/district, 分镇区排名):

1. priority categories first, in the rule set's order (servicemen, police…: placed
   before the points ranking, points still order them among themselves);
2. total points, higher first;
3. each tie-break key in order (Zhongshan Art. 13: personal quality → insurance →
   residence → application time);
4. the final step: ``lottery`` orders still-tied applicants by
   ``lottery_numbers(seed, "points", [[applicant_id]])``, smaller first (then by id,
   should two 64-bit numbers ever collide); ``joint`` gives them one shared rank
   (Guangzhou: all tied applicants qualify together).

Lottery numbers are drawn only for applicants still tied after every other key, and
each depends only on the seed and the applicant's own id, so the ranking never depends
on row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.arrays import BoolArray, Int64Array
from engine.points.rules import RuleSet
from engine.points.scoring import Applicant, Columns, Scores
from engine.randomness import lottery_numbers

__all__ = ["Ranking", "Status", "rank_applicants"]

Status = Literal["priority", "ranked", "below_minimum", "ineligible"]
_MISSING_DATE = np.int64(1 << 50)  # sorts blank dates/times after every real one


@dataclass(frozen=True)
class Ranking:
    """A ranking over some applicants.

    ``groups`` lists rank groups in order (scope-major when ranked per scope): each a
    tuple of applicant indices, several only for joint ranks. ``rank[i]`` is the rank
    within its scope (0 when not ranked); ``decided_by[i]`` names the cascade level that
    separated ``i`` from its neighbours (``total``, a tie key such as
    ``group:personal_quality``, ``lottery`` or ``joint``).
    """

    groups: tuple[tuple[int, ...], ...]
    rank: Int64Array
    status: tuple[Status, ...]
    tie_values: dict[str, Int64Array]
    lottery: dict[int, int]
    decided_by: tuple[str, ...]


def _statuses(rule_set: RuleSet, applicants: Sequence[Applicant], scores: Scores) -> tuple[Status, ...]:
    out: list[Status] = []
    for i, a in enumerate(applicants):
        if a.priority:
            out.append("priority")
        elif scores.failed_gate[i] >= 0:
            out.append("ineligible")
        elif scores.total[i] < rule_set.minimum_total:
            out.append("below_minimum")
        else:
            out.append("ranked")
    return tuple(out)


def _tie_values(rule_set: RuleSet, columns: Columns, scores: Scores) -> tuple[dict[str, Int64Array], list[Int64Array]]:
    """Published value of each tie key, and its sort key (smaller sorts first)."""
    shown: dict[str, Int64Array] = {}
    sort_keys: list[Int64Array] = []
    for key in rule_set.tie_break:
        if key.kind == "group":
            value = scores.groups[key.name]
            sort = -value
        elif key.kind == "item":
            value = scores.items[key.name]
            sort = -value
        else:
            ftype = rule_set.field(key.name).type
            if ftype == "number":
                value = columns.numbers[key.name]
                sort = -value
            else:
                value = columns.dates_ord[key.name] if ftype == "date" else columns.times[key.name]
                sort = np.where(value > 0, value, _MISSING_DATE)
        shown[key.text] = value
        sort_keys.append(sort.astype(np.int64))
    return shown, sort_keys


def rank_applicants(
    rule_set: RuleSet,
    applicants: Sequence[Applicant],
    columns: Columns,
    scores: Scores,
    seed: bytes,
    *,
    by_scope: bool = True,
    among: BoolArray | None = None,
) -> Ranking:
    """Rank the priority and eligible applicants (optionally only those in ``among``).

    ``by_scope=False`` ranks everyone in one list (Foshan 二次排位, district-wide).
    Steps: (1) sort by the key tuple with a stable lexsort; (2) split into runs of equal
    keys; (3) resolve each run of two or more by the final step; (4) number ranks per
    scope (joint runs share the rank of their first position: 1, 2, 2, 4).
    """
    n = len(applicants)
    status = _statuses(rule_set, applicants, scores)
    shown, tie_sort = _tie_values(rule_set, columns, scores)
    tiers = {c: t for t, c in enumerate(rule_set.priority_categories)}
    regular = len(tiers)
    tier = np.asarray([tiers.get(a.priority, regular) if a.priority else regular for a in applicants],
                      dtype=np.int64).reshape(n)
    scope_names = sorted({a.scope for a in applicants})
    scope_code = {s: k for k, s in enumerate(scope_names)}
    scope = np.asarray([scope_code[a.scope] for a in applicants], dtype=np.int64).reshape(n)
    included = np.asarray([s in ("priority", "ranked") for s in status], dtype=np.bool_).reshape(n)
    if among is not None:
        included &= among
    idx = np.flatnonzero(included)

    level_names = ["tier", "total", *(k.text for k in rule_set.tie_break)]
    keys = [tier, -scores.total, *tie_sort]
    if by_scope:
        keys = [scope, *keys]
        level_names = ["scope", *level_names]
    matrix = np.stack([k[idx] for k in keys], axis=1) if len(idx) else np.zeros((0, len(keys)), np.int64)
    order = np.lexsort(matrix.T[::-1]) if len(idx) else np.zeros(0, np.int64)
    matrix = matrix[order]
    sorted_idx = idx[order]
    differ = matrix[1:] != matrix[:-1]
    split = differ.any(axis=1)
    first_diff = np.where(split, differ.argmax(axis=1), len(keys))  # len(keys) = tied on everything

    final = rule_set.final_tie_break
    m = len(sorted_idx)
    run_start = np.zeros(m, dtype=np.bool_)
    if m:
        run_start[0] = True
        run_start[1:] = split
    starts = np.flatnonzero(run_start)
    ends = np.append(starts[1:], m) if m else starts
    multi = [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a > 1]
    flat = sorted_idx.tolist()
    lottery: dict[int, int] = {}
    if final == "lottery" and multi:
        tied = [i for a, b in multi for i in flat[a:b]]
        lottery = dict(zip(tied, lottery_numbers(seed, "points", [[applicants[i].id] for i in tied]), strict=True))
    # Order inside each fully tied run: lottery number (then id), or id for a joint group.
    for a, b in multi:
        if final == "lottery":
            flat[a:b] = sorted(flat[a:b], key=lambda i: (lottery[i], applicants[i].id))
        else:
            flat[a:b] = sorted(flat[a:b], key=lambda i: applicants[i].id)
    if final == "lottery":
        groups = [(i,) for i in flat]
    else:
        bounds = [*starts.tolist(), m]
        groups = [tuple(flat[bounds[j]:bounds[j + 1]]) for j in range(len(bounds) - 1)]

    # Ranks per scope: 1-based position within the scope; a joint run takes its first position.
    position = np.arange(m, dtype=np.int64)
    scope_sorted = scope[np.asarray(flat, dtype=np.int64)] if m else np.zeros(0, np.int64)
    new_scope = np.ones(m, dtype=np.bool_)
    if by_scope and m:
        new_scope[1:] = scope_sorted[1:] != scope_sorted[:-1]
    elif m:
        new_scope[1:] = False
    scope_first = np.maximum.accumulate(np.where(new_scope, position, 0)) if m else position
    first = position if final == "lottery" else np.maximum.accumulate(np.where(run_start, position, 0))
    rank = np.zeros(n, dtype=np.int64)
    rank[np.asarray(flat, dtype=np.int64)] = first - scope_first + 1

    final_level = "lottery" if final == "lottery" else "joint"
    names = np.asarray(["", *level_names, final_level], dtype=object)
    level_of = np.full(m, -1, dtype=np.int64)
    if m > 1:
        pair = first_diff.astype(np.int64)
        level_of[1:] = np.maximum(level_of[1:], pair)
        level_of[:-1] = np.maximum(level_of[:-1], pair)
    skip = 1 if by_scope else 0
    level_of = np.where(level_of < skip, -1, level_of)
    decided_arr = np.full(n, "", dtype=object)
    # Tied runs were reordered but every member shares the run's levels, so positions still match.
    decided_arr[sorted_idx] = names[level_of + 1]
    decided = decided_arr.tolist()
    return Ranking(tuple(groups), rank, status, shown, lottery, tuple(decided))
