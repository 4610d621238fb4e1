"""Closing a window: the session's actual end is recorded, work past the end becomes an overrun
for the duty lead, and tickets left waiting at the hall's last closing of the day meet the rule
the admin chose (never left undefined).

The end-of-day rule applies when the closing window is the last open window serving some
waiting tickets and the hall opens no other stretch that day:

- serve_all (default): nothing is cancelled; the close is refused until they are served (the
  clerk asks the duty lead to extend);
- carry_over: they keep their numbers and wait for the next opening with the carried-over
  priority (after transferred-in and green-channel tickets, before everyone else);
- cancel_with_notice: they are cancelled with a notice saying when the hall opens next.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_calendar, load_policy
from clerkdesk.hall.closing import extensions
from clerkdesk.hall.closing import status as closing
from clerkdesk.hall.errors import Conflict
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.rules.ticket_states import WAITING, Action, next_state
from clerkdesk.hall.store.models import (
    Overrun,
    Staff,
    Ticket,
    TicketTransition,
    Window,
    WindowClosing,
    WindowService,
    WindowSession,
)
from clerkdesk.hall.tickets.lifecycle import current_ticket
from clerkdesk.hall.windows import sessions as windows
from clerkdesk.hall.windows.sessions import held_window
from clerkdesk.hall.wire import open_session, staff_out, ticket_out, window_out

KEEP_PRIORITY = frozenset({w.Priority.transferred.value, w.Priority.green_channel.value})


def leftover_tickets(session: Session, window: Window) -> list[Ticket]:
    """Waiting tickets this window serves that no other open window serves."""
    mine = select(WindowService.service_id).where(WindowService.window_id == window.id)
    others = (
        select(WindowService.service_id)
        .join(WindowSession, WindowSession.window_id == WindowService.window_id)
        .where(WindowSession.ended_at.is_(None), WindowSession.window_id != window.id)
    )
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.hall_id == window.hall_id,
                Ticket.status == WAITING,
                Ticket.service_id.in_(mine),
                Ticket.service_id.not_in(others),
            )
            .order_by(Ticket.queue_at, Ticket.id)
            .with_for_update()
        )
    )


def _apply_rule(
    session: Session,
    who: Principal,
    window: Window,
    rule: w.EndOfDayRule,
    tickets: list[Ticket],
    reopen_text: str,
    now: datetime,
) -> None:
    codes = ", ".join(t.code for t in tickets)
    if rule is w.EndOfDayRule.serve_all:
        raise Conflict(
            "citizens_still_waiting",
            f"{len(tickets)} citizens are still waiting ({codes}) and no other open window "
            f"serves them: serve them before closing window {window.number}; past closing, "
            "ask the duty lead for an extension. (This hall's end-of-day rule is serve-all.)",
            window=window.number,
            tickets=[t.code for t in tickets],
        )
    for ticket in tickets:
        before = ticket.status
        if rule is w.EndOfDayRule.carry_over:
            action, kind = "carry_over", w.EventKind.ticket_carried_over
            if ticket.priority not in KEEP_PRIORITY:
                ticket.priority = w.Priority.carried_over.value
            reason = f"顺延至下一工作时段（{reopen_text}）"
        else:
            action, kind = Action.cancel.value, w.EventKind.ticket_cancelled
            ticket.status = next_state(before, Action.cancel)
            ticket.finished_at = now
            reason = f"今日办理时间已结束，请于 {reopen_text} 后再来取号"
        ticket.reason = reason
        session.add(
            TicketTransition(
                ticket_id=ticket.id,
                action=action,
                from_status=before,
                to_status=ticket.status,
                staff_id=who.staff_id,
                window_id=window.id,
                at=now,
                reason=reason,
            )
        )
        session.flush()
        append_event(session, who.hall_id, kind, now, ticket=ticket_out(session, ticket))


def closing_out(session: Session, record: WindowClosing) -> w.WindowClosingOut:
    overrun = session.scalars(
        select(Overrun).where(Overrun.window_closing_id == record.id)
    ).one_or_none()
    extra = 0
    if record.window_end is not None and record.scheduled_end is not None:
        extra = int((record.window_end - record.scheduled_end).total_seconds() // 60)
    return w.WindowClosingOut(
        id=record.id,
        window=session.get_one(Window, record.window_id).number,
        staff=staff_out(session, session.get_one(Staff, record.staff_id)),
        local_date=record.local_date,
        started_at=record.started_at,
        scheduled_end=record.scheduled_end,
        window_end=record.window_end,
        actual_end=record.actual_end,
        extension_minutes=extra,
        overrun=closing.overrun_out(session, overrun) if overrun else None,
        end_of_day_rule=w.EndOfDayRule(record.end_of_day_rule) if record.end_of_day_rule else None,
        leftover_tickets=record.leftover_tickets.split(",") if record.leftover_tickets else [],
    )


def close_window(
    session: Session, who: Principal, number: int, now: datetime
) -> w.WindowClosingOut:
    window = held_window(session, who, number, lock=True)
    in_hand = current_ticket(session, window)
    if in_hand is not None:
        raise Conflict(
            "ticket_in_hand",
            f"Ticket {in_hand.code} is still {in_hand.status} at window {number}: complete it, "
            "mark it a no-show or park it before closing.",
            ticket=in_hand.code,
            status=in_hand.status,
        )
    holder = open_session(session, window.id)
    assert holder is not None
    calendar = load_calendar(session, who.hall_id)
    policy = load_policy(session, who.hall_id)
    timing = closing.window_timing(session, calendar, window.id, now, holder.started_at)
    record = WindowClosing(
        hall_id=who.hall_id,
        window_id=window.id,
        staff_id=who.staff_id,
        window_session_id=holder.id,
        local_date=timing.local_date,
        started_at=holder.started_at,
        scheduled_end=timing.scheduled_end,
        window_end=timing.end,
        actual_end=now,
        leftover_tickets="",
    )
    leftovers = leftover_tickets(session, window) if timing.final else []
    if leftovers:
        reopen = (
            f"{timing.next_opening.astimezone(calendar.zone):%Y-%m-%d %H:%M}"
            if timing.next_opening
            else "下次开放时"
        )
        _apply_rule(session, who, window, policy.end_of_day, leftovers, reopen, now)
        record.end_of_day_rule = policy.end_of_day.value
        record.leftover_tickets = ",".join(t.code for t in leftovers)
    session.add(record)
    holder.ended_at = now
    holder.end_reason = "closed"
    session.flush()
    minutes = rules.overrun_minutes(timing.end, now)
    if timing.end is not None and minutes > 0:
        overrun = Overrun(
            hall_id=who.hall_id,
            window_id=window.id,
            staff_id=who.staff_id,
            window_closing_id=record.id,
            local_date=closing.overrun_date(calendar, timing.end),
            window_end=timing.end,
            actual_end=now,
            minutes=minutes,
            status=w.OverrunStatus.pending.value,
            recorded_at=now,
        )
        session.add(overrun)
        session.flush()
        append_event(
            session,
            who.hall_id,
            w.EventKind.overrun_recorded,
            now,
            overrun=closing.overrun_out(session, overrun),
        )
    else:
        extensions.withdraw_pending(session, window.id, now)
    out = closing_out(session, record)
    append_event(
        session,
        who.hall_id,
        w.EventKind.window_closed,
        now,
        window=window_out(session, window),
        closing=out,
    )
    return out


def leave_window(session: Session, who: Principal, number: int, now: datetime) -> w.WindowOut:
    """The clerk leaves the window. Before the window's end this is a plain sign-out (a break,
    another window); at or past its end (scheduled or extended) it is the window's closing, so
    the actual end, any overrun and the end-of-day rule are recorded exactly as by
    `close_window` (serve-all refuses while citizens nobody else serves are waiting)."""
    window = held_window(session, who, number, lock=True)
    holder = open_session(session, window.id)
    assert holder is not None
    calendar = load_calendar(session, who.hall_id)
    timing = closing.window_timing(session, calendar, window.id, now, holder.started_at)
    if timing.end is None or now < timing.end:
        return windows.sign_out(session, who, number, now)
    close_window(session, who, number, now)
    return window_out(session, window)
