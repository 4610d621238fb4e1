"""Closing time at a window: the window's end and the closing banner's status.

A window's end is the end of the hall's open stretch it works in (its scheduled end), moved by
the extensions the duty lead approved for that stretch. The minutes its waiting citizens need
come from this service's recent service times (rules.closing).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_calendar, load_policy
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.rules.calendar import (
    HallCalendar,
    current_stretch,
    last_stretch,
    next_opening,
)
from clerkdesk.hall.rules.ticket_states import DONE
from clerkdesk.hall.rules.tide import services_with_tide
from clerkdesk.hall.store.models import ExtensionRequest, Service, Ticket, Window
from clerkdesk.hall.tickets.queries import queue_for_window, services_now, ticket_in_hand
from clerkdesk.hall.windows.sessions import viewable_window
from clerkdesk.hall.wire import closing_status_out, extension_out, open_session

# --- the window's end -----------------------------------------------------------------------


def window_timing(
    session: Session, calendar: HallCalendar, window_id: int, now: datetime, since: datetime
) -> rules.Timing:
    """The stretch open now, else the one that ended after `since` (the clerk's sign-in)."""
    zone = calendar.zone
    stretch = current_stretch(calendar, now)
    if stretch is None:
        last = last_stretch(calendar, now)
        stretch = last if last is not None and last[1] > since else None
    reopen = next_opening(calendar, stretch[1] if stretch else now)
    if stretch is None:
        today = now.astimezone(zone).date()
        final = reopen is None or reopen.astimezone(zone).date() != today
        return rules.Timing(None, None, rules.Phase.closed, today, final, reopen)
    start, scheduled = stretch
    approved = session.scalars(
        select(ExtensionRequest.ends_at).where(
            ExtensionRequest.window_id == window_id,
            ExtensionRequest.status == w.ExtensionStatus.approved.value,
            ExtensionRequest.scheduled_end == scheduled,
        )
    )
    end = rules.window_end(scheduled, (e for e in approved if e is not None))
    local_date = start.astimezone(zone).date()
    final = reopen is None or reopen.astimezone(zone).date() != local_date
    return rules.Timing(scheduled, end, rules.phase(now, scheduled, end), local_date, final, reopen)


# --- what the waiting citizens need ---------------------------------------------------------


def service_estimate(session: Session, service: Service, now: datetime) -> int:
    rows = session.execute(
        select(Ticket.started_at, Ticket.finished_at)
        .where(
            Ticket.service_id == service.id,
            Ticket.status == DONE,
            Ticket.started_at.is_not(None),
            Ticket.finished_at >= now - timedelta(days=rules.RECENT_DAYS),
        )
        .order_by(Ticket.finished_at.desc())
        .limit(rules.RECENT_SERVICES)
    ).all()
    durations = [(end - start).total_seconds() for start, end in rows if start and end]
    return rules.service_minutes(durations, service.estimated_minutes)


def estimate(session: Session, window: Window, now: datetime) -> rules.Estimate[w.TicketOut]:
    """What the window's waiting citizens need: those of a tide in force there too, at their
    service's pace."""
    own, tide = services_now(session, window, now)
    services = [session.get_one(Service, sid) for sid in services_with_tide(own, tide)]
    per_service = {s.code: service_estimate(session, s, now) for s in services}
    waiting = queue_for_window(session, window, now)
    needed = sum(per_service.get(t.service, t.estimated_minutes) for t in waiting)
    in_hand = ticket_in_hand(session, window)
    if in_hand is not None:
        per_ticket = per_service.get(in_hand.service, in_hand.estimated_minutes)
        needed += rules.remaining_minutes(per_ticket, in_hand.started_at, now)
    return rules.Estimate(in_hand, waiting, needed, per_service)


# --- the closing banner ---------------------------------------------------------------------


def overrun_date(calendar: HallCalendar, window_end: datetime) -> date:
    """The hall-local date an overrun starts on (stored in UTC, dated by local date)."""
    return window_end.astimezone(calendar.zone).date()


def latest_extension(
    session: Session, window_id: int, scheduled_end: datetime | None
) -> ExtensionRequest | None:
    """The window's pending request, else its latest request for this stretch."""
    query = select(ExtensionRequest).where(ExtensionRequest.window_id == window_id)
    pending = session.scalars(
        query.where(ExtensionRequest.status == w.ExtensionStatus.pending.value)
    ).first()
    if pending is not None or scheduled_end is None:
        return pending
    return session.scalars(
        query.where(ExtensionRequest.scheduled_end == scheduled_end).order_by(
            ExtensionRequest.id.desc()
        )
    ).first()


def closing_status(session: Session, who: Principal, number: int, now: datetime) -> w.ClosingStatus:
    window = viewable_window(session, who, number)
    calendar = load_calendar(session, who.hall_id)
    policy = load_policy(session, who.hall_id)
    zone = calendar.zone
    holder = open_session(session, window.id)
    timing = window_timing(session, calendar, window.id, now, holder.started_at if holder else now)
    needs = estimate(session, window, now)
    left = rules.minutes_left(now, timing.end) if timing.end is not None else None
    extension = latest_extension(session, window.id, timing.scheduled_end)

    return closing_status_out(
        number,
        now,
        zone,
        timing,
        policy.closing_notice_minutes,
        policy.end_of_day,
        needs,
        left,
        extension_out(session, extension) if extension else None,
    )
