"""Benchmark of the counter workstation on the embedded demo hall.

    python bench/tui_start.py [--json] [--runs 5] [--presses 50]

start_s          process start to the counter screen showing live data (signed in as 1002 王芳 at
                 window 8, the counter read from the hall, its event stream connected): the
                 median of `--runs` fresh processes. Each process starts the hall service in
                 itself (the embedded hall: uvicorn in a thread on a loopback port) over a copy of
                 a demo database prepared once beforehand, as the embedded hall's database exists
                 after its first start (preparing it hashes eight demo passwords with argon2,
                 which is not part of starting the workstation). The app runs headless (Textual's
                 headless driver renders every frame, with no terminal to draw on).
call_next_p95_ms key press ("n", delivered as a key event) to the next screen refresh showing the
                 called ticket, `--presses` times; the ticket is started and completed between
                 calls (keys "s", "c", "1"). The demo hall's 3 s minimum interval between calls
                 is set to 0 in the benchmark's copy of the database; nothing else differs from
                 the demo.
issue_to_queue_p95_ms
                 a ticket issued at the kiosk (another client) to the ticket in this window's
                 queue on screen: the event stream, then a fresh read of the counter.

The hall clock stands at Fri 2026-12-11 09:00 (inside opening hours) whatever the wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HALL_TIME = "2026-12-11T09:00:00+08:00"


async def until(condition: Any, what: str, timeout: float = 20.0) -> None:
    """Poll `condition()` every half millisecond; a benchmark that hangs says what it waited for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {timeout} s waiting for {what}")
        await asyncio.sleep(0.0005)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- the child: one workstation start ----------------------------------------------------------


def child_start(database: str) -> None:
    """Start the embedded hall and the workstation; print READY when the counter is live."""
    from datetime import datetime

    from keyring.backends.null import Keyring as NullKeyring

    from clerkdesk.app import AutoSignIn, ClerkDeskApp
    from clerkdesk.clock import ScaledClock
    from clerkdesk.credentials import TokenStore
    from clerkdesk.embedded import start_embedded
    from clerkdesk.hall.db import sqlite_url
    from clerkdesk.screens.counter import CounterScreen
    from clerkdesk.workstation.session import Workstation

    clock = ScaledClock(datetime.fromisoformat(HALL_TIME))
    embedded = start_embedded(sqlite_url(Path(database)), clock)
    ws = Workstation(embedded.server, clock, TokenStore(backend=NullKeyring()))
    app = ClerkDeskApp(ws, auto=AutoSignIn("1002", "demo", (8,)), remember=False)

    async def until_live(pilot: Any) -> None:
        while True:
            screen = app.screen
            if isinstance(screen, CounterScreen) and screen.model.loaded and screen.stream_seen:
                break
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame showing it
        print("READY", flush=True)
        app.exit()

    try:
        app.run(headless=True, size=(100, 30), auto_pilot=until_live)
    finally:
        embedded.stop()


def measure_start(template: Path, runs: int) -> list[float]:
    times = []
    for run in range(runs):
        copy = template.with_name(f"start-{run}.sqlite3")
        shutil.copyfile(template, copy)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        began = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, __file__, "--child-start", str(copy)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "READY":
                times.append(time.perf_counter() - began)
                break
        child.wait(30)
        if child.returncode != 0 or len(times) != run + 1:
            raise SystemExit(f"start run {run} failed (exit {child.returncode})")
    return times


# --- in this process: presses and arrivals -------------------------------------------------------


async def measure_presses(template: Path, presses: int, arrivals: int) -> dict[str, list[float]]:
    from datetime import datetime

    from keyring.backends.null import Keyring as NullKeyring
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from clerkdesk.api.client import HallClient
    from clerkdesk.app import AutoSignIn, ClerkDeskApp
    from clerkdesk.clock import ManualClock
    from clerkdesk.credentials import TokenStore
    from clerkdesk.embedded import start_embedded
    from clerkdesk.hall.db import make_engine, sqlite_url
    from clerkdesk.hall.models import Hall
    from clerkdesk.screens.counter import CounterScreen
    from clerkdesk.screens.ticket_dialogs import OutcomeDialog
    from clerkdesk.widgets.ticket_number import TicketNumber
    from clerkdesk.workstation.session import Workstation

    copy = template.with_name("presses.sqlite3")
    shutil.copyfile(template, copy)
    engine = make_engine(sqlite_url(copy))
    with Session(engine) as session, session.begin():
        session.execute(update(Hall).values(min_call_interval_s=0))
    engine.dispose()

    clock = ManualClock(datetime.fromisoformat(HALL_TIME))
    embedded = start_embedded(sqlite_url(copy), clock)
    kiosk = HallClient(embedded.server.url)
    await kiosk.login("kiosk1", "demo")
    for _ in range(presses):
        await kiosk.issue("hukou")
    ws = Workstation(embedded.server, clock, TokenStore(backend=NullKeyring()))
    app = ClerkDeskApp(ws, auto=AutoSignIn("1002", "demo", (8,)), remember=False)
    calls: list[float] = []
    issues: list[float] = []
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(
                lambda: isinstance(app.screen, CounterScreen) and app.screen.stream_seen,
                "the counter screen",
            )
            screen = app.screen
            assert isinstance(screen, CounterScreen)
            number = screen.query_one(TicketNumber)
            await pilot.pause(0.2)

            async def shown() -> None:
                """Until the next screen refresh has drawn what the widgets now hold."""
                drawn = asyncio.get_running_loop().create_future()
                app.call_after_refresh(drawn.set_result, None)
                await drawn

            for _ in range(presses):
                expected = screen.model.queue[0].code
                began = time.perf_counter()
                app.simulate_key("n")
                await until(lambda: number.code == expected, f"{expected} on screen")  # noqa: B023
                await shown()
                calls.append((time.perf_counter() - began) * 1000)
                app.simulate_key("s")
                await until(lambda: screen.model.status == "serving", "serving")
                app.simulate_key("c")
                await until(lambda: isinstance(app.screen, OutcomeDialog), "the outcome dialog")
                app.simulate_key("1")
                await until(
                    lambda: screen.model.current is None and screen.pending is None,
                    f"{expected} completed",
                )
            for _ in range(arrivals):
                await pilot.pause(0.05)
                issued = await kiosk.issue("hukou")
                began = time.perf_counter()
                await until(
                    lambda: issued.id in {t.id for t in screen.model.queue},  # noqa: B023
                    f"{issued.code} queued",
                )
                await shown()
                issues.append((time.perf_counter() - began) * 1000)
    finally:
        await kiosk.aclose()
        embedded.stop()
    return {"calls": calls, "issues": issues}


def prepare_template(folder: Path) -> Path:
    from datetime import datetime

    from clerkdesk.demo import prepare_demo_database

    prepare_demo_database(datetime.fromisoformat(HALL_TIME), folder)
    return folder / "demo-hall.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line on stdout")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=50)
    parser.add_argument("--arrivals", type=int, default=20)
    parser.add_argument("--child-start", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_start(args.child_start)
        return
    with tempfile.TemporaryDirectory(prefix="clerkdesk-bench-") as tmp:
        os.environ["CLERKDESK_HOME"] = str(Path(tmp) / "home")  # no user config or keyring
        template = prepare_template(Path(tmp))
        starts = measure_start(template, args.runs)
        measured = asyncio.run(measure_presses(template, args.presses, args.arrivals))
    result = {
        "start_s": round(statistics.median(starts), 3),
        "start_runs_s": [round(s, 3) for s in starts],
        "call_next_p50_ms": round(_percentile(measured["calls"], 50), 1),
        "call_next_p95_ms": round(_percentile(measured["calls"], 95), 1),
        "issue_to_queue_p95_ms": round(_percentile(measured["issues"], 95), 1),
        "presses": len(measured["calls"]),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}  {value}")


if __name__ == "__main__":
    main()
