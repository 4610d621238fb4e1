"""Window sessions: who is signed in at which window; one clerk per window, take-over on purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict, Forbidden, not_found
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.rules.ticket_states import CALLED, SERVING
from clerkdesk.hall.store.models import Staff, Ticket, Window, WindowSession
from clerkdesk.hall.wire import open_session, session_out, window_out


def get_window(session: Session, hall_id: int, number: int, lock: bool = False) -> Window:
    query = select(Window).where(Window.hall_id == hall_id, Window.number == number)
    if lock:
        query = query.with_for_update()
    window = session.scalars(query).one_or_none()
    if window is None or not window.active:
        raise not_found("window", number)
    return window


def held_window(session: Session, who: Principal, number: int, lock: bool = False) -> Window:
    """The window, provided `who` is the one signed in at it."""
    return held_window_session(session, who, number, lock)[0]


def held_window_session(
    session: Session, who: Principal, number: int, lock: bool = False
) -> tuple[Window, WindowSession]:
    """The window and `who`'s open session at it; refused if someone else (or no one) holds it."""
    window = get_window(session, who.hall_id, number, lock=lock)
    holder = open_session(session, window.id)
    if holder is None or holder.staff_id != who.staff_id:
        raise Forbidden(
            "not_your_window",
            f"You are not signed in at window {number}: sign in there first.",
            window=number,
        )
    return window, holder


def _ticket_in_hand(session: Session, window: Window) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.window_id == window.id, Ticket.status.in_([CALLED, SERVING]))
    ).first()


def _close(session: Session, ws: WindowSession, reason: str, now: datetime) -> None:
    ws.ended_at = now
    ws.end_reason = reason
    session.flush()


def sign_in(
    session: Session, who: Principal, number: int, force: bool, now: datetime
) -> w.WindowSessionOut:
    policy.require(who, policy.Can.work_at_window)
    window = get_window(session, who.hall_id, number, lock=True)
    policy.require_sign_in(who, window)
    holder = open_session(session, window.id)
    if holder is not None and holder.staff_id == who.staff_id:
        return session_out(session, holder)
    took_over: WindowSession | None = None
    if holder is not None:
        holder_staff = session.get_one(Staff, holder.staff_id)
        if not force:
            raise Conflict(
                "window_held",
                f"Window {number} is held by {holder_staff.name} since "
                f"{holder.started_at.isoformat(timespec='minutes')}: take over only if they "
                "have left it.",
                window=number,
                holder=holder_staff.name,
                holder_staff_no=holder_staff.staff_no,
                since=holder.started_at.isoformat(),
            )
        _close(session, holder, "taken_over", now)
        took_over = holder
    mine = session.scalars(
        select(WindowSession).where(
            WindowSession.staff_id == who.staff_id, WindowSession.ended_at.is_(None)
        )
    ).one_or_none()
    if mine is not None:
        previous = session.get_one(Window, mine.window_id)
        in_hand = _ticket_in_hand(session, previous)
        if in_hand is not None:
            raise Conflict(
                "ticket_in_hand",
                f"Ticket {in_hand.code} is still {in_hand.status} at your window "
                f"{previous.number}: finish or park it before moving.",
                ticket=in_hand.code,
                status=in_hand.status,
            )
        _close(session, mine, "moved", now)
        append_event(
            session,
            who.hall_id,
            w.EventKind.window_signed_out,
            now,
            window=window_out(session, previous),
        )
    ws = WindowSession(
        window_id=window.id,
        staff_id=who.staff_id,
        started_at=now,
        paused=False,
        took_over_from_id=took_over.id if took_over else None,
    )
    session.add(ws)
    session.flush()
    append_event(
        session, who.hall_id, w.EventKind.window_signed_in, now, window=window_out(session, window)
    )
    return session_out(session, ws)


def sign_out(session: Session, who: Principal, number: int, now: datetime) -> w.WindowOut:
    window = held_window(session, who, number, lock=True)
    in_hand = _ticket_in_hand(session, window)
    if in_hand is not None:
        raise Conflict(
            "ticket_in_hand",
            f"Ticket {in_hand.code} is still {in_hand.status} at window {number}: complete it, "
            "mark it a no-show or park it before leaving.",
            ticket=in_hand.code,
            status=in_hand.status,
        )
    holder = open_session(session, window.id)
    assert holder is not None
    _close(session, holder, "signed_out", now)
    out = window_out(session, window)
    append_event(session, who.hall_id, w.EventKind.window_signed_out, now, window=out)
    return out


def set_paused(
    session: Session, who: Principal, number: int, paused: bool, now: datetime
) -> w.WindowOut:
    window = held_window(session, who, number, lock=True)
    holder = open_session(session, window.id)
    assert holder is not None
    if holder.paused != paused:
        holder.paused = paused
        session.flush()
        kind = w.EventKind.window_paused if paused else w.EventKind.window_resumed
        out = window_out(session, window)
        append_event(session, who.hall_id, kind, now, window=out)
        return out
    return window_out(session, window)


def list_windows(session: Session, who: Principal) -> list[w.WindowOut]:
    windows = session.scalars(
        select(Window).where(Window.hall_id == who.hall_id, Window.active).order_by(Window.number)
    )
    return [window_out(session, window) for window in windows]
