"""Masking of personal data for publication lists (engine/masking.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.masking import mask_id_number, mask_name, mask_phone


def test_names_keep_first_and_last_character() -> None:
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("张") == "*"
    assert mask_name(" ") == ""


def test_id_numbers_keep_first_six_and_last_four() -> None:
    assert mask_id_number("44060119881109441X") == "440601********441X"
    assert mask_id_number("12345") == "*****"


def test_phones_keep_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"


@given(st.text(min_size=3, max_size=12).map(str.strip).filter(lambda s: len(s) >= 3))
def test_masked_name_hides_the_middle(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name) and masked[0] == name[0] and masked[-1] == name[-1]
    assert set(masked[1:-1]) == {"*"}


@given(st.text(alphabet="0123456789X", min_size=11, max_size=18))
def test_masked_id_reveals_at_most_ten_characters(idno: str) -> None:
    masked = mask_id_number(idno)
    assert len(masked) == len(idno) and masked.count("*") == len(idno) - 10
