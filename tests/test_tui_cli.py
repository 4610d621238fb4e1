"""The command line around the workstation: which hall it opens, the theme it keeps, logout."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from clerkdesk import cli, config
from clerkdesk.api.errors import Unauthorized
from clerkdesk.app import ClerkDeskApp
from clerkdesk.clock import SystemClock
from clerkdesk.config import Settings, load_settings, save_settings
from clerkdesk.credentials import TokenStore
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.state.session import Server, Workstation
from tests.conftest import RunningHall
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
    assert cli.main(["--lang", "en", "--server", "http://from-flag:8470/"]) == 0
    assert cli.main(["--lang", "en"]) == 0
    monkeypatch.delenv(config.ENV_SERVER)
    assert cli.main(["--lang", "en"]) == 0
    assert [ws.server.url for ws in opened] == [
        "http://from-flag:8470",
        "http://from-env:8470",
        "http://from-config:8470",
    ]
    assert not any(ws.server.embedded for ws in opened)


def test_with_no_server_configured_the_workstation_runs_on_the_embedded_hall(
    opened: list[Workstation],
) -> None:
    assert cli.main(["--lang", "en"]) == 0
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

    assert cli.main(["--lang", "en", "logout"]) == 0

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
    assert cli.main(["demo", "--lang", "en", "--rate", "0", "--clock", "2026-12-11T09:00"]) == 0
    assert len(during) == 1 and len(during[0]) == 1  # the demo ran on its own folder's hall
    assert not list(tmp_path.glob("clerkdesk-demo-*"))  # and the folder is gone


async def test_the_served_demo_hall_keeps_serving_with_no_arrivals(hall: RunningHall) -> None:
    """`clerkdesk demo --serve-only --rate 0` (a hall for someone's own workstations) serves
    until Ctrl+C: it used to stop after a second, its arrivals being done."""
    import argparse

    args = argparse.Namespace(rate=0.0, speed=1.0)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(cli.serve_demo(hall.url, args), timeout=0.5)
