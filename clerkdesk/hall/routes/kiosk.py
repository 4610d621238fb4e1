"""The ticket kiosk's reads (its home, a ticket's slip) and a ticket's public status link."""

from __future__ import annotations

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response

from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.hall.monitor.kiosk_view import kiosk_services
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.tickets import status
from clerkdesk.hall.tickets.status_page import language_of, status_page

router = RouteTable(tags=["kiosk"])
TicketId = Path(ge=1, le=2**53, description="The ticket's id (from the issue answer)")


@router.get("/kiosk/services", response_model=kw.KioskHallOut)
def services(hall: HallDep, token: TokenDep) -> kw.KioskHallOut:
    """The services as the kiosk's home shows them (the kiosk, leads, admins): per service its
    queue and what a new arrival can expect, whether the kiosk issues it now, when it stops,
    and when it issues again (the cutoff)."""
    return hall.read(token, kiosk_services)


@router.get("/kiosk/tickets/{ticket_id}/slip", response_model=kw.TicketSlipOut)
def slip(hall: HallDep, token: TokenDep, ticket_id: int = TicketId) -> kw.TicketSlipOut:
    """What the kiosk prints (the kiosk, admins): number, service, time, people ahead and the
    ticket's status link for its QR code."""
    return hall.read(token, lambda s, who, now: status.ticket_slip(s, who, ticket_id, now))


@router.get("/t/{token}", response_model=kw.TicketStatusOut, tags=["public"])
def ticket_status(
    request: Request,
    hall: HallDep,
    token: str = Path(
        min_length=1,
        max_length=64,
        description="From the ticket's QR code: the ticket's id and its MAC",
    ),
) -> Response | kw.TicketStatusOut:
    """A ticket's state for whoever holds it, without signing in: number, service, state, the
    window it is called to, people ahead (no names, no notes). A browser (Accept: text/html)
    gets a small page that reloads itself."""
    with hall.read_session() as session:
        answer = status.ticket_status(session, token, hall.clock.now())
    if "text/html" in request.headers.get("accept", ""):
        lang = language_of(request.headers.get("accept-language"))
        return HTMLResponse(status_page(answer, lang))
    return answer
