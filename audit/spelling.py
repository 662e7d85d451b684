"""Canonical spellings: every hashed value has exactly one accepted way to be written.

Why: a value that is hashed into the seed (a witness's value, a salt, a name, a drand
signature) must not be re-spellable. If ``"AB"`` and ``"ab"``, or ``"张三"`` and
``"张三\\u200b"``, were both accepted and hashed as given, whoever types the value in
could try spellings that all *look* like the genuine value until one gives an outcome
they like (issue 13, "the public value is typed in"). So every such value is accepted
only in its one canonical spelling and anything else is refused, never normalised
silently: a silent fix would hide the attempt and move the choice to whoever fixes.

Rules:

* **hex** (:func:`canonical_hex`): lowercase ``0-9a-f`` only, an even number of digits,
  of the expected byte length when one is given; no prefix, no separators, no spaces.
* **text** (:func:`canonical_text`): a ``str`` in Unicode NFC; no leading or trailing
  whitespace; the only space is U+0020, never two in a row; no control characters
  (Cc), format characters (Cf: zero-width spaces and joiners, bidi marks, embeddings,
  overrides and isolates, BOM, soft hyphen, tags), surrogates (Cs), private-use (Co),
  unassigned (Cn) or line/paragraph separators; no other default-ignorable
  (invisible) code points, e.g. variation selectors, the combining grapheme joiner,
  Hangul fillers.

Letter categories come from the running Python's Unicode database
(``unicodedata.unidata_version``); a character unassigned there is refused rather than
guessed at. Look-alike letters from different scripts (Latin ``a``, Cyrillic ``а``) are
distinct, visible code points and are not refused here.

Errors are :class:`audit.errors.SpellingError`, bilingual, naming the field, the
position and the offending character.
"""

from __future__ import annotations

import unicodedata

from audit.errors import SpellingError

__all__ = ["canonical_hex", "canonical_text"]

_HEX_DIGITS = frozenset("0123456789abcdef")

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) ranges that are not
# already refused by their general category (Cf/Cn): invisible letters and marks.
_INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG/JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ/AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTORS
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT CONTROLS
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN/END BEAM, TIE, SLUR, PHRASE
    (0xE0000, 0xE0FFF),  # TAGS, VARIATION SELECTORS SUPPLEMENT and reserved ignorables
    (0x2800, 0x2800),  # BRAILLE PATTERN BLANK: renders as a space, is not whitespace
)
_REFUSED_CATEGORIES = {
    "Cc": ("控制字符", "a control character"),
    "Cf": ("不可见的格式字符（零宽、双向控制等）", "an invisible format character (zero-width, bidi control, ...)"),
    "Cs": ("代理码位", "a surrogate code point"),
    "Co": ("私用区字符", "a private-use character"),
    "Cn": ("未分配的码位", "an unassigned code point"),
    "Zl": ("行分隔符", "a line separator"),
    "Zp": ("段分隔符", "a paragraph separator"),
}


def canonical_hex(value: object, *, field: str, nbytes: int | None = None) -> bytes:
    """The bytes that ``value`` spells, if it is lowercase hex (of ``nbytes`` bytes when given).

    Raises :class:`SpellingError` for anything else, including uppercase digits, an odd
    length, a ``0x`` prefix, whitespace and the empty string.
    """
    if not isinstance(value, str):
        raise SpellingError(field, f"应为十六进制文本，实为 {type(value).__name__}",
                            f"expected hex text, got {type(value).__name__}")
    if not value:
        raise SpellingError(field, "为空", "is empty")
    for i, ch in enumerate(value):
        if ch not in _HEX_DIGITS:
            hint_zh, hint_en = ("，十六进制必须小写", "; hex must be lowercase") if ch in "ABCDEF" else ("", "")
            raise SpellingError(field, f"第 {i + 1} 个字符 {_describe(ch)} 不是小写十六进制数字{hint_zh}",
                                f"character {i + 1} {_describe(ch)} is not a lowercase hex digit{hint_en}")
    if len(value) % 2:
        raise SpellingError(field, f"十六进制位数为奇数（{len(value)}）",
                            f"has an odd number of hex digits ({len(value)})")
    if nbytes is not None and len(value) != 2 * nbytes:
        raise SpellingError(field, f"应为 {nbytes} 字节（{2 * nbytes} 位十六进制），实为 {len(value)} 位",
                            f"must be {nbytes} bytes ({2 * nbytes} hex digits), got {len(value)} digits")
    return bytes.fromhex(value)


def canonical_text(value: object, *, field: str, allow_empty: bool = False) -> str:
    """``value`` itself, if it is text in its canonical spelling (module docstring); else :class:`SpellingError`."""
    if not isinstance(value, str):
        raise SpellingError(field, f"应为文本，实为 {type(value).__name__}",
                            f"expected text, got {type(value).__name__}")
    if not value:
        if allow_empty:
            return value
        raise SpellingError(field, "为空", "is empty")
    for i, ch in enumerate(value):
        _check_char(ch, i, field)
    if value[0] == " " or value[-1] == " ":
        raise SpellingError(field, "首尾不得有空格", "must not begin or end with a space")
    if "  " in value:
        i = value.index("  ")
        raise SpellingError(field, f"第 {i + 1} 个字符起有连续空格", f"has consecutive spaces at character {i + 1}")
    if not unicodedata.is_normalized("NFC", value):
        raise SpellingError(field, "不是 Unicode NFC 规范形式（同一文字有另一种编码）",
                            "is not in Unicode NFC (the same text has another encoding)")
    return value


def _check_char(ch: str, i: int, field: str) -> None:
    category = unicodedata.category(ch)
    refused = _REFUSED_CATEGORIES.get(category)
    if refused is None and ch != " " and ch.isspace():
        refused = ("除普通空格（U+0020）以外的空白字符", "a whitespace character other than the plain space U+0020")
    if refused is None and any(lo <= ord(ch) <= hi for lo, hi in _INVISIBLE_RANGES):
        refused = ("不可见字符", "an invisible character")
    if refused is not None:
        raise SpellingError(field, f"第 {i + 1} 个字符 {_describe(ch)} 是{refused[0]}",
                            f"character {i + 1} {_describe(ch)} is {refused[1]}")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    shown = repr(ch) if ch.isprintable() and not ch.isspace() else ""
    return " ".join(part for part in (shown, f"U+{ord(ch):04X}", name) if part)
