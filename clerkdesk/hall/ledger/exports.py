"""HR exports of a month: every overtime entry, or every leave-ledger row, one CSV row each with
staff number, name, department, local date, day type, exact and credited minutes and source.
UTF-8 with a BOM, so that Excel opens Chinese names. Rows are read as plain rows, not ORM objects
(a month of a large hall is thousands of them)."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.store.models import Department, Staff
from clerkdesk.hall.store.models.ledger import LeaveLedgerEntry, OvertimeEntry

BOM = "\ufeff"
OVERTIME_COLUMNS = (
    "staff_no", "name", "department", "local_date", "day_type", "origin", "starts_at",
    "ends_at", "exact_minutes", "credited_minutes", "excess_minutes", "policy_version", "source",
)  # fmt: skip
LEAVE_COLUMNS = (
    "staff_no", "name", "department", "local_date", "kind", "minutes", "expires_on", "source",
    "reason",
)  # fmt: skip


def month_range(month: str) -> tuple[date, date]:
    """ "2026-12" -> (2026-12-01, 2027-01-01); a bad month is a ValueError."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    return first, date(year + number // 12, number % 12 + 1, 1)


def _people(session: Session, hall_id: int) -> dict[int, tuple[str, str, str]]:
    departments = {
        row.id: row.name for row in session.execute(select(Department.id, Department.name))
    }
    return {
        staff.id: (staff.staff_no, staff.name, departments.get(staff.department_id or -1, ""))
        for staff in session.scalars(select(Staff).where(Staff.hall_id == hall_id))
    }


def _csv(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def overtime_csv(session: Session, hall_id: int, month: str) -> str:
    first, after = month_range(month)
    people = _people(session, hall_id)
    entries = session.execute(
        select(
            OvertimeEntry.staff_id,
            OvertimeEntry.local_date,
            OvertimeEntry.day_type,
            OvertimeEntry.origin,
            OvertimeEntry.starts_at,
            OvertimeEntry.ends_at,
            OvertimeEntry.exact_minutes,
            OvertimeEntry.credited_minutes,
            OvertimeEntry.excess_minutes,
            OvertimeEntry.policy_version,
            OvertimeEntry.source,
        )
        .where(
            OvertimeEntry.hall_id == hall_id,
            OvertimeEntry.local_date >= first,
            OvertimeEntry.local_date < after,
        )
        .order_by(OvertimeEntry.local_date, OvertimeEntry.staff_id, OvertimeEntry.starts_at)
    )
    return _csv(
        OVERTIME_COLUMNS,
        [
            (
                *people[e.staff_id],
                e.local_date.isoformat(),
                e.day_type,
                e.origin,
                e.starts_at.isoformat(),
                e.ends_at.isoformat(),
                e.exact_minutes,
                e.credited_minutes,
                e.excess_minutes,
                e.policy_version,
                e.source,
            )
            for e in entries
        ],
    )


def leave_csv(session: Session, hall_id: int, month: str) -> str:
    first, after = month_range(month)
    people = _people(session, hall_id)
    rows = session.execute(
        select(
            LeaveLedgerEntry.staff_id,
            LeaveLedgerEntry.local_date,
            LeaveLedgerEntry.kind,
            LeaveLedgerEntry.minutes,
            LeaveLedgerEntry.expires_on,
            LeaveLedgerEntry.source,
            LeaveLedgerEntry.reason,
        )
        .where(
            LeaveLedgerEntry.hall_id == hall_id,
            LeaveLedgerEntry.local_date >= first,
            LeaveLedgerEntry.local_date < after,
        )
        .order_by(LeaveLedgerEntry.staff_id, LeaveLedgerEntry.id)
    )
    return _csv(
        LEAVE_COLUMNS,
        [
            (
                *people[r.staff_id],
                r.local_date.isoformat(),
                r.kind,
                r.minutes,
                r.expires_on.isoformat() if r.expires_on else "",
                r.source,
                r.reason or "",
            )
            for r in rows
        ],
    )
