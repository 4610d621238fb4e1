"""GET /events: the hall's changes as Server-Sent Events, replaying from Last-Event-ID."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Header, Query
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from clerkdesk.api import schemas as w
from clerkdesk.hall.errors import Invalid
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable

router = RouteTable(tags=["events"])
PING_SECONDS = 10


def _cursor(header: str | None, query: int | None) -> int | None:
    """Where to resume: Last-Event-ID, else `after`, else None (live events only)."""
    if header is not None and header.strip():
        try:
            value = int(header.strip())
        except ValueError:
            raise Invalid(
                "last_event_id_invalid",
                "Last-Event-ID must be the numeric id of an event this server sent.",
            ) from None
        if value < 0:
            raise Invalid("last_event_id_invalid", "Last-Event-ID cannot be negative.")
        return value
    return query


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "event stream"}},
)
async def events(
    hall: HallDep,
    token: TokenDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, le=2**62, description="Replay after this id")] = None,
) -> EventSourceResponse:
    """Every change in the hall, in order, from now on (or after `after`). Reconnect with
    Last-Event-ID to get what you missed; an id this server never sent (its database was
    replaced) gets a `reset` event: reload."""
    who = await run_in_threadpool(hall.read, token, lambda _s, who, _now: who)
    cursor = _cursor(last_event_id, after)
    newest = await run_in_threadpool(hall.hub.max_id)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        start = newest if cursor is None else cursor
        if start > newest:
            reset = w.EventOut(id=newest, kind=w.EventKind.reset, at=hall.clock.now())
            yield ServerSentEvent(
                data=reset.model_dump_json(), event=reset.kind.value, id=str(newest)
            )
            start = newest
        async for event in hall.hub.subscribe(who.hall_id, start):
            yield ServerSentEvent(
                data=event.model_dump_json(), event=event.kind.value, id=str(event.id)
            )

    return EventSourceResponse(stream(), ping=PING_SECONDS)
