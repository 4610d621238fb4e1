"""On PostgreSQL a write waits for the database as few times as its work allows (issue 14, item 1).

Friday 2026-12-11, 09:00, the demo hall on PostgreSQL: the kiosk issues two 不动产 transfers,
李华 (1001) at window 1 calls, starts and completes the first. Each request's connection is
traced (libpq's protocol trace) and its waits counted: a `Sync` is the client asking for
everything sent so far to be answered. The BEGIN goes with the token check and the work's
first reads, sent ahead of it; the writes after the last read (the ticket's new state, its
history, the stored answer, the event) are sent with the COMMIT, in one wait (store.pipeline).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import TicketStatus
from clerkdesk.hall.store import pipeline
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.tickets import sql as q
from clerkdesk.hall.unit_of_work import HallContext
from clerkdesk.hall.windows import held
from tests.conftest import RunningHall

pytestmark = pytest.mark.postgres


@pytest.fixture
def hall(pg_hall: RunningHall) -> RunningHall:
    """The demo hall on PostgreSQL (the kiosk and 李华 sign in there)."""
    return pg_hall


@pytest.fixture
def traced(hall: RunningHall, tmp_path: Path) -> Iterator[list[Path]]:
    """Every connection the hall takes from its pool, traced into a file of its own."""
    context = hall.server.server.config.app.state.hall
    assert isinstance(context, HallContext)
    files: list[Path] = []
    open_files: dict[int, int] = {}

    def checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        path = tmp_path / f"trace-{len(files)}.txt"
        files.append(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        open_files[id(dbapi_conn)] = fd
        dbapi_conn.pgconn.trace(fd)

    def checkin(dbapi_conn: Any, _record: Any) -> None:
        fd = open_files.pop(id(dbapi_conn), None)
        if fd is not None:
            dbapi_conn.pgconn.untrace()
            os.close(fd)

    event.listen(context.engine, "checkout", checkout)
    event.listen(context.engine, "checkin", checkin)
    try:
        yield files
    finally:
        event.remove(context.engine, "checkout", checkout)
        event.remove(context.engine, "checkin", checkin)


def waits_of_the_write(files: list[Path], since: int) -> int:
    """The waits of the one write among the connections taken since `since`. A write runs in
    a pipeline, all in the extended protocol; the event hub's reads begin with a simple `Query`.
    (Not found by its SQL: psycopg prepares a statement run five times on a connection, and
    then sends only its name.)"""
    traces = [path.read_text(errors="replace") for path in files[since:] if path.exists()]
    writes = [t for t in traces if _SYNC in t and not re.search(r"\tF\t\d+\tQuery\t", t)]
    taken = [(path.name, path.stat().st_size if path.exists() else None) for path in files]
    assert len(writes) == 1, f"{len(writes)} writes among the connections {since}-: {taken}"
    return writes[0].count(_SYNC)


_SYNC = "\tF\t4\tSync"


async def test_a_counter_cycle_waits_for_the_database_once_for_its_reads(
    traced: list[Path], kiosk: HallClient, li_hua: HallClient
) -> None:
    """The first wait carries the BEGIN, the token check (with the key's stored answer and
    lock) and the work's first reads, sent ahead of it (store.pipeline.send_ahead); the last
    carries the writes and the COMMIT. Issue: the service with the token; the day's number and
    the new ticket's id in one statement (the hall calendar is read on the day's first ticket
    only: the second is counted). Call next: the window locked, its holder and the claim with
    the token. Start and complete: the ticket locked and its window's holder with the token
    (complete's served day goes with the COMMIT). Before: issue 5, call next 5, start 4,
    complete 5 (and 7, 9, 7, 7 before the pipeline): change these numbers on purpose."""
    await kiosk.issue("bdc-transfer")
    waits = []
    for request in (
        lambda: kiosk.issue("bdc-transfer"),
        lambda: li_hua.call_next(1),
    ):
        since = len(traced)
        ticket = await request()
        waits.append(waits_of_the_write(traced, since))
    for request in (lambda: li_hua.start(ticket.id), lambda: li_hua.complete(ticket.id)):
        since = len(traced)
        await request()
        waits.append(waits_of_the_write(traced, since))
    assert waits == [3, 2, 2, 2]


# --- reads sent ahead (store.pipeline.send_ahead) ----------------------------------------------


def syncs(path: Path) -> int:
    return path.read_text(errors="replace").count(_SYNC)


def test_a_read_sent_ahead_comes_back_with_the_next_wait_and_serves_only_the_same_read(
    pg_url: str, tmp_path: Path
) -> None:
    """Three reads sent ahead come back in the first wait. A read of the same name but other
    values runs as usual (its own wait), as does one of a name never sent; one sent and never
    asked for is closed with the write."""
    engine = make_engine(pg_url)
    read = text("SELECT CAST(:a AS integer) AS a")
    trace = tmp_path / "trace.txt"
    got = []
    try:
        with engine.connect() as conn:
            fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            conn.connection.driver_connection.pgconn.trace(fd)  # type: ignore[union-attr]
            with conn.begin(), pipeline.one_trip(conn):
                for name, a in (("one", 1), ("two", 2), ("three", 3), ("unused", 9)):
                    pipeline.send_ahead(conn, name, read, {"a": a})
                for name, a in (("one", 1), ("two", 5), ("three", 3), ("four", 4)):
                    got.append(conn.execute(read, {"a": a}, **_ahead(name)).scalar_one())
                    got.append(syncs(trace))
            conn.connection.driver_connection.pgconn.untrace()  # type: ignore[union-attr]
            os.close(fd)
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
    assert got == [1, 1, 5, 2, 3, 2, 4, 3]
    assert syncs(trace) == 4  # and the COMMIT's


def test_an_error_in_a_read_sent_ahead_rolls_the_write_back(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (a integer)"))
            conn.commit()
            with pytest.raises(DBAPIError), conn.begin(), pipeline.one_trip(conn):
                conn.execute(pipeline.queued(text("INSERT INTO t VALUES (1)")))
                pipeline.send_ahead(conn, "bad", text("SELECT 1 / CAST(:z AS integer)"), {"z": 0})
                conn.execute(text("SELECT 1"))
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
            conn.rollback()
    finally:
        engine.dispose()


def _ahead(name: str) -> dict[str, Any]:
    return {"execution_options": pipeline.ahead(name)}


@pytest.mark.parametrize(
    ("ahead", "statement"),
    [
        (q.SERVICE_BY_CODE_AHEAD, q.SERVICE_BY_CODE),
        (q.TICKET_LOCKED_AHEAD, q.TICKET_LOCKED),
        (q.WINDOW_HOLDER_AHEAD, q.WINDOW_HOLDER),
        (q.CLAIM_AHEAD, q.claim("postgresql")),
        (held.WINDOW_LOCKED_AHEAD, held.WINDOW_LOCKED),
        (held.HOLDER_AND_IN_HAND_AHEAD, held.HOLDER_AND_IN_HAND),
    ],
)
def test_a_read_sent_ahead_gives_its_statement_s_columns(ahead: Any, statement: Any) -> None:
    """The work reads the rows of a read sent ahead as its own statement's: same columns."""
    assert [c.name for c in ahead.selected_columns] == [c.name for c in statement.selected_columns]
    assert not {"hall_id", "window_id"} & set(ahead.compile().params)  # known before the work


async def test_the_other_moves_at_the_counter_send_their_reads_ahead_too(
    hall: RunningHall, traced: list[Path], kiosk: HallClient, li_hua: HallClient
) -> None:
    """Recall, no-show, reinstate, park and the kiosk's cancel of a ticket it could not print:
    their ticket (and for the moves at a window, its holder) go with the token check. A no-show
    also reads the hall's policy, a reinstate the policy and the front of the queue, a park to
    the back the back of the queue, the kiosk's cancel who issued the ticket, each a wait."""
    first = await kiosk.issue("bdc-transfer")
    await li_hua.call_next(1)
    waits = {}

    async def counted(name: str, request: Any) -> Any:
        since = len(traced)
        answer = await request
        waits[name] = waits_of_the_write(traced, since)
        return answer

    hall.clock.advance(seconds=30)
    await counted("recall", li_hua.recall(first.id))
    hall.clock.advance(seconds=30)
    gone = await counted("no_show", li_hua.no_show(first.id, "叫号两次未到"))
    back = await counted("reinstate", li_hua.reinstate(first.id, "群众返回"))
    hall.clock.advance(seconds=5)
    await li_hua.call_next(1)
    parked = await counted("park", li_hua.park(first.id))
    misprinted = await kiosk.issue("bdc-transfer")
    cancelled = await counted("cancel", kiosk.cancel(misprinted.id, "打印失败"))
    assert (gone.status, back.status, parked.status, cancelled.status) == (
        TicketStatus.no_show,
        TicketStatus.waiting,
        TicketStatus.waiting,
        TicketStatus.cancelled,
    )
    assert waits == {"recall": 2, "no_show": 3, "reinstate": 4, "park": 3, "cancel": 3}
