"""What a staff member's leave looks like (GET /me/leave, /staff/{no}/leave) and the overtime of
a month (GET /overtime): the balance is always the sum of the ledger's rows (kept with every
row written); the ledger is sent a page at a time, the newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import local_date, local_day
from clerkdesk.hall.ledger import roster
from clerkdesk.hall.ledger.book import expiring_by, page_of, summary_of
from clerkdesk.hall.store.models import Hall, Staff
from clerkdesk.hall.store.models.ledger import OvertimeEntry
from clerkdesk.hall.wire import credit_out, ledger_entries_out, overtime_out, staff_out

EXPIRING_DAYS = 30
DUTY_DAYS = 62


@dataclass(frozen=True)
class LedgerPage:
    """Which ledger entries an answer carries: the newest `limit` older than entry `before`."""

    limit: int = lw.LEDGER_PAGE
    before: int | None = None


def leave_of(
    session: Session,
    who: Principal,
    staff: Staff,
    now: datetime,
    page: LedgerPage = LedgerPage(),
) -> lw.LeaveBalanceOut:
    """Balance, credits expiring soon and duties from the kept state (a few indexed rows), and
    one page of the ledger: the newest `page.limit` entries older than `page.before`."""
    figures = summary_of(session, who.hall_id, staff.id)
    today = local_day(figures.timezone, now)
    rows, older = page_of(session, staff.id, page.limit, page.before)
    expiring = expiring_by(session, staff.id, today + timedelta(days=EXPIRING_DAYS))
    return lw.LeaveBalanceOut(
        staff=staff_out(session, staff),
        balance_minutes=figures.balance,
        balance_days=round(figures.balance / figures.minutes_per_day, 2),
        minutes_per_day=figures.minutes_per_day,
        pending_minutes=figures.pending,
        expiring_soon=[credit_out(c) for c in expiring],
        ledger=ledger_entries_out(rows),
        duties=roster.coming(session, who, today, DUTY_DAYS, staff_id=staff.id),
        ledger_total=figures.entries,
        older_before=rows[0].id if older and rows else None,
    )


def my_leave(
    session: Session, who: Principal, now: datetime, page: LedgerPage = LedgerPage()
) -> lw.LeaveBalanceOut:
    return leave_of(session, who, session.get_one(Staff, who.staff_id), now, page)


def staff_leave(
    session: Session, who: Principal, staff_no: str, now: datetime, page: LedgerPage = LedgerPage()
) -> lw.LeaveBalanceOut:
    return leave_of(session, who, policy.visible_staff(session, who, staff_no), now, page)


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
