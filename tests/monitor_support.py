"""A demo hall for the duty lead's hall (issue 13): the demo hall plus reserve window 20 (综合受理,
潮汐窗口), congestion thresholds on 不动产转移登记 (bdc-transfer: 5 waiting or 20 minutes; cleared
below 80 %), and a watcher that runs only when the test asks (`watch`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from clerkdesk.clock import ManualClock
from clerkdesk.demo import demo_hall
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.monitor.watch import watch_once
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.hall_file import AlertSpec, HallFile, WindowSpec
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.unit_of_work import HallContext
from tests.conftest import RunningHall, stop_soon


def tide_hall_file() -> HallFile:
    spec = demo_hall()
    services = [
        s.model_copy(update={"alert": AlertSpec(waiting=5, longest_wait_minutes=20)})
        if s.code == "bdc-transfer"
        else s
        for s in spec.services
    ]
    reserve = WindowSpec(
        number=20,
        label="潮汐窗口 20号窗口",
        department=None,
        services=["bdc-query"],
        reserve=True,
    )
    hall = spec.hall.model_copy(update={"min_call_interval_s": 0})  # tests press fast
    return spec.model_copy(
        update={"hall": hall, "services": services, "windows": [*spec.windows, reserve]}
    )


def start_tide_hall(path: Path | str, clock: ManualClock) -> RunningHall:
    """On a SQLite file (a path) or a database URL."""
    url = sqlite_url(path) if isinstance(path, Path) else path
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, tide_hall_file(), clock.now())
    finally:
        engine.dispose()
    app = create_app(HallSettings(url, clock=clock, poll_interval=0.2, watch_every_s=3600))
    server = ServerThread(app).start()
    return RunningHall(server.url, url, clock, server)


def context_of(hall: RunningHall) -> HallContext:
    app = hall.server.server.config.app
    assert isinstance(app, FastAPI)
    context = app.state.hall
    assert isinstance(context, HallContext)
    return context


def watch(hall: RunningHall) -> int:
    """One pass of the hall's watcher, now (it otherwise runs every few seconds)."""
    return watch_once(context_of(hall))


@pytest.fixture
def tide_hall(tmp_path: Path, clock: ManualClock) -> Iterator[RunningHall]:
    hall = start_tide_hall(tmp_path / "hall.sqlite3", clock)
    yield hall
    stop_soon(hall)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_tide_hall(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock
) -> Iterator[RunningHall]:
    """The same hall on SQLite and on PostgreSQL."""
    where: Path | str = tmp_path / "hall.sqlite3"
    if request.param == "postgresql":
        where = str(request.getfixturevalue("pg_url"))
    hall = start_tide_hall(where, clock)
    yield hall
    if request.param == "postgresql":
        hall.server.stop()  # before its database is dropped
    else:
        stop_soon(hall)
