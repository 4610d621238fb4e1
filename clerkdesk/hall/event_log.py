"""Writing events: in the same transaction as the change, in commit order.

On PostgreSQL a sequence hands out ids before commit, so two transactions could commit event 101
before event 100 and a reader that saw 101 would skip 100 for ever. A transaction-scoped advisory
lock taken just before the event insert makes commit order follow id order; the NOTIFY is
delivered at commit and wakes the other server processes. SQLite's `BEGIN IMMEDIATE` already
serialises writers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.models import Event

CHANNEL = "clerkdesk_events"
_EVENT_LOCK = 0x4556454E54  # "EVENT"


def append_event(
    session: Session,
    hall_id: int,
    kind: w.EventKind,
    at: datetime,
    *,
    ticket: w.TicketOut | None = None,
    window: w.WindowOut | None = None,
    **parts: w.Wire | None,
) -> Event:
    """`parts` fill EventOut's other optional fields by name (extension=, overrun=, ...)."""
    bind = session.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENT_LOCK})
    payload: dict[str, object] = {}
    if ticket is not None:
        payload["ticket"] = ticket.model_dump(mode="json")
    if window is not None:
        payload["window"] = window.model_dump(mode="json")
    for name, part in parts.items():
        if part is not None:
            payload[name] = part.model_dump(mode="json")
    event = Event(hall_id=hall_id, kind=kind.value, at=at, payload=payload)
    session.add(event)
    session.flush()
    if postgres:
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(event.id)})
    return event


def event_out(event: Event) -> w.EventOut:
    return w.EventOut.model_validate(
        {"id": event.id, "kind": event.kind, "at": event.at, **event.payload}
    )
