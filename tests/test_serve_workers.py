"""`clerkdesk serve --workers N`: several server processes on one port, on PostgreSQL only.

A centre on the embedded SQLite file is told in one line why not; a city on PostgreSQL runs
two processes behind one address, and a ticket issued through one is seen through the other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
