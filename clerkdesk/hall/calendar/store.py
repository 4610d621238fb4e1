"""The hall calendar and closing policy as stored: rows in, the pure `HallCalendar` out (the
calendar as shown is `calendar.days`), and when a sign-in made now ends.

A hall without weekly hours (a database from before the calendar existed) gets the default
workday hours, Monday to Friday 09:00-17:30; a hall without a policy row gets the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.calendar.national import china_calendar
from clerkdesk.hall.rules.calendar import (
    DutySession,
    HallCalendar,
    Intervals,
    OpeningInterval,
    WeeklySchedule,
    working_day_end,
)
from clerkdesk.hall.rules.counter_policy import CounterPolicy
from clerkdesk.hall.rules.day_types import DayType, year_confirmed
from clerkdesk.hall.store.models import (
    AuthToken,
    ConfirmedYear,
    DayOverride,
    DutySessionHours,
    Hall,
    HallPolicy,
    Staff,
    WeeklyHours,
)

DEFAULT_HOURS = (OpeningInterval(time(9, 0), time(17, 30)),)


@dataclass(frozen=True)
class ClosingPolicy:
    end_of_day: w.EndOfDayRule = w.EndOfDayRule.serve_all
    auto_approve_minutes: int = 0
    closing_notice_minutes: int = 30


def _weekly(rows: list[WeeklyHours]) -> WeeklySchedule:
    if not rows:
        return WeeklySchedule.workdays(DEFAULT_HOURS)
    days: list[list[OpeningInterval]] = [[] for _ in range(7)]
    makeup: list[OpeningInterval] = []
    for row in sorted(rows, key=lambda r: (r.weekday if r.weekday is not None else 7, r.id)):
        interval = OpeningInterval(row.start_time, row.end_time)
        (makeup if row.weekday is None else days[row.weekday]).append(interval)
    intervals: tuple[Intervals, ...] = tuple(tuple(day) for day in days)
    return WeeklySchedule(intervals, tuple(makeup) if makeup else None)


def _sessions(rows: list[DutySessionHours]) -> tuple[DutySession, ...]:
    return tuple(
        DutySession(
            row.on_date,
            row.weekday if row.on_date is None else None,
            (OpeningInterval(row.start_time, row.end_time),),
            row.label,
        )
        for row in sorted(rows, key=lambda r: r.id)
    )


def load_calendar(session: Session, hall_id: int) -> HallCalendar:
    hall = session.get_one(Hall, hall_id)
    weekly = list(session.scalars(select(WeeklyHours).where(WeeklyHours.hall_id == hall_id)))
    sessions = list(
        session.scalars(select(DutySessionHours).where(DutySessionHours.hall_id == hall_id))
    )
    overrides = {
        row.local_date: DayType(row.day_type)
        for row in session.scalars(select(DayOverride).where(DayOverride.hall_id == hall_id))
    }
    years = frozenset(
        session.scalars(select(ConfirmedYear.year).where(ConfirmedYear.hall_id == hall_id))
    )
    return HallCalendar(
        hall.timezone, _weekly(weekly), _sessions(sessions), overrides, years, china_calendar()
    )


def local_date(hall: Hall, at: datetime) -> date:
    """The hall-local date of `at`."""
    return local_day(hall.timezone, at)


def local_day(timezone: str, at: datetime) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def sign_in_ends(session: Session, hall_id: int, now: datetime) -> datetime:
    """When a sign-in made now ends with the working day (the pure rule `working_day_end`)."""
    return working_day_end(load_calendar(session, hall_id), now)


def move_sign_in_ends(session: Session, hall_id: int, now: datetime) -> int:
    """After a calendar change: the sign-ins of the hall still running end when their working
    day ends on the calendar as it is now (a night session added after a clerk signed in keeps
    them signed in past midnight). An end that would already have passed is left as it was:
    a change never signs anyone out behind their back. Returns how many ends moved."""
    from clerkdesk.hall.access.principal import token_expiry  # (principal imports us lazily)

    calendar = load_calendar(session, hall_id)
    running = session.scalars(
        select(AuthToken)
        .join(Staff, Staff.id == AuthToken.staff_id)
        .where(Staff.hall_id == hall_id, AuthToken.revoked_at.is_(None), AuthToken.expires_at > now)
    )
    moved = 0
    for token in running:
        end = token_expiry(token.created_at, working_day_end(calendar, token.created_at))
        if end > now and end != token.expires_at:
            token.expires_at = end
            moved += 1
    session.flush()
    return moved


def load_counter_policy(session: Session, hall_id: int) -> CounterPolicy:
    """The hall's counter policy (no-shows, reinstating); the defaults without a policy row."""
    row = session.get(HallPolicy, hall_id)
    if row is None:
        return CounterPolicy()
    return CounterPolicy(row.no_show_min_recalls, row.no_show_min_seconds, row.reinstate_minutes)


def load_policy(session: Session, hall_id: int) -> ClosingPolicy:
    row = session.get(HallPolicy, hall_id)
    if row is None:
        return ClosingPolicy()
    return ClosingPolicy(
        w.EndOfDayRule(row.end_of_day), row.auto_approve_minutes, row.closing_notice_minutes
    )


def confirm_year(
    session: Session, hall_id: int, year: int, staff_id: int | None, now: datetime
) -> ConfirmedYear:
    """Mark `year` confirmed (idempotent: a year confirmed before keeps its first record)."""
    row = session.get(ConfirmedYear, (hall_id, year))
    if row is None:
        row = ConfirmedYear(hall_id=hall_id, year=year, confirmed_at=now, confirmed_by_id=staff_id)
        session.add(row)
        session.flush()
    return row


# --- as shown -------------------------------------------------------------------------------

LOOKAHEAD_FROM_MONTH = 10
"""From October the next year's confirmation is shown too (swaps are announced in autumn)."""


def unconfirmed_years(calendar: HallCalendar, today: date) -> list[int]:
    years = [today.year] + ([today.year + 1] if today.month >= LOOKAHEAD_FROM_MONTH else [])
    return [y for y in years if not year_confirmed(y, calendar.confirmed_years, calendar.national)]
