"""A ticket as its citizen sees it: the slip the kiosk prints (number, service, time, people
ahead, the status link of its QR code) and the public status behind that link, which answers
without a sign-in to whoever holds the token (number, service, state, window, people ahead: no
name, no notes, no staff)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict, NotFound, not_found
from clerkdesk.hall.rules.queue_order import Waiting
from clerkdesk.hall.rules.ticket_slip import (
    STATUS_PATH,
    people_ahead,
    status_token,
    ticket_id_of,
    token_matches,
)
from clerkdesk.hall.rules.ticket_states import CALLED, SERVING, WAITING
from clerkdesk.hall.store.models import Department, Hall, Service, Ticket, Window


def _waiting(ticket: Ticket) -> Waiting:
    return Waiting(
        ticket.id, ticket.service_id, ticket.priority, ticket.queue_at, ticket.appointment_at
    )


def _ahead(session: Session, ticket: Ticket, now: datetime) -> int | None:
    if ticket.status != WAITING:
        return None
    rows = session.execute(
        select(
            Ticket.id, Ticket.service_id, Ticket.priority, Ticket.queue_at, Ticket.appointment_at
        ).where(
            Ticket.hall_id == ticket.hall_id,
            Ticket.service_id == ticket.service_id,
            Ticket.status == WAITING,
        )
    )
    return people_ahead(_waiting(ticket), (Waiting(*row) for row in rows), now)


def _key(hall: Hall) -> str:
    if hall.status_key is None:  # only a database an older version wrote, not migrated
        raise Conflict(
            "status_links_unavailable",
            "This hall has no key for ticket status links yet: restart the hall service "
            "(it migrates the database), then print again.",
        )
    return hall.status_key


def ticket_slip(
    session: Session, who: Principal, ticket_id: int, now: datetime
) -> kw.TicketSlipOut:
    """What the kiosk prints on a ticket of its hall (the kiosk and admins: they see every
    ticket; a clerk or a lead is refused)."""
    policy.require(who, policy.Can.see_any_ticket)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.hall_id != who.hall_id:
        raise not_found("ticket", ticket_id)
    service = session.get_one(Service, ticket.service_id)
    department = session.get_one(Department, service.department_id)
    token = status_token(_key(session.get_one(Hall, who.hall_id)), ticket.id)
    return kw.TicketSlipOut(
        ticket_id=ticket.id,
        code=ticket.code,
        service=service.code,
        service_name=service.name,
        department_name=department.name,
        priority=w.Priority(ticket.priority),
        status=w.TicketStatus(ticket.status),
        issued_at=ticket.issued_at,
        local_date=ticket.local_date,
        people_ahead=_ahead(session, ticket, now),
        status_path=STATUS_PATH.format(token=token),
    )


def _no_such_link() -> NotFound:
    return NotFound(
        "ticket_status_not_found",
        "No ticket has this status link: check the address (scan the QR code on the ticket "
        "again), or ask at the hall's information desk.",
    )


def ticket_status(session: Session, token: str, now: datetime) -> kw.TicketStatusOut:
    """The ticket whose status link this is: 404 for a token no hall made (the same answer for
    a malformed one, an unknown ticket and a wrong MAC)."""
    ticket_id = ticket_id_of(token)
    ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        raise _no_such_link()
    hall = session.get_one(Hall, ticket.hall_id)
    if hall.status_key is None or not token_matches(hall.status_key, token):
        raise _no_such_link()
    service = session.get_one(Service, ticket.service_id)
    window = None
    if ticket.window_id is not None and ticket.status in (CALLED, SERVING):
        window = session.scalar(select(Window.number).where(Window.id == ticket.window_id))
    return kw.TicketStatusOut(
        code=ticket.code,
        service_name=service.name,
        status=w.TicketStatus(ticket.status),
        window=window,
        people_ahead=_ahead(session, ticket, now),
        issued_at=ticket.issued_at.astimezone(ZoneInfo(hall.timezone)),
        local_date=ticket.local_date,
        at=now,
    )
