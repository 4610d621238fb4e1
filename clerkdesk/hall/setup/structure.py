"""The hall's structure as the hall file set it (GET /hall): departments, services, windows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.store.models import Department, Hall, Service
from clerkdesk.hall.windows.sessions import list_windows
from clerkdesk.hall.wire import hall_out


def hall_structure(session: Session, who: Principal, _now: datetime) -> w.HallOut:
    hall = session.get_one(Hall, who.hall_id)
    departments = {
        d.id: d for d in session.scalars(select(Department).where(Department.hall_id == hall.id))
    }
    services = session.scalars(
        select(Service).where(Service.hall_id == hall.id, Service.active).order_by(Service.code)
    )
    return hall_out(hall, departments.values(), services, list_windows(session, who))
