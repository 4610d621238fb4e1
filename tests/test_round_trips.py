"""On PostgreSQL a write waits for the database as few times as its work allows (issue 14, item 1).

Friday 2026-12-11, 09:00, the demo hall on PostgreSQL: the kiosk issues two 不动产 transfers,
李华 (1001) at window 1 calls, starts and completes the first. Each request's connection is
traced (libpq's protocol trace) and its waits counted: a `Sync` is the client asking for
everything sent so far to be answered. The BEGIN goes with the first read; the reads whose
answers the work needs each wait; the writes after the last of them (the ticket's new state,
its history, the stored answer, the event) are sent with the COMMIT, in one wait
(store.pipeline).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from clerkdesk.api.client import HallClient
from clerkdesk.hall.unit_of_work import HallContext
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
    """The waits of the one connection, among those taken since `since`, that stored the
    request's answer (the event hub's reads go on other connections)."""
    writes = [
        path.read_text(errors="replace")
        for path in files[since:]
        if path.exists() and "idempotent_response" in path.read_text(errors="replace")
    ]
    assert len(writes) == 1, f"{len(writes)} connections stored an answer"
    return sum(1 for line in writes[0].splitlines() if "\tF\t4\tSync" in line)


async def test_a_counter_cycle_waits_for_the_database_once_after_its_reads(
    traced: list[Path], kiosk: HallClient, li_hua: HallClient
) -> None:
    """Issue: the BEGIN with the token check (and the key's stored answer), the service, the
    day's number, the new ticket's id, then the rest with the COMMIT (the hall calendar is read
    on the day's first ticket only: the second is counted). Call next: BEGIN and token, the
    window locked, its holder, the claim, then the rest. Start and complete: BEGIN and token,
    the ticket locked, its window's holder, then the rest (complete waits once more: the
    window's served day, migration 0013, is written by a statement not yet marked queued).
    Before, the BEGIN, each write and the COMMIT waited on their own (issue 7, call next 9,
    start and complete 7): change these numbers on purpose."""
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
    print("WAITS", waits)
    assert waits == [3, 2, 2, 2]
