"""Byte-reproducible XLSX workbooks for the lists people open (公示名单, class lists, results per school).

The bytes are written by :mod:`api.xlsx_writer` from the specification docs/xlsx.md (the browser
verifier's xlsx.js is its twin); they are the bytes XlsxWriter 3.3 wrote for the same sheets, which
the tests keep as the reference (tests/api/xlsx_reference.py). Why hand-writing: see that module.

Every sheet has the same shape, so a clerk always finds things in the same place:

* row 1: the title (:func:`run_title`): ``练习运行 PRACTICE`` first and in red when it is one,
  what the list is, the kind and run id, the run's recorded time, the seed's source and its
  first hex digits — one wrapped cell merged over the columns, bold, as tall as its lines;
* row 2: the column headers, bold, frozen with the title so they stay visible when scrolling
  (and printed on every page: A4, one page wide, landscape for wide tables);
* then the rows. ``int`` and :class:`~decimal.Decimal` cells are *number* cells (sortable and
  summable in Excel/WPS); everything else is text — application numbers and ID-like codes stay
  text on purpose, so Excel cannot drop their leading zeros or digits.

Column widths follow the longest cell (a CJK character counts as two), within 6–60.

Formula injection: every text cell is a shared-string cell (never a formula), so a name like
``=HYPERLINK(…)`` is never evaluated. A text cell that :func:`api.outputs.starts_formula` also gets Excel's own
"quote prefix" style (``quotePrefix``, what typing a leading ``'`` does): it shows the text
as written and stays text when somebody edits the cell — the XLSX counterpart of the ``'``
the CSV files carry. The style is added only to a workbook that has such a cell, so the bytes
of every other workbook are as before.
"""

from __future__ import annotations

import datetime as dt

from api.xlsx_writer import CellValue, Sheet, Title, display_width, xlsx_bytes
from audit.run_facts import RunFacts

__all__ = ["KIND_NAMES", "PRACTICE_BANNER", "XLSX_MAX_APPLICANTS", "CellValue", "Sheet", "Title", "beijing_time",
           "display_width", "run_title", "xlsx_bytes"]

#: The new per-run workbooks (``ranking.xlsx``, ``results_by_school.xlsx``) are written for runs of at
#: most this many applicants — a district's run. Writing costs about 10–15 µs a cell, so a city-scale
#: run (200k applicants × 30 columns) would spend minutes on workbooks in every replay and verify;
#: it has the CSVs, which Excel and WPS open too. ``publication.xlsx`` is always written.
XLSX_MAX_APPLICANTS = 50_000

#: The kinds' names as a clerk knows them (the title rows name the kind in Chinese first).
KIND_NAMES = {"lottery": "多校划片电脑随机派位 lottery", "points": "随迁子女积分入学 points admission",
              "classes": "阳光编班 class placement"}
#: The first title line of a practice run's lists (in red).
PRACTICE_BANNER = "【练习运行 PRACTICE】不是正式结果，不能公示 (not an official result)"
#: Beijing time, UTC+8 all year (no daylight saving): the log's UTC times are shown in it.
_BEIJING = dt.timezone(dt.timedelta(hours=8))


def beijing_time(log_time: str) -> str:
    """A log time ``YYYY-MM-DDTHH:MM:SSZ`` as ``YYYY-MM-DD HH:MM:SS`` Beijing time (UTC+8)."""
    moment = dt.datetime.strptime(log_time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return moment.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def run_title(what: str, seed: bytes, facts: RunFacts | None = None) -> Title:
    """The title row of a public list: what it is and which run it belongs to.

    With the run's :class:`~audit.run_facts.RunFacts` (every published run): ``练习运行 PRACTICE``
    first when it is one, then the list, the kind and run id, the run's own recorded time (the
    signed ``run.execute`` entry's, in Beijing time; a practice run records none and says so),
    where the seed came from and its first 16 hex digits. Every fact is in the bundle, so replay
    and verify recompute the same bytes. Without facts (a computation that is not a run: tests,
    simulations) the title names the seed only.
    """
    seed_line = f"随机种子 seed {seed.hex()[:16]}… · 以 bundle.zip 核验为准 (verify with bundle.zip)"
    if facts is None:
        return Title((what, seed_line))
    run = f"{KIND_NAMES.get(facts.kind, facts.kind)} · 运行编号 run {facts.run_id}"
    if facts.time is not None:
        when = f"运行时间 {beijing_time(facts.time)}（北京时间 UTC+8）"
    else:
        when = "运行时间：练习运行不记录时间 (practice: no time recorded)"
    source = f"种子来源 seed：{facts.seed_source}"
    banner = (PRACTICE_BANNER,) if facts.practice else ()
    return Title((*banner, what, run, when, source, seed_line), facts.practice)
