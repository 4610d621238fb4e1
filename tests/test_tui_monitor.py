"""The duty lead's hall monitor on the workstation (Pilot, real hall on 127.0.0.1): Friday
2026-12-11, five citizens wait for 不动产转移登记 (alert at five), 李华 serves at window 1, 王芳
idles at window 8, window 20 is in reserve. 张伟 opens the monitor from the window picker with
`h`, sees the alert with the windows that could help, opens a tide window at window 8 from the
dialog and revokes it again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api import schemas as w
from clerkdesk.i18n import set_language
from clerkdesk.screens.dialogs import ConfirmDialog
from clerkdesk.screens.monitor.screen import HallMonitorScreen
from clerkdesk.screens.monitor.tide_dialog import TideDialog
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.widgets.monitor_tables import WindowLoadTable
from tests.conftest import RunningHall, signed_in
from tests.monitor_support import tide_hall, watch
from tests.tui_support import app_for, screen_text, wait_for

__all__ = ["tide_hall"]


@pytest.fixture
async def busy_morning(tide_hall: RunningHall) -> AsyncIterator[RunningHall]:
    set_language("en")
    kiosk = await signed_in(tide_hall, "kiosk1")
    li_hua = await signed_in(tide_hall, "1001")
    wang_fang = await signed_in(tide_hall, "1002")
    await li_hua.sign_in(1)
    await wang_fang.sign_in(8)
    for _ in range(6):
        await kiosk.issue("bdc-transfer")
    tide_hall.clock.advance(minutes=5)
    first = await li_hua.call_next(1)
    await li_hua.start(first.id)
    tide_hall.clock.advance(minutes=3)
    for client in (kiosk, li_hua, wang_fang):
        await client.aclose()
    yield tide_hall


async def open_monitor(pilot: Pilot[Any]) -> HallMonitorScreen:
    app = pilot.app
    await pilot.press(*"2001", "enter", *"demo", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
    await pilot.press("w")

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, HallMonitorScreen)
            and screen.seen.loaded
            and screen.link.stream_seen
            and not screen._refreshing
        )

    await wait_for(pilot, ready)
    screen = app.screen
    assert isinstance(screen, HallMonitorScreen)
    return screen


async def test_zhang_wei_sees_the_alert_and_opens_and_revokes_a_tide_window(
    busy_morning: RunningHall,
) -> None:
    app = app_for(busy_morning, staff_no=None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_monitor(pilot)
        assert screen.seen.snapshot is not None and screen.seen.snapshot.alerts == []
        assert watch(busy_morning) == 1  # five waiting: the hall raises the alert
        await wait_for(pilot, lambda: bool(screen.seen.snapshot and screen.seen.snapshot.alerts))
        shown = screen_text(app)
        assert "⚠ 不动产转移登记: 5 waiting" in shown and "could help: 8, 20" in shown

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TideDialog))
        dialog = app.screen
        assert dialog.query_one("#window").value == "8"  # the first window that could help
        assert dialog.query_one("#services").value == "bdc-transfer"
        await pilot.press(*"queue", "enter")
        await wait_for(pilot, lambda: app.screen is screen)

        def window_8() -> w.WindowLoadOut | None:
            return screen.seen.window(8)

        await wait_for(pilot, lambda: (x := window_8()) is not None and x.tide is not None)
        assert "Window 8 now calls bdc-transfer first, until you revoke it." in screen_text(app)
        assert "idle · tide" in screen_text(app)

        table = screen.query_one(WindowLoadTable)
        table.move_cursor(row=table.keys.index("8"))
        await pilot.pause()
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: (x := window_8()) is not None and x.tide is None)
        assert "Window 8 calls its own services again." in screen_text(app)

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))


async def test_a_clerk_is_not_offered_the_monitor(busy_morning: RunningHall) -> None:
    app = app_for(busy_morning, staff_no="1004", window=9)  # 刘洋, a clerk
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CounterScreen")
        assert app.check_action("hall_monitor", ()) is False
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, HallMonitorScreen)
