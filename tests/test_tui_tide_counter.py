"""王芳's counter at window 8 (综合受理) while 张伟 makes it a tide window (潮汐窗口) for
不动产转移登记 until 11:30 (Pilot, real hall on 127.0.0.1): the counter's header says so at once,
the transfers come first in her queue, and when 张伟 revokes the tide the header is plain again.
Snapshots of the tide window's counter in both languages at 80x24 and 120x40."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.clock import ManualClock
from clerkdesk.i18n import set_language
from clerkdesk.widgets.current_ticket import CurrentTicket
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import start_tide_hall, tide_hall
from tests.tui_support import app_for, at_counter, settled, wait_for

__all__ = ["tide_hall"]

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def header(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one(CurrentTicket).border_title)


async def _transfers_swell(hall: RunningHall) -> None:
    """09:00: 王芳 at window 8; five citizens for 不动产转移登记 and one for 户籍 arrive."""
    kiosk = await signed_in(hall, "kiosk1")
    wang_fang = await signed_in(hall, "1002")
    await wang_fang.sign_in(8)
    await kiosk.issue("hukou")
    hall.clock.advance(minutes=2)
    for _ in range(5):
        await kiosk.issue("bdc-transfer")
    hall.clock.set(local("2026-12-11 09:20"))
    for client in (kiosk, wang_fang):
        await client.aclose()


async def test_wang_fangs_counter_shows_the_tide_at_once_and_drops_it_when_revoked(
    tide_hall: RunningHall,
) -> None:
    set_language("en")
    await _transfers_swell(tide_hall)
    zhang_wei = await signed_in(tide_hall, "2001")
    app = app_for(tide_hall)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await at_counter(pilot)
            await wait_for(pilot, lambda: not screen._refreshing)
            assert header(pilot) == "Window 8"
            assert [t.code for t in screen.model.queue] == ["F001"]

            await zhang_wei.open_tide(
                8, ["bdc-transfer"], "过户排队", until=local("2026-12-11 11:30")
            )
            await wait_for(pilot, lambda: "tide" in header(pilot))
            assert header(pilot) == "Window 8 · tide → 不动产转移登记 until 11:30"
            await wait_for(pilot, lambda: len(screen.model.queue) == 6)
            assert screen.model.queue[0].code == "A001"

            await zhang_wei.end_tide(8)
            await wait_for(pilot, lambda: header(pilot) == "Window 8")
            await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["F001"])
    finally:
        await zhang_wei.aclose()


@pytest.fixture(scope="module")
def tide_at_window_8(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHall]:
    path: Path = tmp_path_factory.mktemp("snapshots-tide-counter") / "hall.sqlite3"
    hall = start_tide_hall(path, ManualClock(local("2026-12-11 09:00")))

    async def prepare() -> None:
        await _transfers_swell(hall)
        zhang_wei = await signed_in(hall, "2001")
        await zhang_wei.open_tide(8, ["bdc-transfer"], "过户排队", until=local("2026-12-11 11:30"))
        await zhang_wei.aclose()

    asyncio.run(prepare())
    yield hall
    hall.server.stop()


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


@pytest.mark.parametrize("size", SIZES)
def test_tide_window_counter(
    snap_compare: Any, tide_at_window_8: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(tide_at_window_8)  # 王芳 at window 8, re-pointed to 不动产转移登记

    async def arrive(pilot: Pilot[Any]) -> None:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: not screen._refreshing and screen.model.loaded)
        await settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=arrive)
