"""A clerk's counts for today: served, no-shows, average service time — from the facts; the
hall's same-day completion (当日办结)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import service_day_of
from clerkdesk.hall.rules import handoffs
from clerkdesk.hall.rules.ticket_states import DONE, NO_SHOW
from clerkdesk.hall.store.models import Service, Ticket
from clerkdesk.hall.wire import day_counts_out, same_day_out


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


def same_day_completion(session: Session, who: Principal, now: datetime) -> w.SameDayCompletion:
    """当日办结 for the service day: tickets issued that day and finished (done) that day, each
    once however many departments it passed through (a hand-off moves the ticket, it never
    makes a new one), with the citizen's whole time in the hall. Leads: the cases finished in
    their department's services; admins and hall-wide leads: the hall's."""
    department_id = policy.ticket_list_department(who)
    day = service_day_of(session, who.hall_id, now)
    query = select(Ticket).where(Ticket.hall_id == who.hall_id, Ticket.local_date == day)
    if department_id is not None:
        query = query.join(Service, Service.id == Ticket.service_id).where(
            Service.department_id == department_id
        )
    tickets = list(session.scalars(query))
    finished = (
        handoffs.FinishedCase(t.id, t.issued_at, t.finished_at, t.handoff_count)
        for t in tickets
        if t.status == DONE and t.finished_at is not None
    )
    return same_day_out(day, len(tickets), handoffs.same_day_completion(finished))
