"""The hall board on the TV over the counters, driven by Pilot against a real hall: a burst of
calls shown one after the other in order, a recall announced again, the hall going away and
coming back, the board's sign-in ending at midnight. The display's clock is moved by hand: no
test waits for a call's time on screen to pass."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from clerkdesk.api.board import BoardClient
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.clock import ManualClock
from clerkdesk.demo import demo_hall
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.hall_file import HallFile
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.i18n import set_language
from clerkdesk.state.board import MIN_SHOW_S
from clerkdesk.widgets.board import CallBanner, HoursLine, NoticeLine, Queues
from tests.board_support import (
    HandClock,
    NotedVoice,
    banner_call,
    board_app,
    following,
    shown_text,
)
from tests.conftest import RunningHall, local, signed_in, start_hall, stop_soon
from tests.tui_support import wait_for

BURST = 20


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The board in English, whatever a test before left set."""
    set_language("en")
    yield


def _a_hall_with_twenty_more_windows() -> HallFile:
    """The demo hall, and windows 10-29 of 综合受理 serving 户籍业务, a clerk at each."""
    data = demo_hall().model_dump(mode="json")
    for n in range(10, 10 + BURST):
        data["windows"].append(
            {
                "number": n,
                "label": f"综合受理 {n}号窗口",
                "department": "zonghe",
                "services": ["hukou"],
            }
        )
        data["staff"].append(
            {
                "staff_no": f"Z{n}",
                "name": f"综合{n}",
                "department": "zonghe",
                "roles": ["clerk"],
                "password": "demo",
            }
        )
    return HallFile.model_validate(data)


@pytest.fixture
def big_hall(tmp_path: Path, clock: ManualClock) -> Iterator[RunningHall]:
    url = sqlite_url(tmp_path / "hall.sqlite3")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, _a_hall_with_twenty_more_windows(), clock.now())
    finally:
        engine.dispose()
    hall = start_hall(url, clock, seeded=True)
    yield hall
    stop_soon(hall)


async def test_twenty_calls_in_one_second_are_all_shown_in_order_each_for_its_time(
    big_hall: RunningHall,
) -> None:
    hall = big_hall
    kiosk = await signed_in(hall, "kiosk1")
    clerks = []
    for n in range(10, 10 + BURST):
        await kiosk.issue("hukou")  # F001 ... F020
        clerk = await signed_in(hall, f"Z{n}")
        await clerk.sign_in(n)
        clerks.append((n, clerk))
    ticks = HandClock()
    app = board_app(hall, monotonic=ticks)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await following(pilot)
        # 09:10:00.00 - 09:10:00.95: twenty windows call, one every 50 ms.
        hall.clock.set(local("2026-12-11 09:10"))
        for _n, clerk in clerks:
            await clerk.call_next(_n)
            hall.clock.advance(seconds=0.05)
        await wait_for(pilot, lambda: len(screen.state.recent) == 10)  # the list keeps ten
        await wait_for(pilot, lambda: len(screen.state.queue.pending) == BURST - 1)
        # The first is on the display at once; the rest wait their turn, in the order called.
        assert banner_call(screen) == "F001"
        changes = [("F001", ticks.now)]
        while screen.state.queue.pending:
            screen.tick()  # the clock has not moved: nothing may replace what is shown
            assert banner_call(screen) == changes[-1][0]
            ticks.advance(MIN_SHOW_S / 2)
            screen.tick()
            await pilot.pause()
            if banner_call(screen) != changes[-1][0]:
                changes.append((banner_call(screen) or "", ticks.now))
        assert [code for code, _at in changes] == [f"F{n:03d}" for n in range(1, BURST + 1)]
        assert [c.ticket for c in screen.shown] == [f"F{n:03d}" for n in range(1, BURST + 1)]
        shown_for = [b[1] - a[1] for a, b in itertools.pairwise(changes)]
        assert min(shown_for) >= MIN_SHOW_S
        # The recent list: the ten latest, newest first.
        assert [c.ticket for c in screen.state.recent] == [
            f"F{n:03d}" for n in range(BURST, BURST - 10, -1)
        ]
    for _n, clerk in clerks:
        await clerk.aclose()
    await kiosk.aclose()


async def test_a_recall_is_announced_again_and_the_display_waits_for_the_voice(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, wang_fang: HallClient
) -> None:
    first = await kiosk.issue("bdc-transfer")  # A001
    await kiosk.issue("hukou")  # F001
    ticks, voice = HandClock(), NotedVoice()
    app = board_app(hall, monotonic=ticks, voice=voice, langs=("zh", "en"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await following(pilot)
        await li_hua.call_next(1)
        await wait_for(pilot, lambda: banner_call(screen) == "A001")
        voice.busy = True  # A001 is being spoken
        hall.clock.advance(seconds=30)
        await li_hua.recall(first.id)  # nobody came: 李华 calls A001 again
        await wang_fang.call_next(8)  # F001 to window 8
        await wait_for(pilot, lambda: len(screen.state.queue.pending) == 2)
        ticks.advance(MIN_SHOW_S * 3)
        screen.tick()
        assert banner_call(screen) == "A001" and len(screen.shown) == 1  # still speaking
        voice.busy = False
        screen.tick()
        banner = screen.query_one(CallBanner)
        assert banner.call is not None and banner.call.times_called == 2
        assert banner.has_class("recall")
        ticks.advance(MIN_SHOW_S)
        screen.tick()
        assert banner_call(screen) == "F001"
    assert [a.phrases for a in voice.said] == [
        (("zh", "请 A零零一 号到 1 号窗口"), ("en", "Ticket A, 0, 0, 1, please go to window 1")),
        (("zh", "请 A零零一 号到 1 号窗口"), ("en", "Ticket A, 0, 0, 1, please go to window 1")),
        (("zh", "请 F零零一 号到 8 号窗口"), ("en", "Ticket F, 0, 0, 1, please go to window 8")),
    ]


async def test_the_hall_goes_away_the_board_says_so_and_comes_back_by_itself(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await kiosk.issue("hukou")
    app = board_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await following(pilot)
        await wait_for(pilot, lambda: "户籍业务" in shown_text(screen.query_one(Queues)))
        assert "1 waiting" in shown_text(screen.query_one(Queues))
        offline = screen.query_one("#offline", NoticeLine)
        assert not offline.display
        port = hall.server.port
        await asyncio.to_thread(hall.server.stop)
        await wait_for(pilot, lambda: offline.display, 10)
        assert "does not answer" in str(offline.render())

        again = create_app(HallSettings(hall.database_url, clock=hall.clock, poll_interval=0.2))
        restarted = ServerThread(again, port=port)
        await asyncio.to_thread(restarted.start)
        try:
            await wait_for(pilot, lambda: not offline.display, 10)
            clerk = await signed_in(hall, "1002")
            await clerk.sign_in(8)
            await clerk.call_next(8)  # the stream is live again
            await wait_for(pilot, lambda: banner_call(screen) == "F001")
            await clerk.aclose()
        finally:
            await asyncio.to_thread(restarted.stop)


async def test_at_midnight_the_boards_sign_in_ends_and_it_signs_in_again_by_itself(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    app = board_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await following(pilot)
        old = screen.link.client.token
        assert old is not None
        async with HallClient(hall.url, token=old) as ended:
            await ended.logout()  # as the hall does to every sign-in at local midnight
        await kiosk.issue("bdc-transfer")  # the board reads the queues again: refused, 401
        await wait_for(pilot, lambda: screen.link.client.token not in (None, old))
        await wait_for(pilot, lambda: "1 waiting" in shown_text(screen.query_one(Queues)))
        await li_hua.call_next(1)
        await wait_for(pilot, lambda: banner_call(screen) == "A001")
        assert screen.online


async def test_an_approved_extension_shows_the_closing_notice(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:10"))
    app = board_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await following(pilot)
        hours = screen.query_one(HoursLine)
        assert str(hours.render()) == "Open today 09:00–17:30"
        asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众等候")
        await ClosingClient(zhang_wei).approve_extension(asked.id)
        await wait_for(pilot, lambda: hours.has_class("extended"))
        assert str(hours.render()) == "Extended service today until 18:15   Open today 09:00–17:30"
        seen = await BoardClient(screen.link.client).board()
        assert seen.extended_until == local("2026-12-11 18:15")
