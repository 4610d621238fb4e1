"""Overtime and comp leave (加班 / 调休): balances, overtime entries and claims, leave requests
and the duty roster. Thin: each route parses, calls one ledger service, answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.hall.ledger import balances, claims, leave, roster, views
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable

router = RouteTable(tags=["leave"])
ClaimId = Path(ge=1, le=2**53, description="The claim's id")
RequestId = Path(ge=1, le=2**53, description="The leave request's id")
StaffNo = Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$", description="The staff number")


# --- balances and overtime ------------------------------------------------------------------


def _page(
    limit: int = Query(
        default=lw.LEDGER_PAGE,
        ge=1,
        le=lw.LEDGER_PAGE_MAX,
        description="How many ledger entries: the newest this many (older than `before`)",
    ),
    before: int | None = Query(
        default=None,
        ge=1,
        le=2**53,
        description="Only entries older than this entry id (the answer's older_before)",
    ),
) -> views.LedgerPage:
    return views.LedgerPage(limit, before)


PageDep = Annotated[views.LedgerPage, Depends(_page)]


@router.get("/me/leave", response_model=lw.LeaveBalanceOut)
def my_leave(hall: HallDep, token: TokenDep, page: PageDep) -> lw.LeaveBalanceOut:
    """Balance in minutes and days, credits expiring within 30 days, coming duties, and the
    ledger with each entry's source: the newest `limit` entries; `older_before` in the answer
    is set when older ones exist (ask again with `before=` it, until it is null)."""
    return hall.read(token, lambda s, who, now: views.my_leave(s, who, now, page))


@router.get("/staff/{staff_no}/leave", response_model=lw.LeaveBalanceOut)
def staff_leave(
    hall: HallDep, token: TokenDep, page: PageDep, staff_no: str = StaffNo
) -> lw.LeaveBalanceOut:
    """One staff member's leave: leads for their department, admins for all (else 404); the
    ledger a page at a time as for /me/leave."""
    return hall.read(token, lambda s, who, now: views.staff_leave(s, who, staff_no, now, page))


@router.get("/leave/balances", response_model=lw.LeaveBalancesOut)
def leave_balances(
    hall: HallDep,
    token: TokenDep,
    department: str | None = Query(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,32}$",
        description="A department's code; default: the lead's own department (admins: all)",
    ),
) -> lw.LeaveBalancesOut:
    """A department's balances, one line per staff member (balance, what expires within 30
    days, pending requests, coming duties): leads their department's, admins any or all."""
    return hall.read(
        token, lambda s, who, now: balances.department_balances(s, who, department, now)
    )


@router.get("/overtime", response_model=list[lw.OvertimeEntryOut])
def overtime(
    hall: HallDep,
    token: TokenDep,
    month: lw.Month | None = Query(default=None, description="YYYY-MM; default this month"),
) -> list[lw.OvertimeEntryOut]:
    """Overtime entries of a month: one's own; a lead's department's; an admin's all."""
    return hall.read(token, lambda s, who, now: views.overtime_of_month(s, who, month, now))


# --- claims ---------------------------------------------------------------------------------


@router.get("/overtime/claims", response_model=list[lw.ClaimOut])
def list_claims(
    hall: HallDep, token: TokenDep, status: lw.DecisionStatus | None = Query(default=None)
) -> list[lw.ClaimOut]:
    return hall.read(token, lambda s, who, _now: claims.list_claims(s, who, status))


@router.post("/overtime/claims", response_model=lw.ClaimOut, status_code=201)
def claim_overtime(body: lw.ClaimOvertime, hall: HallDep, post: PostDep) -> lw.ClaimOut:
    """Claim time worked that no fact covers, with a reason; a lead approves it."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: claims.claim(s, who, body, now),
        status_code=201,
    )


@router.post("/overtime/claims/{claim_id}/approve", response_model=lw.ClaimOut)
def approve_claim(
    body: lw.Approve, hall: HallDep, post: PostDep, claim_id: int = ClaimId
) -> lw.ClaimOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: claims.decide(s, who, claim_id, True, body.note, now),
    )


@router.post("/overtime/claims/{claim_id}/deny", response_model=lw.ClaimOut)
def deny_claim(body: lw.Deny, hall: HallDep, post: PostDep, claim_id: int = ClaimId) -> lw.ClaimOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: claims.decide(s, who, claim_id, False, body.reason, now),
    )


# --- leave requests -------------------------------------------------------------------------


@router.get("/leave-requests", response_model=list[lw.LeaveRequestOut])
def list_leave_requests(
    hall: HallDep, token: TokenDep, status: lw.DecisionStatus | None = Query(default=None)
) -> list[lw.LeaveRequestOut]:
    """Own requests; a lead's department's; an admin's all. `status=pending`: the inbox."""
    return hall.read(token, lambda s, who, _now: leave.list_requests(s, who, status))


@router.post("/leave-requests", response_model=lw.LeaveRequestOut, status_code=201)
def request_leave(body: lw.RequestLeave, hall: HallDep, post: PostDep) -> lw.LeaveRequestOut:
    """Ask for leave (whole dates, or hours on one date); refused beyond the balance."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: leave.request_leave(s, who, body, now),
        status_code=201,
    )


@router.post("/leave-requests/{request_id}/approve", response_model=lw.LeaveRequestOut)
def approve_leave(
    body: lw.Approve,
    hall: HallDep,
    post: PostDep,
    request_id: int = RequestId,
) -> lw.LeaveRequestOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: leave.decide(s, who, request_id, True, body.note, now),
    )


@router.post("/leave-requests/{request_id}/deny", response_model=lw.LeaveRequestOut)
def deny_leave(
    body: lw.Deny, hall: HallDep, post: PostDep, request_id: int = RequestId
) -> lw.LeaveRequestOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: leave.decide(s, who, request_id, False, body.reason, now),
    )


@router.post("/leave-requests/{request_id}/cancel", response_model=lw.LeaveRequestOut)
def cancel_leave(
    body: lw.Cancel,
    hall: HallDep,
    post: PostDep,
    request_id: int = RequestId,
) -> lw.LeaveRequestOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: leave.cancel(s, who, request_id, body.reason, now),
    )


# --- the duty roster ------------------------------------------------------------------------


@router.get("/duty-roster", response_model=list[lw.DutyOut])
def duty_roster(
    hall: HallDep,
    token: TokenDep,
    start: date | None = Query(default=None, alias="from", description="Default: today"),
    days: int = Query(default=31, ge=1, le=366),
) -> list[lw.DutyOut]:
    """Coming duties: one's own; a lead's department's; an admin's all."""
    return hall.read(token, lambda s, who, now: roster.coming_from(s, who, start, days, now))


@router.post("/duty-roster", response_model=lw.DutyAssigned, status_code=201)
def assign_duty(body: lw.AssignDuty, hall: HallDep, post: PostDep) -> lw.DutyAssigned:
    """A lead rosters a staff member for the duty sessions of a date (or one of them)."""
    return hall.write(
        *post.of(body),
        lambda s, who, now: roster.assign(s, who, body, now),
        status_code=201,
    )
