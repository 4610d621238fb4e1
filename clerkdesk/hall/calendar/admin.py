"""Editing a hall's calendar outside the hall file (`clerkdesk admin calendar`): a day type for
one date, duty sessions (by date or every week), confirmed years. Each change is written with a
`calendar.updated` event in the same transaction, so open screens read the calendar again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.calendar.store import (
    confirm_year,
    load_calendar,
    move_sign_in_ends,
    unconfirmed_years,
)
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.store.models import DayOverride, DutySessionHours, Hall
from clerkdesk.hall.wire import confirmed_year_out, day_out

MAX_DAYS = 366


class CalendarEditError(Exception):
    """A change that cannot be made; the message says what to do instead."""


def only_hall(session: Session, code: str | None = None) -> Hall:
    """The hall to edit: the one named by `code`, else the database's only hall."""
    halls = list(session.scalars(select(Hall).order_by(Hall.code)))
    if code is not None:
        for hall in halls:
            if hall.code == code:
                return hall
        raise CalendarEditError(
            f"No hall {code!r} in this database (halls: {', '.join(h.code for h in halls)})."
        )
    if not halls:
        raise CalendarEditError(
            "This database holds no hall yet: load one with `clerkdesk admin import HALL.toml`."
        )
    if len(halls) > 1:
        raise CalendarEditError(
            f"This database holds several halls ({', '.join(h.code for h in halls)}): "
            "name one with --hall."
        )
    return halls[0]


def _updated(session: Session, hall: Hall, now: datetime) -> None:
    move_sign_in_ends(session, hall.id, now)
    append_event(session, hall.id, w.EventKind.calendar_updated, now)


def set_day_type(
    session: Session, hall: Hall, day: date, day_type: w.DayType | None, note: str, now: datetime
) -> bool:
    """Give `day` a day type that wins over the national calendar (None: remove the override).
    Returns whether anything changed."""
    row = session.scalars(
        select(DayOverride).where(DayOverride.hall_id == hall.id, DayOverride.local_date == day)
    ).one_or_none()
    if day_type is None:
        if row is None:
            return False
        session.delete(row)
    elif row is None:
        session.add(
            DayOverride(hall_id=hall.id, local_date=day, day_type=day_type.value, note=note)
        )
    elif (row.day_type, row.note) == (day_type.value, note):
        return False
    else:
        row.day_type, row.note = day_type.value, note
    session.flush()
    _updated(session, hall, now)
    return True


@dataclass(frozen=True)
class SessionSpec:
    """A duty session: on one date, or every week on a weekday (0 = Monday)."""

    on_date: date | None
    weekday: int | None
    start: time
    end: time
    label: str

    def __post_init__(self) -> None:
        if (self.on_date is None) == (self.weekday is None):
            raise CalendarEditError("A duty session is on one date or on a weekday: give one.")
        if self.start == self.end:
            raise CalendarEditError(
                "A duty session needs different start and end times (an end before the start "
                "runs past midnight)."
            )
        if not self.label.strip():
            raise CalendarEditError("A duty session needs a label, e.g. 周六值班.")


def add_session(session: Session, hall: Hall, spec: SessionSpec, now: datetime) -> int:
    row = DutySessionHours(
        hall_id=hall.id,
        on_date=spec.on_date,
        weekday=spec.weekday,
        start_time=spec.start,
        end_time=spec.end,
        label=spec.label.strip(),
    )
    session.add(row)
    session.flush()
    _updated(session, hall, now)
    return row.id


def remove_session(session: Session, hall: Hall, session_id: int, now: datetime) -> None:
    row = session.get(DutySessionHours, session_id)
    if row is None or row.hall_id != hall.id:
        raise CalendarEditError(
            f"No duty session {session_id}: `clerkdesk admin calendar show` lists them with "
            "their numbers."
        )
    session.delete(row)
    session.flush()
    _updated(session, hall, now)


def confirm(session: Session, hall: Hall, year: int, now: datetime) -> w.ConfirmedYearOut:
    out = confirmed_year_out(session, confirm_year(session, hall.id, year, None, now))
    append_event(session, hall.id, w.EventKind.calendar_updated, now, year=out)
    return out


@dataclass(frozen=True)
class CalendarView:
    hall: str
    timezone: str
    days: list[w.CalendarDayOut]
    sessions: list[DutySessionHours]
    unconfirmed_years: list[int]


def view(session: Session, hall: Hall, first: date, days: int, today: date) -> CalendarView:
    if not 1 <= days <= MAX_DAYS:
        raise CalendarEditError(f"Show between 1 and {MAX_DAYS} days.")
    calendar = load_calendar(session, hall.id)
    return CalendarView(
        hall.code,
        hall.timezone,
        [day_out(calendar, first + timedelta(days=n)) for n in range(days)],
        list(
            session.scalars(
                select(DutySessionHours)
                .where(DutySessionHours.hall_id == hall.id)
                .order_by(DutySessionHours.id)
            )
        ),
        unconfirmed_years(calendar, today),
    )
