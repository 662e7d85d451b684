"""Canonical spellings: exactly one accepted spelling per hashed value; everything else refused, bilingually."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from audit.errors import SpellingError
from audit.spelling import canonical_hex, canonical_text

# ---- hex ---------------------------------------------------------------------------------------------------------


def test_lowercase_hex_is_accepted_and_decoded() -> None:
    assert canonical_hex("00ff10ab", field="salt") == b"\x00\xff\x10\xab"
    assert canonical_hex("ab" * 32, field="salt", nbytes=32) == b"\xab" * 32


@pytest.mark.parametrize("value, match", [
    ("00FF", "character 3 'F' U\\+0046 LATIN CAPITAL LETTER F is not a lowercase hex digit; hex must be lowercase"),
    ("0x00", "character 2 'x'"),
    ("00 ff", "character 3 U\\+0020 SPACE"),
    ("00ff\n", "character 5 U\\+000A"),
    ("abc", "odd number of hex digits \\(3\\)"),
    ("", "is empty"),
    ("ａｂ", "FULLWIDTH LATIN SMALL LETTER A"),
    ("٠١", "ARABIC-INDIC DIGIT ZERO"),
])
def test_non_canonical_hex_is_refused(value: str, match: str) -> None:
    with pytest.raises(SpellingError, match=match) as info:
        canonical_hex(value, field="witness A salt")
    assert info.value.field == "witness A salt"
    assert "「witness A salt」的写法不规范" in info.value.message_zh
    assert "'witness A salt' is not in its canonical spelling" in info.value.message_en


def test_hex_length_is_exact() -> None:
    with pytest.raises(SpellingError, match=r"must be 32 bytes \(64 hex digits\), got 62 digits"):
        canonical_hex("ab" * 31, field="salt", nbytes=32)
    with pytest.raises(SpellingError, match="got 66 digits") as info:
        canonical_hex("ab" * 33, field="salt", nbytes=32)
    assert "应为 32 字节" in info.value.message_zh


@pytest.mark.parametrize("value", [b"00", 12, None, ["00"]])
def test_hex_must_be_text(value: object) -> None:
    with pytest.raises(SpellingError, match="expected hex text, got"):
        canonical_hex(value, field="salt")


@given(data=st.binary(min_size=1, max_size=64))
def test_hex_has_exactly_one_spelling(data: bytes) -> None:
    assert canonical_hex(data.hex(), field="x") == data
    upper = data.hex().upper()
    assume(upper != data.hex())  # all-digit values have no letters to re-case
    with pytest.raises(SpellingError, match="hex must be lowercase"):
        canonical_hex(upper, field="x")


# ---- text --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["张三", "Zhang San", "李 小龙", "王二小（见证人）", "José", "Ǆ", "a", "一，二"])
def test_canonical_text_is_returned_unchanged(value: str) -> None:
    assert canonical_text(value, field="name") is value


@pytest.mark.parametrize("value, match", [
    ("张三\u200b", "U\\+200B ZERO WIDTH SPACE is an invisible format character"),
    ("张\u200d三", "U\\+200D ZERO WIDTH JOINER"),
    ("\ufeff张三", "U\\+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("张三\u202e", "U\\+202E RIGHT-TO-LEFT OVERRIDE"),
    ("张三\u2066", "U\\+2066 LEFT-TO-RIGHT ISOLATE"),
    ("张三\u200e", "U\\+200E LEFT-TO-RIGHT MARK"),
    ("张\u00ad三", "U\\+00AD SOFT HYPHEN"),
    ("张三\u0007", "U\\+0007 is a control character"),
    ("张三\t", "U\\+0009 is a control character"),
    ("张三\n", "U\\+000A is a control character"),
    ("张\u00a0三", "U\\+00A0 NO-BREAK SPACE is a whitespace character other than the plain space"),
    ("张\u3000三", "U\\+3000 IDEOGRAPHIC SPACE is a whitespace"),
    ("张\u2028三", "U\\+2028 LINE SEPARATOR is a line separator"),
    ("张\ufe0f三", "U\\+FE0F VARIATION SELECTOR-16 is an invisible character"),
    ("张\u034f三", "U\\+034F COMBINING GRAPHEME JOINER is an invisible character"),
    ("张\u3164三", "U\\+3164 HANGUL FILLER is an invisible character"),
    ("张\u2800三", "U\\+2800 BRAILLE PATTERN BLANK is an invisible character"),
    ("张三\U000e0041", "U\\+E0041 TAG LATIN CAPITAL LETTER A"),
    ("张\ue000三", "U\\+E000 is a private-use character"),
    ("张\ud800三", "U\\+D800 is a surrogate code point"),
    ("张\U000effff三", "is an unassigned code point"),
    (" 张三", "must not begin or end with a space"),
    ("张三 ", "must not begin or end with a space"),
    ("张  三", "consecutive spaces at character 2"),
    ("Jose\u0301", "is not in Unicode NFC"),
    ("", "is empty"),
])
def test_non_canonical_text_is_refused(value: str, match: str) -> None:
    with pytest.raises(SpellingError, match=match) as info:
        canonical_text(value, field="witness B value")
    assert info.value.field == "witness B value"
    assert "「witness B value」的写法不规范" in info.value.message_zh


def test_error_messages_name_the_position_in_both_languages() -> None:
    with pytest.raises(SpellingError, match="character 3 U\\+200B") as info:
        canonical_text("张三\u200b", field="name")
    assert "第 3 个字符" in info.value.message_zh and "不可见的格式字符" in info.value.message_zh


def test_empty_text_only_when_allowed() -> None:
    assert canonical_text("", field="note", allow_empty=True) == ""
    with pytest.raises(SpellingError, match="expected text, got bytes"):
        canonical_text(b"abc", field="note")


@given(text=st.text(min_size=1, max_size=30))
def test_accepted_text_is_nfc_visible_and_trimmed(text: str) -> None:
    try:
        out = canonical_text(text, field="x")
    except SpellingError:
        refused = True
    else:
        refused = False
        assert out == text
        assert unicodedata.is_normalized("NFC", out)
        assert out == out.strip() and "  " not in out
        assert all(unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} for c in out)
        assert all(c == " " or not c.isspace() for c in out)
    # Refused or not, the NFC form of a non-NFC text is never also accepted as itself.
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        assert refused


@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl",
                                                                              "Zp", "Zs")),
                    min_size=1, max_size=20))
def test_nfc_of_visible_text_is_accepted(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    assume(not any(0xE0000 <= ord(c) <= 0xE0FFF or c in "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f"
                   "\u3164\uffa0\u2800" or 0xFE00 <= ord(c) <= 0xFE0F or 0x1BCA0 <= ord(c) <= 0x1BCA3
                   or 0x1D173 <= ord(c) <= 0x1D17A for c in nfc))
    assert canonical_text(nfc, field="x") == nfc
