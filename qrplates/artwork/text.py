"""Small text helpers for the artwork: the code as printed, numbers as staff read them."""

from __future__ import annotations

import math

from django.utils import formats


def group_code(code: str, group: int = 4) -> str:
    """The code in even groups for typing from a plate: "7KQ4M2XWC" -> "7KQ 4M2 XWC"
    (groups of at most `group`, as even as possible, the longer ones first)."""
    code = code.strip().upper()
    if group <= 0 or len(code) <= group:
        return code
    count = math.ceil(len(code) / group)
    base, extra = divmod(len(code), count)
    parts, start = [], 0
    for index in range(count):
        length = base + (1 if index < extra else 0)
        parts.append(code[start : start + length])
        start += length
    return " ".join(parts)


def number(value: float, digits: int = 1) -> str:
    """A measurement in the active language's notation without trailing zeros:
    1.0 -> "1", 1.5 -> "1,5" in Vietnamese, "1.5" in English."""
    value = round(value, digits)
    if value == int(value):
        return str(int(value))
    return formats.number_format(value, decimal_pos=digits).rstrip("0")


def span(pair: tuple[float, float], digits: int = 1) -> str:
    """(1.2, 1.6) -> "1.2–1.6"."""
    low, high = pair
    return number(low, digits) if low == high else f"{number(low, digits)}–{number(high, digits)}"
