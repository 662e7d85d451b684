"""The one decimal rule of Sunshine: a number with at most two decimals is an integer of hundredths.

Why one function: scores, points and weights are all held as exact integers of hundredths
(``87.5`` → ``8750``) so every sum is exact and no binary float decides a result. The rule
("finite, at most two decimal places") used to be written out in four places; each caller
now asks this function and raises its own error, naming its file, row and column (or key).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["to_hundredths"]


def to_hundredths(value: Decimal) -> int | None:
    """``value`` as integer hundredths, or ``None`` when it is not finite or has more than two decimals."""
    if not value.is_finite():
        return None
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)
