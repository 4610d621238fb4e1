"""The claim query and the pure rule agree: calling "next" again and again at one window takes the
waiting tickets in exactly the order `rules.queue_order.order_for_window` gives — on SQLite and on
PostgreSQL, in-process (no HTTP). Tickets handed to this or another window, or to this window's
clerk or another (转办), are among them: those not this window's are never called here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from clerkdesk.api.schemas import Role
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Conflict
from clerkdesk.hall.rules.queue_order import PRIORITY_RANK, Waiting, order_for_window
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import (
    Department,
    Event,
    Hall,
    HallPolicy,
    Service,
    Staff,
    Ticket,
    TicketCounter,
    TicketTransition,
    Window,
    WindowService,
    WindowSession,
)
from clerkdesk.hall.tickets import lifecycle as tickets
from clerkdesk.hall.tickets import queries, sql

NOW = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
TODAY = NOW.date()
SERVICES = 5


@dataclass
class OrderHall:
    engine: Engine
    clerk: Principal
    window_id: int
    other_window_id: int
    service_ids: list[int]
    other_staff_id: int


def _seed(engine: Engine) -> OrderHall:
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        hall = Hall(
            code="order", name="Order hall", timezone="Asia/Shanghai", min_call_interval_s=0
        )
        session.add(hall)
        session.flush()
        dept = Department(hall_id=hall.id, code="d", name="Dept")
        session.add(dept)
        session.flush()
        services = [
            Service(
                hall_id=hall.id,
                department_id=dept.id,
                code=f"s{n}",
                name=f"Service {n}",
                prefix=chr(ord("A") + n),
                estimated_minutes=10,
                active=True,
            )
            for n in range(SERVICES)
        ]
        window = Window(hall_id=hall.id, number=1, label="Window 1", department_id=dept.id)
        other = Window(hall_id=hall.id, number=2, label="Window 2", department_id=dept.id)
        staff = Staff(
            hall_id=hall.id, staff_no="c1", name="Clerk", roles="clerk", password_hash="-"
        )
        colleague = Staff(
            hall_id=hall.id, staff_no="c2", name="Colleague", roles="clerk", password_hash="-"
        )
        session.add_all([*services, window, other, staff, colleague])
        session.flush()
        session.add(WindowSession(window_id=window.id, staff_id=staff.id, started_at=NOW))
        # No-shows at once: the test marks every call a no-show to move on.
        session.add(HallPolicy(hall_id=hall.id, no_show_min_recalls=0, no_show_min_seconds=0))
        clerk = Principal(
            staff_id=staff.id,
            hall_id=hall.id,
            staff_no="c1",
            name="Clerk",
            department_id=dept.id,
            roles=frozenset({Role.clerk}),
            token_expires_at=NOW + timedelta(hours=8),
        )
        return OrderHall(engine, clerk, window.id, other.id, [s.id for s in services], colleague.id)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def order_hall(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderHall]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "order.sqlite3")
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    try:
        yield _seed(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Draft:
    service: int
    priority: str
    queue_minute: int
    slot_minutes: int | None
    back: tuple[bool, int, int] | None = None  # parked at the back of (this, other) window
    pin: tuple[str, bool] | None = None  # handed to (this, other) "window" or "staff" (转办)


RANKS = sorted(PRIORITY_RANK.values())
drafts = st.lists(
    st.builds(
        Draft,
        service=st.integers(0, SERVICES - 1),
        priority=st.sampled_from(sorted(PRIORITY_RANK)),
        queue_minute=st.integers(-40, 0),  # few distinct minutes: ties are common
        slot_minutes=st.none() | st.integers(-20, 20),  # a slot before, at or after now
        back=st.none() | st.tuples(st.booleans(), st.sampled_from(RANKS), st.integers(0, 4)),
        pin=st.none() | st.tuples(st.sampled_from(["window", "staff"]), st.booleans()),
    ),
    max_size=20,
)
window_order = st.lists(st.integers(0, SERVICES - 1), min_size=1, max_size=SERVICES, unique=True)


def _reset(session: Session, hall: OrderHall, order: list[int]) -> None:
    for model in (TicketTransition, Event, Ticket, TicketCounter):
        session.execute(delete(model))
    session.execute(delete(WindowService).where(WindowService.window_id == hall.window_id))
    session.execute(update(Window).values(last_call_at=None))
    session.add_all(
        WindowService(window_id=hall.window_id, service_id=hall.service_ids[i], position=p)
        for p, i in enumerate(order)
    )


def _insert(session: Session, hall: OrderHall, items: list[Draft]) -> list[Ticket]:
    rows = []
    for number, item in enumerate(items, start=1):
        queue_at = NOW + timedelta(minutes=item.queue_minute)
        slot = None if item.slot_minutes is None else NOW + timedelta(minutes=item.slot_minutes)
        here, rank, position = item.back or (True, None, None)
        parked_at = hall.window_id if here else hall.other_window_id
        kind, ours = item.pin or ("", False)
        rows.append(
            Ticket(
                target_window_id=(hall.window_id if ours else hall.other_window_id)
                if kind == "window"
                else None,
                target_staff_id=(hall.clerk.staff_id if ours else hall.other_staff_id)
                if kind == "staff"
                else None,
                back_window_id=None if item.back is None else parked_at,
                back_rank=rank,
                back_position=position,
                hall_id=hall.clerk.hall_id,
                service_id=hall.service_ids[item.service],
                number=number,
                code=f"T{number:03d}",
                local_date=TODAY,
                status="waiting",
                priority=item.priority,
                appointment_at=slot if item.priority == "appointment" else None,
                issued_at=queue_at,
                queue_at=queue_at,
                recall_count=0,
                notes="",
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=drafts, order=window_order)
def test_call_next_takes_tickets_in_the_pure_rule_order(
    order_hall: OrderHall, items: list[Draft], order: list[int]
) -> None:
    hall = order_hall
    with Session(hall.engine) as session, session.begin():
        _reset(session, hall, order)
        rows = _insert(session, hall, items)
        ids = {r.id for r in rows}
        expected = [
            t.ticket_id
            for t in order_for_window(
                [
                    Waiting(
                        r.id,
                        r.service_id,
                        r.priority,
                        r.queue_at,
                        r.appointment_at,
                        r.back_window_id,
                        r.back_rank,
                        r.back_position,
                        r.target_window_id,
                        r.target_staff_id,
                    )
                    for r in rows
                ],
                [hall.service_ids[i] for i in order],
                NOW,
                hall.window_id,
                hall.clerk.staff_id,
            )
        ]
        window = session.get_one(Window, hall.window_id)
        assert [t.id for t in queries.queue_for_window(session, window, NOW)] == expected
        where = {"hall_id": hall.clerk.hall_id, "window_id": hall.window_id, "now": NOW}
        last = session.execute(sql.LAST_IN_LINE, where).first()  # where "back" parks a ticket
        assert (last.id if last else None) == (expected[-1] if expected else None)

    called: list[int] = []
    while True:
        with Session(hall.engine) as session, session.begin():
            try:
                ticket = tickets.call_next(session, hall.clerk, 1, NOW)
            except Conflict as empty:
                assert empty.code == "queue_empty"
                break
            called.append(ticket.id)
            tickets.act(session, hall.clerk, ticket.id, Action.no_show, NOW, reason="gone")
    assert called == expected

    with Session(hall.engine) as session:
        left = session.scalars(select(Ticket.id).where(Ticket.status == "waiting")).all()
    assert sorted(left) == sorted(ids - set(expected))
