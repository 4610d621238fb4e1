"""The hall monitor at scale (issue 13, item 7): 200 windows and 20,000 tickets in the day.

    python bench/monitor.py [--requests 60] [--burst-s 10] [--rate 100] [--kiosks 4] [--json]

The hall (SQLite in a temporary folder): ten departments with two services each, twenty
windows per department serving both, a clerk signed in at every window since 09:00. The day so
far, written straight into the store (no HTTP): 20,000 tickets issued 08:30-16:30, of which 600
still wait, one is in hand at 150 windows (half called, half being served) and the rest were
served (5-15 minutes each). The hall clock stands at 16:30.

Three kinds of process, so that no load generator shares a core's time slice with what it
measures: the hall service (uvicorn, its own process), the monitor screen and the timing client
(this process), and `--kiosks` kiosk processes issuing tickets.

- `snapshot_p50_ms`, `snapshot_p95_ms`: GET /hall/monitor as the duty lead, one request at a
  time after five to warm up, from the request until the whole body is read (target p95 <= 50);
  `snapshot_parse_ms`: the workstation's parse of that body into its models (p50), apart.
- `burst_lag_p50_ms`, `burst_lag_p95_ms`: the monitor screen (Textual, headless, in this
  process) follows the event stream while the kiosk processes issue tickets at `--rate` a
  second in all for `--burst-s` seconds (each on its own schedule: ticket k of n processes at
  k / rate); for each ticket, the time from its issue's answer until the screen has drawn a
  snapshot that includes it (its `last_event_id` is at or past the ticket's event). The screen
  reads the hall again on events, coalesced: a burst costs a read or two a second, never one
  per event. `burst_lag_last_s_p95_ms`: the same over the burst's last second (a screen that
  falls behind shows it there).
- `burst_reads`: snapshots the screen read during the burst; `issued_per_s`: the rate the hall
  took the burst at, the tickets answered over the time from the first sent to the last
  answered (below `--rate`: the hall service could not take more, and the screen was offered
  fewer events a second than asked); `issue_p95_ms`, the issue's own latency; per phase the
  machine's steal share (/proc/stat) and load average.
- `burst_kept_up`: the hall took the burst at 95 % of `--rate` or more, and the screen's lag
  over the burst's last second is within one read gap (`READ_GAP_S`, the screen's coalescing
  of reads) of its lag over the whole burst: a screen that falls behind gathers a backlog,
  and its lag grows by seconds over a 10-second burst; `targets_met` is that and
  `snapshot_p95_ms` <= 50.

One JSON line is printed (`--json` prints nothing else).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
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
from clerkdesk.hall.server import listen, serve_forever  # noqa: E402
from clerkdesk.hall.setup import hall_file  # noqa: E402
from clerkdesk.hall.store import migrate, tables  # noqa: E402
from clerkdesk.hall.store.engine import make_engine, sqlite_url  # noqa: E402
from clerkdesk.hall.store.models import Event, Service, Staff, Window  # noqa: E402
from clerkdesk.hall.tickets import served  # noqa: E402
from clerkdesk.screens.monitor.screen import READ_GAP_S  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 11, tzinfo=ZONE)
NOW = DAY.replace(hour=16, minute=30)
PASSWORD = "bench-monitor"
DEPARTMENTS, WINDOWS_PER_DEPARTMENT, TICKETS = 10, 20, 20_000
WAITING, IN_HAND = 600, 150


def steal_share() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        numbers = [int(x) for x in stat.readline().split()[1:]]
    return numbers[7] if len(numbers) > 7 else 0, sum(numbers)


def phase_note(before: tuple[int, int]) -> dict[str, float]:
    steal, total = steal_share()
    spent = max(1, total - before[1])
    return {"steal": round((steal - before[0]) / spent, 3), "load_1min": os.getloadavg()[0]}


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
            served.fill(session.connection())  # the writer keeps these; bulk rows need it
            session.execute(
                insert(tables.ticket_counter),
                [
                    {"service_id": services[code], "local_date": DAY.date(), "last_number": n}
                    for code, n in numbers.items()
                ],
            )
    finally:
        engine.dispose()


def serve(database: str, ready: Path) -> int:
    """The hall service's process, on the seeded day's clock, served as `clerkdesk serve` serves
    (`serve_forever`: the same uvicorn settings, garbage collector and thread switch interval)
    until SIGINT."""
    principal._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    app = create_app(HallSettings(sqlite_url(Path(database)), clock=ManualClock(NOW)))
    sock = listen("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    ready.write_text(f"http://{host}:{port}")
    serve_forever(app, host, port, listening=sock, log_config={"version": 1})
    return 0


async def kiosk(url: str, index: int, processes: int, rate: float, seconds: float) -> int:
    """A kiosk process: signs in, says `ready`, reads the burst's start `at` from its standard
    input (every kiosk is ready by then: one that started late would otherwise send its
    overdue tickets at once, above the rate asked), then sends ticket k (k = index,
    index + processes, ...) at `at` + k / rate on the monotonic clock (one clock for every
    process here), whether or not the answers before it came (an open loop: the hall's pace,
    not the kiosk's, sets the rate reached); prints each ticket's id, the moment its answer
    came and when it was sent, one JSON line."""
    client = HallClient(url)
    await client.login("kiosk", PASSWORD)
    print("ready", flush=True)
    at = float(await asyncio.to_thread(sys.stdin.readline))
    issued: list[tuple[int, float, float]] = []

    async def one(k: int) -> None:
        sent = time.monotonic()
        try:
            ticket = await client.issue(f"d{k % DEPARTMENTS}-s{k % 2}")
        except Exception as exc:  # counted, not hidden: the run says how many failed
            print(f"kiosk {index}: ticket {k} failed: {exc!r}", file=sys.stderr)
            return
        issued.append((ticket.id, time.monotonic(), sent))

    try:
        async with asyncio.TaskGroup() as group:
            for k in range(index, int(seconds * rate), processes):
                await asyncio.sleep(max(0.0, at + k / rate - time.monotonic()))
                group.create_task(one(k))
    finally:
        await client.aclose()
    print(json.dumps(issued))
    return 0


async def snapshot_times(url: str, requests: int) -> tuple[list[float], float]:
    """GET /hall/monitor as the lead until the body is read; the parse, apart (p50)."""
    import httpx

    lead = HallClient(url)
    await lead.login("lead", PASSWORD)
    headers = {"Authorization": f"Bearer {lead.token}"}
    try:
        async with httpx.AsyncClient(base_url=url, headers=headers) as http:
            for _ in range(5):
                (await http.get("/hall/monitor")).raise_for_status()
            times, parses = [], []
            for _ in range(requests):
                began = time.perf_counter()
                answer = await http.get("/hall/monitor")
                body = answer.read()
                times.append((time.perf_counter() - began) * 1000)
                answer.raise_for_status()
                began = time.perf_counter()
                seen = w.HallMonitorOut.model_validate_json(body)
                parses.append((time.perf_counter() - began) * 1000)
        assert len(seen.windows) == DEPARTMENTS * WINDOWS_PER_DEPARTMENT
        return times, pct(parses, 0.5)
    finally:
        await lead.aclose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def burst(
    url: str, database: str, seconds: float, rate: float, processes: int
) -> dict[str, Any]:
    """The monitor screen follows the stream while the kiosk processes issue tickets."""
    from textual.app import App

    from clerkdesk.credentials import TokenStore
    from clerkdesk.screens.monitor.screen import HallMonitorScreen
    from clerkdesk.state.session import Server, Workstation
    from tests.keyring_memory import MemoryKeyring

    drawn: list[tuple[float, int]] = []  # when the screen had drawn a snapshot, its event id

    renders: list[float] = []

    class Timed(HallMonitorScreen):
        def render_hall(self) -> None:
            began = time.perf_counter()
            super().render_hall()
            renders.append((time.perf_counter() - began) * 1000)
            if self.seen.snapshot is not None:
                drawn.append((time.monotonic(), self.seen.snapshot.last_event_id))

    clock = ManualClock(NOW)
    ws = Workstation(
        Server(url, url, url), clock=clock, tokens=TokenStore(backend=MemoryKeyring(), clock=clock)
    )
    await ws.sign_in("lead", PASSWORD)
    screen = Timed(ws, None)

    class Bench(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        while not (screen.seen.loaded and screen.link.stream_seen):
            await pilot.pause(0.05)
        reads_before = screen.reads
        kiosks = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--kiosk",
                url,
                str(i),
                str(processes),
                str(rate),
                str(seconds),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            for i in range(processes)
        ]
        for k in kiosks:  # each signed in
            assert k.stdout is not None
            if (await k.stdout.readline()).strip() != b"ready":
                raise SystemExit("a kiosk process did not sign in")
        at = time.monotonic() + 0.2
        for k in kiosks:
            assert k.stdin is not None
            k.stdin.write(f"{at!r}\n".encode())
            await k.stdin.drain()
        outputs = [await k.communicate() for k in kiosks]  # the screen runs meanwhile
        answers = [tuple(x) for out, _err in outputs for x in json.loads(out)]
        issued = sorted((ticket_id, moment) for ticket_id, moment, _sent in answers)
        issue_ms = [(moment - sent) * 1000 for _id, moment, sent in answers]
        ended = max(moment for _id, moment in issued)
        engine = make_engine(sqlite_url(Path(database)))
        try:
            with Session(engine) as session:
                event_of = {
                    e.payload["ticket"]["id"]: e.id
                    for e in session.scalars(select(Event).where(Event.kind == "ticket.issued"))
                }
        finally:
            engine.dispose()
        last = max(event_of[t] for t, _at in issued)
        deadline = time.monotonic() + 30
        while (not drawn or drawn[-1][1] < last) and time.monotonic() < deadline:
            await pilot.pause(0.02)
        reads = screen.reads - reads_before
    lags, late = [], []
    for ticket_id, moment in issued:
        seen_at = next((t for t, eid in drawn if eid >= event_of[ticket_id] and t >= moment), None)
        lag = ((seen_at or time.monotonic()) - moment) * 1000
        lags.append(lag)
        if moment >= ended - 1.0:
            late.append(lag)
    first_sent = min(sent for _id, _moment, sent in answers)
    return {
        "burst_lag_p50_ms": pct(lags, 0.5),
        "burst_lag_p95_ms": pct(lags, 0.95),
        "burst_lag_last_s_p95_ms": pct(late, 0.95),
        "burst_reads": reads,
        "render_p50_ms": pct(renders, 0.5),
        "issued": len(issued),
        "issue_failed": int(seconds * rate) - len(issued),
        "issue_p95_ms": pct(issue_ms, 0.95),
        "issued_per_s": round(len(issued) / max(1e-6, ended - first_sent), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--burst-s", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0, help="tickets a second in all")
    parser.add_argument("--kiosks", type=int, default=4, help="kiosk processes")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", nargs=2, metavar=("DB", "READY"), help=argparse.SUPPRESS)
    parser.add_argument("--kiosk", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve[0], Path(args.serve[1]))
    if args.kiosk:
        url, index, processes, rate, seconds = args.kiosk
        return asyncio.run(kiosk(url, int(index), int(processes), float(rate), float(seconds)))
    principal._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "hall.sqlite3")
        began = time.monotonic()
        seed_day(sqlite_url(Path(database)))
        seeded_s = time.monotonic() - began
        ready = Path(folder) / "url"
        watch = Machine()  # steal, own and others' CPU per phase (the hall's process included)
        hall = subprocess.Popen([sys.executable, __file__, "--serve", database, str(ready)])
        try:
            while not ready.exists() or not ready.read_text():
                if hall.poll() is not None:
                    raise SystemExit("the hall service did not start")
                time.sleep(0.1)
            url = ready.read_text()
            mark = steal_share()
            with watch.phase("snapshot"):
                times, parse_ms = asyncio.run(snapshot_times(url, args.requests))
            snapshot_phase = phase_note(mark)
            mark = steal_share()
            with watch.phase("burst"):
                bursting = asyncio.run(burst(url, database, args.burst_s, args.rate, args.kiosks))
            burst_phase = phase_note(mark)
        finally:
            hall.send_signal(signal.SIGINT)
            hall.wait(timeout=30)
    result = {
        "windows": DEPARTMENTS * WINDOWS_PER_DEPARTMENT,
        "tickets": TICKETS,
        "snapshot_p50_ms": pct(times, 0.5),
        "snapshot_p95_ms": pct(times, 0.95),
        "snapshot_parse_ms": parse_ms,
        **bursting,
        "rate_asked": args.rate,
        "kiosk_processes": args.kiosks,
        "phases": {"snapshot": snapshot_phase, "burst": burst_phase},
        "machine": watch.phases,
        "seed_s": round(seeded_s, 1),
    }
    result["burst_kept_up"] = (
        result["issued_per_s"] >= 0.95 * args.rate
        and result["burst_lag_last_s_p95_ms"] <= result["burst_lag_p95_ms"] + READ_GAP_S * 1000
    )
    result["targets_met"] = result["snapshot_p95_ms"] <= 50 and result["burst_kept_up"]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
