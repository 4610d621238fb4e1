"""The first start of an embedded hall: a database with nobody in it gets its first hall (the
first admin, a department, a window) from the workstation's first-run questions, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clerkdesk.hall.setup.hall_file import HallFile, import_hall
from clerkdesk.hall.store.models import Staff


class AlreadySetUp(RuntimeError):
    """The hall already has staff: a first start cannot add another first admin."""


def needs_first_start(engine: Engine) -> bool:
    """True until the database holds a first staff member."""
    with Session(engine) as session:
        return not session.scalar(select(func.count(Staff.id)))


def create_first_hall(engine: Engine, spec: HallFile, now: datetime) -> None:
    """Write the first hall in one transaction (argon2 hashing: call it from a thread). Refused,
    with nothing written, once the database holds staff (a second workstation's first-run
    screen left open, a double submit)."""
    with Session(engine) as session, session.begin():
        if session.scalar(select(func.count(Staff.id))):
            raise AlreadySetUp("this hall already has staff: sign in instead")
        import_hall(session, spec, now)
