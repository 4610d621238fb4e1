"""Snapshots of the ticket kiosk, in Chinese and English, at 80x24 and 120x40: its home near
closing (one service past its cutoff, the others issuing until their own), a ticket on the
screen with its QR code, a ticket the printer could not print, the green channel's question.

Deterministic: the hall's clock stands at 17:12 on Fri 2026-12-11, a fixed set of tickets, the
hall's status-link key fixed (the QR code is the same each run), the status links' address fixed.

Update on purpose only: `.venv/bin/pytest tests/test_kiosk_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from textual.pilot import Pilot

from clerkdesk.api.schemas import Priority
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.i18n import set_language
from clerkdesk.printing.printers import TextFile
from clerkdesk.screens.kiosk.green import GreenChannelScreen
from clerkdesk.screens.kiosk.ticket import PrintFailedScreen
from tests.conftest import RunningHall, local, signed_in
from tests.kiosk_support import at_home, kiosk_app
from tests.test_kiosk_tui import ticket_shown
from tests.tui_support import wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LANGS = ["zh", "en"]


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


async def _a_day_until_1712(hall: RunningHall) -> None:
    """Tickets through the day; 李华 serves at window 1, 王芳 at window 8; at 17:12 some wait."""
    engine = make_engine(hall.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE hall SET status_key = 'snapshot-key'"))
    finally:
        engine.dispose()
    kiosk = await signed_in(hall, "kiosk1")
    li_hua, wang = await signed_in(hall, "1001"), await signed_in(hall, "1002")
    await li_hua.sign_in(1)
    await wang.sign_in(8)
    hall.clock.set(local("2026-12-11 16:40"))
    for service, priority in (
        ("bdc-transfer", Priority.normal),
        ("bdc-transfer", Priority.normal),
        ("bdc-mortgage", Priority.normal),
        ("hukou", Priority.green_channel),
        ("hukou", Priority.normal),
        ("tax-invoice", Priority.normal),
    ):
        await kiosk.issue(service, priority=priority)
        hall.clock.advance(minutes=2)
    hall.clock.set(local("2026-12-11 17:12"))
    for client in (kiosk, li_hua, wang):
        await client.aclose()


@pytest.fixture
async def evening(hall: RunningHall) -> RunningHall:
    await _a_day_until_1712(hall)
    return hall


@pytest.mark.parametrize("size", SIZES)
def test_home_near_closing(
    snap_compare: Any, evening: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = kiosk_app(evening)

    async def arrive(pilot: Pilot[Any]) -> None:
        await at_home(pilot)
        await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=arrive)


@pytest.mark.parametrize("size", SIZES)
def test_a_ticket_taken(
    snap_compare: Any, evening: RunningHall, lang: str, size: tuple[int, int], tmp_path: Path
) -> None:
    app = kiosk_app(evening, printer=TextFile(tmp_path / "tickets.txt"))

    async def take(pilot: Pilot[Any]) -> None:
        await at_home(pilot)
        await pilot.press("3")  # 不动产登记查询: until 17:25
        await ticket_shown(pilot)
        await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=take)


@pytest.mark.parametrize("size", SIZES)
def test_a_ticket_not_printed(
    snap_compare: Any, evening: RunningHall, lang: str, size: tuple[int, int], tmp_path: Path
) -> None:
    app = kiosk_app(evening, printer=TextFile(tmp_path / "no-such-folder" / "tickets.txt"))

    async def take(pilot: Pilot[Any]) -> None:
        await at_home(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PrintFailedScreen))
        await wait_for(pilot, lambda: app.kiosk.cancelled == ["C001"])
        await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=take)


@pytest.mark.parametrize("size", SIZES)
def test_the_green_channels_question(
    snap_compare: Any, evening: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = kiosk_app(evening)

    async def ask(pilot: Pilot[Any]) -> None:
        await at_home(pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GreenChannelScreen))
        await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=ask)
