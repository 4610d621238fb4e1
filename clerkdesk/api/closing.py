"""Client calls for closing time: the hall calendar, the closing banner, extension requests and
their decisions, overruns and closing a window. Wraps a signed-in `HallClient` (same transport,
retries and Idempotency-Keys); no Textual here.
"""

from __future__ import annotations

from datetime import date

from pydantic import TypeAdapter

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient

_inbox = TypeAdapter(list[w.ExtensionInboxItem])
_overruns = TypeAdapter(list[w.OverrunOut])


class ClosingClient:
    def __init__(self, client: HallClient) -> None:
        self.client = client

    # --- calendar ---------------------------------------------------------------------------

    async def calendar_today(self) -> w.CalendarToday:
        return await self.client._get("/calendar/today", w.CalendarToday)

    async def calendar_day(self, local_date: date) -> w.CalendarDayOut:
        return await self.client._get(f"/calendar/days/{local_date.isoformat()}", w.CalendarDayOut)

    async def confirm_year(self, year: int, key: str | None = None) -> w.ConfirmedYearOut:
        return await self.client._post(
            "/admin/calendar/confirm-year", w.ConfirmedYearOut, w.ConfirmYear(year=year), key
        )

    # --- the clerk's window -----------------------------------------------------------------

    async def closing(self, window: int) -> w.ClosingStatus:
        return await self.client._get(f"/windows/{window}/closing", w.ClosingStatus)

    async def request_extension(
        self, window: int, minutes: int, reason: str, key: str | None = None
    ) -> w.ExtensionOut:
        body = w.RequestExtension(minutes=minutes, reason=reason)
        return await self.client._post(f"/windows/{window}/extensions", w.ExtensionOut, body, key)

    async def close_window(self, window: int, key: str | None = None) -> w.WindowClosingOut:
        return await self.client._post(f"/windows/{window}/close", w.WindowClosingOut, key=key)

    # --- the duty lead ----------------------------------------------------------------------

    async def extensions(
        self, status: w.ExtensionStatus | None = None
    ) -> list[w.ExtensionInboxItem]:
        params = {"status": status.value} if status else None
        response = await self.client._send("GET", "/extensions", params=params)
        return _inbox.validate_json(response.content)

    async def extension(self, extension_id: int) -> w.ExtensionInboxItem:
        return await self.client._get(f"/extensions/{extension_id}", w.ExtensionInboxItem)

    async def approve_extension(
        self, extension_id: int, minutes: int | None = None, key: str | None = None
    ) -> w.ExtensionOut:
        body = w.ApproveExtension(minutes=minutes)
        return await self.client._post(
            f"/extensions/{extension_id}/approve", w.ExtensionOut, body, key
        )

    async def deny_extension(
        self, extension_id: int, reason: str, key: str | None = None
    ) -> w.ExtensionOut:
        body = w.DenyExtension(reason=reason)
        return await self.client._post(
            f"/extensions/{extension_id}/deny", w.ExtensionOut, body, key
        )

    async def overruns(self, status: w.OverrunStatus | None = None) -> list[w.OverrunOut]:
        params = {"status": status.value} if status else None
        response = await self.client._send("GET", "/overruns", params=params)
        return _overruns.validate_json(response.content)

    async def confirm_overrun(
        self, overrun_id: int, note: str = "", key: str | None = None
    ) -> w.OverrunOut:
        body = w.ConfirmOverrun(note=note)
        return await self.client._post(f"/overruns/{overrun_id}/confirm", w.OverrunOut, body, key)

    async def reject_overrun(
        self, overrun_id: int, reason: str, key: str | None = None
    ) -> w.OverrunOut:
        body = w.RejectOverrun(reason=reason)
        return await self.client._post(f"/overruns/{overrun_id}/reject", w.OverrunOut, body, key)
