"""Overtime entries: worked time, split at local midnight, credited by the hall's leave policy
and accrued into the leave ledger in the same transaction.

An entry's source names its fact and local date (``extension:<closing>:2026-12-11``) and is
unique, as is the ledger's accrual for it: a retry, a recompute or a restart writes nothing new.
Time already covered by another entry of the same person is left out, so two facts (a claim
and a duty session, say) never credit the same minutes twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from clerkdesk.api.schemas import EventKind
from clerkdesk.hall.ledger.book import append, balance_of, lock_staff
from clerkdesk.hall.ledger.events import ledger_event
from clerkdesk.hall.rules.accrual import (
    CapUsage,
    EntryKind,
    OvertimePiece,
    capped,
    credited_minutes,
    expires_on,
    minus,
)
from clerkdesk.hall.setup.leave_policy import load_leave_policy
from clerkdesk.hall.store.models.ledger import OvertimeEntry


def _covered(
    session: Session, staff_id: int, piece: OvertimePiece
) -> list[tuple[datetime, datetime]]:
    rows = session.execute(
        select(OvertimeEntry.starts_at, OvertimeEntry.ends_at).where(
            OvertimeEntry.staff_id == staff_id,
            OvertimeEntry.starts_at < piece.end,
            OvertimeEntry.ends_at > piece.start,
        )
    )
    return [(start, end) for start, end in rows]


def _credited_in(session: Session, staff_id: int, day: date, whole_year: bool) -> int:
    query = select(func.coalesce(func.sum(OvertimeEntry.credited_minutes), 0)).where(
        OvertimeEntry.staff_id == staff_id,
        extract("year", OvertimeEntry.local_date) == day.year,
    )
    if not whole_year:
        query = query.where(extract("month", OvertimeEntry.local_date) == day.month)
    return int(session.scalar(query) or 0)


def record(
    session: Session,
    hall_id: int,
    staff_id: int,
    origin: str,
    fact: str,
    pieces: list[OvertimePiece],
    now: datetime,
) -> list[OvertimeEntry]:
    """Write the entries of one fact and accrue them; returns the entries written now."""
    if not pieces:
        return []
    staff = lock_staff(session, staff_id)
    policy = load_leave_policy(session, hall_id)
    written: list[OvertimeEntry] = []
    for piece in pieces:
        source = f"{origin}:{fact}:{piece.local_date.isoformat()}"
        if session.scalar(select(OvertimeEntry.id).where(OvertimeEntry.source == source)):
            continue
        for start, end in minus((piece.start, piece.end), _covered(session, staff_id, piece)):
            part = OvertimePiece(piece.local_date, start, end, piece.day_type)
            if part.exact_minutes <= 0:
                continue
            credit = capped(
                credited_minutes(part.exact_minutes, part.day_type, policy),
                CapUsage(
                    month=_credited_in(session, staff_id, part.local_date, whole_year=False),
                    year=_credited_in(session, staff_id, part.local_date, whole_year=True),
                    balance=balance_of(session, staff_id),
                ),
                policy,
            )
            entry = OvertimeEntry(
                hall_id=hall_id,
                staff_id=staff_id,
                source=source if start == piece.start else f"{source}@{start:%H%M}",
                origin=origin,
                local_date=part.local_date,
                day_type=part.day_type.value,
                starts_at=start,
                ends_at=end,
                exact_minutes=part.exact_minutes,
                credited_minutes=credit.credited,
                excess_minutes=credit.excess,
                policy_version=policy.version,
                recorded_at=now,
            )
            session.add(entry)
            session.flush()
            written.append(entry)
            if credit.credited > 0:
                append(
                    session,
                    staff,
                    EntryKind.ACCRUAL,
                    credit.credited,
                    part.local_date,
                    entry.source,
                    now,
                    expires_on=expires_on(part.local_date, policy),
                )
    if written:
        credited = sum(entry.credited_minutes for entry in written)
        ledger_event(session, staff, EventKind.overtime_credited, now, minutes=credited)
    return written
