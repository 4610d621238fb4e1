"""The tide-window lever, measured (issue 13, item 6): one simulated Friday of a 20-window hall,
replayed twice through the real hall service, once with fixed windows and once with a duty lead
who opens tide windows (潮汐窗口) on congestion alerts.

    python bench/tide.py [--seed 13] [--json]

The hall service runs in this process (uvicorn on 127.0.0.1, SQLite in a temporary folder) on a
hall clock that the simulation moves itself, 20 s at a time: a day takes as long as its requests
take, whatever the hall's hours (the "clock speed" is as high as the machine allows). Every
issue, call, start and completion, every alert and tide change is a real HTTP request.

The hall: six departments with one service each, three windows per service (1-18), and two
reserve windows (19, 20) staffed by two back-office clerks only when a lead opens them. The
hall file's congestion thresholds for every service: 8 waiting or 20 minutes' longest wait,
cleared below 60 % of both.

The arrival model (seeded, the same in both runs): from 09:00 to 17:00 citizens arrive for each
service as a Poisson process. The two peak services, 不动产转移登记 (p-transfer, 12 min a case)
and 社保卡办理 (p-card, 10 min), take 10 citizens an hour, 42 an hour during the morning peak
09:00-11:30; the four quiet services (8 min a case) 7 an hour all day. A case's service time is
log-normal around its service's minutes (sigma 0.3), drawn with the arrival, so both runs serve
the same citizens for the same minutes. A clerk calls the next citizen as soon as they are free
(the clerks free in the same 20 s take turns in a seeded random order) and starts at once
(nobody fails to come); from 17:00 a window with nobody left to call closes (the others stay
open, on an extension, until their citizens are served).

The lead's policy (second run), what a duty lead can do with the monitor alone: every
simulated minute the hall's watcher runs (alerts with hysteresis) and the lead reads the monitor
(GET /hall/monitor: each service's queue, estimated wait and open windows, the alerts with the
windows that could help, each window's services, state, tide and busy share today, the spread).

1. A service on alert gets the windows it needs for a new arrival to wait at most 20 minutes
   (windows needed = its estimated wait x its open windows / 20 min): the alert's candidates
   on the floor, idle or quiet ones first, least busy today first, but never the last window
   that calls some service first (a quiet service keeps a window of its own). Only when nobody
   on the floor is left and the estimated wait is over 40 minutes does a back-office clerk come
   to a reserve window; they stay there for the rest of the day (the reserve window's own
   service when no tide is on it), a floor window like the others from then on.
2. Evening out: with no alert anywhere and the busy-share spread over 25 points, the service of
   the busiest window today (its first own service), while citizens wait for it, gets the least
   busy idle window as a tide window, one a minute, up to two.
3. A service whose alert has cleared gives back one tide window a minute (the latest opened),
   but keeps up to two while its windows are the busiest in the hall.

A tide window calls the tide's services first and its own after them (the hall's rule), so it
is never idle while its own citizens wait. `--tide-only` runs the lead's day alone, for trying
a policy; the figures below come from both runs.

Printed (one JSON line): `tide_share` (the tide run's cases served at a tide window for the
service it was re-pointed to, over all cases served), `spread_before` and `spread_after` (max -
min of the windows' busy shares over the day, fixed run and tide run: serving time over
signed-in time, over the windows open that day), `avg_wait_before_s`, `avg_wait_after_s` (issue
to first call), and `std_dev_before`, `std_dev_after`, `cases`, `tides_opened`, `wall_s`.
Targets (the seed's): tide_share >= 0.20, spread_after <= 0.5 * spread_before, a lower wait.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from zoneinfo import ZoneInfo  # noqa: E402

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.machine import Machine  # noqa: E402
from clerkdesk.api import schemas as w  # noqa: E402
from clerkdesk.api.client import HallClient  # noqa: E402
from clerkdesk.api.errors import Conflict  # noqa: E402
from clerkdesk.clock import ManualClock  # noqa: E402
from clerkdesk.hall.access import principal  # noqa: E402
from clerkdesk.hall.app import HallSettings, create_app  # noqa: E402
from clerkdesk.hall.monitor.day_report import read_day  # noqa: E402
from clerkdesk.hall.monitor.watch import watch_once  # noqa: E402
from clerkdesk.hall.server import ServerThread  # noqa: E402
from clerkdesk.hall.setup import hall_file  # noqa: E402
from clerkdesk.hall.store import migrate  # noqa: E402
from clerkdesk.hall.store.engine import make_engine, sqlite_url  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 11, tzinfo=ZONE)  # a Friday
OPEN, CLOSE = DAY.replace(hour=9), DAY.replace(hour=17)
PEAK_END = DAY.replace(hour=11, minute=30)
STEP = timedelta(seconds=20)
PASSWORD = "bench-tide"
PEAK = {"p-transfer": 12, "p-card": 10}  # service: minutes a case
QUIET = {"q-tax": 8, "q-license": 8, "q-hukou": 8, "q-fund": 8}
PEAK_RATE, BASE_RATE, QUIET_RATE = 42.0, 10.0, 7.0  # citizens an hour
TARGET_WAIT_S = 20 * 60  # what the lead aims a new arrival's wait at (the alert's longest)
EVEN_OUT_ABOVE = 0.25  # busy-share spread the lead evens out when no service is on alert
EVEN_OUT_WINDOWS = 2  # tide windows a service gets for evening out


def hall_spec() -> hall_file.HallFile:
    services = {**PEAK, **QUIET}
    raw: dict[str, Any] = {
        "hall": {"code": "tide-bench", "name": "潮汐窗口测试大厅", "min_call_interval_s": 0},
        "departments": [{"code": f"d-{s}", "name": s} for s in services],
        "services": [
            {
                "code": s,
                "name": s,
                "department": f"d-{s}",
                "prefix": chr(ord("A") + i),
                "estimated_minutes": m,
            }
            for i, (s, m) in enumerate(services.items())
        ],
        "windows": [
            {
                "number": 3 * i + k + 1,
                "label": f"{s} {3 * i + k + 1}",
                "department": f"d-{s}",
                "services": [s],
            }
            for i, s in enumerate(services)
            for k in range(3)
        ]
        + [
            {"number": n, "label": f"reserve {n}", "services": list(QUIET)[:1], "reserve": True}
            for n in (19, 20)
        ],
        "staff": [
            {
                "staff_no": f"c{n}",
                "name": f"clerk {n}",
                "password": PASSWORD,
                "department": f"d-{list(services)[(n - 1) // 3]}",
            }
            for n in range(1, 19)
        ]
        + [
            {"staff_no": f"b{n}", "name": f"back office {n}", "password": PASSWORD}
            for n in (19, 20)
        ]
        + [
            {"staff_no": "kiosk", "name": "kiosk", "roles": ["kiosk"], "password": PASSWORD},
            {"staff_no": "lead", "name": "lead", "roles": ["lead"], "password": PASSWORD},
        ],
        "calendar": {"weekly": {d: ["08:00-22:00"] for d in ("mon", "tue", "wed", "thu", "fri")}},
        "monitor": {"alert": {"waiting": 8, "longest_wait_minutes": 20, "clear_percent": 60}},
    }
    return hall_file.parse_hall(raw, "tide bench hall")


@dataclass(frozen=True)
class Arrival:
    at: datetime
    service: str
    duration: timedelta


def arrivals(seed: int) -> list[Arrival]:
    """Poisson arrivals per service (thinning over the piecewise rate), with service times."""
    rng = random.Random(seed)
    found: list[Arrival] = []
    for service, minutes in {**PEAK, **QUIET}.items():
        top = PEAK_RATE if service in PEAK else QUIET_RATE
        t = OPEN
        while True:
            t += timedelta(hours=rng.expovariate(top))
            if t >= CLOSE:
                break
            rate = QUIET_RATE if service in QUIET else (PEAK_RATE if t < PEAK_END else BASE_RATE)
            if rng.random() * top > rate:
                continue
            sigma = 0.3
            factor = rng.lognormvariate(-sigma * sigma / 2, sigma)  # mean 1
            found.append(Arrival(t, service, timedelta(minutes=minutes * factor)))
    return sorted(found, key=lambda a: a.at)


@dataclass
class Desk:
    """A staffed window: its clerk, the case in hand and when it is done."""

    number: int
    client: HallClient
    services: set[str]
    ticket: int | None = None
    done_at: datetime | None = None
    dirty: bool = True


@dataclass
class Run:
    clock: ManualClock
    url: str
    context: Any
    database_url: str
    durations: dict[int, timedelta] = field(default_factory=dict)
    tides_opened: int = 0


async def simulate(run: Run, plan: list[Arrival], lead_policy: bool) -> None:
    clock = run.clock

    async def login(staff_no: str) -> HallClient:
        client = HallClient(run.url, retry_delays=(0.05, 0.2))
        await client.login(staff_no, PASSWORD)
        return client

    kiosk, lead = await login("kiosk"), await login("lead")
    desks: dict[int, Desk] = {}
    own = {n: {s} for n, s in enumerate([s for s in {**PEAK, **QUIET} for _ in range(3)], start=1)}
    for number in range(1, 19):
        client = await login(f"c{number}")
        await client.sign_in(number)
        desks[number] = Desk(number, client, set(own[number]))
    reserve_clerks = {n: await login(f"b{n}") for n in (19, 20)}
    pending = list(plan)
    minute = clock.now()
    waiting = 0
    turns = random.Random(7)
    try:
        while pending or waiting or any(d.ticket is not None for d in desks.values()):
            now = clock.now()
            while pending and pending[0].at <= now:
                arrival = pending.pop(0)
                ticket = await kiosk.issue(arrival.service)
                run.durations[ticket.id] = arrival.duration
                waiting += 1
                for desk in desks.values():
                    if arrival.service in desk.services:
                        desk.dirty = True
            order = list(desks.values())
            turns.shuffle(order)  # whoever is free first calls: no window always ahead
            for desk in order:
                if desk.ticket is not None and desk.done_at is not None and desk.done_at <= now:
                    await desk.client.complete(desk.ticket)
                    desk.ticket, desk.done_at, desk.dirty = None, None, True
                if desk.ticket is None and (desk.dirty or now >= CLOSE):
                    try:
                        called = await desk.client.call_next(desk.number)
                    except Conflict as refused:
                        if refused.code != "queue_empty":
                            raise
                        desk.dirty = False
                        if now >= CLOSE:  # nobody left for this window: it closes
                            await desk.client.sign_out(desk.number)
                            del desks[desk.number]
                        continue
                    waiting -= 1
                    await desk.client.start(called.id)
                    desk.ticket = called.id
                    desk.done_at = now + run.durations[called.id]
            if lead_policy and now - minute >= timedelta(minutes=1):
                minute = now
                await asyncio.to_thread(watch_once, run.context)
                await _lead(run, lead, desks, reserve_clerks)
            clock.advance(seconds=STEP.total_seconds())
    finally:
        for client in [kiosk, lead, *reserve_clerks.values(), *(d.client for d in desks.values())]:
            await client.aclose()


def _needed(load: w.ServiceLoadOut) -> int:
    """Windows the service needs for a new arrival to wait at most TARGET_WAIT_S: the monitor's
    estimated wait is the queue's work shared over the windows open for it."""
    if load.estimated_wait_s is None:
        return load.open_windows + 1
    return max(1, math.ceil(load.estimated_wait_s * load.open_windows / TARGET_WAIT_S))


def _own(window: w.WindowLoadOut) -> list[str]:
    brought = set(window.tide.services) if window.tide else set()
    return [s for s in window.services if s not in brought]


def _busiest_service(seen: w.HallMonitorOut) -> str | None:
    """The first own service of the window busiest today (the monitor's busy share column)."""
    open_ = [x for x in seen.windows if x.busy_share is not None and not x.reserve]
    if not open_:
        return None
    top = max(open_, key=lambda x: x.busy_share or 0.0)
    own = _own(top)
    return own[0] if own else None


def _keeps_every_service(window: w.WindowLoadOut, plain: list[w.WindowLoadOut]) -> bool:
    """Re-pointing `window` leaves each of its services a window that calls it first."""
    others = [x for x in plain if x.number != window.number]
    return all(any(s in x.services for x in others) for s in window.services)


async def _lead(
    run: Run, lead: HallClient, desks: dict[int, Desk], reserve_clerks: dict[int, HallClient]
) -> None:
    seen = await lead.hall_monitor()
    loads = {s.service: s for s in seen.services}
    alerted = {a.service: a for a in seen.alerts}
    windows = {x.number: x for x in seen.windows}
    tides: dict[str, list[w.WindowLoadOut]] = {}
    for window in seen.windows:
        if window.tide is not None:
            for service in window.tide.services:
                tides.setdefault(service, []).append(window)
    busiest = _busiest_service(seen)
    for service, helping in tides.items():  # cleared: one window back to its own a minute
        if service in alerted:
            continue
        if service == busiest and len(helping) <= EVEN_OUT_WINDOWS:  # evening out: they stay
            continue
        back = max(helping, key=lambda x: (x.reserve, x.tide.started_at if x.tide else OPEN))
        await lead.end_tide(back.number)
        desk = desks.get(back.number)
        if desk is not None:
            desk.services -= {service}
            desk.dirty = True
    plain = [x for x in seen.windows if x.tide is None and x.state is not w.WindowState.closed]
    for service, alert in alerted.items():
        missing = _needed(loads[service]) - loads[service].open_windows
        helpers = [windows[n] for n in alert.candidates if n in desks]  # on the floor now
        for window in helpers:
            if missing <= 0:
                break
            if window not in plain or not _keeps_every_service(window, plain):
                continue
            await lead.open_tide(window.number, [service], "bench")
            plain.remove(window)
            desks[window.number].services.add(service)
            desks[window.number].dirty = True
            run.tides_opened += 1
            missing -= 1
        reserves = [n for n in alert.candidates if n in reserve_clerks and n not in desks]
        severe = (loads[service].estimated_wait_s or 0) > 2 * TARGET_WAIT_S
        if missing > 0 and severe and reserves:  # the floor cannot: the back office comes
            number = reserves[0]
            await lead.open_tide(number, [service], "bench", clerk=f"b{number}")
            client = reserve_clerks[number]
            await client.sign_in(number)
            desks[number] = Desk(number, client, {service, *list(QUIET)[:1]})
            run.tides_opened += 1
    spread = seen.spread.spread or 0.0
    if alerted or busiest is None or spread <= EVEN_OUT_ABOVE or not loads[busiest].waiting:
        return
    if len(tides.get(busiest, [])) >= EVEN_OUT_WINDOWS:
        return
    idle = sorted(
        (
            x
            for x in plain
            if x.state is w.WindowState.idle
            and busiest not in x.services
            and _keeps_every_service(x, plain)
        ),
        key=lambda x: (x.busy_share or 0.0, x.number),
    )
    if idle:  # evening out: the least busy idle window takes the busiest service too
        await lead.open_tide(idle[0].number, [busiest], "bench: evening out")
        desks[idle[0].number].services.add(busiest)
        desks[idle[0].number].dirty = True
        run.tides_opened += 1


def start(folder: Path) -> tuple[Run, ServerThread]:
    url = sqlite_url(folder / "hall.sqlite3")
    clock = ManualClock(OPEN)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, hall_spec(), clock.now())
    finally:
        engine.dispose()
    app = create_app(HallSettings(url, clock=clock, watch_every_s=3600))
    server = ServerThread(app).start()
    return Run(clock, server.url, app.state.hall, url), server


def measure(run: Run) -> dict[str, Any]:
    engine = make_engine(run.database_url)
    try:
        with Session(engine) as session:
            report = read_day(session, 1, DAY.date(), run.clock.now())
    finally:
        engine.dispose()
    whole = report.services[-1]
    return {
        "cases": whole.served,
        "avg_wait_s": whole.avg_wait_s,
        "tide_share": whole.tide_share or 0.0,
        "spread": report.spread.spread,
        "std_dev": report.spread.std_dev,
        "end": run.clock.now().astimezone(ZONE).strftime("%H:%M"),
        "shares": _shares(run),
    }


def _shares(run: Run) -> dict[int, float]:
    """Each window's busy share over its day (as the spread counts them)."""
    from clerkdesk.hall.monitor.figures import read_figures

    engine = make_engine(run.database_url)
    try:
        with Session(engine) as session:
            figures = read_figures(session, 1, run.clock.now())
    finally:
        engine.dispose()
    return {x.number: round(x.busy_share, 2) for x in figures.windows if x.busy_share is not None}


async def one_run(plan: list[Arrival], lead_policy: bool) -> tuple[dict[str, Any], int]:
    with tempfile.TemporaryDirectory() as folder:
        run, server = start(Path(folder))
        try:
            await simulate(run, plan, lead_policy)
            return measure(run), run.tides_opened
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help="print the JSON line only")
    parser.add_argument(
        "--tide-only", action="store_true", help="the lead's run alone (trying a policy)"
    )
    args = parser.parse_args(argv)
    # The bench's staff sign in with a known password: argon2 at its smallest cost.
    principal._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    plan = arrivals(args.seed)
    began = time.monotonic()
    watch = Machine()
    with watch.phase("with_tides"):
        after, opened = asyncio.run(one_run(plan, lead_policy=True))
    if args.tide_only:
        print(
            json.dumps(
                {**after, "tides_opened": opened, "seed": args.seed, "machine": watch.phases}
            )
        )
        return 0
    with watch.phase("fixed_windows"):
        before, _ = asyncio.run(one_run(plan, lead_policy=False))
    result = {
        "tide_share": round(after["tide_share"], 3),
        "spread_before": round(before["spread"], 3),
        "spread_after": round(after["spread"], 3),
        "avg_wait_before_s": round(before["avg_wait_s"], 1),
        "avg_wait_after_s": round(after["avg_wait_s"], 1),
        "std_dev_before": round(before["std_dev"], 3),
        "std_dev_after": round(after["std_dev"], 3),
        "cases": after["cases"],
        "cases_fixed_run": before["cases"],
        "tides_opened": opened,
        "busy_shares_before": before["shares"],
        "busy_shares_after": after["shares"],
        "last_case_done": {"fixed": before["end"], "tide": after["end"]},
        "seed": args.seed,
        "wall_s": round(time.monotonic() - began, 1),
    }
    result["machine"] = watch.phases
    result["targets_met"] = bool(
        result["tide_share"] >= 0.20
        and result["spread_after"] <= 0.5 * result["spread_before"]
        and result["avg_wait_after_s"] < result["avg_wait_before_s"]
    )
    if not args.json:
        print(f"arrivals: {len(plan)}; targets met: {result['targets_met']}", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
