"""The browser verifier replays the class formation like ``sunshine verify`` (docs/classes.md § Replaying the
formation, docs/verifier.md step 9, issue 15).

Generated small cohorts (genders, flags, bands, top/bottom-N, together and apart groups, homophones, presets,
configured sizes, class counts 2…6, odd sizes) go through the real engine (``api.runs.classes.execute``); the
page's replay must give the engine's bytes for every public data file (``chart.png`` is an image: proven by
its signed hash only, as in ``sunshine verify``), or, when the engine's start came from CP-SAT, fail the replay
naming CP-SAT. Re-signed edits of the formation and of a balance figure fail at the same step and item in both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from test_browser_verifier import forged_result, page_failed_step, python_verify

from api.audit_runs import load_bundle_files
from api.runs import classes as classes_run
from audit.bundle import zip_bytes
from engine.errors import EngineError, InfeasiblePlacement

Report = dict[str, Any]
Files = dict[str, bytes]

REPLAY_IN_PAGE = ("([config, roster, seed, results]) => {"
                  " const published = {}; for (const [k, v] of Object.entries(results)) published[k] = fromHex(v);"
                  " try { const out = REPLAYERS.classes(config, roster, fromHex(seed), {}, published); const text = {};"
                  " for (const [k, v] of Object.entries(out.files)) text[k] = v === null ? null : UTF8_LOOSE.decode(v);"
                  " return { files: text, checked: out.checked }; }"
                  " catch (e) { return { error: `${e.item || ''}: ${e.en || e.message}` }; } }")


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]], bytes]:
    """A config and public roster as ``prepare_classes`` writes them (docs/classes.md § The public roster)."""
    k = draw(st.integers(2, 6))
    n = draw(st.integers(k, 9 * k + 5))
    subjects = draw(st.sampled_from([[], ["语文"], ["语文", "数学"], ["math", "english", "art"]]))
    flags = draw(st.sampled_from([[], ["住校"], ["住校", "班干部"]]))
    granule = draw(st.sampled_from([1, 50, 100, 500]))
    ids = sorted({f"{draw(st.integers(0, 10**6)):07d}" for _ in range(n)} | {f"z{i:03d}" for i in range(n)})[:n]
    roster: list[dict[str, Any]] = []
    for sid in ids:
        subj = {s: granule * draw(st.integers(0, 15000 // granule)) for s in subjects}
        total = sum(subj.values()) if subjects else granule * draw(st.integers(0, 30000 // granule))
        roster.append({"id": sid, "gender": draw(st.sampled_from(["M", "F"])), "scores": {"总分": total, **subj},
                       "flags": {f: draw(st.booleans()) for f in flags}, "together": "", "apart": [],
                       "preset": None, "homophone": ""})
    base = n // k
    if base >= 2 and draw(st.booleans()):  # twins and triplets
        for g in range(draw(st.integers(1, 3))):
            size = draw(st.integers(2, min(3, base)))
            start = draw(st.integers(0, n - size))
            if all(not r["together"] for r in roster[start:start + size]):
                for r in roster[start:start + size]:
                    r["together"] = f"T{g}"
    if draw(st.booleans()):  # apart groups (at most K members) and same-sounding names
        for g in range(draw(st.integers(1, 3))):
            for i in sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=min(k, 4))))):
                roster[i]["apart"].append(f"A{g}")
        for i in sorted(set(draw(st.lists(st.integers(0, n - 1), max_size=min(k, 3))))):
            roster[i]["homophone"] = "h1"
    if draw(st.booleans()):  # a preset or two (a together group goes with its member)
        for i in sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2)))):
            if not roster[i]["together"]:
                roster[i]["preset"] = draw(st.integers(1, k))
    sizes = None
    if draw(st.booleans()):
        sizes = [base + (1 if q < n % k else 0) for q in range(k)]
        sizes = draw(st.permutations(sizes))
    top = draw(st.sampled_from([None, 0, 1, 3]))
    total_is_sum = bool(subjects)  # prepare_classes: no total column, the total is the sum of the subjects
    corrections: list[dict[str, Any]] = []
    for i in sorted(set(draw(st.lists(st.integers(0, n - 1), max_size=3)))):  # 复核 (docs/classes.md § corrections)
        r = roster[i]
        kind = draw(st.sampled_from(["withdraw", "gender", "score", *(["flag"] if flags else [])]))
        if kind == "withdraw":
            corrections.append({"id": r["id"], "field": "withdraw", "old": None, "new": None, "reason": "转学"})
        elif kind == "gender":
            corrections.append({"id": r["id"], "field": "gender", "old": r["gender"],
                                "new": "F" if r["gender"] == "M" else "M", "reason": "性别录入错误"})
        elif kind == "score":
            name = draw(st.sampled_from(subjects)) if total_is_sum else "总分"
            corrections.append({"id": r["id"], "field": f"score:{name}", "old": r["scores"][name],
                                "new": r["scores"][name] + draw(st.sampled_from([-50, 100, 1050])), "reason": "漏计"})
        else:
            name = draw(st.sampled_from(flags))
            corrections.append({"id": r["id"], "field": f"flag:{name}", "old": r["flags"][name],
                                "new": not r["flags"][name], "reason": "复核"})
    config = {
        "engine": "sunshine-classes/v4", "classes": k, "class_sizes": sizes, "max_class_size": 50,
        "allow_large_classes": False, "score_names": ["总分", *subjects], "flag_names": flags,
        "weights": draw(st.sampled_from([{}, {"总分": 800},
                                         {"总分": 100, **({subjects[0]: 300} if subjects else {})}])),
        "variance_weight": draw(st.sampled_from([0, 5, 20])), "bands": draw(st.integers(1, 4)), "top_n": top,
        "bottom_n": draw(st.sampled_from([None, 0, 2])), "homophones_apart": draw(st.booleans()),
        "head_teachers": draw(st.sampled_from([[], [f"老师{q}" for q in range(k, 0, -1)]])),
        "search_passes": draw(st.sampled_from([400, 400, 3])),
    }
    if corrections:
        config |= {"corrections": corrections, "total_is_sum": total_is_sum}
    return config, roster, bytes(draw(st.binary(min_size=32, max_size=32)))


def engine_files(config: Mapping[str, Any], roster: list[dict[str, Any]], seed: bytes) -> dict[str, bytes]:
    """``execute`` as ``sunshine verify`` runs it, with the chart (an image the replay never compares) left blank."""
    with mock.patch.object(classes_run, "_chart_png", return_value=b""):
        return classes_run.execute(config, roster, seed)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(instance=cohorts())
def test_the_page_replays_every_formation_like_the_engine(instance: tuple[dict[str, Any], list[dict[str, Any]], bytes],
                                                          verifier_page: Any) -> None:
    """Every public data file of the page's replay is the engine's, byte for byte; a CP-SAT start fails, named."""
    config, roster, seed = instance
    review = "corrections" in config
    try:
        want = engine_files(config, roster, seed)
        original = engine_files({k: v for k, v in config.items() if k not in ("corrections", "total_is_sum")},
                                roster, seed) if review else want
    except (InfeasiblePlacement, EngineError):  # rules that cannot hold, or a class emptied by withdrawals
        assume(False)
        raise
    got = verifier_page.evaluate(REPLAY_IN_PAGE, [config, roster, seed.hex(), {k: v.hex() for k, v in want.items()}])
    cpsat = b'"method": "cpsat-start+exchange"' in original["balance.json"]
    event(("CP-SAT start" if cpsat else f"replayed, {config['classes']} classes") + (", 复核" if review else ""))
    if cpsat:
        assert got.get("error", "").startswith("balance.json: ") and "CP-SAT" in got["error"], got
        return
    assert "error" not in got, got["error"]
    assert sorted(got["files"]) == sorted(want)
    assert got["files"]["chart.png"] is None
    for name, data in want.items():
        if name != "chart.png":
            assert got["files"][name] == data.decode("utf-8"), name


def _swap_two_students(formed: bytes, placed: bytes) -> tuple[bytes, bytes]:
    """Two students of different formed classes exchanged (neither the smallest id of its class) in both files."""
    rows = [line.split(",") for line in formed.decode().splitlines()[1:]]
    first = {g: sid for g, sid in reversed(rows)}
    a = next(r for r in rows if r[0] == "1" and r[1] != first["1"])
    b = next(r for r in rows if r[0] == "2" and r[1] != first["2"])
    a[0], b[0] = b[0], a[0]
    rows.sort(key=lambda r: (int(r[0]), r[1].encode()))
    new_formed = "\n".join(["group,student_id", *(",".join(r) for r in rows)]) + "\n"
    lines = placed.decode().splitlines()
    cls = dict(line.split(",") for line in lines[1:])
    cls[a[1]], cls[b[1]] = cls[b[1]], cls[a[1]]
    new_placed = "\n".join([lines[0], *(f"{sid},{cls[sid]}" for sid in (line.split(",")[0] for line in lines[1:]))])
    return new_formed.encode(), (new_placed + "\n").encode()


def _edit_a_gap(balance: bytes) -> bytes:
    import re

    return re.sub(rb'("mean [^"]+": ")(\d+\.\d{4})"', lambda m: m.group(1) + b"0.0000\"" if m.group(2) != b"0.0000"
                  else m.group(1) + b"0.0100\"", balance, count=1)


def test_a_formation_with_two_students_swapped_and_resigned_fails_replay_in_both(
        cli_bundles: Mapping[str, Path], browser_verify: Callable[..., Report]) -> None:
    files = load_bundle_files(cli_bundles["classes"])
    formed, placed = _swap_two_students(files["results/formed_classes.csv"], files["results/placement_public.csv"])
    forged = forged_result(forged_result(files, "formed_classes.csv", formed), "placement_public.csv", placed)
    assert python_verify(forged)[1] == "replay"
    report = browser_verify(zip_bytes(forged))
    assert page_failed_step(report) == "replay" and report["failed"]["item"] == "formed_classes.csv", report["verdict"]
    assert "replay differs: formed_classes.csv line" in report["failed"]["en"]


def _balance_forged(bundle: Path, edit: Callable[[bytes], bytes], browser_verify: Callable[..., Report]) -> Report:
    """The bundle with balance.json edited and re-signed: ``sunshine verify`` fails replay there; the page's report."""
    files = load_bundle_files(bundle)
    edited = edit(files["results/balance.json"])
    assert edited != files["results/balance.json"]
    forged = forged_result(files, "balance.json", edited)
    assert python_verify(forged)[1] == "replay"
    report = browser_verify(zip_bytes(forged))
    assert page_failed_step(report) == "replay" and report["failed"]["item"] == "balance.json", report["verdict"]
    return report


def test_a_balance_figure_edited_and_resigned_fails_replay_in_both(
        cli_bundles: Mapping[str, Path], browser_verify: Callable[..., Report]) -> None:
    report = _balance_forged(cli_bundles["classes"], _edit_a_gap, browser_verify)
    assert "replay differs: balance.json line" in report["failed"]["en"]


def test_a_run_said_to_start_from_cpsat_is_never_passed_by_the_page(
        cli_bundles: Mapping[str, Path], browser_verify: Callable[..., Report]) -> None:
    """The page cannot run CP-SAT: a bundle whose balance.json names a CP-SAT start fails the replay step there
    (``sunshine verify`` replays the snake start and fails on the same file)."""
    report = _balance_forged(cli_bundles["classes"], lambda b: b.replace(
        b'"method": "snake+exchange"', b'"method": "cpsat-start+exchange"'), browser_verify)
    assert "came from CP-SAT" in report["failed"]["en"] and "sunshine verify" in report["failed"]["en"]
    assert "CP-SAT" in report["failed"]["zh"]


def test_the_formation_is_replayed_in_a_worker_under_the_pages_own_csp(browser: Any, verifier_file: Path,
                                                                        cli_bundles: Mapping[str, Path]) -> None:
    """The replay takes seconds at 1,200 students: it runs in a worker of its own (``worker-src blob:``), and
    the page, loaded with its Content-Security-Policy in force, still says VERIFIED."""
    page = browser.new_context().new_page()
    page.goto(verifier_file.as_uri())
    page.wait_for_selector("body[data-state=ready]")
    page.set_input_files("#file", str(cli_bundles["classes"] / "bundle.zip"))
    page.wait_for_selector("body[data-state=done]", timeout=120_000)
    report = page.evaluate("window.sunshineReport")
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]
    assert "replayWorker" in report["timings"] and "replayAhead" not in report["timings"]
    page.context.close()


def test_a_corrected_sample_placement_is_verified_in_both(tmp_path: Path,
                                                          browser_verify: Callable[..., Report]) -> None:
    """samples/classes/ with its corrections.csv (a withdrawal, a gender and a score fixed): the page replays the
    original formation, applies the corrections and rebuilds every data file and review_diff.csv."""
    from api.inputs import read_input_file
    from api.runs.classes import prepare_classes
    from api.runs.publish import publish_run

    samples = Path(__file__).resolve().parents[2] / "samples" / "classes"
    run = prepare_classes(read_input_file(samples / "students.csv"), None, read_input_file(samples / "config.toml"),
                          read_input_file(samples / "corrections.csv"))
    publish_run(run, bytes.fromhex("ab" * 32), tmp_path / "out")
    lines, failed = python_verify(load_bundle_files(tmp_path / "out"))
    assert failed is None
    report = browser_verify((tmp_path / "out" / "bundle.zip").read_bytes())
    assert page_failed_step(report) is None, report["verdict"]
    assert report["steps"][8]["line"].startswith(lines[8]) and lines[8].startswith("replay: 6 data file(s)")
    assert "a 复核 run: the original formation and draws replayed, 3 correction(s)" in report["steps"][8]["line"]
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


def test_without_a_worker_the_page_replays_on_its_own_thread(browser: Any, verifier_file: Path,
                                                             cli_bundles: Mapping[str, Path]) -> None:
    """A browser whose workers cannot start (here: ``Worker`` throws) still gets the replay and the verdict."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(verifier_file.as_uri())
    page.wait_for_selector("body[data-state=ready]")
    page.evaluate("window.Worker = function () { throw new Error('no workers here'); }; SPARE_WORKER = null")
    page.set_input_files("#file", str(cli_bundles["classes"] / "bundle.zip"))
    page.wait_for_selector("body[data-state=done]", timeout=120_000)
    report = page.evaluate("window.sunshineReport")
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]
    assert "replayWorker" not in report["timings"]
    page.context.close()
