"""The ticket kiosk in the hall, as citizens use it: Friday 2026-12-11 in the demo hall, the kiosk
signed in as kiosk1, 李华 (不动产登记) at window 1, 张伟 the duty lead reading the day's tickets.
Taps are mouse clicks on the big keys; number keys pick the service on the page."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import Priority, TicketStatus
from clerkdesk.i18n import set_language
from clerkdesk.kiosk import KioskApp
from clerkdesk.printing.printers import TextFile
from clerkdesk.screens.kiosk.green import GreenChannelScreen
from clerkdesk.screens.kiosk.home import KioskHomeScreen
from clerkdesk.screens.kiosk.ticket import PrintFailedScreen, TicketScreen
from tests.conftest import RunningHall, local
from tests.kiosk_support import FakeLp, IdleClock, at_home, kiosk_app, lp
from tests.tui_support import wait_for


def screen_words(app: KioskApp) -> str:
    from textual.widgets import Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def ticket_shown(pilot: Pilot[Any]) -> TicketScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TicketScreen))
    screen = app.screen
    assert isinstance(screen, TicketScreen)
    return screen


async def tickets_of_the_day(lead: HallClient) -> list[Any]:
    return await lead.tickets_today()


# --- a ticket ---------------------------------------------------------------------------------


async def test_a_citizen_taps_the_first_service_and_takes_the_printed_ticket(
    hall: RunningHall, tmp_path: Path, zhang_wei: HallClient
) -> None:
    spool = tmp_path / "tickets.txt"
    app = kiosk_app(hall, printer=TextFile(spool))
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        await pilot.click("#service-1")  # 不动产转移登记
        shown = await ticket_shown(pilot)
        assert shown.printed.code == "A001" and shown.on_paper
        assert "Please take your ticket" in screen_words(app)
        await pilot.pause(0.01)
        app.kiosk.idle.monotonic.advance(2)  # type: ignore[attr-defined]
        await pilot.press("space")  # the citizen is done: back to the start
        await wait_for(pilot, lambda: app.screen is home)
    printed = spool.read_text("utf-8")
    assert (
        "A001" in printed and "不动产转移登记" in printed and "Taken at 2026-12-11 09:00" in printed
    )
    assert "You are next in line" in printed and "█" in printed  # the QR code of its status link
    (ticket,) = await tickets_of_the_day(zhang_wei)
    assert (ticket.code, ticket.status, ticket.priority) == (
        "A001",
        TicketStatus.waiting,
        Priority.normal,
    )


class TwoTapsTogether(httpx.AsyncHTTPTransport):
    """Holds the first issue request until the second tap's request has come too, so that both
    are on their way at once (a finger that bounced)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.both = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/tickets":
            self.keys.append(request.headers["Idempotency-Key"])
            if len(self.keys) == 2:
                self.both.set()
            await asyncio.wait_for(self.both.wait(), 10)
        return await super().handle_async_request(request)


async def test_a_double_tap_sends_one_key_twice_and_the_hall_issues_one_ticket(
    hall: RunningHall, tmp_path: Path, zhang_wei: HallClient
) -> None:
    spool = tmp_path / "tickets.txt"
    taps = TwoTapsTogether()
    app = kiosk_app(hall, printer=TextFile(spool), transport=taps)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.click("#service-6")  # 户籍业务, twice
        await pilot.click("#service-6")
        shown = await ticket_shown(pilot)
        await pilot.pause(0.2)  # the second answer (the same ticket) has come and gone
        assert isinstance(app.screen, TicketScreen)
    assert len(taps.keys) == 2 and taps.keys[0] == taps.keys[1]
    assert shown.printed.code == "F001"
    assert [t.code for t in await tickets_of_the_day(zhang_wei)] == ["F001"]
    assert spool.read_text("utf-8").count("F001") == 1  # printed once


class LosesTheFirstAnswer(httpx.AsyncHTTPTransport):
    """The first issue request reaches the hall, its answer is lost on the way back."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.method == "POST" and request.url.path == "/tickets":
            self.keys.append(request.headers["Idempotency-Key"])
            if len(self.keys) == 1:
                await response.aclose()
                raise httpx.ReadError("connection reset", request=request)
        return response


async def test_a_tap_again_after_a_lost_answer_gets_the_same_ticket(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    lossy = LosesTheFirstAnswer()
    app = kiosk_app(hall, transport=lossy, retry_delays=())
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        await pilot.press("6")
        await wait_for(pilot, lambda: "did not answer" in screen_words(app))
        assert app.screen is home
        await pilot.press("6")  # the citizen taps again
        shown = await ticket_shown(pilot)
    assert lossy.keys[0] == lossy.keys[1]
    assert shown.printed.code == "F001"
    assert [t.code for t in await tickets_of_the_day(zhang_wei)] == ["F001"]


async def test_each_stay_at_the_home_screen_has_its_own_keys(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    """Two citizens one after the other, each for 户籍业务: two tickets."""
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        for _citizen in range(2):
            await pilot.press("6")
            await ticket_shown(pilot)
            app.kiosk.idle.monotonic.advance(2)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is home)
    assert [t.code for t in await tickets_of_the_day(zhang_wei)] == ["F001", "F002"]


# --- printing ---------------------------------------------------------------------------------


async def test_a_ticket_the_printer_cannot_print_is_cancelled_and_the_citizen_told(
    hall: RunningHall, tmp_path: Path, zhang_wei: HallClient
) -> None:
    set_language("zh")
    try:
        app = kiosk_app(hall, printer=TextFile(tmp_path / "no-such-folder" / "tickets.txt"))
        async with app.run_test(size=(80, 24)) as pilot:
            await at_home(pilot)
            await pilot.press("1")
            await wait_for(pilot, lambda: isinstance(app.screen, PrintFailedScreen))
            assert "打印失败，请联系工作人员" in screen_words(app)
            assert "A001 号未能出票，已作废" in screen_words(app)
            await wait_for(pilot, lambda: app.kiosk.cancelled == ["A001"])
    finally:
        set_language("en")
    (ticket,) = await tickets_of_the_day(zhang_wei)
    assert (ticket.code, ticket.status, ticket.reason) == (
        "A001",
        TicketStatus.cancelled,
        "print_failed",
    )


async def test_lp_that_exits_1_leaves_no_ghost_in_the_queue(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    broken = FakeLp(exit_code=1)
    app = kiosk_app(hall, printer=lp(broken))
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.click("#service-2")  # 抵押登记
        await wait_for(pilot, lambda: isinstance(app.screen, PrintFailedScreen))
        await wait_for(pilot, lambda: app.kiosk.cancelled == ["B001"])
    assert broken.jobs[0][0][:3] == ["lp", "-d", "KIOSK1"]
    assert "B001" in broken.jobs[0][1].decode("utf-8")
    (ticket,) = await tickets_of_the_day(zhang_wei)
    assert ticket.status == TicketStatus.cancelled
    queue = await li_hua.queue(1)  # 李华 at window 1 serves 抵押登记: nobody waits
    assert queue.tickets == []


async def test_lp_that_prints_gets_the_plain_text_ticket(hall: RunningHall) -> None:
    working = FakeLp()
    app = kiosk_app(hall, printer=lp(working))
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.press("2")
        shown = await ticket_shown(pilot)
    assert shown.printed.code == "B001" and app.kiosk.cancelled == []
    (argv, text), *_ = working.jobs
    assert argv == ["lp", "-d", "KIOSK1", "-t", "clerkdesk-ticket"]
    assert "B001" in text.decode("utf-8") and "抵押登记" in text.decode("utf-8")


# --- the cutoff and the hall's hours ----------------------------------------------------------


async def test_near_closing_each_service_says_until_when_and_past_its_cutoff_when_again(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    set_language("zh")
    try:
        hall.clock.set(local("2026-12-11 17:12"))  # 不动产转移登记 (20 min) stopped at 17:10
        app = kiosk_app(hall)
        async with app.run_test(size=(120, 40)) as pilot:
            home = await at_home(pilot)
            words = screen_words(app)
            assert "今日已停止取号\n明天 9:00 起可取号" in words  # on 不动产转移登记's key
            assert "取号至 17:25" in words  # 不动产登记查询 (5 min)
            await pilot.press("1")
            await wait_for(
                pilot,
                lambda: "不动产转移登记今日已停止取号，明天 9:00 起可取号。" in screen_words(app),
            )
            await pilot.press("3")  # 不动产登记查询 still issues
            shown = await ticket_shown(pilot)
            assert shown.printed.code == "C001"
            assert home.home is not None
    finally:
        set_language("en")
    assert [t.code for t in await tickets_of_the_day(zhang_wei)] == ["C001"]


async def test_a_cutoff_passed_since_the_home_screen_was_read_is_said_as_the_hall_says_it(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:09"))
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        hall.clock.set(local("2026-12-11 17:11"))  # the screen still shows it open
        await pilot.press("1")
        await wait_for(
            pilot,
            lambda: (
                "不动产转移登记: no more tickets today, tickets again from 9:00 tomorrow."
                in screen_words(app)
            ),
        )
        await wait_for(pilot, lambda: home.reads >= 2)  # read again after the refusal
        await pilot.pause(0.05)
        assert "No more tickets today" in screen_words(app)
    assert await tickets_of_the_day(zhang_wei) == []


async def test_at_night_the_kiosk_says_when_the_hall_opens(hall: RunningHall) -> None:
    hall.clock.set(local("2026-12-11 21:30"))
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.pause(0.05)
        assert "The hall is closed now: tickets again from 9:00 tomorrow." in screen_words(app)


# --- the green channel ----------------------------------------------------------------------------


async def test_the_green_channel_asks_first_then_issues_a_green_ticket(
    hall: RunningHall, zhang_wei: HallClient, kiosk: HallClient
) -> None:
    await kiosk.issue("hukou")  # F001 waits already
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        await pilot.click("#green")
        await wait_for(pilot, lambda: isinstance(app.screen, GreenChannelScreen))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: app.screen is home and home.green)
        assert "Green channel: choose the service" in screen_words(app)
        await pilot.press("6")  # 户籍业务
        shown = await ticket_shown(pilot)
        assert shown.printed.green_channel and shown.printed.people_ahead == 0
        app.kiosk.idle.monotonic.advance(2)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is home)
        assert not home.green  # the next citizen starts with an ordinary ticket
    tickets = {t.code: t.priority for t in await tickets_of_the_day(zhang_wei)}
    assert tickets == {"F001": Priority.normal, "F002": Priority.green_channel}


async def test_back_from_the_green_channels_question_issues_nothing_green(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GreenChannelScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)
        assert not home.green
        await pilot.press("g")  # yes, then changes their mind: Esc on the home screen
        await wait_for(pilot, lambda: isinstance(app.screen, GreenChannelScreen))
        await pilot.press("1")
        await wait_for(pilot, lambda: home.green)
        await pilot.press("escape", "6")
        await ticket_shown(pilot)
    (ticket,) = await tickets_of_the_day(zhang_wei)
    assert ticket.priority == Priority.normal


# --- back to the start ----------------------------------------------------------------------------


async def test_untouched_the_kiosk_goes_back_to_its_first_page(hall: RunningHall) -> None:
    idle = IdleClock()
    app = kiosk_app(hall, idle=idle, idle_seconds=30)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await at_home(pilot)
        await pilot.press("6")
        await ticket_shown(pilot)
        idle.advance(29)
        app.go_home_when_idle()
        assert isinstance(app.screen, TicketScreen)  # not yet
        idle.advance(1)
        app.go_home_when_idle()
        await wait_for(pilot, lambda: app.screen is home)

        await pilot.press("0", "g")  # the second page, the green channel: then nobody
        await wait_for(pilot, lambda: isinstance(app.screen, GreenChannelScreen))
        await pilot.press("1")
        await wait_for(pilot, lambda: home.green and home.page == 1)
        idle.advance(30)
        app.go_home_when_idle()
        assert (home.green, home.page) == (False, 0)


async def test_the_kiosk_signs_in_again_when_its_sign_in_ended(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    """At midnight a sign-in ends: the kiosk signs in again by itself and issues the ticket."""
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await app.kiosk.desk.client.logout()  # the hall ended the kiosk's sign-in
        await pilot.press("6")
        shown = await ticket_shown(pilot)
    assert shown.printed.code == "F001"
    assert len(await tickets_of_the_day(zhang_wei)) == 1


async def test_a_clerks_staff_number_is_no_kiosk(hall: RunningHall) -> None:
    app = kiosk_app(hall)
    app.kiosk.desk.staff_no = "1001"  # 李华: a clerk
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "1001 has no kiosk role" in screen_words(app))
        assert not isinstance(app.screen, KioskHomeScreen)


async def test_when_every_cutoff_has_passed_the_banner_says_when_tickets_come_again(
    hall: RunningHall,
) -> None:
    hall.clock.set(local("2026-12-11 17:29"))  # open until 17:30, but every service stopped
    set_language("zh")
    try:
        app = kiosk_app(hall)
        async with app.run_test(size=(80, 24)) as pilot:
            await at_home(pilot)
            await pilot.pause(0.05)
            assert "现已停止取号，明天 9:00 起可取号。" in screen_words(app)
    finally:
        set_language("en")
