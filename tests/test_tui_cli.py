"""The command line around the workstation: which hall it opens, the theme it keeps, logout."""

from __future__ import annotations

import asyncio
import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from clerkdesk import config
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import Unauthorized
from clerkdesk.app import ClerkDeskApp
from clerkdesk.cli import main
from clerkdesk.cli.demo import serve_demo
from clerkdesk.clock import SystemClock
from clerkdesk.config import Settings, load_settings, save_settings
from clerkdesk.credentials import TokenStore
from clerkdesk.hall.store.engine import sqlite_url
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.state.session import Server, Workstation
from tests.conftest import RunningHall, local
from tests.keyring_memory import MemoryKeyring


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Workstation]:
    """Run the CLI's workstation without a terminal: record what it would open."""
    seen: list[Workstation] = []

    def run(app: ClerkDeskApp, *_args: Any, **_kwargs: Any) -> None:
        seen.append(app.ws)

    monkeypatch.setattr(ClerkDeskApp, "run", run)
    return seen


def test_the_server_comes_from_the_flag_then_the_environment_then_the_config(
    opened: list[Workstation], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(server="http://from-config:8470"))
    monkeypatch.setenv(config.ENV_SERVER, "http://from-env:8470")
    assert main(["--lang", "en", "--server", "http://from-flag:8470/"]) == 0
    assert main(["--lang", "en"]) == 0
    monkeypatch.delenv(config.ENV_SERVER)
    assert main(["--lang", "en"]) == 0
    assert [ws.server.url for ws in opened] == [
        "http://from-flag:8470",
        "http://from-env:8470",
        "http://from-config:8470",
    ]
    assert not any(ws.server.embedded for ws in opened)


def test_with_no_server_configured_the_workstation_runs_on_the_embedded_hall(
    opened: list[Workstation],
) -> None:
    assert main(["--lang", "en"]) == 0
    (ws,) = opened
    assert ws.server.embedded and ws.server.url.startswith("http://127.0.0.1:")
    assert Path(config.data_dir() / "hall.sqlite3").exists()


async def test_the_theme_comes_from_the_config_and_a_change_is_kept() -> None:
    ws = Workstation(
        Server.remote("http://127.0.0.1:9"),
        clock=SystemClock(),
        tokens=TokenStore(backend=MemoryKeyring()),
    )
    app = ClerkDeskApp(ws, settings=Settings(theme="clerkdesk-dark"))
    async with app.run_test() as pilot:
        assert isinstance(app.screen, SignInScreen)
        assert app.theme == "clerkdesk-dark"
        app.theme = "clerkdesk-contrast"
        await pilot.pause()
    assert load_settings().theme == "clerkdesk-contrast"


def test_logout_ends_the_sign_in_on_the_server_and_forgets_the_token(hall: RunningHall) -> None:
    client = hall.client()
    answer = asyncio.run(client.login("1002", "demo"))
    tokens = TokenStore()  # the tests' in-memory keyring stands in for the OS credential store
    assert tokens.secure
    tokens.save(hall.url, "1002", answer.token, answer.expires_at)
    save_settings(Settings(server=hall.url, staff_no="1002"))

    assert main(["--lang", "en", "logout"]) == 0

    assert TokenStore().load(hall.url, "1002") is None

    async def me_again() -> None:
        async with hall.client() as again:
            again.token = answer.token
            await again.me()

    with pytest.raises(Unauthorized):
        asyncio.run(me_again())


def test_the_demo_hall_lives_in_a_temporary_folder_removed_when_the_demo_ends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    during: list[list[Path]] = []

    def run(app: ClerkDeskApp, *_args: Any, **_kwargs: Any) -> None:
        during.append(sorted(tmp_path.glob("clerkdesk-demo-*/demo-hall.sqlite3")))

    monkeypatch.setattr(ClerkDeskApp, "run", run)
    assert main(["demo", "--lang", "en", "--rate", "0", "--clock", "2026-12-11T09:00"]) == 0
    assert len(during) == 1 and len(during[0]) == 1  # the demo ran on its own folder's hall
    assert not list(tmp_path.glob("clerkdesk-demo-*"))  # and the folder is gone


async def test_the_served_demo_hall_keeps_serving_with_no_arrivals(hall: RunningHall) -> None:
    """`clerkdesk demo --serve-only --rate 0` (a hall for someone's own workstations) serves
    until Ctrl+C: it used to stop after a second, its arrivals being done."""
    import argparse

    args = argparse.Namespace(rate=0.0, speed=1.0)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(serve_demo(hall.url, args), timeout=0.5)


# --- the demo's clock --------------------------------------------------------------------------


class TickingClock:
    """The wall clock as the demo reads it: a microsecond passes between two readings."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        self._now += timedelta(microseconds=1)
        return self._now


def _demo_at(
    when: datetime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, datetime]:
    """`clerkdesk demo` with the wall clock at `when`: what it says, and the hall time the
    workstation starts at."""
    from clerkdesk.cli import demo

    monkeypatch.setattr(demo, "SystemClock", lambda: TickingClock(when))
    started: list[datetime] = []

    def run(app: ClerkDeskApp, *_args: Any, **_kwargs: Any) -> None:
        started.append(app.ws.clock.now())

    monkeypatch.setattr(ClerkDeskApp, "run", run)
    assert main(["demo", "--lang", "en", "--rate", "0"]) == 0
    return capsys.readouterr().out, started[0]


def test_a_daytime_demo_starts_at_once_without_calling_the_hall_closed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Friday 10:00 in the hall: it is open, the demo says nothing about closing."""
    out, started = _demo_at(local("2026-12-11 10:00"), monkeypatch, capsys)
    assert "closed" not in out
    assert started - local("2026-12-11 10:00") < timedelta(seconds=1)


def test_a_night_demo_says_when_the_hall_opens_in_the_halls_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Friday 20:00: the hall opens on Saturday at 09:00 (the weekly duty session), said in
    the hall's time zone and to the minute; the demo's clock starts there."""
    out, started = _demo_at(local("2026-12-11 20:00"), monkeypatch, capsys)
    assert out.splitlines()[0] == (
        "The demo hall is closed now; its clock starts at the next opening, 2026-12-12 09:00."
    )
    assert timedelta(0) <= started - local("2026-12-12 09:00") < timedelta(minutes=1)


# --- a port or a stop -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _clerkdesk(*words: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "clerkdesk.cli", "--lang", "en", *words],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl+C as at a terminal: a test run started in the background by a shell without job
        # control has SIGINT ignored (or blocked), the child inherited that, and the Ctrl+C
        # test hung.
        preexec_fn=_interruptible,
    )


def _interruptible() -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_demo_on_a_busy_port_says_so_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = _clerkdesk("demo", "--serve-only", "--rate", "0", "--port", str(port))
        _out, err = demo.communicate(timeout=60)
    assert demo.returncode == 1
    assert err.splitlines() == [
        f"Cannot listen on 127.0.0.1:{port} (Address already in use): another program may be "
        "using it. Choose another port with --port."
    ]


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_ctrl_c_with_a_workstation_connected_stops_cleanly(
    command: str, tmp_path: Path, _seeded_sqlite_file: Path
) -> None:
    """A lead's workstation follows the hall's events when `clerkdesk demo --serve-only` (or
    `clerkdesk serve`) is stopped with Ctrl+C: it ends at once, with nothing said about
    cancelled tasks."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if command == "demo":
        words = ["demo", "--serve-only", "--rate", "0", "--port", str(port)]
        ready = "Ctrl+C stops"
    else:
        shutil.copyfile(_seeded_sqlite_file, tmp_path / "hall.sqlite3")
        words = ["serve", "--db", sqlite_url(tmp_path / "hall.sqlite3"), "--port", str(port)]
        ready = "hall service on"
    hall = _clerkdesk(*words)
    try:
        assert hall.stdout is not None
        for line in hall.stdout:
            if ready in line:
                break
        url = f"http://127.0.0.1:{port}"
        login = httpx.post(
            f"{url}/auth/login",
            json={"staff_no": "2001", "password": "demo"},
            headers={"Idempotency-Key": "ctrl-c-1"},
            timeout=30,
        )
        token = login.json()["token"]
        with httpx.stream(
            "GET", f"{url}/events", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as events:
            assert events.status_code == 200
            hall.send_signal(signal.SIGINT)
            for _chunk in events.iter_bytes():  # the hall ends the stream as it stops
                pass
        _out, err = hall.communicate(timeout=30)
    finally:
        if hall.poll() is None:
            hall.kill()
            hall.wait()
    assert hall.returncode == 0, err
    assert "Traceback" not in err and "CancelledError" not in err and "ERROR" not in err


# --- set-password ------------------------------------------------------------------------------


def test_a_new_password_ends_the_sign_ins_taken_with_the_old_one(
    hall: RunningHall, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """王芳 signed in at 09:00; at 09:30 the admin sets her a new password because the old one
    was seen. The token her workstation holds gets 401 from then on; the new password works."""
    answer = asyncio.run(hall.client().login("1002", "demo"))

    async def me(token: str) -> str:
        async with HallClient(hall.url, token, retry_delays=()) as client:
            return (await client.me()).staff.staff_no

    assert asyncio.run(me(answer.token)) == "1002"
    monkeypatch.setattr(getpass, "getpass", lambda _prompt: "spring-2026")
    assert main(["admin", "--db", hall.database_url, "set-password", "1002"]) == 0
    assert "Password of 1002 changed." in capsys.readouterr().out

    with pytest.raises(Unauthorized) as refused:
        asyncio.run(me(answer.token))
    assert refused.value.code == "token_expired"
    again = asyncio.run(hall.client().login("1002", "spring-2026"))
    assert asyncio.run(me(again.token)) == "1002"


def test_set_password_for_nobody_or_too_short_changes_nothing(
    hall: RunningHall, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = asyncio.run(hall.client().login("1002", "demo"))
    monkeypatch.setattr(getpass, "getpass", lambda _prompt: "abc")
    assert main(["admin", "--db", hall.database_url, "set-password", "1002"]) == 2
    assert "at least 4 characters" in capsys.readouterr().err
    monkeypatch.setattr(getpass, "getpass", lambda _prompt: "long enough")
    assert main(["admin", "--db", hall.database_url, "set-password", "9999"]) == 2
    assert "No staff number 9999" in capsys.readouterr().err

    async def me() -> str:
        async with HallClient(hall.url, answer.token, retry_delays=()) as client:
            return (await client.me()).staff.staff_no

    assert asyncio.run(me()) == "1002"  # still signed in
