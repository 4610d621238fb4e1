"""The first start on the embedded hall: the workstation walks the new admin through the hall."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from clerkdesk.app import ClerkDeskApp
from clerkdesk.clock import ManualClock
from clerkdesk.credentials import TokenStore
from clerkdesk.embedded import start_embedded
from clerkdesk.hall.store.engine import sqlite_url
from clerkdesk.state.session import Workstation
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


async def test_a_burst_of_keys_fills_each_answer_in_its_own_field(tmp_path: Path) -> None:
    """赵敏 types her name, password twice and Enter on the button in one go (or pastes them):
    every key reaches the app before the screen has handled the first Enter."""
    clock = ManualClock(local("2026-12-11 09:00"))
    embedded = start_embedded(sqlite_url(tmp_path / "hall.sqlite3"), clock)
    try:
        ws = Workstation(embedded.server, clock, TokenStore(backend=MemoryKeyring(), clock=clock))
        app = ClerkDeskApp(ws, create_hall=embedded.create_hall, backoff=FAST, remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            keys = [*"Zhao", "enter", *"s3cret", "enter", *"s3cret", "enter"]
            keys += ["enter"] * 4  # past department, window, service and prefix to the button
            keys += ["enter"]  # the button: create the hall
            for key in keys:
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            screen = await at_counter(pilot)
            assert screen.model.holder_name == "Zhao"
            assert screen.model.window_number == 1
        assert not embedded.needs_setup()
    finally:
        embedded.stop()
