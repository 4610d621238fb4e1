"""What the leave ledger adds up to is kept with every row written (migration 0006): each
person's balance, what is left of each credit, and which credits each leave took. The kept
state must always be what replaying the whole ledger gives, whatever happens: accruals under
changing policies, leave asked and cancelled, expiries run late or twice, server restarts, and
a hall upgraded from 0005 with three years of ledger already written.

The expiry job works one staff member at a time, reads only credits still live and due, and
catches up after days down."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clerkdesk.demo import demo_hall
from clerkdesk.hall.ledger import book
from clerkdesk.hall.ledger.expiry import expire_hall, expire_staff
from clerkdesk.hall.ledger.overtime import record
from clerkdesk.hall.rules.accrual import EntryKind, LeavePolicy, LedgerState, OvertimePiece
from clerkdesk.hall.rules.day_types import DayType
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.leave_policy import store_policy
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Hall, Staff
from clerkdesk.hall.store.models.ledger import (
    LeaveAccount,
    LeaveAllocation,
    LeaveCredit,
    LeaveLedgerEntry,
    OvertimeEntry,
)
from tests.conftest import local


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session, session.begin():
        yield session


def kept(session: Session, staff_id: int) -> tuple[Any, ...]:
    """The kept state of one person, comparable with `replayed`."""
    account = session.get(LeaveAccount, staff_id)
    credits = session.scalars(
        select(LeaveCredit).where(LeaveCredit.staff_id == staff_id).order_by(LeaveCredit.id)
    )
    parts = session.execute(
        select(LeaveAllocation.leave_source, LeaveAllocation.credit_source, LeaveAllocation.minutes)
        .where(LeaveAllocation.staff_id == staff_id)
        .order_by(LeaveAllocation.id)
    )
    return (
        (account.balance, account.unallocated) if account else (0, 0),
        [
            (c.source, c.work_date, c.expires_on, c.credited, c.remaining, c.expired)
            for c in credits
        ],
        sorted((leave, credit, minutes) for leave, credit, minutes in parts),
        [
            c.live
            for c in session.scalars(
                select(LeaveCredit).where(LeaveCredit.staff_id == staff_id).order_by(LeaveCredit.id)
            )
        ],
    )


def replayed(state: LedgerState) -> tuple[Any, ...]:
    return (
        (state.balance, state.unallocated),
        [
            (c.source, c.work_date, c.expires_on, c.credited, c.remaining, c.expired)
            for c in state.credits
        ],
        sorted(
            (leave, credit, part)
            for leave, taken in state.allocations.items()
            for credit, part in taken
        ),
        [not c.expired and c.remaining > 0 for c in state.credits],
    )


def ledger_sum(session: Session, staff_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(LeaveLedgerEntry.minutes), 0)).where(
            LeaveLedgerEntry.staff_id == staff_id
        )
    )
    return int(total or 0)


def new_hall(engine: Engine, through_migrations: bool = False) -> int:
    if through_migrations:
        with engine.begin() as conn:
            migrate.migrate(conn)
    else:
        migrate.upgrade(engine)
    with transaction(engine) as session:
        hall_file.import_hall(session, demo_hall(), local("2025-12-01 08:00"))
        return session.scalars(select(Hall.id)).one()


_numbers = itertools.count(1)


def new_clerk(engine: Engine, hall_id: int) -> int:
    with transaction(engine) as session:
        staff = Staff(
            hall_id=hall_id,
            staff_no=f"9{next(_numbers):04d}",
            name="赵静",
            department_id=None,
            roles="clerk",
            password_hash="-",
        )
        session.add(staff)
        session.flush()
        return staff.id


# --- any sequence, restarts included ----------------------------------------------------------

Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["work", "work", "work", "take", "take", "cancel", "expire", "policy", "restart"]
        ),
        st.integers(min_value=0, max_value=600),
        st.integers(min_value=0, max_value=120),
    ),
    max_size=30,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    path = tmp_path_factory.mktemp("kept") / "hall.sqlite3"
    engine = make_engine(sqlite_url(path))
    hall_id = new_hall(engine)
    engine.dispose()
    yield path, hall_id


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_the_kept_balance_and_credits_are_always_what_the_ledger_replays_to(
    store: tuple[Path, int], sequence: list[Step]
) -> None:
    """赵静 works evenings (claims), takes leave, cancels some, sees credits expire, while the
    hall changes its policy (rates, expiry) and the server restarts; after every step the kept
    state equals the ledger replayed, the balance is the sum of the rows and never below zero,
    and no source is credited twice."""
    path, hall_id = store
    engine = make_engine(sqlite_url(path))
    staff_id = new_clerk(engine, hall_id)
    today = date(2026, 1, 5)
    taken: list[str] = []
    try:
        for n, (action, minutes, days) in enumerate(sequence):
            today += timedelta(days=days % 45)
            now = datetime.combine(today, time(20), tzinfo=local("2026-01-01 00:00").tzinfo)
            if action == "restart":
                engine.dispose()
                engine = make_engine(sqlite_url(path))
                continue
            with transaction(engine) as session:
                staff = book.lock_staff(session, staff_id)
                if action == "work" and minutes:
                    start = now - timedelta(minutes=minutes)
                    piece = OvertimePiece(today, start, now, DayType.WORKDAY)
                    record(session, hall_id, staff_id, "claim", f"{staff_id}-{n}", [piece], now)
                    # the same fact again (a retry, a restart) writes nothing new
                    record(session, hall_id, staff_id, "claim", f"{staff_id}-{n}", [piece], now)
                elif action == "take" and minutes:
                    expire_staff(session, staff_id, today, now)  # as a request or approval does
                    if minutes <= book.available(session, staff_id, today):
                        source = f"leave:{staff_id}-{n}"
                        book.append(session, staff, EntryKind.TAKEN, -minutes, today, source, now)
                        taken.append(source)
                elif action == "cancel" and taken:
                    source = taken.pop(minutes % len(taken))
                    back = book.reversible(session, staff_id, source, today)
                    book.append(
                        session, staff, EntryKind.ADJUSTMENT, back, today, source, now,
                        reverses=source,
                    )  # fmt: skip
                elif action == "expire":
                    expire_staff(session, staff_id, today, now)
                    assert expire_staff(session, staff_id, today, now) == 0  # twice: nothing
                elif action == "policy":
                    policy = LeavePolicy(
                        rate_workday=(100, 150, 200)[minutes % 3],
                        expiry_months=(12, 1, 6)[days % 3],
                    )
                    store_policy(session, hall_id, policy, now)
            with transaction(engine) as session:
                state = book.state_of(session, staff_id)
                assert kept(session, staff_id) == replayed(state), sequence[: n + 1]
                assert book.balance_of(session, staff_id) == ledger_sum(session, staff_id) >= 0
                assert state.unallocated == 0
                sources = session.execute(
                    select(LeaveLedgerEntry.source, LeaveLedgerEntry.kind).where(
                        LeaveLedgerEntry.staff_id == staff_id
                    )
                ).all()
                assert len(sources) == len(set(sources))
                overtime = session.scalars(
                    select(OvertimeEntry.source).where(OvertimeEntry.staff_id == staff_id)
                ).all()
                assert len(overtime) == len(set(overtime))
    finally:
        engine.dispose()


# --- a hall that had a ledger before 0006 ---------------------------------------------------


def a_year_of_leave(engine: Engine, hall_id: int) -> list[int]:
    """Two clerks' year: evenings worked, leave taken and one cancelled, credits expired."""
    people = [new_clerk(engine, hall_id) for _ in range(2)]
    for number, staff_id in enumerate(people):
        day = date(2025, 1, 6)
        for week in range(60):
            now = datetime.combine(day, time(20), tzinfo=local("2025-01-01 00:00").tzinfo)
            with transaction(engine) as session:
                staff = book.lock_staff(session, staff_id)
                piece = OvertimePiece(day, now - timedelta(minutes=95), now, DayType.WORKDAY)
                record(session, hall_id, staff_id, "claim", f"{staff_id}-{week}", [piece], now)
                if week % 3 == 2 and book.available(session, staff_id, day) >= 120:
                    source = f"leave:{staff_id}-{week}"
                    book.append(session, staff, EntryKind.TAKEN, -120, day, source, now)
                    if week % 9 == number:
                        back = book.reversible(session, staff_id, source, day)
                        book.append(
                            session, staff, EntryKind.ADJUSTMENT, back, day, source, now,
                            reverses=source,
                        )  # fmt: skip
                expire_staff(session, staff_id, day, now)
            day += timedelta(days=7)
    return people


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "hall.sqlite3")
    return str(request.getfixturevalue("pg_url"))


def test_upgrading_a_hall_with_a_ledger_to_0006_fills_the_kept_state_from_its_rows(
    database_url: str,
) -> None:
    from alembic import command

    engine = make_engine(database_url)
    try:
        hall_id = new_hall(engine, through_migrations=True)
        people = a_year_of_leave(engine, hall_id)
        with transaction(engine) as session:
            before = [kept(session, staff_id) for staff_id in people]
        assert all(state[1] for state in before) and any(state[2] for state in before)

        config = migrate.alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
        with engine.begin() as conn:
            migrate.migrate(conn)

        with transaction(engine) as session:
            after = [kept(session, staff_id) for staff_id in people]
            replays = [replayed(book.state_of(session, staff_id)) for staff_id in people]
        assert after == before == replays
    finally:
        engine.dispose()


# --- the expiry job ---------------------------------------------------------------------------


class Transactions:
    """Write transactions handed to the job, and which staff each one expired."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writes: list[set[int]] = []

    @contextmanager
    def read(self) -> Iterator[Session]:
        with transaction(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with transaction(self.engine) as session:
            yield session
            touched = session.scalars(
                select(LeaveLedgerEntry.staff_id).where(LeaveLedgerEntry.kind == "expiry")
            ).all()
        self.writes.append(set(touched) - set().union(*self.writes))


def worked(engine: Engine, hall_id: int, staff_id: int, at: str, minutes: int) -> None:
    now = local(at)
    with transaction(engine) as session:
        piece = OvertimePiece(now.date(), now - timedelta(minutes=minutes), now, DayType.WORKDAY)
        record(session, hall_id, staff_id, "claim", f"{staff_id}-{at}", [piece], now)


def test_the_job_expires_one_person_per_transaction_once_and_catches_up(tmp_path: Path) -> None:
    """张敏 and 周强 worked in December 2025, 吴磊 only in 2026; the server was down from
    2026-12-09 to the 14th. The first run after expires each of the two in a transaction of
    their own, dated the day each credit expired; 吴磊 is not touched; a second run finds
    nothing."""
    engine = make_engine(sqlite_url(tmp_path / "hall.sqlite3"))
    try:
        hall_id = new_hall(engine)
        zhang_min, zhou_qiang, wu_lei = (new_clerk(engine, hall_id) for _ in range(3))
        worked(engine, hall_id, zhang_min, "2025-12-10 19:00", 60)
        worked(engine, hall_id, zhou_qiang, "2025-12-12 20:00", 90)
        worked(engine, hall_id, wu_lei, "2026-03-02 19:30", 120)
        job = Transactions(engine)
        now = local("2026-12-14 03:00")

        assert expire_hall(job.read, job.write, hall_id, date(2026, 12, 14), now) == 60 + 90

        assert job.writes == [{zhang_min}, {zhou_qiang}]
        with transaction(engine) as session:
            expiries = session.execute(
                select(
                    LeaveLedgerEntry.staff_id, LeaveLedgerEntry.minutes, LeaveLedgerEntry.local_date
                )
                .where(LeaveLedgerEntry.kind == "expiry")
                .order_by(LeaveLedgerEntry.id)
            ).all()
            assert [tuple(e) for e in expiries] == [
                (zhang_min, -60, date(2026, 12, 10)),
                (zhou_qiang, -90, date(2026, 12, 12)),
            ]
            assert [book.balance_of(session, s) for s in (zhang_min, zhou_qiang, wu_lei)] == [
                0, 0, 120,
            ]  # fmt: skip
        job.writes.clear()
        assert expire_hall(job.read, job.write, hall_id, date(2026, 12, 14), now) == 0
        assert job.writes == []
    finally:
        engine.dispose()


def test_a_claim_approved_after_its_credit_would_have_expired_expires_at_the_next_run(
    tmp_path: Path,
) -> None:
    """张敏's claim for an evening in November 2025 is approved in December 2026, after its
    credit's date (2026-11-20) and after the job already ran that day: the next run expires it,
    dated 2026-11-20."""
    engine = make_engine(sqlite_url(tmp_path / "hall.sqlite3"))
    try:
        hall_id = new_hall(engine)
        zhang_min = new_clerk(engine, hall_id)
        job = Transactions(engine)
        assert (
            expire_hall(job.read, job.write, hall_id, date(2026, 12, 1), local("2026-12-01 03:00"))
            == 0
        )
        now = local("2026-12-01 10:00")
        with transaction(engine) as session:
            start = local("2025-11-20 18:00")
            piece = OvertimePiece(
                date(2025, 11, 20), start, start + timedelta(hours=2), DayType.WORKDAY
            )
            record(session, hall_id, zhang_min, "claim", "late", [piece], now)
        assert (
            expire_hall(job.read, job.write, hall_id, date(2026, 12, 1), local("2026-12-01 11:00"))
            == 120
        )
        with transaction(engine) as session:
            assert book.balance_of(session, zhang_min) == ledger_sum(session, zhang_min) == 0
            assert book.state_of(session, zhang_min).credits[0].expires_on == date(2026, 11, 20)
    finally:
        engine.dispose()
