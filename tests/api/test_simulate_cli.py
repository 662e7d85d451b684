"""``sunshine simulate`` end to end: contract files, draw i = ``sunshine lottery`` with draw i's seed,
what-if for one family, charts, and bad input (exit 2, ``--out`` untouched)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from api.cli import main
from api.inputs import InputFile, read_input_file
from api.simulate import (
    PROBABILITY_COLUMNS,
    SCHOOL_COLUMNS,
    WHAT_IF_ID,
    family_records,
    market_of,
    prepare_simulation,
    run_simulation,
    what_if,
)
from api.simulate_charts import render_charts
from engine.errors import ConfigError, SunshineError
from engine.lottery.report import applicant_units
from engine.lottery.simulate import simulate_draws, slot_layout, slot_owner, slot_school
from engine.randomness import simulation_draw_seed

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "lottery"
SEED = "5e" * 32


def _inputs() -> dict[str, InputFile]:
    return {name: read_input_file(SAMPLES / f"{name}.csv") for name in ("schools", "applicants")}


def run_cli(monkeypatch: pytest.MonkeyPatch, command: str, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sunshine", command, *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def inputs(*extra: str) -> list[str]:
    return ["--schools", str(SAMPLES / "schools.csv"), "--applicants", str(SAMPLES / "applicants.csv"), *extra]


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_contract_files_and_probabilities_sum_to_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sim"
    code = run_cli(monkeypatch, "simulate", *inputs("--draws", "200", "--seed", SEED, "--out", str(out), "--round2"))
    assert code == 0
    probs = rows(out / "probabilities.csv")
    assert tuple(probs[0]) == PROBABILITY_COLUMNS
    total: dict[str, float] = defaultdict(float)
    no_seat: dict[str, int] = defaultdict(int)
    for r in probs:
        total[r["applicant_id"]] += float(r["probability"])
        assert float(r["ci_low"]) <= float(r["probability"]) <= float(r["ci_high"])
        if r["school_id"] == "":
            no_seat[r["applicant_id"]] += 1
            assert r["choice_rank"] == ""
    assert len(total) == 301
    assert all(abs(v - 1) < 1e-5 for v in total.values())
    assert set(no_seat.values()) == {1}
    schools = rows(out / "schools.csv")
    assert tuple(schools[0]) == SCHOOL_COLUMNS
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["draws"] == 200 and summary["seed"] == SEED and summary["mechanism"] == "da"
    assert summary["draw_seeds"]["tag"] == "sunshine/v1/simulation-draw"
    assert summary["draw_seeds"]["first"][0] == simulation_draw_seed(bytes.fromhex(SEED), 0).hex()
    assert {"first_choice", "top3", "unplaced"} <= set(summary)
    assert sum(summary["unplaced"]["histogram"].values()) == 200
    assert (out / "charts" / "unplaced.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "charts" / "admit_S0001.png").is_file()


@pytest.mark.parametrize(("mechanism", "round2", "draw"), [("da", True, 3), ("boston", False, 0), ("serial", True, 7)])
def test_draw_i_is_sunshine_lottery_with_draw_i_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mechanism: str, round2: bool, draw: int
) -> None:
    flags = ["--mechanism", mechanism, *(["--round2"] if round2 else [])]
    sim_out = tmp_path / "sim"
    assert run_cli(monkeypatch, "simulate", *inputs("--draws", "10", "--seed", SEED, "--out", str(sim_out),
                                                    "--no-charts", *flags)) == 0
    draws = rows(sim_out / "draws.csv")
    lot_out = tmp_path / "lottery"
    assert run_cli(monkeypatch, "lottery", *inputs("--seed", draws[draw]["seed"], "--out", str(lot_out), *flags)) == 0
    lottery_summary = json.loads((lot_out / "summary.json").read_text("utf-8"))["total"]
    assert int(draws[draw]["first_choice"]) == lottery_summary["first_choice"]
    assert int(draws[draw]["top3"]) == lottery_summary["top3"]
    assert int(draws[draw]["unplaced"]) == lottery_summary["unplaced"]
    # the placement itself: draw i alone, applicant by applicant, against results.csv
    run = prepare_simulation(_inputs(), mechanism, round2)
    market = market_of(run.config, run.roster)
    tally = simulate_draws(market, mechanism, round2, bytes.fromhex(SEED), draw, draw + 1)  # type: ignore[arg-type]
    slot = np.flatnonzero(tally.slot_counts)
    owner, school_of_slot = slot_owner(market), slot_school(market)
    placed = {int(owner[k]): int(school_of_slot[k]) for k in slot.tolist()}
    by_id = {r["applicant_id"]: r["school_id"] for r in rows(lot_out / "results.csv")}
    for u in range(market.n_units):
        for i in market.member_idx[market.member_ptr[u]:market.member_ptr[u + 1]].tolist():
            s = placed[u]
            assert by_id[market.applicant_ids[i]] == (*market.school_ids, "")[s]


def test_what_if_for_one_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = prepare_simulation(_inputs(), "da", False)
    seed = bytes.fromhex(SEED)
    answer = what_if(run.config, run.roster, {"preferences": ["S0001", "S0006"], "tier": 1}, 300, seed)
    assert [c["school_id"] for c in answer["choices"]] == ["S0001", "S0006"]
    total = sum(c["probability"] for c in answer["choices"]) + answer["no_seat"]["probability"]
    assert abs(total - 1) < 1e-5
    assert json.loads(json.dumps(answer)) == answer  # plain data, ready for an HTTP response
    # S0006 never fills in this sample (p_full = 0): listed second it is a sure seat
    assert answer["no_seat"]["probability"] == 0
    sibling = what_if(run.config, run.roster, {"preferences": ["S0001"], "priority": {"S0001": 0}}, 100, seed)
    assert sibling["choices"][0]["probability"] == 1
    low = what_if(run.config, run.roster, {"preferences": ["S0001"], "tier": 3}, 300, seed)
    high = what_if(run.config, run.roster, {"preferences": ["S0001"], "tier": 1}, 300, seed)
    assert low["choices"][0]["probability"] <= high["choices"][0]["probability"]
    with pytest.raises(ConfigError, match="S9999 is not in the schools file"):
        what_if(run.config, run.roster, {"preferences": ["S9999"]}, 10, seed)
    with pytest.raises(ConfigError, match="unknown key colour"):
        what_if(run.config, run.roster, {"preferences": ["S0001"], "colour": 1}, 10, seed)
    with pytest.raises(ConfigError, match="preferences must not be empty"):
        what_if(run.config, run.roster, {"preferences": []}, 10, seed)
    with pytest.raises(ConfigError, match="already has id"):
        what_if(run.config, [*run.roster, {**run.roster[0], "id": WHAT_IF_ID}], {"preferences": ["S0001"]}, 10, seed)

    out = tmp_path / "wf"
    code = run_cli(monkeypatch, "simulate", *inputs("--draws", "300", "--seed", SEED, "--out", str(out),
                                                    "--what-if-preferences", "S0001;S0006", "--what-if-tier", "1"))
    assert code == 0
    assert json.loads((out / "what_if.json").read_text("utf-8")) == answer
    assert run_cli(monkeypatch, "simulate", *inputs("--draws", "10", "--seed", SEED, "--out", str(out),
                                                    "--what-if-preferences", "S0001", "--what-if-priority",
                                                    "S0001")) == 2


def test_a_what_if_equals_the_family_written_into_the_roster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The family spliced into the roster's market (what the service does with its cached market) is the
    family added to the applicants: the same counts, twins and sibling priority and round 2 included."""
    run = prepare_simulation(_inputs(), "da", True)
    seed, draws = bytes.fromhex(SEED), 120
    family = {"preferences": ["S0002", "S0001"], "tier": 2, "priority": {"S0001": 0}, "round2": ["S0006"],
              "multiples": 2}
    answer = what_if(run.config, run.roster, family, draws, seed)
    assert what_if(run.config, run.roster, family, draws, seed, market=market_of(run.config, run.roster)) == answer
    extended = sorted([*run.roster, *family_records(run.config, family)], key=lambda r: str(r["id"]))
    sim = run_simulation(run.config, extended, seed, draws)
    m = sim.market
    u = int(applicant_units(m)[m.applicant_ids.index(WHAT_IF_ID)])
    assert int(m.size[u]) == 2 and answer["family"]["multiples"] == 2
    l1, l2, _ = slot_layout(m)
    slots = [*range(int(m.ptr[u]), int(m.ptr[u + 1])), *(l1 + k for k in range(int(m.r2_ptr[u]), int(m.r2_ptr[u + 1]))),
             l1 + l2 + u]
    shown = [*answer["choices"], answer["no_seat"]]
    assert [int(sim.tally.slot_counts[k]) for k in slots] == [round(c["probability"] * draws) for c in shown]

    out = tmp_path / "twins"
    assert run_cli(monkeypatch, "simulate", *inputs("--draws", str(draws), "--seed", SEED, "--out", str(out),
                                                    "--round2", "--what-if-preferences", "S0002;S0001",
                                                    "--what-if-tier", "2", "--what-if-priority", "S0001:0",
                                                    "--what-if-round2", "S0006", "--what-if-multiples", "2")) == 0
    assert json.loads((out / "what_if.json").read_text("utf-8")) == answer


@pytest.mark.parametrize(("family", "where", "message"), [
    ({"preferences": ["S0001", "S9999"]}, "preferences[1]", "S9999 is not in the schools file"),
    ({"preferences": ["S0001", "S0002", "S0001"]}, "preferences[2]", "S0001 is listed twice"),
    ({"preferences": ["S0001", "S0002", "S0003", "S0004", "S0005"]}, "preferences[4]", "at most 4 preferences"),
    ({"preferences": ["S0001"], "tier": True}, "tier", "tier must be an integer"),
    ({"preferences": ["S0001"], "priority": {"S0001": 100}}, "priority.S0001", "tier must be an integer"),
    ({"preferences": ["S0001"], "multiples": 0}, "multiples", "multiples must be an integer 1..4"),
    ({"preferences": ["S0001"], "round2": ["S0002"]}, "round2", "this run has no round 2"),
])
def test_a_bad_family_names_its_key_path(family: dict[str, object], where: str, message: str) -> None:
    run = prepare_simulation(_inputs(), "da", False)
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        what_if(run.config, run.roster, family, 10, bytes.fromhex(SEED))
    assert info.value.where == where and info.value.message_zh


@pytest.mark.parametrize(("extra", "message"), [
    (["--seed", "12"], "64 hexadecimal digits"),
    (["--seed", SEED, "--draws", "0"], "--draws must be between"),
    (["--seed", SEED, "--mechanism", "lucky"], "unknown mechanism"),
    (["--seed", SEED, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    (["--seed", SEED, "--scheduler", "127.0.0.1:8786"], "should look like tcp://"),
    (["--seed", SEED, "--threads", "0"], "--threads must be at least 1"),
    (["--seed", SEED, "--threads", "2", "--workers", "2"], "cannot be combined with --workers"),
])
def test_bad_options_exit_2_and_leave_out_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old", encoding="utf-8")
    args = ["--draws", "5", *extra] if "--draws" not in extra else extra
    assert run_cli(monkeypatch, "simulate", *inputs(*args, "--out", str(out))) == 2
    assert message in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_bad_input_file_names_the_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "applicants.csv"
    bad.write_text("报名号,志愿\nA1,S0001\nA2,S0404\n", encoding="utf-8")
    code = run_cli(monkeypatch, "simulate", "--schools", str(SAMPLES / "schools.csv"), "--applicants", str(bad),
                   "--draws", "5", "--seed", SEED, "--out", str(tmp_path / "o"))
    assert code == 2
    err = capsys.readouterr().err
    assert "S0404" in err and "3" in err
    assert not (tmp_path / "o").exists()


def test_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    from api.simulate import run_simulation

    run = prepare_simulation(_inputs(), "da", False)
    sim = run_simulation(run.config, run.roster, bytes.fromhex(SEED), 5)
    with pytest.raises(SunshineError, match="fonts-wqy-microhei"):
        render_charts(sim, font=tmp_path / "none.ttc")


@pytest.mark.timeout(300)
def test_cli_workers_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outs = []
    for extra in ([], ["--workers", "2", "--chunk", "7"], ["--threads", "2", "--chunk", "3"], ["--threads", "1"]):
        out = tmp_path / f"o{len(outs)}"
        assert run_cli(monkeypatch, "simulate", *inputs("--draws", "40", "--seed", SEED, "--out", str(out),
                                                        "--round2", *extra)) == 0
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1] == outs[2] == outs[3]
    assert "charts/unplaced.png" in outs[0]
