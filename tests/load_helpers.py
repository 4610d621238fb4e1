"""A hall built for load: many windows that all serve the same services, one clerk per window,
no minimum interval between calls; and an audit that replays every ticket's history from the
database; and a follower of the event stream for bounded waits. Shared by the exactly-once, SSE
and two-process tests and by bench/server_load.py (no pytest here)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.api.schemas import EventKind, EventOut
from clerkdesk.hall.rules.ticket_states import TERMINAL, WAITING, Action, next_state
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.hall_file import HallFile
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Event, Hall, Staff, Ticket, TicketTransition, Window

LOAD_HALL = "loadhall"
LOAD_PASSWORD = "load-test"
KIOSK = "LK1"
LEAD = "LL1"
SERVICES = ("ld-permit", "ld-tax", "ld-social")

_EVENT_OF_ACTION = {
    "issue": EventKind.ticket_issued.value,
    "call": EventKind.ticket_called.value,
    "recall": EventKind.ticket_recalled.value,
    "start": EventKind.ticket_started.value,
    "complete": EventKind.ticket_completed.value,
    "no_show": EventKind.ticket_no_show.value,
    "park": EventKind.ticket_parked.value,
    "cancel": EventKind.ticket_cancelled.value,
}


def clerk_no(index: int) -> str:
    return f"L{index:03d}"


def load_hall_spec(windows: int) -> HallFile:
    """`windows` windows 1..N, each serving all three services (in rotated order, so the service
    order differs between windows), clerk L001 for window 1 and so on, a kiosk and a duty lead."""
    services = [
        {"code": code, "name": f"事项 {i + 1}", "department": "ld", "prefix": "ABC"[i]}
        for i, code in enumerate(SERVICES)
    ]
    rotated = [list(SERVICES[i:] + SERVICES[:i]) for i in range(len(SERVICES))]
    raw: dict[str, Any] = {
        "hall": {"code": LOAD_HALL, "name": "压力测试大厅", "min_call_interval_s": 0},
        "departments": [{"code": "ld", "name": "综合受理"}],
        "policy": {"no_show_min_recalls": 0, "no_show_min_seconds": 0},  # clerks at full speed
        "services": services,
        "windows": [
            {"number": n, "label": f"{n}号窗口", "department": "ld", "services": rotated[n % 3]}
            for n in range(1, windows + 1)
        ],
        "staff": [
            *(
                {
                    "staff_no": clerk_no(n),
                    "name": f"测试员{n}",
                    "department": "ld",
                    "password": LOAD_PASSWORD,
                }
                for n in range(1, windows + 1)
            ),
            {"staff_no": KIOSK, "name": "取号机", "roles": ["kiosk"], "password": LOAD_PASSWORD},
            {"staff_no": LEAD, "name": "值班长", "roles": ["lead"], "password": LOAD_PASSWORD},
        ],
    }
    return hall_file.parse_hall(raw, "load hall")


def seed_load_hall(url: str, now: datetime, windows: int) -> None:
    """Migrate the database and import the load hall (beside any hall already there)."""
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, load_hall_spec(windows), now)
    finally:
        engine.dispose()


# --- a hall service in its own process ---------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
HALL_START = datetime(2026, 12, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Friday morning
_SERVE = "import sys; from tests.load_helpers import serve; serve(*sys.argv[1:])"


def serve(database_url: str, port: str, start: str, watch_every_s: str = "") -> None:
    """What `clerkdesk serve` runs, with the hall clock starting at `start` (so the kiosk is
    inside opening hours whenever a test or the benchmark runs); `watch_every_s`: the hall
    watcher's period when not the default (a benchmark of one request's cost sets it long,
    so that the watcher's passes over the hall do not land inside the requests it times)."""
    from clerkdesk.clock import ScaledClock
    from clerkdesk.hall.app import HallSettings, create_app
    from clerkdesk.hall.server import serve_forever

    clock = ScaledClock(datetime.fromisoformat(start))
    settings = HallSettings(database_url, clock=clock)
    if watch_every_s:
        settings.watch_every_s = float(watch_every_s)
    serve_forever(create_app(settings), "127.0.0.1", int(port))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A hall service in a process of its own: the clients do not share its GIL."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @classmethod
    def start(
        cls,
        database_url: str,
        log: Path,
        start: datetime = HALL_START,
        timeout: float = 60.0,
        watch_every_s: float | None = None,
    ) -> ServerProcess:
        port = free_port()
        command = [sys.executable, "-c", _SERVE, database_url, str(port), start.isoformat()]
        if watch_every_s is not None:
            command.append(str(watch_every_s))
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        server = cls(process, f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + timeout
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
        raise RuntimeError(f"the hall service did not answer in {timeout:g} s:\n{server.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


# --- the audit ----------------------------------------------------------------------------------


@dataclass
class Audit:
    """What the database says happened to the load hall's tickets."""

    tickets: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    double_calls: int = 0  # tickets called again without being parked in between
    lost: int = 0  # tickets neither terminal nor waiting, or whose history disagrees with them
    problems: list[str] = field(default_factory=list)
    calls: Counter[int] = field(default_factory=Counter)  # ticket id -> call transitions
    finished_by_window: Counter[int] = field(default_factory=Counter)  # completions + no-shows
    done_by_staff: Counter[str] = field(default_factory=Counter)
    no_show_by_staff: Counter[str] = field(default_factory=Counter)
    transitions: int = 0
    ticket_events: int = 0
    event_ids: list[int] = field(default_factory=list)

    @property
    def terminal(self) -> int:
        return sum(n for status, n in self.by_status.items() if status in TERMINAL)


def _replay(ticket: Ticket, history: list[TicketTransition], audit: Audit) -> None:
    """Run the ticket's recorded transitions through the pure state machine."""
    where = f"ticket {ticket.code} (id {ticket.id})"
    if not history or history[0].action != "issue" or history[0].to_status != WAITING:
        audit.problems.append(f"{where}: history does not start with its issue")
        audit.lost += 1
        return
    state = WAITING
    calls = parks = 0
    for step in history[1:]:
        calls += step.action == "call"
        parks += step.action == "park"
        if step.from_status != state:
            audit.problems.append(
                f"{where}: {step.action} recorded from {step.from_status}, but it was {state}"
            )
        try:
            state = next_state(state, Action(step.action))
        except Exception as exc:
            audit.problems.append(f"{where}: {exc}")
            state = step.to_status
        if step.to_status != state:
            audit.problems.append(f"{where}: {step.action} led to {step.to_status}, not {state}")
            state = step.to_status
    if calls > parks + 1:
        audit.double_calls += 1
        audit.problems.append(f"{where}: called {calls} times but parked only {parks} times")
    audit.calls[ticket.id] = calls
    terminal_steps = sum(1 for s in history if s.to_status in TERMINAL)
    settled = ticket.status in TERMINAL and terminal_steps == 1
    if state != ticket.status or not (settled or ticket.status == WAITING):
        audit.lost += 1
        audit.problems.append(
            f"{where}: is {ticket.status} with {terminal_steps} terminal steps; "
            f"its history says {state}"
        )


def audit_hall(engine: Engine, hall_code: str = LOAD_HALL) -> Audit:
    """Replay every ticket of the hall and match its events against its transitions."""
    audit = Audit()
    with Session(engine) as session:
        hall = session.scalars(select(Hall).where(Hall.code == hall_code)).one()
        windows = {w.id: w.number for w in session.scalars(select(Window))}
        staff = {s.id: s.staff_no for s in session.scalars(select(Staff))}
        tickets = list(session.scalars(select(Ticket).where(Ticket.hall_id == hall.id)))
        histories: dict[int, list[TicketTransition]] = defaultdict(list)
        for step in session.scalars(
            select(TicketTransition)
            .join(Ticket, Ticket.id == TicketTransition.ticket_id)
            .where(Ticket.hall_id == hall.id)
            .order_by(TicketTransition.id)
        ):
            histories[step.ticket_id].append(step)
        events: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for event in session.scalars(
            select(Event).where(Event.hall_id == hall.id).order_by(Event.id)
        ):
            audit.event_ids.append(event.id)
            if event.kind.startswith("ticket."):
                audit.ticket_events += 1
                ticket = event.payload["ticket"]
                events[ticket["id"]].append((event.kind, ticket["status"]))
    audit.tickets = len(tickets)
    for ticket in tickets:
        history = histories.get(ticket.id, [])
        audit.transitions += len(history)
        audit.by_status[ticket.status] += 1
        _replay(ticket, history, audit)
        expected = [(_EVENT_OF_ACTION[s.action], s.to_status) for s in history]
        if events.get(ticket.id, []) != expected:
            audit.problems.append(
                f"ticket {ticket.code}: events {events.get(ticket.id)} != transitions {expected}"
            )
        for step in history:
            if step.action in ("complete", "no_show") and step.window_id is not None:
                audit.finished_by_window[windows[step.window_id]] += 1
        if ticket.called_by_id is not None and ticket.status in ("done", "no_show"):
            by_staff = audit.done_by_staff if ticket.status == "done" else audit.no_show_by_staff
            by_staff[staff[ticket.called_by_id]] += 1
    return audit


class Follower:
    """Reads an event subscription in a background task, so a test can wait for what arrives
    with a bounded wait. `close()` drops the connection, as a screen going away does."""

    def __init__(self, subscription: EventSubscription) -> None:
        self.subscription = subscription
        self.received: list[EventOut] = []
        self.statuses: list[StreamStatus] = []
        self._arrived = asyncio.Condition()
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._taken = 0
        self._ended: BaseException | None = None

    async def start(self, timeout: float = 10.0) -> Follower:
        """Subscribe and wait until the server has accepted the stream."""
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._connected.wait(), timeout)
        if self._ended is not None:
            raise self._ended
        return self

    async def _run(self) -> None:
        try:
            async for item in self.subscription:
                if isinstance(item, StreamStatus):
                    self.statuses.append(item)
                    if item.connected:
                        self._connected.set()
                    continue
                async with self._arrived:
                    self.received.append(item)
                    self._arrived.notify_all()
        except Exception as exc:  # e.g. Unauthorized: let the waiting test see it
            self._ended = exc
            self._connected.set()
            async with self._arrived:
                self._arrived.notify_all()

    async def _wait(self, ready: Callable[[], bool], timeout: float) -> None:
        async def until() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: ready() or self._ended is not None)

        await asyncio.wait_for(until(), timeout)
        if not ready():
            raise AssertionError("the event stream ended early") from self._ended

    async def next(self, timeout: float = 10.0) -> EventOut:
        """The next event not yet taken."""
        await self._wait(lambda: len(self.received) > self._taken, timeout)
        self._taken += 1
        return self.received[self._taken - 1]

    async def take(self, count: int, timeout: float = 10.0) -> list[EventOut]:
        return [await self.next(timeout) for _ in range(count)]

    async def until(self, event_id: int, timeout: float = 20.0) -> list[EventOut]:
        """Everything not yet taken, up to and including the event with id >= event_id."""
        await self._wait(lambda: bool(self.received) and self.received[-1].id >= event_id, timeout)
        taken, self._taken = self.received[self._taken :], len(self.received)
        return taken

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
