"""What a staff member's leave looks like (GET /me/leave, /staff/{no}/leave) and the overtime of
a month (GET /overtime): the balance is always the sum of the ledger's rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import local_date
from clerkdesk.hall.ledger import roster
from clerkdesk.hall.ledger.book import as_rule_row, rows_of
from clerkdesk.hall.ledger.leave import pending_minutes
from clerkdesk.hall.rules.accrual import replay
from clerkdesk.hall.setup.leave_policy import load_leave_policy
from clerkdesk.hall.store.models import Hall, Staff
from clerkdesk.hall.store.models.ledger import OvertimeEntry
from clerkdesk.hall.wire import credit_out, ledger_entries_out, overtime_out, staff_out

EXPIRING_DAYS = 30
DUTY_DAYS = 62


def leave_of(session: Session, who: Principal, staff: Staff, now: datetime) -> lw.LeaveBalanceOut:
    today = local_date(session.get_one(Hall, who.hall_id), now)
    rows = rows_of(session, staff.id)
    state = replay([as_rule_row(row) for row in rows])
    per_day = load_leave_policy(session, who.hall_id).minutes_per_day
    return lw.LeaveBalanceOut(
        staff=staff_out(session, staff),
        balance_minutes=state.balance,
        balance_days=round(state.balance / per_day, 2),
        minutes_per_day=per_day,
        pending_minutes=pending_minutes(session, staff.id),
        expiring_soon=[credit_out(c) for c in state.expiring_within(today, EXPIRING_DAYS)],
        ledger=ledger_entries_out(rows),
        duties=roster.coming(session, who, today, DUTY_DAYS, staff_id=staff.id),
    )


def my_leave(session: Session, who: Principal, now: datetime) -> lw.LeaveBalanceOut:
    return leave_of(session, who, session.get_one(Staff, who.staff_id), now)


def staff_leave(
    session: Session, who: Principal, staff_no: str, now: datetime
) -> lw.LeaveBalanceOut:
    return leave_of(session, who, policy.visible_staff(session, who, staff_no), now)


def month_bounds(month: str) -> tuple[int, int]:
    year, number = month.split("-")
    return int(year), int(number)


def overtime_of_month(
    session: Session, who: Principal, month: str | None, now: datetime
) -> list[lw.OvertimeEntryOut]:
    """Own entries of the month (default: this month); a lead's department's, an admin's all."""
    if month is None:
        today: date = local_date(session.get_one(Hall, who.hall_id), now)
        year, number = today.year, today.month
    else:
        year, number = month_bounds(month)
    query = select(OvertimeEntry).where(
        OvertimeEntry.hall_id == who.hall_id,
        extract("year", OvertimeEntry.local_date) == year,
        extract("month", OvertimeEntry.local_date) == number,
    )
    if not policy.may(who, policy.Can.decide):
        query = query.where(OvertimeEntry.staff_id == who.staff_id)
    rows = session.scalars(query.order_by(OvertimeEntry.local_date, OvertimeEntry.starts_at))
    return [
        overtime_out(session, row)
        for row in rows
        if policy.may_see_staff(who, session.get_one(Staff, row.staff_id))
    ]
