"""The day report's figures (issue 13, item 5), as pure rules over the day's cases: per service
and per window, issued, served, no-shows, hand-offs, average and 90th-percentile wait and service
time, the same-day completion rate (当日办结率), extensions, overruns and the share of cases served
at tide windows. No I/O; the reader (`hall.monitor.day_report`) gathers the facts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Case:
    """One ticket issued that day (or served at a window that day)."""

    service: str
    window: int | None
    """The window it was last called to (None: never called)."""
    issued_at: datetime
    first_called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    finished_on: date | None
    """The hall-local date it was finished (a night session's past midnight: its service day)."""
    status: str
    at_tide: bool = False
    """Served at a tide window, for one of the services the tide brought it."""
    rating: int | None = None
    """The citizen's rating of the case (好差评, 1-5), if given."""

    @property
    def served(self) -> bool:
        return self.status == "done"

    @property
    def wait_s(self) -> float | None:
        if self.first_called_at is None:
            return None
        return (self.first_called_at - self.issued_at).total_seconds()

    @property
    def service_s(self) -> float | None:
        if not self.served or self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class WindowDay:
    """A window's day beside its cases: extension requests and overruns, hand-offs."""

    extensions_asked: int = 0
    extensions_approved: int = 0
    extension_minutes: int = 0
    overruns: int = 0
    handoffs: int = 0


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    issued: int | None
    served: int
    no_shows: int
    handoffs: int
    avg_wait_s: float | None
    p90_wait_s: float | None
    avg_service_s: float | None
    p90_service_s: float | None
    same_day_rate: float | None
    extensions_asked: int | None
    extensions_approved: int | None
    extension_minutes: int | None
    overruns: int | None
    tide_share: float | None
    ratings: int = 0
    """Cases rated (好差评)."""
    rating_avg: float | None = None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by the nearest rank: the smallest value at least 90 % lie at or under."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def average(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _row(
    key: str,
    label: str,
    cases: Sequence[Case],
    day: date,
    issued: bool,
    window: WindowDay | None,
    handoffs: int,
) -> Row:
    waits = [c.wait_s for c in cases if c.wait_s is not None]
    services = [c.service_s for c in cases if c.service_s is not None]
    served = [c for c in cases if c.served]
    issued_today = [c for c in cases if c.issued_at is not None]
    finished_today = [c for c in served if c.finished_on == day]
    scores = [float(c.rating) for c in cases if c.rating is not None]
    return Row(
        key=key,
        label=label,
        issued=len(cases) if issued else None,
        served=len(served),
        no_shows=sum(1 for c in cases if c.status == "no_show"),
        handoffs=handoffs,
        avg_wait_s=average(waits),
        p90_wait_s=p90(waits),
        avg_service_s=average(services),
        p90_service_s=p90(services),
        same_day_rate=len(finished_today) / len(issued_today) if issued_today else None,
        extensions_asked=window.extensions_asked if window else None,
        extensions_approved=window.extensions_approved if window else None,
        extension_minutes=window.extension_minutes if window else None,
        overruns=window.overruns if window else None,
        tide_share=sum(1 for c in served if c.at_tide) / len(served) if served else None,
        ratings=len(scores),
        rating_avg=average(scores),
    )


def _grouped(cases: Iterable[Case], key: Callable[[Case], object]) -> dict[object, list[Case]]:
    groups: dict[object, list[Case]] = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return groups


def by_service(
    cases: Sequence[Case],
    day: date,
    names: dict[str, str],
    handoffs: dict[str, int] | None = None,
) -> list[Row]:
    """One row per service with cases that day or cases handed on from it (in `names`'
    order), then the day as a whole. A case handed on counts at the service it went to."""
    handoffs = handoffs or {}
    groups = _grouped(cases, lambda c: c.service)
    rows = [
        _row(code, name, groups.get(code, []), day, True, None, handoffs.get(code, 0))
        for code, name in names.items()
        if code in groups or handoffs.get(code)
    ]
    total = _row("*", "", cases, day, True, None, sum(handoffs.values()))
    return [*rows, total]


def by_window(
    cases: Sequence[Case],
    day: date,
    labels: dict[int, str],
    windows: dict[int, WindowDay],
) -> list[Row]:
    """One row per window that called anyone or asked to extend that day. `issued` is left
    out: a window is called to, it issues nothing."""
    groups = _grouped((c for c in cases if c.window is not None), lambda c: c.window)
    numbers = sorted({n for n in groups if isinstance(n, int)} | set(windows))
    return [
        _row(
            str(n),
            labels.get(n, str(n)),
            groups.get(n, []),
            day,
            False,
            windows.get(n, WindowDay()),
            windows.get(n, WindowDay()).handoffs,
        )
        for n in numbers
    ]
