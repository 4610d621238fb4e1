"""Overtime from the facts the hall already has; the clerk never types it.

- A window closes past its scheduled end with an approved extension: the time up to the
  approved end (past it, the overrun the duty lead confirms).
- The duty lead confirms an overrun: its minutes past the window's end.
- A rostered weekend, holiday or night duty session: the worked time (window sign-in to close)
  inside the rostered interval, without ordinary workday hours; only for the rostered person.

Each hook is one call from the path that records the fact, in its transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.ledger.overtime import record
from clerkdesk.hall.rules.accrual import duty_time, overtime_pieces
from clerkdesk.hall.store.models import Overrun, WindowClosing
from clerkdesk.hall.store.models.ledger import DutyRosterEntry


def window_closed(session: Session, closing: WindowClosing, now: datetime) -> None:
    """Extension time and rostered duty time of the window session that just closed."""
    calendar = load_calendar(session, closing.hall_id)
    scheduled, extended = closing.scheduled_end, closing.window_end
    if scheduled is not None and extended is not None and extended > scheduled:
        end = min(closing.actual_end, extended)
        if end > scheduled:
            pieces = overtime_pieces(calendar, scheduled, end)
            record(
                session,
                closing.hall_id,
                closing.staff_id,
                "extension",
                str(closing.id),
                pieces,
                now,
            )
    worked = (closing.started_at, closing.actual_end)
    rostered = session.scalars(
        select(DutyRosterEntry).where(
            DutyRosterEntry.staff_id == closing.staff_id,
            DutyRosterEntry.starts_at < closing.actual_end,
            DutyRosterEntry.ends_at > closing.started_at,
        )
    )
    for duty in rostered:
        pieces = duty_time(calendar, worked, (duty.starts_at, duty.ends_at))
        fact = f"{duty.id}.{closing.id}"
        record(session, closing.hall_id, closing.staff_id, "duty", fact, pieces, now)


def overrun_decided(session: Session, overrun: Overrun, now: datetime) -> None:
    """A confirmed overrun becomes overtime; a rejected one does not."""
    if overrun.status != "confirmed" or overrun.minutes <= 0:
        return
    calendar = load_calendar(session, overrun.hall_id)
    pieces = overtime_pieces(calendar, overrun.window_end, overrun.actual_end)
    record(session, overrun.hall_id, overrun.staff_id, "overrun", str(overrun.id), pieces, now)
