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
- Call next with a long queue (`queue_call_next`): two more halls in the same database, each
  with one window serving three services; 100 tickets wait for the one, 10,000 for the other
  (bulk-inserted: mostly normal, 2 % green channel, 1 % appointments). The two clerks call
  next in alternating blocks, each call followed (unmeasured) by start, complete and a kiosk
  issue that keeps the queue at its length. Per
  call: the server process's CPU and, on PostgreSQL, that of the database backends serving it
  (exact: /proc/[pid]/task/*/schedstat), and the wall time; `ratio` is the long queue's over
  the short one's (target <= 1.5).
- `machine`: steal and other processes' CPU during each part (bench/machine.py).
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
from time import perf_counter
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.machine import Machine, postgres_backends, process_run_ns  # noqa: E402
from clerkdesk.api.client import HallClient  # noqa: E402
from clerkdesk.clock import ScaledClock  # noqa: E402
from clerkdesk.hall.app import HallSettings, create_app  # noqa: E402
from clerkdesk.hall.setup import hall_file  # noqa: E402
from clerkdesk.hall.store import pipeline, tables  # noqa: E402
from clerkdesk.hall.store.engine import make_engine, sqlite_url  # noqa: E402
from tests.load_helpers import (  # noqa: E402
    HALL_START,
    KIOSK,
    LOAD_PASSWORD,
    SERVICES,
    ServerProcess,
    clerk_no,
    seed_load_hall,
)

KINDS = ("ping", "issue", "counter", "call_next", "start", "complete")
"""`counter`: GET /windows/{n}/counter, what a workstation reads again after an event that
touches its window (the window, its ticket, the queue of its services)."""


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of the process so far, to the nanosecond (/proc/stat's ticks
    are 10 ms: a request is a fraction of one)."""
    return process_run_ns(pid) / 1e9


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

        async def counter() -> None:
            for n, clerk in enumerate(clerks, 1):
                await clerk.counter(n)

        async def call() -> None:
            for n, clerk in enumerate(clerks, 1):
                tickets[n] = (await clerk.call_next(n)).id

        async def start() -> None:
            for n, clerk in enumerate(clerks, 1):
                await clerk.start(tickets[n])

        async def complete() -> None:
            for n, clerk in enumerate(clerks, 1):
                await clerk.complete(tickets[n])

        jobs = (ping, issue, counter, call, start, complete)
        for kind, job in zip(KINDS, jobs, strict=True):
            await measure(kind, job)


async def cpu_costs(
    database_url: str, folder: Path, windows: int, count: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Server CPU ms per request of each kind, and (PostgreSQL) the database backends' CPU ms
    spent meanwhile: the server's pool connections, its event hub's reads included."""
    server = ServerProcess.start(database_url, folder / "server.log")
    spent: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    spent_db: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    backends = postgres_backends(database_url)
    try:
        kiosk, clerks = await sign_in(server.url, windows)
        pid = server.process.pid

        async def measure(kind: str, job: Callable[[], Awaitable[None]]) -> None:
            db = backends()
            before, before_db = cpu_seconds(pid), sum(process_run_ns(b) for b in db)
            await job()
            spent[kind] += cpu_seconds(pid) - before
            spent_db[kind] += (sum(process_run_ns(b) for b in db) - before_db) / 1e9

        await rounds(kiosk, clerks, 1, lambda _k, job: job())  # warm up: caches, first plans
        await rounds(kiosk, clerks, count, measure)
        for client in (kiosk, *clerks):
            await client.aclose()
    finally:
        server.stop()
    n = windows * count
    return (
        {kind: round(spent[kind] * 1000 / n, 2) for kind in KINDS},
        {kind: round(spent_db[kind] * 1000 / n, 2) for kind in KINDS},
    )


async def statement_counts(database_url: str, windows: int, count: int) -> dict[str, float]:
    # An hour on from the CPU run's clock: the windows' last calls lie behind it.
    later = ScaledClock(HALL_START + timedelta(hours=1))
    app = create_app(HallSettings(database_url, clock=later))
    engine = app.state.hall.engine
    seen = [0]

    @event.listens_for(engine, "after_cursor_execute")
    def _count(_conn: Any, cursor: Any, _sql: str, _params: Any, context: Any, _many: bool) -> None:
        if not pipeline.served_ahead(context, cursor):  # its statement went with an earlier one
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


# --- call next with a long queue -----------------------------------------------------------

QUEUE_LENGTHS = (100, 10_000)
"""Tickets waiting for the one window of each queue hall."""


def queue_hall(length: int) -> str:
    return f"queue{length}"


def queue_staff(length: int) -> tuple[str, str]:
    """The clerk's and the kiosk's staff numbers (staff numbers are the database's, not a
    hall's)."""
    return (f"Q{length}", f"QK{length}")


def queue_services(length: int) -> tuple[str, ...]:
    return tuple(f"q{length}-{part}" for part in "abc")


def seed_queue_halls(url: str) -> None:
    """A hall per queue length, in the same database as the load hall: one window serving
    three services, its clerk and a kiosk. Separate halls, so that neither queue's tickets are
    the other's to read (a hall's claim reads its own waiting tickets only)."""
    engine = make_engine(url)
    try:
        for length in QUEUE_LENGTHS:
            clerk, kiosk = queue_staff(length)
            raw: dict[str, Any] = {
                "hall": {"code": queue_hall(length), "name": f"长队 {length}"}
                | {"min_call_interval_s": 0},
                "departments": [{"code": "q", "name": "长队"}],
                "services": [
                    {"code": code, "name": f"排队 {code}", "department": "q", "prefix": "QRS"[i]}
                    for i, code in enumerate(queue_services(length))
                ],
                "windows": [
                    {"number": 1, "label": "1号窗口", "department": "q"}
                    | {"services": list(queue_services(length))}
                ],
                "staff": [
                    {"staff_no": clerk, "name": f"长队{length}", "department": "q"}
                    | {"password": LOAD_PASSWORD},
                    {"staff_no": kiosk, "name": "取号机", "roles": ["kiosk"]}
                    | {"password": LOAD_PASSWORD},
                ],
            }
            spec = hall_file.parse_hall(raw, f"queue hall {length}")
            with Session(engine) as session, session.begin():
                hall_file.import_hall(session, spec, HALL_START)
    finally:
        engine.dispose()


def fill_queues(url: str) -> None:
    """Each queue hall's tickets waiting, inserted in bulk, queued over the hour before
    HALL_START (2 % green channel, 1 % appointments, the rest normal); the services' counters
    continue after them."""
    engine = make_engine(url)
    t, s, counter = tables.ticket, tables.service, tables.ticket_counter
    day = HALL_START.date()
    try:
        with engine.begin() as conn:
            for length in QUEUE_LENGTHS:
                hall_id = conn.scalar(
                    select(tables.hall.c.id).where(tables.hall.c.code == queue_hall(length))
                )
                codes = queue_services(length)
                found = conn.execute(select(s.c.code, s.c.id).where(s.c.hall_id == hall_id))
                ids = {code: service_id for code, service_id in found}
                rows = []
                for i in range(length):
                    k = i % len(codes)
                    number = i // len(codes) + 1
                    queued = HALL_START - timedelta(seconds=3600 * (length - i) / length)
                    priority, slot = "normal", None
                    if i % 50 == 7:
                        priority = "green_channel"
                    elif i % 100 == 13:
                        priority, slot = "appointment", HALL_START + timedelta(hours=i % 2 - 0.5)
                    rows.append(
                        {
                            "hall_id": hall_id,
                            "service_id": ids[codes[k]],
                            "issued_service_id": ids[codes[k]],
                            "number": number,
                            "code": f"{'QRS'[k]}{number:04d}",
                            "local_date": day,
                            "status": "waiting",
                            "priority": priority,
                            "appointment_at": slot,
                            "issued_at": queued,
                            "queue_at": queued,
                            "recall_count": 0,
                            "notes": "",
                            "handoff_count": 0,
                            "chain_departments": "",
                        }
                    )
                conn.execute(t.insert(), rows)
                for code in codes:
                    last = (length + len(codes) - 1) // len(codes)
                    values = {"service_id": ids[code], "local_date": day, "last_number": last}
                    conn.execute(counter.insert().values(**values))
            if engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE ticket"))
    finally:
        engine.dispose()


async def queue_call_next(
    database_url: str, folder: Path, blocks: int, per_block: int, machine: Machine
) -> dict[str, Any]:
    seed_queue_halls(database_url)
    fill_queues(database_url)
    # The hall watcher's pass reads every hall's figures (10,000 waiting tickets here): not
    # what a call costs, and it would land inside whichever call it met.
    server = ServerProcess.start(database_url, folder / "queue-server.log", watch_every_s=3600)
    backends = postgres_backends(database_url)
    spent: dict[int, dict[str, Any]] = {
        n: {"server_ms": 0.0, "database_ms": 0.0, "wall_ms": [], "ping_ms": 0.0}
        for n in QUEUE_LENGTHS
    }
    counted = dict.fromkeys(QUEUE_LENGTHS, 0)
    kiosks: dict[int, HallClient] = {}
    clerks: dict[int, HallClient] = {}
    first = machine.sample()
    try:
        for n in QUEUE_LENGTHS:
            clerk_no_, kiosk_no = queue_staff(n)
            kiosks[n] = HallClient(server.url, retry_delays=())
            await kiosks[n].login(kiosk_no, LOAD_PASSWORD)
            clerks[n] = HallClient(server.url, retry_delays=())
            await clerks[n].login(clerk_no_, LOAD_PASSWORD)
            await clerks[n].sign_in(1)
        pid = server.process.pid

        async def one(length: int, k: int, measure: bool) -> None:
            clerk = clerks[length]
            db = backends()
            ping_before = process_run_ns(pid)
            await clerk.ping()  # the control: a request that reads no queue
            ping_ns = process_run_ns(pid) - ping_before
            before = (process_run_ns(pid), sum(process_run_ns(b) for b in db), perf_counter())
            ticket = await clerk.call_next(1)
            after = (process_run_ns(pid), sum(process_run_ns(b) for b in db), perf_counter())
            if measure:
                figures = spent[length]
                figures["server_ms"] += (after[0] - before[0]) / 1e6
                figures["database_ms"] += (after[1] - before[1]) / 1e6
                figures["wall_ms"].append((after[2] - before[2]) * 1000)
                figures["ping_ms"] += ping_ns / 1e6
                counted[length] += 1
            await clerk.start(ticket.id)
            await clerk.complete(ticket.id)
            codes = queue_services(length)
            await kiosks[length].issue(codes[k % len(codes)])  # the queue keeps its length

        for n in QUEUE_LENGTHS:  # warm up: plans, caches, the pool's connections
            for k in range(per_block):
                await one(n, k, measure=False)
        for block in range(blocks):
            order = QUEUE_LENGTHS if block % 2 == 0 else tuple(reversed(QUEUE_LENGTHS))
            for n in order:
                for k in range(per_block):
                    await one(n, k, measure=True)
    finally:
        for client in (*kiosks.values(), *clerks.values()):
            await client.aclose()
        server.stop()
    machine.record("queue_call_next", first)
    result: dict[str, Any] = {}
    for length in QUEUE_LENGTHS:
        figures, calls = spent[length], max(1, counted[length])
        walls = sorted(figures["wall_ms"])
        result[str(length)] = {
            "calls": counted[length],
            "server_cpu_ms": round(figures["server_ms"] / calls, 3),
            "database_cpu_ms": round(figures["database_ms"] / calls, 3),
            "cpu_ms": round((figures["server_ms"] + figures["database_ms"]) / calls, 3),
            "wall_p50_ms": round(walls[len(walls) // 2], 3) if walls else None,
            "ping_server_cpu_ms": round(figures["ping_ms"] / calls, 3),
        }
    short, long = (result[str(n)] for n in QUEUE_LENGTHS)
    result["ratio_cpu"] = round(long["cpu_ms"] / max(1e-9, short["cpu_ms"]), 2)
    result["ratio_wall_p50"] = round(long["wall_p50_ms"] / max(1e-9, short["wall_p50_ms"]), 2)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="database URL (default: a SQLite temp file); give an empty one")
    p.add_argument("--windows", type=int, default=50)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--queue-blocks", type=int, default=6, help="alternating blocks per queue")
    p.add_argument("--queue-calls", type=int, default=20, help="calls per block")
    p.add_argument("--only-queue", action="store_true", help="only call next with a long queue")
    p.add_argument("--json", action="store_true", help="print only the JSON result line")
    args = p.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="clerkdesk-cost-"))
    try:
        url = args.db or sqlite_url(folder / "cost.sqlite3")
        machine = Machine(extra=postgres_backends(url))
        seed_load_hall(url, HALL_START, args.windows)
        result: dict[str, Any] = {"backend": make_url(url).get_backend_name()}
        if not args.only_queue:
            with machine.phase("cpu"):
                cpu, database = asyncio.run(cpu_costs(url, folder, args.windows, args.rounds))
            result["cpu_ms"] = cpu
            if result["backend"] == "postgresql":
                result["database_cpu_ms"] = database
            with machine.phase("statements"):
                result["statements"] = asyncio.run(statement_counts(url, args.windows, args.rounds))
        result["queue_call_next"] = asyncio.run(
            queue_call_next(url, folder, args.queue_blocks, args.queue_calls, machine)
        )
        result["machine"] = machine.phases
        result["load_1min"] = os.getloadavg()[0]
        print(json.dumps(result))
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
