"""张伟, the duty lead, decides extension requests, overruns and leave requests on his screen,
against a real hall on 127.0.0.1. Friday 2026-12-11: the demo hall closes at 17:30.

王芳 (1002, window 8) and 李华 (1001, window 1) ask and work through the API, as their own
counters would; 张伟 (2001, clerk and lead of the whole hall) uses the workstation.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import Input

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.app import ClerkDeskApp
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.dialogs import ConfirmDialog, ReasonDialog
from clerkdesk.screens.lead.dialogs import ApproveMinutesDialog
from clerkdesk.screens.lead.screen import DutyLeadScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.widgets.counter_bars import OfflineBanner
from clerkdesk.widgets.lead_inbox import CalendarWarning, OverrunTable
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import give_demo_password, serve_next
from tests.tui_support import (
    app_for,
    at_counter,
    at_duty_lead,
    screen_text,
    wait_for,
    workstation,
)

SIZE = (80, 24)


async def three_waiting_at_window_8(hall: RunningHall, kiosk: HallClient) -> None:
    hall.clock.set(local("2026-12-11 17:05"))
    for _citizen in range(3):
        await kiosk.issue("hukou")
    hall.clock.set(local("2026-12-11 17:10"))


async def lead_without_window(pilot: Pilot[Any]) -> DutyLeadScreen:
    """张伟 signs in, is shown the window picker, and goes straight to his lead screen."""
    await pilot.press(*"2001", "enter", *"demo", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WindowPickerScreen))
    await pilot.press("d")
    return await at_duty_lead(pilot)


def lead_app(hall: RunningHall, **kwargs: Any) -> ClerkDeskApp:
    return app_for(hall, staff_no=None, **kwargs)


def seen(app: ClerkDeskApp) -> str:
    """What the screen shows, the tables' titles included."""
    titles = [str(x.border_title) for x in app.screen.query("*") if x.border_title]
    return "\n".join([screen_text(app), *titles])


async def test_wang_fangs_request_appears_live_with_its_context_and_a_approves_it(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        assert screen.desk.inbox == []
        assert "No request waiting for your decision" in seen(app)
        assert screen.check_action("approve", ()) is False  # nothing to approve

        asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
        await wait_for(pilot, lambda: len(screen.desk.inbox) == 1, 5)  # live, no polling
        [item] = screen.desk.inbox
        assert (item.extension.id, len(item.waiting), item.minutes_needed) == (asked.id, 3, 30)
        text = seen(app)
        assert "1 request waiting for your decision" in text
        assert "8 王芳 20 min 3 30 min 17:30, in 20 min 三位群众等候" in text
        assert "Approving moves its end from 17:30 to 17:50." in text

        hall.clock.set(local("2026-12-11 17:12"))
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.desk.inbox == [] and screen.desk.decided != [])
        assert "Approved 20 min for window 8: it now ends at 17:50." in screen_text(app)
        assert "8 王芳 20 min approved 20 min 17:50 张伟" in screen_text(app)

    decided = (await ClosingClient(wang_fang).closing(8)).extension
    assert decided is not None and decided.id == asked.id
    assert (decided.status, decided.minutes_approved) == (w.ExtensionStatus.approved, 20)
    assert decided.decided_by is not None and decided.decided_by.staff_no == "2001"
    assert decided.decided_at == local("2026-12-11 17:12")
    assert (await ClosingClient(wang_fang).closing(8)).window_end == local("2026-12-11 17:50")


async def test_a_denial_asks_for_the_reason_wang_fang_will_read(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        assert [x.extension.id for x in screen.desk.inbox] == [asked.id]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # no reason: the dialog stays and says one is needed
        assert isinstance(app.screen, ReasonDialog)
        assert "A reason is needed" in screen_text(app)
        app.screen.query_one(Input).value = "9号窗口可接办，请引导群众"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.desk.inbox == [] and screen.desk.decided != [])
        assert "denied: 9号窗口可接办" in screen_text(app)

    denied = await ClosingClient(wang_fang).closing(8)
    assert denied.extension is not None
    assert (denied.extension.status, denied.extension.decision_reason) == (
        w.ExtensionStatus.denied,
        "9号窗口可接办，请引导群众",
    )
    assert denied.window_end == local("2026-12-11 17:30")  # the end did not move


async def test_asked_with_nobody_waiting_the_minutes_dialog_says_so(
    hall: RunningHall, wang_fang: HallClient
) -> None:
    """王芳 asks 15 minutes at 17:10 with nobody waiting (a citizen is on the way, say): the
    lead's question does not speak of the waiting citizens' 0 minutes."""
    hall.clock.set(local("2026-12-11 17:10"))
    await ClosingClient(wang_fang).request_extension(8, 15, "a citizen is on the way")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await lead_without_window(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ApproveMinutesDialog))
        assert "asked 15 min; nobody waits now. Approve how many?" in screen_text(app)
        assert "need about 0 min" not in screen_text(app)


async def test_the_lead_approves_other_minutes_than_asked(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ApproveMinutesDialog))
        assert app.screen.query_one(Input).value == "20"  # prefilled with what she asked
        assert "need about 30 min" in screen_text(app)
        await pilot.press("backspace", *"300", "enter")  # more than the hall accepts
        assert isinstance(app.screen, ApproveMinutesDialog)
        app.screen.query_one(Input).value = "30"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.desk.inbox == [] and screen.desk.decided != [])
        assert "Approved 30 min for window 8: it now ends at 18:00." in screen_text(app)

    approved = (await ClosingClient(wang_fang).closing(8)).extension
    assert approved is not None and approved.id == asked.id
    assert (approved.minutes_requested, approved.minutes_approved) == (20, 30)
    assert approved.ends_at == local("2026-12-11 18:00")


async def overrun_at(hall: RunningHall, clerk: HallClient, window: int, service: str) -> None:
    """The clerk serves a citizen who came at 17:05 until 17:40, past the 17:30 end, without
    asking to extend, and closes the window at 17:42: an overrun of 12 minutes."""
    hall.clock.set(local("2026-12-11 17:05"))
    kiosk = await signed_in(hall, "kiosk1")
    await kiosk.issue(service)
    await kiosk.aclose()
    hall.clock.set(local("2026-12-11 17:15"))
    await serve_next(clerk, window, hall, 25)
    hall.clock.set(local("2026-12-11 17:42"))
    await ClosingClient(clerk).close_window(window)


async def test_overruns_are_confirmed_with_a_note_or_rejected_with_a_reason(
    hall: RunningHall, li_hua: HallClient, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await overrun_at(hall, li_hua, 1, "bdc-transfer")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        table = screen.query_one(OverrunTable)
        assert "Today's overruns · 1 to decide" in str(table.border_title)
        assert "1 李华 12 min 17:30 17:42 to decide —" in screen_text(app)

        await overrun_at(hall, wang_fang, 8, "hukou")  # recorded while he watches
        await wait_for(pilot, lambda: len(screen.desk.overruns) == 2, 5)
        assert [o.window for o in screen.desk.overruns] == [1, 8]  # pending, oldest first

        await pilot.press("c")  # the highlighted one: 李华's
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        app.screen.query_one(Input).value = "群众材料复杂"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Confirmed window 1's 12 min" in screen_text(app))

        table.focus()
        await wait_for(pilot, lambda: screen.overrun() is not None)
        chosen = screen.overrun()
        assert chosen is not None and chosen.window == 8  # the next one to decide
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # rejecting needs a reason
        assert isinstance(app.screen, ReasonDialog)
        app.screen.query_one(Input).value = "未申请延时"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Rejected window 8's 12 min" in screen_text(app))
        assert screen.check_action("reject_overrun", ()) is False  # none left to decide

    decided = {o.window: o for o in await ClosingClient(zhang_wei).overruns()}
    assert (decided[1].status, decided[1].decision_reason) == (
        w.OverrunStatus.confirmed,
        "群众材料复杂",
    )
    assert (decided[8].status, decided[8].decision_reason) == (
        w.OverrunStatus.rejected,
        "未申请延时",
    )
    assert {o.decided_by.staff_no for o in decided.values() if o.decided_by} == {"2001"}


async def test_a_clerk_without_the_lead_role_is_never_offered_the_lead_screen(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await kiosk.issue("hukou")
    app = app_for(hall)  # 王芳 at window 8
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        assert app.check_action("duty_lead", ()) is False
        assert "app.duty_lead" not in {b.binding.action for b in screen.active_bindings.values()}
        commands = [c.title for c in app.get_system_commands(screen)]
        assert "Duty lead" not in commands and "Theme" in commands
        await pilot.press("d")
        await pilot.pause(0.1)
        assert app.screen is screen
    wang = await signed_in(hall, "1002")
    assert await ClosingClient(wang).overruns(w.OverrunStatus.pending) == []  # her own: none
    await wang.aclose()


async def test_the_lead_goes_from_his_counter_to_the_lead_screen_and_back(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    app = app_for(hall, staff_no="2001", window=9)  # 张伟 works window 9 himself
    async with app.run_test(size=SIZE) as pilot:
        counter = await at_counter(pilot)
        assert counter.model.window_number == 9
        assert "Duty lead" in [c.title for c in app.get_system_commands(counter)]
        await pilot.press("d")
        lead = await at_duty_lead(pilot)
        assert lead.window == 9
        await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
        await wait_for(pilot, lambda: len(lead.desk.inbox) == 1, 5)
        await pilot.press("escape")
        back = await at_counter(pilot)
        assert back.model.window_number == 9 and back.model.held_by_me

        await pilot.press("ctrl+p")  # and again through the command palette
        await pilot.press(*"duty lead")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await at_duty_lead(pilot)


async def test_his_own_request_is_shown_but_left_to_another_lead(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    app = app_for(hall, staff_no="2001", window=9)
    async with app.run_test(size=SIZE) as pilot:
        await at_counter(pilot)
        await ClosingClient(app.ws.client).request_extension(9, 15, "还有群众")
        await pilot.press("d")
        lead = await at_duty_lead(pilot)
        assert [x.extension.window for x in lead.desk.inbox] == [9]
        assert lead.check_action("approve", ()) is None  # shown, but off
        assert "张伟 (you)" in screen_text(app)
        assert "another duty lead or an admin decides it" in screen_text(app)


async def test_offline_the_decisions_are_off_and_the_screen_resumes_by_itself(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        banner = screen.query_one(OfflineBanner)
        port = hall.server.port
        await asyncio.to_thread(hall.server.stop)
        await wait_for(pilot, lambda: banner.display)
        assert "Offline" in screen_text(app)

        restarted = ServerThread(
            create_app(HallSettings(hall.database_url, clock=hall.clock, poll_interval=0.2)),
            port=port,
        )
        await asyncio.to_thread(restarted.start)
        try:
            # asked while the lead's screen was away: read again once the stream is back
            asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
            await wait_for(pilot, lambda: not banner.display)
            await wait_for(pilot, lambda: len(screen.desk.inbox) == 1)
            assert screen.check_action("approve", ()) is True
            await pilot.press("a")
            await wait_for(pilot, lambda: screen.desk.inbox == [])
            approved = await ClosingClient(wang_fang).closing(8)
            assert approved.extension is not None and approved.extension.id == asked.id
            assert approved.extension.status == w.ExtensionStatus.approved
        finally:
            await asyncio.to_thread(restarted.stop)


class DropFirstApproval(httpx.AsyncBaseTransport):
    """Loses the answer to the first approval on its way back (the hall has approved)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/approve"):
            self.keys.append(request.headers["Idempotency-Key"])
            if len(self.keys) == 1:
                await response.aread()
                await response.aclose()
                raise httpx.ReadError("connection reset by peer", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_an_approval_cut_off_by_the_network_is_sent_again_with_its_key(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    transport = DropFirstApproval()
    app = lead_app(hall, ws=workstation(hall, transport=transport, retry_delays=()))
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.desk.inbox == [] and screen.link.pending is None)
        assert "Approved 20 min for window 8" in screen_text(app)
    assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
    [decided] = await ClosingClient(zhang_wei).extensions()
    assert (decided.extension.id, decided.extension.status) == (
        asked.id,
        w.ExtensionStatus.approved,
    )


async def test_back_from_the_lead_screen_goes_to_the_picker_without_a_window(
    hall: RunningHall,
) -> None:
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        lead = await lead_without_window(pilot)
        assert lead.window is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        assert not isinstance(app.screen, CounterScreen)


async def test_the_palette_offers_the_decisions_that_fit_the_highlighted_request(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        assert screen.check_action("confirm_overrun", ()) is False  # no overrun today
        await pilot.press("ctrl+p")
        await pilot.press(*"approve the request")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.desk.inbox == [] and screen.desk.decided != [])
    approved = (await ClosingClient(wang_fang).closing(8)).extension
    assert approved is not None and approved.id == asked.id
    assert approved.status == w.ExtensionStatus.approved


async def test_an_admin_confirms_the_unconfirmed_year_from_the_lead_screen(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    assert (await ClosingClient(zhang_wei).calendar_today()).unconfirmed_years == [2027]
    give_demo_password(hall, "admin")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"admin", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await pilot.press("d")
        screen = await at_duty_lead(pilot)
        assert "holiday swaps of 2027 are unconfirmed: check them, then press y" in seen(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.desk.unconfirmed_years == [])
        assert "The calendar of 2027 is confirmed." in seen(app)
        assert not screen.query_one(CalendarWarning).display
    assert (await ClosingClient(zhang_wei).calendar_today()).unconfirmed_years == []


async def test_a_request_decided_elsewhere_moves_out_of_the_inbox_live(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    give_demo_password(hall, "admin")
    admin = await signed_in(hall, "admin")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        assert [x.extension.id for x in screen.desk.inbox] == [asked.id]
        await ClosingClient(admin).approve_extension(asked.id, minutes=10)
        await wait_for(pilot, lambda: screen.desk.inbox == [], 5)
        assert "8 王芳 20 min approved 10 min 17:40 系统管理员" in screen_text(app)
        assert screen.check_action("approve", ()) is False
    await admin.aclose()


async def test_tab_takes_his_keys_from_the_extensions_to_the_leave_requests_and_back(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    """王芳 asks to extend at 17:10 and has asked for an hour off on Monday: 张伟's `a` approves
        the extension; Tab takes the keys to the leave requests, and once no extension waits they go
    there by themselves: `d` denies the leave request (`m` is for extensions only)."""
    clerk = LedgerClient(wang_fang)
    claim = await clerk.claim(local("2026-12-10 18:00"), local("2026-12-10 20:00"), "整理档案")
    await LedgerClient(zhang_wei).approve_claim(claim.id)
    asked = await clerk.request_leave(date(2026, 12, 14), hours=1, reason="看牙")
    await three_waiting_at_window_8(hall, kiosk)
    await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    app = lead_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        screen = await lead_without_window(pilot)
        await wait_for(pilot, lambda: len(screen.desk.inbox) == 1 and screen.leave.items != [])
        assert not screen.leave_focused()
        assert "Approving moves its end from 17:30 to 17:50." in seen(app)  # its detail line
        await pilot.press("tab")
        await wait_for(pilot, screen.leave_focused)
        assert screen.check_action("approve_minutes", ()) is False  # for extensions only
        assert "Approving moves its end" not in seen(app)  # one detail line: the leave's
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: not screen.leave_focused())
        await pilot.press("a")  # the extension, as asked
        await wait_for(pilot, lambda: screen.desk.inbox == [])
        await wait_for(pilot, screen.leave_focused)  # nothing left above: his keys come here
        # the detail line follows the focus on the next refresh
        await wait_for(
            pilot, lambda: "王芳 asks for leave 2026-12-14 Mon, 1 h (asked at 09:00)" in seen(app)
        )
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert "Deny 王芳's leave 2026-12-14 Mon, 1 h? 王芳 reads the reason." in screen_text(app)
        app.screen.query_one(Input).value = "周一窗口人手不足，请改周二"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.leave.items == [])
        assert "Denied 王芳's leave 2026-12-14 Mon, 1 h: 王芳 is told why." in screen_text(app)

    [denied] = await clerk.leave_requests()
    assert (denied.id, denied.status, denied.decision_reason) == (
        asked.id,
        lw.DecisionStatus.denied,
        "周一窗口人手不足，请改周二",
    )
