"""Hand-offs between departments (转办), and the day's same-day completion."""

from __future__ import annotations

from fastapi import Path
from fastapi.responses import Response

from clerkdesk.api import schemas as w
from clerkdesk.hall.handoffs import service as handoffs
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.tickets import stats

router = RouteTable(tags=["hand-offs"])
TicketId = Path(ge=1, le=2**53, description="The ticket's id (from the issue answer or an event)")


@router.post("/tickets/{ticket_id}/hand-off", response_model=w.HandOffAnswer)
async def hand_off(
    body: w.HandOff, hall: HallDep, post: PostDep, ticket_id: int = TicketId
) -> Response:
    """Hand the case at your counter to another department's service, a window or a clerk,
    with a note: the citizen keeps the number and waits there ahead of new arrivals; your
    window is free at once. Refused (409 `handoff_service_closed`, with `next_opening`) when
    the service is closed and does not open before the citizen could get there."""
    return await hall.write_soon(
        *post.of(body), lambda s, who, now: handoffs.hand_off(s, who, ticket_id, body, now)
    )


@router.post("/tickets/{ticket_id}/send-back", response_model=w.HandOffAnswer)
async def send_back(
    body: w.SendBack, hall: HallDep, post: PostDep, ticket_id: int = TicketId
) -> Response:
    """The receiver sends a handed-off case back to the sender's window, with a reason."""
    return await hall.write_soon(
        *post.of(body), lambda s, who, now: handoffs.send_back(s, who, ticket_id, body, now)
    )


@router.post("/tickets/{ticket_id}/back-to-me", response_model=w.HandOffAnswer)
async def back_to_me(hall: HallDep, post: PostDep, ticket_id: int = TicketId) -> Response:
    """The sender asks the case back: when the other department finishes it, the citizen
    returns to the sender's window, first in line there."""
    return await hall.write_soon(
        *post.of(), lambda s, who, now: handoffs.back_to_me(s, who, ticket_id, now)
    )


@router.get("/hand-offs", response_model=w.HandOffWatch)
def watch(hall: HallDep, token: TokenDep) -> w.HandOffWatch:
    """Open hand-offs with how long each has waited, and the service day's; tickets handed on
    more often than the hall's limit (leads: their department's; admins: all)."""
    return hall.read(token, lambda s, who, now: handoffs.watch(s, who, now))


@router.get("/me/hand-offs", response_model=w.MyHandOffs)
def my_hand_offs(hall: HallDep, token: TokenDep) -> w.MyHandOffs:
    """The cases you handed off (the service day's, and any still open), with your notes, and
    which of them are with another department now: the ones you can ask back."""
    return hall.read(token, lambda s, who, now: handoffs.mine(s, who, now))


@router.get("/reports/day", response_model=w.SameDayCompletion)
def day_report(hall: HallDep, token: TokenDep) -> w.SameDayCompletion:
    """Same-day completion (当日办结) of the service day: each case once, hand-offs or not,
    with its time in the hall (leads: their department's; admins: the hall's)."""
    return hall.read(token, lambda s, who, now: stats.same_day_completion(s, who, now))
