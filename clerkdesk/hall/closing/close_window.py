"""Closing a window: the session's actual end is recorded, work past the end becomes an overrun
for the duty lead, and tickets left waiting at the hall's last closing of the day meet the rule
the admin chose (never left undefined).

Closing for the day (the hall opens no other stretch that day), the window lets go of the citizens
handed to it or to its clerk (转办 to a window or a clerk) that it did not call: each waits in its
service's queue at its place, where any window serving the service calls it.

The end-of-day rule applies when the closing window is the last open window that may call some
waiting tickets and the hall opens no other stretch that day:

- serve_all (default): nothing is cancelled; the close is refused until they are served (the
  clerk asks the duty lead to extend);
- carry_over: they keep their numbers and wait for the next opening with the carried-over
  priority (after transferred-in and green-channel tickets, before everyone else);
- cancel_with_notice: they are cancelled with a notice saying when the hall opens next.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_calendar, load_policy
from clerkdesk.hall.closing import extensions
from clerkdesk.hall.closing import status as closing
from clerkdesk.hall.errors import Conflict
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.ledger import facts as ledger_facts
from clerkdesk.hall.rules import closing as rules
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store.models import Overrun, Window, WindowClosing, WindowSession
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import sql as q
from clerkdesk.hall.tickets import transitions
from clerkdesk.hall.tickets.transitions import TicketRow
from clerkdesk.hall.windows import sessions as windows
from clerkdesk.hall.windows.held import HeldWindow, held_window
from clerkdesk.hall.wire import closing_out, overrun_out, window_out

KEEP_PRIORITY = frozenset({w.Priority.transferred.value, w.Priority.green_channel.value})
UNPINNED = {
    "target_window_id": None,
    "target_staff_id": None,
    "back_window_id": None,
    "back_rank": None,
    "back_position": None,
}
"""A ticket no longer waits for one window or clerk: any window serving its service calls it,
in its place there (its priority class and the time it joined the queue are kept)."""


def _pinned(ticket: TicketRow) -> bool:
    return ticket["target_window_id"] is not None or ticket["target_staff_id"] is not None


def unpin_for_the_day(
    session: Session, who: Principal, window: Window, holder: WindowSession, now: datetime
) -> list[TicketRow]:
    """The window closes for the day: the citizens handed to it (转办 to window 12), or to the
    clerk closing it, and those sent back or returned to it, no longer wait for it. Each goes
    back to its service's queue at its place (handed-over cases stay ahead of new arrivals),
    recorded as a move of its own; the end-of-day rule then counts it like any other."""
    rows = connection_of(session).execute(
        q.PINNED_HERE_LOCKED,
        {"hall_id": who.hall_id, "window_id": window.id, "staff_id": holder.staff_id},
    )
    released: list[TicketRow] = [row._mapping for row in rows]
    for ticket in released:
        reason = f"{window.number}号窗口今日已关闭，回到事项队列等候"
        transitions.change(session, ticket, Action.unpin, UNPINNED, who, window.id, now, reason)
    return released


def leftover_tickets(
    session: Session, who: Principal, window_id: int, now: datetime
) -> list[TicketRow]:
    """Waiting tickets this window serves that no other open window serves (a tide window in
    force serves its tide's services too), locked."""
    rows = connection_of(session).execute(
        q.LEFTOVERS_LOCKED, {"hall_id": who.hall_id, "window_id": window_id, "now": now}
    )
    return [row._mapping for row in rows]


def _apply_rule(
    session: Session,
    who: Principal,
    window: HeldWindow,
    rule: w.EndOfDayRule,
    tickets: list[TicketRow],
    reopen_text: str,
    now: datetime,
) -> None:
    codes = ", ".join(t["code"] for t in tickets)
    if rule is w.EndOfDayRule.serve_all:
        pinned = [t["code"] for t in tickets if _pinned(t)]
        elsewhere = (
            f" {', '.join(pinned)} waits for another window or clerk (handed there): ask the "
            "duty lead to hand it to your window."
            if pinned
            else ""
        )
        raise Conflict(
            "citizens_still_waiting",
            f"{len(tickets)} citizens are still waiting ({codes}) and no other open window "
            f"serves them: serve them before closing window {window.number}; past closing, "
            "ask the duty lead for an extension. (This hall's end-of-day rule is serve-all.)"
            + elsewhere,
            window=window.number,
            tickets=[t["code"] for t in tickets],
            pinned=pinned,
        )
    for ticket in tickets:
        changes: dict[str, Any]
        if rule is w.EndOfDayRule.carry_over:
            action = Action.carry_over
            reason = f"顺延至下一工作时段（{reopen_text}）"
            changes = {"reason": reason, **(UNPINNED if _pinned(ticket) else {})}
            if ticket["priority"] not in KEEP_PRIORITY:
                changes["priority"] = w.Priority.carried_over.value
        else:
            action = Action.cancel
            reason = f"今日办理时间已结束，请于 {reopen_text} 后再来取号"
            changes = {"finished_at": now, "reason": reason}
        transitions.change(session, ticket, action, changes, who, window.id, now, reason)


def close_window(
    session: Session, who: Principal, number: int, now: datetime
) -> w.WindowClosingOut:
    held = held_window(session, who, number)
    held.require_empty_hands("closing")
    return _close(session, who, held, now)


def _close(session: Session, who: Principal, held: HeldWindow, now: datetime) -> w.WindowClosingOut:
    window = session.get_one(Window, held.id)
    holder = session.get_one(WindowSession, held.session_id)
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
    if timing.final:  # closed for the day: nobody waits for this window or its clerk now
        unpin_for_the_day(session, who, window, holder, now)
    leftovers = leftover_tickets(session, who, window.id, now) if timing.final else []
    if leftovers:
        reopen = (
            f"{timing.next_opening.astimezone(calendar.zone):%Y-%m-%d %H:%M}"
            if timing.next_opening
            else "下次开放时"
        )
        _apply_rule(session, who, held, policy.end_of_day, leftovers, reopen, now)
        record.end_of_day_rule = policy.end_of_day.value
        record.leftover_tickets = ",".join(t["code"] for t in leftovers)
    session.add(record)
    windows.end_session(session, holder, "closed", now)
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
            overrun=overrun_out(session, overrun),
        )
    else:
        extensions.withdraw_pending(session, window.id, now)
    ledger_facts.window_closed(session, record, now)
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
    held = held_window(session, who, number)
    calendar = load_calendar(session, who.hall_id)
    timing = closing.window_timing(session, calendar, held.id, now, held.started_at)
    if timing.end is None or now < timing.end:
        return windows.leave(session, who, held, now)
    held.require_empty_hands("closing")
    _close(session, who, held, now)
    return window_out(session, session.get_one(Window, held.id))
