"""The first start on the embedded hall: the workstation walks the new admin through the hall."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from clerkdesk.app import ClerkDeskApp
from clerkdesk.clock import ManualClock
from clerkdesk.credentials import TokenStore
from clerkdesk.embedded import start_embedded
from clerkdesk.hall.db import sqlite_url
from clerkdesk.workstation.session import Workstation
from tests.conftest import local
from tests.keyring_memory import MemoryKeyring
from tests.tui_support import FAST, at_counter


async def test_the_first_start_creates_the_admin_a_department_and_a_window(
    tmp_path: Path,
) -> None:
    clock = ManualClock(local("2026-12-11 09:00"))
    embedded = start_embedded(sqlite_url(tmp_path / "hall.sqlite3"), clock)
    try:
        assert embedded.needs_setup()
        ws = Workstation(embedded.server, clock, TokenStore(backend=MemoryKeyring(), clock=clock))
        app = ClerkDeskApp(ws, create_hall=embedded.create_hall, backoff=FAST, remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press(*"Zhao", "enter")  # the name; Enter moves on to the password
            await pilot.press(*"s3cret", "enter", *"s3cret", "enter")
            app.screen.query_one("#window", Input).value = "5"
            await pilot.click("#create")
            screen = await at_counter(pilot)  # signed in as the new admin, at the new window
            assert screen.model.window_number == 5
            assert screen.model.window is not None
            assert screen.model.window.label == "General services 5"
            assert screen.model.holder_name == "Zhao"
        assert not embedded.needs_setup()
    finally:
        embedded.stop()
