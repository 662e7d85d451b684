"""Masking of personal data for publication lists (公示名单).

The one place that decides what of a name, ID number or phone number may appear in a
public output; every public file goes through these functions so a change of policy
is a change here. The reference notes (points_admission.md §6) found no primary
example of the official masked-ID format, so the pattern is our documented choice:

* names keep the first and last character: 张三丰 → 张*丰, two characters → 张*,
  one character → *;
* ID numbers keep the first 6 (region code) and last 4 characters;
* phone numbers keep the first 3 and last 4 digits.
"""

from __future__ import annotations

__all__ = ["mask_id_number", "mask_name", "mask_phone"]


def mask_name(name: str) -> str:
    """张三丰 → 张*丰; 张三 → 张*; 张 → *; blank stays blank."""
    text = name.strip()
    if len(text) == 0:
        return ""
    if len(text) == 1:
        return "*"
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_id_number(id_number: str) -> str:
    """Keep the first 6 and last 4 characters; shorter values (≤10 chars) are fully masked."""
    text = id_number.strip()
    if text == "":
        return ""
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits (13812345678 → 138****5678); short values fully masked."""
    text = phone.strip()
    if text == "":
        return ""
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]
