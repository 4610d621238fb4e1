"""Writing events: in the same transaction as the change, in commit order.

On PostgreSQL a sequence hands out ids before commit, so two transactions could commit event 101
before event 100 and a reader that saw 101 would skip 100 for ever. A transaction-scoped advisory
lock taken just before the id is drawn makes commit order follow id order; the NOTIFY (delivered
at commit) wakes the other server processes. Both happen in the insert itself: it inserts from a
one-row subquery that takes the lock and sends the NOTIFY, fenced with OFFSET 0 so the planner
keeps it a step of its own, evaluated before the row's `nextval` (EXPLAIN shows the Result node
with the lock under the Subquery Scan that computes the id). SQLite's `BEGIN IMMEDIATE` already
serialises writers.

Under `HallContext` the rows are held back and written last, just before the commit
(`write_pending`): the event lock is then held for one insert and the commit, not for the rest
of the request too, and PostgreSQL writers queue on it that much less.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Integer, String, bindparam, func, insert, select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import UTCDateTime
from clerkdesk.hall.store.pipeline import queued
from clerkdesk.hall.store.tables import connection_of

CHANNEL = "clerkdesk_events"
_EVENT_LOCK = 0x4556454E54  # "EVENT"
HALL_CHANGED = "clerkdesk_hall_changed"
"""`session.info` key set when a hall or its calendar changed (cached calendars must go)."""
CHANGES_HALL = frozenset({w.EventKind.hall_updated, w.EventKind.calendar_updated})
PENDING = "clerkdesk_pending_events"
"""`session.info` key: a list collecting the unit's event rows, written by `write_pending`."""

_INSERT = insert(tables.event)
_LOCKED = (
    select(
        func.pg_advisory_xact_lock(_EVENT_LOCK),
        func.pg_notify(CHANNEL, bindparam("origin", type_=String)),
    )
    .offset(0)
    .subquery("event_lock")
)
_INSERT_LOCKED = queued(  # in a write's pipeline it goes with the COMMIT (store.pipeline)
    insert(tables.event).from_select(
        ["hall_id", "kind", "at", "payload"],
        select(
            bindparam("hall_id", type_=Integer),
            bindparam("kind", type_=String),
            bindparam("at", type_=UTCDateTime()),
            bindparam("payload", type_=JSON),
        ).select_from(_LOCKED),
    )
)


def append_event(
    session: Session | Connection,
    hall_id: int,
    kind: w.EventKind,
    at: datetime,
    *,
    ticket: w.TicketOut | None = None,
    window: w.WindowOut | None = None,
    **parts: w.Wire | None,
) -> None:
    """`parts` fill EventOut's other optional fields by name (extension=, overrun=, ...)."""
    payload: dict[str, Any] = {}
    if ticket is not None:
        payload["ticket"] = ticket.model_dump(mode="json")
    if window is not None:
        payload["window"] = window.model_dump(mode="json")
    for name, part in parts.items():
        if part is not None:
            payload[name] = part.model_dump(mode="json")
    row = {"hall_id": hall_id, "kind": kind.value, "at": at, "payload": payload}
    if isinstance(session, Session):
        if kind in CHANGES_HALL:
            session.info[HALL_CHANGED] = True
        pending = session.info.get(PENDING)
        if pending is not None:
            pending.append(row)
            return
        if session.new or session.dirty or session.deleted:
            session.flush()  # the change before its event (and its errors before the event's)
        write_pending(connection_of(session), [row])
    else:
        write_pending(session, [row])


def write_pending(conn: Connection, rows: list[dict[str, Any]], origin: str = "") -> None:
    """Insert event rows, in order. On PostgreSQL under the event lock, with a NOTIFY whose
    payload names the event hub of the writing process (`EventHub.origin`), which skips it."""
    if conn.dialect.name != "postgresql":
        for row in rows:
            conn.execute(_INSERT, row)
        return
    for row in rows:
        conn.execute(_INSERT_LOCKED, {**row, "origin": origin})


def event_out(event_id: int, kind: str, at: datetime, payload: dict[str, Any]) -> w.EventOut:
    return w.EventOut.model_validate({"id": event_id, "kind": kind, "at": at, **payload})
