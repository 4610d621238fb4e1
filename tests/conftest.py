"""Shared fixtures: a real hall service on 127.0.0.1 (uvicorn in a thread) over a real SQLite file
or a fresh PostgreSQL database, a hall clock the test moves by hand, and signed-in clients."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import keyring.core
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from clerkdesk.api.client import HallClient
from clerkdesk.clock import ManualClock
from clerkdesk.demo import DEMO_PASSWORD, demo_hall
from clerkdesk.hall.access import principal as auth
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from tests.keyring_memory import MemoryKeyring

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_ADMIN_URL = os.environ.get(
    "CLERKDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def local(text_: str) -> datetime:
    """A hall-local time such as '2026-12-11 09:00' as an aware datetime."""
    return datetime.fromisoformat(text_).replace(tzinfo=SHANGHAI)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long concurrency tests (marked slow) start first, each on its own worker.

    scripts/test.sh runs the suite on pytest-xdist workers with `--maxschedchunk 2`: the
    scheduler hands the first two tests to worker 1, the next two to worker 2, and so on. With
    the slow tests at places 0, 2, 4, ... the two exactly-once days (SQLite, PostgreSQL) run side
    by side from the start instead of one after the other at the end."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    ordered: list[pytest.Item] = []
    for long_one in slow:
        ordered.append(long_one)
        if rest:
            ordered.append(rest.pop(0))
    items[:] = ordered + rest


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 at its production cost takes 0.1-0.4 s per hash on these machines, on every login
    and every seeded staff member. The tests keep argon2 but at its smallest cost; the server
    code is the same (servers started in subprocesses still use the production cost)."""
    original = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    yield
    auth._hasher = original


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config, data or keyring."""
    monkeypatch.setenv("CLERKDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLERKDESK_SERVER", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryKeyring())


@pytest.fixture
def clock() -> ManualClock:
    """Friday 2026-12-11, 09:00 in the hall."""
    return ManualClock(local("2026-12-11 09:00"))


def seed_demo_hall(url: str, now: datetime) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, demo_hall(), now)
    finally:
        engine.dispose()


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no database here
        return f"no PostgreSQL at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[str]:
    reason = _postgres_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests, but {reason}")
        pytest.skip(reason)
    yield PG_ADMIN_URL


@contextmanager
def _pg_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of `template`), dropped afterwards."""
    name = f"clerkdesk_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        # A commit does not wait for its WAL to reach the disk (1.5-2.5 ms a commit here, where
        # the exactly-once day commits ~8,000 times): what other sessions see and when, locks
        # and constraints are the same; only a crash of PostgreSQL itself could lose the last
        # commits of a database thrown away after its test.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(postgres_admin: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _pg_database(postgres_admin) as url:
        yield url


@pytest.fixture(scope="session")
def _seeded_pg_templates(postgres_admin: str) -> Iterator[Callable[[datetime], str]]:
    """Demo halls seeded on PostgreSQL once per test process (one per seeding time), for each
    `pg_hall` to copy (CREATE DATABASE ... TEMPLATE): building the schema and seeding it took
    ~1.5 s of CPU and 4.5-6 s of wall per test (PostgreSQL's DDL), a copy takes ~0.5 s of wall
    (loadavg 15). No one connects to a template after its seeding (PostgreSQL copies only a
    database nobody uses)."""
    made: dict[datetime, str] = {}
    with ExitStack() as stack:

        def template(now: datetime) -> str:
            if now not in made:
                url = stack.enter_context(_pg_database(postgres_admin))
                seed_demo_hall(url, now)
                made[now] = url.rsplit("/", 1)[1]
            return made[now]

        yield template


@dataclass
class RunningHall:
    url: str
    database_url: str
    clock: ManualClock
    server: ServerThread

    def client(self) -> HallClient:
        return HallClient(self.url, retry_delays=(0.01, 0.05))

    def openapi(self) -> dict[str, Any]:
        """The API's OpenAPI document, from the application (not served by default)."""
        app = self.server.server.config.app
        assert isinstance(app, FastAPI)
        return app.openapi()


_STOPPING: list[tuple[str, threading.Thread]] = []
"""The threads of test halls asked to stop at their test's end, not yet seen ended. Not the
servers: a thread lets go of its server, its app and the hall clock once it has ended (a test
that counts the workstation's widgets left in memory would count an earlier test's app)."""
STOP_TIMEOUT_S = 15.0


def stop_soon(hall: RunningHall) -> None:
    """A test is done with its hall: the server stops while the next test runs. Waiting for it
    took 0.15-0.3 s at every test's end (uvicorn's 0.1 s tick, its fixed 0.1 s for the
    connections to close, its 0.1 s polls), the worker idle meanwhile. A hall whose database
    is dropped right after (PostgreSQL) stops first, with `hall.server.stop()`."""
    _STOPPING[:] = [(url, thread) for url, thread in _STOPPING if thread.is_alive()]
    _STOPPING.append((hall.url, hall.server.stop_soon()))


@pytest.fixture(autouse=True, scope="session")
def _test_halls_stopped() -> Iterator[None]:
    """Every hall of `stop_soon` has stopped by the session's end: a server that does not
    stop is an error here, not a thread left behind unnoticed."""
    yield
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for _url, thread in _STOPPING:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [url for url, thread in _STOPPING if thread.is_alive()]
    _STOPPING.clear()
    assert not stuck, f"hall services still running {STOP_TIMEOUT_S:g} s after their test: {stuck}"


def start_hall(
    database_url: str, clock: ManualClock, seeded: bool = False, api_docs: bool = False
) -> RunningHall:
    if not seeded:
        seed_demo_hall(database_url, clock.now())
    app = create_app(HallSettings(database_url, clock=clock, poll_interval=0.2, api_docs=api_docs))
    server = ServerThread(app).start()
    return RunningHall(server.url, database_url, clock, server)


@pytest.fixture(scope="session")
def _seeded_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo hall seeded once (argon2 hashing is slow on purpose); each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "hall.sqlite3"
    seed_demo_hall(sqlite_url(path), local("2026-12-11 08:00"))
    return path


@pytest.fixture
def sqlite_hall(
    tmp_path: Path, clock: ManualClock, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), clock, seeded=True)
    yield hall
    stop_soon(hall)


@pytest.fixture
def pg_hall(
    postgres_admin: str, clock: ManualClock, _seeded_pg_templates: Callable[[datetime], str]
) -> Iterator[RunningHall]:
    """The demo hall on a fresh PostgreSQL database of its own, seeded at the clock's time."""
    with _pg_database(postgres_admin, template=_seeded_pg_templates(clock.now())) as url:
        hall = start_hall(url, clock, seeded=True)
        yield hall
        hall.server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_hall(request: pytest.FixtureRequest) -> RunningHall:
    """The same test on the embedded SQLite hall and on PostgreSQL."""
    name = "sqlite_hall" if request.param == "sqlite" else "pg_hall"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


# The running hall most tests use.
hall = sqlite_hall


async def signed_in(hall: RunningHall, staff_no: str, password: str = DEMO_PASSWORD) -> HallClient:
    client = hall.client()
    await client.login(staff_no, password)
    return client


@pytest.fixture
async def kiosk(hall: RunningHall) -> AsyncIterator[HallClient]:
    client = await signed_in(hall, "kiosk1")
    yield client
    await client.aclose()


@pytest.fixture
async def li_hua(hall: RunningHall) -> AsyncIterator[HallClient]:
    """李华, a 不动产登记 clerk, signed in at window 1."""
    client = await signed_in(hall, "1001")
    await client.sign_in(1)
    yield client
    await client.aclose()


@pytest.fixture
async def wang_fang(hall: RunningHall) -> AsyncIterator[HallClient]:
    """王芳, a 综合受理 clerk, signed in at window 8."""
    client = await signed_in(hall, "1002")
    await client.sign_in(8)
    yield client
    await client.aclose()


@pytest.fixture
async def zhang_wei(hall: RunningHall) -> AsyncIterator[HallClient]:
    """张伟, the duty lead (not at a window)."""
    client = await signed_in(hall, "2001")
    yield client
    await client.aclose()
