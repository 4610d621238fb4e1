"""The window a clerk holds: the one lookup every action at a window starts with (call, recall,
pause, sign-out, close, an extension request), and the one "ticket in hand" refusal.

Two Core statements: the window locked (calls from one window run one at a time, and after a
sign-out), then who holds it with the ticket in their hand (a statement of its own: on
PostgreSQL it then sees whatever the lock waited for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from clerkdesk.hall.access.principal import HALL_OF_TOKEN, Principal
from clerkdesk.hall.errors import Conflict, Forbidden, not_found
from clerkdesk.hall.store import pipeline, tables
from clerkdesk.hall.store.pipeline import Ahead, binds_replaced
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets.sql import WINDOW_OF_TOKEN, in_hand_at

_t = tables.ticket
_h = tables.hall
_w = tables.window
_wsn = tables.window_session

WINDOW_LOCKED = (
    select(_w.c.id, _w.c.active, _w.c.last_call_at, _h.c.min_call_interval_s)
    .join_from(_w, _h, _h.c.id == _w.c.hall_id)
    .where(_w.c.hall_id == bindparam("hall_id"), _w.c.number == bindparam("number"))
    .with_for_update(of=_w)
)
"""The window, locked: calls from one window run one at a time (and after a sign-out)."""

HOLDER_AND_IN_HAND = (
    select(
        _wsn.c.id,
        _wsn.c.staff_id,
        _wsn.c.started_at,
        _wsn.c.paused,
        _t.c.code,
        _t.c.status,
    )
    .select_from(_wsn.outerjoin(_t, in_hand_at(_wsn.c.window_id)))
    .where(_wsn.c.window_id == bindparam("window_id"), _wsn.c.ended_at.is_(None))
    .order_by(_t.c.called_at.desc())
    .limit(1)
)
"""Who is signed in at the window and the ticket in their hand. Read after the window lock."""

WINDOW_LOCKED_AHEAD = binds_replaced(WINDOW_LOCKED, hall_id=HALL_OF_TOKEN)
HOLDER_AND_IN_HAND_AHEAD = binds_replaced(HOLDER_AND_IN_HAND, window_id=WINDOW_OF_TOKEN)


def held_window_ahead(number: int) -> Ahead:
    """`held_window`'s reads, to send ahead of the token check (`store.pipeline.send_ahead`)."""
    return [
        (WINDOW, WINDOW_LOCKED_AHEAD, {"number": number}),
        (HOLDER, HOLDER_AND_IN_HAND_AHEAD, {"number": number}),
    ]


WINDOW = "window"
HOLDER = "window_holder_in_hand"
_AS_WINDOW = pipeline.ahead(WINDOW)
_AS_HOLDER = pipeline.ahead(HOLDER)


def ticket_in_hand_refusal(code: str, status: str, number: int, before: str) -> Conflict:
    """A ticket is still called or being served at window `number`: finish it `before` ..."""
    return Conflict(
        "ticket_in_hand",
        f"Ticket {code} is still {status} at window {number}: complete it, mark it a no-show "
        f"or park it before {before}.",
        ticket=code,
        status=status,
    )


@dataclass(frozen=True)
class HeldWindow:
    """A window locked by the clerk signed in at it, and what an action there depends on."""

    id: int
    number: int
    last_call_at: datetime | None
    min_call_interval_s: int
    session_id: int
    started_at: datetime  # of the clerk's sign-in here
    paused: bool
    in_hand: tuple[str, str] | None  # (code, status) of the ticket at the window

    def require_empty_hands(self, before: str) -> None:
        """Refuse while a ticket is in hand (`before`: "calling the next", "leaving" ...)."""
        if self.in_hand is not None:
            code, status = self.in_hand
            raise ticket_in_hand_refusal(code, status, self.number, before)


def held_window(session: Session, who: Principal, number: int) -> HeldWindow:
    """Lock the window (404 if there is none) and check `who` holds it (403 else)."""
    conn = connection_of(session)
    window = conn.execute(
        WINDOW_LOCKED, {"hall_id": who.hall_id, "number": number}, execution_options=_AS_WINDOW
    ).first()
    if window is None or not window.active:
        raise not_found("window", number)
    holder = conn.execute(
        HOLDER_AND_IN_HAND, {"window_id": window.id}, execution_options=_AS_HOLDER
    ).first()
    if holder is None or holder.staff_id != who.staff_id:
        raise Forbidden(
            "not_your_window",
            f"You are not signed in at window {number}: sign in there first.",
            window=number,
        )
    return HeldWindow(
        window.id,
        number,
        window.last_call_at,
        window.min_call_interval_s,
        holder.id,
        holder.started_at,
        holder.paused,
        (holder.code, holder.status) if holder.code is not None else None,
    )
