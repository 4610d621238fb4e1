"""Citizens who come back and citizens with no kiosk: 王芳 at window 8 reinstates a no-show who
came back, and a lead or the first admin of a one-window office issues tickets at the counter,
against a real hall on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import TicketStatus
from clerkdesk.app import AutoSignIn, ClerkDeskApp
from clerkdesk.clock import ManualClock
from clerkdesk.credentials import TokenStore
from clerkdesk.embedded import start_embedded
from clerkdesk.hall.store.engine import sqlite_url
from clerkdesk.i18n import set_language
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.counter.issue_dialog import IssueDialog
from clerkdesk.screens.counter.reinstate_dialog import ReinstateDialog
from clerkdesk.screens.dialogs import ReasonDialog
from clerkdesk.state.first_run import FirstRunAnswers
from clerkdesk.state.session import Workstation
from tests.conftest import RunningHall, local
from tests.keyring_memory import MemoryKeyring
from tests.tui_support import FAST, app_for, at_counter, screen_text, wait_for


async def _no_show(pilot: object, screen: CounterScreen, hall: RunningHall) -> None:
    """Call the next citizen, recall after 30 s, mark a no-show at 65 s with the facts."""
    await pilot.press("n")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)  # type: ignore[arg-type]
    hall.clock.advance(seconds=30)
    await pilot.press("r")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: screen.model.current and screen.model.current.recall_count)  # type: ignore[arg-type]
    hall.clock.advance(seconds=35)
    await pilot.press("x")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(screen.app.screen, ReasonDialog))  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: screen.model.current is None)  # type: ignore[arg-type]


# --- a no-show comes back (issue 10, item 21) -------------------------------------------------


async def test_a_no_show_who_comes_back_is_picked_from_the_list_and_called_first(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """09:01:05 王芳 marks K001 a no-show; F001 waits behind. At 09:11 the citizen is back:
    Shift+F6 offers K001 (until 09:31), Enter, Enter: K001 is first in line again, and n calls
    it."""
    no_show = await kiosk.issue("shebao-card")
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await _no_show(pilot, screen, hall)
        await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["F001"])
        hall.clock.set(local("2026-12-11 09:11"))
        await pilot.press("f18")  # Shift+F6
        await wait_for(pilot, lambda: isinstance(app.screen, ReinstateDialog))
        dialog = app.screen
        rows = dialog.query_one(OptionList)
        assert rows.option_count == 1
        assert "K001  社保卡办理  no-show at 09:01, until 09:31" in str(
            rows.get_option_at_index(0).prompt
        )
        assert dialog.query_one("#code", Input).value == "K001"
        await pilot.press("enter", "enter")  # the highlighted no-show; the suggested reason
        await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["K001", "F001"])
        assert "K001 is back in the queue, first in line for 社保卡办理." in screen_text(app)
        assert screen.model.no_shows == []
        hall.clock.advance(seconds=5)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.id == no_show.id
    back = await kiosk.ticket(no_show.id)
    assert back.reason == "Came back to the counter"


@pytest.mark.parametrize(
    ("lang", "too_late", "not_a_no_show", "not_ours"),
    [
        (
            "en",
            "K001 was a no-show at 09:01, over 30 min ago: issue a new ticket.",
            "F001 is waiting, not a no-show: there is nothing to reinstate.",
            "No ticket A001 today that your department serves: check it.",
        ),
        (
            "zh",
            "K001 于 09:01 记为过号，已超过 30 分钟：请重新取号。",
            "F001 当前为等候中，不是过号：无需恢复。",
            "今日没有本部门办理的 A001 号：请核对号码。",
        ),
    ],
)
async def test_the_halls_refusals_to_reinstate_are_said_in_words(
    hall: RunningHall,
    kiosk: HallClient,
    lang: str,
    too_late: str,
    not_a_no_show: str,
    not_ours: str,
) -> None:
    """K001 marked a no-show at 09:01 comes back at 09:40: too late. F001 still waits: not a
    no-show. A001 is 不动产登记's, which window 8 does not serve: the hall answers as if there
    were no such ticket. Each is typed as the citizen holds it up, from the palette."""
    await kiosk.issue("shebao-card")
    await kiosk.issue("hukou")
    await kiosk.issue("bdc-transfer")
    set_language(lang)
    try:
        app = app_for(hall)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await _no_show(pilot, screen, hall)
            hall.clock.set(local("2026-12-11 09:40"))
            for code, expected in (("k001", too_late), ("F001", not_a_no_show), ("A001", not_ours)):
                await pilot.press("ctrl+p")
                await pilot.press(*{"en": "reinstate", "zh": "过号恢复"}[lang])
                await pilot.pause(0.3)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, ReinstateDialog))
                assert not app.screen.query(OptionList)  # 09:40: nobody left to pick
                app.screen.query_one("#code", Input).value = code
                await pilot.press("enter", "enter")
                await wait_for(pilot, lambda expected=expected: expected in screen_text(app))  # type: ignore[misc]
                assert app.screen is screen
    finally:
        set_language("en")
    statuses = {code: (await kiosk.ticket(i)).status for code, i in (("K001", 1), ("F001", 2))}
    assert statuses == {"K001": TicketStatus.no_show, "F001": TicketStatus.waiting}


# --- issuing at the counter (issue 10, item 29) -----------------------------------------------


async def test_the_first_admin_of_a_one_window_office_issues_a_ticket_and_calls_it(
    tmp_path: Path,
) -> None:
    """A plain first start: 赵敏 is the admin (and clerk) of a hall with one window and no kiosk.
    Shift+F2 lists the window's one service; Enter issues A001, and n calls it."""
    clock = ManualClock(local("2026-12-11 09:00"))
    embedded = start_embedded(sqlite_url(tmp_path / "hall.sqlite3"), clock)
    try:
        answers = FirstRunAnswers(
            "便民服务中心", "admin", "赵敏", "s3cret", "综合窗口", 1, "综合受理"
        )
        embedded.create_hall(answers, clock.now())
        ws = Workstation(embedded.server, clock, TokenStore(backend=MemoryKeyring(), clock=clock))
        auto = AutoSignIn("admin", "s3cret", (1,))
        app = ClerkDeskApp(ws, auto=auto, backoff=FAST, remember=False)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            assert screen.model.queue == []
            await wait_for(
                pilot, lambda: "Nobody waiting: ⇧F2 i issues a ticket" in screen_text(app)
            )
            await pilot.press("f14")  # Shift+F2
            await wait_for(pilot, lambda: isinstance(app.screen, IssueDialog))
            services = app.screen.query_one(OptionList)
            assert services.option_count == 1
            assert "综合受理  (A) · 综合窗口" in str(services.get_option_at_index(0).prompt)
            await pilot.press("enter")
            await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["A001"])
            assert "Ticket A001 issued for 综合受理." in screen_text(app)
            await pilot.press("n")
            await wait_for(pilot, lambda: screen.model.current is not None)
            assert screen.model.current is not None and screen.model.current.code == "A001"
    finally:
        embedded.stop()


async def test_zhang_wei_issues_from_the_palette_and_a_clerk_is_not_offered_it(
    hall: RunningHall,
) -> None:
    """张伟, the duty lead, at window 8: the palette's Issue lists window 8's services first
    (不动产登记查询 first); 6 picks 户籍业务, F001. 刘洋, a clerk at window 9, is not offered it."""
    app = app_for(hall, staff_no="2001")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"issue")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, IssueDialog))
        first = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.startswith("1  不动产登记查询")
        await pilot.press("6")
        await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["F001"])
    app = app_for(hall, staff_no="1004", window=9)  # 刘洋
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        assert "No citizen at the counter" in screen_text(app)
        assert not any("Issue" in str(c.title) for c in screen.palette_commands())
        await pilot.press("i", "f14")  # no such key for him
        await pilot.pause(0.2)
        assert app.screen is screen and screen.link.pending is None
