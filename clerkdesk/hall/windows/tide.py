"""Tide windows (潮汐窗口): a duty lead re-points a window to congested services (first in its
calling order) or opens a reserve window with a clerk, until a time or until revoked.

Every change is a row: who opened it, when, why, until when; who ended it, when and how
(revoked, expired, replaced by a newer tide). The claim query counts a tide from its start to
its end or `until` (`tickets.sql.SERVED`), so the counter follows at once and tickets already
called stay where they are. The hall's watcher records the end of tides whose time is up
(`end_expired`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict, Invalid, not_found
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.rules.ticket_states import WAITING
from clerkdesk.hall.rules.tide import services_with_tide
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import Service, Staff, TideService, TideWindow, Window
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets.queries import services_now
from clerkdesk.hall.windows.sessions import get_window
from clerkdesk.hall.wire import tide_in_force, tide_out, window_out

_t = tables.ticket
_h = tables.hand_off
OPEN = w.HandOffState.open.value


def _services(session: Session, hall_id: int, codes: list[str]) -> list[Service]:
    found: list[Service] = []
    for code in dict.fromkeys(codes):
        service = session.scalars(
            select(Service).where(Service.hall_id == hall_id, Service.code == code)
        ).one_or_none()
        if service is None or not service.active:
            raise not_found("service", code)
        found.append(service)
    return found


def _end(tide: TideWindow, how: w.TideEnd, by: int | None, at: datetime) -> None:
    tide.ended_at = at
    tide.end_reason = how.value
    tide.ended_by_id = by


def _release_pinned(session: Session, window_id: int, now: datetime) -> None:
    """Citizens handed to this window for a service only its tide brought (转办 to a tide
    window) wait for that service at any window once the tide has ended: a window that no
    longer calls the service would never call them. Their open hand-off follows."""
    session.flush()
    window = session.get_one(Window, window_id)
    own, tide = services_now(session, window, now)
    calls = services_with_tide(own, tide)
    pinned = (
        _t.c.target_window_id == window_id,
        _t.c.status == WAITING,
        _t.c.service_id.not_in(calls),
    )
    conn = connection_of(session)
    released = [r.id for r in conn.execute(select(_t.c.id).where(*pinned))]
    if not released:
        return
    conn.execute(update(_t).where(_t.c.id.in_(released)).values(target_window_id=None))
    conn.execute(
        update(_h)
        .where(_h.c.ticket_id.in_(released), _h.c.state == OPEN, _h.c.to_window_id == window_id)
        .values(to_window_id=None)
    )


def _announce(
    session: Session, hall_id: int, kind: w.EventKind, tide: TideWindow, now: datetime
) -> w.TideOut:
    session.flush()
    out = tide_out(session, tide)
    window = window_out(session, session.get_one(Window, tide.window_id), now)
    append_event(session, hall_id, kind, now, window=window, tide=out)
    return out


def open_tide(
    session: Session, who: Principal, number: int, body: w.OpenTide, now: datetime
) -> w.TideOut:
    policy.require(who, policy.Can.open_tide)
    window = get_window(session, who.hall_id, number, lock=True)
    policy.require_tide(who, window)
    services = _services(session, who.hall_id, body.services)
    if body.until is not None and body.until <= now:
        raise Invalid(
            "until_past",
            f"The tide window would end at {body.until.isoformat()}, which has passed: give a "
            "later time, or none to keep it until you revoke it.",
            window=number,
        )
    clerk = None
    if body.clerk is not None:
        clerk = session.scalars(
            select(Staff).where(Staff.hall_id == who.hall_id, Staff.staff_no == body.clerk)
        ).one_or_none()
        if clerk is None:
            raise not_found("staff", body.clerk)
    before = tide_in_force(session, window.id, now)
    if before is not None:
        _end(before, w.TideEnd.replaced, who.staff_id, now)
    tide = TideWindow(
        hall_id=who.hall_id,
        window_id=window.id,
        started_at=now,
        until=body.until,
        started_by_id=who.staff_id,
        reason=body.reason,
        clerk_id=clerk.id if clerk is not None else None,
        reserve=window.reserve,
    )
    session.add(tide)
    session.flush()
    for position, service in enumerate(services):
        session.add(TideService(tide_id=tide.id, service_id=service.id, position=position))
    if before is not None:
        _release_pinned(session, window.id, now)
        _announce(session, who.hall_id, w.EventKind.tide_ended, before, now)
    return _announce(session, who.hall_id, w.EventKind.tide_opened, tide, now)


def end_tide(session: Session, who: Principal, number: int, now: datetime) -> w.TideOut:
    """The lead revokes the window's tide: it calls its own services again."""
    policy.require(who, policy.Can.open_tide)
    window = get_window(session, who.hall_id, number, lock=True)
    policy.require_tide(who, window)
    tide = tide_in_force(session, window.id, now)
    if tide is None:
        raise Conflict(
            "no_tide",
            f"Window {number} is not a tide window now: nothing to revoke.",
            window=number,
        )
    _end(tide, w.TideEnd.revoked, who.staff_id, now)
    _release_pinned(session, window.id, now)
    return _announce(session, who.hall_id, w.EventKind.tide_ended, tide, now)


def end_expired(session: Session, hall_id: int, now: datetime) -> list[w.TideOut]:
    """Record the end of the hall's tides whose time is up (at their `until`), with an event
    each: the hall's watcher runs it. They stopped counting at `until` already."""
    due = session.scalars(
        select(TideWindow)
        .where(
            TideWindow.hall_id == hall_id,
            TideWindow.ended_at.is_(None),
            TideWindow.until.is_not(None),
            TideWindow.until <= now,
        )
        .with_for_update()
    ).all()
    ended = []
    for tide in due:
        assert tide.until is not None
        _end(tide, w.TideEnd.expired, None, tide.until)
        _release_pinned(session, tide.window_id, now)
        ended.append(_announce(session, hall_id, w.EventKind.tide_ended, tide, now))
    return ended
