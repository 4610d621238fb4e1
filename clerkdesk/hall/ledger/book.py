"""The leave ledger as stored: append-only rows, and what they add up to, kept with them.

A row is never updated or deleted; (source, kind) is unique, so writing what is already written
changes nothing (`append` returns the row there is). `append` is the one writer: in the same
transaction it brings the staff member's account (balance), credits (what is left of each) and
allocations (which credits each leave took from) up to date, by the same rules `replay` applies
to the whole ledger (`rules.accrual.LedgerState.apply`) on just the part the row touches. So a
balance, the credits expiring soon and the expiry job's work are read from a few indexed rows
instead of three years of ledger replayed; `rebuild` replays one person's ledger from scratch
(after rows were written around `append`, e.g. by a bulk load).

Every write to one person's ledger holds `lock_staff` first: the writes of two leads, two
requests or the expiry job take turns, in the order of the ledger's ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Row, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from clerkdesk.hall.rules.accrual import (
    CreditLeft,
    EntryKind,
    LeavePolicy,
    LedgerRow,
    LedgerState,
    creates_credit,
    replay,
)
from clerkdesk.hall.store.models import Hall, Staff
from clerkdesk.hall.store.models.ledger import (
    LeaveAccount,
    LeaveAllocation,
    LeaveCredit,
    LeaveLedgerEntry,
    LeavePolicyVersion,
    LeaveRequest,
)


def lock_staff(session: Session, staff_id: int) -> Staff:
    """The staff row, locked until the transaction ends: two writes to one person's ledger
    (two leads approving, two requests spending the last hours) take turns. SQLite's
    `BEGIN IMMEDIATE` already runs one writer at a time."""
    return session.scalars(select(Staff).where(Staff.id == staff_id).with_for_update()).one()


# --- reading the rows -----------------------------------------------------------------------

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
    """The staff member's whole ledger in the order written, as plain rows with the approver's
    name (not ORM objects: there can be hundreds)."""
    query = _ROWS.where(LeaveLedgerEntry.staff_id == staff_id).order_by(LeaveLedgerEntry.id)
    return list(session.execute(query))


_NEWEST = (
    _ROWS.where(
        LeaveLedgerEntry.staff_id == bindparam("staff_id"),
        LeaveLedgerEntry.id < bindparam("before"),
    )
    .order_by(LeaveLedgerEntry.id.desc())
    .limit(bindparam("limit"))
)
_NO_ROW_AFTER = 2**31 - 1
"""Past every row id (the ids are 32-bit integers on PostgreSQL)."""


def page_of(
    session: Session, staff_id: int, limit: int, before: int | None = None
) -> tuple[list[Row[Any]], bool]:
    """The newest `limit` of the staff member's rows older than the row `before` (all, without
    it), in the order written, and whether still older rows exist."""
    before = _NO_ROW_AFTER if before is None else min(before, _NO_ROW_AFTER)
    params = {"staff_id": staff_id, "before": before, "limit": limit + 1}
    newest: list[Row[Any]] = list(session.execute(_NEWEST, params))
    older = len(newest) > limit
    page = newest[:limit]
    page.reverse()
    return page, older


def count_of(session: Session, staff_id: int) -> int:
    """How many rows the staff member's ledger has (read from the (staff, id) index)."""
    query = select(func.count(LeaveLedgerEntry.id)).where(LeaveLedgerEntry.staff_id == staff_id)
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class Summary:
    """A staff member's leave in figures, read in one statement."""

    timezone: str
    minutes_per_day: int
    balance: int
    entries: int
    pending: int


_STAFF: BindParameter[int] = bindparam("staff_id")
_SUMMARY = select(
    Hall.timezone,
    select(LeavePolicyVersion.minutes_per_day)
    .where(LeavePolicyVersion.hall_id == Hall.id)
    .order_by(LeavePolicyVersion.version.desc())
    .limit(1)
    .scalar_subquery(),
    select(LeaveAccount.balance).where(LeaveAccount.staff_id == _STAFF).scalar_subquery(),
    select(func.count(LeaveLedgerEntry.id))
    .where(LeaveLedgerEntry.staff_id == _STAFF)
    .scalar_subquery(),
    select(func.coalesce(func.sum(LeaveRequest.minutes), 0))
    .where(LeaveRequest.staff_id == _STAFF, LeaveRequest.status == "pending")
    .scalar_subquery(),
).where(Hall.id == bindparam("hall_id"))


def summary_of(session: Session, hall_id: int, staff_id: int) -> Summary:
    """The hall's time zone and leave day (its policy in force), and the staff member's
    balance, number of ledger rows and minutes asked for in pending requests."""
    zone, per_day, balance, entries, pending = session.execute(
        _SUMMARY, {"hall_id": hall_id, "staff_id": staff_id}
    ).one()
    return Summary(
        zone,
        per_day if per_day is not None else LeavePolicy().minutes_per_day,
        balance or 0,
        entries or 0,
        pending or 0,
    )


def as_rule_row(row: Row[Any]) -> LedgerRow:
    return LedgerRow(
        _KINDS[row.kind], row.minutes, row.local_date, row.source, row.expires_on, row.reverses
    )


def state_of(session: Session, staff_id: int) -> LedgerState:
    """The whole ledger replayed: what the kept state must always equal (tests, `rebuild`)."""
    return replay([as_rule_row(row) for row in rows_of(session, staff_id)])


# --- what the rows add up to, as kept ---------------------------------------------------------


def balance_of(session: Session, staff_id: int) -> int:
    """The sum of the staff member's ledger rows, as kept with every row written."""
    return int(
        session.scalar(select(LeaveAccount.balance).where(LeaveAccount.staff_id == staff_id)) or 0
    )


def _alive_on(on: date) -> Any:
    return (LeaveCredit.expires_on.is_(None)) | (LeaveCredit.expires_on > on)


def available(session: Session, staff_id: int, on: date) -> int:
    """What leave on `on` can use: what is left of the credits not expired by then."""
    query = select(func.coalesce(func.sum(LeaveCredit.remaining), 0)).where(
        LeaveCredit.staff_id == staff_id, LeaveCredit.live, _alive_on(on)
    )
    return int(session.scalar(query) or 0)


def reversible(session: Session, staff_id: int, source: str, on: date) -> int:
    """What cancelling the leave `source` gives back on `on`: what it took from credits still
    unexpired then (an expired credit's part is gone)."""
    query = (
        select(func.coalesce(func.sum(LeaveAllocation.minutes), 0))
        .join(
            LeaveCredit,
            (LeaveCredit.staff_id == LeaveAllocation.staff_id)
            & (LeaveCredit.source == LeaveAllocation.credit_source),
        )
        .where(
            LeaveAllocation.staff_id == staff_id,
            LeaveAllocation.leave_source == source,
            LeaveCredit.expired.is_(False),
            _alive_on(on),
        )
    )
    return int(session.scalar(query) or 0)


_EXPIRING = (
    select(
        LeaveCredit.source,
        LeaveCredit.work_date,
        LeaveCredit.expires_on,
        LeaveCredit.credited,
        LeaveCredit.remaining,
    )
    .where(
        LeaveCredit.staff_id == bindparam("staff_id"),
        LeaveCredit.live,
        LeaveCredit.expires_on <= bindparam("last"),
    )
    .order_by(LeaveCredit.id)
)


def expiring_by(session: Session, staff_id: int, last: date) -> list[Row[Any]]:
    """Credits with something left, not expired, whose date is `last` or earlier, in the order
    written (credits expiring soon: `last` a month ahead), as plain rows."""
    return list(session.execute(_EXPIRING, {"staff_id": staff_id, "last": last}))


def staff_with_credits_due(session: Session, hall_id: int, today: date) -> list[int]:
    """Who has a credit due to expire by `today` with something left: read from the index on
    (hall, live, expires_on), so credits used up or expired long ago cost nothing."""
    query = (
        select(LeaveCredit.staff_id)
        .where(LeaveCredit.hall_id == hall_id, LeaveCredit.live, LeaveCredit.expires_on <= today)
        .distinct()
    )
    return sorted(session.scalars(query))


# --- writing --------------------------------------------------------------------------------


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
    """Write one ledger row and bring the kept state up to date with it (the caller holds
    `lock_staff`). A row already written (same source and kind) is returned as it is."""
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
    _apply(session, staff, LedgerRow(kind, minutes, local_date, source, expires_on, reverses))
    return row


_DUE = (
    select(LeaveCredit.id, LeaveCredit.source, LeaveCredit.remaining, LeaveCredit.expires_on)
    .where(
        LeaveCredit.staff_id == bindparam("staff_id"),
        LeaveCredit.live,
        LeaveCredit.expires_on <= bindparam("today"),
    )
    .order_by(LeaveCredit.id)
)


def expire_due_credits(session: Session, staff: Staff, today: date, now: datetime) -> int:
    """Write an expiry row for each of the staff member's credits due by `today` with something
    left (dated the credit's expiry date), and bring the kept state up to date: what `append`
    does for each, in four statements for all of them (the hourly job runs this for every
    person with something due). The caller holds `lock_staff`. Returns the minutes expired."""
    due = session.execute(_DUE, {"staff_id": staff.id, "today": today}).all()
    if not due:
        return 0
    session.execute(
        insert(LeaveLedgerEntry),
        [
            {
                "hall_id": staff.hall_id,
                "staff_id": staff.id,
                "kind": EntryKind.EXPIRY.value,
                "source": credit.source,
                "minutes": -credit.remaining,
                "local_date": credit.expires_on,
                "at": now,
                "expires_on": None,
                "reverses": None,
                "reason": "expired",
                "approved_by_id": None,
            }
            for credit in due
        ],
    )
    expired = sum(credit.remaining for credit in due)
    session.execute(
        update(LeaveCredit)
        .where(LeaveCredit.id.in_([credit.id for credit in due]))
        .values(remaining=0, expired=True, live=False)
    )
    session.execute(
        update(LeaveAccount)
        .where(LeaveAccount.staff_id == staff.id)
        .values(balance=LeaveAccount.balance - expired)
    )
    return expired


def _credit_left(credit: LeaveCredit) -> CreditLeft:
    return CreditLeft(
        credit.source,
        credit.work_date,
        credit.expires_on,
        credit.credited,
        credit.remaining,
        credit.expired,
    )


def _apply(session: Session, staff: Staff, row: LedgerRow) -> None:
    """`LedgerState.apply` on the part of the kept state that `row` touches, written back."""
    account = session.get(LeaveAccount, staff.id)
    if account is None:
        account = LeaveAccount(staff_id=staff.id, hall_id=staff.hall_id, balance=0, unallocated=0)
        session.add(account)
    state = LedgerState(balance=account.balance, unallocated=account.unallocated)
    touched = _touched(session, staff.id, row)
    for credit in touched:
        state.add_credit(_credit_left(credit))
    if row.reverses is not None:
        parts = session.execute(
            select(LeaveAllocation.credit_source, LeaveAllocation.minutes)
            .where(
                LeaveAllocation.staff_id == staff.id,
                LeaveAllocation.leave_source == row.reverses,
            )
            .order_by(LeaveAllocation.id)
        )
        state.allocations[row.reverses] = [(source, minutes) for source, minutes in parts]
    taken = state.apply(row)

    account.balance, account.unallocated = state.balance, state.unallocated
    stored = {credit.source: credit for credit in touched}
    for left in state.credits:
        kept = stored.get(left.source)
        if kept is None:
            session.add(
                LeaveCredit(
                    hall_id=staff.hall_id,
                    staff_id=staff.id,
                    source=left.source,
                    work_date=left.work_date,
                    expires_on=left.expires_on,
                    credited=left.credited,
                    remaining=left.remaining,
                    expired=left.expired,
                    live=_live(left),
                )
            )
        elif (kept.remaining, kept.expired) != (left.remaining, left.expired):
            kept.remaining, kept.expired = left.remaining, left.expired
            kept.live = _live(left)
    if row.reverses is not None:
        session.execute(
            delete(LeaveAllocation).where(
                LeaveAllocation.staff_id == staff.id,
                LeaveAllocation.leave_source == row.reverses,
            )
        )
    session.flush()
    if taken:
        session.execute(
            insert(LeaveAllocation),
            [
                {
                    "staff_id": staff.id,
                    "leave_source": row.source,
                    "credit_source": source,
                    "minutes": part,
                }
                for source, part in taken
            ],
        )


def _touched(session: Session, staff_id: int, row: LedgerRow) -> list[LeaveCredit]:
    """The credits `row` can change (see `LedgerState.apply`), in the order written."""
    if creates_credit(row):
        return []
    query = select(LeaveCredit).where(LeaveCredit.staff_id == staff_id)
    if row.kind is EntryKind.EXPIRY:
        query = query.where(LeaveCredit.source == row.source)
    elif row.reverses is not None:
        took_from = select(LeaveAllocation.credit_source).where(
            LeaveAllocation.staff_id == staff_id, LeaveAllocation.leave_source == row.reverses
        )
        query = query.where(LeaveCredit.source.in_(took_from))
    else:
        query = query.where(LeaveCredit.live)
    return list(session.scalars(query.order_by(LeaveCredit.id)))


def _live(credit: CreditLeft) -> bool:
    return not credit.expired and credit.remaining > 0


def rebuild(session: Session, staff_id: int) -> LedgerState:
    """Replay the staff member's whole ledger into the kept state, replacing what was kept (for
    rows written around `append`, e.g. by a bulk load). The caller holds `lock_staff`."""
    staff = session.get_one(Staff, staff_id)
    state = state_of(session, staff_id)
    session.execute(delete(LeaveAllocation).where(LeaveAllocation.staff_id == staff_id))
    session.execute(delete(LeaveCredit).where(LeaveCredit.staff_id == staff_id))
    session.execute(delete(LeaveAccount).where(LeaveAccount.staff_id == staff_id))
    session.execute(
        insert(LeaveAccount),
        [
            {
                "staff_id": staff_id,
                "hall_id": staff.hall_id,
                "balance": state.balance,
                "unallocated": state.unallocated,
            }
        ],
    )
    if state.credits:
        session.execute(
            insert(LeaveCredit),
            [
                {
                    "hall_id": staff.hall_id,
                    "staff_id": staff_id,
                    "source": c.source,
                    "work_date": c.work_date,
                    "expires_on": c.expires_on,
                    "credited": c.credited,
                    "remaining": c.remaining,
                    "expired": c.expired,
                    "live": _live(c),
                }
                for c in state.credits
            ],
        )
    parts = [
        {"staff_id": staff_id, "leave_source": leave, "credit_source": source, "minutes": part}
        for leave, taken in state.allocations.items()
        for source, part in taken
    ]
    if parts:
        session.execute(insert(LeaveAllocation), parts)
    session.expire_all()
    return state
