"""The hall's fast write path keeps its promises: a sign-out counts at once on every server, a
calendar changed behind the hall's back reaches the kiosk, a restarted database costs no request
an error, and a counter cycle runs the statements it is known to run, not more.

The hall clock starts on Friday 2026-12-11 at 09:00 in Shanghai. The demo hall opens Monday to
Friday 09:00-17:30 and on Saturdays 09:00-12:00; 王芳 (1002) is the 综合受理 clerk of window 8,
李华 (1001) the 不动产登记 clerk of window 1, 张伟 (2001) the duty lead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.events import EventSubscription
from clerkdesk.hall.calendar import admin as calendar_admin
from clerkdesk.hall.calendar import cache as calendar_cache
from clerkdesk.hall.calendar.cache import CalendarCache
from clerkdesk.hall.events.log import _INSERT_LOCKED
from clerkdesk.hall.rules.calendar import HallCalendar, OpeningInterval, WeeklySchedule
from clerkdesk.hall.store import engine as db
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.write_gate import FairGate
from clerkdesk.hall.unit_of_work import HallContext
from tests.conftest import RunningHall, local, signed_in
from tests.load_helpers import Follower, ServerProcess


@contextmanager
def admin_command(hall: RunningHall) -> Iterator[Session]:
    """The hall's database as `clerkdesk admin calendar` opens it: not through the service."""
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def context_of(hall: RunningHall) -> HallContext:
    context = hall.server.server.config.app.state.hall
    assert isinstance(context, HallContext)
    return context


# --- signing out ----------------------------------------------------------------------------


async def test_wang_fang_signs_out_and_every_server_refuses_her_sign_in_at_once(
    any_hall: RunningHall, tmp_path: Path
) -> None:
    """No server keeps tokens in memory: the next request anywhere reads the sign-in as
    stored, so a sign-out (or an expiry) holds from that request on, on this server and on a
    second server process over the same database."""
    other = ServerProcess.start(
        any_hall.database_url, tmp_path / "other.log", local("2026-12-11 09:00")
    )
    try:
        wang_fang = await signed_in(any_hall, "1002")
        await wang_fang.sign_in(8)
        token = wang_fang.token
        at_other = HallClient(other.url, token, retry_delays=())
        kiosk = await signed_in(any_hall, "kiosk1")
        await kiosk.issue("hukou")
        assert (await at_other.ping()).status == "ok"
        called = await at_other.call_next(8)  # a write on the other server: her token is good
        assert called.called_by == "1002"

        await wang_fang.logout()

        here = HallClient(any_hall.url, token, retry_delays=())
        for client in (here, at_other):
            with pytest.raises(errors.Unauthorized) as ping:
                await client.ping()
            assert ping.value.code == "token_expired"
            with pytest.raises(errors.Unauthorized) as start:
                await client.start(called.id)
            assert start.value.code == "token_expired"
        for client in (here, at_other, kiosk, wang_fang):
            await client.aclose()
    finally:
        other.stop()


# --- the kiosk's calendar ---------------------------------------------------------------------


async def test_a_rest_day_declared_by_the_admin_command_stops_the_kiosk_once_the_hall_hears(
    hall: RunningHall,
) -> None:
    """09:00 Friday the kiosk issues (the hall keeps the calendar in memory from then on). The
    admin declares the day a rest day (停电检修) with the admin command, straight into the
    database; as soon as the hall's event stream carries the change, the kiosk is refused."""
    kiosk = await signed_in(hall, "kiosk1")
    zhang_wei = await signed_in(hall, "2001")
    screen = await Follower(EventSubscription(zhang_wei)).start()
    assert (await kiosk.issue("bdc-transfer")).code == "A001"

    with admin_command(hall) as session:
        friday = calendar_admin.only_hall(session)
        changed = calendar_admin.set_day_type(
            session, friday, date(2026, 12, 11), w.DayType.rest_day, "停电检修", hall.clock.now()
        )
        assert changed
    seen = await screen.next()  # the hall has read the change: its calendars are gone
    while seen.kind != w.EventKind.calendar_updated:
        seen = await screen.next()

    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("bdc-transfer")
    assert refused.value.code == "hall_closed"
    await screen.close()
    for client in (kiosk, zhang_wei):
        await client.aclose()


async def test_a_sunday_session_added_by_the_admin_command_opens_the_kiosk_at_once(
    hall: RunningHall,
) -> None:
    """Sunday 2026-12-13 10:00 the hall is closed and the kiosk is refused. The admin adds a
    Sunday session 09:00-12:00 (周日值班); the kiosk's very next ticket is issued, without
    waiting for the event stream: a refusal is always decided on the calendar as stored."""
    hall.clock.set(local("2026-12-13 10:00"))
    kiosk = await signed_in(hall, "kiosk1")
    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("hukou")
    assert refused.value.code == "hall_closed"

    with admin_command(hall) as session:
        spec = calendar_admin.SessionSpec(date(2026, 12, 13), None, time(9), time(12), "周日值班")
        calendar_admin.add_session(
            session, calendar_admin.only_hall(session), spec, hall.clock.now()
        )

    ticket = await kiosk.issue("hukou")
    assert ticket.status == w.TicketStatus.waiting
    await kiosk.aclose()


def test_a_calendar_read_before_a_change_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request that began before a change and loads the calendar after it was dropped must
    not put its (older) calendar back: the next request would use it until the next change."""
    loaded: list[str] = []

    def load(_session: Any, hall_id: int) -> HallCalendar:
        loaded.append(f"hall {hall_id}")
        hours = WeeklySchedule.workdays([OpeningInterval(time(9), time(17, 30))])
        return HallCalendar("Asia/Shanghai", hours)

    monkeypatch.setattr(calendar_cache, "load_calendar", load)
    cache = CalendarCache()
    before_the_change = cache.view()
    cache.drop()  # the admin's change, committed meanwhile
    before_the_change.calendar(None, 1)  # type: ignore[arg-type]
    cache.view().calendar(None, 1)  # type: ignore[arg-type]
    assert loaded == ["hall 1", "hall 1"]  # the first load was not kept, the second is
    cache.view().calendar(None, 1)  # type: ignore[arg-type]
    assert loaded == ["hall 1", "hall 1"]


# --- writers take turns in order ---------------------------------------------------------------


def test_writers_waiting_for_the_gate_go_in_the_order_they_came() -> None:
    """李华's call holds the (SQLite: single) writer gate; 王芳's, 陈明's and 刘洋's writes
    arrive in that order and go in that order, however the threads are woken."""
    gate = FairGate(1)
    went: list[str] = []

    def write(name: str) -> None:
        with gate:
            went.append(name)

    threads = []
    with gate:  # 李华's call
        for name in ("王芳", "陈明", "刘洋"):
            thread = threading.Thread(target=write, args=(name,))
            thread.start()
            threads.append(thread)
            assert gate.wait_until_queued(len(threads), timeout=10)  # queued before the next
    for thread in threads:
        thread.join(10)
    assert went == ["王芳", "陈明", "刘洋"]


# --- statements per request ----------------------------------------------------------------------


async def test_a_counter_cycle_runs_the_statements_it_is_known_to_run(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    """SQLite, the writes only (BEGIN IMMEDIATE counted). Issue: token check with the stored
    answer, service, number, ticket, transition, event, answer; the day's first ticket also
    reads the hall calendar (five queries), later ones find it in memory. Call next: the same
    frame around the window lock, holder and ticket in hand, claim, ticket and window updates.
    Start and complete: the frame around the locked ticket, its window's holder and the update;
    complete also adds the case's serving time to its window's day (served_day, which the hall
    monitor's snapshot reads instead of every ticket of the day). A statement more is a cost on
    every request of the day: change these numbers on purpose."""
    engine = context_of(hall).engine
    ran: list[str] = []

    def count(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not conn.get_execution_options().get("clerkdesk_read"):
            ran.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        per_request = []
        for request in (
            lambda: kiosk.issue("bdc-transfer"),
            lambda: kiosk.issue("bdc-transfer"),
            lambda: li_hua.call_next(1),
        ):
            ran.clear()
            ticket = await request()
            per_request.append(len(ran))
        for request in (lambda: li_hua.start(ticket.id), lambda: li_hua.complete(ticket.id)):
            ran.clear()
            await request()
            per_request.append(len(ran))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert per_request == [13, 8, 10, 8, 9]


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_a_restarted_database_costs_no_request_an_error(
    pg_hall: RunningHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database drops every connection (a restart, a failover). A pooled connection idle
    for longer than that took is pinged before use and replaced: the kiosk's next ticket is
    issued, not answered 503. (The idle threshold is set to zero: every connection counts as
    idle, as all do after a real restart.)"""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    kiosk = await signed_in(pg_hall, "kiosk1")
    first = await kiosk.issue("hukou")

    admin = create_engine(pg_hall.database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            dropped = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        assert dropped
    finally:
        admin.dispose()

    second = await kiosk.issue("hukou")
    assert second.status == w.TicketStatus.waiting and second.id > first.id
    await kiosk.aclose()


@pytest.mark.postgres
def test_the_event_lock_is_taken_before_the_event_id_is_drawn(pg_url: str) -> None:
    """Commit order follows id order only if the event lock is held when `nextval` runs. The
    insert takes it in a fenced subquery: the plan computes the id in a node above (run after)
    the one that takes the lock."""
    engine = make_engine(pg_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            compiled = _INSERT_LOCKED.compile(dialect=conn.dialect)
            params = dict(compiled.params)
            params |= {
                "hall_id": 1,
                "kind": "ticket.issued",
                "at": local("2026-12-11 09:00"),
                "payload": "{}",
                "origin": "",
            }
            plan = [row[0] for row in conn.exec_driver_sql(f"EXPLAIN VERBOSE {compiled}", params)]
    finally:
        engine.dispose()
    draws = next(i for i, line in enumerate(plan) if "nextval" in line)
    locks = next(i for i, line in enumerate(plan) if "pg_advisory_xact_lock" in line)
    assert draws < locks, "\n".join(plan)
