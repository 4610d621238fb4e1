"""The leave ledger as stored: append-only rows, one staff member's rows replayed into their
credits and balance, and the lock that puts one staff member's ledger writes in a row.

A row is never updated or deleted; (source, kind) is unique, so writing what is already written
changes nothing (`append` returns the row there is)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from clerkdesk.hall.rules.accrual import EntryKind, LedgerRow, LedgerState, replay
from clerkdesk.hall.store.models import Staff
from clerkdesk.hall.store.models.ledger import LeaveLedgerEntry


def lock_staff(session: Session, staff_id: int) -> Staff:
    """The staff row, locked until the transaction ends: two writes to one person's ledger
    (two leads approving, two requests spending the last hours) take turns. SQLite's
    `BEGIN IMMEDIATE` already runs one writer at a time."""
    return session.scalars(select(Staff).where(Staff.id == staff_id).with_for_update()).one()


_APPROVER = aliased(Staff)
_ROWS = select(
    LeaveLedgerEntry.id,
    LeaveLedgerEntry.kind,
    LeaveLedgerEntry.minutes,
    LeaveLedgerEntry.local_date,
    LeaveLedgerEntry.at,
    LeaveLedgerEntry.source,
    LeaveLedgerEntry.expires_on,
    LeaveLedgerEntry.reverses,
    LeaveLedgerEntry.reason,
    _APPROVER.name.label("approved_by"),
).outerjoin(_APPROVER, _APPROVER.id == LeaveLedgerEntry.approved_by_id)
_KINDS = {kind.value: kind for kind in EntryKind}


def rows_of(session: Session, staff_id: int) -> list[Row[Any]]:
    """The staff member's ledger in the order written, as plain rows with the approver's name.
    Not ORM objects: a balance replays three years of rows on every look (GET /me/leave), and
    building an object per row cost more than the rest of the answer (bench/ledger.py)."""
    query = _ROWS.where(LeaveLedgerEntry.staff_id == staff_id).order_by(LeaveLedgerEntry.id)
    return list(session.execute(query))


def as_rule_row(row: Row[Any]) -> LedgerRow:
    return LedgerRow(
        _KINDS[row.kind], row.minutes, row.local_date, row.source, row.expires_on, row.reverses
    )


def state_of(session: Session, staff_id: int) -> LedgerState:
    return replay([as_rule_row(row) for row in rows_of(session, staff_id)])


def balance_of(session: Session, staff_id: int) -> int:
    """The sum of the staff member's ledger rows."""
    total = session.scalar(
        select(func.coalesce(func.sum(LeaveLedgerEntry.minutes), 0)).where(
            LeaveLedgerEntry.staff_id == staff_id
        )
    )
    return int(total or 0)


def append(
    session: Session,
    staff: Staff,
    kind: EntryKind,
    minutes: int,
    local_date: date,
    source: str,
    now: datetime,
    *,
    expires_on: date | None = None,
    reverses: str | None = None,
    reason: str | None = None,
    approved_by_id: int | None = None,
) -> LeaveLedgerEntry:
    there = session.scalars(
        select(LeaveLedgerEntry).where(
            LeaveLedgerEntry.source == source, LeaveLedgerEntry.kind == kind.value
        )
    ).one_or_none()
    if there is not None:
        return there
    row = LeaveLedgerEntry(
        hall_id=staff.hall_id,
        staff_id=staff.id,
        kind=kind.value,
        source=source,
        minutes=minutes,
        local_date=local_date,
        at=now,
        expires_on=expires_on,
        reverses=reverses,
        reason=reason,
        approved_by_id=approved_by_id,
    )
    session.add(row)
    session.flush()
    return row
