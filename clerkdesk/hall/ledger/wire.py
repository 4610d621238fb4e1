"""Ledger rows as wire models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Row
from sqlalchemy.orm import Session

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.hall.rules.accrual import CreditLeft
from clerkdesk.hall.store.models import Staff
from clerkdesk.hall.store.models.ledger import (
    DutyRosterEntry,
    LeaveRequest,
    OvertimeClaim,
    OvertimeEntry,
)
from clerkdesk.hall.wire import staff_out


def _name(session: Session, staff_id: int | None) -> str | None:
    return session.get_one(Staff, staff_id).name if staff_id is not None else None


_ENTRIES = TypeAdapter(list[lw.LedgerEntryOut])


def ledger_entries_out(rows: Sequence[Row[Any]]) -> list[lw.LedgerEntryOut]:
    """Rows of `book.rows_of`, validated as one list: a balance shows hundreds of them per
    answer, and one call into pydantic's core for all of them costs a fraction of one each."""
    return _ENTRIES.validate_python(
        [
            {
                "id": row.id,
                "kind": row.kind,
                "minutes": row.minutes,
                "local_date": row.local_date,
                "at": row.at,
                "source": row.source,
                "expires_on": row.expires_on,
                "reason": row.reason,
                "approved_by": row.approved_by,
            }
            for row in rows
        ]
    )


def credit_out(credit: CreditLeft) -> lw.CreditOut:
    return lw.CreditOut(
        source=credit.source,
        work_date=credit.work_date,
        expires_on=credit.expires_on,
        credited=credit.credited,
        remaining=credit.remaining,
    )


def overtime_out(session: Session, row: OvertimeEntry) -> lw.OvertimeEntryOut:
    return lw.OvertimeEntryOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        origin=lw.OvertimeOrigin(row.origin),
        source=row.source,
        local_date=row.local_date,
        day_type=row.day_type,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        exact_minutes=row.exact_minutes,
        credited_minutes=row.credited_minutes,
        excess_minutes=row.excess_minutes,
        policy_version=row.policy_version,
    )


def claim_out(session: Session, row: OvertimeClaim) -> lw.ClaimOut:
    return lw.ClaimOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        status=lw.DecisionStatus(row.status),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        minutes=int((row.ends_at - row.starts_at).total_seconds() // 60),
        reason=row.reason,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=_name(session, row.decided_by_id),
        decision_reason=row.decision_reason,
    )


def leave_request_out(session: Session, row: LeaveRequest) -> lw.LeaveRequestOut:
    return lw.LeaveRequestOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        status=lw.DecisionStatus(row.status),
        first_date=row.first_date,
        last_date=row.last_date,
        minutes=row.minutes,
        by_hours=row.by_hours,
        reason=row.reason,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=_name(session, row.decided_by_id),
        decision_reason=row.decision_reason,
    )


def duty_out(session: Session, row: DutyRosterEntry) -> lw.DutyOut:
    return lw.DutyOut(
        id=row.id,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        local_date=row.local_date,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        label=row.label,
    )
