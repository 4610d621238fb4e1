from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.clock import speed_of
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.store.models import Department, Hall, Service
from clerkdesk.hall.windows.sessions import list_windows

router = RouteTable(tags=["hall"])


def _hall(session: Session, who: Principal, _now: datetime) -> w.HallOut:
    hall = session.get_one(Hall, who.hall_id)
    departments = {
        d.id: d for d in session.scalars(select(Department).where(Department.hall_id == hall.id))
    }
    services = session.scalars(
        select(Service).where(Service.hall_id == hall.id, Service.active).order_by(Service.code)
    )
    return w.HallOut(
        code=hall.code,
        name=hall.name,
        timezone=hall.timezone,
        departments=[
            w.DepartmentOut(code=d.code, name=d.name) for d in departments.values() if d.active
        ],
        services=[
            w.ServiceOut(
                code=s.code,
                name=s.name,
                department=departments[s.department_id].code,
                prefix=s.prefix,
                estimated_minutes=s.estimated_minutes,
            )
            for s in services
        ],
        windows=list_windows(session, who),
    )


@router.get("/hall", response_model=w.HallOut)
def hall_structure(hall: HallDep, token: TokenDep) -> w.HallOut:
    """Departments, services and windows of the signed-in staff member's hall."""
    return hall.read(token, _hall)


@router.get("/clock", response_model=w.HallClock)
def hall_clock(hall: HallDep) -> w.HallClock:
    """The hall's time and how fast it runs: a workstation takes its clock from here (no
    sign-in needed: the time is no secret, and the start screen shows it too)."""
    return w.HallClock(now=hall.clock.now(), speed=speed_of(hall.clock))


@router.get("/healthz", response_model=w.Health, tags=["health"])
def healthz(hall: HallDep) -> w.Health:
    return w.Health(
        status="ok", version=hall.version, database=hall.engine.dialect.name, now=hall.clock.now()
    )
