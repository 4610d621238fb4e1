"""GET /kiosk/services: the services as the ticket kiosk's home shows them. Per service what a
new arrival can expect (its queue and the estimated wait, the monitor's figures) and whether the
kiosk issues it now; when not, why (the hall's cutoff rule) and when it issues again. No names
and no ticket numbers: the kiosk stands in the hall for everyone to read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar
from clerkdesk.hall.calendar.cutoff import cutoff_minutes, issuing_at
from clerkdesk.hall.monitor.figures import read_figures
from clerkdesk.hall.store.models import Department, Hall, Service
from clerkdesk.hall.wire import hall_last_event_id


def kiosk_services(session: Session, who: Principal, now: datetime) -> kw.KioskHallOut:
    """For whoever issues tickets (the kiosk, leads, admins): the cutoff as the kiosk meets it
    (a lead issuing past it on purpose still sees when the kiosk stops)."""
    policy.require(who, policy.Can.issue_ticket)
    last = hall_last_event_id(session, who.hall_id)  # first: a stream resumes after it
    hall = session.get_one(Hall, who.hall_id)
    calendar = cached_calendar(session, who.hall_id)
    zone = calendar.zone
    figures = read_figures(session, who.hall_id, now)

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment is not None else None

    services: list[kw.KioskServiceOut] = []
    for service, department_code, department_name in session.execute(
        select(Service, Department.code, Department.name)
        .join(Department, Department.id == Service.department_id)
        .where(Service.hall_id == who.hall_id, Service.active)
        .order_by(Service.id)
    ):
        issuing = issuing_at(calendar, now, cutoff_minutes(service))
        load = figures.services.get(service.id)
        services.append(
            kw.KioskServiceOut(
                service=service.code,
                service_name=service.name,
                department=department_code,
                department_name=department_name,
                prefix=service.prefix,
                issuing=kw.Issuing(issuing.refusal or "open"),
                waiting=load.waiting if load else 0,
                estimated_wait_s=load.estimated_wait_s if load else None,
                open_windows=load.open_windows if load else 0,
                cutoff_at=local(issuing.cutoff_at),
                closing=local(issuing.closing),
                next_opening=local(issuing.reopens),
            )
        )
    return kw.KioskHallOut(
        at=now,
        hall_name=hall.name,
        timezone=hall.timezone,
        services=services,
        last_event_id=last,
    )
