"""The demo hall: the example centre on a fresh SQLite file, demo staff, and a kiosk simulator
issuing tickets at a realistic rate through the real HTTP API."""

from __future__ import annotations

import asyncio
import random
import secrets
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import HallClientError
from clerkdesk.api.schemas import Priority
from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.rules.calendar import is_open, next_opening
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.hall_file import HallFile, StaffSpec
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Department, Hall, Staff

DEMO_PASSWORD = "demo"

# Every demo sign-in has the published password "demo": hashing it at argon2's production cost
# (0.1-0.4 s a hash on a 2-core machine, once per staff member at each `clerkdesk demo` and
# again at each sign-in) protects nothing and was most of the demo's start. The demo hall's
# hashes alone use argon2's smallest cost; a verification reads the cost from the hash, and a
# password set later (`clerkdesk admin set-password`) gets the production cost again.
DEMO_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@dataclass(frozen=True)
class DemoSignIn:
    staff_no: str
    name: str
    role: str
    department: str | None


DEMO_STAFF = (
    DemoSignIn("1001", "李华", "clerk", "budongchan"),
    DemoSignIn("1002", "王芳", "clerk", "zonghe"),
    DemoSignIn("1003", "陈明", "clerk", "shichang"),
    DemoSignIn("1004", "刘洋", "clerk", "zonghe"),
    DemoSignIn("2001", "张伟", "lead", None),
    DemoSignIn("kiosk1", "大厅取号机 1", "kiosk", None),
    DemoSignIn("board1", "大厅叫号屏 1", "board", None),
)


def demo_sign_ins() -> list[str]:
    """What `demo --serve-only` lists: staff number, name, role and the department's name."""
    names = {d.code: d.name for d in example_hall().departments}
    return [
        f"  {p.staff_no:<8} {p.name}  {p.role}  {names.get(p.department or '', '')}".rstrip()
        for p in DEMO_STAFF
    ]


def example_hall() -> HallFile:
    text = resources.files("clerkdesk.examples").joinpath("hall.toml").read_text("utf-8")
    return hall_file.parse_hall(tomllib.loads(text), "example hall")


def demo_hall() -> HallFile:
    spec = example_hall()
    listed = {s.staff_no for s in DEMO_STAFF}
    staff = [s for s in spec.staff if s.staff_no not in listed]
    for person in DEMO_STAFF:
        roles = ["clerk", "lead"] if person.role == "lead" else [person.role]
        staff.append(
            StaffSpec.model_validate(
                {
                    "staff_no": person.staff_no,
                    "name": person.name,
                    "department": person.department,
                    "roles": roles,
                    "password": DEMO_PASSWORD,
                }
            )
        )
    return spec.model_copy(update={"staff": staff})


def demo_database_url(folder: Path) -> str:
    return sqlite_url(folder / "demo-hall.sqlite3")


def prepare_demo_database(now: datetime, folder: Path | None = None) -> str:
    """A fresh SQLite file holding the demo hall; returns its URL."""
    folder = folder or Path(tempfile.mkdtemp(prefix="clerkdesk-demo-"))
    url = demo_database_url(folder)
    engine = make_engine(url)
    spec = demo_hall()
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, spec.model_copy(update={"staff": []}), now)
            _add_demo_staff(session, spec)
    finally:
        engine.dispose()
    return url


def _add_demo_staff(session: Session, spec: HallFile) -> None:
    """The staff of the hall file as `hall_file.import_hall` writes them, hashed with
    DEMO_HASHER; one without a password in the file gets a random one nobody is told."""
    hall = session.scalars(select(Hall).where(Hall.code == spec.hall.code)).one()
    rows = session.scalars(select(Department).where(Department.hall_id == hall.id))
    departments = {d.code: d.id for d in rows}
    for person in spec.staff:
        password = person.password or secrets.token_urlsafe(9)
        session.add(
            Staff(
                hall_id=hall.id,
                staff_no=person.staff_no,
                name=person.name,
                department_id=departments[person.department] if person.department else None,
                roles=",".join(sorted(r.value for r in person.roles)),
                password_hash=DEMO_HASHER.hash(password),
                failed_logins=0,
                active=True,
            )
        )
    session.flush()


def demo_opening(database_url: str, now: datetime) -> datetime | None:
    """When the demo hall's clock must start, in the hall's time zone: None when the hall is
    open at `now`, else its next opening, so that `clerkdesk demo` shows a working hall at any
    hour of the night."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            hall = session.scalars(select(Hall)).one()
            calendar = load_calendar(session, hall.id)
            timezone = ZoneInfo(hall.timezone)
    finally:
        engine.dispose()
    if is_open(calendar, now):
        return None
    opening = next_opening(calendar, now)
    return opening.astimezone(timezone) if opening is not None else None


class ArrivalSimulator:
    """Citizens taking tickets at the kiosk: Poisson arrivals, `rate_per_min` per hall minute,
    weighted towards the busy services, a few green-channel tickets."""

    def __init__(
        self,
        client: HallClient,
        services: list[str],
        rate_per_min: float = 2.0,
        speed: float = 1.0,
        seed: int | None = None,
    ) -> None:
        self._client = client
        self._services = services
        self._rate = rate_per_min
        self._speed = speed
        self._random = random.Random(seed)
        self.issued = 0
        self.refused = 0

    def _pick(self) -> tuple[str, Priority]:
        weights = [1.0 / (1 + i * 0.3) for i in range(len(self._services))]
        service = self._random.choices(self._services, weights)[0]
        priority = Priority.green_channel if self._random.random() < 0.05 else Priority.normal
        return service, priority

    async def run(self) -> None:
        if self._rate <= 0:
            return
        while True:
            minutes = self._random.expovariate(self._rate)
            await asyncio.sleep(minutes * 60 / self._speed)
            service, priority = self._pick()
            try:
                await self._client.issue(service, priority=priority)
                self.issued += 1
            except HallClientError:
                self.refused += 1
