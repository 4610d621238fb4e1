"""The one writer of a ticket's history. Every change of a ticket (issue, call, recall, start,
complete, no-show, park, cancel, the end-of-day rule's carry-over, reinstate) goes through
`record`: the transition row (who, which window, when, an `Action`, from which state to which)
and the event, in the caller's transaction. `change` writes the ticket's new columns first;
`issue` inserts it.

Core statements on the request's connection: these run on every request at the counter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.handoffs import rows as handoff_rows
from clerkdesk.hall.rules.ticket_states import Action, next_state
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.pipeline import queued
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import served
from clerkdesk.hall.wire import ticket_answer

TicketRow = Mapping[Any, Any]
"""A ticket's columns and its answer's (see `tickets.sql`), as Core returns them."""

_t = tables.ticket
NEW_TICKET = insert(_t).returning(_t.c.id)
NEW_TICKET_WITH_ID = queued(insert(_t).inline())
"""A ticket whose id was drawn before (PostgreSQL, `tickets.sql.number_and_id`): nothing to
wait for, it goes with the write's next wait (store.pipeline)."""
UPDATE_TICKET = queued(update(_t).where(_t.c.id == bindparam("ticket_id")))
"""Binds ticket_id; the columns to set are the other parameters of the call."""
NEW_TRANSITION = queued(insert(tables.ticket_transition).inline())
"""Inline: its id is not fetched back (no RETURNING), so on PostgreSQL the row travels with the
write's next statement instead of waiting for an answer of its own (store.pipeline); so do the
ticket's update and, in the other modules, the window's, the stored answer and the event."""

EVENT_OF = {
    Action.issue: w.EventKind.ticket_issued,
    Action.call: w.EventKind.ticket_called,
    Action.recall: w.EventKind.ticket_recalled,
    Action.start: w.EventKind.ticket_started,
    Action.complete: w.EventKind.ticket_completed,
    Action.no_show: w.EventKind.ticket_no_show,
    Action.park: w.EventKind.ticket_parked,
    Action.cancel: w.EventKind.ticket_cancelled,
    Action.carry_over: w.EventKind.ticket_carried_over,
    Action.reinstate: w.EventKind.ticket_reinstated,
    Action.hand_off: w.EventKind.ticket_handed_off,
    Action.send_back: w.EventKind.ticket_sent_back,
    Action.back_to_me: w.EventKind.ticket_returned,
    Action.unpin: w.EventKind.ticket_unpinned,
}


def record(
    session: Session,
    answer: w.TicketOut,
    action: Action,
    from_status: str | None,
    who: Principal,
    window_id: int | None,
    now: datetime,
    reason: str | None = None,
    **event_parts: Any,
) -> w.TicketOut:
    """The transition and the event of a change made to the ticket (its answer after it);
    `event_parts` fill the event's other fields (a hand-off's `handoff=`)."""
    connection_of(session).execute(
        NEW_TRANSITION,
        {
            "ticket_id": answer.id,
            "action": action.value,
            "from_status": from_status,
            "to_status": answer.status.value,
            "staff_id": who.staff_id,
            "window_id": window_id,
            "at": now,
            "reason": reason or None,
        },
    )
    append_event(session, who.hall_id, EVENT_OF[action], now, ticket=answer, **event_parts)
    return answer


def issue(
    session: Session, ticket: dict[str, Any], who: Principal, now: datetime, **answer_parts: Any
) -> w.TicketOut:
    """Insert a new ticket (its columns in `ticket`, its id too if drawn before) and record
    its issue."""
    conn = connection_of(session)
    if "id" in ticket:
        conn.execute(NEW_TICKET_WITH_ID, ticket)
    else:
        ticket["id"] = conn.execute(NEW_TICKET, ticket).scalar_one()
    answer = ticket_answer({**ticket, **answer_parts})
    return record(session, answer, Action.issue, None, who, None, now)


def change(
    session: Session,
    row: TicketRow,
    action: Action,
    changes: dict[str, Any],
    who: Principal,
    window_id: int | None,
    now: datetime,
    reason: str | None = None,
    event: Callable[[w.TicketOut], dict[str, w.Wire | None]] | None = None,
    **answer_parts: Any,
) -> w.TicketOut:
    """Move the ticket of `row` by `action` (the state machine decides its new status; 409 if
    the action is illegal now), write `changes` with it and record the transition. `event`
    gives the event's other parts from the ticket's answer (a hand-off's `handoff=`)."""
    before = row["status"]
    changes = {**changes, "status": next_state(before, action)}
    conn = connection_of(session)
    conn.execute(UPDATE_TICKET, {"ticket_id": row["id"], **changes})
    served.follow(conn, row, {**row, **changes})  # the day's serving time per window
    handoff_rows.follow(conn, row, action, who.staff_id, now)
    answer = ticket_answer({**row, **changes, **answer_parts})
    parts = event(answer) if event is not None else {}
    return record(session, answer, action, before, who, window_id, now, reason, **parts)


def set_columns(session: Session, ticket_id: int, changes: dict[str, Any]) -> None:
    """Columns that are no move of the ticket (no transition, no event of their own): the
    hand-off a sender asked back (`handoffs.service.back_to_me`, which writes its own event)."""
    connection_of(session).execute(UPDATE_TICKET, {"ticket_id": ticket_id, **changes})
