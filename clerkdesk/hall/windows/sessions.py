"""Window sessions: who is signed in at which window; one clerk per window, take-over on purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.events.projection import is_public, public_window
from clerkdesk.hall.ledger import facts as ledger_facts
from clerkdesk.hall.store.models import Staff, Window, WindowSession
from clerkdesk.hall.tickets.queries import ticket_in_hand
from clerkdesk.hall.windows.held import HeldWindow, held_window, ticket_in_hand_refusal
from clerkdesk.hall.wire import open_session, session_out, window_out


def get_window(session: Session, hall_id: int, number: int, lock: bool = False) -> Window:
    query = select(Window).where(Window.hall_id == hall_id, Window.number == number)
    if lock:
        query = query.with_for_update()
    window = session.scalars(query).one_or_none()
    if window is None or not window.active:
        raise not_found("window", number)
    return window


def end_session(session: Session, ws: WindowSession, reason: str, now: datetime) -> None:
    """The one way a sign-in at a window ends: signed_out, moved, taken_over or closed. Time
    worked inside a duty its clerk is rostered for becomes overtime here."""
    ws.ended_at = now
    ws.end_reason = reason
    session.flush()
    ledger_facts.session_ended(session, ws, now)


def viewable_window(session: Session, who: Principal, number: int) -> Window:
    """The window, provided `who` may watch it (its queue, its counter, its closing)."""
    window = get_window(session, who.hall_id, number)
    policy.require_window_visible(who, window, open_session(session, window.id))
    return window


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
        end_session(session, holder, "taken_over", now)
        took_over = holder
    mine = session.scalars(
        select(WindowSession).where(
            WindowSession.staff_id == who.staff_id, WindowSession.ended_at.is_(None)
        )
    ).one_or_none()
    if mine is not None:
        previous = session.get_one(Window, mine.window_id)
        in_hand = ticket_in_hand(session, previous)
        if in_hand is not None:
            raise ticket_in_hand_refusal(
                in_hand.code, in_hand.status.value, previous.number, "moving to another window"
            )
        end_session(session, mine, "moved", now)
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
    return leave(session, who, held_window(session, who, number), now)


def leave(session: Session, who: Principal, held: HeldWindow, now: datetime) -> w.WindowOut:
    """Sign out of the held window (a break, another window): nothing may be in hand."""
    held.require_empty_hands("leaving")
    end_session(session, session.get_one(WindowSession, held.session_id), "signed_out", now)
    out = window_out(session, session.get_one(Window, held.id))
    append_event(session, who.hall_id, w.EventKind.window_signed_out, now, window=out)
    return out


def set_paused(
    session: Session, who: Principal, number: int, paused: bool, now: datetime
) -> w.WindowOut:
    held = held_window(session, who, number)
    window = session.get_one(Window, held.id)
    if held.paused != paused:
        session.get_one(WindowSession, held.session_id).paused = paused
        session.flush()
        kind = w.EventKind.window_paused if paused else w.EventKind.window_resumed
        out = window_out(session, window)
        append_event(session, who.hall_id, kind, now, window=out)
        return out
    return window_out(session, window)


def list_windows(
    session: Session, who: Principal, now: datetime | None = None
) -> list[w.WindowOut]:
    """The hall's windows; with `now`, each with the tide window in force then. The kiosk and
    the hall board see who holds them as nobody in particular (`projection.public_window`)."""
    windows = session.scalars(
        select(Window).where(Window.hall_id == who.hall_id, Window.active).order_by(Window.number)
    )
    shown = [window_out(session, window, now) for window in windows]
    return [public_window(x) for x in shown] if is_public(who.roles) else shown
