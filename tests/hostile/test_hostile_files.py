"""Specific hostile files: zip bombs (as .xlsx and as bundle.zip), XML entities (billion laughs, XXE),
a 100 MB single-line CSV, deeply nested TOML, huge numbers, NUL bytes, bad encodings, a BOM in the middle.
Each is refused with the project's own located, bilingual error (or read correctly), in bounded memory."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile_samples import ROOT, assert_bilingual, sample

from api.inputs import InputFile
from api.runs.classes import prepare_classes
from api.runs.lottery import prepare_lottery
from api.tables import Column, read_table
from api.xlsx import Sheet, xlsx_bytes
from audit.bundle import read_zip
from audit.errors import BundleError
from audit.zip_limits import BUNDLE_ZIP_LIMITS, XLSX_ZIP_LIMITS
from engine.errors import ConfigError, InputError
from engine.points.rules import parse_rule_set

pytestmark = pytest.mark.timeout(300)  # a hang is a failure, not a stuck suite

COLUMNS = [Column("id", ("编号",), required=True, identifier=True), Column("name", ("姓名",))]
MB = 1 << 20


def _workbook() -> bytes:
    return xlsx_bytes([Sheet("名单", "标题", ["编号", "姓名"], [["A1", "李四"], ["A2", "王五"]])])


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(files: dict[str, bytes], level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with the central directory claiming ``member`` inflates to ``size`` bytes (a lying zip)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46:at + 46 + name_len] == member.encode():
            struct.pack_into("<I", out, at + 24, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def _peak_mb(call: object) -> float:
    tracemalloc.start()
    try:
        call()  # type: ignore[operator]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MB


def test_a_plain_workbook_reads() -> None:
    table = read_table(InputFile("名单.xlsx", _workbook()), COLUMNS)
    assert [r.values for r in table] == [{"id": "A1", "name": "李四"}, {"id": "A2", "name": "王五"}]


def test_xlsx_zip_bomb_by_ratio_is_refused_before_inflating() -> None:
    files = _members(_workbook())
    sheet = files["xl/worksheets/sheet1.xml"]
    files["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", b" " * (200 * MB) + b"</sheetData>")
    bomb = _zip(files)
    assert len(bomb) < 1 * MB

    def read() -> None:
        with pytest.raises(InputError, match="a zip bomb") as info:
            read_table(InputFile("bomb.xlsx", bomb), COLUMNS)
        assert info.value.file == "bomb.xlsx" and "sheet1.xml" in info.value.message_en
        assert_bilingual(info.value)

    assert _peak_mb(read) < 20  # nothing was inflated


def test_xlsx_declaring_a_huge_member_is_refused() -> None:
    lying = _declare_size(_workbook(), "xl/sharedStrings.xml", XLSX_ZIP_LIMITS.member_bytes + 1)
    with pytest.raises(InputError, match="inflates to") as info:
        read_table(InputFile("lying.xlsx", lying), COLUMNS)
    assert_bilingual(info.value)


def test_xlsx_with_too_many_members_is_refused() -> None:
    files = {f"junk/{i}.xml": b"" for i in range(XLSX_ZIP_LIMITS.members + 1)}
    with pytest.raises(InputError, match="members") as info:
        read_table(InputFile("many.xlsx", _zip(files, level=1)), COLUMNS)
    assert_bilingual(info.value)


def _lol(depth: int = 9) -> bytes:
    entities = b"".join(b'<!ENTITY e%d "%s">' % (i, (b"&e%d;" % (i - 1)) * 10 if i else b"lol" * 10)
                        for i in range(depth))
    return b'<?xml version="1.0"?><!DOCTYPE lolz [' + entities + b"]>"


@pytest.mark.parametrize(("label", "prolog", "entity"), [
    ("billion laughs", _lol(), b"e8"),
    ("external entity", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"xxe"),
])
def test_xlsx_xml_entities_are_not_expanded(label: str, prolog: bytes, entity: bytes) -> None:
    assert openpyxl.DEFUSEDXML, "defusedxml must be installed: openpyxl parses with it only then"
    files = _members(_workbook())
    for name in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
        body = files[name].split(b"?>", 1)[1]
        files[name] = prolog + body.replace(b"A2", b"&" + entity + b";")
    with pytest.raises(InputError, match="entities or a DTD") as info:
        read_table(InputFile("evil.xlsx", _zip(files)), COLUMNS)
    assert "root:" not in info.value.diagnostics() and "lollol" not in info.value.diagnostics()
    assert_bilingual(info.value)


def test_xlsx_external_dtd_is_not_fetched() -> None:
    """A DOCTYPE naming an external DTD (on a port where nothing listens) is not loaded: the cells read as typed."""
    files = _members(_workbook())
    name = "xl/sharedStrings.xml"
    files[name] = b'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "http://127.0.0.1:9/evil.dtd">' + \
        files[name].split(b"?>", 1)[1]
    table = read_table(InputFile("dtd.xlsx", _zip(files)), COLUMNS)
    assert [r.values["name"] for r in table] == ["李四", "王五"]


def test_bundle_zip_bomb_is_refused_before_inflating() -> None:
    bomb = _zip({"manifest.json": b"{}", "roster.jsonl": b"\n" * (300 * MB)})

    def read() -> None:
        with pytest.raises(BundleError, match="a zip bomb") as info:
            read_zip(bomb)
        assert_bilingual(info.value)

    assert _peak_mb(read) < 20


def test_bundle_declaring_more_than_the_total_is_refused(tmp_path: Path) -> None:
    """Through the real CLI: ``sunshine verify`` of a lying zip exits 2 with a bilingual message."""
    lying = _declare_size(_zip({"manifest.json": b"{}"}), "manifest.json", BUNDLE_ZIP_LIMITS.member_bytes + 1)
    path = tmp_path / "bundle.zip"
    path.write_bytes(lying)
    with pytest.raises(BundleError, match="inflates to"):
        read_zip(lying)
    done = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "verify", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "inflates to" in done.stderr + done.stdout and "解压" in done.stderr + done.stdout


# A child process reads the file and reports its own peak RSS: numba's arrays are not seen by tracemalloc.
# VmHWM, not getrusage's ru_maxrss: Linux carries the forking parent's high-water mark across exec into
# ru_maxrss, so after a long pytest session every child would report the parent's size.
_READ_IN_CHILD = """
import sys
from api.inputs import InputFile
from api.runs.lottery import prepare_lottery
data = open(sys.argv[1], "rb").read()
try:
    prepare_lottery(InputFile("schools.csv", open(sys.argv[2], "rb").read()), InputFile("applicants.csv", data), "da",
                    False)
except Exception as exc:
    print(type(exc).__name__, getattr(exc, "row", None), exc.message_en if hasattr(exc, "message_en") else exc)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("peak_mb", int(hwm.split()[1]) // 1024)
"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("label", "line", "expect"), [
    ("one 100 MB cell", b"9" * (100 * MB), "field larger than field limit"),
    ("100 MB of cells", b"9," * (50 * MB), "more than 16384"),
    ("100 MB quoted cell", b'"' + b"a,\n" * (33 * MB) + b'"', "field larger than field limit"),
])
def test_a_100_mb_single_line_csv_is_refused_located_in_bounded_memory(tmp_path: Path, label: str, line: bytes,
                                                                       expect: str) -> None:
    path = tmp_path / "applicants.csv"
    path.write_bytes("报名号,志愿\n".encode() + line)
    done = subprocess.run([sys.executable, "-c", _READ_IN_CHILD, str(path), str(ROOT / "samples/lottery/schools.csv")],
                          cwd=ROOT, capture_output=True, text=True, timeout=280)
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert out.startswith("InputError 2 ") and expect in out, out
    peak = int(out.rsplit("peak_mb", 1)[1])
    print(label, "peak", peak, "MB")
    assert peak < 1200, f"{label}: {peak} MB"  # the 100 MB file, its decoded text and one working copy


@pytest.mark.parametrize("text", [
    "x = " + "[" * 5000 + "]" * 5000,
    "x = " + "{a = " * 3000 + "1" + "}" * 3000,
    "[ruleset]\nminimum_total = 1" + "0" * 5000,
    "[ruleset]\nminimum_total = 1e999999999",
    "[ruleset]\nminimum_total = 1\x00",
    "\ufeff[ruleset]\n\ufeffminimum_total = 1",
])
def test_hostile_rule_sets_fail_as_config_errors(text: str) -> None:
    with pytest.raises(ConfigError, match="rules.toml") as info:
        parse_rule_set(text, "rules.toml")
    assert_bilingual(info.value)


@pytest.mark.parametrize("text", ["x = " + "[" * 5000 + "]" * 5000, "classes = 1" + "0" * 5000])
def test_hostile_classes_configs_fail_as_config_errors(text: str) -> None:
    with pytest.raises(ConfigError, match="config.toml"):
        prepare_classes(InputFile("students.csv", sample("classes", "students.csv")), None,
                        InputFile("config.toml", text.encode()))


def _applicants(body: bytes) -> InputFile:
    return InputFile("applicants.csv", "报名号,志愿\n".encode() + body)


@pytest.mark.parametrize(("label", "body", "match"), [
    ("NUL in a cell", b"2026\x0001,S0001\n", None),
    ("invalid UTF-8 and GBK", b"202600010,S0001\xff\xfe\xfa\n", "cannot decode"),
    ("lone GBK lead byte", b"202600010,S0001\n" + b"\x81", "cannot decode"),
    ("BOM in the middle", "202600010,S0001\n\ufeff202600020,S0002\n".encode(), None),
    ("huge number as id", b"9" * 5000 + b",S0001\n", None),
    ("exponent as id", b"1e999999999,S0001\n", None),
    ("unknown school", b"202600010,S9999\n", "S9999"),
])
def test_broken_applicant_cells_are_read_or_refused_located(label: str, body: bytes, match: str | None) -> None:
    schools = InputFile("schools.csv", sample("lottery", "schools.csv"))
    try:
        run = prepare_lottery(schools, _applicants(body), "da", False)
    except InputError as exc:
        assert_bilingual(exc)
        assert exc.file == "applicants.csv"
        if match is not None:
            assert match in exc.message_en
        return
    assert match is None, f"{label}: expected a refusal"
    assert len(run.roster) == body.count(b"\n")


def test_bom_in_the_middle_is_kept_in_the_id_not_silently_merged() -> None:
    """A BOM inside the file is an ordinary character (U+FEFF) of the cell, so the id differs from the
    plain one rather than colliding with it or vanishing."""
    body = "202600010,S0001\n\ufeff202600010,S0002\n".encode()
    run = prepare_lottery(InputFile("schools.csv", sample("lottery", "schools.csv")), _applicants(body), "da", False)
    assert sorted(str(r["id"]) for r in run.roster) == ["202600010", "\ufeff202600010"]


def test_sunshine_verify_receipt_of_a_hostile_file_fails_cleanly(tmp_path: Path) -> None:
    """The real CLI: a receipt nested 100,000 deep fails step 1 (format) with exit 1, no traceback."""
    path = tmp_path / "receipt.json"
    path.write_bytes(b"[" * 100_000)
    done = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "verify-receipt", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "FAIL" in done.stdout and "Traceback" not in done.stderr, done.stderr
