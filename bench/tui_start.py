"""Benchmark of the counter workstation on the embedded demo hall.

    python bench/tui_start.py [--json] [--runs 5] [--presses 50]

start_s          process start to the counter screen showing live data (signed in as 1002 王芳 at
                 window 8, the counter read from the hall, its event stream connected): the
                 median of `--runs` fresh processes. Each process starts the hall service in
                 itself (the embedded hall: uvicorn in a thread on a loopback port) over a copy of
                 a demo database prepared once beforehand, as the embedded hall's database exists
                 after its first start. The app runs headless (Textual's headless driver renders
                 every frame, with no terminal to draw on). The package's bytecode is compiled
                 first, as installing it does (`pip install` writes the .pyc files): a start that
                 compiles ClerkDesk's own source each time (PYTHONDONTWRITEBYTECODE=1 on a source
                 checkout) measures the compiler, about 0.3 s more here.
demo_start_s     the same for `clerkdesk demo` as a user runs it (the command line's own code
                 path): a fresh demo hall created in a new SQLite file, the hall started on it,
                 the workstation signed in at the first free window of 1002; arrivals off
                 (`--rate 0`) so that no kiosk ticket lands in the measurement.
call_next_p95_ms key press ("n", delivered as a key event) to the first frame drawn after the
                 ticket number widget holds the called ticket (measured at Textual's
                 App._display), `--presses` times, each made with the screen at rest (no
                 read or action under way, the process idle); the ticket is started and
                 completed between calls (keys "s", "c"). The demo hall's 3 s minimum
                 interval between calls is set to 0 in the benchmark's copy of the database;
                 nothing else differs from the demo. The app is started as `clerkdesk` starts
                 it (clerkdesk.launch.starting: the start's objects frozen out of the garbage
                 collector's passes).
issue_to_queue_p95_ms
                 a ticket issued at the kiosk (another client) to the first frame drawn after
                 the queue table holds it: the event stream, then a fresh read of the counter.

The hall clock stands at Fri 2026-12-11 09:00 (inside opening hours) whatever the wall clock.
Also reported: start_cpu_s and demo_start_cpu_s (CPU seconds a start process used, until it
exits just after READY) and call_next_cpu_p95_ms (CPU time of this process, app and embedded
hall, per press): on a machine busy with other work the wall times grow while these stay put,
so a run there can still be judged. `machine`: per phase (start, demo_start, presses) the
machine's steal, this run's CPU and other processes' (bench/machine.py).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import resource
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

from bench.machine import Machine  # noqa: E402

HALL_TIME = "2026-12-11T09:00:00+08:00"


async def until(condition: Any, what: str, timeout: float = 20.0) -> None:
    """Poll `condition()` every 2 ms; a benchmark that hangs says what it waited for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {timeout} s waiting for {what}")
        await asyncio.sleep(0.002)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- the child: one workstation start ----------------------------------------------------------


def _until_live(app: Any) -> Any:
    """An auto-pilot that prints READY once the counter shows live data, then ends the app."""
    from clerkdesk.screens.counter import CounterScreen

    async def until_live(pilot: Any) -> None:
        while True:
            screen = app.screen
            if (
                isinstance(screen, CounterScreen)
                and screen.model.loaded
                and screen.link.stream_seen
            ):
                break
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame showing it
        print("READY", flush=True)
        app.exit()

    return until_live


def child_start(database: str) -> None:
    """Start the embedded hall and the workstation; print READY when the counter is live."""
    from clerkdesk.launch import starting

    with starting():  # as `clerkdesk` starts (clerkdesk.launch.run_workstation)
        from datetime import datetime

        from clerkdesk.app import AutoSignIn, ClerkDeskApp
        from clerkdesk.clock import ScaledClock
        from clerkdesk.credentials import TokenStore
        from clerkdesk.embedded import start_embedded
        from clerkdesk.hall.store.engine import sqlite_url
        from clerkdesk.state.session import Workstation

        clock = ScaledClock(datetime.fromisoformat(HALL_TIME))
        embedded = start_embedded(sqlite_url(Path(database)), clock)
        ws = Workstation(embedded.server, clock, TokenStore.memory_only())
        app = ClerkDeskApp(ws, auto=AutoSignIn("1002", "demo", (8,)), remember=False)
    try:
        app.run(headless=True, size=(100, 30), auto_pilot=_until_live(app))
    finally:
        embedded.stop()


def child_demo() -> None:
    """`clerkdesk demo` through the command line's own code; READY when the counter is live."""
    from clerkdesk import cli
    from clerkdesk.app import ClerkDeskApp

    run = ClerkDeskApp.run

    def headless(app: ClerkDeskApp, **_kwargs: Any) -> None:
        run(app, headless=True, size=(100, 30), auto_pilot=_until_live(app))

    ClerkDeskApp.run = headless  # type: ignore[method-assign,assignment]
    local = datetime_local(HALL_TIME)
    cli.main(["demo", "--clock", local, "--rate", "0"])


def datetime_local(moment: str) -> str:
    """The hall-local wall time of `moment`, as `clerkdesk demo --clock` takes it."""
    from datetime import datetime

    return datetime.fromisoformat(moment).strftime("%Y-%m-%dT%H:%M")


def _run_child(arguments: list[str], tmp: Path) -> tuple[float, float]:
    """Wall seconds from starting a child process to its READY, and the CPU seconds it used."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, *arguments], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    ready = None
    for line in child.stdout:
        if line.strip() == "READY":
            ready = time.perf_counter() - began
            break
    child.wait(30)
    if child.returncode != 0 or ready is None:
        raise SystemExit(f"{' '.join(arguments)}: no READY (exit {child.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ready, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure_start(template: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds to READY per run, and the CPU seconds each child process used in all."""
    times: list[float] = []
    cpu: list[float] = []
    for run in range(runs):
        copy = template.with_name(f"start-{run}.sqlite3")
        shutil.copyfile(template, copy)
        wall, used = _run_child(["--child-start", str(copy)], template.parent)
        times.append(wall)
        cpu.append(used)
    return times, cpu


def measure_demo_start(folder: Path, runs: int) -> tuple[list[float], list[float]]:
    times: list[float] = []
    cpu: list[float] = []
    for run in range(runs):
        tmp = folder / f"demo-{run}"  # the demo's temporary database goes here
        tmp.mkdir()
        wall, used = _run_child(["--child-demo"], tmp)
        times.append(wall)
        cpu.append(used)
    return times, cpu


def compile_bytecode() -> None:
    """Write ClerkDesk's .pyc files as `pip install` does (the libraries' are there already)."""
    if not compileall.compile_dir(ROOT / "clerkdesk", quiet=1):
        raise SystemExit("compiling clerkdesk failed")


# --- in this process: presses and arrivals -------------------------------------------------------


async def measure_presses(template: Path, presses: int, arrivals: int) -> dict[str, list[float]]:
    from datetime import datetime

    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from clerkdesk.api.client import HallClient
    from clerkdesk.app import AutoSignIn, ClerkDeskApp
    from clerkdesk.clock import ManualClock
    from clerkdesk.credentials import TokenStore
    from clerkdesk.embedded import start_embedded
    from clerkdesk.hall.store.engine import make_engine, sqlite_url
    from clerkdesk.hall.store.models import Hall
    from clerkdesk.launch import starting
    from clerkdesk.screens.counter import CounterScreen
    from clerkdesk.state.session import Workstation
    from clerkdesk.widgets.queue_table import QueueTable
    from clerkdesk.widgets.ticket_number import TicketNumber

    copy = template.with_name("presses.sqlite3")
    shutil.copyfile(template, copy)
    engine = make_engine(sqlite_url(copy))
    with Session(engine) as session, session.begin():
        session.execute(update(Hall).values(min_call_interval_s=0))
    engine.dispose()

    with starting():  # as the workstation starts (clerkdesk.launch)
        clock = ManualClock(datetime.fromisoformat(HALL_TIME))
        embedded = start_embedded(sqlite_url(copy), clock)
        kiosk = HallClient(embedded.server.url)
        await kiosk.login("kiosk1", "demo")
        for _ in range(presses):
            await kiosk.issue("hukou")
        ws = Workstation(embedded.server, clock, TokenStore.memory_only())
        app = ClerkDeskApp(ws, auto=AutoSignIn("1002", "demo", (8,)), remember=False)
    calls: list[float] = []
    calls_cpu: list[float] = []
    issues: list[float] = []
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(
                lambda: isinstance(app.screen, CounterScreen) and app.screen.link.stream_seen,
                "the counter screen",
            )
            screen = app.screen
            assert isinstance(screen, CounterScreen)
            number = screen.query_one(TicketNumber)
            await pilot.pause(0.2)

            # The moment a frame is drawn: Textual's App._display (headless, it draws nowhere,
            # but the frame has been composed). "Shown" is the first frame composed after the
            # widget holds the called ticket.
            frames: list[float] = []
            display = app._display

            def displaying(screen_: Any, renderable: Any) -> None:
                display(screen_, renderable)
                if renderable is not None:
                    frames.append(time.perf_counter())

            app._display = displaying  # type: ignore[method-assign]

            async def shown_since(moment: float) -> float:
                """When the first frame composed after `moment` was drawn."""
                await until(lambda: frames and frames[-1] > moment, "a frame")
                return next(f for f in frames if f > moment)

            called = asyncio.Event()
            set_at: list[float] = []

            def on_code(code: str | None) -> None:
                if code:
                    set_at.append(time.perf_counter())
                    called.set()

            app.watch(number, "code", on_code, init=False)
            for _ in range(presses):
                # A clerk presses when the screen is at rest: the last completion drawn and read
                # back, nothing under way, the app idle (the footer redrawn for the new offer).
                await until(lambda: at_rest(screen), "the counter at rest")
                await pilot.pause(0.05)
                await pilot.pause()  # until this process is idle
                expected = screen.model.queue[0].code
                called.clear()
                began, began_cpu = time.perf_counter(), time.process_time()
                app.simulate_key("n")
                await asyncio.wait_for(called.wait(), 20)
                drawn = await shown_since(set_at[-1])
                calls.append((drawn - began) * 1000)
                calls_cpu.append((time.process_time() - began_cpu) * 1000)
                assert number.code == expected, (number.code, expected)
                app.simulate_key("s")
                await until(lambda: screen.model.status == "serving", "serving")
                app.simulate_key("c")  # done, the usual outcome: no dialog
                await until(
                    lambda: screen.model.current is None and screen.link.pending is None,
                    f"{expected} completed",
                )
            table = screen.query_one(QueueTable)
            put_in_table: dict[int, float] = {}  # ticket id -> when the table first had it
            show = table.show

            def showing(tickets: list[Any], now: Any) -> None:
                show(tickets, now)
                moment = time.perf_counter()
                for ticket in tickets:
                    put_in_table.setdefault(ticket.id, moment)

            table.show = showing  # type: ignore[method-assign]
            for _ in range(arrivals):
                await pilot.pause(0.05)
                issued = await kiosk.issue("hukou")
                began = time.perf_counter()
                await until(lambda: issued.id in put_in_table, f"{issued.code} queued")  # noqa: B023
                drawn = await shown_since(put_in_table[issued.id])
                issues.append((drawn - began) * 1000)
    finally:
        await kiosk.aclose()
        embedded.stop()
    return {"calls": calls, "calls_cpu": calls_cpu, "issues": issues}


def at_rest(screen: Any) -> bool:
    """No read of the counter under way or due, no action in flight or waiting."""
    busy = (screen._refreshing, screen._dirty, screen._showing_answer, screen.link.in_flight)
    return not any(busy) and screen.link.pending is None


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
    parser.add_argument("--child-demo", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_start(args.child_start)
        return
    if args.child_demo:
        child_demo()
        return
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="clerkdesk-bench-") as tmp:
        os.environ["CLERKDESK_HOME"] = str(Path(tmp) / "home")  # no user config or keyring
        template = prepare_template(Path(tmp))
        watch = Machine()
        with watch.phase("start"):
            starts, starts_cpu = measure_start(template, args.runs)
        with watch.phase("demo_start"):
            demo_starts, demo_starts_cpu = measure_demo_start(Path(tmp), args.runs)
        with watch.phase("presses"):
            measured = asyncio.run(measure_presses(template, args.presses, args.arrivals))
    result = {
        "start_s": round(statistics.median(starts), 3),
        "start_runs_s": [round(s, 3) for s in starts],
        "start_cpu_s": round(statistics.median(starts_cpu), 3),
        "demo_start_s": round(statistics.median(demo_starts), 3),
        "demo_start_cpu_s": round(statistics.median(demo_starts_cpu), 3),
        "call_next_p50_ms": round(_percentile(measured["calls"], 50), 1),
        "call_next_p95_ms": round(_percentile(measured["calls"], 95), 1),
        "call_next_cpu_p95_ms": round(_percentile(measured["calls_cpu"], 95), 1),
        "issue_to_queue_p95_ms": round(_percentile(measured["issues"], 95), 1),
        "presses": len(measured["calls"]),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
        "machine": watch.phases,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}  {value}")


if __name__ == "__main__":
    main()
