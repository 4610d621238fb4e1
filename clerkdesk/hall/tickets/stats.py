"""A clerk's counts for today: served, no-shows, average service time — from the facts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import service_day_of
from clerkdesk.hall.rules.ticket_states import DONE, NO_SHOW
from clerkdesk.hall.store.models import Ticket


def day_counts(session: Session, staff_id: int, who: Principal, now: datetime) -> w.DayCounts:
    rows = session.execute(
        select(Ticket.status, Ticket.started_at, Ticket.finished_at).where(
            Ticket.hall_id == who.hall_id,
            Ticket.local_date == service_day_of(session, who.hall_id, now),
            Ticket.called_by_id == staff_id,
            Ticket.status.in_([DONE, NO_SHOW]),
        )
    ).all()
    served = [r for r in rows if r.status == DONE]
    durations = [
        (r.finished_at - r.started_at).total_seconds()
        for r in served
        if r.started_at is not None and r.finished_at is not None
    ]
    return w.DayCounts(
        served=len(served),
        no_shows=len(rows) - len(served),
        average_service_seconds=sum(durations) / len(durations) if durations else None,
    )
