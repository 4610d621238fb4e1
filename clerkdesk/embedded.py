"""The embedded hall: the hall service inside the workstation's own process, on a loopback port,
over SQLite in the user data dir, so a one-window office needs nothing else. Its first start
writes the first admin, a department and a window from the workstation's first-run questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from clerkdesk.clock import Clock, SystemClock
from clerkdesk.config import default_database_url
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Staff
from clerkdesk.i18n import _
from clerkdesk.state.session import Server

if TYPE_CHECKING:  # the first start only: not imported on the way to the counter
    from clerkdesk.hall.setup.hall_file import HallFile
    from clerkdesk.state.first_run import FirstRunAnswers


@dataclass
class EmbeddedHall:
    database_url: str
    thread: ServerThread

    @property
    def server(self) -> Server:
        return Server(
            url=self.thread.url,
            label=_label(self.database_url),
            identity=f"embedded:{self.database_url}",
            embedded=True,
        )

    def needs_setup(self) -> bool:
        """True until the database holds a first staff member."""
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session:
                return not session.scalar(select(func.count(Staff.id)))
        finally:
            engine.dispose()

    def create_hall(self, answers: FirstRunAnswers, now: datetime | None = None) -> None:
        """Write the first hall in one transaction (argon2 hashing: call from a thread)."""
        from clerkdesk.hall.setup import hall_file

        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session, session.begin():
                hall_file.import_hall(session, first_hall(answers), now or SystemClock().now())
        finally:
            engine.dispose()

    def stop(self) -> None:
        self.thread.stop()


def _label(database_url: str) -> str:
    database = make_url(database_url).database or ""
    if not database:
        return _("this computer")
    return _("{file} on this computer").format(file=Path(database).name)


def start_embedded(database_url: str | None = None, clock: Clock | None = None) -> EmbeddedHall:
    url = database_url or default_database_url()
    database = make_url(url).database
    if database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    app = create_app(HallSettings(url, clock=clock or SystemClock()))
    return EmbeddedHall(url, ServerThread(app, "127.0.0.1", 0).start())


def first_hall(answers: FirstRunAnswers) -> HallFile:
    from clerkdesk.hall.setup import hall_file

    return hall_file.parse_hall(
        {
            "hall": {"code": "office", "name": answers.hall_name.strip()},
            "departments": [{"code": "dept1", "name": answers.department.strip()}],
            "services": [
                {
                    "code": "service1",
                    "name": answers.service.strip(),
                    "department": "dept1",
                    "prefix": answers.prefix,
                }
            ],
            "windows": [
                {
                    "number": answers.window,
                    "label": f"{answers.department.strip()} {answers.window}",
                    "department": "dept1",
                    "services": ["service1"],
                }
            ],
            "staff": [
                {
                    "staff_no": answers.staff_no,
                    "name": answers.name.strip(),
                    "department": "dept1",
                    "roles": ["admin", "clerk"],
                    "password": answers.password,
                }
            ],
        },
        "first start",
    )
