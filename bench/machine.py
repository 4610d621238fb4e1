"""What the machine was doing while a benchmark phase ran, from /proc (Linux; zeros elsewhere).

These machines are virtual and shared: the hypervisor takes cores away (steal) and other
people's processes take the rest. Every benchmark reports, per phase, beside its figures:

- `steal_pct`: the share of the machine's CPU time taken by the hypervisor (the `steal` column
  of the first line of /proc/stat), in per cent of all cores' time over the phase;
- `own_cores`: CPU seconds per second of the benchmark's own processes (this process and every
  descendant: server processes, load workers), plus any extra processes it names (PostgreSQL
  backends serving its connections), from /proc/[pid]/stat;
- `others_cores`: CPU seconds per second the rest of the machine used (busy time of all cores
  from /proc/stat, less `own_cores`): other people's tests and benchmarks;
- `cores`, `load_1min`: the machine's core count and load average at the phase's end.

    watch = Machine()
    with watch.phase("cycles"):
        ...
    result["machine"] = watch.phases     # {"cycles": {"steal_pct": 0.4, ...}, ...}

A child that ends during a phase counts through its parent once waited for (/proc's cutime,
cstime: `subprocess.run` waits), with all its CPU, from before the phase too; one that ends
unwaited takes its CPU with it and appears under `others_cores`. Only the standard library is
imported (`postgres_backends` imports SQLAlchemy when called).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):  # not Linux
    TICKS = 100


def process_cpu_s(pid: int, reaped: bool = False) -> float:
    """User + system CPU seconds of one process so far (0 when it is gone or unreadable); with
    `reaped`, also those of its children that ended and were waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def descendants(pid: int) -> list[int]:
    """The process and every descendant alive now (from /proc/[pid]/task/*/children)."""
    found = [pid]
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.append(child)
                    todo.append(child)
    return found


def machine_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) ticks of all cores so far, from the first line of /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return (0, 0, 0)
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    busy = user + nice + system + irq + softirq
    return (busy, steal, busy + idle + iowait + steal)


@dataclass
class Snapshot:
    at: float
    busy: int
    steal: int
    total: int
    own: dict[int, float]


def snapshot(pids: Iterable[int]) -> Snapshot:
    busy, steal, total = machine_ticks()
    own = {p: process_cpu_s(p, reaped=True) for p in pids}
    return Snapshot(time.monotonic(), busy, steal, total, own)


def between(first: Snapshot, last: Snapshot) -> dict[str, Any]:
    """The machine's figures between two snapshots (see the module)."""
    wall = max(1e-9, last.at - first.at)
    total = max(1, last.total - first.total)
    own_s = sum(max(0.0, cpu - first.own.get(pid, 0.0)) for pid, cpu in last.own.items())
    busy_s = (last.busy - first.busy) / TICKS
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "wall_s": round(wall, 2),
        "steal_pct": round(100 * (last.steal - first.steal) / total, 1),
        "own_cores": round(own_s / wall, 2),
        "others_cores": round(max(0.0, busy_s - own_s) / wall, 2),
        "cores": cores,
        "load_1min": round(load, 2),
    }


@dataclass
class Machine:
    """Per-phase machine figures for the process tree rooted at `root` (default: this one),
    plus the pids `extra()` returns at each sample (e.g. PostgreSQL backends)."""

    root: int = field(default_factory=os.getpid)
    extra: Callable[[], Iterable[int]] = lambda: ()
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)

    def pids(self) -> list[int]:
        return [*descendants(self.root), *self.extra()]

    def sample(self) -> Snapshot:
        return snapshot(self.pids())

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        first = self.sample()
        try:
            yield
        finally:
            # A process started during the phase counts from zero; one gone since is lost.
            self.phases[name] = between(first, self.sample())

    def record(self, name: str, first: Snapshot) -> dict[str, Any]:
        """The figures from `first` (taken by `sample()`) to now, kept under `name`."""
        self.phases[name] = between(first, self.sample())
        return self.phases[name]


def postgres_backends(database_url: str) -> Callable[[], list[int]]:
    """A `Machine.extra` for a PostgreSQL database on this machine: the pids of the backends
    connected to it (other than the one asking), so the database's work on the benchmark's
    behalf counts as its own. Other databases' backends on the same server stay others'."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql" or url.host not in (None, "127.0.0.1", "localhost"):
        return lambda: []
    engine = create_engine(url, poolclass=NullPool)
    query = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )

    def pids() -> list[int]:
        try:
            with engine.connect() as conn:
                return [int(p) for p in conn.execute(query).scalars()]
        except Exception:  # the database went away: nothing to count
            return []

    return pids


def process_run_ns(pid: int) -> int:
    """Nanoseconds every thread of a process has run on a CPU so far (/proc/[pid]/task/*/
    schedstat): exact, where /proc/[pid]/stat counts in 10 ms ticks. Threads that ended are
    not counted."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total
