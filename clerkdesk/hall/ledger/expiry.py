"""The expiry job: what is left of a credit expires on its date (12 months after the work date by
default), dated that day.

Incremental: every credit with something left and not expired is "live", and the live credits
are indexed by (hall, live, expiry date), so the job reads exactly the credits due by today
(a credit used up or expired long ago is never read again) and touches only the staff members
who have one. Each person is expired in a short transaction of their own (`expire_hall`): the
hall's other writers never wait behind the whole hall. Safe to run twice (an expired credit is
no longer live; the ledger's (source, kind) is unique), from several processes (each person's
ledger is locked while it is written), and it catches up: a server that was down on the date
expires the credit when it next runs, dated the day it expired; so is a credit that arrives
already due (a claim approved more than a year after the work).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from clerkdesk.api.schemas import EventKind
from clerkdesk.hall.ledger.book import expire_due_credits, lock_staff, staff_with_credits_due
from clerkdesk.hall.ledger.events import ledger_event

WriteSession = Callable[[], contextlib.AbstractContextManager[Session]]
"""Opens one write transaction and yields its session (committed on a clean exit)."""


def expire_staff(session: Session, staff_id: int, today: date, now: datetime) -> int:
    """Expire one staff member's due credits; returns the minutes expired now. An expiry is an
    event (`leave.expired`), so "My leave" and the leads' balances follow it live."""
    staff = lock_staff(session, staff_id)
    minutes = expire_due_credits(session, staff, today, now)
    if minutes:
        ledger_event(session, staff, EventKind.leave_expired, now, minutes=minutes)
    return minutes


def expire_hall(
    read: WriteSession, write: WriteSession, hall_id: int, today: date, now: datetime
) -> int:
    """Expire every due credit in the hall, one staff member per transaction; returns the
    minutes. Who has something due is read first (`read`); each of them is then locked and
    read again in their own transaction (`write`), so someone whose credits were taken or
    expired in between is simply left as they are."""
    with read() as session:
        staff_ids = staff_with_credits_due(session, hall_id, today)
    expired = 0
    for staff_id in staff_ids:
        with write() as session:
            expired += expire_staff(session, staff_id, today, now)
    return expired
