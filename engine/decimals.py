"""The one decimal rule of Sunshine: a number with at most two decimals is an integer of hundredths.

Why one function: scores, points and weights are all held as exact integers of hundredths
(``87.5`` → ``8750``) so every sum is exact and no binary float decides a result. The rule
("finite, at most two decimal places") used to be written out in four places; each caller
now asks this function and raises its own error, naming its file, row and column (or key).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["MAX_MAGNITUDE", "to_hundredths"]

#: No score, points value, quantity or weight reaches 10^15 (Excel's 15 significant digits). Beyond it
#: a value is refused *before* it is scaled: ``int(Decimal("1e999999999") * 100)`` would build a
#: billion-digit integer (minutes and gigabytes), and a 5,000-digit one could not even be printed.
#: The test uses ``adjusted()`` (the exponent of the leading digit), because any arithmetic on
#: ``1e999999999`` (even ``abs``) raises ``decimal.Overflow`` under the default context.
MAX_MAGNITUDE = Decimal(10) ** 15


def to_hundredths(value: Decimal) -> int | None:
    """``value`` as integer hundredths, or ``None`` when it is not finite, has more than two decimals,
    or is not below :data:`MAX_MAGNITUDE` in size."""
    if not value.is_finite():
        return None
    if value and not -2 <= value.adjusted() < 15:  # |value| >= 10^15, or a nonzero below 0.01 (no arithmetic)
        return None
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)
