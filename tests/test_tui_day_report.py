"""The duty lead's day report on the workstation (Pilot, real hall on 127.0.0.1): Friday
2026-12-11 in the demo hall. By 09:40 李华 at window 1 has served two transfers (12 and 8
minutes), 王芳's window 8 was a tide window for 不动产转移登记 from 09:10 and served one (10
minutes) and her own 户籍 case (6 minutes), and one citizen did not come. 张伟 opens the hall
monitor (`w`), then the day report (`d`): per service and per window what `clerkdesk report
day` prints; `[` shows the day before, `]` comes back, `]` again says there is no day to come,
`g` takes a typed day, Esc goes back to the monitor. Snapshots in both languages at 80x24 and
120x40."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api.errors import InvalidInput
from clerkdesk.clock import ManualClock
from clerkdesk.i18n import set_language
from clerkdesk.screens.monitor.day_report import DayDialog, DayReportScreen
from clerkdesk.screens.monitor.screen import HallMonitorScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import start_tide_hall
from tests.tui_support import app_for, screen_text, settled, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _a_morning(hall: RunningHall) -> None:
    kiosk = await signed_in(hall, "kiosk1")
    li_hua, wang_fang = await signed_in(hall, "1001"), await signed_in(hall, "1002")
    zhang_wei = await signed_in(hall, "2001")
    clock = hall.clock
    await li_hua.sign_in(1)
    await wang_fang.sign_in(8)
    a001, a002, a003, a004 = [await kiosk.issue("bdc-transfer") for _ in range(4)]
    f001 = await kiosk.issue("hukou")
    clock.set(local("2026-12-11 09:02"))
    await li_hua.start((await li_hua.call_next(1)).id)  # A001, 12 minutes
    await wang_fang.start((await wang_fang.call_next(8)).id)  # F001, 6 minutes
    clock.set(local("2026-12-11 09:08"))
    await wang_fang.complete(f001.id)
    clock.set(local("2026-12-11 09:10"))
    await zhang_wei.open_tide(8, ["bdc-transfer"], "过户排队")
    await wang_fang.start((await wang_fang.call_next(8)).id)  # A002 at the tide window
    clock.set(local("2026-12-11 09:14"))
    await li_hua.complete(a001.id)
    called = await li_hua.call_next(1)  # A003 does not come
    assert called.id == a003.id
    await li_hua.recall(a003.id)
    clock.set(local("2026-12-11 09:20"))
    await li_hua.no_show(a003.id, "叫号两次未到")
    await wang_fang.complete(a002.id)
    await li_hua.start((await li_hua.call_next(1)).id)  # A004, 8 minutes
    clock.set(local("2026-12-11 09:28"))
    await li_hua.complete(a004.id)
    clock.set(local("2026-12-11 09:40"))
    for client in (kiosk, li_hua, wang_fang, zhang_wei):
        await client.aclose()


@pytest.fixture(scope="module")
def morning(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHall]:
    path: Path = tmp_path_factory.mktemp("day-report") / "hall.sqlite3"
    hall = start_tide_hall(path, ManualClock(local("2026-12-11 09:00")))
    asyncio.run(_a_morning(hall))
    yield hall
    hall.server.stop()


async def open_report(pilot: Pilot[Any]) -> DayReportScreen:
    app = pilot.app
    await pilot.press(*"2001", "enter", *"demo", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(app.screen, HallMonitorScreen))
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DayReportScreen) and app.screen.reads)
    screen = app.screen
    assert isinstance(screen, DayReportScreen)
    await settled(pilot)
    return screen


def rows(screen: DayReportScreen, table: str) -> list[list[str]]:
    found = screen.query_one(f"#{table}")
    return [[str(c) for c in found.get_row_at(i)] for i in range(found.row_count)]


async def test_zhang_wei_reads_the_day_and_the_day_before(morning: RunningHall) -> None:
    set_language("en")
    app = app_for(morning, staff_no=None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        assert "Day report 2026-12-11 (today)" in screen_text(app)
        services = {row[0]: row for row in rows(screen, "services")}
        # Service, issued, served, no-shows, hand-offs, avg wait (2, 10, 14 and 20 minutes
        # to the first call), p90 wait, avg service (12, 10, 8 minutes), p90 service,
        # same-day rate (3 of 4), tide share (A002 of the 3 served), ratings (none given).
        assert services["不动产转移登记"] == [
            "不动产转移登记", "4", "3", "1", "0", "11:30", "20:00", "10:00", "12:00", "75.0%",
            "33.3%", "0", "—",
        ]  # fmt: skip
        assert services["All services"][1:4] == ["5", "4", "1"]
        windows = {row[0]: row for row in rows(screen, "windows")}
        assert windows["不动产登记 1号窗口"][1:3] == ["2", "1"]  # served, no-shows
        assert windows["综合受理 8号窗口"][-3] == "50.0%"  # the tide's share of its cases

        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.day.day.isoformat() == "2026-12-10" and screen.report)
        await wait_for(pilot, lambda: "No window called anyone on 2026-12-10." in screen_text(app))
        assert [row[0] for row in rows(screen, "services")] == ["All services"]

        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: "a day still to come has none" in screen_text(app))
        assert screen.day.is_today

        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, DayDialog))
        dialog = app.screen
        await pilot.press("ctrl+u", *"2026-12-12", "enter")  # tomorrow: said in the dialog
        await wait_for(pilot, lambda: "2026-12-12 is still to come" in screen_text(app))
        assert app.screen is dialog
        await pilot.press("ctrl+u", *"2026-12-09", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: "Day report 2026-12-09 ·" in screen_text(app))

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HallMonitorScreen))


async def test_the_hall_refuses_a_report_of_a_day_to_come(morning: RunningHall) -> None:
    from datetime import date

    zhang_wei = await signed_in(morning, "2001")
    try:
        with pytest.raises(InvalidInput) as refused:
            await zhang_wei.hall_day_report(date(2026, 12, 12))
        assert refused.value.code == "report_day_ahead"
        report = await zhang_wei.hall_day_report(date(2026, 12, 11))
        assert [r.key for r in report.windows] == ["1", "8"]
        assert report.first_tide_at == local("2026-12-11 09:10")
    finally:
        await zhang_wei.aclose()


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


@pytest.mark.parametrize("size", SIZES)
def test_day_report(
    snap_compare: Any, morning: RunningHall, lang: str, size: tuple[int, int]
) -> None:
    app = app_for(morning, staff_no=None)
    assert snap_compare(app, terminal_size=size, run_before=open_report)
