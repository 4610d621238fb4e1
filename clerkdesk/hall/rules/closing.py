"""Closing a window: its end, the time its waiting citizens need, and what counts as an overrun.

Pure: no I/O and no clock reads. A window's *scheduled end* is the end of the hall's open
stretch it works in (a lunch break counts as a closing); its *end* is the scheduled end moved by
the approved extensions of that stretch. Working past the end is an overrun.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")

RECENT_SERVICES = 20
"""How many of a service's latest completed services the estimate looks at."""
RECENT_DAYS = 7
"""How far back (days) a completed service still counts as recent."""
MIN_SAMPLES = 3
"""Fewer recent services than this and the service's own estimated minutes are used."""
EXTENSION_STEP = 5
"""Suggested extensions are rounded up to this many minutes."""


class Phase(StrEnum):
    closed = "closed"  # the window is in no open stretch now (before opening, rest day)
    open = "open"  # before its scheduled end
    extended = "extended"  # past the scheduled end, inside an approved extension
    overrunning = "overrunning"  # past its end without (enough) approved extension


def window_end(scheduled_end: datetime, approved_ends: Iterable[datetime]) -> datetime:
    """The scheduled end, or the latest approved extension end when that is later."""
    return max([scheduled_end, *approved_ends])


def phase(now: datetime, scheduled_end: datetime | None, end: datetime | None) -> Phase:
    if scheduled_end is None or end is None:
        return Phase.closed
    if now < scheduled_end:
        return Phase.open
    if now < end:
        return Phase.extended
    return Phase.overrunning


def minutes_left(now: datetime, end: datetime) -> int:
    """Whole minutes until `end`, rounded up; negative once past it (-1 = up to a minute past)."""
    return math.ceil((end - now).total_seconds() / 60)


def service_minutes(durations_s: Sequence[float], estimated_minutes: int) -> int:
    """Minutes one more ticket of a service needs: the median of its recent service durations
    (at least `MIN_SAMPLES` of them), rounded up, else the service's own estimate."""
    if len(durations_s) < MIN_SAMPLES:
        return estimated_minutes
    return max(1, math.ceil(_median(durations_s) / 60))


def _median(values: Sequence[float]) -> float:
    """`statistics.median`, without importing `statistics` (30 ms at the workstation's start)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def remaining_minutes(per_ticket: int, started_at: datetime | None, now: datetime) -> int:
    """What the ticket at the counter still needs: its estimate less the time already spent,
    at least one minute."""
    if started_at is None:
        return per_ticket
    spent = (now - started_at).total_seconds() / 60
    return max(1, math.ceil(per_ticket - spent))


def suggested_extension(needed: int, left: int, step: int = EXTENSION_STEP) -> int:
    """The extension that covers `needed` minutes of work with `left` minutes to the end,
    rounded up to `step` minutes; 0 when none is needed."""
    missing = needed - max(left, 0)
    if missing <= 0:
        return 0
    return step * math.ceil(missing / step)


def overrun_minutes(end: datetime | None, actual_end: datetime) -> int:
    """Whole minutes worked past the window's end (a part minute does not count)."""
    if end is None or actual_end <= end:
        return 0
    return int((actual_end - end) / timedelta(minutes=1))


def auto_approves(minutes: int, auto_approve_minutes: int) -> bool:
    """The hall's policy approves requests up to `auto_approve_minutes` itself (0 = off)."""
    return 0 < minutes <= auto_approve_minutes


@dataclass(frozen=True)
class Timing:
    """Where a window stands against its end (UTC datetimes)."""

    scheduled_end: datetime | None
    end: datetime | None
    phase: Phase
    local_date: date
    final: bool  # the hall opens no other stretch on `local_date` after this one
    next_opening: datetime | None


@dataclass(frozen=True)
class Estimate(Generic[T]):
    """What the citizens at a window still need: the ticket in hand, the waiting ones, the
    minutes for all of them and the minutes per ticket used, by service."""

    in_hand: T | None
    waiting: list[T]
    minutes_needed: int
    per_service: dict[str, int]
