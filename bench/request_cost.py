"""What one request costs the hall service: server CPU milliseconds and SQL statements.

    python bench/request_cost.py [--db URL] [--windows 50] [--rounds 4] [--json]

Wall-clock figures on a shared 2-core machine move by tens of per cent between runs; the CPU a
request costs the server process and the statements it runs hardly move at all, so they are what
to compare before and after a change to the write path.

- CPU: a real server process (as in server_load.py) answers each kind of request one at a time
  (windows x rounds of them); its user+system CPU time from /proc before and after, divided by
  the number of requests. The load client runs in this process, not the server's.
- Statements: the same requests against an app in this process (httpx ASGI transport, no
  socket), counting what SQLAlchemy sends to the database per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from clerkdesk.api.client import HallClient  # noqa: E402
from clerkdesk.clock import ScaledClock  # noqa: E402
from clerkdesk.hall.app import HallSettings, create_app  # noqa: E402
from clerkdesk.hall.store.engine import sqlite_url  # noqa: E402
from tests.load_helpers import (  # noqa: E402
    HALL_START,
    KIOSK,
    LOAD_PASSWORD,
    SERVICES,
    ServerProcess,
    clerk_no,
    seed_load_hall,
)

KINDS = ("ping", "issue", "call_next", "start", "complete")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


async def sign_in(url: str, windows: int, transport: Any = None) -> tuple[HallClient, list]:
    kiosk = HallClient(url, transport=transport, retry_delays=())
    await kiosk.login(KIOSK, LOAD_PASSWORD)
    clerks = []
    for n in range(1, windows + 1):
        clerk = HallClient(url, transport=transport, retry_delays=())
        await clerk.login(clerk_no(n), LOAD_PASSWORD)
        await clerk.sign_in(n)
        clerks.append(clerk)
    return kiosk, clerks


async def rounds(
    kiosk: HallClient,
    clerks: list[HallClient],
    count: int,
    measure: Callable[[str, Callable[[], Awaitable[None]]], Awaitable[None]],
) -> None:
    """Each kind of request windows x count times, measured kind by kind."""
    tickets: dict[int, int] = {}  # window -> the ticket called there this round
    for _ in range(count):

        async def ping() -> None:
            for clerk in clerks:
                await clerk.ping()

        async def issue() -> None:
            for i in range(len(clerks)):
                await kiosk.issue(SERVICES[i % len(SERVICES)])

        async def call() -> None:
            for n, clerk in enumerate(clerks, 1):
                tickets[n] = (await clerk.call_next(n)).id

        async def start() -> None:
            for n, clerk in enumerate(clerks, 1):
                await clerk.start(tickets[n])

        async def complete() -> None:
            for n, clerk in enumerate(clerks, 1):
                await clerk.complete(tickets[n])

        for kind, job in zip(KINDS, (ping, issue, call, start, complete), strict=True):
            await measure(kind, job)


async def cpu_costs(database_url: str, folder: Path, windows: int, count: int) -> dict[str, float]:
    server = ServerProcess.start(database_url, folder / "server.log")
    spent: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    try:
        kiosk, clerks = await sign_in(server.url, windows)
        pid = server.process.pid

        async def measure(kind: str, job: Callable[[], Awaitable[None]]) -> None:
            before = cpu_seconds(pid)
            await job()
            spent[kind] += cpu_seconds(pid) - before

        await rounds(kiosk, clerks, 1, lambda _k, job: job())  # warm up: caches, first plans
        await rounds(kiosk, clerks, count, measure)
        for client in (kiosk, *clerks):
            await client.aclose()
    finally:
        server.stop()
    return {kind: round(spent[kind] * 1000 / (windows * count), 2) for kind in KINDS}


async def statement_counts(database_url: str, windows: int, count: int) -> dict[str, float]:
    # An hour on from the CPU run's clock: the windows' last calls lie behind it.
    later = ScaledClock(HALL_START + timedelta(hours=1))
    app = create_app(HallSettings(database_url, clock=later))
    engine = app.state.hall.engine
    seen = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        seen[0] += 1

    transport = httpx.ASGITransport(app=app)
    kiosk, clerks = await sign_in("http://hall", windows, transport)
    totals: dict[str, int] = dict.fromkeys(KINDS, 0)

    async def measure(kind: str, job: Callable[[], Awaitable[None]]) -> None:
        before = seen[0]
        await job()
        totals[kind] += seen[0] - before

    await rounds(kiosk, clerks, 1, lambda _k, job: job())
    await rounds(kiosk, clerks, count, measure)
    for client in (kiosk, *clerks):
        await client.aclose()
    engine.dispose()
    return {kind: round(totals[kind] / (windows * count), 2) for kind in KINDS}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="database URL (default: a SQLite temp file); give an empty one")
    p.add_argument("--windows", type=int, default=50)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--json", action="store_true", help="print only the JSON result line")
    args = p.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="clerkdesk-cost-"))
    try:
        url = args.db or sqlite_url(folder / "cost.sqlite3")
        seed_load_hall(url, HALL_START, args.windows)
        cpu = asyncio.run(cpu_costs(url, folder, args.windows, args.rounds))
        statements = asyncio.run(statement_counts(url, args.windows, args.rounds))
        result = {
            "backend": make_url(url).get_backend_name(),
            "cpu_ms": cpu,
            "statements": statements,
            "load_1min": os.getloadavg()[0],
        }
        print(json.dumps(result))
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
