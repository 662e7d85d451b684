"""Strict key checking for parsed TOML/JSON configuration: an unknown key is an error, never ignored.

Why: a misspelt key in a rule set or config (``minimun_total``, ``max_preference``,
``cpa`` inside an item, a misspelt table name) used to be silently ignored, so the
default applied and admissions changed without a word. Every parser of a user-given
TOML or JSON file describes the keys it accepts as a :data:`Schema` and calls
:func:`check_keys` on the parsed data *before* reading any value; the first unknown key
(in document order) raises :class:`~engine.errors.ConfigError` naming the file, the key
path (``items[3].cpa``) and the nearest valid key (difflib), in Chinese and English.

A schema is data, not code:

* :class:`KeyTable` — a table with a fixed set of keys, each mapped to the schema of its value;
* :class:`Named` — a table whose keys are names the user chooses (``[fields]``,
  ``[groups]``, ``weights``), each value checked against one schema;
* :class:`ListOf` — an array whose elements are checked against one schema;
* :data:`ANY` — a value whose inner shape is not checked here (scalars, lists of strings;
  the parser checks their types).

Values of the wrong *shape* (a scalar where a table is expected) are left to the parser,
which gives the type error with its own wording; this module only reports keys.
Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from engine.errors import ConfigError

__all__ = ["ANY", "Free", "KeyTable", "ListOf", "Named", "Schema", "check_keys", "nearest_key"]


@dataclass(frozen=True)
class Free:
    """A value whose contents are not key-checked (scalars, arrays of scalars)."""


@dataclass(frozen=True)
class KeyTable:
    """A table with fixed keys: ``keys[name]`` is the schema of that key's value."""

    keys: Mapping[str, Schema]


@dataclass(frozen=True)
class Named:
    """A table of user-chosen names (field names, group names, subject names), each value of one schema."""

    value: Schema


@dataclass(frozen=True)
class ListOf:
    """An array whose every element has the schema ``element``."""

    element: Schema


Schema: TypeAlias = Free | KeyTable | Named | ListOf
ANY = Free()


def nearest_key(key: str, known: Mapping[str, object] | tuple[str, ...] | list[str]) -> str | None:
    """The valid key closest to ``key`` (difflib ratio ≥ 0.6, case-insensitive), or ``None``."""
    names = list(known)
    lowered = {n.lower(): n for n in names}
    match = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unknown(file: str, path: str, key: str, known: Mapping[str, object]) -> ConfigError:
    where = _join(path, key)
    guess = nearest_key(key, known)
    listing = ", ".join(sorted(known))
    if guess is not None:
        return ConfigError(file, where, f"未知配置项「{key}」，是否应为「{guess}」？（可用：{listing}）",
                           f"unknown key '{key}'; did you mean '{guess}'? (known: {listing})")
    return ConfigError(file, where, f"未知配置项「{key}」（可用：{listing}）",
                       f"unknown key '{key}' (known: {listing})")


def check_keys(data: Any, schema: Schema, file: str, path: str = "") -> None:
    """Raise :class:`ConfigError` at the first key in ``data`` that ``schema`` does not allow.

    ``path`` is the key path of ``data`` itself (empty at the top level); reported paths
    look like ``ruleset.minimun_total``, ``items[3].cpa`` and ``fields.tax.typ``.
    """
    if isinstance(schema, Free):
        return
    if isinstance(schema, ListOf):
        if isinstance(data, list):
            for i, element in enumerate(data):
                check_keys(element, schema.element, file, f"{path}[{i}]")
        return
    if not isinstance(data, Mapping):
        return  # a shape error: the parser reports it with the expected type
    for key, value in data.items():
        key_text = str(key)
        if isinstance(schema, Named):
            check_keys(value, schema.value, file, _join(path, key_text))
            continue
        if key_text not in schema.keys:
            raise _unknown(file, path, key_text, schema.keys)
        check_keys(value, schema.keys[key_text], file, _join(path, key_text))
