"""Two `clerkdesk serve` processes on one PostgreSQL: a change made through one reaches the
subscribers of the other, and a screen that comes back to the other process with Last-Event-ID
gets exactly what it missed, in order. The processes run on the system clock, so tickets are
issued by the duty lead (the kiosk's opening hours do not bind a lead)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from clerkdesk.api.client import HallClient
from clerkdesk.api.events import EventSubscription
from clerkdesk.api.schemas import EventKind
from clerkdesk.clock import SystemClock
from clerkdesk.demo import DEMO_PASSWORD
from tests.conftest import seed_demo_hall
from tests.load_helpers import Follower

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServeProcess:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(name: str, database_url: str, folder: Path) -> ServeProcess:
    port = _free_port()
    log = folder / f"serve-{name}.log"
    command = [
        sys.executable,
        "-m",
        "clerkdesk.cli",
        "serve",
        "--db",
        database_url,
        "--port",
        str(port),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    return ServeProcess(name, process, f"http://127.0.0.1:{port}", log)


def _wait_until_healthy(server: ServeProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server {server.name} exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"server {server.name} did not answer /healthz in {timeout:g} s:\n{server.output()}"
    )


def _stop(server: ServeProcess) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(10)


@pytest.fixture(scope="module")
def two_servers(
    postgres_admin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Processes A and B, both serving the demo hall from one fresh PostgreSQL database."""
    name = f"clerkdesk_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = f"{postgres_admin.rsplit('/', 1)[0]}/{name}"
    folder = tmp_path_factory.mktemp("two-servers")
    servers: list[ServeProcess] = []
    try:
        seed_demo_hall(database_url, SystemClock().now())
        servers = [_serve("A", database_url, folder), _serve("B", database_url, folder)]
        for server in servers:
            _wait_until_healthy(server)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            _stop(server)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
async def lead_at(
    two_servers: tuple[ServeProcess, ServeProcess],
) -> AsyncIterator[tuple[HallClient, HallClient]]:
    """张伟, the duty lead, signed in through A and through B."""
    clients = [HallClient(server.url) for server in two_servers]
    for client in clients:
        await client.login("2001", DEMO_PASSWORD)
    yield clients[0], clients[1]
    for client in clients:
        await client.aclose()


async def test_a_ticket_issued_through_one_process_reaches_a_display_on_the_other(
    lead_at: tuple[HallClient, HallClient],
) -> None:
    via_a, via_b = lead_at
    display_on_b = await Follower(EventSubscription(via_b)).start()
    try:
        ticket = await via_a.issue("hukou")
        event = await display_on_b.next(timeout=10)
        assert event.kind == EventKind.ticket_issued
        assert event.ticket is not None and event.ticket.id == ticket.id

        # And the other way round.
        display_on_a = await Follower(EventSubscription(via_a)).start()
        other = await via_b.issue("hukou")
        for display in (display_on_a, display_on_b):
            seen = await display.next(timeout=10)
            assert seen.ticket is not None and seen.ticket.id == other.id
        await display_on_a.close()
    finally:
        await display_on_b.close()


async def test_a_screen_that_comes_back_to_the_other_process_gets_exactly_what_it_missed(
    lead_at: tuple[HallClient, HallClient],
) -> None:
    via_a, via_b = lead_at
    screen = await Follower(EventSubscription(via_a)).start()
    await via_a.issue("bdc-transfer")
    last_seen = await screen.next(timeout=10)
    await screen.close()

    # While the screen is away, changes go through both processes.
    missed = [
        await via_a.issue("bdc-transfer"),
        await via_b.issue("hukou"),
        await via_a.issue("bdc-mortgage"),
    ]
    cancelled = await via_b.cancel(missed[0].id, reason="群众放弃办理")

    back_on_b = await Follower(EventSubscription(via_b, after=last_seen.id)).start()
    try:
        replayed = await back_on_b.take(4, timeout=10)
        assert [(e.kind, e.ticket.id if e.ticket else None) for e in replayed] == [
            (EventKind.ticket_issued, missed[0].id),
            (EventKind.ticket_issued, missed[1].id),
            (EventKind.ticket_issued, missed[2].id),
            (EventKind.ticket_cancelled, cancelled.id),
        ]
        ids = [last_seen.id, *(e.id for e in replayed)]
        assert ids == sorted(set(ids))
        marker = await via_a.issue("hukou")
        following = await back_on_b.next(timeout=10)
        assert following.ticket is not None and following.ticket.id == marker.id
    finally:
        await back_on_b.close()
