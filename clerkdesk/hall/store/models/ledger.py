"""Models of overtime and comp leave (加班 / 调休): overtime entries, the append-only leave ledger,
leave requests, overtime claims, the duty roster, the versions of the leave policy, and what the
ledger adds up to (balances, credits left, what each leave took from). On the hall's
declarative `Base` (migrations 0004 and 0006); times in UTC, local dates the hall's."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clerkdesk.hall.store.models.base import Base, UTCDateTime


class LeavePolicyVersion(Base):
    """One version of a hall's `[leave]` policy; entries name the version that credited them.
    Rates are percent (100 = 1:1, 150, 200, 300); caps in minutes, NULL for none."""

    __tablename__ = "leave_policy"
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rate_workday: Mapped[int] = mapped_column(Integer)
    rate_rest_day: Mapped[int] = mapped_column(Integer)
    rate_holiday: Mapped[int] = mapped_column(Integer)
    minimum_minutes: Mapped[int] = mapped_column(Integer)
    unit_minutes: Mapped[int] = mapped_column(Integer)
    rounding: Mapped[str] = mapped_column(String(16))
    minutes_per_day: Mapped[int] = mapped_column(Integer)
    expiry_months: Mapped[int] = mapped_column(Integer)
    monthly_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    yearly_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    balance_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)


class OvertimeEntry(Base):
    """Overtime within one local date, written by the hall from a fact (an extension, a
    confirmed overrun, a rostered duty session, an approved claim). ``source`` names the fact
    and the date: unique, so a fact is never counted twice."""

    __tablename__ = "overtime_entry"
    __table_args__ = (Index("ix_overtime_entry_staff_date", "staff_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    source: Mapped[str] = mapped_column(String(80), unique=True)
    origin: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    day_type: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    exact_minutes: Mapped[int] = mapped_column(Integer)
    credited_minutes: Mapped[int] = mapped_column(Integer)
    excess_minutes: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LeaveLedgerEntry(Base):
    """The append-only leave ledger: accrual +, taken -, expiry -, adjustment +/- (with a
    reason and an approver). A correction is a new opposite row; (source, kind) is unique."""

    __tablename__ = "leave_ledger"
    __table_args__ = (
        UniqueConstraint("source", "kind"),
        Index("ix_leave_ledger_staff", "staff_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(80))
    minutes: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reverses: Mapped[str | None] = mapped_column(String(80), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class LeaveRequest(Base):
    """Leave asked for: whole dates, or hours on one date; decided by a lead, never one's own."""

    __tablename__ = "leave_request"
    __table_args__ = (Index("ix_leave_request_hall_status", "hall_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    by_hours: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class OvertimeClaim(Base):
    """Time worked that no fact covers (a sign-in after the window's end, back-office work),
    claimed with a reason; an approval writes the overtime entry."""

    __tablename__ = "overtime_claim"
    __table_args__ = (Index("ix_overtime_claim_hall_status", "hall_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DutyRosterEntry(Base):
    """A staff member rostered for a weekend, holiday or night session: duty time counts only
    for them, and only inside this interval."""

    __tablename__ = "duty_roster"
    __table_args__ = (
        UniqueConstraint("staff_id", "starts_at"),
        Index("ix_duty_roster_hall_date", "hall_id", "local_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    local_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(String(100), default="")
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- what the ledger adds up to, kept with every row written (migration 0006) ----------------


class LeaveAccount(Base):
    """A staff member's balance, kept up to date in the transaction of every ledger row written
    for them: always the sum of their rows (`ledger.book.append` is the one writer)."""

    __tablename__ = "leave_account"
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    balance: Mapped[int] = mapped_column(Integer, default=0)
    unallocated: Mapped[int] = mapped_column(Integer, default=0)


class LeaveCredit(Base):
    """One credit (an accrual) and what is left of it: leave taken uses the oldest live credits
    first, an expiry removes what is left on its date. ``live``: something left and not expired
    (the expiry job reads the live credits due by the index on (hall, live, expires_on))."""

    __tablename__ = "leave_credit"
    __table_args__ = (
        UniqueConstraint("staff_id", "source"),
        Index("ix_leave_credit_staff_live", "staff_id", "live", "expires_on"),
        Index("ix_leave_credit_due", "hall_id", "live", "expires_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("hall.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    source: Mapped[str] = mapped_column(String(80))
    work_date: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    credited: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    live: Mapped[bool] = mapped_column(Boolean)


class LeaveAllocation(Base):
    """Which credits a leave taken (or a negative adjustment), named by its ledger source, took
    minutes from: cancelling it gives them back to those credits still unexpired."""

    __tablename__ = "leave_allocation"
    __table_args__ = (
        ForeignKeyConstraint(
            ["staff_id", "credit_source"], ["leave_credit.staff_id", "leave_credit.source"]
        ),
        Index("ix_leave_allocation_leave", "staff_id", "leave_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    leave_source: Mapped[str] = mapped_column(String(80))
    credit_source: Mapped[str] = mapped_column(String(80))
    minutes: Mapped[int] = mapped_column(Integer)
