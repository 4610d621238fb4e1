"""Congestion alerts: raised and cleared from the hall's figures with hysteresis
(rules.monitor.alert_on), each change a row and an event for the leads.

`changes` only reads: most passes change nothing and take no write lock. `apply` writes the
changes in a write transaction, deciding again on what is stored then (another server process
may have written them first), so an alert is raised once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.monitor.figures import HallFigures, ServiceFigures
from clerkdesk.hall.rules import monitor as rules
from clerkdesk.hall.store.models import ServiceAlert
from clerkdesk.hall.wire import alert_out


@dataclass(frozen=True)
class Change:
    service_id: int
    on: bool
    """True: raise; False: clear."""


def changes(figures: HallFigures) -> list[Change]:
    found = []
    for s in figures.services.values():
        was_on = s.alert is not None
        on = rules.alert_on(was_on, s.load, s.thresholds)
        if on != was_on:
            found.append(Change(s.id, on))
    return found


def _open_alert(session: Session, service_id: int) -> ServiceAlert | None:
    return session.scalars(
        select(ServiceAlert)
        .where(ServiceAlert.service_id == service_id, ServiceAlert.cleared_at.is_(None))
        .with_for_update()
    ).first()


def apply(session: Session, figures: HallFigures, found: list[Change], now: datetime) -> int:
    """Write the changes (with their events); returns how many were written."""
    written = 0
    for change in found:
        s: ServiceFigures = figures.services[change.service_id]
        current = _open_alert(session, s.id)
        if change.on and current is None:
            alert = ServiceAlert(
                hall_id=figures.hall_id,
                service_id=s.id,
                raised_at=now,
                waiting=s.waiting,
                longest_wait_s=s.longest_wait_s,
                estimated_wait_s=s.estimated_wait_s,
            )
            session.add(alert)
            session.flush()
            out = alert_out(session, alert, figures.candidates(s.id))
            append_event(session, figures.hall_id, w.EventKind.alert_raised, now, alert=out)
            written += 1
        elif not change.on and current is not None:
            current.cleared_at = now
            session.flush()
            out = alert_out(session, current, [])
            append_event(session, figures.hall_id, w.EventKind.alert_cleared, now, alert=out)
            written += 1
    return written
