"""Applying 复核 corrections to records, checked: the one loop the lottery and class placement share.

A correction names a record (报名号 / 学号), a field, the value found on file (``old``), the
verified value (``new``) and a reason. Before anything is changed every correction must
name a known record, its ``old`` must be the value the original run used (else the file
is stale or names the wrong record: refused, never silently applied), each (record, field)
is corrected once, and a withdrawal is the record's only correction. Because of these rules
the result does not depend on the corrections' order. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from engine.errors import EngineError

__all__ = ["WITHDRAW", "CorrectionLike", "Subject", "apply_checked"]

#: The field of a withdrawal (退出 / 放弃) in every kind.
WITHDRAW = "withdraw"

T = TypeVar("T")


class CorrectionLike(Protocol):
    """What :func:`apply_checked` reads of a correction."""

    @property
    def field(self) -> str: ...

    @property
    def old(self) -> object: ...

    @property
    def new(self) -> object: ...


C = TypeVar("C", bound=CorrectionLike)


@dataclass(frozen=True)
class Subject(Generic[T, C]):
    """How one kind's records are corrected: the record a correction names, a field's value, the change."""

    who_zh: str  # 报名号 / 学号
    who_en: str  # applicant / student
    id_of: Callable[[C], str]
    current: Callable[[T, C], object]
    change: Callable[[T, C], T]
    field_zh: Callable[[str], str] = str
    field_en: Callable[[str], str] = str
    show: Callable[[object], str] = repr


def apply_checked(records: Mapping[str, T], corrections: Sequence[C], subject: Subject[T, C]
                  ) -> tuple[dict[str, T], tuple[str, ...]]:
    """``records`` with the corrections applied, and the withdrawn ids sorted by UTF-8 bytes.

    Raises :class:`EngineError` for an unknown record, an ``old`` that differs from the value
    on file (type included), a field corrected twice, or a withdrawal with other corrections.
    """
    out = dict(records)
    seen: set[tuple[str, str]] = set()
    withdrawn: set[str] = set()
    touched: set[str] = set()
    who_zh, who_en = subject.who_zh, subject.who_en
    for c in corrections:
        rid = subject.id_of(c)
        record = out.get(rid)
        if record is None:
            raise EngineError(f"更正引用了未知{who_zh}「{rid}」", f"correction names unknown {who_en} '{rid}'")
        if (rid, c.field) in seen:
            raise EngineError(f"{who_zh} {rid} 的「{subject.field_zh(c.field)}」更正了两次",
                              f"{who_en} {rid}: {subject.field_en(c.field)} is corrected twice")
        seen.add((rid, c.field))
        if c.field == WITHDRAW:
            withdrawn.add(rid)
            continue
        touched.add(rid)
        have = subject.current(record, c)
        if have != c.old or type(have) is not type(c.old):
            raise EngineError(
                f"{who_zh} {rid} 的「{subject.field_zh(c.field)}」在册值为 {subject.show(have)}，"
                f"与更正记录的原值 {subject.show(c.old)} 不符",
                f"{who_en} {rid}, {subject.field_en(c.field)}: the value on file {subject.show(have)} "
                f"does not match the correction's old value {subject.show(c.old)}")
        out[rid] = subject.change(record, c)
    both = sorted(withdrawn & touched)
    if both:
        raise EngineError(f"{who_zh} {both[0]} 已退出，不能再更正其他项目",
                          f"{who_en} {both[0]} withdraws and cannot also have other corrections")
    return out, tuple(sorted(withdrawn, key=str.encode))
