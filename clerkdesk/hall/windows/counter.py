"""What a counter screen reads: a window's queue, and everything it shows after a reconnect
(the window, the ticket in hand, the queue, the clerk's counts, the newest event, the hall's
counter policy and the no-shows still to be reinstated), in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_counter_policy
from clerkdesk.hall.tickets import queries
from clerkdesk.hall.tickets.stats import day_counts
from clerkdesk.hall.windows.sessions import viewable_window
from clerkdesk.hall.wire import (
    counter_state_out,
    hall_last_event_id,
    open_session,
    queue_out,
    window_out,
)


def queue(session: Session, who: Principal, number: int, now: datetime) -> w.QueueOut:
    window = viewable_window(session, who, number)
    return queue_out(number, queries.queue_for_window(session, window, now))


def counter_state(session: Session, who: Principal, number: int, now: datetime) -> w.CounterState:
    window = viewable_window(session, who, number)
    current = queries.ticket_in_hand(session, window)
    holder = open_session(session, window.id)
    policy = load_counter_policy(session, who.hall_id)
    return counter_state_out(
        window_out(session, window),
        current,
        queries.queue_for_window(session, window, now),
        day_counts(session, holder.staff_id if holder else who.staff_id, who, now),
        hall_last_event_id(session, who.hall_id),
        policy,
        queries.reinstatable_no_shows(session, window, now, policy.reinstate_minutes),
    )
