"""Ledger events: an overtime claim or a leave request asked, decided or cancelled, overtime
credited. Written through the event log in the same transaction as the change, so "My leave"
and a lead's inbox update live. Each names the staff member and their department, so the
stream can show it only to them, their department's leads and admins (never the kiosk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.store.models import Staff
from clerkdesk.hall.wire import department_code


def ledger_event(
    session: Session,
    staff: Staff,
    kind: w.EventKind,
    now: datetime,
    *,
    claim: int | None = None,
    leave_request: int | None = None,
    status: str | None = None,
    minutes: int = 0,
) -> None:
    part = w.LedgerEventOut(
        staff_no=staff.staff_no,
        department=department_code(session, staff.department_id),
        claim=claim,
        leave_request=leave_request,
        status=status,
        minutes=minutes,
    )
    append_event(session, staff.hall_id, kind, now, ledger=part)
