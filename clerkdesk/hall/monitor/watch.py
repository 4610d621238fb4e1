"""The hall's watcher: every few seconds it decides congestion alerts from the figures (a
longest wait grows with no event at all) and records the end of tide windows whose time is
up. Safe in any number of server processes: the writes decide again under the write lock."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select

from clerkdesk.hall.monitor import alerts
from clerkdesk.hall.monitor.figures import read_figures
from clerkdesk.hall.store.models import Hall, TideWindow
from clerkdesk.hall.unit_of_work import HallContext
from clerkdesk.hall.windows.tide import end_expired

log = logging.getLogger(__name__)

EVERY_S = 5.0


def watch_once(context: HallContext) -> int:
    """One pass over every hall; returns the changes written (alerts, tide ends)."""
    now = context.clock.now()
    pending: list[tuple[int, list[alerts.Change]]] = []
    expired: list[int] = []
    with context.session(write=False) as session, session.begin():
        for hall_id in session.scalars(select(Hall.id)):
            figures = read_figures(session, hall_id, now)
            found = alerts.changes(figures)
            if found:
                pending.append((hall_id, found))
            due = select(TideWindow.id).where(
                TideWindow.hall_id == hall_id,
                TideWindow.ended_at.is_(None),
                TideWindow.until <= now,
            )
            if session.scalars(due.limit(1)).first() is not None:
                expired.append(hall_id)
    if not pending and not expired:
        return 0
    written = 0
    with context.session(write=True) as session, session.begin():
        for hall_id in expired:
            written += len(end_expired(session, hall_id, now))
        for hall_id, _found in pending:
            figures = read_figures(session, hall_id, now)  # again, under the write lock
            written += alerts.apply(session, figures, alerts.changes(figures), now)
    if written:
        context.hub.poke()
    return written


async def watch_hall(context: HallContext, every_s: float = EVERY_S) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await asyncio.to_thread(watch_once, context)
        except Exception:  # the database may be briefly away; the next pass catches up
            log.exception("the hall watcher's pass failed")
