"""The hall's daily leave job: expire what is due, at start (catching up the days the server was
down) and then every hour (a date that turns over is noticed within the hour). Safe to run any
number of times, from any number of server processes. Each staff member with something due is
expired in a write transaction of their own, in turn with the requests' writers."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select

from clerkdesk.hall.calendar.store import local_date
from clerkdesk.hall.ledger.expiry import expire_hall
from clerkdesk.hall.store.models import Hall
from clerkdesk.hall.unit_of_work import HallContext

log = logging.getLogger(__name__)

FIRST_RUN_S = 5.0
EVERY_S = 3600.0


def expire_all(context: HallContext) -> int:
    """One pass over every hall; returns the minutes expired."""
    now = context.clock.now()
    with context.session(write=False) as session:
        halls = [(hall.id, local_date(hall, now)) for hall in session.scalars(select(Hall))]
    return sum(
        expire_hall(context.read_session, context.write_session, hall_id, today, now)
        for hall_id, today in halls
    )


async def expire_daily(context: HallContext) -> None:
    await asyncio.sleep(FIRST_RUN_S)
    while True:
        try:
            minutes = await asyncio.to_thread(expire_all, context)
            if minutes:
                log.info("comp leave expired: %d minutes", minutes)
        except Exception:  # the database may be briefly away; the next pass catches up
            log.exception("could not run the leave expiry")
        await asyncio.sleep(EVERY_S)
