"""Ticket numbers: per service prefix, restarting each local day, never overflowing silently.

Numbers print with at least three digits (A001 … A999); the thousandth ticket of a day is A1000,
not A000: the code widens rather than wrapping round onto a number already in the hall.
"""

from __future__ import annotations

MIN_DIGITS = 3


def ticket_code(prefix: str, number: int) -> str:
    if number < 1:
        raise ValueError("ticket numbers start at 1")
    return f"{prefix}{number:0{MIN_DIGITS}d}"
