"""A department's comp-leave balances at a glance (GET /leave/balances), for its duty lead.

Read from what the ledger keeps with every row written (migration 0006: each person's balance,
what is left of each credit), never by replaying a ledger: one statement for the whole
department, whatever the length of its ledgers. Each line holds the same figures as that
person's GET /staff/{staff_no}/leave (balance, credits expiring within 30 days, minutes asked
for in pending requests, coming duties).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.schemas import Role
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal, parse_roles
from clerkdesk.hall.calendar.store import local_day
from clerkdesk.hall.ledger.views import DUTY_DAYS, EXPIRING_DAYS
from clerkdesk.hall.rules.accrual import LeavePolicy
from clerkdesk.hall.store.models import Department, Hall, Staff
from clerkdesk.hall.store.models.ledger import (
    DutyRosterEntry,
    LeaveAccount,
    LeaveCredit,
    LeavePolicyVersion,
    LeaveRequest,
)
from clerkdesk.hall.wire import department_code, staff_balance_out

AT_THE_COUNTER = frozenset({Role.clerk, Role.lead})
"""Who is listed: the people who work at the windows, and anyone else with a leave account (an
admin who claimed overtime); not a kiosk's account or an admin's with no ledger."""


def department_balances(
    session: Session, who: Principal, department: str | None, now: datetime
) -> lw.LeaveBalancesOut:
    department_id = policy.balances_department(session, who, department)
    hall = session.get_one(Hall, who.hall_id)
    today = local_day(hall.timezone, now)
    soon = today + timedelta(days=EXPIRING_DAYS)
    per_day = session.scalar(
        select(LeavePolicyVersion.minutes_per_day)
        .where(LeavePolicyVersion.hall_id == who.hall_id)
        .order_by(LeavePolicyVersion.version.desc())
        .limit(1)
    )
    per_day = per_day or LeavePolicy().minutes_per_day

    expiring = (
        select(
            LeaveCredit.staff_id,
            func.sum(LeaveCredit.remaining).label("minutes"),
            func.min(LeaveCredit.expires_on).label("first"),
        )
        .where(LeaveCredit.hall_id == who.hall_id, LeaveCredit.live, LeaveCredit.expires_on <= soon)
        .group_by(LeaveCredit.staff_id)
        .subquery()
    )
    pending = (
        select(LeaveRequest.staff_id, func.sum(LeaveRequest.minutes).label("minutes"))
        .where(LeaveRequest.hall_id == who.hall_id, LeaveRequest.status == "pending")
        .group_by(LeaveRequest.staff_id)
        .subquery()
    )
    duties = (
        select(DutyRosterEntry.staff_id, func.count(DutyRosterEntry.id).label("n"))
        .where(
            DutyRosterEntry.hall_id == who.hall_id,
            DutyRosterEntry.local_date >= today,
            DutyRosterEntry.local_date < today + timedelta(days=DUTY_DAYS),
        )
        .group_by(DutyRosterEntry.staff_id)
        .subquery()
    )
    query = (
        select(
            Staff,
            Department.code,
            LeaveAccount.balance,
            func.coalesce(expiring.c.minutes, 0),
            expiring.c.first,
            func.coalesce(pending.c.minutes, 0),
            func.coalesce(duties.c.n, 0),
        )
        .outerjoin(Department, Department.id == Staff.department_id)
        .outerjoin(LeaveAccount, LeaveAccount.staff_id == Staff.id)
        .outerjoin(expiring, expiring.c.staff_id == Staff.id)
        .outerjoin(pending, pending.c.staff_id == Staff.id)
        .outerjoin(duties, duties.c.staff_id == Staff.id)
        .where(Staff.hall_id == who.hall_id, Staff.active)
        .order_by(Department.code.is_(None), Department.code, Staff.staff_no)
    )
    if department_id is not None:
        query = query.where(Staff.department_id == department_id)
    lines = [
        staff_balance_out(staff, code, per_day, balance or 0, soon_minutes, first, asked, coming)
        for staff, code, balance, soon_minutes, first, asked, coming in session.execute(query)
        if balance is not None or parse_roles(staff.roles) & AT_THE_COUNTER
    ]
    return lw.LeaveBalancesOut(
        department=department_code(session, department_id),
        minutes_per_day=per_day,
        expiring_days=EXPIRING_DAYS,
        duty_days=DUTY_DAYS,
        staff=lines,
    )
