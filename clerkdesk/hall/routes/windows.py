from __future__ import annotations

from fastapi import Path
from fastapi.responses import Response

from clerkdesk.api import schemas as w
from clerkdesk.hall.closing import close_window as window_close
from clerkdesk.hall.routes.deps import HallDep, PostDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.tickets import lifecycle as tickets
from clerkdesk.hall.windows import counter as counter_screen
from clerkdesk.hall.windows import sessions as windows

router = RouteTable(tags=["windows"])
WindowNo = Path(ge=1, le=9999, description="The window's number as shown above the counter")


@router.get("/windows", response_model=list[w.WindowOut])
def list_windows(hall: HallDep, token: TokenDep) -> list[w.WindowOut]:
    return hall.read(token, lambda s, who, now: windows.list_windows(s, who, now))


@router.post("/windows/{number}/sign-in", response_model=w.WindowSessionOut)
def sign_in(
    body: w.WindowSignIn,
    hall: HallDep,
    post: PostDep,
    number: int = WindowNo,
) -> w.WindowSessionOut:
    return hall.write(
        *post.of(body),
        lambda s, who, now: windows.sign_in(s, who, number, body.force, now),
    )


@router.post("/windows/{number}/sign-out", response_model=w.WindowOut)
def sign_out(hall: HallDep, post: PostDep, number: int = WindowNo) -> w.WindowOut:
    return hall.write(
        *post.of(),
        lambda s, who, now: window_close.leave_window(s, who, number, now),
    )


@router.post("/windows/{number}/pause", response_model=w.WindowOut)
def pause(hall: HallDep, post: PostDep, number: int = WindowNo) -> w.WindowOut:
    return hall.write(
        *post.of(),
        lambda s, who, now: windows.set_paused(s, who, number, True, now),
    )


@router.post("/windows/{number}/resume", response_model=w.WindowOut)
def resume(hall: HallDep, post: PostDep, number: int = WindowNo) -> w.WindowOut:
    return hall.write(
        *post.of(),
        lambda s, who, now: windows.set_paused(s, who, number, False, now),
    )


@router.post("/windows/{number}/call-next", response_model=w.TicketOut)
async def call_next(hall: HallDep, post: PostDep, number: int = WindowNo) -> Response:
    return await hall.write_soon(
        *post.of(),
        lambda s, who, now: tickets.call_next(s, who, number, now),
        ahead=tickets.call_next_ahead(number),
    )


@router.post("/windows/{number}/call", response_model=w.TicketOut)
async def call_specific(
    body: w.CallSpecific,
    hall: HallDep,
    post: PostDep,
    number: int = WindowNo,
) -> Response:
    return await hall.write_soon(
        *post.of(body),
        lambda s, who, now: tickets.call_specific(s, who, number, body, now),
    )


@router.get("/windows/{number}/queue", response_model=w.QueueOut)
async def queue(hall: HallDep, token: TokenDep, number: int = WindowNo) -> Response:
    return await hall.read_soon(
        token, lambda s, who, now: counter_screen.queue(s, who, number, now)
    )


@router.get("/windows/{number}/counter", response_model=w.CounterState)
async def counter(hall: HallDep, token: TokenDep, number: int = WindowNo) -> Response:
    """Everything the counter screen shows, read in one transaction (after a reconnect)."""
    return await hall.read_soon(
        token, lambda s, who, now: counter_screen.counter_state(s, who, number, now)
    )
