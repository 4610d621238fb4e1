"""Overtime claims: time worked that no fact covers (a sign-in that started after the window's
end, back-office work), claimed with a reason by the person who worked it and approved by their
duty lead, never by themselves. An approval writes the overtime entries (ordinary workday hours
and time another entry already covers are left out)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.schemas import EventKind
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.ledger.events import ledger_event
from clerkdesk.hall.ledger.overtime import record
from clerkdesk.hall.rules.accrual import duty_time
from clerkdesk.hall.store.models import Staff
from clerkdesk.hall.store.models.ledger import OvertimeClaim
from clerkdesk.hall.wire import claim_out

PENDING = lw.DecisionStatus.pending.value
MAX_CLAIM = timedelta(hours=16)


def claim(session: Session, who: Principal, body: lw.ClaimOvertime, now: datetime) -> lw.ClaimOut:
    policy.require(who, policy.Can.keep_leave)
    if body.ends_at <= body.starts_at:
        raise Conflict(
            "claim_ends_first",
            "A claim ends after it starts: check the two times.",
            starts_at=body.starts_at.isoformat(),
            ends_at=body.ends_at.isoformat(),
        )
    if body.ends_at > now:
        raise Conflict(
            "claim_in_future",
            "A claim covers time already worked: give an end at or before now.",
            ends_at=body.ends_at.isoformat(),
        )
    if body.ends_at - body.starts_at > MAX_CLAIM:
        raise Conflict(
            "claim_too_long",
            "A claim covers at most 16 hours: claim each working day on its own.",
            hours=16,
        )
    row = OvertimeClaim(
        hall_id=who.hall_id,
        staff_id=who.staff_id,
        status=PENDING,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        requested_at=now,
    )
    session.add(row)
    session.flush()
    staff = session.get_one(Staff, who.staff_id)
    ledger_event(session, staff, EventKind.claim_requested, now, claim=row.id, status=PENDING)
    return claim_out(session, row)


def list_claims(
    session: Session, who: Principal, status: lw.DecisionStatus | None
) -> list[lw.ClaimOut]:
    """Own claims; a lead's department's, an admin's hall's."""
    query = select(OvertimeClaim).where(OvertimeClaim.hall_id == who.hall_id)
    if status is not None:
        query = query.where(OvertimeClaim.status == status.value)
    if not policy.may(who, policy.Can.decide):
        query = query.where(OvertimeClaim.staff_id == who.staff_id)
    rows = session.scalars(query.order_by(OvertimeClaim.id))
    return [
        claim_out(session, row)
        for row in rows
        if policy.may_see_staff(who, session.get_one(Staff, row.staff_id))
    ]


def _pending(session: Session, who: Principal, claim_id: int) -> OvertimeClaim:
    row = session.scalars(
        select(OvertimeClaim)
        .where(OvertimeClaim.id == claim_id, OvertimeClaim.hall_id == who.hall_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise not_found("claim", claim_id)
    staff = session.get_one(Staff, row.staff_id)
    if row.staff_id != who.staff_id and not policy.leads_staff(who, staff):
        raise not_found("claim", claim_id)
    policy.require_staff_decider(who, staff, "overtime claim")
    if row.status != PENDING:
        raise Conflict(
            "claim_decided",
            f"This claim is already {row.status}: reload the list.",
            claim=row.id,
            status=row.status,
        )
    return row


def decide(
    session: Session, who: Principal, claim_id: int, approved: bool, reason: str, now: datetime
) -> lw.ClaimOut:
    row = _pending(session, who, claim_id)
    row.status = (lw.DecisionStatus.approved if approved else lw.DecisionStatus.denied).value
    row.decided_at = now
    row.decided_by_id = who.staff_id
    row.decision_reason = reason or None
    session.flush()
    if approved:
        calendar = load_calendar(session, row.hall_id)
        span = (row.starts_at, row.ends_at)
        record(
            session,
            row.hall_id,
            row.staff_id,
            "claim",
            str(row.id),
            duty_time(calendar, span, span),
            now,
        )
    staff = session.get_one(Staff, row.staff_id)
    ledger_event(session, staff, EventKind.claim_decided, now, claim=row.id, status=row.status)
    return claim_out(session, row)


__all__ = ["claim", "decide", "list_claims"]
