"""GET /events: the hall's changes as Server-Sent Events, replaying from Last-Event-ID, each
projected for its reader (`events/projection.py`): the kiosk never gets a citizen's notes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Header, Query
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from clerkdesk.api import schemas as w
from clerkdesk.hall.errors import Invalid, NotSignedIn
from clerkdesk.hall.events.audience import load_reader
from clerkdesk.hall.events.projection import project
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
    replaced) gets a `reset` event: reload. Each event is projected for the reader: the notes
    of a citizen only for the departments that serve the ticket, the hall's duty lead and
    admins; for the kiosk, a ticket's number, service, window and state only."""
    reader = await run_in_threadpool(hall.read, token, load_reader)
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
        current = reader
        async for event in hall.hub.subscribe(reader.hall_id, start):
            if event.kind is w.EventKind.hall_updated:  # windows, services or roles may move
                try:
                    current = await run_in_threadpool(hall.read, token, load_reader)
                except NotSignedIn:
                    return  # the reconnect hears why
            shown = project(event, current.audience, current.serving)
            yield ServerSentEvent(
                data=shown.model_dump_json(), event=shown.kind.value, id=str(shown.id)
            )

    return EventSourceResponse(stream(), ping=PING_SECONDS)
