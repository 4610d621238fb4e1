"""Leave requests (调休): asked for whole dates or hours, refused beyond the balance (the answer
gives the balance), approved or denied by the duty lead (never one's own), cancelled by the
person who asked. An approval writes the leave taken (oldest credit first); cancelling an
approved leave before it starts writes the opposite entry, giving back only what that leave
took."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.schemas import EventKind
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_calendar, local_date
from clerkdesk.hall.errors import Conflict, Forbidden, Invalid, not_found
from clerkdesk.hall.ledger.book import append, available, balance_of, lock_staff, reversible
from clerkdesk.hall.ledger.events import ledger_event
from clerkdesk.hall.ledger.expiry import expire_staff
from clerkdesk.hall.rules.accrual import EntryKind, LeavePolicy, leave_minutes
from clerkdesk.hall.rules.calendar import day_info
from clerkdesk.hall.setup.leave_policy import load_leave_policy
from clerkdesk.hall.store.models import Hall, Staff
from clerkdesk.hall.store.models.ledger import LeaveRequest
from clerkdesk.hall.wire import leave_request_out

PENDING = lw.DecisionStatus.pending.value
APPROVED = lw.DecisionStatus.approved.value


def _today(session: Session, hall_id: int, now: datetime) -> date:
    return local_date(session.get_one(Hall, hall_id), now)


def pending_minutes(session: Session, staff_id: int, but: int | None = None) -> int:
    query = select(func.coalesce(func.sum(LeaveRequest.minutes), 0)).where(
        LeaveRequest.staff_id == staff_id, LeaveRequest.status == PENDING
    )
    if but is not None:
        query = query.where(LeaveRequest.id != but)
    return int(session.scalar(query) or 0)


def _not_enough(
    session: Session, staff_id: int, on: date, wanted: int, pending: int, policy: LeavePolicy
) -> Conflict:
    balance = balance_of(session, staff_id)
    free = available(session, staff_id, on)
    return Conflict(
        "not_enough_leave",
        f"This leave needs {wanted} minutes but {free - pending} are free "
        f"(balance {balance} minutes, {pending} asked for in pending requests): ask for "
        "less, or wait for more overtime to be credited.",
        wanted_minutes=wanted,
        balance_minutes=balance,
        available_minutes=free,
        pending_minutes=pending,
        balance_days=round(balance / policy.minutes_per_day, 2),
    )


def _minutes(session: Session, hall_id: int, body: lw.RequestLeave, policy: LeavePolicy) -> int:
    if body.hours is not None:
        return round(body.hours * 60)
    calendar = load_calendar(session, hall_id)
    last = body.last_date or body.first_date
    days = [body.first_date + timedelta(days=n) for n in range((last - body.first_date).days + 1)]
    return leave_minutes([day_info(calendar, d).day_type for d in days], policy)


def request_leave(
    session: Session, who: Principal, body: lw.RequestLeave, now: datetime
) -> lw.LeaveRequestOut:
    policy.require(who, policy.Can.keep_leave)
    today = _today(session, who.hall_id, now)
    if body.first_date < today:
        raise Invalid(
            "leave_in_past",
            f"Leave starts today or later, not on {body.first_date}: pick a coming date.",
            first_date=body.first_date.isoformat(),
        )
    rules_in_force = load_leave_policy(session, who.hall_id)
    minutes = _minutes(session, who.hall_id, body, rules_in_force)
    if minutes <= 0:
        raise Invalid(
            "no_workdays",
            "Those dates are all rest days or holidays: leave is needed on workdays only.",
            first_date=body.first_date.isoformat(),
        )
    lock_staff(session, who.staff_id)
    expire_staff(session, who.staff_id, today, now)
    pending = pending_minutes(session, who.staff_id)
    if minutes > available(session, who.staff_id, body.first_date) - pending:
        raise _not_enough(session, who.staff_id, body.first_date, minutes, pending, rules_in_force)
    row = LeaveRequest(
        hall_id=who.hall_id,
        staff_id=who.staff_id,
        status=PENDING,
        first_date=body.first_date,
        last_date=body.last_date or body.first_date,
        minutes=minutes,
        by_hours=body.hours is not None,
        reason=body.reason,
        requested_at=now,
    )
    session.add(row)
    session.flush()
    staff = session.get_one(Staff, who.staff_id)
    _event(session, staff, EventKind.leave_requested, row, now)
    return leave_request_out(session, row)


def list_requests(
    session: Session, who: Principal, status: lw.DecisionStatus | None
) -> list[lw.LeaveRequestOut]:
    """Own requests; a lead's department's, an admin's hall's."""
    query = select(LeaveRequest).where(LeaveRequest.hall_id == who.hall_id)
    if status is not None:
        query = query.where(LeaveRequest.status == status.value)
    if not policy.may(who, policy.Can.decide):
        query = query.where(LeaveRequest.staff_id == who.staff_id)
    rows = session.scalars(query.order_by(LeaveRequest.id))
    return [
        leave_request_out(session, row)
        for row in rows
        if policy.may_see_staff(who, session.get_one(Staff, row.staff_id))
    ]


def _locked(session: Session, who: Principal, request_id: int) -> tuple[LeaveRequest, Staff]:
    row = session.scalars(
        select(LeaveRequest)
        .where(LeaveRequest.id == request_id, LeaveRequest.hall_id == who.hall_id)
        .with_for_update()
    ).one_or_none()
    staff = session.get(Staff, row.staff_id) if row is not None else None
    if row is None or staff is None or not policy.may_see_staff(who, staff):
        raise not_found("leave_request", request_id)
    return row, staff


def _event(
    session: Session, staff: Staff, kind: EventKind, row: LeaveRequest, now: datetime
) -> None:
    ledger_event(
        session, staff, kind, now, leave_request=row.id, status=row.status, minutes=row.minutes
    )


def _decided(row: LeaveRequest) -> Conflict:
    return Conflict(
        "leave_request_decided",
        f"This leave request is already {row.status}: reload the list.",
        leave_request=row.id,
        status=row.status,
    )


def decide(
    session: Session, who: Principal, request_id: int, approved: bool, reason: str, now: datetime
) -> lw.LeaveRequestOut:
    row, staff = _locked(session, who, request_id)
    policy.require_staff_decider(who, staff, "leave request")
    if row.status != PENDING:
        raise _decided(row)
    if approved:
        lock_staff(session, staff.id)
        expire_staff(session, staff.id, _today(session, who.hall_id, now), now)
        if row.minutes > available(session, staff.id, row.first_date):
            rules_in_force = load_leave_policy(session, who.hall_id)
            raise _not_enough(session, staff.id, row.first_date, row.minutes, 0, rules_in_force)
        append(
            session,
            staff,
            EntryKind.TAKEN,
            -row.minutes,
            row.first_date,
            f"leave:{row.id}",
            now,
            reason=row.reason or None,
            approved_by_id=who.staff_id,
        )
    row.status = (lw.DecisionStatus.approved if approved else lw.DecisionStatus.denied).value
    row.decided_at = now
    row.decided_by_id = who.staff_id
    row.decision_reason = reason or None
    session.flush()
    _event(session, staff, EventKind.leave_decided, row, now)
    return leave_request_out(session, row)


def cancel(
    session: Session, who: Principal, request_id: int, reason: str, now: datetime
) -> lw.LeaveRequestOut:
    """The person who asked cancels (an admin too): a pending request simply ends; an approved
    one that has not started gives back what it took."""
    row, staff = _locked(session, who, request_id)
    if staff.id != who.staff_id and not policy.may(who, policy.Can.oversee_hall):
        raise Forbidden(
            "not_your_request",
            "Only the person who asked (or an admin) cancels a leave request: deny it instead.",
            leave_request=row.id,
        )
    if row.status not in (PENDING, APPROVED):
        raise _decided(row)
    today = _today(session, who.hall_id, now)
    if row.status == APPROVED:
        if row.first_date <= today:
            raise Conflict(
                "leave_started",
                f"This leave began on {row.first_date}: it can no longer be cancelled; ask a "
                "lead or an admin for an adjustment.",
                leave_request=row.id,
                first_date=row.first_date.isoformat(),
            )
        lock_staff(session, staff.id)
        source = f"leave:{row.id}"
        back = reversible(session, staff.id, source, today)
        append(
            session,
            staff,
            EntryKind.ADJUSTMENT,
            back,
            today,
            source,
            now,
            reverses=source,
            reason=reason or "cancelled",
            approved_by_id=who.staff_id,
        )
    row.status = lw.DecisionStatus.cancelled.value
    row.decided_at = now
    row.decision_reason = reason or row.decision_reason
    session.flush()
    _event(session, staff, EventKind.leave_cancelled, row, now)
    return leave_request_out(session, row)
