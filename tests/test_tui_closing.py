"""Closing time at 王芳's counter (window 8, 综合受理) on Friday 2026-12-11, against a real hall on
127.0.0.1: the banner from 17:00, asking 张伟 (the duty lead) to extend, his decision arriving
live, and the warning at the window's end. The demo hall closes at 17:30 on workdays.

The three citizens of the afternoon take their tickets at 16:50: 企业变更登记 (12 min),
户籍业务 (10 min) and 公积金提取 (10 min): 32 minutes of work for window 8.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from rich.cells import cell_len
from textual import events
from textual.app import App
from textual.widgets import Input, Static

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.app import ClerkDeskApp
from clerkdesk.config import Settings
from clerkdesk.i18n import set_language
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.counter.day_summary import DaySummaryDialog
from clerkdesk.screens.counter.extension_dialog import ExtensionDialog
from clerkdesk.screens.dialogs import ConfirmDialog, ReasonDialog
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.state.closing import ClosingWatch
from clerkdesk.widgets.closing_banner import ClosingBanner, banner_lines
from tests.conftest import SHANGHAI, RunningHall, local, signed_in
from tests.tui_support import app_for, at_counter, screen_text, wait_for, workstation


async def three_citizens_at_1650(hall: RunningHall, kiosk: HallClient) -> None:
    hall.clock.set(local("2026-12-11 16:50"))
    for service in ("biz-change", "hukou", "gjj-withdraw"):
        await kiosk.issue(service)


def told(app: ClerkDeskApp) -> list[str]:
    """Every notification the workstation shows, from now on, in order."""
    messages: list[str] = []
    notify = app.notify

    def recording(message: str, **kwargs: object) -> None:
        messages.append(message)
        notify(message, **kwargs)  # type: ignore[arg-type]

    app.notify = recording  # type: ignore[method-assign]
    return messages


def banner_text(screen: CounterScreen) -> str:
    return str(screen.query_one(ClosingBanner).render())


def message_line(screen: CounterScreen) -> str:
    return str(screen.query_one("#message").render())


async def banner_shown(pilot: object, screen: CounterScreen) -> ClosingBanner:
    banner = screen.query_one(ClosingBanner)
    await wait_for(pilot, lambda: banner.display)  # type: ignore[arg-type]
    return banner


# --- the banner -----------------------------------------------------------------------------


async def test_at_1705_the_banner_counts_down_to_1730_with_three_waiting_and_their_minutes(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        first, second = banner_text(screen).splitlines()
        assert first == "Closes at 17:30, 25 min left · 3 waiting, about 32 min needed"
        assert second == "F10 e: ask to extend, 10 min suggested"  # 32 needed - 25 left
        assert screen.check_action("extend", ()) is True

        hall.clock.advance(seconds=90)  # the hall's clock moves; no event, no read needed
        await wait_for(pilot, lambda: "23 min 30 s left" in banner_text(screen))


async def test_before_1700_there_is_no_banner_and_at_1700_it_appears_without_any_event(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 16:59"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: screen.model.closing.status is not None)
        await pilot.pause(0.1)
        banner = screen.query_one(ClosingBanner)
        assert not banner.display
        assert screen.check_action("extend", ()) is False  # not offered at 16:59
        await pilot.press("e")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ExtensionDialog)

        hall.clock.set(local("2026-12-11 17:00"))
        await banner_shown(pilot, screen)
        assert banner_text(screen).startswith("Closes at 17:30, 30 min left · 3 waiting")
        assert screen.check_action("extend", ()) is True


async def test_a_remapped_extend_key_is_the_one_the_banner_names(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    settings = Settings(extra={"keymap": {"counter.extend": "f11,y"}})
    app = app_for(hall, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        assert "F11 y: ask to extend" in banner_text(screen)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))


# --- asking to extend, and the duty lead's decision -----------------------------------------


async def test_wang_fang_asks_for_10_minutes_and_zhang_wei_approves_20_live(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    app = app_for(hall)
    notes = told(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))
        dialog = app.screen
        assert dialog.query_one("#minutes", Input).value == "10"  # the hall's suggestion
        assert dialog.query_one("#reason", Input).value == "3 citizens still waiting"
        await pilot.press("tab", "home", "ctrl+k", *"三位群众仍在等候", "enter")
        await wait_for(pilot, lambda: "the duty lead decides" in banner_text(screen))
        assert "Asked 10 min at 17:05" in banner_text(screen)
        assert screen.check_action("extend", ()) is False  # one request at a time

        lead = ClosingClient(zhang_wei)
        [asked] = await lead.extensions(w.ExtensionStatus.pending)
        assert (asked.extension.staff.name, asked.extension.window) == ("王芳", 8)
        assert (asked.extension.minutes_requested, asked.extension.reason) == (
            10,
            "三位群众仍在等候",
        )
        assert (len(asked.waiting), asked.minutes_needed) == (3, 32)

        await lead.approve_extension(asked.extension.id, minutes=20)
        await wait_for(pilot, lambda: "Extended to 17:50" in banner_text(screen))
        assert "Extended to 17:50, 45 min left" in banner_text(screen)
        assert "张伟 approved 20 min" in banner_text(screen)
        decision = "张伟 approved 20 min (you asked 10): the window now closes at 17:50."
        assert message_line(screen) == decision
        assert notes == [decision]
        assert screen.check_action("extend", ()) is True  # may ask again

        hall.clock.set(local("2026-12-11 17:30"))  # the scheduled end: extended, no warning
        await wait_for(pilot, lambda: "20 min left" in banner_text(screen))
        read = screen.model.closing  # a minute has passed: the hall is read again
        await wait_for(pilot, lambda: read.status and read.status.now == local("2026-12-11 17:30"))
        hall.clock.set(local("2026-12-11 17:50"))  # the extension's end: warned
        await wait_for(pilot, lambda: len(notes) >= 2)
        assert len(notes) == 2, notes
        assert notes[1].startswith("17:50: this window's end. You may serve on")


async def test_a_denial_shows_zhang_weis_reason(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:10"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))
        await pilot.press("enter")  # the suggested minutes and reason
        await wait_for(pilot, lambda: "the duty lead decides" in banner_text(screen))

        [asked] = await ClosingClient(zhang_wei).extensions(w.ExtensionStatus.pending)
        assert asked.extension.reason == "3 citizens still waiting"
        await ClosingClient(zhang_wei).deny_extension(asked.extension.id, "9号窗口接办剩余群众")
        await wait_for(pilot, lambda: "denied" in message_line(screen))
        assert message_line(screen) == (
            "张伟 denied the extension: 9号窗口接办剩余群众. Past 17:30 you may serve on; "
            "it is recorded as overtime."
        )
        await wait_for(pilot, lambda: "张伟 denied it: 9号窗口接办剩余群众" in banner_text(screen))
        assert banner_text(screen).startswith("Closes at 17:30, 20 min left")


async def test_a_second_request_while_one_is_pending_is_refused_saying_to_wait(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))
        # Meanwhile 王芳 asked from another workstation signed in as her.
        elsewhere = await signed_in(hall, "1002")
        await ClosingClient(elsewhere).request_extension(8, 15, "另一台电脑上申请")
        await elsewhere.aclose()
        await pilot.press("enter")
        expected = "This window already asked to extend: wait for the duty lead's decision."
        await wait_for(pilot, lambda: message_line(screen) == expected)
        await wait_for(pilot, lambda: "Asked 15 min at 17:05" in banner_text(screen))


class DropFirstExtensionAnswer(httpx.AsyncBaseTransport):
    """Loses the hall's answer to the first extension request on the way back (the hall has
    already recorded it): what a dropped connection looks like to the workstation."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/extensions"):
            self.keys.append(request.headers["Idempotency-Key"])
            if len(self.keys) == 1:
                await response.aread()
                await response.aclose()
                raise httpx.ReadError("connection reset by peer", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_request_cut_off_by_a_dropped_connection_is_sent_again_and_made_once(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    transport = DropFirstExtensionAnswer()
    app = app_for(hall, ws=workstation(hall, transport=transport, retry_delays=()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: message_line(screen).startswith("Asked the duty lead"))
    assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
    requests = await ClosingClient(zhang_wei).extensions()
    assert [r.extension.minutes_requested for r in requests] == [10]


# --- the window's end -----------------------------------------------------------------------


async def test_at_1730_the_clerk_is_warned_once_and_serving_on_is_overtime(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:25"))
    app = app_for(hall)
    notes = told(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        assert notes == []
        hall.clock.set(local("2026-12-11 17:30"))
        await wait_for(pilot, lambda: len(notes) == 1)
        assert notes[0] == (
            "17:30: this window's end. You may serve on: the time past it is recorded as "
            "overtime for the duty lead to confirm."
        )
        await pilot.press("n")  # 王芳 serves on
        await wait_for(pilot, lambda: screen.model.current is not None)
        hall.clock.advance(minutes=6)
        await wait_for(pilot, lambda: "by 6 min" in banner_text(screen))
        first, second = banner_text(screen).splitlines()
        assert first == "Past the end (17:30) by 6 min: overtime, for the duty lead to confirm"
        assert second.startswith("2 waiting, about ")
        assert notes == [notes[0]]  # once per end
        assert screen.check_action("extend", ()) is True  # still offered past the end


async def test_offline_the_last_banner_stays_and_keeps_counting(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        await asyncio.to_thread(hall.server.stop)
        await wait_for(pilot, lambda: not screen.link.online, 10)
        hall.clock.advance(minutes=2)  # a periodic read is due, and gets no answer
        await wait_for(pilot, lambda: "23 min left" in banner_text(screen))
        await wait_for(pilot, lambda: not screen.model.closing.reading)
        assert "3 waiting, about 32 min needed" in banner_text(screen)


# --- the banner's text ----------------------------------------------------------------------

ZHANG = w.StaffOut(id=5, staff_no="2001", name="张伟", department=None, roles=[w.Role.lead])
WANG = w.StaffOut(id=2, staff_no="1002", name="王芳", department="zonghe", roles=[w.Role.clerk])


def _ticket(n: int) -> w.TicketOut:
    return w.TicketOut(
        id=n,
        code=f"F{n:03d}",
        service="hukou",
        service_name="户籍业务",
        status=w.TicketStatus.waiting,
        priority=w.Priority.normal,
        appointment_at=None,
        issued_at=local("2026-12-11 16:50"),
        local_date=local("2026-12-11 16:50").date(),
        window=None,
        called_at=None,
        called_by=None,
        recall_count=0,
        started_at=None,
        finished_at=None,
        outcome=None,
        reason=None,
        notes="",
        estimated_minutes=10,
    )


def _request(status: w.ExtensionStatus) -> w.ExtensionOut:
    decided = status != w.ExtensionStatus.pending
    return w.ExtensionOut(
        id=1,
        window=8,
        staff=WANG,
        status=status,
        local_date=local("2026-12-11 17:00").date(),
        requested_at=local("2026-12-11 17:05"),
        minutes_requested=240,
        reason="三位群众仍在等候",
        scheduled_end=local("2026-12-11 17:30"),
        base_end=local("2026-12-11 17:30"),
        waiting_at_request=12,
        needed_at_request=200,
        minutes_approved=240 if status == w.ExtensionStatus.approved else None,
        ends_at=local("2026-12-11 21:30") if status == w.ExtensionStatus.approved else None,
        decided_at=local("2026-12-11 17:06") if decided else None,
        decided_by=ZHANG if decided else None,
        decision_reason="人手不足" if status == w.ExtensionStatus.denied else None,
        auto_approved=False,
    )


def _status(waiting: int, extension: w.ExtensionOut | None) -> w.ClosingStatus:
    approved = extension is not None and extension.status == w.ExtensionStatus.approved
    return w.ClosingStatus(
        window=8,
        now=local("2026-12-11 17:05"),
        phase=w.WindowPhase.open,
        scheduled_end=local("2026-12-11 17:30"),
        window_end=local("2026-12-11 21:30" if approved else "2026-12-11 17:30"),
        minutes_left=25,
        notice=True,
        notice_minutes=30,
        final_closing=True,
        next_opening=None,
        in_hand=None,
        waiting=[_ticket(n) for n in range(1, waiting + 1)],
        minutes_needed=10 * waiting,
        service_minutes={"hukou": 10},
        suggested_minutes=max(0, 10 * waiting - 25),
        extension=extension,
        end_of_day=w.EndOfDayRule.serve_all,
    )


@pytest.mark.parametrize(
    ("now", "first_line"),
    [
        ("17:30:22", "Past the end (17:30) by 22 s: from one minute on, overtime"),
        ("17:31:00", "Past the end (17:30) by 1 min: overtime, for the duty lead to confirm"),
    ],
)
def test_past_the_end_the_banner_claims_overtime_only_from_the_first_whole_minute(
    now: str, first_line: str
) -> None:
    """An overrun counts whole minutes: leaving at 17:30:22 records none, so the banner does not
    promise one before 17:31."""
    first, _second = banner_lines(
        _status(2, None), local(f"2026-12-11 {now}"), SHANGHAI, "F10 e", True
    )
    assert first == first_line


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_banner_fits_80_columns_in_both_languages(lang: str) -> None:
    set_language(lang)
    try:
        requests = [None, *(_request(s) for s in w.ExtensionStatus)]
        for extension in requests:
            for waiting in (0, 12, 140):
                status = _status(waiting, extension)
                for now in ("17:05", "17:29:59", "19:55", "23:59"):
                    at = local(f"2026-12-11 {now}")
                    offered = extension is None or extension.status != w.ExtensionStatus.pending
                    for line in banner_lines(status, at, SHANGHAI, "F10 e", offered):
                        assert cell_len(line) <= 78, line  # 80 columns less the padding
    finally:
        set_language("en")


def test_the_countdown_runs_on_the_hall_clock_not_the_pcs() -> None:
    status = _status(0, None)  # the hall says 17:05
    pc = local("2026-12-11 14:05")  # this PC's clock is 3 hours behind
    watch = ClosingWatch()
    watch.load(status, pc)
    assert watch.hall_now(pc + timedelta(minutes=4)) == local("2026-12-11 17:09")
    assert watch.due == pc + timedelta(minutes=1)  # read again in a minute
    assert watch.end_reached(pc + timedelta(minutes=24)) is None
    assert watch.end_reached(pc + timedelta(minutes=25)) == local("2026-12-11 17:30")
    assert watch.end_reached(pc + timedelta(minutes=26)) is None  # warned once

    early = status.model_copy(update={"now": local("2026-12-11 16:59:30")})
    watch.load(early, pc)
    assert watch.due == pc + timedelta(seconds=30)  # read again exactly at 17:00
    assert not watch.shown(pc + timedelta(seconds=29))
    assert watch.shown(pc + timedelta(seconds=30))


class _DialogHost(App[None]):
    """Just the extension dialog, and what it answered."""

    answered: tuple[int, str] | None = None

    def on_mount(self) -> None:
        def answer(value: tuple[int, str] | None) -> None:
            self.answered = value

        self.push_screen(
            ExtensionDialog(8, lambda: "2 citizens still waiting", 10, reason=""), answer
        )


async def test_a_burst_of_keys_in_the_extension_dialog_keeps_minutes_and_reason_apart() -> None:
    """王芳 changes the minutes to 25, Enter, types the reason and Enter in one go: every key
    reaches the app before the dialog has handled the first Enter."""
    app = _DialogHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))
        # as 王芳 sees it: the dialog drawn, the cursor in its minutes (its on_mount has run)
        await wait_for(pilot, lambda: getattr(app.focused, "id", None) == "minutes")
        for key in ["backspace", "backspace", "2", "5", "enter", *"queue", "enter"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_for(pilot, lambda: app.answered is not None)
        # The last Enter answers at once (a priority key); the keys before it may still be
        # on their way back up to the app. Let them arrive before the app ends: otherwise,
        # on a busy machine, one met an app with no screen left (ScreenStackError).
        await pilot.pause()
    assert app.answered == (25, "queue")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "3 citizens still wait (E001, F001…): serve them first, or ask to extend."),
        ("zh", "还有 3 位群众在等候（E001, F001…）：请办完再离开，或申请延时。"),
    ],
)
async def test_leaving_past_the_end_with_citizens_waiting_says_what_to_do_in_one_line(
    hall: RunningHall, kiosk: HallClient, lang: str, expected: str
) -> None:
    """王芳 opened window 8 at 17:05; at 17:35 its end (17:30) is past and three citizens
    nobody else serves still wait; the hall serves everyone (serve-all): her "leave" is
    refused, and the counter says why and what to do in her language, on the one line it has
    at 80 columns."""
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    set_language(lang)
    try:
        app = app_for(hall)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await at_counter(pilot)
            hall.clock.set(local("2026-12-11 17:35"))
            await pilot.press("l")  # past the end: leaving is closing the window, asked first
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("y")
            await wait_for(pilot, lambda: expected in screen_text(app))
            line = next(row for row in screen_text(app).splitlines() if expected in row)
            assert cell_len(line.rstrip()) <= 80
            assert app.screen is screen and screen.model.held_by_me
    finally:
        set_language("en")


async def test_the_extension_dialog_counts_down_while_it_is_open(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """王芳 opens the request at 17:05 and thinks for a minute and a half: the dialog's line
    counts down with the banner behind it ("25 min left", then "23 min 30 s left")."""
    await three_citizens_at_1650(hall, kiosk)
    hall.clock.set(local("2026-12-11 17:05"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        await banner_shown(pilot, screen)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExtensionDialog))
        dialog = app.screen

        def situation() -> str:
            return str(dialog.query_one(".question", Static).render())

        assert situation().startswith("Closes at 17:30, 25 min left · 3 waiting")
        hall.clock.advance(seconds=90)
        await wait_for(pilot, lambda: "23 min 30 s left" in situation())


# --- leaving at the window's end: its closing, confirmed and summed up ------------------------


async def test_leaving_at_the_end_asks_first_then_shows_the_days_summary(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    """王芳 opens window 8 at 17:05 with K001 and F001 waiting; 张伟 approves her 10 minutes
    (to 17:40). K001 does not come (a no-show), F001 is served. At 17:43 she presses l: asked
    first ("Not yet" keeps the window), then closed, and the summary says served 1, no-shows
    1, the 10 min extension and the 3 min overrun the duty lead is to confirm."""
    hall.clock.set(local("2026-12-11 16:50"))
    await kiosk.issue("shebao-card")
    await kiosk.issue("hukou")
    hall.clock.set(local("2026-12-11 17:05"))
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot)
        wang = await signed_in(hall, "1002")
        asked = await ClosingClient(wang).request_extension(8, 10, "两位群众等候")
        await wang.aclose()
        await ClosingClient(zhang_wei).approve_extension(asked.id)
        watch = screen.model.closing
        end = local("2026-12-11 17:40")
        await wait_for(pilot, lambda: watch.status is not None and watch.status.window_end == end)

        await pilot.press("n")  # K001
        await wait_for(pilot, lambda: screen.model.status == w.TicketStatus.called)
        hall.clock.advance(seconds=30)
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.model.current and screen.model.current.recall_count)
        hall.clock.advance(seconds=40)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.model.current is None)
        hall.clock.advance(seconds=5)
        await pilot.press("n", "s")  # F001
        await wait_for(pilot, lambda: screen.model.status == w.TicketStatus.serving)
        hall.clock.set(local("2026-12-11 17:42"))
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.model.counts and screen.model.counts.served == 1)

        hall.clock.set(local("2026-12-11 17:43"))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Window 8 ended at 17:40: close it for today?" in screen_text(app)
        assert "Served: 1 · No-shows: 1" in screen_text(app)
        await pilot.press("n")  # not yet: the window stays
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.model.held_by_me and screen.link.pending is None
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DaySummaryDialog))
        summary = screen_text(app)
        assert "Window 8 closed at 17:43" in summary
        for line in (
            "Served: 1 · No-shows: 1",
            "Extension: 10 min, to 17:40.",
            "Overrun: 3 min past 17:40, for the duty lead to confirm as overtime.",
        ):
            assert line in summary
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        assert (
            "Window 8 closed at 17:43: served 1, no-shows 1, extension 10 min, overrun 3 min."
            in screen_text(app)
        )
    [overrun] = await ClosingClient(zhang_wei).overruns(w.OverrunStatus.pending)
    assert (overrun.window, overrun.minutes, overrun.staff.name) == (8, 3, "王芳")
