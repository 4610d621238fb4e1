"""Overtime and comp leave at the size of a city centre: 1,000 staff with three years of entries.

    python bench/ledger.py [--db URL] [--staff 1000] [--years 3] [--requests 300] [--json]

- `expiry_s`: the expiry job (`expire_hall`) over all staff, in this process, as the hall's
  hourly job runs it (one write transaction per staff member with something due); the data was
  last expired on 2026-11-30, so ten days of credits are due. `expiry_longest_tx_ms`: its
  longest write transaction (the others' writes wait that long at most); `expiry_again_s`: the
  job run again at once (nothing left to do).
- `export_month_s`: `clerkdesk export overtime` and `clerkdesk export leave` of 2026-11 (both,
  to files), as HR runs them.
- `balance_p95_ms`: GET /me/leave against a real uvicorn on 127.0.0.1 (`clerkdesk serve` in a
  process of its own), one request at a time for staff chosen at random, from the request until
  the whole body is read (target <= 20 ms); `balance_server_cpu_ms`: the server's CPU time per
  request. `me_p50_ms`, `me_p95_ms`, `me_server_cpu_ms`: the same for GET /me, the cheapest
  signed-in read, in alternating blocks of 20 with the balances: what a request costs here
  before the ledger adds anything (on a loaded machine, mostly waiting for a core).
- per phase: the machine's steal time (share of all CPU time, from the first line of
  /proc/stat) and the load average at its end, and in `machine` also the CPU of this run's
  processes and of everything else on the machine (bench/machine.py): on a shared machine
  they say how far to trust the wall-clock figures.

The data is written with bulk inserts through the store (no HTTP), then each staff member's
kept balance and credits are built by replaying their ledger (`book.rebuild`, as migration 0006
does for a hall that has a ledger already): every staff member works
an hour or two on a Thursday evening every week (a claim) and a Saturday duty every fourth week,
takes half a day of leave each month from the oldest credit, and what is left of a credit
expires 12 months after its work date. One JSON line is printed (`--json` prints nothing else).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import quantiles
from typing import Any
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.machine import Machine, Snapshot, postgres_backends  # noqa: E402
from clerkdesk import cli  # noqa: E402
from clerkdesk.hall.access.principal import token_digest  # noqa: E402
from clerkdesk.hall.ledger.book import rebuild  # noqa: E402
from clerkdesk.hall.ledger.expiry import expire_hall  # noqa: E402
from clerkdesk.hall.rules.accrual import add_months  # noqa: E402
from clerkdesk.hall.store.engine import make_engine, sqlite_url  # noqa: E402
from clerkdesk.hall.store.models import AuthToken, Department, Hall, Staff  # noqa: E402
from clerkdesk.hall.store.models.ledger import LeaveLedgerEntry, OvertimeEntry  # noqa: E402
from tests.load_helpers import (  # noqa: E402
    HALL_START,
    LOAD_HALL,
    ServerProcess,
    clerk_no,
    seed_load_hall,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = HALL_START.date()  # Friday 2026-12-11
LAST_EXPIRY_RUN = date(2026, 11, 30)
LEAVE_PER_MONTH = 240


# --- the machine --------------------------------------------------------------------------------


MACHINE = Machine()
"""Steal and other processes' CPU per phase (bench/machine.py), in the JSON line as `machine`;
`<phase>_steal_pct` and `<phase>_loadavg` are kept beside the figures as before."""


@dataclass
class Phase:
    name: str
    start: Snapshot
    began: float

    @classmethod
    def begin(cls, name: str) -> Phase:
        return cls(name, MACHINE.sample(), time.perf_counter())

    def end(self, figures: dict[str, Any]) -> float:
        elapsed = time.perf_counter() - self.began
        seen = MACHINE.record(self.name, self.start)
        figures[f"{self.name}_steal_pct"] = seen["steal_pct"]
        figures[f"{self.name}_loadavg"] = seen["load_1min"]
        return elapsed


# --- the hall and three years of entries --------------------------------------------------------


def local_at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class Credit:
    source: str
    expires_on: date
    remaining: int


class Person:
    """One staff member's entries in the order the hall would have written them."""

    def __init__(self, hall_id: int, staff_id: int, rng: random.Random) -> None:
        self.hall_id, self.staff_id, self.rng = hall_id, staff_id, rng
        self.credits: deque[Credit] = deque()
        self.overtime: list[dict[str, Any]] = []
        self.ledger: list[dict[str, Any]] = []

    def _row(self, kind: str, minutes: int, on: date, source: str, **more: Any) -> None:
        self.ledger.append(
            {
                "hall_id": self.hall_id,
                "staff_id": self.staff_id,
                "kind": kind,
                "source": source,
                "minutes": minutes,
                "local_date": on,
                "at": local_at(on, 20),
                "expires_on": more.get("expires_on"),
                "reverses": None,
                "reason": more.get("reason"),
                "approved_by_id": None,
            }
        )

    def expire(self, today: date) -> None:
        while self.credits and self.credits[0].expires_on <= today:
            credit = self.credits.popleft()
            if credit.remaining:
                self._row(
                    "expiry", -credit.remaining, credit.expires_on, credit.source, reason="expired"
                )

    def work(self, on: date, origin: str, start: datetime, minutes: int, day_type: str) -> None:
        source = f"{origin}:{self.staff_id}-{on:%Y%m%d}:{on.isoformat()}"
        credited = minutes // 15 * 15
        self.overtime.append(
            {
                "hall_id": self.hall_id,
                "staff_id": self.staff_id,
                "source": source,
                "origin": origin,
                "local_date": on,
                "day_type": day_type,
                "starts_at": start,
                "ends_at": start + timedelta(minutes=minutes),
                "exact_minutes": minutes,
                "credited_minutes": credited,
                "excess_minutes": 0,
                "policy_version": 0,
                "recorded_at": start + timedelta(minutes=minutes),
            }
        )
        expires = add_months(on, 12)
        self._row("accrual", credited, on, source, expires_on=expires)
        self.credits.append(Credit(source, expires, credited))

    def take(self, on: date, number: int) -> None:
        alive = [c for c in self.credits if on < c.expires_on]  # as the rules take it
        if sum(c.remaining for c in alive) < LEAVE_PER_MONTH:
            return
        wanted = LEAVE_PER_MONTH
        for credit in alive:
            used = min(credit.remaining, wanted)
            credit.remaining -= used
            wanted -= used
            if not wanted:
                break
        while self.credits and not self.credits[0].remaining:
            self.credits.popleft()
        self._row("taken", -LEAVE_PER_MONTH, on, f"leave:{self.staff_id}-{number}")

    def live(self, first: date, last: date) -> None:
        day, week, month = first, 0, None
        while day <= last:
            if day <= LAST_EXPIRY_RUN:
                self.expire(day)
            if day.weekday() == 3:  # Thursday: after hours
                minutes = self.rng.randint(50, 130)
                self.work(day, "claim", local_at(day, 17, 30), minutes, "workday")
                week += 1
            elif day.weekday() == 5 and week % 4 == 0:  # Saturday duty
                self.work(day, "duty", local_at(day, 9), 180, "rest_day")
            elif day.weekday() == 0 and day.month != month:  # the month's first Monday
                month = day.month
                self.take(day, day.year * 100 + day.month)
            day += timedelta(days=1)


def build_hall(url: str, staff: int, years: int) -> tuple[int, int, list[str]]:
    """The load hall with `staff` clerks and their entries; returns (overtime rows, ledger rows,
    sign-in tokens of every clerk)."""
    seed_load_hall(url, HALL_START, 1)
    engine = make_engine(url)
    rng = random.Random(11)
    tokens: list[str] = []
    overtime = ledger = 0
    try:
        with Session(engine) as session, session.begin():
            hall_id = session.scalars(select(Hall.id).where(Hall.code == LOAD_HALL)).one()
            first = session.scalars(select(Staff).where(Staff.staff_no == clerk_no(1))).one()
            department = session.scalars(select(Department.id)).first()
            session.execute(
                insert(Staff),
                [
                    {
                        "hall_id": hall_id,
                        "staff_no": clerk_no(n),
                        "name": f"测试员{n}",
                        "department_id": department,
                        "roles": "clerk",
                        "password_hash": first.password_hash,
                    }
                    for n in range(2, staff + 1)
                ],
            )
            ids = list(
                session.scalars(
                    select(Staff.id).where(Staff.hall_id == hall_id, Staff.roles == "clerk")
                )
            )
            now = HALL_START.astimezone(UTC)
            token_rows = []
            for staff_id in ids:
                token = secrets.token_urlsafe(32)
                tokens.append(token)
                token_rows.append(
                    {
                        "token_hash": token_digest(token),
                        "staff_id": staff_id,
                        "created_at": now,
                        "expires_at": now + timedelta(days=30),
                    }
                )
            session.execute(insert(AuthToken), token_rows)
            start = date(TODAY.year - years, TODAY.month, TODAY.day)
            for staff_id in ids:
                person = Person(hall_id, staff_id, rng)
                person.live(start, TODAY - timedelta(days=1))
                session.execute(insert(OvertimeEntry), person.overtime)
                session.execute(insert(LeaveLedgerEntry), person.ledger)
                rebuild(session, staff_id)
                overtime += len(person.overtime)
                ledger += len(person.ledger)
    finally:
        engine.dispose()
    return overtime, ledger, tokens


# --- the phases ---------------------------------------------------------------------------------


def run_expiry(url: str) -> tuple[int, float]:
    """The job over the load hall; returns the minutes expired and its longest write
    transaction in seconds."""
    engine = make_engine(url)
    longest = 0.0

    @contextmanager
    def write() -> Iterator[Session]:
        nonlocal longest
        began = time.perf_counter()
        with Session(engine) as session, session.begin():
            yield session
        longest = max(longest, time.perf_counter() - began)

    try:
        with write() as session:
            hall_id = session.scalars(select(Hall.id).where(Hall.code == LOAD_HALL)).one()
        now = HALL_START.astimezone(UTC)
        return expire_hall(write, write, hall_id, TODAY, now), longest
    finally:
        engine.dispose()


def run_exports(url: str, folder: Path) -> None:
    for what in ("overtime", "leave"):
        out = folder / f"{what}.csv"
        argv = ["export", what, "--month", "2026-11", "--db", url, "--out", str(out)]
        if cli.main(argv) != 0:
            raise RuntimeError(f"clerkdesk export {what} failed")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timings:
    """Wall-clock milliseconds per request, and the server's CPU seconds over all of them."""

    took: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0

    def figures(self, name: str) -> dict[str, float]:
        cuts = quantiles(self.took, n=100)
        return {
            f"{name}_p50_ms": round(cuts[49], 2),
            f"{name}_p95_ms": round(cuts[94], 2),
            f"{name}_server_cpu_ms": round(1000 * self.server_cpu_s / len(self.took), 2),
        }


async def balances(
    url: str, tokens: list[str], count: int, server_pid: int
) -> tuple[Timings, Timings]:
    """GET /me/leave for staff chosen at random, and in alternating blocks of 20 the cheapest
    signed-in read, GET /me, as a yardstick: on a shared, loaded machine the difference of the
    two (and the server's CPU per request) says what the ledger costs, the rest is waiting for
    a core."""
    rng = random.Random(7)
    leave, ping = Timings(), Timings()
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:

        async def get(path: str, into: Timings | None) -> None:
            token = rng.choice(tokens)
            began = time.perf_counter()
            response = await http.get(path, headers={"Authorization": f"Bearer {token}"})
            response.read()
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            if into is not None:
                into.took.append(elapsed * 1000)

        for _ in range(20):  # the first ones warm the server up
            await get("/me/leave", None)
            await get("/me", None)
        for block in range(0, count, 20):
            for path, into in (("/me/leave", leave), ("/me", ping)):
                cpu = process_cpu_s(server_pid)
                for _ in range(min(20, count - block)):
                    await get(path, into)
                into.server_cpu_s += process_cpu_s(server_pid) - cpu
    return leave, ping


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database created for the run (default: SQLite temp file)")
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    say = (lambda *_: None) if args.json else (lambda text: print(text, file=sys.stderr))
    figures: dict[str, Any] = {"staff": args.staff, "years": args.years}
    with tempfile.TemporaryDirectory(prefix="clerkdesk-bench-ledger-") as tmp:
        folder = Path(tmp)
        url = args.db or sqlite_url(folder / "hall.sqlite3")
        figures["database"] = url.split(":", 1)[0]
        MACHINE.extra = postgres_backends(url)

        phase = Phase.begin("build")
        overtime, ledger, tokens = build_hall(url, args.staff, args.years)
        figures.update(overtime_entries=overtime, ledger_rows=ledger)
        figures["build_s"] = round(phase.end(figures), 2)
        say(f"built: {overtime} overtime entries, {ledger} ledger rows")

        phase = Phase.begin("expiry")
        figures["expired_minutes"], longest = run_expiry(url)
        figures["expiry_s"] = round(phase.end(figures), 3)
        figures["expiry_longest_tx_ms"] = round(longest * 1000, 1)
        began = time.perf_counter()
        if run_expiry(url)[0] != 0:
            raise RuntimeError("the expiry job expired something twice")
        figures["expiry_again_s"] = round(time.perf_counter() - began, 3)
        say(f"expiry: {figures['expiry_s']} s")

        phase = Phase.begin("export")
        run_exports(url, folder)
        figures["export_month_s"] = round(phase.end(figures), 3)
        say(f"export: {figures['export_month_s']} s")

        server = ServerProcess.start(url, folder / "server.log")
        try:
            phase = Phase.begin("balance")
            leave, ping = asyncio.run(
                balances(server.url, tokens, args.requests, server.process.pid)
            )
            phase.end(figures)
        finally:
            server.stop()
        figures.update(leave.figures("balance"))
        figures.update(ping.figures("me"))
        figures["balance_requests"] = len(leave.took)
    figures["machine"] = MACHINE.phases
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
