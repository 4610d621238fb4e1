"""The ceiling of one PostgreSQL database's writes: how many event rows it commits a second.

    python bench/event_ceiling.py --db postgresql+psycopg://postgres@127.0.0.1:5432/ceiling
        [--connections 8] [--duration 5] [--json]

Every write of the hall ends with its event rows, inserted under one transaction-scoped
advisory lock held until the commit (clerkdesk.hall.events.log: commit order follows id order,
so a reader never skips an event). Whatever the number of server processes, one database
therefore commits its writes one after another through that lock: the insert, the NOTIFY and
the commit's WAL flush of each. `--connections` threads each do what a write's last step does,
back to back (a transaction with one event row, `write_pending`), for `--duration` seconds:

- `events_per_s`: the ceiling of writes a second for the whole database, all halls together,
  as the hall writes now: the event row sent with the COMMIT in one round trip
  (store.pipeline), the lock held while the server runs the two;
- `two_trips_per_s`: the same with the insert and the COMMIT each waiting for its answer (as
  before the pipeline: the lock also held across a round trip to the client and back);
- `hold_ms`, `two_trips_hold_ms`: the lock's time per event (1000 / events a second);
- `plain_per_s`: the same transactions inserting the row without the lock or the NOTIFY, for
  comparison (what the commits alone allow);
- `machine`: steal and other processes' CPU (bench/machine.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.machine import Machine, postgres_backends  # noqa: E402
from clerkdesk.hall.events.log import write_pending  # noqa: E402
from clerkdesk.hall.store import pipeline, tables  # noqa: E402
from clerkdesk.hall.store.engine import make_engine  # noqa: E402
from tests.load_helpers import HALL_START, LOAD_HALL, seed_load_hall  # noqa: E402


def hammer(url: str, connections: int, duration: float, way: str) -> int:
    """`way`: "pipelined" (as the hall writes), "two_trips" (insert, then commit) or "plain"."""
    engine = make_engine(url)
    with engine.connect() as conn:
        hall_id = conn.scalar(select(tables.hall.c.id).where(tables.hall.c.code == LOAD_HALL))
    row = {"hall_id": hall_id, "kind": "hall.updated", "at": HALL_START, "payload": {}}
    counts = [0] * connections
    end = time.monotonic() + duration

    def one(k: int) -> None:
        while time.monotonic() < end:
            with engine.connect() as conn, conn.begin():
                if way == "pipelined":
                    with pipeline.one_trip(conn):
                        write_pending(conn, [dict(row)], origin="ceiling")
                elif way == "two_trips":
                    write_pending(conn, [dict(row)], origin="ceiling")
                else:
                    conn.execute(insert(tables.event), dict(row))
            counts[k] += 1

    threads = [threading.Thread(target=one, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return sum(counts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="a PostgreSQL database created for the run")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if make_url(args.db).get_backend_name() != "postgresql":
        p.error("the event lock is PostgreSQL's: give a PostgreSQL database")
    seed_load_hall(args.db, HALL_START, 1)
    machine = Machine(extra=postgres_backends(args.db))
    result: dict[str, Any] = {"connections": args.connections}
    done = {}
    for way in ("pipelined", "two_trips", "plain", "pipelined", "two_trips"):  # interleaved
        with machine.phase(way if way not in done else f"{way}_again"):
            done[way] = done.get(way, 0) + hammer(args.db, args.connections, args.duration, way)
    spent = {"pipelined": 2 * args.duration, "two_trips": 2 * args.duration}
    spent["plain"] = args.duration
    result["events_per_s"] = round(done["pipelined"] / spent["pipelined"], 1)
    result["two_trips_per_s"] = round(done["two_trips"] / spent["two_trips"], 1)
    result["hold_ms"] = round(1000 / max(1e-9, result["events_per_s"]), 3)
    result["two_trips_hold_ms"] = round(1000 / max(1e-9, result["two_trips_per_s"]), 3)
    result["plain_per_s"] = round(done["plain"] / spent["plain"], 1)
    result["machine"] = machine.phases
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
