"""A workstation on another PC runs on the hall's clock: `clerkdesk demo --serve-only --speed 30`
started at 17:10 on Friday 2026-12-11 (the demo hall closes at 17:30), and 王芳 at window 8 or
张伟 on his lead screen connect from a second workstation. One real minute there is half an hour
in the hall; the workstation takes the hall's time and speed from GET /clock at sign-in and again
whenever it reconnects.

The hall's clock here is a ManualClock that says it runs at 30x; the PC's monotonic clock is one
the test moves, so the two move together and nothing waits for the wall clock.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App

from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.clock import FollowedClock
from clerkdesk.credentials import TokenStore
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.state.session import Server, Workstation
from clerkdesk.widgets.closing_banner import ClosingBanner
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine
from tests.conftest import RunningHall, local
from tests.keyring_memory import MemoryKeyring
from tests.test_tui_duty_lead import lead_app, lead_without_window
from tests.tui_support import FIXED_LABEL, app_for, at_counter, screen_text, wait_for


class PcMonotonic:
    """The second PC's monotonic clock, in seconds, moved by the test."""

    def __init__(self) -> None:
        self.seconds = 5000.0

    def __call__(self) -> float:
        return self.seconds


def second_workstation(hall: RunningHall, pc: PcMonotonic) -> Workstation:
    return Workstation(
        Server(hall.url, FIXED_LABEL, hall.url),
        clock=FollowedClock(pc),
        tokens=TokenStore(backend=MemoryKeyring(), clock=hall.clock),
        retry_delays=(0.01, 0.05),
        align_clock=True,
    )


def a_demo_at_30x_from(hall: RunningHall, start: str) -> None:
    hall.clock.set(local(start))
    hall.clock.speed = 30  # type: ignore[misc]  # what GET /clock reports


def real_seconds_pass(hall: RunningHall, pc: PcMonotonic, seconds: float) -> None:
    """Both clocks move: the PC's by `seconds`, the hall's by 30 times that."""
    pc.seconds += seconds
    hall.clock.advance(seconds=seconds * hall.clock.speed)


def clock_reads_under_way(app: App[Any]) -> bool:
    """A worker of the screens' "clock" group still asking the hall for its time."""
    return any(worker.group == "clock" and not worker.is_finished for worker in app.workers)


def status_line(app: object) -> str:
    return str(app.screen.query_one(StatusLine).render())  # type: ignore[attr-defined]


async def test_wang_fangs_counter_counts_down_at_the_demos_speed(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """The lead's status line read 17:28 while the hall was at 17:43: not any more."""
    hall.clock.set(local("2026-12-11 16:50"))
    for service in ("biz-change", "hukou", "gjj-withdraw"):
        await kiosk.issue(service)
    a_demo_at_30x_from(hall, "2026-12-11 17:10")
    pc = PcMonotonic()
    app = app_for(hall, ws=second_workstation(hall, pc))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: "17:10:00" in status_line(app))
        banner = screen.query_one(ClosingBanner)
        await wait_for(pilot, lambda: "Closes at 17:30, 20 min left" in str(banner.render()))

        real_seconds_pass(hall, pc, 20)  # ten minutes in the hall
        await wait_for(pilot, lambda: "17:20:00" in status_line(app))
        await wait_for(pilot, lambda: "Closes at 17:30, 10 min left" in str(banner.render()))


async def test_after_a_reconnect_the_workstation_takes_the_halls_clock_again(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """The demo hall is restarted at 30x from 17:00 while 王芳's counter waits for it; once her
    workstation is back, it runs on the restarted hall's clock."""
    a_demo_at_30x_from(hall, "2026-12-11 16:00")
    pc = PcMonotonic()
    app = app_for(hall, ws=second_workstation(hall, pc))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: "16:00:00" in status_line(app))
        # stopped before the event stream first connected, the hall's return would be the
        # stream's first connection, not a reconnect (seen under load)
        await wait_for(pilot, lambda: screen.link.stream_seen)
        port = hall.server.port
        await asyncio.to_thread(hall.server.stop)
        banner = screen.query_one(OfflineBanner)
        await wait_for(pilot, lambda: banner.display, 10)

        hall.clock.set(local("2026-12-11 17:00"))
        restarted = ServerThread(
            create_app(HallSettings(hall.database_url, clock=hall.clock, poll_interval=0.2)),
            port=port,
        )
        await asyncio.to_thread(restarted.start)
        try:
            await wait_for(pilot, lambda: not banner.display, 10)
            await wait_for(pilot, lambda: "17:00:00" in status_line(app))
            # the PC's clock moves once the workstation has the hall's answer: moved while a
            # read of GET /clock is still on its way, the read would span the ten seconds
            await wait_for(pilot, lambda: not clock_reads_under_way(app))
            real_seconds_pass(hall, pc, 10)  # five minutes in the hall
            await wait_for(pilot, lambda: "17:05:00" in status_line(app))
        finally:
            await asyncio.to_thread(restarted.stop)


async def test_the_lead_on_another_pc_sees_the_window_end_come_at_the_demos_speed(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    """张伟 saw "ends 17:45, in 17 min" when 王芳 had 1:53 left: now both count in hall time."""
    hall.clock.set(local("2026-12-11 17:05"))
    for _citizen in range(3):
        await kiosk.issue("hukou")
    a_demo_at_30x_from(hall, "2026-12-11 17:10")
    await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    pc = PcMonotonic()
    app = lead_app(hall, ws=second_workstation(hall, pc))
    async with app.run_test(size=(80, 24)) as pilot:
        await lead_without_window(pilot)
        await wait_for(pilot, lambda: "17:30, in 20 min" in screen_text(app))
        assert "17:10:00" in status_line(app)
        real_seconds_pass(hall, pc, 36)  # 18 minutes in the hall
        await wait_for(pilot, lambda: "17:28:00" in status_line(app))
        await wait_for(pilot, lambda: "17:30, in 2 min" in screen_text(app))
