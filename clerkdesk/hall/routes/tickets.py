from __future__ import annotations

from datetime import datetime

from fastapi import Path, Query
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.api.schemas import Role
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import service_day_of
from clerkdesk.hall.errors import not_found
from clerkdesk.hall.routes.deps import HallDep, IdempotencyKey, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store.models import Service, Ticket, Window, WindowService
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
    who.require(Role.lead, Role.admin)
    day = service_day_of(session, who.hall_id, now)
    query = select(Ticket).where(Ticket.hall_id == who.hall_id, Ticket.local_date == day)
    if status is not None:
        query = query.where(Ticket.status == status.value)
    if not who.has(Role.admin) and who.department_id is not None:
        query = query.join(Service, Service.id == Ticket.service_id).where(
            Service.department_id == who.department_id
        )
    return [ticket_out(session, t) for t in session.scalars(query.order_by(Ticket.id))]


@router.get("/tickets", response_model=list[w.TicketOut])
def list_today(
    hall: HallDep, token: TokenDep, status: w.TicketStatus | None = Query(default=None)
) -> list[w.TicketOut]:
    """The service day's tickets (leads see their department's, admins the whole hall); a
    night session past midnight is still the day it opened."""
    return hall.read(token, lambda s, who, now: _list(s, who, now, status))


def _may_view(session: Session, who: Principal, ticket: Ticket) -> bool:
    """A ticket carries a citizen's notes: the kiosk that issues tickets and admins see every
    ticket of the hall; clerks and leads those of their department's services, and those a
    window of their department serves or was called to (a 综合受理 window serves several
    departments' services)."""
    if who.has(Role.admin, Role.kiosk) or who.department_id is None:
        return True
    own_service = select(Service.id).where(
        Service.id == ticket.service_id, Service.department_id == who.department_id
    )
    served_here = (
        select(WindowService.window_id)
        .join(Window, Window.id == WindowService.window_id)
        .where(
            WindowService.service_id == ticket.service_id,
            Window.department_id == who.department_id,
        )
    )
    called_here = select(Window.id).where(
        Window.id == ticket.window_id, Window.department_id == who.department_id
    )
    return bool(
        session.scalar(select(own_service.exists() | served_here.exists() | called_here.exists()))
    )


def _one(session: Session, who: Principal, ticket_id: int) -> w.TicketOut:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.hall_id != who.hall_id or not _may_view(session, who, ticket):
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


@router.post("/tickets/{ticket_id}/reinstate", response_model=w.TicketOut)
async def reinstate(
    body: w.Reinstate,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    ticket_id: int = TicketId,
) -> Response:
    """A no-show came back: back to the front of the queue, within the hall's policy window
    (a clerk of a department serving it, a lead, an admin), with a reason."""
    return await hall.write_soon(
        token,
        key,
        fingerprint("reinstate", ticket_id, body.model_dump()),
        lambda s, who, now: tickets.reinstate(s, who, ticket_id, body.reason, now),
    )
