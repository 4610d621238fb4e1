"""Following the hall's event stream: reconnects by itself and resumes from Last-Event-ID.

The subscription yields `EventOut` items in order and `StreamStatus` items when the connection
comes or goes, so a screen can show that it is offline instead of going silently stale. A `reset`
event means the server cannot replay from where we were (its database was replaced): reload.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from httpx_sse import aconnect_sse
from pydantic import ValidationError

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient, Sleep, _refusal, tls_for
from clerkdesk.api.errors import Unauthorized

BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class StreamStatus:
    connected: bool
    reason: str | None = None
    retry_in_s: float | None = None


class EventSubscription:
    def __init__(
        self,
        client: HallClient,
        after: int | None = None,
        *,
        backoff: tuple[float, ...] = BACKOFF,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = client
        self.last_event_id = after
        self._backoff = backoff
        self._sleep = sleep

    async def __aiter__(self) -> AsyncIterator[w.EventOut | StreamStatus]:
        failures = 0
        while True:
            headers = self._client.auth_headers()
            if self.last_event_id is not None:
                headers["Last-Event-ID"] = str(self.last_event_id)
            try:
                async with (
                    httpx.AsyncClient(
                        base_url=self._client.base_url,
                        timeout=httpx.Timeout(10.0, read=30.0),
                        verify=tls_for(self._client.base_url),
                    ) as http,
                    aconnect_sse(http, "GET", "/events", headers=headers) as source,
                ):
                    if source.response.status_code >= 400:
                        await source.response.aread()
                        error = _refusal(source.response)
                        if isinstance(error, Unauthorized):
                            raise error
                        raise httpx.HTTPStatusError(
                            error.message, request=source.response.request, response=source.response
                        )
                    failures = 0
                    yield StreamStatus(connected=True)
                    async for sse in source.aiter_sse():
                        if not sse.data:
                            continue
                        try:
                            event = w.EventOut.model_validate_json(sse.data)
                        except ValidationError:
                            continue
                        self.last_event_id = event.id
                        yield event
                reason = "the hall service closed the event stream"
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                reason = str(exc) or type(exc).__name__
            delay = self._backoff[min(failures, len(self._backoff) - 1)]
            failures += 1
            yield StreamStatus(connected=False, reason=reason, retry_in_s=delay)
            await self._sleep(delay)
