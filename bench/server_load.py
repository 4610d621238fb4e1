"""Load benchmark of the hall service: a real server process, many clerk clients, one kiosk.

    python bench/server_load.py [--db URL] [--clients 50] [--rate 200] [--duration 10] [--json]

The server runs in its own process (the load generator must not share its GIL) on a SQLite temp
file, or on the PostgreSQL database given with --db (the load hall is imported beside whatever is
there). The hall has one window and one clerk per client, every window serving the same three
services, no minimum interval between calls. Phases:

  (floor) with --floor, first: the same clients against a trivial app on the same server
      stack (bench/floor_app.py), GET /ping (`def`) and GET /aping (`async def`) back to back
      -> floor_req_per_s, floor_async_req_per_s; each kind below is then also given as its
      share of the floor (ping_share_of_floor, issue_share_of_floor,
      cycle_request_share_of_floor);
  (a) saturation: every clerk does call next -> start -> complete back to back while the kiosk
      keeps tickets waiting -> cycles_per_s; then the same clients call GET /ping back to back
      -> echo_req_per_s, the token check's floor; then the same clients, each as a kiosk,
      issue tickets back to back -> issue_req_per_s;
  (b) latency at a steady offered load (open loop: each request has a scheduled time, and its
      latency counts from that time, so a slow answer delays and penalises the ones behind it);
      the kiosks' issues are a quarter of the requests (--kiosks clients), the clerks' cycles
      the rest -> p50/p99, and p99 per kind of request.

With --server-processes 1,2 the phases run against one server process, then two (`serve
--workers 2`), in one run on the same hall: `cycles_per_s_by_processes` and the like.

The clients are split over several worker processes (one Python process tops out near 700-800
requests/s). At the end the database is audited: double_calls (a ticket called again without
being parked) and lost (a ticket neither finished nor waiting) must both be 0. The hall clock
is fixed to a Friday 10:00 so the kiosk is inside opening hours whenever the benchmark runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.machine import Machine, postgres_backends  # noqa: E402
from clerkdesk.api.client import HallClient  # noqa: E402
from clerkdesk.api.errors import ApiError  # noqa: E402
from clerkdesk.hall.server import ENV_CLOCK_START, server_stack  # noqa: E402
from clerkdesk.hall.store.engine import make_engine, sqlite_url  # noqa: E402
from clerkdesk.hall.store.models import Hall, Ticket  # noqa: E402
from tests.load_helpers import (  # noqa: E402
    HALL_START,
    KIOSK,
    LOAD_HALL,
    LOAD_PASSWORD,
    SERVICES,
    ServerProcess,
    audit_hall,
    clerk_no,
    free_port,
    seed_load_hall,
)

REQUESTS_PER_CYCLE = 3
SLOWEST = 8
KIOSK_LANES = 24  # the kiosk's requests in flight while it tops up the queue


# --- the load worker processes ------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """One client of a worker: a clerk at a window, or the kiosk (window 0)."""

    token: str
    window: int
    offset_s: float = 0.0  # where its requests sit in the schedule of phase (b)


@dataclass(frozen=True)
class Share:
    base_url: str
    phase: str  # "cycles" | "echo" | "latency"
    seats: list[Seat]
    start_at: float  # wall clock, the same moment for every worker
    duration_s: float
    period_s: float = 0.0  # per clerk in phase (b)
    kiosk_period_s: float = 0.0


@dataclass
class Outcome:
    requests: int = 0
    cycles: int = 0
    refusals: Counter[str] = field(default_factory=Counter)  # error code -> count
    latencies_ms: list[float] | None = None
    by_request: dict[str, list[float]] = field(default_factory=dict)
    """Phase (b)'s latencies by what was asked (issue, call_next, start, complete)."""
    slowest: list[tuple[float, float, int, str]] = field(default_factory=list)
    """The slowest requests of phase (b): (ms, seconds after the phase's start it was due,
    window (0: the kiosk), what it was)."""
    span_s: float = 0.0  # from the common start to the last answer
    load_cpu_s: float = 0.0  # CPU time the load workers spent in the phase
    server_cpu_s: float = 0.0  # CPU time the server process spent in the phase


def worker_ready(hold_s: float) -> int:
    """A load worker is up (this module imported); held a moment, so that every worker of the
    pool gets one of these and none takes two."""
    time.sleep(hold_s)
    return os.getpid()


def run_share(share: Share) -> Outcome:
    return asyncio.run(_run_share(share))


async def _run_share(share: Share) -> Outcome:
    clients = [HallClient(share.base_url, seat.token, retry_delays=()) for seat in share.seats]
    try:
        if share.phase in FLOOR_PATHS:  # the trivial app answers no model of the hall's
            await asyncio.gather(*(client._http.get("/ping") for client in clients))
        else:
            await asyncio.gather(*(client.ping() for client in clients))  # warm each connection
        start = time.perf_counter() + (share.start_at - time.time())
        end = start + share.duration_s
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        cpu_start = time.process_time()
        if share.phase == "latency":
            jobs = [
                _paced(client, seat, start + seat.offset_s, end, share)
                for client, seat in zip(clients, share.seats, strict=True)
            ]
        else:
            jobs = [
                _flat_out(client, seat, end, share.phase)
                for client, seat in zip(clients, share.seats, strict=True)
            ]
        outcomes = await asyncio.gather(*jobs)
        span = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    total = Outcome(latencies_ms=[], span_s=span, load_cpu_s=cpu)
    for one in outcomes:
        total.requests += one.requests
        total.cycles += one.cycles
        total.refusals += one.refusals
        assert total.latencies_ms is not None
        total.latencies_ms.extend(one.latencies_ms or [])
        for what, took in one.by_request.items():
            total.by_request.setdefault(what, []).extend(took)
        total.slowest = sorted(total.slowest + one.slowest, reverse=True)[:SLOWEST]
    return total


FLOOR_PATHS = {"floor": "/ping", "floor_async": "/aping"}
"""The trivial app's endpoints (bench/floor_app.py): a `def` one and an `async def` one."""


async def _flat_out(client: HallClient, seat: Seat, end: float, phase: str) -> Outcome:
    done = Outcome()
    k = 0
    while time.perf_counter() < end:
        if phase == "echo":
            await client.ping()
            done.requests += 1
            continue
        if phase in FLOOR_PATHS:
            (await client._http.get(FLOOR_PATHS[phase])).raise_for_status()
            done.requests += 1
            continue
        if phase == "issues":  # every client a kiosk
            k += 1
            await client.issue(SERVICES[k % len(SERVICES)])
            done.requests += 1
            continue
        try:
            ticket = await client.call_next(seat.window)
        except ApiError as refused:
            done.requests += 1
            done.refusals[refused.code] += 1
            await asyncio.sleep(0.005)
            continue
        await client.start(ticket.id)
        await client.complete(ticket.id)
        done.requests += REQUESTS_PER_CYCLE
        done.cycles += 1
    return done


async def _paced(client: HallClient, seat: Seat, first: float, end: float, share: Share) -> Outcome:
    """Open loop: request k is due at first + k * period, whatever happened to request k-1; its
    latency counts from when it was due. A cycle left open at the end is finished unmeasured."""
    done = Outcome(latencies_ms=[])
    assert done.latencies_ms is not None
    period = share.kiosk_period_s if seat.window == 0 else share.period_s
    ticket_id: int | None = None
    step = 0
    k = 0
    while (due := first + k * period) < end:
        k += 1
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        what = "issue" if seat.window == 0 else ("call_next", "start", "complete")[step]
        try:
            if seat.window == 0:
                await client.issue(SERVICES[k % len(SERVICES)])
            elif step == 0:
                ticket_id = (await client.call_next(seat.window)).id
                step = 1
            elif step == 1:
                assert ticket_id is not None
                await client.start(ticket_id)
                step = 2
            else:
                assert ticket_id is not None
                await client.complete(ticket_id)
                step, ticket_id = 0, None
                done.cycles += 1
        except ApiError as refused:
            done.refusals[refused.code] += 1
        took = (time.perf_counter() - due) * 1000
        done.latencies_ms.append(took)
        done.by_request.setdefault(what, []).append(took)
        done.slowest = sorted(
            [*done.slowest, (took, due - (first - seat.offset_s), seat.window, what)], reverse=True
        )[:SLOWEST]
        done.requests += 1
    if ticket_id is not None:
        if step == 1:
            await client.start(ticket_id)
        await client.complete(ticket_id)
        done.cycles += 1
    return done


# --- the conductor ------------------------------------------------------------------------


def waiting_tickets(engine: Any) -> int:
    # A read transaction: on SQLite the engine's default `BEGIN IMMEDIATE` would take the write
    # lock every 50 ms and make the server's writers wait (busy timeout, sleeping up to 100 ms).
    with engine.execution_options(clerkdesk_read=True).connect() as conn:
        hall_id = conn.scalar(select(Hall.id).where(Hall.code == LOAD_HALL))
        count = conn.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.hall_id == hall_id, Ticket.status == "waiting")
        )
    return int(count or 0)


async def keep_tickets_waiting(
    kiosk: HallClient, engine: Any, target: int, stop: asyncio.Event
) -> int:
    """The kiosk keeps about `target` tickets waiting: `KIOSK_LANES` issues in flight while
    fewer wait (counted in the database every 50 ms). One kiosk request at a time against 50
    clerks would get too few of the server's turns to keep up, and a clerk who finds the queue
    empty measures the kiosk, not the server."""
    waiting = await asyncio.to_thread(waiting_tickets, engine)
    issued = 0

    async def count() -> None:
        nonlocal waiting
        while not stop.is_set():
            await asyncio.sleep(0.05)
            waiting = await asyncio.to_thread(waiting_tickets, engine)

    async def lane(first: int) -> None:
        nonlocal issued
        n = first
        while not stop.is_set():
            if waiting >= target:
                await asyncio.sleep(0.01)
                continue
            await kiosk.issue(SERVICES[n % len(SERVICES)])
            issued += 1
            n += KIOSK_LANES

    await asyncio.gather(count(), *(lane(k) for k in range(KIOSK_LANES)))
    return issued


async def sign_in_clerks(url: str, clients: int) -> tuple[list[Seat], str]:
    # A few at a time: the server checks each password (argon2, ~0.2 s) inside a write
    # transaction, so a crowd of logins would queue behind each other past the client timeout.
    gate = asyncio.Semaphore(2)

    async def one(window: int) -> Seat:
        async with gate, HallClient(url) as clerk:
            await clerk.login(clerk_no(window), LOAD_PASSWORD)
            await clerk.sign_in(window)
            assert clerk.token is not None
            return Seat(clerk.token, window)

    seats = list(await asyncio.gather(*(one(n) for n in range(1, clients + 1))))
    async with HallClient(url) as kiosk:
        await kiosk.login(KIOSK, LOAD_PASSWORD)
        assert kiosk.token is not None
        return seats, kiosk.token


def split(seats: list[Seat], workers: int) -> list[list[Seat]]:
    return [seats[i::workers] for i in range(workers)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc; 0 elsewhere):
    with `--server-processes`, the server's worker processes are children of uvicorn's."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


_SERVE_PROCESSES = (
    "import sys; from clerkdesk.hall.server import serve_processes; "
    "from clerkdesk.hall.ops.metrics import json_log_config; "
    "serve_processes(sys.argv[1], '127.0.0.1', int(sys.argv[2]), int(sys.argv[3]), "
    "log_config=json_log_config() if sys.argv[4:] else None)"
)


def start_server(
    database_url: str,
    log: Path,
    processes: int,
    log_requests: bool = False,
    clock_start: datetime = HALL_START,
) -> ServerProcess:
    """What `clerkdesk serve` runs (`--workers N` for N > 1), the hall clock at `clock_start`;
    `log_requests`: a JSON line per request in the log (`--log-format json`; N > 1 only)."""
    if processes == 1:
        return ServerProcess.start(database_url, log, start=clock_start)
    port = free_port()
    command = [sys.executable, "-c", _SERVE_PROCESSES, database_url, str(port), str(processes)]
    if log_requests:
        command.append("json")
    env = {**os.environ, ENV_CLOCK_START: clock_start.isoformat()}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hall service exited:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the hall service did not answer:\n{server.output()}")


async def run_phase(
    pool: ProcessPoolExecutor,
    server_pid: int,
    url: str,
    phase: str,
    shares: list[list[Seat]],
    duration: float,
    machine: Machine,
    **kw: float,
) -> Outcome:
    start_at = time.time() + 2.0  # time for every worker to warm its clients
    futures = [
        asyncio.wrap_future(
            pool.submit(run_share, Share(url, phase, seats, start_at, duration, **kw))
        )
        for seats in shares
        if seats
    ]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    server_cpu = cpu_seconds(server_pid)
    first = machine.sample()
    total = Outcome(latencies_ms=[])
    results = await asyncio.gather(*futures)
    machine.record(phase, first)
    for one in results:
        total.load_cpu_s += one.load_cpu_s
        total.span_s = max(total.span_s, one.span_s)
        total.requests += one.requests
        total.cycles += one.cycles
        total.refusals += one.refusals
        assert total.latencies_ms is not None
        total.latencies_ms.extend(one.latencies_ms or [])
        for what, took in one.by_request.items():
            total.by_request.setdefault(what, []).extend(took)
        total.slowest = sorted(total.slowest + one.slowest, reverse=True)[:SLOWEST]
    total.server_cpu_s = cpu_seconds(server_pid) - server_cpu
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


async def conduct(
    args: argparse.Namespace,
    processes: int,
    server_pid: int,
    url: str,
    database_url: str,
    machine: Machine,
) -> dict[str, Any]:
    """Phases (a) and (b) against one server (`processes` processes)."""
    seats, kiosk_token = await sign_in_clerks(url, args.clients)
    engine = make_engine(database_url)
    kiosk = HallClient(url, kiosk_token)
    pool = ProcessPoolExecutor(max_workers=args.workers, mp_context=_spawn())
    try:
        # Every load worker started and its imports done before the first phase: started on
        # the first phase's demand, on a loaded machine they came up after its start and
        # measured nothing (cycles_per_s 0).
        await asyncio.gather(
            *(asyncio.wrap_future(pool.submit(worker_ready, 0.5)) for _ in range(args.workers))
        )
        target = 4 * args.clients + 50
        stop = asyncio.Event()
        issuing = asyncio.create_task(keep_tickets_waiting(kiosk, engine, target, stop))
        while await asyncio.to_thread(waiting_tickets, engine) < target:
            await asyncio.sleep(0.1)
        cycles = await run_phase(
            pool, server_pid, url, "cycles", split(seats, args.workers), args.duration, machine
        )
        stop.set()
        issued_a = await issuing
        echo = await run_phase(
            pool, server_pid, url, "echo", split(seats, args.workers), args.duration, machine
        )
        issues = await run_phase(  # the same clients, each a kiosk issuing back to back
            pool,
            server_pid,
            url,
            "issues",
            split([Seat(kiosk_token, 0) for _ in seats], args.workers),
            args.duration,
            machine,
        )

        # (b): the kiosks take a quarter of the offered requests (one issue per three-request
        # cycle), the clerks the rest, each at its own offset so the load is even in time.
        # Several kiosks, as a hall has: one kiosk asked for 50 tickets a second in a row must
        # have each answered within 20 ms or fall behind for the rest of the phase, and then
        # the phase measured that one connection's queue (the "two-process stall").
        # A backlog first (a second of the offered rate: four seconds of the kiosks' issues), so
        # kiosks answered late never empty the queue. (Choosing the next ticket no longer reads
        # every waiting one: the issue phase before may leave thousands waiting.)
        stop = asyncio.Event()
        backlog = target + int(args.rate)
        topping = asyncio.create_task(keep_tickets_waiting(kiosk, engine, backlog, stop))
        while await asyncio.to_thread(waiting_tickets, engine) < backlog:
            await asyncio.sleep(0.1)
        stop.set()
        await topping
        clerk_rate = args.rate * 3 / 4
        period = args.clients / clerk_rate
        paced = [
            Seat(s.token, s.window, offset_s=i * period / args.clients) for i, s in enumerate(seats)
        ]
        kiosk_period = args.kiosks * 4 / args.rate
        kiosks = [
            Seat(kiosk_token, 0, offset_s=k * kiosk_period / args.kiosks)
            for k in range(args.kiosks)
        ]
        shares = split(paced, args.workers)
        for k, seat in enumerate(kiosks):
            shares[k % len(shares)].insert(0, seat)
        latency = await run_phase(
            pool,
            server_pid,
            url,
            "latency",
            shares,
            args.duration,
            machine,
            period_s=period,
            kiosk_period_s=kiosk_period,
        )
    finally:
        pool.shutdown()
        await kiosk.aclose()
        engine.dispose()
    lat = latency.latencies_ms or []
    return {
        "server_processes": processes,
        "cycles_per_s": round(cycles.cycles / args.duration, 1),
        "echo_req_per_s": round(echo.requests / args.duration, 1),
        "cycle_share_of_echo": round(cycles.cycles * REQUESTS_PER_CYCLE / max(1, echo.requests), 3),
        "issue_req_per_s": round(issues.requests / args.duration, 1),
        "offered_req_per_s": args.rate,
        "answered_req_per_s": round(latency.requests / latency.span_s, 1),
        "p50_ms": round(percentile(lat, 0.50), 2),
        "p99_ms": round(percentile(lat, 0.99), 2),
        "max_ms": round(max(lat, default=float("nan")), 2),
        "p99_ms_by_request": {
            what: round(percentile(took, 0.99), 2)
            for what, took in sorted(latency.by_request.items())
        },
        "slowest_latency": [
            {"ms": round(ms, 1), "due_s": round(due, 2), "window": window, "request": what}
            for ms, due, window, what in latency.slowest
        ],
        "refusals_saturation": dict(cycles.refusals + echo.refusals + issues.refusals),
        "refusals_latency": dict(latency.refusals),
        "kiosk_issued_during_saturation": issued_a,
        # CPU seconds per second of phase (1.0 = one core busy): the server process(es), and
        # the load workers together. An echo phase whose server is well below 1.0 while the
        # load workers take the rest of the machine measures the load generator.
        "cpu_cores": {
            name: {
                "server": round(phase.server_cpu_s / phase.span_s, 2),
                "load": round(phase.load_cpu_s / phase.span_s, 2),
            }
            for name, phase in (
                ("cycles", cycles),
                ("echo", echo),
                ("issues", issues),
                ("latency", latency),
            )
        },
        # The machine in each phase (bench/machine.py): steal, and the CPU of everything else
        # on it (other people's work), beside this run's own (server, load, database backends).
        "machine": machine.phases,
    }


def _spawn() -> Any:
    import multiprocessing

    return multiprocessing.get_context("spawn")


def start_floor(log: Path) -> ServerProcess:
    """The trivial app (bench/floor_app.py) on the hall's server stack, in a process of its
    own."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "floor_app.py"), str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the floor app exited:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the floor app did not answer:\n{server.output()}")


async def floor_phases(args: argparse.Namespace, folder: Path, machine: Machine) -> dict[str, Any]:
    """The same clients and load workers against the trivial app, back to back: what this
    machine's HTTP stack answers at most, in this run."""
    server = start_floor(folder / "floor.log")
    pool = ProcessPoolExecutor(max_workers=args.workers, mp_context=_spawn())
    seats = [Seat("-", n) for n in range(1, args.clients + 1)]
    try:
        await asyncio.gather(
            *(asyncio.wrap_future(pool.submit(worker_ready, 0.5)) for _ in range(args.workers))
        )
        found = {}
        for phase in FLOOR_PATHS:
            outcome = await run_phase(
                pool,
                server.process.pid,
                server.url,
                phase,
                split(seats, args.workers),
                args.duration,
                machine,
            )
            found[f"{phase}_req_per_s"] = round(outcome.requests / args.duration, 1)
            found[f"{phase}_server_cores"] = round(outcome.server_cpu_s / outcome.span_s, 2)
        return found
    finally:
        pool.shutdown()
        server.stop()


def against_floor(run: dict[str, Any], floor: dict[str, Any]) -> dict[str, float]:
    """Each kind of request's rate over the floor's (issue 14: ping >= 0.8, issue and the call
    cycle's requests >= 0.5 on SQLite, >= 0.4 on PostgreSQL)."""
    base = max(1e-9, floor["floor_req_per_s"])
    return {
        "ping_share_of_floor": round(run["echo_req_per_s"] / base, 3),
        "issue_share_of_floor": round(run["issue_req_per_s"] / base, 3),
        "cycle_request_share_of_floor": round(run["cycles_per_s"] * REQUESTS_PER_CYCLE / base, 3),
    }


def process_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("give process counts like 1 or 1,2")
    return counts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="database URL (default: a SQLite temp file)")
    p.add_argument("--clients", type=int, default=50, help="clerk clients (and windows)")
    p.add_argument("--rate", type=float, default=200.0, help="offered requests/s in phase (b)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    p.add_argument("--workers", type=int, default=3, help="load generator processes")
    p.add_argument("--kiosks", type=int, default=4, help="kiosk clients in phase (b)")
    p.add_argument(
        "--server-processes",
        type=process_counts,
        default=[1],
        help="server processes (`clerkdesk serve --workers N`; default 1, as serve runs); "
        "a list such as 1,2 runs the phases against each in turn, in one run",
    )
    p.add_argument("--server-log", help="keep the server's log here (JSON request lines)")
    p.add_argument(
        "--floor",
        action="store_true",
        help="first, the same clients against a trivial app on the same server stack "
        "(bench/floor_app.py): the floor, and each kind of request's share of it",
    )
    p.add_argument("--json", action="store_true", help="print only the JSON result line")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    say = (lambda *_: None) if args.json else (lambda *a: print(*a, file=sys.stderr))
    folder = Path(tempfile.mkdtemp(prefix="clerkdesk-bench-"))
    database_url = args.db or sqlite_url(folder / "bench.sqlite3")
    try:
        say(f"seeding the load hall ({args.clients} windows) in {make_url(database_url)!r}")
        seed_load_hall(database_url, HALL_START, args.clients)
        runs: dict[str, dict[str, Any]] = {}
        floor: dict[str, Any] = {}
        if args.floor:
            say("the floor: a trivial app on the same server stack")
            floor_machine = Machine()
            floor = asyncio.run(floor_phases(args, folder, floor_machine))
            floor["machine"] = floor_machine.phases
        began = time.monotonic()
        for processes in args.server_processes:
            log = folder / f"server-{processes}.log"
            # The hall's time goes on from run to run: a server whose clock started again at
            # 10:00 would find every window's last call in its future (409 too_soon).
            clock_start = HALL_START + timedelta(seconds=time.monotonic() - began)
            server = start_server(database_url, log, processes, bool(args.server_log), clock_start)
            try:
                say(f"{processes} server process(es) on {server.url}; {args.duration:g} s phases")
                machine = Machine(extra=postgres_backends(database_url))
                runs[str(processes)] = asyncio.run(
                    conduct(args, processes, server.process.pid, server.url, database_url, machine)
                )
                if floor:
                    runs[str(processes)].update(against_floor(runs[str(processes)], floor))
            finally:
                server.stop()
                if args.server_log:
                    with open(args.server_log, "ab") as kept:
                        kept.write(log.read_bytes())
        engine = make_engine(database_url)
        try:
            audit = audit_hall(engine)
        finally:
            engine.dispose()
        result: dict[str, Any] = {
            "backend": make_url(database_url).get_backend_name(),
            "clients": args.clients,
            "kiosks": args.kiosks,
            "load_workers": args.workers,
            "duration_s": args.duration,
        }
        if floor:
            result["floor"] = floor
        if len(runs) == 1:
            result.update(next(iter(runs.values())))
        else:
            result["server_processes"] = args.server_processes
            figures = ["cycles_per_s", "echo_req_per_s", "issue_req_per_s"]
            figures += ["answered_req_per_s", "p99_ms"]
            if floor:
                figures += ["ping_share_of_floor", "issue_share_of_floor"]
                figures += ["cycle_request_share_of_floor"]
            for figure in figures:
                result[f"{figure}_by_processes"] = {n: run[figure] for n, run in runs.items()}
            result["runs"] = runs
        result.update(
            {
                "tickets": audit.tickets,
                "double_calls": audit.double_calls,
                "lost": audit.lost,
                "audit_problems": len(audit.problems),
                "server_stack": server_stack(),  # uvicorn's HTTP parser and event loop
                "cpu_count": os.cpu_count(),
                "cpu_model": cpu_model(),
                "python": platform.python_version(),
            }
        )
        print(json.dumps(result, ensure_ascii=False))
        return 0 if result["double_calls"] == result["lost"] == 0 else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
