"""The hand-off rows follow their ticket: the open move of a handed-off ticket learns when its
receiver first called the citizen, and ends when the ticket is finished, a no-show or cancelled
there. Called by `tickets.transitions.change` (the one writer of a ticket's history) for
tickets that were ever handed on; Core statements on the request's connection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from clerkdesk.api import schemas as w
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store import tables

_h = tables.hand_off
OPEN = w.HandOffState.open.value

OPEN_MOVE = (
    select(_h)
    .where(_h.c.ticket_id == bindparam("ticket_id"), _h.c.state == OPEN)
    .order_by(_h.c.seq.desc())
    .limit(1)
)
"""The ticket's open move (bind ticket_id), if any."""
MOVES = select(func.count()).select_from(_h).where(_h.c.ticket_id == bindparam("ticket_id"))
_FIRST_CALL = update(_h).where(
    _h.c.ticket_id == bindparam("of_ticket"), _h.c.state == OPEN, _h.c.called_at.is_(None)
)
END_OPEN = update(_h).where(_h.c.ticket_id == bindparam("of_ticket"), _h.c.state == OPEN)
"""End the ticket's open move (bind of_ticket; set state, ended_at, ended_by_id, ...)."""

_ENDS = {
    Action.complete: w.HandOffState.done.value,
    Action.no_show: w.HandOffState.closed.value,
    Action.cancel: w.HandOffState.closed.value,
}


def follow(
    conn: Connection, ticket: Any, action: Action, staff_id: int | None, now: datetime
) -> None:
    """What `action` on a handed-off ticket means for its open move."""
    if not ticket.get("handoff_count"):
        return
    if action == Action.call:
        conn.execute(_FIRST_CALL, {"of_ticket": ticket["id"], "called_at": now})
    elif action in _ENDS:
        conn.execute(
            END_OPEN,
            {
                "of_ticket": ticket["id"],
                "state": _ENDS[action],
                "ended_at": now,
                "ended_by_id": staff_id,
            },
        )
