"""Client calls for overtime and comp leave (加班 / 调休): balances, overtime, claims, leave
requests and the duty roster. Wraps a signed-in `HallClient` (same transport, retries and
Idempotency-Keys); no Textual here."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import TypeAdapter

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.client import HallClient

_entries = TypeAdapter(list[lw.OvertimeEntryOut])
_claims = TypeAdapter(list[lw.ClaimOut])
_requests = TypeAdapter(list[lw.LeaveRequestOut])
_duties = TypeAdapter(list[lw.DutyOut])
WHOLE_LEDGER_TRIES = 3


class LedgerClient:
    def __init__(self, client: HallClient) -> None:
        self.client = client

    async def my_leave(
        self, *, limit: int | None = None, before: int | None = None
    ) -> lw.LeaveBalanceOut:
        """Balance, credits expiring soon, coming duties and one page of the ledger: the newest
        `limit` entries (the hall's default: 50) older than entry `before`."""
        return await self.client._get("/me/leave", lw.LeaveBalanceOut, limit=limit, before=before)

    async def staff_leave(
        self, staff_no: str, *, limit: int | None = None, before: int | None = None
    ) -> lw.LeaveBalanceOut:
        return await self.client._get(
            f"/staff/{staff_no}/leave", lw.LeaveBalanceOut, limit=limit, before=before
        )

    async def balances(self, department: str | None = None) -> lw.LeaveBalancesOut:
        """A department's balances, one line per staff member (a lead's own department by
        default; an admin's: the whole hall, or `department`)."""
        return await self.client._get("/leave/balances", lw.LeaveBalancesOut, department=department)

    async def my_whole_leave(self) -> lw.LeaveBalanceOut:
        """`my_leave` with the whole ledger, read page by page."""
        return await self._whole("/me/leave")

    async def staff_whole_leave(self, staff_no: str) -> lw.LeaveBalanceOut:
        return await self._whole(f"/staff/{staff_no}/leave")

    async def _whole(self, path: str) -> lw.LeaveBalanceOut:
        """The first answer with the older pages put in front of its ledger. Should an entry
        written while the pages were read land among them (ledger_total and the entries read
        then disagree), it is read again."""
        for _attempt in range(WHOLE_LEDGER_TRIES):
            first = await self.client._get(path, lw.LeaveBalanceOut, limit=lw.LEDGER_PAGE_MAX)
            pages = [first.ledger]
            before = first.older_before
            while before is not None:
                page = await self.client._get(
                    path, lw.LeaveBalanceOut, limit=lw.LEDGER_PAGE_MAX, before=before
                )
                pages.append(page.ledger)
                before = page.older_before
            ledger = [entry for page in reversed(pages) for entry in page]
            whole = first.model_copy(update={"ledger": ledger, "older_before": None})
            if first.ledger_total is None or first.ledger_total == len(ledger):
                return whole
        return whole

    async def overtime(self, month: str | None = None) -> list[lw.OvertimeEntryOut]:
        params = {"month": month} if month else None
        response = await self.client._send("GET", "/overtime", params=params)
        return _entries.validate_json(response.content)

    # --- claims -----------------------------------------------------------------------------

    async def claims(self, status: lw.DecisionStatus | None = None) -> list[lw.ClaimOut]:
        params = {"status": status.value} if status else None
        response = await self.client._send("GET", "/overtime/claims", params=params)
        return _claims.validate_json(response.content)

    async def claim(
        self, starts_at: datetime, ends_at: datetime, reason: str, key: str | None = None
    ) -> lw.ClaimOut:
        body = lw.ClaimOvertime(starts_at=starts_at, ends_at=ends_at, reason=reason)
        return await self.client._post("/overtime/claims", lw.ClaimOut, body, key)

    async def approve_claim(
        self, claim_id: int, key: str | None = None, note: str = ""
    ) -> lw.ClaimOut:
        path = f"/overtime/claims/{claim_id}/approve"
        return await self.client._post(path, lw.ClaimOut, lw.Approve(note=note), key)

    async def deny_claim(self, claim_id: int, reason: str, key: str | None = None) -> lw.ClaimOut:
        path = f"/overtime/claims/{claim_id}/deny"
        return await self.client._post(path, lw.ClaimOut, lw.Deny(reason=reason), key)

    # --- leave requests ---------------------------------------------------------------------

    async def leave_requests(
        self, status: lw.DecisionStatus | None = None
    ) -> list[lw.LeaveRequestOut]:
        params = {"status": status.value} if status else None
        response = await self.client._send("GET", "/leave-requests", params=params)
        return _requests.validate_json(response.content)

    async def request_leave(
        self,
        first_date: date,
        last_date: date | None = None,
        hours: float | None = None,
        reason: str = "",
        key: str | None = None,
    ) -> lw.LeaveRequestOut:
        body = lw.RequestLeave(
            first_date=first_date, last_date=last_date, hours=hours, reason=reason
        )
        return await self.client._post("/leave-requests", lw.LeaveRequestOut, body, key)

    async def approve_leave(
        self, request_id: int, key: str | None = None, note: str = ""
    ) -> lw.LeaveRequestOut:
        path = f"/leave-requests/{request_id}/approve"
        return await self.client._post(path, lw.LeaveRequestOut, lw.Approve(note=note), key)

    async def deny_leave(
        self, request_id: int, reason: str, key: str | None = None
    ) -> lw.LeaveRequestOut:
        path = f"/leave-requests/{request_id}/deny"
        return await self.client._post(path, lw.LeaveRequestOut, lw.Deny(reason=reason), key)

    async def cancel_leave(
        self, request_id: int, reason: str = "", key: str | None = None
    ) -> lw.LeaveRequestOut:
        path = f"/leave-requests/{request_id}/cancel"
        return await self.client._post(path, lw.LeaveRequestOut, lw.Cancel(reason=reason), key)

    # --- the duty roster --------------------------------------------------------------------

    async def duty_roster(self, first: date | None = None, days: int = 31) -> list[lw.DutyOut]:
        params: dict[str, str | int] = {"days": days}
        if first is not None:
            params["from"] = first.isoformat()
        response = await self.client._send("GET", "/duty-roster", params=params)
        return _duties.validate_json(response.content)

    async def assign_duty(
        self,
        staff_no: str,
        on: date,
        hours: str | None = None,
        label: str = "",
        key: str | None = None,
    ) -> lw.DutyAssigned:
        body = lw.AssignDuty(staff_no=staff_no, date=on, hours=hours, label=label)
        return await self.client._post("/duty-roster", lw.DutyAssigned, body, key)
