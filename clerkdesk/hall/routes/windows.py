from __future__ import annotations

from datetime import datetime

from fastapi import Path
from fastapi.responses import Response
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.closing import close_window as window_close
from clerkdesk.hall.routes.deps import HallDep, IdempotencyKey, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.store.models import Window
from clerkdesk.hall.tickets import lifecycle as tickets
from clerkdesk.hall.tickets.stats import day_counts
from clerkdesk.hall.unit_of_work import fingerprint
from clerkdesk.hall.windows import sessions as windows
from clerkdesk.hall.wire import hall_last_event_id, open_session, ticket_out, window_out

router = RouteTable(tags=["windows"])
WindowNo = Path(ge=1, le=9999, description="The window's number as shown above the counter")


@router.get("/windows", response_model=list[w.WindowOut])
def list_windows(hall: HallDep, token: TokenDep) -> list[w.WindowOut]:
    return hall.read(token, lambda s, who, _now: windows.list_windows(s, who))


def _viewable(session: Session, who: Principal, number: int) -> Window:
    window = windows.get_window(session, who.hall_id, number)
    policy.require_window_visible(who, window, open_session(session, window.id))
    return window


@router.post("/windows/{number}/sign-in", response_model=w.WindowSessionOut)
def sign_in(
    body: w.WindowSignIn,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    number: int = WindowNo,
) -> w.WindowSessionOut:
    return hall.write(
        token,
        key,
        fingerprint("sign-in", number, body.model_dump()),
        lambda s, who, now: windows.sign_in(s, who, number, body.force, now),
    )


@router.post("/windows/{number}/sign-out", response_model=w.WindowOut)
def sign_out(
    hall: HallDep, token: TokenDep, key: IdempotencyKey, number: int = WindowNo
) -> w.WindowOut:
    return hall.write(
        token,
        key,
        fingerprint("sign-out", number),
        lambda s, who, now: window_close.leave_window(s, who, number, now),
    )


@router.post("/windows/{number}/pause", response_model=w.WindowOut)
def pause(
    hall: HallDep, token: TokenDep, key: IdempotencyKey, number: int = WindowNo
) -> w.WindowOut:
    return hall.write(
        token,
        key,
        fingerprint("pause", number),
        lambda s, who, now: windows.set_paused(s, who, number, True, now),
    )


@router.post("/windows/{number}/resume", response_model=w.WindowOut)
def resume(
    hall: HallDep, token: TokenDep, key: IdempotencyKey, number: int = WindowNo
) -> w.WindowOut:
    return hall.write(
        token,
        key,
        fingerprint("resume", number),
        lambda s, who, now: windows.set_paused(s, who, number, False, now),
    )


@router.post("/windows/{number}/call-next", response_model=w.TicketOut)
async def call_next(
    hall: HallDep, token: TokenDep, key: IdempotencyKey, number: int = WindowNo
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("call-next", number),
        lambda s, who, now: tickets.call_next(s, who, number, now),
    )


@router.post("/windows/{number}/call", response_model=w.TicketOut)
async def call_specific(
    body: w.CallSpecific,
    hall: HallDep,
    token: TokenDep,
    key: IdempotencyKey,
    number: int = WindowNo,
) -> Response:
    return await hall.write_soon(
        token,
        key,
        fingerprint("call", number, body.model_dump()),
        lambda s, who, now: tickets.call_specific(s, who, number, body, now),
    )


def _queue(session: Session, who: Principal, now: datetime, number: int) -> w.QueueOut:
    window = _viewable(session, who, number)
    return w.QueueOut(window=number, tickets=tickets.queue_for_window(session, window, now))


@router.get("/windows/{number}/queue", response_model=w.QueueOut)
def queue(hall: HallDep, token: TokenDep, number: int = WindowNo) -> w.QueueOut:
    return hall.read(token, lambda s, who, now: _queue(s, who, now, number))


def _counter(session: Session, who: Principal, now: datetime, number: int) -> w.CounterState:
    window = _viewable(session, who, number)
    current = tickets.current_ticket(session, window)
    holder = open_session(session, window.id)
    return w.CounterState(
        window=window_out(session, window),
        current=ticket_out(session, current) if current else None,
        queue=tickets.queue_for_window(session, window, now),
        counts=day_counts(session, holder.staff_id if holder else who.staff_id, who, now),
        last_event_id=hall_last_event_id(session, who.hall_id),
    )


@router.get("/windows/{number}/counter", response_model=w.CounterState)
def counter(hall: HallDep, token: TokenDep, number: int = WindowNo) -> w.CounterState:
    """Everything the counter screen shows, read in one transaction (after a reconnect)."""
    return hall.read(token, lambda s, who, now: _counter(s, who, now, number))
