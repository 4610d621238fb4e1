"""Overtime from the facts the hall already has; the clerk never types it.

- A window closes past its scheduled end with an approved extension: the time up to the
  approved end (past it, the overrun the duty lead confirms).
- The duty lead confirms an overrun: its minutes past the window's end.
- A rostered weekend, holiday or night duty session: the worked time (window sign-in to
  sign-out, however the sign-in ends: signed out, moved, taken over, closed) inside the rostered
  interval, without ordinary workday hours; only for the rostered person, counted when each
  sign-in ends.
- An extension approved after the window closed: the closed session's time up to the approved
  end, once approved (what a confirmed overrun already credited is left out).

Each hook is one call from the path that records the fact, in its transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.ledger.overtime import record
from clerkdesk.hall.rules.accrual import duty_time, overtime_pieces
from clerkdesk.hall.store.models import Overrun, WindowClosing, WindowSession
from clerkdesk.hall.store.models.ledger import DutyRosterEntry


def window_closed(session: Session, closing: WindowClosing, now: datetime) -> None:
    """Extension time of the window session that just closed (its duty time was counted when
    the session ended, a moment before: `session_ended`)."""
    extension_time(session, closing, str(closing.id), now)


def extension_time(session: Session, closing: WindowClosing, fact: str, now: datetime) -> None:
    """The closed session's time past its scheduled end up to the approved end (past it, the
    overrun). Called at the close, and again when an extension is approved after the close
    (`fact` then names the closing and the extension): time an entry already covers (an
    extension approved before, a confirmed overrun) is left out, so no minute counts twice."""
    scheduled, extended = closing.scheduled_end, closing.window_end
    if scheduled is None or extended is None or extended <= scheduled:
        return
    end = min(closing.actual_end, extended)
    if end > scheduled:
        calendar = load_calendar(session, closing.hall_id)
        pieces = overtime_pieces(calendar, scheduled, end)
        record(session, closing.hall_id, closing.staff_id, "extension", fact, pieces, now)


def session_ended(session: Session, ws: WindowSession, now: datetime) -> None:
    """Duty time of a window session that just ended, however it ended (signed out, moved,
    taken over, closed): the worked time inside each duty interval its clerk is rostered for."""
    if ws.ended_at is None:
        return
    rostered = session.scalars(
        select(DutyRosterEntry).where(
            DutyRosterEntry.staff_id == ws.staff_id,
            DutyRosterEntry.starts_at < ws.ended_at,
            DutyRosterEntry.ends_at > ws.started_at,
        )
    ).all()
    if not rostered:
        return
    hall_id = rostered[0].hall_id
    calendar = load_calendar(session, hall_id)
    worked = (ws.started_at, ws.ended_at)
    for duty in rostered:
        pieces = duty_time(calendar, worked, (duty.starts_at, duty.ends_at))
        record(session, hall_id, ws.staff_id, "duty", f"{duty.id}.s{ws.id}", pieces, now)


def overrun_decided(session: Session, overrun: Overrun, now: datetime) -> None:
    """A confirmed overrun becomes overtime; a rejected one does not."""
    if overrun.status != "confirmed" or overrun.minutes <= 0:
        return
    calendar = load_calendar(session, overrun.hall_id)
    pieces = overtime_pieces(calendar, overrun.window_end, overrun.actual_end)
    record(session, overrun.hall_id, overrun.staff_id, "overrun", str(overrun.id), pieces, now)
