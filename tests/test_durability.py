"""Durability, as a day at a city hall can break it: the server process killed with SIGKILL in
the middle of the morning, and PostgreSQL away for a while.

Friday 2026-12-11, 10:00, the load hall: the kiosk (LK1) issues on two lanes, the clerks of
windows 1-4 call, start and complete, and the duty lead (LL1) watches the event stream. Then
the server dies (`kill -9`) and is started again on the same database and port. Whatever the
hall acknowledged is there; no ticket was called twice, no number was given twice (before the
crash or after it), and the lead's stream, reconnecting with Last-Event-ID, has every event of
the hall exactly once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.events import EventSubscription
from clerkdesk.api.schemas import EventKind, TicketOut
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from tests.load_helpers import (
    _SERVE,
    HALL_START,
    KIOSK,
    LEAD,
    LOAD_PASSWORD,
    ROOT,
    SERVICES,
    Follower,
    ServerProcess,
    audit_hall,
    clerk_no,
    free_port,
    seed_load_hall,
)

WINDOWS = 4
BEFORE_KILL = 30  # tickets the kiosk has been answered for when the server is killed
AFTER_RESTART = 20  # tickets issued after the restart
MOST = 400  # a bound on each lane, whatever the speed of the machine
AT_COUNTER = tuple(
    f"is {state} with 0 terminal steps; its history says {state}" for state in ("called", "serving")
)


def start_on(database_url: str, port: int, log: Path) -> ServerProcess:
    """`ServerProcess.start`, on a port chosen by the test: a restart keeps the address, so
    that the clients (and the event stream) find the hall where it was."""
    command = [sys.executable, "-c", _SERVE, database_url, str(port), HALL_START.isoformat()]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hall service exited:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the hall service did not answer:\n{server.output()}")


class Morning:
    """The clients of the load hall and what the hall acknowledged to them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.kiosk = HallClient(url, retry_delays=())
        self.lead = HallClient(url, retry_delays=())
        self.clerks = [HallClient(url, retry_delays=()) for _ in range(WINDOWS)]
        self.issued: list[TicketOut] = []
        self.called: list[TicketOut] = []
        self.completed: list[TicketOut] = []
        self.unanswered = 0  # requests the hall died under (done or not: in doubt)

    async def sign_in(self) -> None:
        await self.kiosk.login(KIOSK, LOAD_PASSWORD)
        await self.lead.login(LEAD, LOAD_PASSWORD)
        for n, clerk in enumerate(self.clerks, 1):
            await clerk.login(clerk_no(n), LOAD_PASSWORD)
            await clerk.sign_in(n)

    async def issuing(self, until: int) -> None:
        """One kiosk lane, until `until` tickets are acknowledged or the hall goes away."""
        for i in range(MOST):
            if len(self.issued) >= until:
                return
            try:
                self.issued.append(await self.kiosk.issue(SERVICES[i % len(SERVICES)]))
            except errors.HallUnreachable:
                self.unanswered += 1
                return

    async def serving(self, window: int, stop: asyncio.Event) -> None:
        """A clerk calls, starts and completes until `stop`, or the hall goes away. After a
        restart, a ticket already in hand (its call answered or not) is finished first."""
        clerk = self.clerks[window - 1]
        try:
            current = (await clerk.counter(window)).current
            while not stop.is_set() or current is not None:
                if current is None:
                    try:
                        current = await clerk.call_next(window)
                    except errors.ApiError:  # nobody waiting just now
                        await asyncio.sleep(0.02)
                        continue
                    self.called.append(current)
                if current.status.value == "called":
                    current = await clerk.start(current.id)
                self.completed.append(await clerk.complete(current.id))
                current = None
        except errors.HallUnreachable:
            self.unanswered += 1

    async def day(self, until: int) -> None:
        stop = asyncio.Event()
        clerks = [asyncio.create_task(self.serving(n, stop)) for n in range(1, WINDOWS + 1)]
        await asyncio.gather(self.issuing(until), self.issuing(until))
        stop.set()
        await asyncio.wait_for(asyncio.gather(*clerks), 60)

    async def aclose(self) -> None:
        for client in (self.kiosk, self.lead, *self.clerks):
            await client.aclose()


async def until_killed(morning: Morning, server: ServerProcess) -> None:
    """The load runs; once BEFORE_KILL tickets are acknowledged, SIGKILL, whatever is in
    flight (the kiosk lanes and the clerks are mid-request)."""
    load = asyncio.create_task(morning.day(MOST))
    while len(morning.issued) < BEFORE_KILL and not load.done():
        await asyncio.sleep(0.005)
    server.process.kill()
    server.process.wait(10)
    await asyncio.wait_for(load, 60)


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
async def test_a_hall_killed_mid_morning_keeps_every_answer_and_repeats_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = sqlite_url(tmp_path / "hall.sqlite3")
    else:
        url = request.getfixturevalue("pg_url")
    seed_load_hall(url, HALL_START, WINDOWS)
    port = free_port()
    log = tmp_path / "server.log"
    server = start_on(url, port, log)
    morning = Morning(server.url)
    follower: Follower | None = None
    try:
        await morning.sign_in()
        follower = await Follower(
            EventSubscription(morning.lead, after=0, backoff=(0.1, 0.2, 0.5))
        ).start()

        await until_killed(morning, server)
        answered_before = len(morning.issued)
        assert answered_before >= BEFORE_KILL

        server = start_on(url, port, log)  # same database, same address
        await morning.day(answered_before + AFTER_RESTART)

        engine = make_engine(url)
        try:
            audit = audit_hall(engine)
        finally:
            engine.dispose()
        newest = max(audit.event_ids)
        await follower.until(newest, timeout=30)
        received = list(follower.received)
    finally:
        if follower is not None:
            await follower.close()
        await morning.aclose()
        server.stop()

    # Every ticket the kiosk was answered for exists, as answered; every answered call too.
    assert len(morning.issued) >= answered_before + AFTER_RESTART
    assert {t.id for t in morning.issued} <= set(audit.calls)
    assert all(audit.calls[t.id] >= 1 for t in morning.called)
    assert audit.terminal >= len(morning.completed)
    # Nobody called twice; every history replays; numbers unique over the whole day.
    assert audit.double_calls == 0
    assert [p for p in audit.problems if not p.endswith(AT_COUNTER)] == []
    codes = Counter(t.code for t in morning.issued)
    assert [code for code, n in codes.items() if n > 1] == []
    assert len(codes) == len(morning.issued)
    # The lead's stream: every event of the hall once, in order, across the crash.
    ids = [event.id for event in received]
    assert ids == sorted(set(ids)), "an event repeated or came out of order"
    assert ids == audit.event_ids, "the stream missed events"
    assert any(not status.connected for status in follower.statuses)  # it did reconnect
    assert morning.unanswered >= 1  # the kill did land mid-request


# --- PostgreSQL away for a while -------------------------------------------------------------


class Cable:
    """A TCP proxy between the hall and PostgreSQL that the test can cut: while cut, every
    connection through it is dropped and new ones are refused, as when the database host
    restarts or the network between them fails."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def connect(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._open.update((writer, up_writer))

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
        self._open.difference_update((writer, up_writer))


@pytest.mark.slow
@pytest.mark.postgres
async def test_postgresql_away_for_a_while_gets_503_and_the_hall_comes_back_by_itself(
    pg_url: str, tmp_path: Path
) -> None:
    seed_load_hall(pg_url, HALL_START, 1)
    real = make_url(pg_url)
    cable = Cable(real.host or "127.0.0.1", real.port or 5432)
    await cable.connect()
    through = real.set(host="127.0.0.1", port=cable.port).render_as_string(hide_password=False)
    # Started and stopped off the event loop: the cable is served by this loop.
    server = await asyncio.to_thread(start_on, through, free_port(), tmp_path / "server.log")
    kiosk = HallClient(server.url, retry_delays=())
    lead = HallClient(server.url, retry_delays=())
    follower: Follower | None = None
    try:
        await kiosk.login(KIOSK, LOAD_PASSWORD)
        await lead.login(LEAD, LOAD_PASSWORD)
        follower = await Follower(EventSubscription(lead, after=0, backoff=(0.1, 0.2, 0.5))).start()
        first = await kiosk.issue(SERVICES[0])

        await cable.cut()
        refusals = []
        for _ in range(3):  # a pooled connection that died, then a connection refused
            with pytest.raises(errors.ApiError) as refused:
                await kiosk.issue(SERVICES[0])
            refusals.append((refused.value.status, refused.value.code))
        with pytest.raises(errors.ApiError) as reading:
            await kiosk.ticket(first.id)
        refusals.append((reading.value.status, reading.value.code))
        assert set(refusals) == {(503, "database_unavailable")}

        await cable.connect()
        back: TicketOut | None = None
        for _ in range(100):  # bounded: the hall needs nobody to restart it
            try:
                back = await kiosk.issue(SERVICES[0])
                break
            except errors.ApiError as exc:
                assert (exc.status, exc.code) == (503, "database_unavailable")
                await asyncio.sleep(0.1)
        assert back is not None, "the hall did not come back by itself"
        assert back.code != first.code
        assert (await kiosk.ticket(first.id)).code == first.code

        # The event stream goes on too: the lead sees the ticket issued after the outage.
        async def issued(ticket_id: int) -> None:
            while True:
                event = await follower.next(timeout=30)
                ticket = event.ticket
                if event.kind is EventKind.ticket_issued and ticket and ticket.id == ticket_id:
                    return

        await asyncio.wait_for(issued(back.id), 30)
    finally:
        if follower is not None:
            await follower.close()
        await kiosk.aclose()
        await lead.aclose()
        await asyncio.to_thread(server.stop)
        with contextlib.suppress(Exception):
            await cable.cut()
