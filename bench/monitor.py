"""The hall monitor at scale (issue 13, item 7): 200 windows and 20,000 tickets in the day.

    python bench/monitor.py [--requests 60] [--burst-s 5] [--json]

The hall (SQLite in a temporary folder, the hall service in this process on 127.0.0.1): ten
departments with two services each, twenty windows per department serving both, a clerk signed
in at every window since 09:00. The day so far, written straight into the store (no HTTP):
20,000 tickets issued 08:30-16:30, of which 600 still wait, one is in hand at 150 windows (half
called, half being served) and the rest were served (5-15 minutes each). The hall clock stands
at 16:30.

- `snapshot_p50_ms`, `snapshot_p95_ms`: GET /hall/monitor as the duty lead, one request at a
  time after five to warm up, from the request until the whole body is read (target p95 <= 50).
- `burst_lag_p95_ms`: the monitor screen (Textual, headless, in this process) follows the event
  stream while a kiosk issues tickets at 100 a second for `--burst-s` seconds; for each ticket,
  the time from its issue's answer until the screen holds a snapshot that includes it (its
  `last_event_id` is at or past the ticket's event). The screen reads the hall again on events,
  coalesced: a burst costs a read or two at a time, never one per event.
- `burst_reads`: how many snapshots the screen read during the burst; `issued_per_s`: the rate
  the kiosk reached; `machine`: per phase the machine's steal, this run's CPU and other
  processes' (bench/machine.py).

One JSON line is printed (`--json` prints nothing else).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.machine import Machine  # noqa: E402
from clerkdesk.api import schemas as w  # noqa: E402
from clerkdesk.api.client import HallClient  # noqa: E402
from clerkdesk.clock import ManualClock  # noqa: E402
from clerkdesk.hall.access import principal  # noqa: E402
from clerkdesk.hall.app import HallSettings, create_app  # noqa: E402
from clerkdesk.hall.server import ServerThread  # noqa: E402
from clerkdesk.hall.setup import hall_file  # noqa: E402
from clerkdesk.hall.store import migrate, tables  # noqa: E402
from clerkdesk.hall.store.engine import make_engine, sqlite_url  # noqa: E402
from clerkdesk.hall.store.models import Event, Service, Staff, Window  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 11, tzinfo=ZONE)
NOW = DAY.replace(hour=16, minute=30)
PASSWORD = "bench-monitor"
DEPARTMENTS, WINDOWS_PER_DEPARTMENT, TICKETS = 10, 20, 20_000
WAITING, IN_HAND = 600, 150


def hall_spec() -> hall_file.HallFile:
    departments = [f"d{n}" for n in range(DEPARTMENTS)]
    raw: dict[str, Any] = {
        "hall": {"code": "monitor-bench", "name": "大厅监控测试", "min_call_interval_s": 0},
        "departments": [{"code": d, "name": d} for d in departments],
        "services": [
            {
                "code": f"{d}-s{k}",
                "name": f"{d} 事项 {k}",
                "department": d,
                "prefix": chr(ord("A") + 2 * i + k),
                "estimated_minutes": 10,
            }
            for i, d in enumerate(departments)
            for k in range(2)
        ],
        "windows": [
            {
                "number": i * WINDOWS_PER_DEPARTMENT + n + 1,
                "label": f"{d} {i * WINDOWS_PER_DEPARTMENT + n + 1}号窗口",
                "department": d,
                "services": [f"{d}-s0", f"{d}-s1"] if n % 2 == 0 else [f"{d}-s1", f"{d}-s0"],
            }
            for i, d in enumerate(departments)
            for n in range(WINDOWS_PER_DEPARTMENT)
        ],
        "staff": [
            {
                "staff_no": f"c{n}",
                "name": f"clerk {n}",
                "password": PASSWORD,
                "department": departments[(n - 1) // WINDOWS_PER_DEPARTMENT],
            }
            for n in range(1, DEPARTMENTS * WINDOWS_PER_DEPARTMENT + 1)
        ]
        + [
            {"staff_no": "kiosk", "name": "kiosk", "roles": ["kiosk"], "password": PASSWORD},
            {"staff_no": "lead", "name": "lead", "roles": ["lead"], "password": PASSWORD},
        ],
        "calendar": {"weekly": {d: ["08:00-22:00"] for d in ("mon", "tue", "wed", "thu", "fri")}},
        "monitor": {"alert": {"waiting": 40, "longest_wait_minutes": 60}},
    }
    return hall_file.parse_hall(raw, "monitor bench hall")


def seed_day(url: str) -> None:
    """The structure from the hall file, then sessions and tickets in bulk."""
    rng = random.Random(7)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, hall_spec(), DAY.replace(hour=8))
        with Session(engine) as session, session.begin():
            services = {s.code: s.id for s in session.scalars(select(Service))}
            windows = {x.number: x.id for x in session.scalars(select(Window))}
            clerks = {s.staff_no: s.id for s in session.scalars(select(Staff))}
            opened = DAY.replace(hour=9)
            session.execute(
                insert(tables.window_session),
                [
                    {
                        "window_id": windows[n],
                        "staff_id": clerks[f"c{n}"],
                        "started_at": opened,
                        "paused": False,
                    }
                    for n in windows
                ],
            )
            numbers: dict[str, int] = {}
            rows = []
            in_hand = list(windows)[:IN_HAND]
            for i in range(TICKETS):
                d = rng.randrange(DEPARTMENTS)
                code = f"d{d}-s{rng.randrange(2)}"
                numbers[code] = numbers.get(code, 0) + 1
                issued = DAY.replace(hour=8, minute=30) + timedelta(seconds=i * 28_800 / TICKETS)
                row = {
                    "hall_id": 1,
                    "service_id": services[code],
                    "number": numbers[code],
                    "code": f"{chr(65 + list(services).index(code))}{numbers[code]:03d}",
                    "local_date": DAY.date(),
                    "status": "done",
                    "priority": "normal",
                    "issued_at": issued,
                    "queue_at": issued,
                    "recall_count": 0,
                    "notes": "",
                    "window_id": None,
                    "called_at": None,
                    "called_by_id": None,
                    "started_at": None,
                    "finished_at": None,
                    "outcome": None,
                }
                if i >= TICKETS - WAITING:
                    row["status"] = "waiting"
                elif i >= TICKETS - WAITING - IN_HAND:
                    number = in_hand[i - (TICKETS - WAITING - IN_HAND)]
                    called = NOW - timedelta(minutes=rng.randrange(1, 10))
                    serving = i % 2 == 0
                    row |= {
                        "status": "serving" if serving else "called",
                        "window_id": windows[number],
                        "called_at": called,
                        "called_by_id": clerks[f"c{number}"],
                        "started_at": called + timedelta(seconds=30) if serving else None,
                    }
                else:
                    number = d * WINDOWS_PER_DEPARTMENT + rng.randrange(WINDOWS_PER_DEPARTMENT) + 1
                    called = issued + timedelta(minutes=rng.randrange(1, 40))
                    started = called + timedelta(seconds=40)
                    row |= {
                        "window_id": windows[number],
                        "called_at": called,
                        "called_by_id": clerks[f"c{number}"],
                        "started_at": started,
                        "finished_at": started + timedelta(minutes=rng.uniform(5, 15)),
                        "outcome": "done",
                    }
                rows.append(row)
            session.execute(insert(tables.ticket), rows)
            session.execute(
                insert(tables.ticket_counter),
                [
                    {"service_id": services[code], "local_date": DAY.date(), "last_number": n}
                    for code, n in numbers.items()
                ],
            )
    finally:
        engine.dispose()


async def snapshot_times(url: str, requests: int) -> list[float]:
    lead = HallClient(url)
    await lead.login("lead", PASSWORD)
    try:
        for _ in range(5):
            await lead.hall_monitor()
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            seen = await lead.hall_monitor()
            times.append((time.perf_counter() - began) * 1000)
        assert len(seen.windows) == DEPARTMENTS * WINDOWS_PER_DEPARTMENT
        return times
    finally:
        await lead.aclose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def burst(url: str, clock: ManualClock, seconds: float) -> dict[str, Any]:
    """The monitor screen follows the stream while a kiosk issues 100 tickets a second."""
    from textual.app import App

    from clerkdesk.credentials import TokenStore
    from clerkdesk.screens.monitor.screen import HallMonitorScreen
    from clerkdesk.state.monitor import HallWatch
    from clerkdesk.state.session import Server, Workstation
    from tests.keyring_memory import MemoryKeyring

    loads: list[tuple[float, int]] = []

    class Recording(HallWatch):
        def load(self, snapshot: w.HallMonitorOut) -> None:
            super().load(snapshot)
            loads.append((time.monotonic(), snapshot.last_event_id))

    ws = Workstation(
        Server(url, url, url), clock=clock, tokens=TokenStore(backend=MemoryKeyring(), clock=clock)
    )
    await ws.sign_in("lead", PASSWORD)
    screen = HallMonitorScreen(ws, None)
    screen.seen = Recording()

    class Bench(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    kiosk = HallClient(url)
    await kiosk.login("kiosk", PASSWORD)
    issued: list[tuple[int, float]] = []
    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        while not (screen.seen.loaded and screen.link.stream_seen):
            await pilot.pause(0.05)
        reads_before = screen.reads
        began = time.monotonic()
        for n in range(int(seconds * 100)):
            due = began + n / 100
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            ticket = await kiosk.issue(f"d{n % DEPARTMENTS}-s{n % 2}")
            issued.append((ticket.id, time.monotonic()))
        rate = len(issued) / (time.monotonic() - began)
        deadline = time.monotonic() + 30
        engine = make_engine(sqlite_url(Path(url_db)))
        try:
            with Session(engine) as session:
                event_of = {
                    e.payload["ticket"]["id"]: e.id
                    for e in session.scalars(select(Event).where(Event.kind == "ticket.issued"))
                }
        finally:
            engine.dispose()
        last = max(event_of[t] for t, _at in issued)
        while (not loads or loads[-1][1] < last) and time.monotonic() < deadline:
            await pilot.pause(0.02)
        reads = screen.reads - reads_before
    await kiosk.aclose()
    lags = []
    for ticket_id, at in issued:
        seen_at = next((t for t, eid in loads if eid >= event_of[ticket_id] and t >= at), None)
        lags.append(((seen_at or time.monotonic()) - at) * 1000)
    return {
        "burst_lag_p50_ms": pct(lags, 0.5),
        "burst_lag_p95_ms": pct(lags, 0.95),
        "burst_reads": reads,
        "issued_per_s": round(rate, 1),
    }


url_db = ""


def main(argv: list[str] | None = None) -> int:
    global url_db
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--burst-s", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    principal._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    with tempfile.TemporaryDirectory() as folder:
        url_db = str(Path(folder) / "hall.sqlite3")
        url = sqlite_url(Path(url_db))
        began = time.monotonic()
        seed_day(url)
        seeded_s = time.monotonic() - began
        clock = ManualClock(NOW)
        app = create_app(HallSettings(url, clock=clock, watch_every_s=3600))
        server = ServerThread(app).start()
        watch = Machine()
        try:
            with watch.phase("snapshot"):
                times = asyncio.run(snapshot_times(server.url, args.requests))
            with watch.phase("burst"):
                bursting = asyncio.run(burst(server.url, clock, args.burst_s))
        finally:
            server.stop()
    result = {
        "windows": DEPARTMENTS * WINDOWS_PER_DEPARTMENT,
        "tickets": TICKETS,
        "snapshot_p50_ms": pct(times, 0.5),
        "snapshot_p95_ms": pct(times, 0.95),
        **bursting,
        "machine": watch.phases,
        "seed_s": round(seeded_s, 1),
    }
    result["targets_met"] = result["snapshot_p95_ms"] <= 50
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
