"""The duty lead's hall, as pure rules: busy share and its spread over the windows, the waiting
a new arrival can expect, congestion alerts with hysteresis, the windows that could take a
congested service's load, and a window's state. No I/O; the time is a parameter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

Interval = tuple[datetime, datetime | None]
"""From .. to (None: still going at `now`)."""


# --- busy share (忙闲率) --------------------------------------------------------------------


def _clipped_seconds(interval: Interval, since: datetime, now: datetime) -> float:
    start, end = interval
    start = max(start, since)
    end = min(end if end is not None else now, now)
    return max(0.0, (end - start).total_seconds())


def busy_share(
    serving: Iterable[Interval], signed_in: Iterable[Interval], since: datetime, now: datetime
) -> float | None:
    """Serving time / signed-in time between `since` (the day's start) and `now`; None for a
    window nobody signed in at. Capped at 1 (a case carried on past a sign-out)."""
    present = sum(_clipped_seconds(i, since, now) for i in signed_in)
    if present <= 0:
        return None
    busy = sum(_clipped_seconds(i, since, now) for i in serving)
    return min(1.0, busy / present)


def busy_share_of(
    served_s: float,
    serving: Iterable[Interval],
    signed_in: Iterable[Interval],
    since: datetime,
    now: datetime,
) -> float | None:
    """`busy_share` when the finished cases come summed (`served_s` seconds) and only the
    cases still being served as intervals."""
    present = sum(_clipped_seconds(i, since, now) for i in signed_in)
    if present <= 0:
        return None
    busy = served_s + sum(_clipped_seconds(i, since, now) for i in serving)
    return min(1.0, busy / present)


@dataclass(frozen=True)
class Spread:
    """How unequal the windows' busy shares are (忙闲率差异): max − min and the (population)
    standard deviation over the windows open that day."""

    windows: int
    highest: float | None
    lowest: float | None
    spread: float | None
    std_dev: float | None


def spread(shares: Iterable[float | None]) -> Spread:
    values = [s for s in shares if s is not None]
    if not values:
        return Spread(0, None, None, None, None)
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return Spread(len(values), max(values), min(values), max(values) - min(values), std)


# --- waiting ----------------------------------------------------------------------------------


def estimated_wait_s(waiting: int, open_windows: int, per_case_s: float) -> int | None:
    """What a citizen taking a ticket now can expect to wait: the cases ahead shared over the
    windows open for the service (0 when nobody waits; None when no window is open for it)."""
    if waiting == 0:
        return 0
    if open_windows <= 0:
        return None
    return round(waiting * per_case_s / open_windows)


def per_case_seconds(durations_s: Sequence[float], estimated_minutes: int) -> float:
    """Today's average service time, or the service's estimate before anyone was served."""
    if not durations_s:
        return estimated_minutes * 60.0
    return sum(durations_s) / len(durations_s)


# --- congestion alerts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """A service's congestion thresholds (None: that measure is not watched)."""

    waiting: int | None = None
    longest_wait_s: int | None = None
    estimated_wait_s: int | None = None
    clear_percent: int = 80

    @property
    def watched(self) -> bool:
        return any(
            t is not None for t in (self.waiting, self.longest_wait_s, self.estimated_wait_s)
        )


@dataclass(frozen=True)
class Load:
    """A service's queue now. `estimated_wait_s` None: no window open for it."""

    waiting: int
    longest_wait_s: int
    estimated_wait_s: int | None


def _measures(load: Load) -> tuple[float, float, float]:
    estimated = (
        math.inf if load.estimated_wait_s is None and load.waiting > 0 else load.estimated_wait_s
    )
    return (float(load.waiting), float(load.longest_wait_s), float(estimated or 0))


def alert_on(was_on: bool, load: Load, thresholds: Thresholds) -> bool:
    """Hysteresis: an alert comes on when any watched measure reaches its threshold, and goes
    off only when every watched measure is below `clear_percent` % of its threshold: a queue
    hovering at the threshold does not make it flap."""
    limits = (thresholds.waiting, thresholds.longest_wait_s, thresholds.estimated_wait_s)
    pairs = [(m, t) for m, t in zip(_measures(load), limits, strict=True) if t is not None]
    if not pairs:
        return False
    if not was_on:
        return any(m >= t for m, t in pairs)
    ratio = thresholds.clear_percent / 100
    return not all(m < t * ratio for m, t in pairs)


# --- windows ----------------------------------------------------------------------------------


class WindowState(StrEnum):
    idle = "idle"
    calling = "calling"
    serving = "serving"
    paused = "paused"
    closed = "closed"


def window_state(signed_in: bool, paused: bool, in_hand: str | None) -> WindowState:
    """`in_hand`: the status of the ticket at the window (called, serving) or None."""
    if not signed_in:
        return WindowState.closed
    if in_hand == "serving":
        return WindowState.serving
    if in_hand == "called":
        return WindowState.calling
    return WindowState.paused if paused else WindowState.idle


@dataclass(frozen=True)
class WindowLoad:
    """What choosing a window to take a service's load needs to know of it."""

    number: int
    state: WindowState
    services: frozenset[int]
    reserve: bool = False
    tide: bool = False
    busy_share: float | None = None


QUIET_WAITING = 2
"""A window whose services have at most this many waiting (all together) serves a quiet queue."""


def candidates(
    service_id: int, windows: Iterable[WindowLoad], waiting: Mapping[int, int]
) -> list[int]:
    """Windows that could take `service_id`'s load, best first: idle ones, then ones serving a
    quiet queue, then reserve windows nobody staffs; among idle or quiet ones, the least busy
    today first (the lever should even out the busy shares, not load the same windows again).
    Windows already calling it, paused ones and those already re-pointed are left out."""
    idle: list[int] = []
    quiet: list[int] = []
    reserve: list[int] = []
    for window in sorted(windows, key=lambda x: (x.busy_share or 0.0, x.number)):
        if service_id in window.services or window.tide:
            continue
        if window.state is WindowState.closed:
            if window.reserve:
                reserve.append(window.number)
            continue
        if window.state is WindowState.paused:
            continue
        if sum(waiting.get(s, 0) for s in window.services) <= QUIET_WAITING:
            (idle if window.state is WindowState.idle else quiet).append(window.number)
    return idle + quiet + reserve
