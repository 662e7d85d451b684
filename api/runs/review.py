"""Reading a 复核 corrections table (lottery and class placement): one reader, each kind's fields.

Edge module (does I/O). A bureau's 复核 record lists, per row, who (报名号 / 学号), what
(更正项目: 退出, 类别, 志愿, 性别, 数学 …), the value on file (原值), the verified value
(新值) and why (理由, required: the reason is published in ``review_diff.csv``). Each kind
describes its correctable fields with :class:`CorrectionField`; :func:`read_corrections`
checks every row against the *original* roster, so a stale or mistyped file is refused at
its row and column (bilingual, exit 2) before anything runs:

* the id must be on the roster, the field one of the kind's, the reason not blank;
* for a withdrawal (退出 / 放弃), 新值 is blank or says so (退出, 放弃, 是, withdrawn);
* otherwise 原值 must equal the value on file (as the roster reader would parse it) and
  新值 must differ from it;
* one row per (id, field); a withdrawn id has no other row.

The result is plain JSON sorted by (id, field), so the corrections' row order never changes
a byte of the run. Formats: ``docs/lottery.md`` and ``docs/classes.md`` § "复核 corrections".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.inputs import InputFile
from api.runs.kind import JSONObject, JSONValue, Record
from api.tables import Column, Row, Table, clean_text, read_table

__all__ = ["WITHDRAW", "CorrectionField", "ReadCorrection", "correction_columns", "read_corrections",
           "review_reason"]

#: The canonical field key of a withdrawal, and how a clerk may write it in 更正项目.
WITHDRAW = "withdraw"
_WITHDRAW_ALIASES = ("退出", "放弃", "放弃学位", "退出派位", "放弃入学", "转出", "转学", "撤回报名", "withdraw",
                     "withdrawal", "withdrawn")
_WITHDRAW_NEW = {"", "退出", "放弃", "放弃学位", "转出", "转学", "是", "yes", "withdraw", "withdrawn"}


@dataclass(frozen=True)
class CorrectionField:
    """A correctable field: its key in the config, how a clerk names it, how its cells parse, its value on file."""

    key: str
    aliases: tuple[str, ...]
    parse: Callable[[Table, Row, str], Any]  # the cell ``row[column]`` ("old" or "new") as plain JSON
    current: Callable[[Record], Any]  # the value on file, in the same JSON form
    show: Callable[[Any], str] = str


@dataclass(frozen=True)
class ReadCorrection:
    """One accepted row: where it was (for later located checks) and its JSON form."""

    row: Row
    item: JSONObject


def correction_columns(id_column: Column) -> tuple[Column, ...]:
    """The corrections table: the kind's id column, then 更正项目, 原值, 新值, 理由."""
    return (
        id_column,
        Column("field", ("更正项目", "字段", "项目", "field", "item"), required=True),
        Column("old", ("原值", "在册值", "old", "old_value")),
        Column("new", ("新值", "更正值", "new", "new_value")),
        Column("reason", ("理由", "更正理由", "复核意见", "原因", "reason"), required=True),
    )


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")


def read_corrections(source: InputFile, id_column: Column, records: Mapping[str, Record],
                     fields: Sequence[CorrectionField], *, id_zh: str, id_en: str
                     ) -> tuple[Table, list[ReadCorrection]]:
    """The rows of ``source`` checked against ``records`` (the original roster by id); see the module docstring."""
    table = read_table(source, correction_columns(id_column))
    by_name: dict[str, CorrectionField | None] = {_fold(a): None for a in _WITHDRAW_ALIASES}
    for f in fields:
        for alias in (f.key, *f.aliases):
            by_name.setdefault(_fold(alias), f)
    known = "、".join(["退出", *(f.aliases[0] if f.aliases else f.key for f in fields)])
    first: dict[tuple[str, str], int] = {}
    withdrawn: dict[str, int] = {}
    other: dict[str, int] = {}
    out: list[ReadCorrection] = []
    key = id_column.key
    if not table.rows:
        raise table.error(None, None, "更正表没有任何记录", "the corrections file has no rows")
    for row in table:
        rid = clean_text(row.get(key))
        if not rid:
            raise table.error(row, key, f"{id_zh}不能为空", f"the {id_en} must not be blank")
        record = records.get(rid)
        if record is None:
            raise table.error(row, key, f"{id_zh}「{rid}」不在原名单中",
                              f"{id_en} '{rid}' is not on the original roster")
        name = _fold(row.get("field"))
        if name not in by_name:
            raise table.error(row, "field", f"「{row.get('field')}」不是可更正的项目（可选：{known}）",
                              f"'{row.get('field')}' is not a field that can be corrected (known: {known})")
        spec = by_name[name]
        field = WITHDRAW if spec is None else spec.key
        reason = clean_text(row.get("reason"))
        if not reason:
            raise table.error(row, "reason", "理由不能为空（复核理由将公示）",
                              "the reason must not be blank (it is published in review_diff.csv)")
        if (rid, field) in first:
            raise table.error(row, "field", f"{id_zh} {rid} 的「{row.get('field')}」已在第 {first[rid, field]} 行更正",
                              f"{id_en} {rid}: this field is already corrected on row {first[rid, field]}")
        first[rid, field] = row.number
        if spec is None:
            if _fold(row.get("new")) not in _WITHDRAW_NEW:
                raise table.error(row, "new", f"退出时新值应为空或「退出」，不是「{row.get('new')}」",
                                  f"for a withdrawal the new value is blank or 退出, not '{row.get('new')}'")
            withdrawn[rid] = row.number
            old: JSONValue = None
            new: JSONValue = None
        else:
            other.setdefault(rid, row.number)
            old, new = spec.parse(table, row, "old"), spec.parse(table, row, "new")
            have = spec.current(record)
            if old != have:
                raise table.error(row, "old", f"原值「{row.get('old')}」与名单中的值「{spec.show(have)}」不符"
                                              "（更正表是否过期或填错了人？）",
                                  f"old value '{row.get('old')}' does not match the value on file "
                                  f"'{spec.show(have)}' (an outdated file or the wrong record?)")
            if new == old:
                raise table.error(row, "new", "新值与原值相同", "the new value equals the old value")
        if rid in withdrawn and rid in other:
            raise table.error(row, key, f"{id_zh} {rid} 已退出（第 {withdrawn[rid]} 行），不能再更正其他项目",
                              f"{id_en} {rid} withdraws (row {withdrawn[rid]}) and cannot have other corrections")
        out.append(ReadCorrection(row, {"id": rid, "field": field, "old": old, "new": new, "reason": reason}))
    out.sort(key=lambda c: (str(c.item["id"]).encode(), str(c.item["field"]).encode()))
    return table, out


def review_reason(zh: str, en: str) -> str:
    """The ``reason`` cell of ``review_diff.csv``: Chinese, then English (as in points' review_diff.csv)."""
    return f"{zh} / {en}"
