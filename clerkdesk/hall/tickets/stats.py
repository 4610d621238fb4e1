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
from clerkdesk.hall.wire import day_counts_out


def day_counts(session: Session, staff_id: int, who: Principal, now: datetime) -> w.DayCounts:
    rows = session.execute(
        select(Ticket.status, Ticket.started_at, Ticket.finished_at).where(
            Ticket.hall_id == who.hall_id,
            Ticket.local_date == service_day_of(session, who.hall_id, now),
            Ticket.called_by_id == staff_id,
            Ticket.status.in_([DONE, NO_SHOW]),
        )
    ).all()
    return day_counts_out(rows)
