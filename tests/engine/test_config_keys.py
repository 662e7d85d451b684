"""The one key checker: unknown keys at any level are errors naming the file, the path and the nearest key."""

from __future__ import annotations

import pytest

from engine.config_keys import ANY, KeyTable, ListOf, Named, check_keys, nearest_key
from engine.errors import ConfigError

SCHEMA = KeyTable({
    "ruleset": KeyTable({"minimum_total": ANY, "max_preferences": ANY}),
    "fields": Named(KeyTable({"type": ANY, "header": ANY})),
    "items": ListOf(KeyTable({"id": ANY, "cap": ANY, "table": ANY})),
})


@pytest.mark.parametrize(
    ("data", "where", "guess"),
    [
        ({"ruleset": {"minimun_total": 30}}, "ruleset.minimun_total", "minimum_total"),
        ({"ruleset": {"max_preference": 3}}, "ruleset.max_preference", "max_preferences"),
        ({"items": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d", "cpa": 5}]}, "items[3].cpa", "cap"),
        ({"fields": {"tax": {"typ": "number"}}}, "fields.tax.typ", "type"),
        ({"ruleset": {}, "field": {}}, "field", "fields"),
    ],
    ids=["minimun_total", "max_preference", "cpa-in-item", "nested-named", "misspelt-table"],
)
def test_unknown_key_names_file_path_and_nearest(data: dict[str, object], where: str, guess: str) -> None:
    with pytest.raises(ConfigError, match=f"did you mean '{guess}'") as info:
        check_keys(data, SCHEMA, "rules.toml")
    assert info.value.where == where
    assert info.value.file == "rules.toml"
    assert f"是否应为「{guess}」" in info.value.message_zh


def test_no_close_key_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'zzz' \(known: max_preferences, minimum_total\)"):
        check_keys({"ruleset": {"zzz": 1}}, SCHEMA, "r.toml")


def test_free_values_and_named_tables_accept_any_name() -> None:
    check_keys({"fields": {"任意名称": {"type": "number"}}, "items": [{"table": {"自有": 42, "x": {"y": 1}}}]},
               SCHEMA, "r.toml")


def test_nearest_key_is_case_insensitive_and_none_when_far() -> None:
    assert nearest_key("CAP", ("cap", "per")) == "cap"
    assert nearest_key("quux", ("cap", "per")) is None
