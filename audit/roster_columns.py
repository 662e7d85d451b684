"""A roster held as columns: one list per record key, records made only when one is asked for.

Why (issue 12): a city's roster is a million records. The column-wise ingest already has
every field as a column; turning them into a million dicts, and then reading the dicts back
key by key for the roster commitment (:func:`audit.canonical_columns.record_shape`) and for
the lottery market, cost seconds. A :class:`ColumnRoster` is a ``Sequence`` of records like
any roster (``PreparedRun.roster``'s contract is unchanged: ``len``, indexing, iteration,
equality with a list of the same records), and :func:`column_of` hands a consumer a whole
column: for a ``ColumnRoster`` the column it holds, for any other sequence of records the
values read record by record. Both give the same values, so every consumer has one code path.

Each record made from the columns is a fresh ``dict`` (lists and objects in it are copies),
so a consumer that changes a record cannot change the roster or another record, exactly as
with the separate dicts a list roster holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from operator import itemgetter, methodcaller
from typing import Any, overload

from engine.coded_lists import CodedLists

__all__ = ["CodedLists", "ColumnRoster", "column_of"]

_ABSENT: Any = object()


class ColumnRoster(Sequence[dict[str, Any]]):
    """Records as columns: ``columns[key][i]`` is record ``i``'s value of ``key`` (every record has every key).

    The key order of the columns is the key order of each record. What the producer knows of
    a column may be declared, so consumers need not scan it: ``coded[key]`` the same lists as
    codes (:class:`CodedLists`), ``strings`` the keys whose every value is a ``str``. A
    declaration must describe its column exactly (the tests commit both ways and compare).
    """

    __slots__ = ("_coded", "_columns", "_n", "_strings")

    def __init__(self, columns: Mapping[str, list[Any]], coded: Mapping[str, CodedLists] | None = None,
                 strings: Collection[str] = ()) -> None:
        sizes = {len(c) for c in columns.values()}
        if len(sizes) > 1:
            raise ValueError(f"columns of different lengths: {sorted(sizes)}")
        self._columns = dict(columns)
        self._n = sizes.pop() if sizes else 0
        self._coded = dict(coded or {})
        self._strings = frozenset(strings)
        if any(k not in self._columns or len(c) != self._n for k, c in self._coded.items()) or (
                self._strings - set(self._columns)):
            raise ValueError("a declaration names a column that is not there or has another length")

    @property
    def columns(self) -> dict[str, list[Any]]:
        """The columns by key (read-only by convention: consumers share them)."""
        return self._columns

    @property
    def coded(self) -> dict[str, CodedLists]:
        """Declared list columns as codes, by key."""
        return self._coded

    @property
    def strings(self) -> frozenset[str]:
        """Keys declared to hold only ``str`` values."""
        return self._strings

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> ColumnRoster: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | ColumnRoster:
        if isinstance(index, slice):  # a slice keeps the string declarations; lists are scanned again
            return ColumnRoster({k: c[index] for k, c in self._columns.items()}, strings=self._strings)
        return {k: _fresh(c[index]) for k, c in self._columns.items()}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[i] for i in range(self._n))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnRoster):
            return self._columns == other._columns
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(other) == self._n and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking like a list: not hashable

    def __repr__(self) -> str:
        return f"ColumnRoster({self._n} records, keys {list(self._columns)})"


def _fresh(value: Any) -> Any:
    if type(value) is list:
        return list(value)
    if type(value) is dict:
        return dict(value)
    return value


def column_of(records: Sequence[Mapping[str, Any]], key: str, default: Any = _ABSENT) -> list[Any]:
    """Every record's value of ``key`` in order (``default`` where a record lacks it; no default: KeyError).

    A :class:`ColumnRoster` gives its column itself (shared, not copied: do not change it);
    any other sequence is read record by record in one C-level pass.
    """
    if isinstance(records, ColumnRoster):
        found = records.columns.get(key)
        if found is not None:
            return found
        if default is _ABSENT:
            raise KeyError(key)
        return [default] * len(records)
    if default is _ABSENT:
        return list(map(itemgetter(key), records))
    return list(map(methodcaller("get", key, default), records))
