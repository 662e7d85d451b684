"""TOML text → data, with every way ``tomllib`` can fail turned into a located :class:`ConfigError`.

``tomllib.loads`` raises more than ``TOMLDecodeError`` on hostile text: arrays or inline tables
nested a few thousand deep exhaust Python's recursion limit (``RecursionError``), and an integer
of more than 4,300 digits trips the interpreter's int-string limit (``ValueError``). Both are
caught here, so a rule set or config file can only ever fail with a message naming the file.
Pure: parses text, no I/O.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

from engine.errors import ConfigError

__all__ = ["parse_toml"]


def parse_toml(text: str, file: str, *, parse_float: Callable[[str], Any] = float) -> dict[str, Any]:
    """``tomllib.loads(text, parse_float=...)``; any failure is a :class:`ConfigError` at key path ``TOML``."""
    try:
        return tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "TOML", f"语法错误：{exc}", f"syntax error: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(file, "TOML", "数组或内联表嵌套层数过深（不是有效的规则/配置文件）",
                          "arrays or inline tables are nested too deeply (not a rule set or config)") from exc
    except ValueError as exc:  # int("…4,301 digits…"): sys.get_int_max_str_digits()
        raise ConfigError(file, "TOML", f"数字位数过多：{exc}", f"a number has too many digits: {exc}") from exc
