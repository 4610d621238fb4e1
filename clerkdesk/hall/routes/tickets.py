from __future__ import annotations

from fastapi import Path, Query
from fastapi.responses import Response

from clerkdesk.api import schemas as w
from clerkdesk.hall.handoffs import service as handoffs
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.tickets import lifecycle as tickets
from clerkdesk.hall.tickets import queries

router = RouteTable(tags=["tickets"])
TicketId = Path(ge=1, le=2**53, description="The ticket's id (from the issue answer or an event)")


@router.post("/tickets", response_model=w.TicketOut, status_code=201)
async def issue(body: w.IssueTicket, hall: HallDep, post: PostDep) -> Response:
    """Issue a ticket at the kiosk (kiosk, lead or admin)."""
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.issue(s, who, body, now),
        status_code=201,
        ahead=tickets.issue_ahead(body),
    )


@router.get("/tickets", response_model=list[w.TicketOut])
def list_today(
    hall: HallDep, token: TokenDep, status: w.TicketStatus | None = Query(default=None)
) -> list[w.TicketOut]:
    """The service day's tickets (leads see their department's, admins the whole hall); a
    night session past midnight is still the day it opened."""
    return hall.read(token, lambda s, who, now: queries.tickets_today(s, who, now, status))


@router.get("/tickets/{ticket_id}", response_model=w.TicketDetail)
def get_ticket(hall: HallDep, token: TokenDep, ticket_id: int = TicketId) -> w.TicketDetail:
    """One ticket with its chain of hand-offs (转办) and the citizen's time in the hall."""
    return hall.read(token, lambda s, who, now: handoffs.ticket_detail(s, who, ticket_id, now))


@router.get("/tickets/by-code/{code}", response_model=w.TicketOut)
def get_ticket_by_code(
    hall: HallDep,
    token: TokenDep,
    code: str = Path(
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9]+$",
        description="Today's code, such as A023 (letters and digits)",
    ),
) -> w.TicketOut:
    """The service day's ticket with this code, for whoever may see it (a clerk looking up the
    number a citizen holds, to reinstate a no-show)."""
    return hall.read(token, lambda s, who, now: queries.ticket_by_code(s, who, code, now))


@router.post("/tickets/{ticket_id}/recall", response_model=w.TicketOut)
async def recall(hall: HallDep, post: PostDep, ticket_id: int = TicketId) -> Response:
    return await hall.write_soon(
        *post.of(),
        lambda s, who, now: tickets.act(s, who, ticket_id, Action.recall, now),
        ahead=tickets.act_ahead(ticket_id),
    )


@router.post("/tickets/{ticket_id}/start", response_model=w.TicketOut)
async def start(hall: HallDep, post: PostDep, ticket_id: int = TicketId) -> Response:
    return await hall.write_soon(
        *post.of(),
        lambda s, who, now: tickets.act(s, who, ticket_id, Action.start, now),
        ahead=tickets.act_ahead(ticket_id),
    )


@router.post("/tickets/{ticket_id}/complete", response_model=w.TicketOut)
async def complete(
    body: w.Complete,
    hall: HallDep,
    post: PostDep,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.act(
            s, who, ticket_id, Action.complete, now, outcome=body.outcome, notes=body.notes
        ),
        ahead=tickets.act_ahead(ticket_id),
    )


@router.post("/tickets/{ticket_id}/no-show", response_model=w.TicketOut)
async def no_show(
    body: w.NoShow,
    hall: HallDep,
    post: PostDep,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.act(s, who, ticket_id, Action.no_show, now, reason=body.reason),
        ahead=tickets.act_ahead(ticket_id),
    )


@router.post("/tickets/{ticket_id}/park", response_model=w.TicketOut)
async def park(
    body: w.Park,
    hall: HallDep,
    post: PostDep,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.act(
            s, who, ticket_id, Action.park, now, reason=body.reason, position=body.position
        ),
        ahead=tickets.act_ahead(ticket_id),
    )


@router.post("/tickets/{ticket_id}/cancel", response_model=w.TicketOut)
async def cancel(
    body: w.Cancel,
    hall: HallDep,
    post: PostDep,
    ticket_id: int = TicketId,
) -> Response:
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.cancel(s, who, ticket_id, body.reason, now),
        ahead=tickets.locked_ticket_ahead(ticket_id),
    )


@router.post("/tickets/{ticket_id}/reinstate", response_model=w.TicketOut)
async def reinstate(
    body: w.Reinstate,
    hall: HallDep,
    post: PostDep,
    ticket_id: int = TicketId,
) -> Response:
    """A no-show came back: back to the front of the queue, within the hall's policy window
    (a clerk of a department serving it, a lead, an admin), with a reason."""
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.reinstate(s, who, ticket_id, body.reason, now),
        ahead=tickets.locked_ticket_ahead(ticket_id),
    )
