"""My leave (调休) on the workstation, against a real hall on 127.0.0.1, Friday 2026-12-11.

李娜 (2002) is the duty lead of 综合受理: she approves 王芳's leave and her overtime claim from
the inbox of her lead screen, and leaves her own request to another lead.

王芳 (1002, 综合受理, window 8) worked two evenings on back-office claims that 张伟 (2001, the
hall's duty lead) approved: Wednesday 18:00-22:30 and Thursday 18:00-20:00, 6 h 30 min of comp
leave. She looks at it from her counter, asks for 4 hours on Monday, sees the request pending,
and takes it back; a whole day more than she has is refused with her balance.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.client import HallClient
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.app import ClerkDeskApp
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.i18n import set_language
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.dialogs import ConfirmDialog, ReasonDialog
from clerkdesk.screens.lead.screen import DutyLeadScreen
from clerkdesk.screens.leave.dialogs import RequestLeaveDialog
from clerkdesk.screens.leave.screen import MyLeaveScreen
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.state.lead_leave import key_of
from clerkdesk.state.leave import FormProblem, LeaveAsk, read_ask
from clerkdesk.widgets.counter_bars import OfflineBanner
from clerkdesk.widgets.lead_leave import LeaveInboxTable
from clerkdesk.widgets.message_line import MessageLine
from clerkdesk.widgets.textual_compat import screen_lines
from tests.conftest import RunningHall, local, signed_in
from tests.test_leave_day import add_lead, credit_by_claim
from tests.test_tui_line_breaks import _starts_with_closing as starts_with_closing
from tests.tui_support import app_for, at_counter, at_duty_lead, screen_text, settled, wait_for

SIZE = (80, 24)


async def two_evenings_of_claims(hall: RunningHall, zhang_wei: HallClient) -> None:
    """王芳's two evenings, claimed and approved by 张伟: 4 h 30 min + 2 h."""
    wang = await signed_in(hall, "1002")
    clerk, lead = LedgerClient(wang), LedgerClient(zhang_wei)
    await credit_by_claim(hall, clerk, lead, "2026-12-09 18:00", "2026-12-09 22:30")
    await credit_by_claim(hall, clerk, lead, "2026-12-10 18:00", "2026-12-10 20:00")
    await wang.aclose()


async def at_my_leave(pilot: Pilot[Any]) -> MyLeaveScreen:
    """Press v (My leave) and wait until it shows the hall's figures and follows its events."""
    await pilot.press("v")
    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, MyLeaveScreen) and screen.leave.loaded and screen.following

    await wait_for(pilot, ready)
    screen = app.screen
    assert isinstance(screen, MyLeaveScreen)
    await wait_for(pilot, lambda: not screen._refreshing)
    return screen


def seen(app: ClerkDeskApp) -> str:
    """What the screen shows, the tables' titles included."""
    titles = [str(x.border_title) for x in app.screen.query("*") if x.border_title]
    return "\n".join([screen_text(app), *titles])


def message(app: ClerkDeskApp) -> str:
    """The message line of the screen under any dialog."""
    screen = next(x for x in reversed(app.screen_stack) if x.query(MessageLine))
    return str(screen.query_one(MessageLine).render())


async def ask_for(pilot: Pilot[Any], first: str, last: str, hours: str, reason: str) -> None:
    """Fill in the leave form and send it from the reason (Enter)."""
    app = pilot.app
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, RequestLeaveDialog))
    for key, value in (("first", first), ("last", last), ("hours", hours), ("reason", reason)):
        app.screen.query_one(f"#{key}", Input).value = value
    app.screen.query_one("#reason", Input).focus()
    await pilot.press("enter")


async def test_wang_fang_asks_for_four_hours_sees_it_pending_and_takes_it_back(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await two_evenings_of_claims(hall, zhang_wei)
    app = app_for(hall)
    async with app.run_test(size=SIZE) as pilot:
        counter = await at_counter(pilot)
        screen = await at_my_leave(pilot)
        text = screen_text(app)
        assert "My leave · 王芳 1002" in text
        assert "Balance 6 h 30 min = 0.81 days (a leave day is 8 h)" in text
        assert "Nothing expires within 30 days." in text
        assert "2026-12-09 credited 4 h 30 min +4 h 30 min Claim 1 18:00–22:30" in text
        assert "2026-12-10 credited 2 h +2 h Claim 2 18:00–20:00" in text

        await ask_for(pilot, "2026-12-14", "", "4", "孩子家长会")
        await wait_for(pilot, lambda: screen.leave.requests != [])
        [asked] = screen.leave.requests
        assert (asked.status, asked.minutes, asked.by_hours) == (
            lw.DecisionStatus.pending,
            240,
            True,
        )
        assert "Asked for 2026-12-14 Mon, 4 h: it waits for your duty lead's decision." in message(
            app
        )
        await wait_for(pilot, lambda: "4 h pending approval" in screen_text(app))
        assert f"{asked.id} 2026-12-14 Mon 4 h pending 孩子家长会" in screen_text(app)

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Cancel your request for 2026-12-14 Mon, 4 h?" in screen_text(app)
        await pilot.press("y")
        await wait_for(
            pilot, lambda: screen.leave.requests[0].status == lw.DecisionStatus.cancelled
        )
        assert "Your request for 2026-12-14 Mon, 4 h is cancelled." in message(app)
        assert screen.check_action("cancel_request", ()) is False  # nothing left to cancel

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is counter)  # the same counter, as she left it

    mine = await LedgerClient(wang_fang).leave_requests()
    assert [(r.first_date, r.status) for r in mine] == [
        (date(2026, 12, 14), lw.DecisionStatus.cancelled)
    ]
    assert (await LedgerClient(wang_fang).my_leave()).balance_minutes == 390


async def test_a_whole_day_beyond_her_balance_is_refused_with_the_balance(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await two_evenings_of_claims(hall, zhang_wei)
    app = app_for(hall)
    async with app.run_test(size=SIZE) as pilot:
        await at_counter(pilot)
        screen = await at_my_leave(pilot)
        await ask_for(pilot, "2026-12-14", "2026-12-14", "", "")
        await wait_for(pilot, lambda: "Not enough comp leave" in message(app))
        assert message(app) == (
            "Not enough comp leave: this leave needs 8 h, 6 h 30 min is free. "
            "Your balance is 6 h 30 min (0.81 days)."
        )
        assert screen.leave.requests == []
    assert await LedgerClient(wang_fang).leave_requests() == []


async def test_offline_she_is_told_and_her_request_is_kept_and_sent_once_the_hall_is_back(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await two_evenings_of_claims(hall, zhang_wei)
    app = app_for(hall)
    async with app.run_test(size=SIZE) as pilot:
        await at_counter(pilot)
        screen = await at_my_leave(pilot)
        banner = screen.query_one(OfflineBanner)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestLeaveDialog))
        port = hall.server.port
        await asyncio.to_thread(hall.server.stop)  # the hall goes away while she types
        await wait_for(pilot, lambda: banner.display)
        assert message(app).startswith("Offline: the figures are as last read.")
        assert "nothing you sent is lost" in message(app)
        assert "Balance 6 h 30 min" in screen_text(app)  # still shown as last read
        dialog = app.screen
        for key, value in (("first", "12-15"), ("hours", "2"), ("reason", "办理证件")):
            dialog.query_one(f"#{key}", Input).value = value
        dialog.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert message(app) == "Offline: “Ask for leave” is kept and sent once the hall answers."
        assert screen.check_action("ask", ()) is None  # shown, but off while offline

        restarted = ServerThread(
            create_app(HallSettings(hall.database_url, clock=hall.clock, poll_interval=0.2)),
            port=port,
        )
        await asyncio.to_thread(restarted.start)
        try:
            await wait_for(pilot, lambda: not banner.display)
            await wait_for(pilot, lambda: screen.leave.requests != [])
            [asked] = screen.leave.requests
            assert (asked.first_date, asked.minutes) == (date(2026, 12, 15), 120)
            assert asked.status == lw.DecisionStatus.pending
            await wait_for(pilot, lambda: "2 h pending approval" in screen_text(app))
            mine = await LedgerClient(wang_fang).leave_requests()
            assert [r.id for r in mine] == [asked.id]  # asked once, not twice
        finally:
            await asyncio.to_thread(restarted.stop)


async def test_when_her_sign_in_ends_on_my_leave_she_is_at_the_sign_in_with_nothing_left_behind(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await two_evenings_of_claims(hall, zhang_wei)
    app = app_for(hall)
    async with app.run_test(size=SIZE) as pilot:
        await at_counter(pilot)
        screen = await at_my_leave(pilot)
        ended = HallClient(hall.url)
        ended.token = app.ws.client.token
        await ended.logout()  # her sign-in ends on the hall (another device, an admin)
        await ended.aclose()
        screen.request_refresh()  # her next read
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert not [x for x in app.screen_stack if isinstance(x, (CounterScreen, MyLeaveScreen))]


def test_the_form_reads_dates_and_hours_as_a_clerk_types_them() -> None:
    friday = date(2026, 12, 11)
    assert read_ask("12-14", "", "4", " 孩子  家长会 ", friday) == LeaveAsk(
        date(2026, 12, 14), None, 4.0, "孩子 家长会"
    )
    assert read_ask("2026-12-14", "12-16", "", "", friday) == LeaveAsk(
        date(2026, 12, 14), date(2026, 12, 16), None, ""
    )
    assert read_ask("01-04", "", "1:30", "", friday) == LeaveAsk(date(2027, 1, 4), None, 1.5, "")
    assert read_ask("12-14", "12-14", "", "", friday) == LeaveAsk(
        date(2026, 12, 14), None, None, ""
    )
    wrong = {
        ("12-40", "", ""): "first",
        ("12-14", "12-10", ""): "last",
        ("12-14", "", "30"): "hours",
        ("12-14", "12-15", "2"): "hours",
    }
    for (first, last, hours), field in wrong.items():
        problem = read_ask(first, last, hours, "", friday)
        assert isinstance(problem, FormProblem) and problem.field == field, (first, last, hours)


async def test_a_wrong_date_is_told_in_the_form_at_the_field_to_correct(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    await two_evenings_of_claims(hall, zhang_wei)
    app = app_for(hall)
    async with app.run_test(size=SIZE) as pilot:
        await at_counter(pilot)
        await at_my_leave(pilot)
        await ask_for(pilot, "12-40", "", "4", "")
        assert isinstance(app.screen, RequestLeaveDialog)  # kept open, nothing sent
        assert "Type the first date as 2026-12-14 (or 12-14)." in screen_text(app)
        assert app.focused is app.screen.query_one("#first", Input)
    assert await LedgerClient(wang_fang).leave_requests() == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_in_chinese_no_line_of_my_leave_starts_with_a_closing_mark(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient, size: tuple[int, int]
) -> None:
    """The refusal beyond the balance wraps over two lines at 80 columns, the entry's detail
    too: each line starts where Chinese allows."""
    await two_evenings_of_claims(hall, zhang_wei)
    await LedgerClient(wang_fang).request_leave(date(2026, 12, 14), hours=2, reason="家长会")
    set_language("zh")
    try:
        app = app_for(hall)
        async with app.run_test(size=size) as pilot:
            await at_counter(pilot)
            screen = await at_my_leave(pilot)
            await ask_for(pilot, "12-15", "", "", "")
            await wait_for(pilot, lambda: "调休余额不足" in message(app))
            await settled(pilot)
            shown = screen_lines(screen)
            assert "余额 6 小时 30 分，合 0.81 天" in "".join(shown)
            assert not starts_with_closing(shown), shown
    finally:
        set_language("en")


# --- the duty lead's inbox: claims and leave requests beside extensions ---------------------


async def li_na_at_her_lead_screen(pilot: Pilot[Any]) -> DutyLeadScreen:
    """李娜 signs in, is shown the window picker, and goes to her lead screen."""
    await pilot.press(*"2002", "enter", *"demo", "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WindowPickerScreen))
    await pilot.press("d")
    screen = await at_duty_lead(pilot)
    await wait_for(pilot, lambda: screen.leave.loaded and not screen._refreshing)
    return screen


async def test_li_na_approves_wang_fangs_claim_and_leave_from_her_inbox(
    hall: RunningHall, wang_fang: HallClient, zhang_wei: HallClient
) -> None:
    add_lead(hall, "2002", "李娜", department="1002")
    await two_evenings_of_claims(hall, zhang_wei)
    clerk = LedgerClient(wang_fang)
    claim = await clerk.claim(local("2026-12-08 18:00"), local("2026-12-08 19:30"), "整理档案")
    asked = await clerk.request_leave(date(2026, 12, 14), hours=4, reason="孩子家长会")
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await li_na_at_her_lead_screen(pilot)
        await wait_for(pilot, lambda: "1002" in screen.leave.balances)
        assert [key_of(x) for x in screen.leave.items] == [f"claim:{claim.id}", f"leave:{asked.id}"]
        text = seen(app)
        assert "2 claims and leave requests waiting for your decision" in text
        assert "Overtime 王芳 12-08 18:00–19:30 1 h 30 min 6 h 30 min 整理档案" in text
        assert "Comp leave 王芳 2026-12-14 Mon 4 h 6 h 30 min 孩子家长会" in text
        assert "Balance 6 h 30 min (0.81 days), of it 4 h in requests waiting" in text
        assert screen.leave_focused()  # no extension waits: her keys decide down here

        await pilot.press("a")  # the claim, the oldest
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert "Approve 王芳's overtime claim 12-08 18:00–19:30, 1 h 30 min?" in screen_text(app)
        await pilot.press("enter")  # no note
        await wait_for(pilot, lambda: len(screen.leave.items) == 1)
        assert "it is credited by the hall's rules" in screen_text(app)
        # her balance, live: 6 h 30 min + 1 h 30 min
        await wait_for(pilot, lambda: screen.leave.balances["1002"].balance_minutes == 480)
        await wait_for(pilot, lambda: "4 h 8 h 孩子家长会" in seen(app))

        await pilot.press("a")  # the leave request
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert "Approve 王芳's leave 2026-12-14 Mon, 4 h? Balance now 8 h." in screen_text(app)
        app.screen.query_one(Input).value = "已安排刘洋顶岗"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.leave.items == [])
        assert "Approved 王芳's leave 2026-12-14 Mon, 4 h." in screen_text(app)
        assert not screen.query_one(LeaveInboxTable).display  # nothing waits: as before

    decided = await clerk.leave_requests()
    assert [(r.status, r.decided_by, r.decision_reason) for r in decided] == [
        (lw.DecisionStatus.approved, "李娜", "已安排刘洋顶岗")
    ]
    [approved] = [c for c in await clerk.claims() if c.id == claim.id]
    assert (approved.status, approved.decided_by) == (lw.DecisionStatus.approved, "李娜")
    assert (await clerk.my_leave()).balance_minutes == 390 + 90 - 240


async def test_her_own_leave_request_is_shown_and_the_hall_refuses_her_deciding_it(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    add_lead(hall, "2002", "李娜", department="1002")
    li_na = await signed_in(hall, "2002")
    mine = LedgerClient(li_na)
    await credit_by_claim(
        hall, mine, LedgerClient(zhang_wei), "2026-12-10 18:00", "2026-12-10 20:00"
    )
    asked = await mine.request_leave(date(2026, 12, 14), hours=1, reason="看牙")
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await li_na_at_her_lead_screen(pilot)
        await wait_for(pilot, lambda: "李娜 (you)" in seen(app))
        assert "Your own: another duty lead or an admin decides it." in seen(app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "This is your own" in seen(app))
        assert "another duty lead or an admin must decide it" in seen(app)
        assert [key_of(x) for x in screen.leave.items] == [f"leave:{asked.id}"]  # still waiting
    [still] = await mine.leave_requests()
    assert still.status == lw.DecisionStatus.pending
    await li_na.aclose()
