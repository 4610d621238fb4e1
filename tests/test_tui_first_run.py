"""The first start on the embedded hall: the workstation walks the new admin through the hall."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input, Static

from clerkdesk.app import ClerkDeskApp
from clerkdesk.clock import ManualClock
from clerkdesk.credentials import TokenStore
from clerkdesk.embedded import start_embedded
from clerkdesk.hall.store.engine import sqlite_url
from clerkdesk.i18n import set_language
from clerkdesk.screens.start.first_run import FirstRunScreen
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
            await pilot.press("enter", "enter")  # the suggested hall name and staff number
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
            keys = ["enter", "enter"]  # the suggested hall name and staff number
            keys += [*"Zhao", "enter", *"s3cret", "enter", *"s3cret", "enter"]
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


async def test_each_answer_is_checked_as_it_is_typed_from_the_first_field(tmp_path: Path) -> None:
    """赵敏 starts a new hall: the cursor waits in the first field (the hall's name). The window
    number takes no letters; a password typed only "again" says both what the password needs and
    that the two differ, under each field, as she types, in her language."""
    clock = ManualClock(local("2026-12-11 09:00"))
    embedded = start_embedded(sqlite_url(tmp_path / "hall.sqlite3"), clock)
    set_language("zh")
    try:
        ws = Workstation(embedded.server, clock, TokenStore(backend=MemoryKeyring(), clock=clock))
        app = ClerkDeskApp(ws, create_hall=embedded.create_hall, backoff=FAST, remember=False)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, FirstRunScreen)
            assert app.focused is screen.query_one("#hall", Input)

            def problem(key: str) -> str:
                line = screen.query_one(f"#{key}-problem", Static)
                return str(line.render()) if line.display else ""

            await pilot.press(*["backspace"] * 30)  # she clears the suggested name
            assert problem("hall") == "请填写大厅名称。"
            await pilot.press(*"市民中心")
            assert problem("hall") == ""
            await pilot.click("#password2")
            await pilot.press(*"s3cret")
            assert problem("password2") == "两次输入的密码不一致：请重新输入。"
            await pilot.click("#password")
            await pilot.press("a")
            assert problem("password") == "密码至少需要 4 个字符。"
            await pilot.press("backspace")
            assert problem("password") == "请输入至少 4 个字符的密码。"
            await pilot.click("#window")
            await pilot.press("end", "backspace", *"1a2b")
            assert screen.query_one("#window", Input).value == "12"  # the letters never land
            assert problem("window") == ""
            await pilot.press("backspace", "backspace")
            assert problem("window") == "窗口号须在 1 到 9999 之间。"
            assert problem("name") == ""  # not typed in yet: not judged yet
    finally:
        set_language("en")
        embedded.stop()
