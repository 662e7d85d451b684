"""The browser verifier replays points admission like ``sunshine verify`` (docs/verifier.md step 9, issue 15).

Runs come from every shipped rule set (and the sample's) through the real ``prepare_points`` on generated
tables (``points_inputs``): ties down to the lottery or a joint rank, quotas exceeded by joint groups, round 2,
复核 corrections, formula-like town and school names. The page's replay must give the engine's bytes for every
public data file; bundles must hold every step in both; every tamper case and every re-signed result edit
must fail at the same step in both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from points_inputs import RULESETS, PointsCase, points_run
from tamper_cases import MALFORMED, MUTATIONS, RESIGNED, resigned
from test_browser_verifier import OPERATOR, _remanifest, page_failed_step, python_verify

from api.audit_runs import load_bundle_files
from api.runs import get_kind
from api.runs.points import execute
from api.runs.publish import publish_run
from audit.bundle import Bundle, zip_bytes
from audit.verify import STEPS

Report = dict[str, Any]
Files = dict[str, bytes]
XLSX = ("publication.xlsx", "ranking.xlsx", "results_by_school.xlsx")

REPLAY_IN_PAGE = ("([config, roster, seed]) => {"
                  " const out = REPLAYERS.points(config, roster, fromHex(seed), {}, {}); const text = {};"
                  " for (const [k, v] of Object.entries(out.files))"
                  " text[k] = v === null ? null : k.endsWith('.xlsx') ? toHex(v) : UTF8_LOOSE.decode(v);"
                  " return { files: text, notes: out.notes || null }; }")


@st.composite
def points_cases(draw: st.DrawFn) -> tuple[PointsCase, bytes]:
    case = PointsCase(draw(st.sampled_from(sorted(RULESETS))), draw(st.integers(1, 40)),
                      draw(st.integers(0, 2**32)), joint=draw(st.booleans()), second_pass=draw(st.booleans()),
                      corrections=draw(st.sampled_from([0, 0, 1, 3])))
    return case, bytes(draw(st.binary(min_size=32, max_size=32)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instance=points_cases())
def test_the_page_replays_every_points_run_like_the_engine(instance: tuple[PointsCase, bytes],
                                                           verifier_page: Any) -> None:
    """Every public file of the page's replay is the engine's, byte for byte, the XLSX lists included."""
    case, seed = instance
    run = points_run(case)
    want = execute(run.config, run.roster, seed)
    got = verifier_page.evaluate(REPLAY_IN_PAGE, [run.config, list(run.roster), seed.hex()])
    assert got["notes"] is None
    assert sorted(got["files"]) == sorted(want)
    for name, data in want.items():
        if name.endswith(".xlsx"):
            assert got["files"][name] == data.hex(), name
        else:
            assert got["files"][name] == data.decode("utf-8"), name


BUNDLES = {
    "sample-lottery": PointsCase("sample", 300, 1),
    "zhongshan-joint-round2": PointsCase("zhongshan-2014", 250, 2, joint=True, second_pass=True),
    "zhejiang-review": PointsCase("zhejiang-common-100", 200, 3, corrections=4),
    "xiamen-review-round2": PointsCase("xiamen-120", 120, 4, second_pass=True, corrections=2),
    "shenzhen-one-applicant": PointsCase("shenzhen-baoan", 1, 5),
    "foshan-joint": PointsCase("foshan-2014", 600, 6, joint=True),
}


@pytest.fixture(scope="module")
def points_bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Practice bundles of the generated runs, published as ``sunshine points`` publishes them."""
    base = tmp_path_factory.mktemp("points-bundles")
    seed = bytes.fromhex("0" * 63 + "7")
    for name, case in BUNDLES.items():
        publish_run(points_run(case), seed, base / name)
    return {name: base / name for name in BUNDLES}


def test_generated_points_bundles_hold_every_step_in_both(points_bundles: dict[str, Path],
                                                          browser_verify: Callable[..., Report]) -> None:
    """Both hold every step; the page replays every result file, the XLSX lists too, and says VERIFIED."""
    for name, out in points_bundles.items():
        files = load_bundle_files(out)
        lines, failed = python_verify(files)
        assert failed is None, name
        report = browser_verify((out / "bundle.zip").read_bytes())
        assert page_failed_step(report) is None, (name, report["verdict"])
        assert [s["step"] for s in report["steps"]] == list(STEPS)
        for python_line, step in zip(lines, report["steps"], strict=True):
            if step["step"] != "replay":
                assert step["line"] == python_line, name
        replay = report["steps"][8]
        data_files = 6 if "review_diff.csv" in {n.removeprefix("results/") for n in files} else 5
        data_files += sum(1 for x in XLSX if f"results/{x}" in files)
        assert replay["line"].startswith(f"replay: {data_files} data file(s) reproduced byte for byte; "), name
        assert "scored from the roster's rule fields, ranked and placed" in replay["line"]
        assert replay["status"] == "ok" and "not checked" not in replay["line"], name
        assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), (name, report["verdict"])


def test_the_cli_points_bundle_is_replayed(cli_bundles: dict[str, Path],
                                           browser_verify: Callable[..., Report]) -> None:
    report = browser_verify((cli_bundles["points"] / "bundle.zip").read_bytes())
    assert report["steps"][8]["line"].startswith("replay: 8 data file(s) reproduced byte for byte; 200 applicant(s)")


def test_a_rule_set_this_page_cannot_read_is_not_verified_never_failed(browser_verify: Callable[..., Report],
                                                                       tmp_path: Path) -> None:
    """Valid TOML outside the page's reader (an exponent): the command verifies, the page says why it cannot."""
    from dataclasses import replace

    run = points_run(PointsCase("sample", 30, 7))
    rules = str(run.config["rules_toml"]).replace("minimum_total = 30", "minimum_total = 3e1")
    config = {**run.config, "rules_toml": rules}
    publish_run(replace(run, config=config), bytes(32), tmp_path / "out")
    assert python_verify(load_bundle_files(tmp_path / "out"))[1] is None
    report = browser_verify((tmp_path / "out" / "bundle.zip").read_bytes())
    assert page_failed_step(report) is None and not report["ok"]
    assert report["steps"][8]["status"] == "unchecked"
    assert "the points replay is not done by this page" in report["verdict"]["en"]
    assert "3e1" in report["verdict"]["en"] and "本页面未重算积分结果" in report["verdict"]["zh"]


@pytest.fixture(scope="module")
def points_ceremony(audit_helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Files:
    """The audit tests' two-witness ceremony on a points run (a 复核 run with round 2), one applicant withdrawn."""
    base = tmp_path_factory.mktemp("points-ceremony")
    run = points_run(PointsCase("sample", 80, 8, second_pass=True, corrections=3))
    corrected = {str(c["applicant_id"]) for c in run.config["corrections"]}  # type: ignore[union-attr]
    withdrawn = next(str(r["id"]) for r in run.roster[5:] if str(r["id"]) not in corrected)
    audit_helpers.drive_ceremony(base / "run", OPERATOR, run, withdraw=withdrawn, out=base / "out")
    return load_bundle_files(base / "out")


def test_the_points_ceremony_holds_in_both(points_ceremony: Files, browser_verify: Callable[..., Report]) -> None:
    assert python_verify(points_ceremony, [OPERATOR.verifier])[1] is None
    report = browser_verify(zip_bytes(points_ceremony), [OPERATOR.verifier.vkey])
    assert page_failed_step(report) is None
    assert report["steps"][8]["line"].startswith("replay: 9 data file(s) reproduced byte for byte; 79 applicant(s)")
    assert "a 复核 run" in report["steps"][8]["line"]


#: Every tamper case of the audit tests as a function of the clean files: altered and malformed bundles, and
#: the dishonest operator's re-signed log edits (which must also name the same item).
#: ``row-edited-hash-resigned`` hands a lottery seat (a ``results.csv`` row ending ``,no``) and has no points
#: form; the points forgeries below (FORGED) edit every points file the same way, rows tree re-signed or not.
TAMPER: dict[str, Callable[[Files], Files]] = {
    **{name: case[1] for name, case in {**MUTATIONS, **MALFORMED}.items()},
    **{name: (lambda f, e=case[2]: resigned(f, OPERATOR, e)) for name, case in RESIGNED.items()
       if name != "row-edited-hash-resigned"},
}


def _python_item(files: Files) -> str:
    """The item ``sunshine verify`` names at its failing step (the tamper cases name it for one-file kinds; a
    rows tree that differs only in cells names every CSV, and points runs publish six)."""
    from audit.errors import VerificationError
    from audit.verify import verify_bundle

    b = Bundle.from_files(files)
    with pytest.raises(VerificationError) as failed:
        for _line in verify_bundle(b, trusted_keys=[OPERATOR.verifier], execute=get_kind(b.kind).execute):
            pass
    return failed.value.item


@pytest.mark.parametrize("case", sorted(TAMPER))
def test_every_tampered_points_bundle_fails_at_the_same_step(case: str, points_ceremony: Files,
                                                             browser_verify: Callable[..., Report]) -> None:
    """The tamper cases were written for the fake kind: the few that change nothing here must hold in both."""
    files = TAMPER[case](points_ceremony)
    python_step = python_verify(files, [OPERATOR.verifier])[1]
    if files != points_ceremony:
        assert python_step is not None, case
    if case in RESIGNED:
        assert python_step == RESIGNED[case][0]
    report = browser_verify(zip_bytes(files), [OPERATOR.verifier.vkey])
    assert page_failed_step(report) == python_step, report["verdict"]["en"]
    if case in RESIGNED:
        assert report["failed"]["item"] == _python_item(files)


def xlsx_cell_edit(member: str, old: str, new: str) -> Callable[[bytes], bytes]:
    """Change one cell inside a published workbook: the first ``old`` in the XML part ``member`` made ``new``,
    re-zipped as XlsxWriter zips (1980-01-01, deflated), so that only the cell differs."""
    import io
    import zipfile

    def edit(data: bytes) -> bytes:
        source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in source.infolist():
                part = source.read(info)
                if info.filename == member:
                    assert old.encode() in part, (member, old)
                    part = part.replace(old.encode(), new.encode(), 1)
                z.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), part, zipfile.ZIP_DEFLATED)
        return out.getvalue()
    return edit


def _edit_cell(column: str, row: int, value: Callable[[str], str]) -> Callable[[bytes], bytes]:
    """Change one cell of a published CSV (``row`` 1 = the first data line)."""
    def edit(data: bytes) -> bytes:
        lines = data.decode("utf-8").split("\n")
        header = lines[0].lstrip("\ufeff").split(",")
        cells = lines[row].split(",")
        k = header.index(column)
        cells[k] = value(cells[k])
        lines[row] = ",".join(cells)
        return "\n".join(lines).encode("utf-8")
    return edit


FORGED = {  # a dishonest operator edits one published file and re-signs everything: only the replay can tell
    "ranking-total-raised": ("ranking.csv", _edit_cell("total", 3, lambda v: str(int(float(v) + 1))),
                             "ranking.csv line 4"),
    "results-code-reversed": ("results.csv", _edit_cell("result", 2, lambda v: v[::-1]),
                               "results.csv line 3"),
    "schools-line-moved": ("schools.csv", _edit_cell("admission_line", 1, lambda v: "1" if v != "1" else "2"),
                           "schools.csv line 2"),
    "breakdown-rule-renamed": ("breakdown.csv", _edit_cell("rule", 1, lambda v: v + "（改）"),
                               "breakdown.csv line 2"),
    "publication-name-unmasked": ("publication.csv", _edit_cell("姓名", 1, lambda v: v.replace("*", "伟")),
                                  "publication.csv line 2"),
    "review-reason-changed": ("review_diff.csv", _edit_cell("reason", 1, lambda v: "复核：无"),
                              "review_diff.csv line 2"),
    # the lists for people: one cell edited inside the workbook (the first rank, a masked name unmasked)
    "publication-xlsx-rank-edited": (
        "publication.xlsx", xlsx_cell_edit("xl/worksheets/sheet1.xml", '<c r="B3"><v>1</v>', '<c r="B3"><v>2</v>'),
        'publication.xlsx xl/worksheets/sheet1.xml line 5: expected "<c r=\\"B3\\"><v>1</v>'),
    "ranking-xlsx-name-unmasked": ("ranking.xlsx", xlsx_cell_edit("xl/sharedStrings.xml", "*", "伟"),
                                   "ranking.xlsx xl/sharedStrings.xml line 2"),
}


def forged_result(files: Files, name: str, data: bytes) -> Files:
    """The bundle with result file ``name`` replaced by ``data``, and the log (hashes and rows tree), checkpoints and
    manifest re-signed to match: what a dishonest operator could publish, which only the replay can tell."""
    from audit.canonical import record_hash, sha256_hex
    from audit.result_rows import rows_commitment

    files = {**files, f"results/{name}": data}
    new_results: dict[str, str] = {}

    def edit(action: str, payload: Any) -> Any:
        if action == "run.execute":
            new_results.update({**payload["results"], name: sha256_hex(files[f"results/{name}"])})
            return {**payload, "results": new_results, "rows": rows_commitment(Bundle.from_files(files).results)}
        return {**payload, "results_hash": record_hash(new_results)} if action == "run.publish" else payload

    return _remanifest(resigned(files, OPERATOR, edit))


@pytest.mark.parametrize("case", sorted(FORGED))
def test_a_points_result_edited_and_resigned_fails_replay_in_both(case: str, points_ceremony: Files,
                                                                  browser_verify: Callable[..., Report]) -> None:
    name, edit_file, says = FORGED[case]
    forged = forged_result(points_ceremony, name, edit_file(points_ceremony[f"results/{name}"]))
    assert python_verify(forged, [OPERATOR.verifier])[1] == "replay"
    report = browser_verify(zip_bytes(forged), [OPERATOR.verifier.vkey])
    assert page_failed_step(report) == "replay" and report["failed"]["item"] == name, report["verdict"]["en"]
    assert says in report["failed"]["en"]
