"""`clerkdesk serve --workers N`: several server processes on one port, on PostgreSQL only.

A centre on the embedded SQLite file is told in one line why not; a city on PostgreSQL runs
two processes behind one address, and a ticket issued through one is seen through the other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from clerkdesk.api.client import HallClient
from clerkdesk.cli.main import main
from clerkdesk.hall.store.engine import sqlite_url
from tests.load_helpers import (
    HALL_START,
    KIOSK,
    LOAD_PASSWORD,
    ROOT,
    SERVICES,
    free_port,
    seed_load_hall,
)


def test_sqlite_refuses_more_than_one_worker_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path / "hall.sqlite3")
    status = main(["--lang", "en", "serve", "--db", url, "--workers", "2", "--port", "1"])
    said = capsys.readouterr().err
    assert status == 2
    assert said.count("\n") == 1 and "--workers 2 needs PostgreSQL" in said
    assert not (tmp_path / "hall.sqlite3").exists()  # refused before opening anything


@pytest.mark.postgres
async def test_two_workers_on_postgresql_serve_one_hall(pg_url: str, tmp_path: Path) -> None:
    seed_load_hall(pg_url, HALL_START, 1)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clerkdesk.cli",
                "serve",
                "--db",
                pg_url,
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "CLERKDESK_SERVE_CLOCK_START": HALL_START.isoformat()},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        for _ in range(600):  # both processes up (uvicorn starts them one after the other)
            if log.read_text().count("startup complete") >= 2:
                break
            time.sleep(0.1)
        said = log.read_text()
        assert said.count("Started server process") == 2, said
        assert said.count("Application startup complete") == 2, said
        # Fresh connections, each taken by whichever process accepts it: every one answers.
        async with HallClient(url, retry_delays=()) as kiosk:
            await kiosk.login(KIOSK, LOAD_PASSWORD)
            issued = [await kiosk.issue(SERVICES[0]) for _ in range(5)]
            for ticket in issued:
                async with HallClient(url, kiosk.token, retry_delays=()) as fresh:
                    assert (await fresh.ticket(ticket.id)).code == ticket.code
        assert len({t.code for t in issued}) == 5
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    assert server.returncode == 0, log.read_text()[-2000:]


SLOW_START = """
import sys, time
if "--multiprocessing-fork" in sys.argv:  # a uvicorn worker, not `clerkdesk serve` itself
    time.sleep(7)  # longer than uvicorn's 5 s health check: a start on a machine that is busy
"""


@pytest.mark.postgres
@pytest.mark.slow
def test_workers_slow_to_start_on_a_busy_machine_are_not_killed(
    pg_url: str, tmp_path: Path
) -> None:
    """Monday 08:55 at the city hall's server: the machine is busy (another service restarting)
    and each of the two worker processes takes 7 s to come up. Both are let finish their start
    and then serve; none is killed and started again (uvicorn's supervisor used to give a
    worker 5 s to answer its health check: it killed each slow start and began another, for as
    long as the machine stayed busy, while one worker served alone)."""
    seed_load_hall(pg_url, HALL_START, 1)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(SLOW_START)
    port = free_port()
    log = tmp_path / "serve.log"
    path = os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "clerkdesk.cli", "serve", "--db", pg_url),
                *("--port", str(port), "--workers", "2"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": path},
        )
    try:
        for _ in range(1200):  # both up, or a restart seen
            said = log.read_text()
            if said.count("startup complete") >= 2 or "died" in said:
                break
            time.sleep(0.1)
        said = log.read_text()
        assert "died" not in said, said
        assert said.count("Application startup complete") == 2, said
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def test_every_worker_tells_the_same_hall_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The hall clock of `serve --workers N` set to a moment (benchmarks: Friday 10:00) is fixed
    once, as an offset from the wall clock, by the process that starts the workers: a worker
    started later (a replacement, or simply the second) tells the same time as the first. A
    clock counting from each worker's own start put them seconds apart, and a clerk whose
    requests reached both saw time run backwards (409 too_soon at call next)."""
    from clerkdesk.clock import OffsetClock
    from clerkdesk.hall import server

    started: list[str] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda *_a, **_k: started.append("run"))
    monkeypatch.setattr(server, "_settle_process", lambda: None)  # this process's GC, GIL
    for name in (  # what serve_processes hands its workers: gone again after the test
        server._ENV_DB,
        server._ENV_API_DOCS,
        server._ENV_METRICS_TOKEN,
        server._ENV_LOG_REQUESTS,
        server._ENV_CLOCK_OFFSET,
    ):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv(server.ENV_CLOCK_START, HALL_START.isoformat())
    server.serve_processes(sqlite_url(tmp_path / "hall.sqlite3"), "127.0.0.1", 1, 2)
    assert started == ["run"]
    apps = [server.process_app(), server.process_app()]  # the first worker, and a later one
    try:
        first, second = (app.state.hall.clock for app in apps)
        assert isinstance(first, OffsetClock) and isinstance(second, OffsetClock)
        assert first.offset == second.offset
        assert timedelta(0) <= first.now() - HALL_START < timedelta(minutes=5)
    finally:
        for app in apps:
            app.state.hall.engine.dispose()
