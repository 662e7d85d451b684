"""Fuzzing every file parser with hypothesis: the real sample files, mutated byte-wise and structurally.

Property, for every parser and every mutated input: it returns, or raises one of the project's own
errors (``engine.errors.SunshineError``, ``audit.errors.VerificationError`` …) with a message in Chinese
and English — never another exception, never a hang (pytest-timeout bounds each test). Inputs are the
files of ``samples/`` (and a bundle and receipt built from them), so a mutation lands in a real header,
a real cell, a real zip member, not only in noise. Counts per parser are in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hostile_samples import HOSTILE_TEXTS, outcome_of, sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.inputs import InputFile
from api.runs.build import build_practice
from api.runs.classes import prepare_classes
from api.runs.lottery import LOTTERY, prepare_lottery
from api.runs.points import prepare_points
from api.service.receipts import receipt_for
from api.tables import Column, read_table
from api.xlsx import Sheet, xlsx_bytes
from audit.bundle import Bundle, read_zip, zip_bytes
from audit.receipt import verify_receipt
from audit.verify import verify_bundle
from engine.points.rules import parse_rule_set

pytestmark = pytest.mark.timeout(240)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])
SLOW_FUZZ = settings(FUZZ, max_examples=60)
SEED = bytes.fromhex("5c" * 32)

#: Byte strings a mutation inserts: what breaks CSV, encodings, TOML, JSON and zips.
SPECIAL = (b"\x00", b"\xef\xbb\xbf", b'"', b"\r", b"\n", b"\r\n", b",", b"\t", b"\xff", b"\x81", b"\xa1\xa1", b"=",
           b"-", b"9" * 40, b"1e999999999", b";", "；".encode(), b"\\", b"[", b"{", b"]]", b"'", b"PK\x03\x04",
           b"\xe4\xb8", "志愿".encode(), b"NaN", b"-0", b"9999-99-99", b"\x1a")
#: Cell values a structural mutation writes.
CELLS = (*HOSTILE_TEXTS, "", " ", "9" * 5000, "1e999999999", "-1", "0", "NaN", "inf", "2024-02-30", "9999-12-31",
         "是否", "S0001;S0001", "S9999", "；；", "\x00", "\ufeff", "李" * 200, "1.005", "-0", "T0001", "S0001:9")


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with 1–6 edits: flip, insert a special string, delete, duplicate a span, truncate."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        op = draw(st.sampled_from(("flip", "insert", "delete", "duplicate", "truncate")))
        if op == "flip" and out:
            out[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            out[at:at] = draw(st.sampled_from(SPECIAL))
        elif op == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            out[at:at] = out[at:at + draw(st.integers(1, 256))]
        elif op == "truncate":
            del out[at:]
    return bytes(out)


@st.composite
def table_mutations(draw: st.DrawFn, data: bytes) -> list[list[str]]:
    """The CSV table ``data`` with 1–5 structural edits: a cell set to a hostile value, a row repeated or
    dropped, a column dropped or swapped, a header renamed, rows reordered."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for _ in range(draw(st.integers(1, 5))):
        r = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(("cell", "cell", "cell", "repeat", "drop_row", "drop_col", "swap_cols",
                                   "header", "reverse")))
        width = max(len(rows[0]), 1)
        c = draw(st.integers(0, width - 1))
        if op == "cell" and c < len(rows[r]):
            rows[r][c] = draw(st.sampled_from(CELLS))
        elif op == "repeat":
            rows.insert(r, list(rows[r]))
        elif op == "drop_row" and len(rows) > 1:
            del rows[r]
        elif op == "drop_col":
            rows = [row[:c] + row[c + 1:] for row in rows]
        elif op == "swap_cols":
            d = draw(st.integers(0, width - 1))
            for row in rows:
                if c < len(row) and d < len(row):
                    row[c], row[d] = row[d], row[c]
        elif op == "header" and c < len(rows[0]):
            rows[0][c] = draw(st.sampled_from((*CELLS, rows[0][c] + " ", rows[0][c].upper(), "志愿1")))
        elif op == "reverse":
            rows[1:] = rows[:0:-1]
    return rows


def _csv(rows: list[list[str]], encoding: str, bom: bool) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + data


@st.composite
def csv_inputs(draw: st.DrawFn, kind: str, name: str) -> bytes:
    """A mutated ``samples/<kind>/<name>``: byte edits of the file, or a structurally edited table written
    as UTF-8 (with or without BOM) or GB18030."""
    data = sample(kind, name)
    if draw(st.booleans()):
        return draw(byte_mutations(data))
    return _csv(draw(table_mutations(data)), draw(st.sampled_from(("utf-8", "gb18030"))), draw(st.booleans()))


def _check(parse: Callable[[], object]) -> None:
    outcome_of(parse)  # returns, or raises a bilingual SunshineError; anything else fails the test


# ---------------------------------------------------------------- CSV tables through the three run kinds


@FUZZ
@given(st.data())
def test_fuzz_lottery_inputs(data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(("applicants.csv", "schools.csv")))
    files = {n: sample("lottery", n) for n in ("applicants.csv", "schools.csv")}
    files[which] = data.draw(csv_inputs("lottery", which))
    _check(lambda: prepare_lottery(InputFile("schools.csv", files["schools.csv"]),
                                   InputFile("applicants.csv", files["applicants.csv"]), "da", True))


@FUZZ
@given(st.data())
def test_fuzz_points_inputs(data: st.DataObject) -> None:
    names = ("applicants.csv", "schools.csv", "corrections.csv")
    which = data.draw(st.sampled_from(names))
    files = {n: sample("points", n) for n in names}
    files[which] = data.draw(csv_inputs("points", which))
    _check(lambda: prepare_points(InputFile("rules.toml", sample("points", "rules.toml")),
                                  InputFile("applicants.csv", files["applicants.csv"]),
                                  InputFile("schools.csv", files["schools.csv"]),
                                  corrections=InputFile("corrections.csv", files["corrections.csv"])))


@FUZZ
@given(st.data())
def test_fuzz_classes_students(data: st.DataObject) -> None:
    students = data.draw(csv_inputs("classes", "students.csv"))
    _check(lambda: prepare_classes(InputFile("students.csv", students), None,
                                   InputFile("config.toml", sample("classes", "config.toml"))))


def test_classes_score_with_a_huge_exponent() -> None:
    students = sample("classes", "students.csv").replace(b",81,", b",1e999999999,", 1)
    _check(lambda: prepare_classes(InputFile("students.csv", students), None,
                                   InputFile("config.toml", sample("classes", "config.toml"))))


# ---------------------------------------------------------------- TOML rule sets and configs


@FUZZ
@given(st.data())
def test_fuzz_points_rule_set(data: st.DataObject) -> None:
    rules = data.draw(byte_mutations(sample("points", "rules.toml")))
    _check(lambda: prepare_points(InputFile("rules.toml", rules),
                                  InputFile("applicants.csv", sample("points", "applicants.csv")),
                                  InputFile("schools.csv", sample("points", "schools.csv"))))


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_rule_set_text(text: str) -> None:
    _check(lambda: parse_rule_set(sample("points", "rules.toml").decode() + "\n" + text))


@FUZZ
@given(st.data())
def test_fuzz_classes_config(data: st.DataObject) -> None:
    config = data.draw(byte_mutations(sample("classes", "config.toml")))
    _check(lambda: prepare_classes(InputFile("students.csv", sample("classes", "students.csv")), None,
                                   InputFile("config.toml", config)))


# ---------------------------------------------------------------- XLSX


COLUMNS = [Column("applicant_id", ("报名号",), required=True, identifier=True), Column("choices", ("志愿",)),
           Column("tier", ("类别",))]


@cache
def _workbook_members() -> dict[str, bytes]:
    rows = list(csv.reader(io.StringIO(sample("lottery", "applicants.csv").decode("utf-8-sig"))))
    book = xlsx_bytes([Sheet("报名", "2026 报名名单", rows[0], rows[1:60])])
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@FUZZ
@given(st.data())
def test_fuzz_xlsx(data: st.DataObject) -> None:
    """Byte edits of one member (re-zipped, so they reach the XML parser), or of the whole zip."""
    members = dict(_workbook_members())
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(members)))
        members[name] = data.draw(byte_mutations(members[name]))
        book = zip_bytes(members)
    else:
        book = data.draw(byte_mutations(zip_bytes(members)))
    _check(lambda: read_table(InputFile("报名.xlsx", book), COLUMNS))


@SLOW_FUZZ
@given(st.data())
def test_fuzz_xlsx_tables(data: st.DataObject) -> None:
    """Structurally edited tables written as real workbooks (typed cells: numbers where text was)."""
    rows = data.draw(table_mutations(sample("lottery", "applicants.csv")))[:80]
    numbers = data.draw(st.sampled_from(("none", "tiers", "all")))  # "all": ids as number cells, refused

    def cell(c: int, text: str) -> Any:
        typed = numbers == "all" or (numbers == "tiers" and c > 0)
        return int(text) if typed and text.isdigit() and len(text) < 15 else text

    typed: list[list[Any]] = [[cell(c, text) for c, text in enumerate(row)] for row in rows[1:]]
    book = xlsx_bytes([Sheet("报名", "名单", rows[0], typed)])
    _check(lambda: prepare_lottery(InputFile("schools.csv", sample("lottery", "schools.csv")),
                                   InputFile("applicants.xlsx", book), "da", True))


# ---------------------------------------------------------------- bundle.zip and receipts


@cache
def _publication() -> tuple[dict[str, bytes], bytes, dict[str, Any]]:
    run = prepare_lottery(InputFile("schools.csv", sample("lottery", "schools.csv")),
                          InputFile("applicants.csv", sample("lottery", "applicants.csv")), "da", True)
    pub = build_practice(run, SEED)
    private = json.loads(pub.audit_private["audit-private/roster_private.json"])
    applicant = str(run.roster[0]["id"])
    receipt = receipt_for(pub.bundle, applicant, private[applicant])
    return pub.bundle, pub.bundle_zip, receipt


def _verify_zip(data: bytes) -> None:
    bundle = Bundle.from_files(read_zip(data))
    for _ in verify_bundle(bundle, trusted_keys=None, execute=LOTTERY.execute):
        pass


def test_the_unmutated_bundle_and_receipt_verify() -> None:
    _, zipped, receipt = _publication()
    _verify_zip(zipped)
    assert len(list(verify_receipt(receipt, None))) == 5


@SLOW_FUZZ
@given(st.data())
def test_fuzz_bundle(data: st.DataObject) -> None:
    """A member edited and re-zipped (reaches JSON, the log, Merkle proofs, replay), or the zip bytes edited."""
    files, zipped, _ = _publication()
    if data.draw(st.booleans()):
        members = dict(files)
        name = data.draw(st.sampled_from(sorted(members)))
        members[name] = data.draw(byte_mutations(members[name]))
        zipped = zip_bytes(members)
    else:
        zipped = data.draw(byte_mutations(zipped))
    _check(lambda: _verify_zip(zipped))


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2**64),
                       st.text(max_size=20), st.sampled_from(("", "00" * 32, "zz", "results.csv", "-1")))
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5),
                                                                                           inner, max_size=3),
                        max_leaves=8)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(obj))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def _verify_receipt_bytes(text: bytes) -> None:
    """What ``sunshine verify-receipt`` does with the file's bytes."""
    from api.cli.audit import load_receipt

    for _ in verify_receipt(load_receipt(text, "receipt.json"), None):
        pass


@FUZZ
@given(st.data())
def test_fuzz_receipt(data: st.DataObject) -> None:
    """A value anywhere in the receipt replaced by any JSON value, or the JSON text edited byte-wise."""
    _, _, receipt = _publication()
    if data.draw(st.booleans()):
        path = data.draw(st.sampled_from(_paths(receipt)))
        text = json.dumps(_set(receipt, path, data.draw(_json_values()))).encode()
    else:
        text = data.draw(byte_mutations(json.dumps(receipt, ensure_ascii=False, indent=1).encode()))
    _check(lambda: _verify_receipt_bytes(text))


@pytest.mark.parametrize("text", [b"[" * 100_000, b'{"a":' * 100_000, b"\xff\xfe", b"", b"1e999999999",
                                  b'{"format": "sunshine-receipt/v1"}'])
def test_hostile_receipt_files(text: bytes) -> None:
    assert outcome_of(lambda: _verify_receipt_bytes(text)) == "VerificationError"


@pytest.mark.parametrize("member", ["manifest.json", "keys.json", "roster.jsonl", "log.jsonl", "checkpoints.json"])
def test_deeply_nested_json_in_a_bundle(member: str) -> None:
    files, _, _ = _publication()
    zipped = zip_bytes({**files, member: b"[" * 100_000 + b"]" * 100_000})
    assert outcome_of(lambda: _verify_zip(zipped)) in ("BundleError", "VerificationError")
