"""What counting requests for GET /metrics costs: the same requests against two server
processes on copies of one hall, one with the metrics middleware and one without, interleaved
round by round (a shared machine's speed drifts between runs; a ratio within one run holds).

    python bench/metrics_cost.py [--windows 20] [--rounds 6] [--json]

Reports the server CPU per request (ms, from /proc, as bench/request_cost.py) of each kind for
both, the ratio on/off, and (`machine`, bench/machine.py) the machine's steal and other
processes' CPU over the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import Machine  # noqa: E402
from bench.request_cost import KINDS, cpu_seconds, rounds, sign_in  # noqa: E402
from clerkdesk.hall.store.engine import sqlite_url  # noqa: E402
from tests.load_helpers import HALL_START, ServerProcess, free_port, seed_load_hall  # noqa: E402

_SERVE = "import sys; from bench.metrics_cost import serve; serve(*sys.argv[1:])"


def serve(database_url: str, port: str, start: str, metrics: str) -> None:
    from clerkdesk.clock import ScaledClock
    from clerkdesk.hall.app import HallSettings, create_app
    from clerkdesk.hall.server import serve_forever

    settings = HallSettings(
        database_url, clock=ScaledClock(datetime.fromisoformat(start)), metrics=metrics == "on"
    )
    serve_forever(create_app(settings), "127.0.0.1", int(port))


def start_server(database_url: str, log: Path, metrics: bool) -> ServerProcess:
    port = free_port()
    command = [
        sys.executable, "-c", _SERVE, database_url, str(port), HALL_START.isoformat(),
        "on" if metrics else "off",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    for _ in range(600):
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(server.output())


async def run(windows: int, count: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="clerkdesk-metrics-cost-"))
    try:
        seed = folder / "seed.sqlite3"
        seed_load_hall(sqlite_url(seed), HALL_START, windows)
        servers = {}
        for name in ("on", "off"):
            shutil.copyfile(seed, folder / f"{name}.sqlite3")
            db = sqlite_url(folder / f"{name}.sqlite3")
            servers[name] = start_server(db, folder / f"{name}.log", name == "on")
        spent = {name: dict.fromkeys(KINDS, 0.0) for name in servers}
        watch = Machine()
        first = watch.sample()
        try:
            clients = {name: await sign_in(s.url, windows) for name, s in servers.items()}
            for name in servers:  # warm up: caches, first plans
                await rounds(*clients[name], 1, lambda _k, job: job())
            for r in range(count):
                for name in ("on", "off") if r % 2 == 0 else ("off", "on"):
                    pid = servers[name].process.pid

                    async def measure(
                        kind: str,
                        job: Callable[[], Awaitable[None]],
                        pid: int = pid,
                        name: str = name,
                    ) -> None:
                        before = cpu_seconds(pid)
                        await job()
                        spent[name][kind] += cpu_seconds(pid) - before

                    await rounds(*clients[name], 1, measure)
            for kiosk, clerks in clients.values():
                for client in (kiosk, *clerks):
                    await client.aclose()
            watch.record("run", first)  # the servers still alive: their CPU is the run's own
        finally:
            for s in servers.values():
                s.stop()
        n = windows * count
        per = {
            name: {k: round(v * 1000 / n, 3) for k, v in costs.items()}
            for name, costs in spent.items()
        }
        total = {name: sum(costs.values()) for name, costs in spent.items()}
        return {
            "cpu_ms_per_request": per,
            "ratio_on_off": {
                k: round(per["on"][k] / per["off"][k], 3) for k in KINDS if per["off"][k]
            },
            "ratio_on_off_all": round(total["on"] / total["off"], 3),
            "requests_each": n * len(KINDS),
            "machine": watch.phases,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--windows", type=int, default=20)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    result = asyncio.run(run(args.windows, args.rounds))
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
