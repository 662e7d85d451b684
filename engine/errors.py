"""Domain errors for Sunshine.

One base class, :class:`SunshineError`, whose :meth:`diagnostics` returns text an
admissions clerk can act on (Chinese first, then English). The command line prints
``diagnostics()`` and exits with status 2; the HTTP layer maps the same classes to
status codes. Third-party exceptions are re-raised as these at the boundary
(``raise InputError(...) from exc``) so callers only ever catch Sunshine types.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "EngineError",
    "InfeasiblePlacement",
    "InputError",
    "SeedError",
    "SunshineError",
]


class SunshineError(Exception):
    """Base of every error Sunshine raises on purpose."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en

    def diagnostics(self) -> str:
        """Human-readable explanation in Chinese and English."""
        return f"{self.message_zh}\n{self.message_en}"


class InputError(SunshineError):
    """A problem in an input file, located by file, row and column.

    ``row`` is the row number as the user sees it in Excel (the header is row 1);
    ``None`` when the problem concerns the whole file. ``column`` is the header
    text as it appears in the file (or the canonical name when the column is
    missing altogether).
    """

    def __init__(
        self,
        file: str,
        message_zh: str,
        message_en: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        where_zh = f"文件 {file}"
        where_en = f"File {file}"
        if row is not None:
            where_zh += f" 第 {row} 行"
            where_en += f", row {row}"
        if column is not None:
            where_zh += f"「{column}」列"
            where_en += f", column '{column}'"
        super().__init__(f"{where_zh}：{message_zh}", f"{where_en}: {message_en}")


class ConfigError(SunshineError):
    """A configuration or rule-set file that does not validate (names the rule or key)."""

    def __init__(self, file: str, where: str, message_zh: str, message_en: str) -> None:
        self.file = file
        self.where = where
        super().__init__(
            f"配置文件 {file}「{where}」：{message_zh}",
            f"Config file {file}, '{where}': {message_en}",
        )


class SeedError(SunshineError):
    """A seed that is not 32 bytes of hexadecimal."""


class EngineError(SunshineError):
    """An engine precondition was violated by data that passed parsing."""


class InfeasiblePlacement(SunshineError):
    """The hard rules cannot all hold at once; ``conflicts`` names the rules involved."""

    def __init__(self, message_zh: str, message_en: str, conflicts: list[str]) -> None:
        super().__init__(message_zh, message_en)
        self.conflicts = conflicts

    def diagnostics(self) -> str:
        lines = [self.message_zh, self.message_en]
        lines.extend(f"  - {c}" for c in self.conflicts)
        return "\n".join(lines)
