"""Snapshots of the hall board at 80x24, 120x40 and 200x50, in Chinese and English: Friday
2026-12-11 at 17:20 in the demo hall, the hall clock standing still; 李华 has just recalled A003
to window 1, a 45-minute extension is approved (今日延时服务至 18:15), and the computer has
no sound card (the board says so once).

Update on purpose only: `.venv/bin/pytest tests/test_board_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api.closing import ClosingClient
from clerkdesk.board import plan_voice
from clerkdesk.clock import ManualClock
from clerkdesk.hall.store.engine import sqlite_url
from clerkdesk.i18n import set_language
from clerkdesk.voice import AudioCheck
from tests.board_support import banner_call, board_app, following
from tests.conftest import RunningHall, local, signed_in, start_hall
from tests.tui_support import wait_for

SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40"),
    pytest.param((200, 50), id="200x50"),
]


async def _a_day_until_twenty_past_five(hall: RunningHall) -> None:
    kiosk = await signed_in(hall, "kiosk1")
    li_hua = await signed_in(hall, "1001")
    wang_fang = await signed_in(hall, "1002")
    chen_ming = await signed_in(hall, "1003")
    zhang_wei = await signed_in(hall, "2001")
    await li_hua.sign_in(1)
    await wang_fang.sign_in(8)
    await chen_ming.sign_in(3)
    for service in (
        ["bdc-transfer"] * 6 + ["hukou"] * 3 + ["biz-license"] * 2 + ["shebao-card", "bdc-query"]
    ):
        await kiosk.issue(service)
        hall.clock.advance(minutes=4)
    hall.clock.set(local("2026-12-11 16:40"))
    for clerk, window in ((li_hua, 1), (wang_fang, 8), (chen_ming, 3), (li_hua, 1)):
        called = await clerk.call_next(window)
        hall.clock.advance(minutes=2)
        await clerk.start(called.id)
        hall.clock.advance(minutes=5)
        await clerk.complete(called.id)
    hall.clock.set(local("2026-12-11 17:10"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众等候")
    await ClosingClient(zhang_wei).approve_extension(asked.id)
    await wang_fang.call_next(8)  # F001
    hall.clock.set(local("2026-12-11 17:15"))
    recalled = await li_hua.call_next(1)  # A003
    hall.clock.set(local("2026-12-11 17:16"))
    await li_hua.recall(recalled.id)
    hall.clock.set(local("2026-12-11 17:20"))
    for client in (kiosk, li_hua, wang_fang, chen_ming, zhang_wei):
        await client.aclose()


@pytest.fixture(scope="module")
def twenty_past_five(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    path = tmp_path_factory.mktemp("board-snapshots") / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    asyncio.run(_a_day_until_twenty_past_five(hall))
    yield hall
    hall.server.stop()


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


@pytest.mark.parametrize("size", SIZES)
def test_the_board(
    snap_compare: Any,
    twenty_past_five: RunningHall,
    lang: str,
    size: tuple[int, int],
    tmp_path: Path,
) -> None:
    silent = plan_voice("zh", tmp_path, AudioCheck(None, "this computer has no sound card"))
    app = board_app(twenty_past_five, voice=silent.voice, voice_notice=silent.notice)

    async def switched_on(pilot: Pilot[Any]) -> None:
        screen = await following(pilot)
        await wait_for(pilot, lambda: banner_call(screen) == "A003")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=switched_on)
