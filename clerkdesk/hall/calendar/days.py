"""The calendar as shown: today at the hall (GET /calendar/today), one day
(GET /calendar/days/{date}), and the admin's confirmation of a year's day types."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.policy import may_see_unconfirmed_years, require_calendar_admin
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import (
    confirm_year,
    load_calendar,
    load_policy,
    unconfirmed_years,
)
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.rules.calendar import closing_time, next_opening
from clerkdesk.hall.wire import calendar_today_out, confirmed_year_out, day_out


def calendar_today(session: Session, who: Principal, now: datetime) -> w.CalendarToday:
    calendar = load_calendar(session, who.hall_id)
    policy = load_policy(session, who.hall_id)
    zone = calendar.zone
    today = now.astimezone(zone).date()
    closes = closing_time(calendar, now)
    reopen = next_opening(calendar, now)
    years = unconfirmed_years(calendar, today) if may_see_unconfirmed_years(who) else []
    return calendar_today_out(
        now,
        calendar,
        day_out(calendar, today),
        closes,
        reopen,
        policy.end_of_day,
        policy.auto_approve_minutes,
        years,
    )


def calendar_day(session: Session, who: Principal, local_date: date) -> w.CalendarDayOut:
    return day_out(load_calendar(session, who.hall_id), local_date)


def confirm_year_by_admin(
    session: Session, who: Principal, body: w.ConfirmYear, now: datetime
) -> w.ConfirmedYearOut:
    """An admin checked the year's official swaps against the calendar: the flag goes away."""
    require_calendar_admin(who)
    row = confirm_year(session, who.hall_id, body.year, who.staff_id, now)
    out = confirmed_year_out(session, row)
    append_event(session, who.hall_id, w.EventKind.calendar_updated, now, year=out)
    return out
