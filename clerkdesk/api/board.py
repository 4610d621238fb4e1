"""Client calls of the hall board: GET /board. Wraps a signed-in `HallClient` (same transport
and retries); no Textual here."""

from __future__ import annotations

from clerkdesk.api import board_schemas as bw
from clerkdesk.api.client import HallClient


class BoardClient:
    def __init__(self, client: HallClient) -> None:
        self.client = client

    async def board(self) -> bw.BoardOut:
        return await self.client._get("/board", bw.BoardOut)
