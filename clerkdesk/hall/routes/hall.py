from __future__ import annotations

from clerkdesk.api import schemas as w
from clerkdesk.clock import speed_of
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.setup import structure
from clerkdesk.hall.wire import health_out

router = RouteTable(tags=["hall"])


@router.get("/hall", response_model=w.HallOut)
def hall_structure(hall: HallDep, token: TokenDep) -> w.HallOut:
    """Departments, services and windows of the signed-in staff member's hall."""
    return hall.read(token, structure.hall_structure)


@router.get("/clock", response_model=w.HallClock)
def hall_clock(hall: HallDep) -> w.HallClock:
    """The hall's time and how fast it runs: a workstation takes its clock from here (no
    sign-in needed: the time is no secret, and the start screen shows it too)."""
    return w.HallClock(now=hall.clock.now(), speed=speed_of(hall.clock))


@router.get("/healthz", response_model=w.Health, tags=["health"])
def healthz(hall: HallDep) -> w.Health:
    return health_out(hall.version, hall.engine.dialect.name, hall.clock.now())
