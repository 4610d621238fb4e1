"""The duty roster: leads assign staff to the weekend, holiday and night sessions of the hall
calendar; staff see their coming duties. Duty time counts only for the rostered person, and only
inside the rostered interval."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.file import parse_hours
from clerkdesk.hall.calendar.store import load_calendar, local_date
from clerkdesk.hall.errors import Conflict, Forbidden
from clerkdesk.hall.rules.calendar import OpeningInterval, sessions_on
from clerkdesk.hall.store.models import Hall, Staff
from clerkdesk.hall.store.models.ledger import DutyRosterEntry
from clerkdesk.hall.wire import duty_out


def assign(session: Session, who: Principal, body: lw.AssignDuty, now: datetime) -> lw.DutyAssigned:
    policy.require(who, policy.Can.decide)
    staff = policy.visible_staff(session, who, body.staff_no)
    if not policy.leads_staff(who, staff):
        raise Forbidden(
            "other_department",
            f"{staff.name} ({staff.staff_no}) is in another department: their own duty lead "
            "rosters them.",
            staff_no=staff.staff_no,
        )
    calendar = load_calendar(session, who.hall_id)
    intervals = [i for s in sessions_on(calendar, body.date) for i in s.intervals]
    if body.hours is not None:
        wanted = OpeningInterval(*parse_hours(body.hours))
        intervals = [i for i in intervals if i == wanted]
    if not intervals:
        raise Conflict(
            "no_duty_session",
            f"The hall calendar has no duty session {body.hours or ''} on {body.date}: add the "
            "session to the calendar first (clerkdesk admin calendar add-session).",
            date=body.date.isoformat(),
            hours=body.hours,
        )
    labels = {i: s.label for s in sessions_on(calendar, body.date) for i in s.intervals}
    rows: list[DutyRosterEntry] = []
    for interval in intervals:
        start, end = interval.on(body.date, calendar.zone)
        row = session.scalars(
            select(DutyRosterEntry).where(
                DutyRosterEntry.staff_id == staff.id, DutyRosterEntry.starts_at == start
            )
        ).one_or_none()
        if row is None:
            row = DutyRosterEntry(
                hall_id=who.hall_id,
                staff_id=staff.id,
                local_date=body.date,
                starts_at=start,
                ends_at=end,
                label=body.label or labels.get(interval, ""),
                assigned_by_id=who.staff_id,
                assigned_at=now,
            )
            session.add(row)
            session.flush()
        rows.append(row)
    return lw.DutyAssigned(duties=[duty_out(session, row) for row in rows])


def coming(
    session: Session, who: Principal, first: date, days: int, staff_id: int | None = None
) -> list[lw.DutyOut]:
    """Rostered duties from `first` for `days` local dates: one's own; a lead's department's,
    an admin's hall's (or one staff member's, `staff_id`)."""
    query = select(DutyRosterEntry).where(
        DutyRosterEntry.hall_id == who.hall_id,
        DutyRosterEntry.local_date >= first,
        DutyRosterEntry.local_date < first + timedelta(days=days),
    )
    if staff_id is not None:
        query = query.where(DutyRosterEntry.staff_id == staff_id)
    rows = session.scalars(query.order_by(DutyRosterEntry.starts_at, DutyRosterEntry.id))
    return [
        duty_out(session, row)
        for row in rows
        if policy.may_see_staff(who, session.get_one(Staff, row.staff_id))
    ]


def coming_from(
    session: Session, who: Principal, first: date | None, days: int, now: datetime
) -> list[lw.DutyOut]:
    """`coming` from `first`, by default from today."""
    today = local_date(session.get_one(Hall, who.hall_id), now)
    return coming(session, who, first or today, days)
