"""The wire contract of overtime and comp leave (加班 / 调休): balances, the leave ledger, overtime
entries and claims, leave requests and the duty roster. Minutes are whole minutes; dates are the
hall's local dates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from clerkdesk.api.schemas import NoNul, OptionalReason, Reason, StaffOut, Wire

HoursText = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
]
StaffNo = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), NoNul]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
LEDGER_PAGE = 50
"""Ledger entries in one answer of GET /me/leave (and /staff/{no}/leave) unless `limit` says."""
LEDGER_PAGE_MAX = 500


class LedgerKind(StrEnum):
    accrual = "accrual"
    taken = "taken"
    expiry = "expiry"
    adjustment = "adjustment"


class OvertimeOrigin(StrEnum):
    extension = "extension"
    overrun = "overrun"
    duty = "duty"
    claim = "claim"


class DecisionStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    denied = "denied"
    cancelled = "cancelled"


class LedgerEntryOut(Wire):
    id: int
    kind: LedgerKind
    minutes: int = Field(description="Signed: + accrual, - leave taken or expired")
    local_date: date
    at: datetime
    source: str = Field(description="What the row is about: overtime:<entry>, leave:<request>")
    expires_on: date | None = None
    reason: str | None = None
    approved_by: str | None = None


class CreditOut(Wire):
    source: str
    work_date: date
    expires_on: date | None
    credited: int
    remaining: int


class DutyOut(Wire):
    id: int
    staff: StaffOut
    local_date: date
    starts_at: datetime
    ends_at: datetime
    label: str


class LeaveBalanceOut(Wire):
    staff: StaffOut
    balance_minutes: int = Field(description="The sum of the ledger's entries")
    balance_days: float
    minutes_per_day: int
    pending_minutes: int = Field(description="Asked for in requests not decided yet")
    expiring_soon: list[CreditOut] = Field(description="Credits expiring within 30 days")
    ledger: list[LedgerEntryOut] = Field(
        description="The newest entries (at most `limit`, default 50) in the order written; "
        "older ones page by page with `before`"
    )
    duties: list[DutyOut] = Field(description="Coming rostered duties")
    ledger_total: int | None = Field(
        default=None, description="How many entries the whole ledger has"
    )
    older_before: int | None = Field(
        default=None,
        description="Set when older entries exist: ask again with before=<this> for them",
    )


class OvertimeEntryOut(Wire):
    id: int
    staff: StaffOut
    origin: OvertimeOrigin
    source: str
    local_date: date
    day_type: str
    starts_at: datetime
    ends_at: datetime
    exact_minutes: int
    credited_minutes: int
    excess_minutes: int = Field(description="Over a cap: recorded, not credited")
    policy_version: int


class ClaimOvertime(Wire):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Reason  # the order of the two times is the hall's check (409 claim_ends_first)


class ClaimOut(Wire):
    id: int
    staff: StaffOut
    status: DecisionStatus
    starts_at: datetime
    ends_at: datetime
    minutes: int
    reason: str
    requested_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None


class Approve(Wire):
    note: OptionalReason = ""


class Deny(Wire):
    reason: Reason


class Cancel(Wire):
    reason: OptionalReason = ""


class RequestLeave(Wire):
    first_date: date
    last_date: date | None = Field(default=None, description="Whole dates: the last one")
    hours: float | None = Field(
        default=None, gt=0, le=24, description="Hours on first_date instead of whole dates"
    )
    reason: OptionalReason = ""

    @model_validator(mode="after")
    def _shape(self) -> RequestLeave:
        if self.hours is not None and self.last_date not in (None, self.first_date):
            raise ValueError("leave by the hour is on one date: leave last_date out")
        if self.last_date is not None and self.last_date < self.first_date:
            raise ValueError("last_date must not be before first_date")
        if self.last_date is not None and (self.last_date - self.first_date).days > 62:
            raise ValueError("one request covers at most 63 dates")
        if self.hours is not None and round(self.hours * 60) < 1:
            raise ValueError("ask for at least one minute")
        return self


class LeaveRequestOut(Wire):
    id: int
    staff: StaffOut
    status: DecisionStatus
    first_date: date
    last_date: date
    minutes: int
    by_hours: bool
    reason: str
    requested_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None


class AssignDuty(Wire):
    staff_no: StaffNo
    date: date
    hours: HoursText | None = Field(
        default=None, description="One of the day's duty sessions; none: all of them"
    )
    label: Label = ""


class DutyAssigned(Wire):
    duties: list[DutyOut]


class StaffBalanceOut(Wire):
    """One staff member's line of a department's balances (GET /leave/balances): the same
    figures as their GET /staff/{staff_no}/leave, without the ledger."""

    staff: StaffOut
    balance_minutes: int = Field(description="The sum of the ledger's entries")
    balance_days: float
    expiring_minutes: int = Field(
        description="What is left of the credits expiring within `expiring_days`"
    )
    next_expiry: date | None = Field(
        default=None, description="The first of those credits' expiry dates"
    )
    pending_minutes: int = Field(description="Asked for in requests not decided yet")
    coming_duties: int = Field(description="Rostered duty sessions in the coming `duty_days`")


class LeaveBalancesOut(Wire):
    """GET /leave/balances: a department's balances (a lead's own department; an admin's, or
    a hall-wide lead's, any or all), from the kept balances: no ledger is replayed."""

    department: str | None = Field(description="The department's code; null: the whole hall")
    minutes_per_day: int
    expiring_days: int
    duty_days: int
    staff: list[StaffBalanceOut] = Field(description="By department, then staff number")
