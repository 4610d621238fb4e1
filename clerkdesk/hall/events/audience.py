"""Who reads an event stream, and which departments serve which tickets: read from the store for
`projection.project` (one short read when the stream opens, again when the hall changes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.events.projection import Audience, ServingDepartments
from clerkdesk.hall.store.models import Department, Service, Window, WindowService


def audience_of(session: Session, who: Principal) -> Audience:
    department = session.get(Department, who.department_id) if who.department_id else None
    return Audience(who.roles, department.code if department else None)


def serving_departments(session: Session, hall_id: int) -> ServingDepartments:
    services = session.execute(
        select(Service.code, Department.code)
        .join(Department, Department.id == Service.department_id)
        .where(Service.hall_id == hall_id)
    ).all()
    served: defaultdict[int, list[str]] = defaultdict(list)
    for window_id, service in session.execute(
        select(WindowService.window_id, Service.code)
        .join(Service, Service.id == WindowService.service_id)
        .where(Service.hall_id == hall_id)
    ):
        served[window_id].append(service)
    windows = session.execute(
        select(Window.id, Window.number, Department.code)
        .outerjoin(Department, Department.id == Window.department_id)
        .where(Window.hall_id == hall_id)
    ).all()
    return ServingDepartments.of(
        ((code, department) for code, department in services),
        ((number, department, served[window_id]) for window_id, number, department in windows),
    )


@dataclass(frozen=True)
class Reader:
    """A stream's reader: their hall, who they are to the projection, and the hall's serving
    departments, read in one snapshot."""

    hall_id: int
    audience: Audience
    serving: ServingDepartments


def load_reader(session: Session, who: Principal, _now: datetime) -> Reader:
    """For `HallContext.read`."""
    return Reader(who.hall_id, audience_of(session, who), serving_departments(session, who.hall_id))
