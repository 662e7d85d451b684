"""The page replays corrected (复核) lottery runs as ``sunshine verify`` does (docs/lottery.md §7, docs/verifier.md).

Three cross-checks: on generated zones with generated corrections the page's replay gives the engine's bytes
(results.csv, schools.csv, summary.json, review_diff.csv) or fails where the engine refuses; corrected practice
bundles of the samples (corrections that withdraw, add, remove and change choices, tiers, priorities and round-2
lists; every mechanism) get the same verdict in both; and the audit tests' tamper cases, plus forgeries of the
corrections themselves, fail at the same step in both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tamper_cases import MALFORMED, MUTATIONS, RESIGNED, FilesAndLog, resigned
from test_browser_official import OPERATOR, official_review
from test_browser_official import python_verify as official_verify
from test_browser_verifier import (
    first_row_set,
    forged_result,
    lottery_instances,
    page_failed_step,
    page_replay,
    python_verify,
    resigned_practice,
)
from xlsx_threshold import no_xlsx

from api.audit_runs import load_bundle_files
from api.inputs import InputFile, read_input_file
from api.runs.lottery import execute, prepare_lottery
from api.runs.publish import publish_run
from audit.bundle import zip_bytes
from audit.canonical import canonical_bytes, record_hash
from engine.errors import EngineError

Report = dict[str, Any]
Files = dict[str, bytes]
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "lottery"
SEED = bytes(31) + b"\x07"
HEADER = "报名号,更正项目,原值,新值,理由\n"

#: Corrected runs of samples/lottery: name → (mechanism, round2, corrections file text).
REVIEWS: dict[str, tuple[str, bool, str]] = {
    "sample-da-round2": ("da", True, (SAMPLES / "corrections.csv").read_text(encoding="utf-8")),
    "sample-boston": ("boston", False, (SAMPLES / "corrections.csv").read_text(encoding="utf-8")),
    "sample-serial-round2": ("serial", True, (SAMPLES / "corrections.csv").read_text(encoding="utf-8")),
    "choices-added-removed-changed": ("da", True, HEADER + (
        "202600020,志愿,S0001;S0003,S0001;S0003;S0004,家长补填志愿\n"
        "202600060,志愿,S0001;S0002;S0005;S0003,S0001;S0002,家长删去志愿\n"
        "202600690,志愿,S0003;S0004;S0001,S0004;S0003,多胞胎更正志愿\n"
        "202600691,志愿,S0003;S0004;S0001,S0004;S0003,多胞胎更正志愿\n")),
    "tiers-and-priorities": ("boston", True, HEADER + (
        "202600030,类别,1,2,第二轮资格复核：户籍不符\n"
        "202600160,优先,S0002:0,,兄姐已毕业\n"
        "202600050,优先,,S0001:0,兄姐在读（复核补录）\n"
        "202600130,类别,3,1,\"多胞胎之一户籍核实, 应为第一类\"\n")),
    "round2-and-withdrawals": ("serial", True, HEADER + (
        "202600100,二轮志愿,S0001;S0006,S0002,家长更正二轮志愿\n"
        "202600040,二轮志愿,,S0005;S0006,家长补填二轮志愿\n"
        "202600691,退出,,退出,多胞胎之一转学\n"
        "202600010,退出,,,放弃学位\n")),
}


def review_bundle(base: Path, name: str) -> Files:
    """A practice 复核 run of the samples (REVIEWS[name]) published by the CLI's own code, as bundle files."""
    mechanism, round2, corrections = REVIEWS[name]
    run = prepare_lottery(read_input_file(SAMPLES / "schools.csv"), read_input_file(SAMPLES / "applicants.csv"),
                          mechanism, round2, InputFile("复核更正.csv", corrections.encode()))
    publish_run(run, SEED, base / name)
    return load_bundle_files(base / name)


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Files]:
    """Every REVIEWS bundle without the xlsx list (xlsx_threshold), so that the page can say VERIFIED."""
    base = tmp_path_factory.mktemp("reviews")
    with no_xlsx():
        return {name: review_bundle(base, name) for name in REVIEWS}


def verify_without_xlsx(files: Files) -> tuple[list[str], str | None]:
    with no_xlsx():
        return python_verify(files)


@pytest.mark.parametrize("name", sorted(REVIEWS))
def test_a_corrected_bundle_is_verified_in_the_page_as_in_python(name: str, reviews: Mapping[str, Files],
                                                                 no_xlsx_verify: Callable[..., Report]) -> None:
    files = reviews[name]
    lines, failed = verify_without_xlsx(files)
    assert failed is None
    report = no_xlsx_verify(zip_bytes(files))
    assert page_failed_step(report) is None, report["verdict"]
    for python_line, step in zip(lines, report["steps"], strict=True):
        assert step["line"].startswith(python_line) if step["step"] == "replay" else step["line"] == python_line
    assert "4 data file(s) reproduced byte for byte" in report["steps"][8]["line"]
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


def test_with_its_xlsx_list_a_corrected_bundle_is_replayed_and_verified(
        tmp_path: Path, browser_verify: Callable[..., Report]) -> None:
    files = review_bundle(tmp_path, "sample-da-round2")
    assert python_verify(files)[1] is None
    report = browser_verify(zip_bytes(files))
    assert page_failed_step(report) is None, report["verdict"]
    replay = report["steps"][8]
    assert replay["status"] == "ok", replay
    assert replay["line"] == (  # the line docs/verifier.md shows for this bundle: the corrected run's xlsx rebuilt too
        "replay: 5 data file(s) reproduced byte for byte; the corrected run replayed with 4 correction(s) on the "
        "original numbers, and the uncorrected run for review_diff.csv"), replay["line"]
    doc = (Path(__file__).resolve().parents[2] / "docs" / "verifier.md").read_text(encoding="utf-8")
    assert replay["line"] in doc
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


def _edit_review_diff(data: bytes) -> bytes:
    """review_diff.csv with its first row's cause said to be another (every other byte as it was)."""
    return first_row_set(data, 12, b"knock_on", b"freed_seat")


def _reinstate_withdrawn(data: bytes) -> bytes:
    """results.csv with a withdrawn applicant given their seat back."""
    return data.replace(b",,0,0,withdrawn,0", b",S0001,1,1,,1", 1)


def _forged_config(edit: Callable[[dict[str, Any]], None]) -> Callable[[Files], Files]:
    """The bundle's config edited by ``edit``, its hash frozen again in the log and re-signed (practice key)."""
    def forge(files: Files) -> Files:
        config = json.loads(files["config.json"])
        edit(config)
        digest = record_hash(config)
        forged = resigned_practice({**files, "config.json": canonical_bytes(config)}, lambda a, p: (
            {**p, "config_hash": digest} if "config_hash" in p else p))
        return forged

    return forge


def _reason_edited(config: dict[str, Any]) -> None:
    config["corrections"][0]["reason"] += "（改）"


def _old_value_stale(config: dict[str, Any]) -> None:
    tier = next(c for c in config["corrections"] if c["field"] == "tier")
    tier["old"] += 1


def _withdrawal_dropped(config: dict[str, Any]) -> None:
    config["corrections"] = [c for c in config["corrections"] if c["field"] != "withdraw"]


#: Forgeries of a corrected run by someone holding its key: name → (function of the files, failing step, item).
FORGED_REVIEWS: dict[str, tuple[Callable[[Files], Files], str, str]] = {
    "review-diff-cause-edited": (lambda f: forged_result(f, "review_diff.csv", _edit_review_diff(
        f["results/review_diff.csv"])), "replay", "review_diff.csv"),
    "withdrawn-applicant-reinstated": (lambda f: forged_result(f, "results.csv", _reinstate_withdrawn(
        f["results/results.csv"])), "replay", "results.csv"),
    "correction-reason-edited": (_forged_config(_reason_edited), "replay", "review_diff.csv"),
    "correction-old-value-stale": (_forged_config(_old_value_stale), "replay", "execute"),
    "withdrawals-dropped": (_forged_config(_withdrawal_dropped), "replay", "results.csv"),
}


@pytest.mark.parametrize("case", sorted(FORGED_REVIEWS))
def test_a_forged_correction_or_result_fails_replay_in_both(case: str, reviews: Mapping[str, Files],
                                                            no_xlsx_verify: Callable[..., Report]) -> None:
    forge, step, item = FORGED_REVIEWS[case]
    files = forge(reviews["sample-da-round2"])
    assert verify_without_xlsx(files)[1] == step
    report = no_xlsx_verify(zip_bytes(files))
    assert page_failed_step(report) == step and report["failed"]["item"] == item, report["verdict"]["en"]


#: Every tamper case of the audit tests but the re-signed ones that edit the fake kind's result rows (FORGED_REVIEWS
#: forges a lottery's rows instead).
TAMPER_CASES = sorted([*MUTATIONS, *MALFORMED,
                       *(c for c, (_, _, e) in RESIGNED.items() if not isinstance(e, FilesAndLog))])


@pytest.fixture(scope="module")
def official_sample_review(audit_helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Files:
    """The samples' lottery through the two-witness ceremony, then its official 复核 run with the sample
    corrections (seed.inherit): the review bundle's files."""
    return official_review(audit_helpers, tmp_path_factory.mktemp("official-review"),
                           read_input_file(SAMPLES / "schools.csv"), read_input_file(SAMPLES / "applicants.csv"),
                           read_input_file(SAMPLES / "corrections.csv"))[1]

@pytest.mark.parametrize("case", TAMPER_CASES)
def test_every_tamper_case_on_a_corrected_bundle_fails_at_the_same_step_in_both(
        case: str, official_sample_review: Files, no_xlsx_verify: Callable[..., Report]) -> None:
    """The audit tests' tamper cases (written for their fake kind's ceremony) applied to an official corrected
    lottery bundle, the operator key pinned: the same failing step in both. A case that edits what this bundle
    does not have (a witness's reveal, the fake kind's "Z1") leaves it as it was, and both verify it."""
    files = official_sample_review
    tampered = (resigned(files, OPERATOR, RESIGNED[case][2]) if case in RESIGNED
                else {**MUTATIONS, **MALFORMED}[case][1](files))
    _, python_step = official_verify(tampered, [OPERATOR.verifier.vkey])
    assert (python_step is None) == (tampered == files)
    report = no_xlsx_verify(zip_bytes(tampered), [OPERATOR.verifier.vkey])
    assert page_failed_step(report) == python_step, report["verdict"]["en"]


@st.composite
def corrected_lotteries(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]], bytes]:
    """A generated zone (test_browser_verifier.lottery_instances) with valid corrections as the reader writes them:
    per unit either one member's withdrawal, or changed tiers / priorities of one member and choice lists of every
    member (multiples list the same), sorted by (id, field); reasons with commas, quotes and a formula start."""
    config, roster, seed = draw(lottery_instances())
    schools = [s["id"] for s in config["schools"]]
    units: dict[str, list[dict[str, Any]]] = {}
    for r in roster:
        units.setdefault(r["group"] or r["id"], []).append(r)
    reasons = st.sampled_from(["家长放弃学位", "第二轮资格复核：户籍, 房产", 'said "yes"', "=1+1", "复核"])
    corrections: list[dict[str, Any]] = []
    for key in draw(st.lists(st.sampled_from(sorted(units)), unique=True, min_size=1, max_size=4)):
        members = units[key]
        if draw(st.booleans()):
            m = draw(st.sampled_from(members))
            corrections.append({"id": m["id"], "field": "withdraw", "old": None, "new": None, "reason": draw(reasons)})
            continue
        for field in draw(st.lists(st.sampled_from(["tier", "priority", "preferences", "round2"]), unique=True,
                                   min_size=1)):
            if field in ("preferences", "round2"):
                new_list = draw(st.permutations(schools).flatmap(
                    lambda p, f=field: st.integers(1 if f == "preferences" else 0, len(p)).map(lambda k: p[:k])))
                if list(new_list) == members[0][field]:
                    continue
                corrections += [{"id": m["id"], "field": field, "old": m[field], "new": list(new_list),
                                 "reason": draw(reasons)} for m in members]
                continue
            m = draw(st.sampled_from(members))
            new: Any = (draw(st.integers(0, 3)) if field == "tier" else dict(sorted(draw(st.dictionaries(
                st.sampled_from(schools), st.integers(0, 3), max_size=2)).items())))
            if new != m[field]:
                corrections.append({"id": m["id"], "field": field, "old": m[field], "new": new,
                                    "reason": draw(reasons)})
    assume(corrections)
    corrections.sort(key=lambda c: (c["id"].encode(), c["field"].encode()))
    return {**config, "corrections": corrections}, roster, seed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instance=corrected_lotteries())
def test_the_page_replays_every_corrected_lottery_like_the_engine(
        instance: tuple[dict[str, Any], list[dict[str, Any]], bytes], verifier_page: Any) -> None:
    """Every file the engine writes for the corrected run, byte for byte; where the engine refuses the corrected
    zone (everyone withdrawn), the page's replay throws too."""
    from playwright.sync_api import Error as PageError

    config, roster, seed = instance
    try:
        want: dict[str, bytes] | None = execute(config, roster, seed)
    except EngineError:
        want = None
    if want is None:
        with pytest.raises(PageError, match="no applicant is left after the corrections"):
            page_replay(verifier_page, config, roster, seed)
    else:
        got = page_replay(verifier_page, config, roster, seed)
        assert sorted(got) == sorted(want) and "review_diff.csv" in got
        for name, data in want.items():  # the xlsx list too (xlsx.js): no file is left out
            assert got[name] == (data.hex() if name.endswith(".xlsx") else data.decode()), name


@pytest.fixture(scope="module")
def big_review(tmp_path_factory: pytest.TempPathFactory) -> Files:
    """A corrected practice run of 6,000 applicants (40 schools, three choices), without the xlsx list: its
    roster is over 1 MiB, so the page hashes it in its worker and replays ahead while the worker works."""
    schools = "学校代码,招生计划\n" + "".join(f"S{j:02d},140\n" for j in range(40))
    rows = "".join(f"A{i:05d},S{i % 13:02d};S{13 + i * 7 % 13:02d};S{26 + i % 14:02d},{1 + i % 3}\n"
                   for i in range(6000))
    corrections = HEADER + "A00003,退出,,退出,放弃学位\nA00004,类别,2,1,复核\nA00005,志愿,S05;S22;S31,S00,更正志愿\n"
    run = prepare_lottery(InputFile("schools.csv", schools.encode()),
                          InputFile("applicants.csv", ("报名号,志愿,类别\n" + rows).encode()), "da", True,
                          InputFile("复核更正.csv", corrections.encode()))
    out = tmp_path_factory.mktemp("big-review") / "out"
    with no_xlsx():
        publish_run(run, SEED, out)
    files = load_bundle_files(out)
    assert len(files["roster.jsonl"]) > 1 << 20
    return files


BIG_CASES: dict[str, tuple[Callable[[Files], Files], str | None]] = {
    "clean": (lambda f: f, None),
    "review-diff-cause-edited": (FORGED_REVIEWS["review-diff-cause-edited"][0], "replay"),
    "rows-root-wrong": (lambda f: resigned_practice(f, RESIGNED["rows-root-wrong"][2]), "results"),
    "seed-changed": (MUTATIONS["seed-changed"][1], "seed"),
    "roster-rows-swapped": (MUTATIONS["roster-rows-swapped"][1], "roster"),
}


@pytest.mark.parametrize("case", sorted(BIG_CASES))
def test_a_bundle_hashed_in_the_worker_gets_the_same_verdict_in_both(
        case: str, big_review: Files, no_xlsx_verify: Callable[..., Report]) -> None:
    """The worker's roster roots and result rows tree, and the replay run ahead of them, give the same verdict
    as sunshine verify: VERIFIED when clean, else the same failing step."""
    tamper, step = BIG_CASES[case]
    files = tamper(big_review)
    lines, python_step = verify_without_xlsx(files)
    assert python_step == step
    report = no_xlsx_verify(zip_bytes(files))
    assert page_failed_step(report) == step, report["verdict"]["en"]
    if step != "roster":  # (a roster out of order fails as it is read, before its roots are asked for)
        assert report["rosterHashedIn"] == "worker"
    assert [s["line"] for s in report["steps"][:min(len(lines), 8)]] == lines[:8]
    assert report["ok"] == (step is None)
