from __future__ import annotations

from datetime import datetime

from fastapi import Path, Query
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import not_found
from clerkdesk.hall.routes.deps import HallDep, IdempotencyKey, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store.models import Hall, Service, Ticket
from clerkdesk.hall.tickets import lifecycle as tickets
from clerkdesk.hall.unit_of_work import fingerprint
from clerkdesk.hall.wire import ticket_out

router = RouteTable(tags=["tickets"])
TicketId = Path(ge=1, le=2**53, description="The ticket's id (from the issue answer or an event)")


@router.post("/tickets", response_model=w.TicketOut, status_code=201)
async def issue(
    body: w.IssueTicket, hall: HallDep, token: TokenDep, key: IdempotencyKey
) -> Response:
    """Issue a ticket at the kiosk (kiosk, lead or admin)."""
    return await hall.write_soon(
        token,
        key,
        fingerprint("issue", body.model_dump(mode="json")),
        lambda s, who, now: tickets.issue(s, who, body, now),
        status_code=201,
    )


def _list(
    session: Session, who: Principal, now: datetime, status: w.TicketStatus | None
) -> list[w.TicketOut]:
    department_id = policy.ticket_list_department(who)
    hall = session.get_one(Hall, who.hall_id)
    query = select(Ticket).where(
        Ticket.hall_id == who.hall_id, Ticket.local_date == tickets.local_date(hall, now)
    )
    if status is not None:
        query = query.where(Ticket.status == status.value)
    if department_id is not None:
        query = query.join(Service, Service.id == Ticket.service_id).where(
            Service.department_id == department_id
        )
    return [ticket_out(session, t) for t in session.scalars(query.order_by(Ticket.id))]


@router.get("/tickets", response_model=list[w.TicketOut])
def list_today(
    hall: HallDep, token: TokenDep, status: w.TicketStatus | None = Query(default=None)
) -> list[w.TicketOut]:
    """Today's tickets (leads see their department's, admins the whole hall)."""
    return hall.read(token, lambda s, who, now: _list(s, who, now, status))


def _one(session: Session, who: Principal, ticket_id: int) -> w.TicketOut:
    ticket = session.get(Ticket, ticket_id)
    if (
        ticket is None
        or ticket.hall_id != who.hall_id
        or not policy.may_view_ticket(session, who, ticket.service_id, ticket.window_id)
    ):
        raise not_found("ticket", ticket_id)  # another department's: not even its existence
    return ticket_out(session, ticket)


@router.get("/tickets/{ticket_id}", response_model=w.TicketOut)
def get_ticket(hall: HallDep, token: TokenDep, ticket_id: int = TicketId) -> w.TicketOut:
    return hall.read(token, lambda s, who, _now: _one(s, who, ticket_id))


@router.post("/tickets/{ticket_id}/recall", response_model=w.TicketOut)
async def recall(
    hall: HallDep, token: TokenDep, key: IdempotencyKey, ticket_id: int = TicketId
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("recall", ticket_id),
        lambda s, who, now: tickets.act(s, who, ticket_id, Action.recall, now),
    )


@router.post("/tickets/{ticket_id}/start", response_model=w.TicketOut)
async def start(
    hall: HallDep, token: TokenDep, key: IdempotencyKey, ticket_id: int = TicketId
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("start", ticket_id),
        lambda s, who, now: tickets.act(s, who, ticket_id, Action.start, now),
    )


@router.post("/tickets/{ticket_id}/complete", response_model=w.TicketOut)
async def complete(
    body: w.Complete,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("complete", ticket_id, body.model_dump()),
        lambda s, who, now: tickets.act(
            s, who, ticket_id, Action.complete, now, outcome=body.outcome, notes=body.notes
        ),
    )


@router.post("/tickets/{ticket_id}/no-show", response_model=w.TicketOut)
async def no_show(
    body: w.NoShow,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("no-show", ticket_id, body.model_dump()),
        lambda s, who, now: tickets.act(s, who, ticket_id, Action.no_show, now, reason=body.reason),
    )


@router.post("/tickets/{ticket_id}/park", response_model=w.TicketOut)
async def park(
    body: w.Park,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("park", ticket_id, body.model_dump()),
        lambda s, who, now: tickets.act(
            s, who, ticket_id, Action.park, now, reason=body.reason, position=body.position
        ),
    )


@router.post("/tickets/{ticket_id}/cancel", response_model=w.TicketOut)
async def cancel(
    body: w.Cancel,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("cancel", ticket_id, body.model_dump()),
        lambda s, who, now: tickets.cancel(s, who, ticket_id, body.reason, now),
    )
