"""Time is injected everywhere: nothing in ClerkDesk reads the wall clock but `SystemClock`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that says what time it is, always as an aware UTC datetime."""

    def now(self) -> datetime: ...


def speed_of(clock: Clock) -> float:
    """How many seconds of the clock's time pass per real second: 1 for the wall clock, the
    demo's `--speed`, 0 for a clock that moves only when told (a clock without `speed`: 1)."""
    return float(getattr(clock, "speed", 1.0))


class SystemClock:
    """The real wall clock."""

    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests and scenario scripts."""

    speed = 0.0  # it stands still between moves

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


class ScaledClock:
    """Starts at a chosen moment and runs `speed` times faster than real time (demo mode)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("ScaledClock needs an aware datetime")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start.astimezone(UTC)
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._origin
        return self._start + timedelta(seconds=elapsed * self.speed)


class OffsetClock:
    """The wall clock moved by a fixed amount. Processes given the same offset agree on the
    time to the wall clock's precision, however far apart they started (a `ScaledClock`
    counts from its own creation: two processes started a second apart would be a second
    apart for ever, and a clerk whose requests reach both would see time run backwards)."""

    speed = 1.0

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    @classmethod
    def starting_at(cls, start: datetime) -> OffsetClock:
        """A clock that says `start` now."""
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        return cls(start.astimezone(UTC) - datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FollowedClock:
    """A clock kept in step with another one far away (a workstation's copy of its hall's
    clock): the time and speed it was last told, run forward on this machine's monotonic clock
    in between. Until told, it runs as the wall clock."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._told = SystemClock().now()
        self._at = monotonic()
        self._speed = 1.0

    @property
    def speed(self) -> float:
        return self._speed

    def follow(self, now: datetime, speed: float, at: float) -> None:
        """The followed clock read `now` at this machine's monotonic time `at`, running
        `speed` times as fast as real time (0: it stands still)."""
        if now.tzinfo is None:
            raise ValueError("FollowedClock needs an aware datetime")
        if speed < 0:
            raise ValueError("speed must not be negative")
        with self._lock:
            self._told, self._at, self._speed = now.astimezone(UTC), at, speed

    def now(self) -> datetime:
        with self._lock:
            told, at, speed = self._told, self._at, self._speed
        return told + timedelta(seconds=(self.monotonic() - at) * speed)
