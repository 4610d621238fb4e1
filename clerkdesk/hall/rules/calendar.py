"""The hall calendar: when a hall is open, when it closes, and how time splits by local date.

Pure: no I/O and no clock reads; the moment is always a parameter. Functions taking an instant
(``at_utc``, ``start_utc``, ``end_utc``) need an aware datetime (naive -> ``ValueError``) and
return aware UTC datetimes. Functions taking a hall-local date return aware datetimes in the
hall's zone. Opening intervals are half-open: open at ``start``, closed at ``end``.

Which hours apply on a hall-local date (its day type comes from `day_types.classify_day`):

- workday: the weekly schedule's intervals for that weekday; a make-up workday (调休上班, a
  working Saturday or Sunday) uses ``WeeklySchedule.makeup_workday_intervals``, by default the
  Friday intervals (which weekday it replaces is not known). Weekly rows for Saturday and Sunday
  are therefore never used: open a hall on weekends with duty sessions.
- rest day: only duty sessions.
- statutory holiday: closed, unless a duty session is set for that exact date. A weekday-rule
  session ("every Saturday 09:00-12:00") does NOT open a statutory holiday, nor does it add to a
  make-up workday (ordinary hours there; no duty).
- a session for an exact date applies whatever the day type (added to the ordinary hours).

Overlapping or touching intervals are merged, also across local midnight, so `closing_time`
is the end of the whole open stretch containing the instant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.hall.rules.day_types import (
    LIBRARY_CN,
    DayInfo,
    DayType,
    NationalCalendar,
    as_utc,
    classify_day,
    local_date_pieces,
)

SEARCH_DAYS = 31  # how far `next_opening` and `closing_time` look ahead, in local days

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class OpeningInterval:
    """Local wall-clock hours; ``end <= start`` means the interval ends on the next local day
    (``end == start`` is a full 24 hours)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("opening hours are local wall-clock times without a zone")

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def on(self, local_date: date, zone: ZoneInfo) -> Span:
        """The interval on `local_date`, as aware UTC datetimes."""
        end_date = local_date + timedelta(days=1) if self.crosses_midnight else local_date
        start = datetime.combine(local_date, self.start, tzinfo=zone)
        end = datetime.combine(end_date, self.end, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


Intervals = tuple[OpeningInterval, ...]


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    """Ordinary workday hours per weekday (0 = Monday); the hall config supplies them."""

    days: tuple[Intervals, ...] = ((),) * 7
    makeup_workday_intervals: Intervals | None = None
    """Hours of a make-up workday (调休上班); ``None`` means the Friday intervals."""

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("a weekly schedule has exactly 7 days")

    @classmethod
    def workdays(
        cls, intervals: Iterable[OpeningInterval], makeup: Iterable[OpeningInterval] | None = None
    ) -> WeeklySchedule:
        """The same intervals Monday to Friday, none on Saturday and Sunday."""
        hours = tuple(intervals)
        return cls((hours,) * 5 + ((), ()), None if makeup is None else tuple(makeup))

    def for_workday(self, info: DayInfo) -> Intervals:
        if info.make_up_workday:
            makeup = self.makeup_workday_intervals
            return self.days[4] if makeup is None else makeup
        return self.days[info.date.weekday()]


@dataclass(frozen=True, slots=True)
class DutySession:
    """A rostered weekend/holiday session (错时服务 / 周末值班): on one date, or every week on
    one weekday (0 = Monday). Exactly one of ``date`` and ``weekday`` is set."""

    date: date | None
    weekday: int | None
    intervals: Intervals
    label: str = ""

    def __post_init__(self) -> None:
        if (self.date is None) == (self.weekday is None):
            raise ValueError("a duty session has either a date or a weekday, not both")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")

    def applies_to(self, info: DayInfo) -> bool:
        if self.date is not None:
            return self.date == info.date
        if info.day_type is DayType.STATUTORY_HOLIDAY or info.make_up_workday:
            return False
        return self.weekday == info.date.weekday()


@dataclass(frozen=True)
class HallCalendar:
    """One hall's calendar: its IANA zone, weekly hours, duty sessions, per-date day-type
    overrides, the years an admin has confirmed, and the national calendar the day types come
    from (the hall passes its own loader's). Not hashable (``overrides`` is a mapping)."""

    timezone: str
    weekly: WeeklySchedule
    sessions: tuple[DutySession, ...] = ()
    overrides: Mapping[date, DayType] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()
    national: NationalCalendar = LIBRARY_CN

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at first use

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def day_info(calendar: HallCalendar, local_date: date) -> DayInfo:
    """The day type of a hall-local date, with the hall's overrides and confirmed years."""
    return classify_day(local_date, calendar.overrides, calendar.confirmed_years, calendar.national)


def sessions_on(calendar: HallCalendar, local_date: date) -> tuple[DutySession, ...]:
    """The duty sessions that apply on a hall-local date (see the module rules)."""
    info = day_info(calendar, local_date)
    return tuple(s for s in calendar.sessions if s.applies_to(info))


def _merge(spans: Iterable[Span]) -> Iterator[Span]:
    """Merge overlapping or touching spans; the input must be sorted by start."""
    current: Span | None = None
    for start, end in spans:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _day_spans(calendar: HallCalendar, local_date: date) -> list[Span]:
    info = day_info(calendar, local_date)
    hours = list(calendar.weekly.for_workday(info)) if info.day_type is DayType.WORKDAY else []
    for session in calendar.sessions:
        if session.applies_to(info):
            hours.extend(session.intervals)
    spans = (interval.on(local_date, calendar.zone) for interval in hours)
    return sorted(span for span in spans if span[0] < span[1])


def _stretches(calendar: HallCalendar, first: date, days: int) -> Iterator[Span]:
    """Merged UTC open stretches of the intervals of `days` local dates from `first`.

    Intervals of a later date never start before those of an earlier date, so concatenating
    each date's sorted spans keeps the whole sequence sorted.
    """
    dates = (first + timedelta(days=n) for n in range(days))
    return _merge(span for d in dates for span in _day_spans(calendar, d))


def opening_intervals(calendar: HallCalendar, local_date: date) -> list[Span]:
    """The hall's open intervals on a local date, merged, as aware datetimes in the hall's zone.

    An interval crossing midnight belongs to the date it starts on and ends on the next date.
    """
    zone = calendar.zone
    merged = _merge(_day_spans(calendar, local_date))
    return [(start.astimezone(zone), end.astimezone(zone)) for start, end in merged]


def day_closing(calendar: HallCalendar, local_date: date) -> datetime | None:
    """The last closing of a local date (hall zone), or ``None`` when closed all day."""
    intervals = opening_intervals(calendar, local_date)
    return max(end for _, end in intervals) if intervals else None


def _local_date(calendar: HallCalendar, at: datetime) -> date:
    return at.astimezone(calendar.zone).date()


def closing_time(calendar: HallCalendar, at_utc: datetime) -> datetime | None:
    """When the open stretch containing `at_utc` ends (UTC), or ``None`` when closed then."""
    at = as_utc(at_utc)
    first = _local_date(calendar, at) - timedelta(days=1)  # yesterday may run past midnight
    for start, end in _stretches(calendar, first, SEARCH_DAYS + 1):
        if start > at:
            return None
        if at < end:
            return end
    return None


def current_stretch(calendar: HallCalendar, at_utc: datetime) -> Span | None:
    """The open stretch ``(start, end)`` (UTC) containing `at_utc`, or ``None`` when closed."""
    at = as_utc(at_utc)
    first = _local_date(calendar, at) - timedelta(days=1)
    for start, end in _stretches(calendar, first, SEARCH_DAYS + 1):
        if start > at:
            return None
        if at < end:
            return start, end
    return None


def last_stretch(calendar: HallCalendar, at_utc: datetime, days_back: int = 2) -> Span | None:
    """The latest open stretch (UTC) that ended at or before `at_utc`, looking back `days_back`
    local days; ``None`` when there is none."""
    at = as_utc(at_utc)
    first = _local_date(calendar, at) - timedelta(days=days_back)
    latest: Span | None = None
    for start, end in _stretches(calendar, first, days_back + 1):
        if end > at:
            break
        latest = (start, end)
    return latest


def is_open(calendar: HallCalendar, at_utc: datetime) -> bool:
    """Whether the hall is open at the instant `at_utc`."""
    return closing_time(calendar, at_utc) is not None


def next_opening(
    calendar: HallCalendar, at_utc: datetime, search_days: int = SEARCH_DAYS
) -> datetime | None:
    """The first moment at or after `at_utc` when the hall goes from closed to open (UTC).

    Inside an open stretch this is the start of the next stretch (after lunch, tomorrow).
    ``None`` when nothing opens within `search_days` local days.
    """
    at = as_utc(at_utc)
    first = _local_date(calendar, at) - timedelta(days=1)
    for start, _ in _stretches(calendar, first, search_days + 1):
        if start >= at:
            return start
    return None


def minutes_until_closing(calendar: HallCalendar, at_utc: datetime) -> int | None:
    """Whole minutes left until `closing_time`, rounded up (never 0 while open); ``None`` when
    closed."""
    closing = closing_time(calendar, at_utc)
    if closing is None:
        return None
    return math.ceil((closing - as_utc(at_utc)).total_seconds() / 60)


NIGHT_GRACE = timedelta(hours=2)  # room for an extension after a night session's end


def service_day(calendar: HallCalendar, at_utc: datetime, grace: timedelta = NIGHT_GRACE) -> date:
    """The service day `at_utc` belongs to (DESIGN.md, "Service day"): the hall-local date on
    which the open stretch containing it started, so a night session 22:00 → 00:30 is wholly
    the day it opened. Out of hours it is the local date, except within `grace` after a
    stretch that started on an earlier date (closing up, an extension past a night session):
    that stretch's date still. Ticket numbers and the lead's lists are per service day."""
    at = as_utc(at_utc)
    today = _local_date(calendar, at)
    stretch = current_stretch(calendar, at)
    if stretch is None:
        stretch = last_stretch(calendar, at)
        if stretch is None or at >= stretch[1] + grace:
            return today
    return min(today, _local_date(calendar, stretch[0]))


def working_day_end(calendar: HallCalendar, at_utc: datetime) -> datetime:
    """When the working day of someone signing in at `at_utc` ends (UTC): the next local
    midnight, or `NIGHT_GRACE` after the end of the open stretch now or of the day's last
    stretch when that is later (a night session, 夜间值班, or one closing late enough that an
    extension runs past midnight), so the clerk serving it is not signed out at 00:00 in front
    of a citizen."""
    at = as_utc(at_utc)
    today = _local_date(calendar, at)
    midnight = datetime.combine(today + timedelta(days=1), time(0), calendar.zone).astimezone(UTC)
    ends = [midnight]
    stretch = current_stretch(calendar, at)
    if stretch is not None:
        ends.append(stretch[1] + NIGHT_GRACE)
    closing = day_closing(calendar, today)
    if closing is not None:
        ends.append(as_utc(closing) + NIGHT_GRACE)
    return max(ends)


def service_cutoff(closing: datetime, minutes: int) -> datetime:
    """When the kiosk stops issuing a service's tickets: `minutes` before `closing` (same zone)."""
    if minutes < 0:
        raise ValueError("the cutoff cannot be after closing")
    return closing - timedelta(minutes=minutes)


def accepts_tickets(calendar: HallCalendar, at_utc: datetime, cutoff_minutes: int) -> bool:
    """Whether a kiosk may issue a ticket at `at_utc`: open, and before the cutoff of the open
    stretch (a lunch break counts as a closing)."""
    closing = closing_time(calendar, at_utc)
    return closing is not None and as_utc(at_utc) < service_cutoff(closing, cutoff_minutes)


def split_by_local_date(
    calendar: HallCalendar, start_utc: datetime, end_utc: datetime
) -> list[tuple[date, datetime, datetime]]:
    """Split ``[start_utc, end_utc)`` at the hall's local midnights (see `local_date_pieces`)."""
    return local_date_pieces(calendar.zone, start_utc, end_utc)


@dataclass(frozen=True, slots=True)
class WorkedPart:
    """The piece of a span of work that falls on one hall-local date, with that date's day
    type (overtime is credited per calendar date: DESIGN.md, "Day types")."""

    local_date: date
    day_type: DayType
    start: datetime
    end: datetime
    minutes: int


def worked_parts(
    calendar: HallCalendar, start_utc: datetime, end_utc: datetime
) -> list[WorkedPart]:
    """``[start_utc, end_utc)`` split at the hall's local midnights. Whole minutes are counted
    from the span's start, so the parts add up to the whole span's whole minutes (an overrun
    23:50 → 00:20 is 10 minutes on one date and 20 on the next)."""
    start = as_utc(start_utc)
    parts = []
    for local_date, piece_start, piece_end in split_by_local_date(calendar, start, end_utc):
        before = (piece_start - start) // timedelta(minutes=1)
        through = (piece_end - start) // timedelta(minutes=1)
        day_type = day_info(calendar, local_date).day_type
        parts.append(WorkedPart(local_date, day_type, piece_start, piece_end, through - before))
    return parts
