"""Calling stays flat with a long queue (issue 14, item 4).

Friday 2026-12-11, 10:00. A city hall's 综合受理 windows 1-9 all serve 不动产 (s0), 社保 (s1) and
税务 (s2), in that order. On a quiet morning 100 citizens wait; on the day the new property rule
takes effect, 3,000. Choosing who is next must cost the database the same either way: it reads
the head of each class of the fair order (service and priority; parked at the back of this
window), never the whole queue. Measured without a clock: on SQLite by the virtual machine
steps the claim takes, on PostgreSQL by the ticket rows its plan reads (EXPLAIN ANALYZE).

On PostgreSQL several clerks press "call" at the same moment: each takes the next one in fair
order that nobody else holds, the ninth and later too (when every ticket the claim looked at
is being called, it reads the whole queue rather than say that nobody waits).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from clerkdesk.api.schemas import Role
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store import migrate, tables
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import (
    Department,
    Hall,
    Service,
    Staff,
    Window,
    WindowService,
    WindowSession,
)
from clerkdesk.hall.tickets import lifecycle as tickets
from clerkdesk.hall.tickets import sql

NOW = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
WINDOWS = 9
SERVICES = 3


@dataclass
class CityHall:
    engine: Engine
    hall_id: int
    window_ids: list[int]
    service_ids: list[int]
    clerks: list[Principal]
    issued: int = 0

    def where(self, window: int = 1) -> dict[str, Any]:
        return {"hall_id": self.hall_id, "window_id": self.window_ids[window - 1], "now": NOW}


def _seed(engine: Engine) -> CityHall:
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        hall = Hall(code="city", name="市民中心", timezone="Asia/Shanghai", min_call_interval_s=0)
        session.add(hall)
        session.flush()
        dept = Department(hall_id=hall.id, code="zh", name="综合受理")
        session.add(dept)
        session.flush()
        services = [
            Service(
                hall_id=hall.id,
                department_id=dept.id,
                code=f"s{n}",
                name=f"事项 {n}",
                prefix="ABC"[n],
                estimated_minutes=10,
                active=True,
            )
            for n in range(SERVICES)
        ]
        windows = [
            Window(hall_id=hall.id, number=n, label=f"{n}号窗口", department_id=dept.id)
            for n in range(1, WINDOWS + 1)
        ]
        staff = [
            Staff(
                hall_id=hall.id,
                staff_no=f"c{n}",
                name=f"窗口{n}",
                roles="clerk",
                password_hash="-",
                department_id=dept.id,
            )
            for n in range(1, WINDOWS + 1)
        ]
        session.add_all([*services, *windows, *staff])
        session.flush()
        for window, clerk in zip(windows, staff, strict=True):
            session.add_all(
                WindowService(window_id=window.id, service_id=s.id, position=p)
                for p, s in enumerate(services)
            )
            session.add(WindowSession(window_id=window.id, staff_id=clerk.id, started_at=NOW))
        principals = [
            Principal(
                staff_id=clerk.id,
                hall_id=hall.id,
                staff_no=clerk.staff_no,
                name=clerk.name,
                department_id=dept.id,
                roles=frozenset({Role.clerk}),
                token_expires_at=NOW + timedelta(hours=8),
            )
            for clerk in staff
        ]
        return CityHall(
            engine, hall.id, [w.id for w in windows], [s.id for s in services], principals
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def city(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CityHall]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "city.sqlite3")
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    try:
        yield _seed(engine)
    finally:
        engine.dispose()


@pytest.fixture
def pg_city(pg_url: str) -> Iterator[CityHall]:
    engine = make_engine(pg_url)
    try:
        yield _seed(engine)
    finally:
        engine.dispose()


def arrive(city: CityHall, count: int, service: int | None = None) -> None:
    """`count` citizens take tickets over the hour before 10:00, the services in turn (or all
    for `service`): every 50th by the green channel, every 100th with an appointment, a few
    parked at the back of window 2, the rest normal."""
    rows = []
    for i in range(count):
        n = city.issued + i
        priority, slot, back = "normal", None, None
        if n % 50 == 7:
            priority = "green_channel"
        elif n % 100 == 13:
            priority, slot = "appointment", NOW + timedelta(minutes=30 * (n % 3 - 1))
        elif n % 100 == 29:
            back = city.window_ids[1]
        queued = NOW - timedelta(hours=1) + timedelta(seconds=n)
        service_id = city.service_ids[n % SERVICES if service is None else service]
        rows.append(
            {
                "hall_id": city.hall_id,
                "service_id": service_id,
                "issued_service_id": service_id,
                "number": n + 1,
                "code": f"T{n + 1:04d}",
                "local_date": NOW.date(),
                "status": "waiting",
                "priority": priority,
                "appointment_at": slot,
                "issued_at": queued,
                "queue_at": queued,
                "recall_count": 0,
                "notes": "",
                "handoff_count": 0,
                "chain_departments": "",
                "back_window_id": back,
                "back_rank": None if back is None else 4,
                "back_position": None if back is None else 2,
            }
        )
    city.issued += count
    with city.engine.begin() as conn:
        conn.execute(insert(tables.ticket), rows)
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE ticket"))


def claim_work(city: CityHall) -> int:
    """What choosing the next ticket at window 1 costs the database, rolled back: SQLite's
    virtual machine steps, or the ticket rows PostgreSQL's plan reads."""
    with city.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            steps = [0]

            def count() -> int:
                steps[0] += 1
                return 0

            raw = conn.connection.driver_connection
            assert raw is not None
            raw.set_progress_handler(count, 1)
            try:
                conn.execute(sql.claim("sqlite"), city.where()).first()
            finally:
                raw.set_progress_handler(None, 1)
            conn.rollback()
            return steps[0]
        compiled = sql.claim("postgresql").compile(dialect=conn.dialect)
        plan = conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled),
            compiled.construct_params(city.where()),
        ).scalar_one()
        conn.rollback()
    return _ticket_rows(plan if isinstance(plan, list) else json.loads(plan))


def _ticket_rows(node: Any) -> int:
    if isinstance(node, list):
        return sum(_ticket_rows(n) for n in node)
    if not isinstance(node, dict):
        return 0
    own = 0
    if node.get("Relation Name") == "ticket":
        own = int(node.get("Actual Rows", 0)) * int(node.get("Actual Loops", 1))
        own += int(node.get("Rows Removed by Filter", 0)) * int(node.get("Actual Loops", 1))
    return own + sum(_ticket_rows(v) for v in node.values() if isinstance(v, list | dict))


def test_calling_costs_the_same_with_3000_waiting_as_with_100(city: CityHall) -> None:
    arrive(city, 100)
    quiet = claim_work(city)
    arrive(city, 2_900)
    busy = claim_work(city)
    assert busy <= 1.5 * quiet, f"100 waiting: {quiet}, 3,000 waiting: {busy}"


def test_the_claim_reads_the_queue_by_its_indexes_only(tmp_path: Path) -> None:
    """SQLite's plan: the ticket table only through the waiting tickets' indexes or by id."""
    engine = make_engine(sqlite_url(tmp_path / "plan.sqlite3"))
    try:
        city = _seed(engine)
        arrive(city, 300)
        with engine.connect() as conn:
            compiled = sql.claim("sqlite").compile(dialect=conn.dialect)
            params = compiled.construct_params(city.where())
            assert compiled.positiontup is not None
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled),
                tuple(params[name] for name in compiled.positiontup),
            ).all()
    finally:
        engine.dispose()
    on_tickets = [row[3] for row in plan if " ticket" in row[3] or " head" in row[3]]
    assert on_tickets
    for step in on_tickets:
        assert step.startswith("SEARCH"), step
        assert any(
            way in step
            for way in ("ix_ticket_waiting", "ix_ticket_parked_back", "INTEGER PRIMARY KEY")
        ), step


def _holding_claims(city: CityHall, clerks: int, stack: ExitStack) -> list[str]:
    """Clerks at windows 1..`clerks` press call at the same moment: each one's claim has
    chosen and locked its ticket, and its transaction stays open until the stack closes (the
    rest of a call, which writes the event row, would wait for the one before to commit)."""
    codes = []
    for n in range(1, clerks + 1):
        conn = stack.enter_context(city.engine.connect())
        stack.enter_context(conn.begin())
        row = conn.execute(sql.claim("postgresql"), city.where(n)).first()
        codes.append(row.code if row else None)
    return codes


@pytest.mark.postgres
def test_two_clerks_calling_at_once_take_the_first_two_in_line(pg_city: CityHall) -> None:
    """T0001, T0002 for 不动产 came first; 社保's T0003 after them. Window 1 holds T0001 (not yet
    committed) when window 2 calls: window 2 is given T0002, the next in fair order, not the
    head of 社保's line."""
    arrive(pg_city, 2, service=0)
    arrive(pg_city, 1, service=1)
    with ExitStack() as stack:
        assert _holding_claims(pg_city, 2, stack) == ["T0001", "T0002"]


@pytest.mark.postgres
def test_the_ninth_clerk_calling_at_once_gets_the_ninth_in_line(pg_city: CityHall) -> None:
    """Twelve wait for 不动产, T0008 by the green channel. Eight clerks' calls hold T0008 and
    T0001-T0007 when the ninth presses call: every ticket the claim looks at first (HEADS_PG)
    is being called, so it reads the whole queue and window 9 is given T0009: nobody hears
    "nobody is waiting" while four wait."""
    assert sql.HEADS_PG == WINDOWS - 1
    arrive(pg_city, 12, service=0)
    with ExitStack() as stack:
        held = _holding_claims(pg_city, WINDOWS - 1, stack)
        with Session(pg_city.engine) as session, session.begin():
            ninth = tickets.call_next(session, pg_city.clerks[WINDOWS - 1], WINDOWS, NOW)
    assert held == ["T0008", *(f"T{n:04d}" for n in range(1, 8))]
    assert ninth.code == "T0009"


def test_a_window_with_nobody_waiting_is_told_so(city: CityHall) -> None:
    """Two citizens wait: window 1 calls them in turn, then hears that nobody is waiting (on
    PostgreSQL after reading the whole queue too, which is empty)."""
    arrive(city, 2)
    called = []
    for _ in range(2):
        with Session(city.engine) as session, session.begin():
            ticket = tickets.call_next(session, city.clerks[0], 1, NOW)
            tickets.act(session, city.clerks[0], ticket.id, Action.start, NOW)
            tickets.act(session, city.clerks[0], ticket.id, Action.complete, NOW)
            called.append(ticket.code)
    assert called == ["T0001", "T0002"]
    with Session(city.engine) as session, session.begin(), pytest.raises(Conflict) as empty:
        tickets.call_next(session, city.clerks[0], 1, NOW)
    assert empty.value.code == "queue_empty"
