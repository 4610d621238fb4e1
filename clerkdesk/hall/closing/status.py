"""Closing time at a window: the window's end and the closing banner's status.

A window's end is the end of the hall's open stretch it works in (its scheduled end), moved by
the extensions the duty lead approved for that stretch. The minutes its waiting citizens need
come from this service's recent service times (rules.closing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar
from clerkdesk.hall.calendar.store import load_calendar, load_policy
from clerkdesk.hall.errors import Forbidden
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.rules.calendar import (
    HallCalendar,
    current_stretch,
    last_stretch,
    next_opening,
    worked_parts,
)
from clerkdesk.hall.rules.ticket_states import DONE
from clerkdesk.hall.store.models import (
    ExtensionRequest,
    Overrun,
    Service,
    Staff,
    Ticket,
    Window,
    WindowClosing,
)
from clerkdesk.hall.tickets.lifecycle import current_ticket, queue_for_window
from clerkdesk.hall.windows.sessions import get_window, may_view_window
from clerkdesk.hall.wire import open_session, staff_out, ticket_out, window_service_ids

# --- the window's end -----------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Where a window stands against its end (UTC datetimes)."""

    scheduled_end: datetime | None
    end: datetime | None
    phase: rules.Phase
    local_date: date
    final: bool  # the hall opens no other stretch on `local_date` after this one
    next_opening: datetime | None


def window_timing(
    session: Session, calendar: HallCalendar, window_id: int, now: datetime, since: datetime
) -> Timing:
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
        return Timing(None, None, rules.Phase.closed, today, final, reopen)
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
    return Timing(scheduled, end, rules.phase(now, scheduled, end), local_date, final, reopen)


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


@dataclass(frozen=True)
class Estimate:
    in_hand: w.TicketOut | None
    waiting: list[w.TicketOut]
    minutes_needed: int
    per_service: dict[str, int]


def estimate(session: Session, window: Window, now: datetime) -> Estimate:
    services = [session.get_one(Service, sid) for sid in window_service_ids(session, window.id)]
    per_service = {s.code: service_estimate(session, s, now) for s in services}
    waiting = queue_for_window(session, window, now)
    needed = sum(per_service.get(t.service, t.estimated_minutes) for t in waiting)
    current = current_ticket(session, window)
    in_hand = ticket_out(session, current) if current is not None else None
    if in_hand is not None:
        per_ticket = per_service.get(in_hand.service, in_hand.estimated_minutes)
        needed += rules.remaining_minutes(per_ticket, in_hand.started_at, now)
    return Estimate(in_hand, waiting, needed, per_service)


# --- the closing banner ---------------------------------------------------------------------


def extension_out(session: Session, row: ExtensionRequest) -> w.ExtensionOut:
    decided_by = session.get(Staff, row.decided_by_id) if row.decided_by_id else None
    return w.ExtensionOut(
        id=row.id,
        window=session.get_one(Window, row.window_id).number,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        status=w.ExtensionStatus(row.status),
        local_date=row.local_date,
        requested_at=row.requested_at,
        minutes_requested=row.minutes_requested,
        reason=row.reason,
        scheduled_end=row.scheduled_end,
        base_end=row.base_end,
        waiting_at_request=row.waiting_at_request,
        needed_at_request=row.needed_at_request,
        minutes_approved=row.minutes_approved,
        ends_at=row.ends_at,
        decided_at=row.decided_at,
        decided_by=staff_out(session, decided_by) if decided_by else None,
        decision_reason=row.decision_reason,
        auto_approved=row.auto_approved,
    )


def overrun_out(session: Session, row: Overrun) -> w.OverrunOut:
    decided_by = session.get(Staff, row.decided_by_id) if row.decided_by_id else None
    calendar = cached_calendar(session, row.hall_id)
    # Covered by an extension approved later, the window's end is past the actual end: none.
    parts = worked_parts(calendar, row.window_end, max(row.window_end, row.actual_end))
    return w.OverrunOut(
        id=row.id,
        window=session.get_one(Window, row.window_id).number,
        staff=staff_out(session, session.get_one(Staff, row.staff_id)),
        local_date=row.local_date,
        window_end=row.window_end,
        actual_end=row.actual_end,
        minutes=row.minutes,
        status=w.OverrunStatus(row.status),
        recorded_at=row.recorded_at,
        decided_at=row.decided_at,
        decided_by=staff_out(session, decided_by) if decided_by else None,
        decision_reason=row.decision_reason,
        service_day=session.get_one(WindowClosing, row.window_closing_id).local_date,
        parts=[
            w.OverrunPart(
                local_date=p.local_date,
                day_type=w.DayType(p.day_type.value),
                start=p.start,
                end=p.end,
                minutes=p.minutes,
            )
            for p in parts
            if p.minutes > 0
        ],
    )


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


def viewable_window(session: Session, who: Principal, number: int) -> Window:
    window = get_window(session, who.hall_id, number)
    if not may_view_window(who, window, open_session(session, window.id)):
        raise Forbidden(
            "window_not_visible",
            f"Window {number} is not yours to watch: sign in there, or ask its duty lead.",
            window=number,
        )
    return window


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

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment is not None else None

    return w.ClosingStatus(
        window=number,
        now=now.astimezone(zone),
        phase=w.WindowPhase(timing.phase.value),
        scheduled_end=local(timing.scheduled_end),
        window_end=local(timing.end),
        minutes_left=left,
        notice=left is not None and left <= policy.closing_notice_minutes,
        notice_minutes=policy.closing_notice_minutes,
        final_closing=timing.final,
        next_opening=local(timing.next_opening),
        in_hand=needs.in_hand,
        waiting=needs.waiting,
        minutes_needed=needs.minutes_needed,
        service_minutes=needs.per_service,
        suggested_minutes=rules.suggested_extension(needs.minutes_needed, left)
        if left is not None
        else 0,
        extension=extension_out(session, extension) if extension else None,
        end_of_day=policy.end_of_day,
    )
