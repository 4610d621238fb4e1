"""Events across server processes: a write through one server process, seen by an SSE client of
another, how soon, and whether any event went missing.

    python bench/fanout.py --db postgresql+psycopg://postgres@127.0.0.1:5432/fanout [--rate 50]
        [--duration 10] [--clerks 10] [--subscribers 1] [--json]

Two hall service processes on one PostgreSQL database (what `clerkdesk serve --workers 2` runs,
each with its own event hub, here on two ports so that the writer and the readers are sure to
reach different ones): A takes every write, B serves the event stream. The writers (this
process) are a kiosk issuing tickets and `--clerks` clerks calling, starting and completing
them, paced at `--rate` writes a second for `--duration` seconds (open loop, as in
server_load.py). The subscribers are the duty lead's event stream on B, each in a process of its
own, started from the last event before the writes (Last-Event-ID).

A commit on A sends a NOTIFY (in the event's insert); B's hub, LISTENing, reads the new rows and
pushes them to its streams. For each write, the time from A's answer (the commit is done) to
the matching event's arrival at a subscriber (same machine, same wall clock):

- `fanout_p50_ms`, `fanout_p99_ms`, `fanout_max_ms`: over all writes and subscribers (an event
  can arrive before the writer has read its answer: then it counts as 0, and `before_answer`
  counts them); target p99 <= 100 ms;
- `gaps`: events of the hall in the database (after the start) that a subscriber never got,
  summed over subscribers; `duplicates`, `out_of_order`: received twice, or after a later one;
  `unmatched`: writes whose event never arrived (each also a gap);
- `reader_cpu_ms_per_event`, `reader_cpu_ms_per_event_sent`: server B's CPU (it only reads
  and streams) per event, and per event sent to one subscriber;
- `machine`: steal and other processes' CPU while the writers sign in and write
  (bench/machine.py).

PostgreSQL only: on SQLite the hubs of separate processes learn of each other's events by
polling the table every 0.5 s (one process is the configuration there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.machine import Machine, postgres_backends, process_run_ns  # noqa: E402
from clerkdesk.api.client import HallClient  # noqa: E402
from clerkdesk.api.errors import ApiError  # noqa: E402
from clerkdesk.api.events import EventSubscription, StreamStatus  # noqa: E402
from clerkdesk.hall.store import tables  # noqa: E402
from clerkdesk.hall.store.engine import make_engine  # noqa: E402
from tests.load_helpers import (  # noqa: E402
    HALL_START,
    KIOSK,
    LEAD,
    LOAD_HALL,
    LOAD_PASSWORD,
    SERVICES,
    ServerProcess,
    clerk_no,
    seed_load_hall,
)

KIND_OF = {
    "issue": "ticket.issued",
    "call_next": "ticket.called",
    "start": "ticket.started",
    "complete": "ticket.completed",
}
SETTLE_S = 10.0
"""After the writes, how long the subscribers may take to receive the last event."""


def last_event_id(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.coalesce(func.max(tables.event.c.id), 0))) or 0)
    finally:
        engine.dispose()


def hall_events(database_url: str, after: int) -> list[int]:
    """The load hall's event ids after `after`, in order."""
    engine = make_engine(database_url)
    e, h = tables.event, tables.hall
    try:
        with engine.connect() as conn:
            hall_id = conn.scalar(select(h.c.id).where(h.c.code == LOAD_HALL))
            ids = conn.scalars(
                select(e.c.id).where(e.c.hall_id == hall_id, e.c.id > after).order_by(e.c.id)
            ).all()
    finally:
        engine.dispose()
    return [int(i) for i in ids]


# --- a subscriber, in a process of its own -----------------------------------------------------

Arrival = tuple[int, str, int | None, float]
"""An event as received: id, kind, ticket id, wall time of arrival."""


def subscribe(url: str, token: str, after: int, ready: Any, last: Any, out: Any) -> None:
    """The duty lead's event stream on `url` from `after`: every event's arrival, until the
    event with id `last.value` (set once the writes are done) has come, or SETTLE_S after."""
    out.put(asyncio.run(_subscribe(url, token, after, ready, last)))


async def _subscribe(url: str, token: str, after: int, ready: Any, last: Any) -> list[Arrival]:
    arrivals: list[Arrival] = []
    async with HallClient(url, token) as lead:
        stream = EventSubscription(lead, after=after).__aiter__()

        async def read() -> None:
            async for item in stream:
                if isinstance(item, StreamStatus):
                    if item.connected:
                        ready.set()
                    continue
                moment = time.time()
                ticket = item.ticket.id if item.ticket is not None else None
                arrivals.append((item.id, item.kind.value, ticket, moment))
                if last.value and item.id >= last.value:
                    return

        reading = asyncio.create_task(read())
        while not last.value:
            await asyncio.sleep(0.05)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reading, SETTLE_S)
        await stream.aclose()
    return arrivals


async def sign_in_lead(url: str) -> str:
    async with HallClient(url) as lead:
        await lead.login(LEAD, LOAD_PASSWORD)
        assert lead.token is not None
        return lead.token


# --- the writers -------------------------------------------------------------------------------


@dataclass
class Write:
    what: str  # issue | call_next | start | complete
    ticket_id: int
    sent: float
    answered: float


async def write_paced(url: str, clerks: int, rate: float, duration: float) -> list[Write]:
    """A kiosk and `clerks` clerks on server A: a quarter of the writes are issues, the rest
    call next -> start -> complete cycles, each writer at its own pace (open loop)."""
    kiosk = HallClient(url, retry_delays=())
    await kiosk.login(KIOSK, LOAD_PASSWORD)
    desks = []
    for n in range(1, clerks + 1):
        clerk = HallClient(url, retry_delays=())
        await clerk.login(clerk_no(n), LOAD_PASSWORD)
        await clerk.sign_in(n)
        desks.append(clerk)
    for _ in range(2 * clerks):  # a queue to call from
        await kiosk.issue(SERVICES[0])
    writes: list[Write] = []
    start = time.perf_counter() + 0.5
    end = start + duration

    async def timed(what: str, call: Any) -> int:
        sent = time.time()
        ticket = await call
        writes.append(Write(what, ticket.id, sent, time.time()))
        return int(ticket.id)

    async def issuing() -> None:
        period, k = 4 / rate, 0
        while (due := start + k * period) < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await timed("issue", kiosk.issue(SERVICES[k % len(SERVICES)]))
            k += 1

    async def serving(n: int, clerk: HallClient) -> None:
        period = clerks / (rate * 3 / 4)
        k, ticket_id = 0, 0
        while (due := start + (k + n / clerks) * period) < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            step = k % 3
            try:
                if step == 0:
                    ticket_id = await timed("call_next", clerk.call_next(n))
                elif step == 1:
                    await timed("start", clerk.start(ticket_id))
                else:
                    await timed("complete", clerk.complete(ticket_id))
            except ApiError:  # nobody waiting: the kiosk is behind; try again next time
                k -= step
            k += 1
        if k % 3:  # leave no ticket at a counter
            if k % 3 == 1:
                await clerk.start(ticket_id)
            await clerk.complete(ticket_id)

    try:
        await asyncio.gather(issuing(), *(serving(n, c) for n, c in enumerate(desks, 1)))
    finally:
        for client in (kiosk, *desks):
            await client.aclose()
    return writes


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = args.db
    seed_load_hall(url, HALL_START, args.clerks)
    writer = ServerProcess.start(url, folder / "server-a.log", watch_every_s=3600)
    reader = ServerProcess.start(url, folder / "server-b.log", watch_every_s=3600)
    machine = Machine(extra=postgres_backends(url))
    context = multiprocessing.get_context("spawn")
    try:
        before = last_event_id(url)
        token = asyncio.run(sign_in_lead(reader.url))  # once: a crowd of sign-ins is throttled
        last = context.Value("q", 0)
        subscribers = []
        for _ in range(args.subscribers):
            ready, out = context.Event(), context.Queue()
            process = context.Process(
                target=subscribe, args=(reader.url, token, before, ready, last, out)
            )
            process.start()
            subscribers.append((process, ready, out))
        for _, ready, _out in subscribers:
            if not ready.wait(60):
                raise RuntimeError("a subscriber did not connect to server B")
        reader_before = process_run_ns(reader.process.pid)
        with machine.phase("writes"):
            writes = asyncio.run(write_paced(writer.url, args.clerks, args.rate, args.duration))
        in_database = hall_events(url, before)
        last.value = in_database[-1] if in_database else before
        received = [out.get(timeout=SETTLE_S + 60) for _, _, out in subscribers]
        reader_ms = (process_run_ns(reader.process.pid) - reader_before) / 1e6
        for process, _, _ in subscribers:
            process.join(10)
    finally:
        writer.stop()
        reader.stop()
    result = measure(args, writes, in_database, received, machine)
    # What pushing costs: server B only reads the events and streams them. Its CPU per event
    # read, and per event sent to one subscriber (projection, JSON, the SSE frame).
    events = max(1, len(in_database))
    result["reader_cpu_ms_per_event"] = round(reader_ms / events, 3)
    result["reader_cpu_ms_per_event_sent"] = round(reader_ms / (events * args.subscribers), 3)
    return result


def measure(
    args: argparse.Namespace,
    writes: list[Write],
    in_database: list[int],
    received: list[list[Arrival]],
    machine: Machine,
) -> dict[str, Any]:
    fanout: list[float] = []
    before_answer = unmatched = gaps = duplicates = out_of_order = 0
    expected = set(in_database)
    for arrivals in received:
        ids = [a[0] for a in arrivals]
        duplicates += len(ids) - len(set(ids))
        out_of_order += sum(1 for x, y in itertools.pairwise(ids) if y <= x)
        gaps += len(expected - set(ids))
        seen = {(a[1], a[2]): a[3] for a in arrivals}
        for write in writes:
            arrived = seen.get((KIND_OF[write.what], write.ticket_id))
            if arrived is None:
                unmatched += 1
                continue
            took = (arrived - write.answered) * 1000
            before_answer += took < 0
            fanout.append(max(0.0, took))
    return {
        "backend": "postgresql",
        "server_processes": 2,
        "subscribers": args.subscribers,
        "clerks": args.clerks,
        "offered_writes_per_s": args.rate,
        "writes": len(writes),
        "writes_per_s": round(len(writes) / args.duration, 1),
        "events": len(in_database),
        "fanout_p50_ms": round(percentile(fanout, 0.50), 2),
        "fanout_p99_ms": round(percentile(fanout, 0.99), 2),
        "fanout_max_ms": round(max(fanout, default=float("nan")), 2),
        "before_answer": before_answer,
        "write_p50_ms": round(percentile([(w.answered - w.sent) * 1000 for w in writes], 0.5), 2),
        "write_p99_ms": round(percentile([(w.answered - w.sent) * 1000 for w in writes], 0.99), 2),
        "gaps": gaps,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "unmatched": unmatched,
        "machine": machine.phases,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="a PostgreSQL database created for the run")
    p.add_argument("--rate", type=float, default=50.0, help="writes per second offered")
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--clerks", type=int, default=10)
    p.add_argument("--subscribers", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print only the JSON result line")
    args = p.parse_args(argv)
    if make_url(args.db).get_backend_name() != "postgresql":
        p.error("fanout crosses processes by LISTEN/NOTIFY: give a PostgreSQL database")
    folder = Path(tempfile.mkdtemp(prefix="clerkdesk-fanout-"))
    try:
        result = run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not args.json:
        print(f"target fanout_p99_ms <= 100: {result['fanout_p99_ms'] <= 100}", file=sys.stderr)
    print(json.dumps(result))
    return 0 if result["gaps"] == result["duplicates"] == result["out_of_order"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
