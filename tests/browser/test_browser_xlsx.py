"""The page's XLSX writer (api/pages/verifier/xlsx.js, docs/xlsx.md) gives ``api.xlsx.xlsx_bytes``'s bytes.

Generated sheets go through both writers: the sheet names we write, titles of one to six lines (practice or
not, short and wide), headers and rows of text (CJK, wide and narrow, XML specials, control characters,
``_xHHHH_`` look-alikes, edge whitespace, formula-like text, ``<r>…</r>``), integers and hundredths as number
cells, empty cells and ragged rows. One page evaluation per example, all in the session's one Chromium. Then an official
(witnessed, drand-seeded) lottery with its list is VERIFIED in both, and the list edited by one cell and re-signed
fails at replay in both.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_browser_official import APPLICANTS, SCHOOLS
from test_browser_verifier import OPERATOR, page_failed_step, python_verify
from test_browser_verifier_points import forged_result, xlsx_cell_edit

from api.audit_runs import load_bundle_files
from api.runs.lottery import prepare_lottery
from api.xlsx import Sheet, Title, xlsx_bytes
from audit.bundle import zip_bytes
from audit.signing import Verifier

Report = dict[str, Any]
Files = dict[str, bytes]

NAMES = ("各校录取", "学校汇总", "未录取", "公示名单", "排名")
PIECES = ("a", "Z", "7", " ", "中", "学校", "=", "-", "+", "@", "\t", "\n", "\r", "&", "<", ">", '"', "'", "_x0041_",
          "\x01", "\x1f", "\u3000", "\x85", "\ufeff", "😀", "ｱ", "é", "<r>", "</r>", "FS2024")
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
CELL = st.one_of(st.none(), TEXT, st.integers(-10**9, 10**13), st.tuples(st.just("h"), st.integers(-10**12, 10**12)))

IN_PAGE = ("([sheets]) => toHex(xlsxBytes(sheets.map((s) => ({ ...s, rows: s.rows.map((r) => r.map("
           "(v) => (Array.isArray(v) ? (v[1] === 0 ? 0 : v[1] / 100) : v))) }))))")


@st.composite
def workbooks(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...], bool, list[str], list[list[Any]]]]:
    practice = draw(st.booleans())
    out = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)):
        width = draw(st.integers(1, 12))
        header = draw(st.lists(TEXT.filter(bool), min_size=width, max_size=width))
        rows = draw(st.lists(st.lists(CELL, max_size=width + 1), max_size=30))
        lines = tuple(draw(st.lists(st.tuples(TEXT, st.integers(0, 40)).map(lambda t: t[0] + "标题" * t[1]),
                                    min_size=1, max_size=6)))
        out.append((name, lines, practice, header, rows))
    return out


def _python(cell: Any) -> Any:
    return Decimal(cell[1]) / 100 if isinstance(cell, tuple) else cell


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=workbooks())
def test_the_page_writes_the_workbook_bytes_python_writes(book: list[Any], verifier_page: Any) -> None:
    want = xlsx_bytes([Sheet(n, Title(lines, practice), header, [[_python(c) for c in r] for r in rows])
                       for n, lines, practice, header, rows in book])
    sheets = [{"name": n, "title": {"lines": list(lines), "practice": practice}, "header": header,
               "rows": [[list(c) if isinstance(c, tuple) else c for c in r] for r in rows]}
              for n, lines, practice, header, rows in book]
    assert verifier_page.evaluate(IN_PAGE, [sheets]) == want.hex()


@pytest.fixture(scope="module")
def official_lottery(audit_helpers: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Files:
    """A small lottery through the two-witness quicknet ceremony: its results_by_school.xlsx title rows carry an
    official run's facts (the run.execute time in Beijing time, the witnesses, the drand round)."""
    base = tmp_path_factory.mktemp("official-xlsx")
    audit_helpers.drive_ceremony(base / "run", OPERATOR, prepare_lottery(SCHOOLS, APPLICANTS), out=base / "out")
    return load_bundle_files(base / "out")


@pytest.fixture(scope="module")
def all_keys(audit_helpers: ModuleType) -> list[str]:
    return [OPERATOR.verifier.vkey, *(s.verifier.vkey for s in audit_helpers.WITNESSES.values())]


def test_an_official_lottery_and_its_xlsx_list_are_verified_in_the_page(
        official_lottery: Files, all_keys: list[str], browser_verify: Callable[..., Report]) -> None:
    assert "results/results_by_school.xlsx" in official_lottery
    assert python_verify(official_lottery, [Verifier.from_vkey(k) for k in all_keys])[1] is None
    report = browser_verify(zip_bytes(official_lottery), all_keys)
    assert page_failed_step(report) is None, report["verdict"]
    assert report["steps"][8]["line"] == "replay: 4 data file(s) reproduced byte for byte"
    assert report["ok"] and report["verdict"]["en"].startswith("VERIFIED"), report["verdict"]


def test_an_official_xlsx_list_edited_and_resigned_fails_replay_in_both(
        official_lottery: Files, all_keys: list[str], browser_verify: Callable[..., Report]) -> None:
    """One number cell of 学校汇总 (S1's 招生计划) changed inside the workbook, everything re-signed."""
    name = "results_by_school.xlsx"
    edit = xlsx_cell_edit("xl/worksheets/sheet2.xml", '<c r="C3"><v>1</v>', '<c r="C3"><v>9</v>')
    forged = forged_result(official_lottery, name, edit(official_lottery[f"results/{name}"]))
    assert python_verify(forged, [Verifier.from_vkey(k) for k in all_keys])[1] == "replay"
    report = browser_verify(zip_bytes(forged), all_keys)
    assert page_failed_step(report) == "replay" and report["failed"]["item"] == name, report["verdict"]["en"]
    says = 'results_by_school.xlsx xl/worksheets/sheet2.xml line 5: expected "<c r=\\"C3\\"><v>1</v>'
    assert says in report["failed"]["en"]
