from __future__ import annotations

from clerkdesk.api import schemas as w
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.setup import structure
from clerkdesk.hall.wire import health_out

router = RouteTable(tags=["hall"])


@router.get("/hall", response_model=w.HallOut)
def hall_structure(hall: HallDep, token: TokenDep) -> w.HallOut:
    """Departments, services and windows of the signed-in staff member's hall."""
    return hall.read(token, structure.hall_structure)


@router.get("/healthz", response_model=w.Health, tags=["health"])
def healthz(hall: HallDep) -> w.Health:
    return health_out(hall.version, hall.engine.dialect.name, hall.clock.now())
