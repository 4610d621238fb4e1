"""Client calls of the ticket kiosk: the services as its home shows them, a ticket's slip to
print, a ticket's public status. Wraps a signed-in `HallClient` (same transport, retries and
Idempotency-Keys); no Textual here. Issuing and cancelling are `HallClient.issue` and
`HallClient.cancel`."""

from __future__ import annotations

from urllib.parse import quote

from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.api.client import HallClient

PRINT_FAILED = "print_failed"
"""The reason a kiosk cancels a ticket it issued and could not print or show."""


class KioskClient:
    def __init__(self, client: HallClient) -> None:
        self.client = client

    async def services(self) -> kw.KioskHallOut:
        return await self.client._get("/kiosk/services", kw.KioskHallOut)

    async def slip(self, ticket_id: int) -> kw.TicketSlipOut:
        return await self.client._get(f"/kiosk/tickets/{ticket_id}/slip", kw.TicketSlipOut)

    async def status(self, token: str) -> kw.TicketStatusOut:
        """The public status link's answer (no sign-in needed)."""
        return await self.client._get(f"/t/{quote(token, safe='')}", kw.TicketStatusOut)
