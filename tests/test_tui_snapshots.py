"""Snapshots of the sign-in, window picker and counter screens, in Chinese and English, at 80x24
and 120x40. Deterministic: a hall clock that stands still at 09:12 on Fri 2026-12-11, a fixed
set of tickets, and a fixed server address on screen instead of the test server's port.

Update on purpose only: `.venv/bin/pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api.schemas import Priority
from clerkdesk.clock import ManualClock
from clerkdesk.hall.db import sqlite_url
from clerkdesk.i18n import set_language
from clerkdesk.screens.window_picker import WindowPickerScreen
from tests.conftest import RunningHall, local, signed_in, start_hall
from tests.tui_support import app_for, at_counter, settled, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LANGS = ["zh", "en"]


async def _a_morning_at_window_8(hall: RunningHall) -> None:
    """09:00-09:12: tickets arrive; 王芳 serves a green-channel citizen, then starts on C001."""
    kiosk = await signed_in(hall, "kiosk1")
    wang = await signed_in(hall, "1002")
    await wang.sign_in(8)
    for service, priority, notes in (
        ("hukou", Priority.normal, ""),
        ("shebao-card", Priority.normal, ""),
        ("hukou", Priority.green_channel, "轮椅"),
        ("bdc-query", Priority.normal, "需查档案"),
        ("tax-invoice", Priority.normal, ""),
        ("gjj-withdraw", Priority.normal, ""),
        ("biz-change", Priority.normal, ""),
    ):
        await kiosk.issue(service, priority=priority, notes=notes)
        hall.clock.advance(seconds=40)
    green = await wang.call_next(8)
    await wang.start(green.id)
    hall.clock.advance(minutes=3, seconds=20)
    await wang.complete(green.id)
    hall.clock.advance(seconds=30)
    current = await wang.call_next(8)
    hall.clock.advance(seconds=50)
    await wang.start(current.id)
    hall.clock.set(local("2026-12-11 09:12"))
    for client in (kiosk, wang):
        await client.aclose()


@pytest.fixture(scope="module")
def morning(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("snapshots") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    asyncio.run(_a_morning_at_window_8(hall))
    yield hall
    hall.server.stop()


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


@pytest.mark.parametrize("size", SIZES)
def test_sign_in(snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]) -> None:
    app = app_for(morning, staff_no=None)
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_window_picker(
    snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(morning, staff_no=None)  # 刘洋, 综合受理, not at a window yet

    async def sign_in(pilot: Pilot[Any]) -> None:
        await pilot.press(*"1004", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: app.screen.query_one("DataTable").row_count == 2)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=sign_in)


@pytest.mark.parametrize("size", SIZES)
def test_counter(snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]) -> None:
    app = app_for(morning)  # 王芳, back at window 8 where she is serving C001

    async def arrive(pilot: Pilot[Any]) -> None:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: not screen._refreshing)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=arrive)
