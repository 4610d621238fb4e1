"""Reading tickets: a window's queue in calling order and the ticket in a clerk's hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.ticket_states import WAITING
from clerkdesk.hall.store.models import Ticket, Window, WindowService
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import sql as q
from clerkdesk.hall.wire import ticket_answer, ticket_out, window_service_ids


def _waiting_for_window(window: Window):
    return (
        select(Ticket)
        .join(
            WindowService,
            (WindowService.service_id == Ticket.service_id)
            & (WindowService.window_id == window.id),
        )
        .where(Ticket.hall_id == window.hall_id, Ticket.status == WAITING)
    )


def queue_for_window(session: Session, window: Window, now: datetime) -> list[w.TicketOut]:
    """This window's waiting tickets in the order the server will call them (the pure rule)."""
    tickets = {t.id: t for t in session.scalars(_waiting_for_window(window))}
    ordered = queue_order.order_for_window(
        (
            queue_order.Waiting(t.id, t.service_id, t.priority, t.queue_at, t.appointment_at)
            for t in tickets.values()
        ),
        window_service_ids(session, window.id),
        now,
    )
    return [ticket_out(session, tickets[entry.ticket_id]) for entry in ordered]


def ticket_in_hand(session: Session, window: Window) -> w.TicketOut | None:
    """The ticket called to or being served at the window, if any."""
    row = (
        connection_of(session)
        .execute(q.IN_HAND, {"hall_id": window.hall_id, "window_id": window.id})
        .first()
    )
    return ticket_answer(row._mapping) if row is not None else None
