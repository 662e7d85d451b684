"""Admission chances before placement day: a Monte Carlo over lottery seeds (docs/simulate.md).

Edge module. Reads the same inputs as ``sunshine lottery`` (through :func:`prepare_simulation`,
the one place that asks the lottery run kind), builds the market once, runs the draws
in chunks on a :mod:`api.distributed` backend, and renders ``probabilities.csv``,
``schools.csv``, ``summary.json`` and ``draws.csv``. Draw ``i`` is the lottery
``sunshine lottery --seed <draw_seed(i)>`` runs, with ``draw_seed(i) =
simulation_draw_seed(seed, i)`` (docs/randomness.md §9).

:func:`what_if` is the one-family question ("with this list and this tier, what are my
chances?"): plain data in, plain data out, so an HTTP route can call it as is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from api.distributed import Backend, InProcess
from api.inputs import InputFile
from api.outputs import Cells, csv_bytes, csv_bytes_from_columns, text_cells
from api.runs import PreparedRun, get_kind
from api.runs.lottery import _columns_market, _problem, check_mechanism
from engine.errors import ConfigError, EngineError
from engine.lottery import Market, build_market
from engine.lottery.data import MAX_TIER, Mechanism, insert_unit
from engine.lottery.report import applicant_units
from engine.lottery.simulate import Tally, merge_tallies, n_tiers, simulate_draws, slot_layout, slot_school
from engine.randomness import SIMULATION_DRAW_TAG, simulation_draw_seed

__all__ = [
    "FAMILY_KEYS",
    "MAX_DRAWS",
    "MAX_MULTIPLES",
    "PROBABILITY_COLUMNS",
    "SCHOOL_COLUMNS",
    "WHAT_IF_ID",
    "Simulation",
    "default_chunk",
    "family_records",
    "market_of",
    "max_preferences",
    "prepare_simulation",
    "render_outputs",
    "run_simulation",
    "simulate_market",
    "what_if",
    "wilson_interval",
]

PROBABILITY_COLUMNS = ("applicant_id", "choice_rank", "school_id", "probability", "ci_low", "ci_high")
SCHOOL_COLUMNS = (
    "school_id", "school_name", "tier", "seats", "first_choice_applicants", "first_choice_admit_probability",
    "ci_low", "ci_high", "expected_filled", "p_full", "p_cutoff_in_tier",
    "cutoff_rank_share_p10", "cutoff_rank_share_p50", "cutoff_rank_share_p90",
)
DRAW_COLUMNS = ("draw", "seed", "first_choice", "top3", "unplaced")
MAX_DRAWS = 1_000_000
Z95 = 1.959963984540054  # two-sided 95 % normal quantile
WHAT_IF_ID = "what-if"
DRAW_SEED_FORMULA = 'draw_seed(i) = HMAC-SHA256(seed, enc("sunshine/v1/simulation-draw") ‖ u64be(i))'


def prepare_simulation(inputs: Mapping[str, InputFile], mechanism: str, round2: bool) -> PreparedRun:
    """The lottery run kind's validated inputs (``schools``, ``applicants``): the one call into it.

    The same files, checks and located errors as ``sunshine lottery``; the CLI reads the paths
    (``api.cli.common.prepare_from_paths`` does exactly this), an HTTP route passes uploads.
    """
    return get_kind("lottery").prepare(inputs, {"mechanism": mechanism, "round2": round2})


def market_of(config: Mapping[str, Any], roster: Sequence[Mapping[str, Any]]) -> Market:
    """The market ``api.runs.lottery.execute`` places, built the same way (fast path, else the checked one)."""
    market = _columns_market(config, roster)
    return market if market is not None else build_market(_problem(config, roster))


def default_chunk(draws: int, workers: int) -> int:
    """Draws per task: about four tasks per worker, at most 500 (results never depend on it)."""
    return max(1, min(500, math.ceil(draws / (4 * max(1, workers)))))


@dataclass(frozen=True)
class Simulation:
    """A finished simulation: the market, its settings and the merged tally of every draw."""

    market: Market
    school_names: tuple[str, ...]
    mechanism: Mechanism
    round2: bool
    seed: bytes
    tally: Tally

    @property
    def draws(self) -> int:
        return self.tally.draws


def _check_draws(draws: int) -> None:
    if not 1 <= draws <= MAX_DRAWS:
        raise ConfigError("--draws", "draws", f"模拟次数必须在 1 到 {MAX_DRAWS} 之间，收到 {draws}",
                          f"--draws must be between 1 and {MAX_DRAWS}, got {draws}")


def run_simulation(
    config: Mapping[str, Any], roster: Sequence[Mapping[str, Any]], seed: bytes, draws: int,
    backend: Backend | None = None, chunk: int | None = None,
) -> Simulation:
    """Run ``draws`` draws on ``backend`` (in-process by default) in chunks of ``chunk`` draws."""
    _check_draws(draws)
    simulation_draw_seed(seed, 0)  # the spec's SeedError for a malformed seed, before any work
    mech = check_mechanism(str(config.get("mechanism", "da")))
    market = market_of(config, roster)
    names = {str(s["id"]): str(s.get("name") or "") for s in config["schools"]}
    return simulate_market(market, tuple(names.get(s, "") for s in market.school_ids), mech,
                           bool(config.get("round2", False)), seed, draws, backend, chunk)


def simulate_market(
    market: Market, school_names: tuple[str, ...], mechanism: Mechanism, round2: bool, seed: bytes, draws: int,
    backend: Backend | None = None, chunk: int | None = None,
) -> Simulation:
    """:func:`run_simulation` on an already built market (benchmarks build theirs directly)."""
    _check_draws(draws)
    backend = backend or InProcess()
    size = chunk or default_chunk(draws, backend.workers)
    if size < 1:
        raise ConfigError("--chunk", "chunk", "--chunk 必须至少为 1", "--chunk must be at least 1")
    tasks = [(mechanism, round2, seed, start, min(draws, start + size)) for start in range(0, draws, size)]
    tallies = backend.map(_chunk, tasks, {"market": market})
    return Simulation(market=market, school_names=school_names, mechanism=mechanism, round2=round2, seed=seed,
                      tally=merge_tallies(tallies))


def _chunk(mechanism: Mechanism, round2: bool, seed: bytes, start: int, stop: int, *, market: Market) -> Tally:
    # A task: top-level so that Dask workers can import it by name.
    return simulate_draws(market, mechanism, round2, seed, start, stop)


def wilson_interval(
    successes: NDArray[np.int64] | NDArray[np.float64], trials: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """95 % Wilson score interval for ``successes`` out of ``trials`` (elementwise, clipped to [0, 1])."""
    n = float(trials)
    p = successes.astype(np.float64) / n
    z2 = Z95 * Z95
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = Z95 * np.sqrt(np.maximum(p * (1.0 - p), 0.0) / n + z2 / (4.0 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _decimal(x: float, digits: int = 6) -> str:
    return f"{x:.{digits}f}"


def _count_cells(draws: int) -> tuple[Cells, Cells, Cells]:
    """Probability, low and high cells for every possible count 0..draws (the cell index is the count)."""
    counts = np.arange(draws + 1, dtype=np.int64)
    lo, hi = wilson_interval(counts, draws)
    return (text_cells([_decimal(k / draws) for k in range(draws + 1)]),
            text_cells([_decimal(x) for x in lo.tolist()]), text_cells([_decimal(x) for x in hi.tolist()]))


def _probabilities_csv(sim: Simulation) -> bytes:
    """One row per applicant and listed choice (round 1, then round 2), then the "no seat" row."""
    m = sim.market
    l1, l2, _ = slot_layout(m)
    unit = applicant_units(m)
    n1 = np.diff(m.ptr)[unit]
    n2 = (np.diff(m.r2_ptr) if sim.round2 else np.zeros(m.n_units, dtype=np.int64))[unit]
    rows_per = n1 + n2 + 1
    n_rows = int(rows_per.sum())
    applicant = np.repeat(np.arange(len(m.applicant_ids), dtype=np.int64), rows_per)
    row_start = np.zeros(len(m.applicant_ids), dtype=np.int64)
    np.cumsum(rows_per[:-1], out=row_start[1:])
    within = np.arange(n_rows, dtype=np.int64) - row_start[applicant]  # 0-based position among the rows
    u = unit[applicant]
    a_n1, a_n2 = n1[applicant], n2[applicant]
    is_r1 = within < a_n1
    is_r2 = (within >= a_n1) & (within < a_n1 + a_n2)
    slot = np.where(is_r1, m.ptr[u] + within,
                    np.where(is_r2, l1 + m.r2_ptr[u] + within - a_n1, l1 + l2 + u))
    school = slot_school(m)[slot]
    counts = sim.tally.slot_counts[slot]
    choice = np.where(is_r1 | is_r2, within + 1, 0)
    choice_cells = text_cells(["", *(str(i) for i in range(1, int(choice.max()) + 1))])  # 0: the "no seat" row
    prob, lo, hi = _count_cells(sim.draws)
    ids = text_cells(list(m.applicant_ids))
    school_cells = text_cells([*m.school_ids, ""])
    if any(c in "".join(m.applicant_ids) + "".join(m.school_ids) for c in ',"\r\n'):
        rows = zip(np.asarray(m.applicant_ids, dtype=object)[applicant].tolist(),
                   [str(c) if c else "" for c in choice.tolist()],
                   [(*m.school_ids, "")[s] for s in school.tolist()],
                   *(_texts(cells, counts) for cells in (prob, lo, hi)), strict=True)
        return csv_bytes(PROBABILITY_COLUMNS, rows)
    return csv_bytes_from_columns(PROBABILITY_COLUMNS, [
        (ids, applicant), (choice_cells, choice), (school_cells, school),
        (prob, counts), (lo, counts), (hi, counts),
    ])


def _texts(cells: Cells, codes: NDArray[np.int64]) -> list[str]:
    raw = cells.data.tobytes()
    return [raw[cells.start[c]:cells.start[c] + cells.length[c]].decode("utf-8") for c in codes.tolist()]


def _quantiles(values: NDArray[np.float64], qs: Sequence[float]) -> list[float]:
    return [float(x) for x in np.quantile(values, qs, method="inverted_cdf")] if values.size else []


def school_table(sim: Simulation) -> list[dict[str, Any]]:
    """Per school and tier (every tier some list entry has there): the figures of ``schools.csv``."""
    m, t = sim.market, sim.tally
    tiers = n_tiers(m)
    draws = sim.draws
    n_units = m.n_units
    present = np.zeros((m.n_schools, tiers), dtype=np.bool_)
    present[m.school, m.tier] = True
    present[m.r2_school, m.r2_tier] = True
    has_list = np.diff(m.ptr) > 0
    heads = np.flatnonzero(has_list)
    first_entry = m.ptr[heads]
    fc_school, fc_tier, fc_size = m.school[first_entry], m.tier[first_entry], m.size[heads]
    fc_applicants = np.zeros((m.n_schools, tiers), dtype=np.int64)
    np.add.at(fc_applicants, (fc_school, fc_tier), fc_size)
    fc_admits = np.zeros((m.n_schools, tiers), dtype=np.int64)
    np.add.at(fc_admits, (fc_school, fc_tier), t.slot_counts[first_entry] * fc_size)
    rows: list[dict[str, Any]] = []
    for s in range(m.n_schools):
        cut = t.cutoff[:, s]
        full = cut >= 0
        cut_tier = np.where(full, cut // max(1, n_units), -1)
        share = (cut % max(1, n_units) + 1) / max(1, n_units)
        for tier in np.flatnonzero(present[s]).tolist():
            apps = int(fc_applicants[s, tier])
            row: dict[str, Any] = {
                "school_id": m.school_ids[s], "school_name": sim.school_names[s], "tier": tier,
                "seats": int(m.capacity[s]), "first_choice_applicants": apps,
                "first_choice_admit_probability": None, "ci_low": None, "ci_high": None,
                "expected_filled": float(t.filled[s, tier]) / draws,
                "p_full": float(full.sum()) / draws,
                "p_cutoff_in_tier": float((cut_tier == tier).sum()) / draws,
                "cutoff_rank_share": _quantiles(share[cut_tier == tier], (0.1, 0.5, 0.9)),
            }
            if apps:
                p = float(fc_admits[s, tier]) / (apps * draws)
                lo, hi = wilson_interval(np.array([p * draws]), draws)  # pooled: as if one applicant
                row.update(first_choice_admit_probability=p, ci_low=float(lo[0]), ci_high=float(hi[0]))
            rows.append(row)
    return rows


def _schools_csv(rows: list[dict[str, Any]]) -> bytes:
    def cell(x: float | None, digits: int = 6) -> str:
        return "" if x is None else _decimal(x, digits)

    out = []
    for r in rows:
        q = r["cutoff_rank_share"]
        out.append((r["school_id"], r["school_name"], r["tier"], r["seats"], r["first_choice_applicants"],
                    cell(r["first_choice_admit_probability"]), cell(r["ci_low"]), cell(r["ci_high"]),
                    cell(r["expected_filled"], 2), cell(r["p_full"]), cell(r["p_cutoff_in_tier"]),
                    *(cell(x, 4) for x in q), *([""] * (3 - len(q)))))
    return csv_bytes(SCHOOL_COLUMNS, out)


def _distribution(values: NDArray[np.int64], histogram: bool = False) -> dict[str, Any]:
    qs = _quantiles(values.astype(np.float64), (0.05, 0.5, 0.95))
    out: dict[str, Any] = {
        "mean": round(float(values.mean()), 4), "min": int(values.min()), "p05": int(qs[0]), "p50": int(qs[1]),
        "p95": int(qs[2]), "max": int(values.max()),
    }
    if histogram:
        found, counts = np.unique(values, return_counts=True)
        out["histogram"] = {str(v): int(c) for v, c in zip(found.tolist(), counts.tolist(), strict=True)}
    return out


def max_half_width(sim: Simulation) -> float:
    """The widest 95 % interval half-width over every probability row (worst case ≈ 0.98/√draws)."""
    lo, hi = wilson_interval(sim.tally.slot_counts, sim.draws)
    return float(((hi - lo) / 2).max()) if lo.size else 0.0


def summary(sim: Simulation) -> dict[str, Any]:
    """``summary.json``: settings, the draw-seed derivation and the per-draw count distributions."""
    m, t = sim.market, sim.tally
    return {
        "draws": sim.draws,
        "seed": sim.seed.hex(),
        "mechanism": sim.mechanism,
        "round2": sim.round2,
        "applicants": len(m.applicant_ids),
        "units": m.n_units,
        "schools": m.n_schools,
        "seats": int(m.capacity.sum()),
        "draw_seeds": {
            "tag": SIMULATION_DRAW_TAG,
            "derivation": DRAW_SEED_FORMULA,
            "spec": "docs/randomness.md §9",
            "reproduce": "sunshine lottery --schools … --applicants … --seed <draw_seed(i)> "
                         "(same --mechanism and --round2) gives draw i exactly; every draw's seed is in draws.csv",
            "first": [simulation_draw_seed(sim.seed, i).hex() for i in range(min(3, sim.draws))],
        },
        "first_choice": _distribution(t.first_choice),
        "top3": _distribution(t.top3),
        "unplaced": _distribution(t.unplaced, histogram=True),
        "max_ci_half_width": round(max_half_width(sim), 6),
        "interval": "95% Wilson score interval over the draws",
    }


def _draws_csv(sim: Simulation) -> bytes:
    t = sim.tally
    rows = ((i, simulation_draw_seed(sim.seed, i).hex(), f, top, u) for i, f, top, u in
            zip(range(sim.draws), t.first_choice.tolist(), t.top3.tolist(), t.unplaced.tolist(), strict=True))
    return csv_bytes(DRAW_COLUMNS, rows)


def _json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_outputs(sim: Simulation) -> dict[str, bytes]:
    """The public result files of a simulation (deterministic bytes)."""
    return {
        "probabilities.csv": _probabilities_csv(sim),
        "schools.csv": _schools_csv(school_table(sim)),
        "summary.json": _json_bytes(summary(sim)),
        "draws.csv": _draws_csv(sim),
    }


#: The keys of a hypothetical family (``what_if``'s ``family``; the HTTP body adds ``draws``).
FAMILY_KEYS = ("preferences", "tier", "priority", "round2", "multiples")
#: A family is one child, twins (2) or triplets (3), up to quadruplets: one unit placed together.
MAX_MULTIPLES = 4


def _what_if_error(where: str, zh: str, en: str) -> ConfigError:
    return ConfigError("what-if", where, zh, en)


def family_records(config: Mapping[str, Any], family: Mapping[str, Any], max_preferences: int | None = None
                   ) -> list[dict[str, Any]]:
    """The hypothetical family as roster records, checked like rows of the applicants file.

    Every problem names its key path (``preferences[2]``, 0-based; ``priority.S0002``,
    ``tier``, ``multiples``) in a :class:`ConfigError`. ``max_preferences``: the longest list
    the run allows (the longest on its roster, :func:`what_if`). With ``multiples`` = k > 1 the
    family is k children (``what-if``, ``what-if-2`` … in one 多胞胎组): one unit, admitted
    together or not at all, exactly like twins on the roster.
    """
    known = {str(s["id"]) for s in config["schools"]}
    unknown_keys = sorted(set(family) - set(FAMILY_KEYS))
    if unknown_keys:
        raise _what_if_error(unknown_keys[0], f"未知的字段 {unknown_keys[0]}", f"unknown key {unknown_keys[0]}")

    def schools(key: str, required: bool) -> list[str]:
        value = family.get(key, [])
        if not isinstance(value, list | tuple) or not all(isinstance(s, str) for s in value):
            raise _what_if_error(key, "应为学校代码列表", "must be a list of school ids")
        items = [s.strip() for s in value]
        if required and not items:
            raise _what_if_error(key, "志愿不能为空", "preferences must not be empty")
        for i, school in enumerate(items):
            where = f"{key}[{i}]"
            if school not in known:
                raise _what_if_error(where, f"学校代码 {school} 不在学校名单中",
                                     f"school {school} is not in the schools file")
            if school in items[:i]:
                raise _what_if_error(where, f"学校 {school} 填报了两次", f"school {school} is listed twice")
        return items

    def tier(value: Any, where: str) -> int:
        if type(value) is not int or not 0 <= value <= MAX_TIER:
            raise _what_if_error(where, f"类别必须是 0 到 {MAX_TIER} 的整数", f"tier must be an integer 0..{MAX_TIER}")
        return value

    preferences = schools("preferences", True)
    if max_preferences is not None and len(preferences) > max_preferences:
        raise _what_if_error(f"preferences[{max_preferences}]", f"本次派位最多填报 {max_preferences} 个志愿",
                             f"this run allows at most {max_preferences} preferences")
    round2 = schools("round2", False)
    if round2 and not config.get("round2", False):
        raise _what_if_error("round2", "本次派位没有二次派位", "this run has no round 2")
    priority = family.get("priority", {})
    if not isinstance(priority, Mapping):
        raise _what_if_error("priority", "应为 学校代码→类别", "must map school ids to tiers")
    for school in priority:
        if school not in known:
            raise _what_if_error(f"priority.{school}", f"学校代码 {school} 不在学校名单中",
                                 f"school {school} is not in the schools file")
    multiples = family.get("multiples", 1)
    if type(multiples) is not int or not 1 <= multiples <= MAX_MULTIPLES:
        raise _what_if_error("multiples", f"多胞胎人数必须是 1 到 {MAX_MULTIPLES} 的整数",
                             f"multiples must be an integer 1..{MAX_MULTIPLES}")
    record = {"preferences": preferences, "tier": tier(family.get("tier", 1), "tier"),
              "priority": {str(s): tier(v, f"priority.{s}") for s, v in sorted(priority.items())},
              "group": WHAT_IF_ID if multiples > 1 else "", "round2": round2}
    ids = [WHAT_IF_ID, *(f"{WHAT_IF_ID}-{j}" for j in range(2, multiples + 1))]
    return [{"id": i, **record} for i in ids]


def max_preferences(market: Market) -> int:
    """The run's longest allowed list: the most schools any applicant on the roster listed (the form's length)."""
    return int(np.diff(market.ptr).max()) if market.n_units else 0


def what_if(
    config: Mapping[str, Any], roster: Sequence[Mapping[str, Any]], family: Mapping[str, Any], draws: int, seed: bytes,
    backend: Backend | None = None, chunk: int | None = None, *, market: Market | None = None,
) -> dict[str, Any]:
    """Chances of one hypothetical family added to the fixed roster, per choice, with 95 % intervals.

    ``family``: ``{"preferences": ["S0001", "S0002"], "tier": 1, "priority": {"S0002": 0}, "round2": [],
    "multiples": 1}`` (only ``preferences`` is required). The family joins as applicant
    :data:`WHAT_IF_ID` (its twins as ``what-if-2`` …); its number in each draw is its own HMAC
    like anyone's, so the others' numbers are unchanged. ``market``: the roster's market when
    the caller keeps it (the service caches it per run); the family's unit is spliced into it
    (:func:`engine.lottery.data.insert_unit`), the same market as building both together.
    Returns plain JSON-ready data: the settings and one entry per choice plus ``no_seat``.
    """
    _check_draws(draws)
    simulation_draw_seed(seed, 0)  # the spec's SeedError for a malformed seed, before any work
    mech = check_mechanism(str(config.get("mechanism", "da")))
    base = market if market is not None else market_of(config, roster)
    records = family_records(config, family, max_preferences(base))
    try:
        m = insert_unit(base, market_of(config, records))
    except EngineError as exc:
        raise _what_if_error("id", f"报名表中已有报名号 {WHAT_IF_ID}（或与之相邻的报名号）",
                             f"the roster already has id {WHAT_IF_ID} (or one sorting among the family's)") from exc
    names = {str(s["id"]): str(s.get("name") or "") for s in config["schools"]}
    sim = simulate_market(m, tuple(names.get(s, "") for s in m.school_ids), mech, bool(config.get("round2", False)),
                          seed, draws, backend, chunk)
    u = int(applicant_units(m)[m.applicant_ids.index(WHAT_IF_ID)])
    l1, l2, _ = slot_layout(m)
    entries = [("round1", k, m.ptr[u] + k - 1, m.school[m.ptr[u] + k - 1])
               for k in range(1, int(m.ptr[u + 1] - m.ptr[u]) + 1)]
    if sim.round2:
        entries += [("round2", k, l1 + m.r2_ptr[u] + k - 1, m.r2_school[m.r2_ptr[u] + k - 1])
                    for k in range(1, int(m.r2_ptr[u + 1] - m.r2_ptr[u]) + 1)]

    def chance(slot: int) -> dict[str, float]:
        k = sim.tally.slot_counts[slot]
        lo, hi = wilson_interval(np.array([k], dtype=np.int64), draws)
        return {"probability": round(float(k) / draws, 6), "ci_low": round(float(lo[0]), 6),
                "ci_high": round(float(hi[0]), 6)}

    choices = [{"round": rnd, "choice_rank": k, "school_id": m.school_ids[int(s)],
                "school_name": sim.school_names[int(s)], **chance(int(slot))} for rnd, k, slot, s in entries]
    head = records[0]
    described = {k: head[k] for k in ("preferences", "tier", "priority", "round2")}
    if len(records) > 1:  # the answer of a single child stays as it always was
        described["multiples"] = len(records)
    return {"draws": draws, "seed": seed.hex(), "mechanism": sim.mechanism, "round2": sim.round2,
            "family": described, "choices": choices, "no_seat": chance(l1 + l2 + u),
            "interval": "95% Wilson score interval over the draws"}
