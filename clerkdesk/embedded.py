"""The embedded hall: the hall service inside the workstation's own process, on a loopback port,
over SQLite in the user data dir, so a one-window office needs nothing else. Its first start
hands the workstation's first-run answers to the hall (`hall.setup.first_start`), which writes
the first admin, a department and a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from clerkdesk.clock import Clock, SystemClock
from clerkdesk.config import default_database_url
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.setup import first_start
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.opening import open_database
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
            return first_start.needs_first_start(engine)
        finally:
            engine.dispose()

    def create_hall(self, answers: FirstRunAnswers, now: datetime | None = None) -> None:
        """The hall writes the first hall from the answers (argon2 hashing: call from a
        thread); refused when the hall has staff already (another first start came first)."""
        engine = make_engine(self.database_url)
        try:
            first_start.create_first_hall(engine, first_hall(answers), now or SystemClock().now())
        except first_start.AlreadySetUp:
            raise RuntimeError(
                _("This hall has its first admin already: restart ClerkDesk and sign in.")
            ) from None
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
    app = open_database(url, lambda: create_app(HallSettings(url, clock=clock or SystemClock())))
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
