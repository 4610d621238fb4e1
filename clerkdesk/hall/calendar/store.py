"""The hall calendar and closing policy as stored (rows in, the pure `HallCalendar` out) and
as shown (GET /calendar/today, the admin's year confirmation).

A hall without weekly hours (a database from before the calendar existed) gets the default
workday hours, Monday to Friday 09:00-17:30; a hall without a policy row gets the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.api.schemas import Role
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.rules.calendar import (
    DutySession,
    HallCalendar,
    Intervals,
    OpeningInterval,
    WeeklySchedule,
    closing_time,
    day_info,
    next_opening,
    opening_intervals,
    sessions_on,
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
    return HallCalendar(hall.timezone, _weekly(weekly), _sessions(sessions), overrides, years)


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


def confirmed_year_out(session: Session, row: ConfirmedYear) -> w.ConfirmedYearOut:
    by = session.get(Staff, row.confirmed_by_id) if row.confirmed_by_id else None
    return w.ConfirmedYearOut(
        year=row.year, confirmed_at=row.confirmed_at, confirmed_by=by.staff_no if by else None
    )


# --- as shown -------------------------------------------------------------------------------

LOOKAHEAD_FROM_MONTH = 10
"""From October the next year's confirmation is shown too (swaps are announced in autumn)."""


def day_out(calendar: HallCalendar, local_date: date) -> w.CalendarDayOut:
    info = day_info(calendar, local_date)
    return w.CalendarDayOut(
        local_date=local_date,
        day_type=w.DayType(info.day_type.value),
        make_up_workday=info.make_up_workday,
        holiday_name=info.holiday_name,
        overridden=info.overridden,
        confirmed=info.confirmed,
        intervals=[
            w.OpeningIntervalOut(start=start, end=end)
            for start, end in opening_intervals(calendar, local_date)
        ],
        sessions=[s.label for s in sessions_on(calendar, local_date)],
    )


def unconfirmed_years(calendar: HallCalendar, today: date) -> list[int]:
    years = [today.year] + ([today.year + 1] if today.month >= LOOKAHEAD_FROM_MONTH else [])
    return [y for y in years if not year_confirmed(y, calendar.confirmed_years)]


def calendar_today(session: Session, who: Principal, now: datetime) -> w.CalendarToday:
    calendar = load_calendar(session, who.hall_id)
    policy = load_policy(session, who.hall_id)
    zone = calendar.zone
    today = now.astimezone(zone).date()
    closes = closing_time(calendar, now)
    reopen = next_opening(calendar, now)
    return w.CalendarToday(
        now=now.astimezone(zone),
        timezone=calendar.timezone,
        day=day_out(calendar, today),
        open_now=closes is not None,
        closes_at=closes.astimezone(zone) if closes else None,
        next_opening=reopen.astimezone(zone) if reopen else None,
        end_of_day=policy.end_of_day,
        auto_approve_minutes=policy.auto_approve_minutes,
        unconfirmed_years=unconfirmed_years(calendar, today)
        if who.has(Role.lead, Role.admin)
        else [],
    )


def calendar_day(session: Session, who: Principal, local_date: date) -> w.CalendarDayOut:
    return day_out(load_calendar(session, who.hall_id), local_date)


def confirm_year_by_admin(
    session: Session, who: Principal, body: w.ConfirmYear, now: datetime
) -> w.ConfirmedYearOut:
    """An admin checked the year's official swaps against the calendar: the flag goes away."""
    who.require(Role.admin)
    row = confirm_year(session, who.hall_id, body.year, who.staff_id, now)
    out = confirmed_year_out(session, row)
    append_event(session, who.hall_id, w.EventKind.calendar_updated, now, year=out)
    return out
