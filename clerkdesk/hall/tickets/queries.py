"""Reading tickets: a window's queue in calling order, the ticket in a clerk's hand, the no-shows
it may still reinstate, today's tickets for the duty lead and one ticket (by id or by today's
code) for whoever may see it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import service_day_of
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.ticket_states import WAITING
from clerkdesk.hall.rules.tide import services_with_tide
from clerkdesk.hall.store.models import Service, Staff, Ticket, Window
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import sql as q
from clerkdesk.hall.wire import (
    open_session,
    ticket_answer,
    ticket_out,
    tide_in_force,
    tide_service_ids,
    window_service_ids,
)


def services_now(session: Session, window: Window, now: datetime) -> tuple[list[int], list[int]]:
    """The window's own services in its order, and those of a tide in force (called first)."""
    own = window_service_ids(session, window.id)
    tide = tide_in_force(session, window.id, now)
    return own, tide_service_ids(session, tide.id) if tide is not None else []


def queue_for_window(session: Session, window: Window, now: datetime) -> list[w.TicketOut]:
    """This window's waiting tickets in the order the server will call them (the pure rule)."""
    own, tide = services_now(session, window, now)
    services = services_with_tide(own, tide)
    waiting = select(Ticket).where(
        Ticket.hall_id == window.hall_id,
        Ticket.status == WAITING,
        Ticket.service_id.in_(services),
    )
    tickets = {t.id: t for t in session.scalars(waiting)}
    # Held here while the answers are built: `ticket_out` finds each ticket's service in the
    # session's identity map, which keeps only what someone holds (it read the service again
    # for every ticket: 50 waiting, 50 statements of a counter read's 73).
    held = session.scalars(select(Service).where(Service.id.in_(services))).all()
    ordered = queue_order.order_for_window(
        (
            queue_order.Waiting(
                t.id,
                t.service_id,
                t.priority,
                t.queue_at,
                t.appointment_at,
                t.back_window_id,
                t.back_rank,
                t.back_position,
                t.target_window_id,
                t.target_staff_id,
            )
            for t in tickets.values()
        ),
        own,
        now,
        window.id,
        holder.staff_id if (holder := open_session(session, window.id)) else None,
        tide,
    )
    answers = [ticket_out(session, tickets[entry.ticket_id]) for entry in ordered]
    del held
    return answers


def ticket_in_hand(session: Session, window: Window) -> w.TicketOut | None:
    """The ticket called to or being served at the window, if any."""
    row = (
        connection_of(session)
        .execute(q.IN_HAND, {"hall_id": window.hall_id, "window_id": window.id})
        .first()
    )
    return ticket_answer(row._mapping) if row is not None else None


def reinstatable_no_shows(
    session: Session, window: Window, now: datetime, minutes: int
) -> list[w.TicketOut]:
    """The window's no-shows marked within the last `minutes` (the hall's policy): a citizen
    among them who comes back may still be served; the latest first."""
    since = now - timedelta(minutes=minutes)
    rows = connection_of(session).execute(
        q.NO_SHOWS_SINCE, {"hall_id": window.hall_id, "window_id": window.id, "since": since}
    )
    return [ticket_answer(row._mapping) for row in rows]


def tickets_today(
    session: Session, who: Principal, now: datetime, status: w.TicketStatus | None
) -> list[w.TicketOut]:
    """The service day's tickets (a night session past midnight is still the day it opened):
    leads see their department's, admins the whole hall."""
    department_id = policy.ticket_list_department(who)
    day = service_day_of(session, who.hall_id, now)
    query = select(Ticket).where(Ticket.hall_id == who.hall_id, Ticket.local_date == day)
    if status is not None:
        query = query.where(Ticket.status == status.value)
    if department_id is not None:
        query = query.join(Service, Service.id == Ticket.service_id).where(
            Service.department_id == department_id
        )
    # The hall's services, windows and staff held while the answers are built: each ticket's
    # are then found in the session's identity map, not read again ticket by ticket.
    held = [
        session.scalars(select(model).where(model.hall_id == who.hall_id)).all()
        for model in (Service, Window, Staff)
    ]
    answers = [ticket_out(session, t) for t in session.scalars(query.order_by(Ticket.id))]
    del held
    return answers


def ticket_for(session: Session, who: Principal, ticket_id: int) -> w.TicketOut:
    """One ticket, provided `who` may see it (404 else: not even its existence)."""
    ticket = session.get(Ticket, ticket_id)
    if (
        ticket is None
        or ticket.hall_id != who.hall_id
        or not policy.may_view_ticket(
            session, who, ticket.service_id, ticket.window_id, ticket.chain_departments
        )
    ):
        raise not_found("ticket", ticket_id)  # another department's: not even its existence
    return ticket_out(session, ticket)


def ticket_by_code(session: Session, who: Principal, code: str, now: datetime) -> w.TicketOut:
    """The service day's ticket with this code (A023), provided `who` may see it (404 else, as
    for no such ticket); 409 `ticket_code_ambiguous` when two services swapped prefixes."""
    conn = connection_of(session)
    day = service_day_of(session, who.hall_id, now)
    found = conn.execute(
        q.TICKET_BY_CODE, {"hall_id": who.hall_id, "code": code.upper(), "day": day}
    ).all()
    visible = [
        row._mapping
        for row in found
        if policy.may_view_ticket(conn, who, row.service_id, row.window_id)
    ]
    if not visible:
        raise not_found("ticket", code.upper())
    if len(visible) > 1:
        raise Conflict(
            "ticket_code_ambiguous",
            f"Two tickets today are {code.upper()}: use its id instead.",
            ticket=code.upper(),
            ids=[row["id"] for row in visible],
        )
    return ticket_answer(visible[0])
