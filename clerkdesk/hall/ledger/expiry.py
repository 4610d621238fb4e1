"""The expiry job: what is left of a credit expires on its date (12 months after the work date by
default). Safe to run twice (the ledger's (source, kind) is unique and the state is replayed
first), and it catches up: a server that was down on the date expires the credit when it next
runs, dated the day it expired."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.ledger.book import append, lock_staff, state_of
from clerkdesk.hall.rules.accrual import EntryKind
from clerkdesk.hall.store.models.ledger import LeaveLedgerEntry


def expire_staff(session: Session, staff_id: int, today: date, now: datetime) -> int:
    """Expire one staff member's due credits; returns the minutes expired now."""
    staff = lock_staff(session, staff_id)
    expired = 0
    for credit in state_of(session, staff_id).due_expiries(today):
        assert credit.expires_on is not None
        append(
            session,
            staff,
            EntryKind.EXPIRY,
            -credit.remaining,
            credit.expires_on,
            credit.source,
            now,
            reason="expired",
        )
        expired += credit.remaining
    return expired


def expire_due(session: Session, hall_id: int, today: date, now: datetime) -> int:
    """Expire every due credit in the hall; returns the minutes expired now."""
    staff_ids = session.scalars(
        select(LeaveLedgerEntry.staff_id)
        .where(
            LeaveLedgerEntry.hall_id == hall_id,
            LeaveLedgerEntry.expires_on.is_not(None),
            LeaveLedgerEntry.expires_on <= today,
        )
        .distinct()
    ).all()
    return sum(expire_staff(session, staff_id, today, now) for staff_id in sorted(staff_ids))
