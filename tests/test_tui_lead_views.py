"""The boards beside 张伟's inbox on the duty lead's screen, against a real hall on 127.0.0.1:
the department's comp-leave balances (`b`, issue 11 item 6) and the open hand-offs with how long
each has waited, a ticket handed on too often flagged (`h`, issue 12 item 4). Both live from
the event stream. Friday 2026-12-11 in the demo hall.
"""

from __future__ import annotations

from typing import Any

from clerkdesk.api.client import HallClient
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.screens.lead.screen import DutyLeadScreen
from clerkdesk.state.lead_views import View
from clerkdesk.widgets.lead_views import BalancesTable, FlagWarning, HandOffsTable
from tests.conftest import RunningHall, local
from tests.handoff_support import at_window
from tests.test_leave_day import credit_by_claim, ledger_of
from tests.test_tui_duty_lead import lead_app, lead_without_window, seen
from tests.tui_support import screen_text, wait_for

NOTE = "营业执照已核发，需领用发票"


def todays_tables(screen: DutyLeadScreen) -> bool:
    """Today's decided requests and overruns are on the screen."""
    return bool(screen.query_one("#today").display)


def rows(table: Any) -> list[str]:
    return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_b_shows_everyones_balance_and_it_follows_the_ledger_live(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    """李华 worked Thursday evening (1 h 45 min credited). 张伟 presses b: the balances take
    the place of today's tables, one line per person. While he looks, he approves 王芳's
    claim elsewhere: her line shows it without a key, the same figure as her own leave. b
    again brings today's tables back."""
    lead = LedgerClient(zhang_wei)
    li_hua = await ledger_of(hall, "1001")
    await credit_by_claim(hall, li_hua, lead, "2026-12-10 18:00", "2026-12-10 19:50")
    app = lead_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lead_without_window(pilot)
        table = screen.query_one(BalancesTable)
        assert not table.display and todays_tables(screen)
        await pilot.press("b")
        await wait_for(pilot, lambda: table.display and table.row_count == 5)
        assert not todays_tables(screen)  # in their place, at 80 columns
        assert screen.focused is table
        assert "李华 1001 1 h 45 min 0.22 — —" in rows(table)
        assert "Comp-leave balances · the whole hall" in seen(app)

        wang_fang = await ledger_of(hall, "1002")
        await credit_by_claim(hall, wang_fang, lead, "2026-12-09 18:00", "2026-12-09 20:00")
        await wait_for(pilot, lambda: "王芳 1002 2 h 0.25 — —" in rows(table), 5)
        own = await lead.staff_leave("1002")
        assert own.balance_minutes == 120

        await pilot.press("b")
        await wait_for(pilot, lambda: todays_tables(screen))
        assert not table.display and screen.view == View.today
    for client in (li_hua, wang_fang):
        await client.client.aclose()


async def handed_on_four_times(hall: RunningHall, kiosk: HallClient, lead: HallClient) -> int:
    """09:20 陈明 hands D001 to 税务; 张伟 re-routes it three times (hukou, 公积金, 社保)."""
    chen_ming = await at_window(hall, "1003", 3)
    hall.clock.set(local("2026-12-11 09:20"))
    d001 = await kiosk.issue("biz-license")
    await chen_ming.call_next(3)
    await chen_ming.start(d001.id)
    await chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
    for service in ("hukou", "gjj-withdraw"):
        await lead.hand_off(d001.id, "请转相关部门", service=service)
    await chen_ming.aclose()
    return d001.id


async def test_h_shows_the_open_hand_offs_their_wait_ticking_and_the_flag(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    """D001 has been handed on three times by 09:20 (the hall flags more than 3). 张伟 presses
    h: D001 from 公积金 to … with its note and how long it has waited, going on with the hall's
    clock. A fourth hand-off arrives live: the row and the line at the top flag it."""
    d001 = await handed_on_four_times(hall, kiosk, zhang_wei)
    app = lead_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lead_without_window(pilot)
        await pilot.press("h")
        table = screen.query_one(HandOffsTable)
        await wait_for(pilot, lambda: table.display and table.row_count == 1)
        [row] = rows(table)
        assert row.startswith("D001 公安户政 公积金 0 s 请转相关部门"), row
        assert "1 open hand-off" in seen(app)

        hall.clock.advance(minutes=2, seconds=5)  # no event: the wait goes on by the clock
        await wait_for(pilot, lambda: "2 min 05 s" in rows(table)[0], 5)
        assert "waited 2 min 05 s" in screen_text(app)  # the detail line under the table

        assert not screen.query_one(FlagWarning).display
        await zhang_wei.hand_off(d001, "请转社保", service="shebao-card")
        await wait_for(pilot, lambda: rows(table)[0].startswith("⚑ D001 公积金 社保"), 5)
        warning = str(screen.query_one(FlagWarning).render())
        assert warning == "⚑ handed on more than 3 times: D001 · h: the open hand-offs"
        assert "1 open hand-off · 1 flagged" in seen(app)

        await pilot.press("escape")  # the board goes, the screen stays
        await wait_for(pilot, lambda: todays_tables(screen))
        assert isinstance(app.screen, DutyLeadScreen)
        assert screen.query_one(FlagWarning).display  # the flag stays in sight


async def test_at_120_columns_the_board_sits_under_todays_tables(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    """Wide, today's tables and a board are shown together: the balances, with each person's
    department and coming duties; h puts the hand-offs there instead, with the service."""
    await handed_on_four_times(hall, kiosk, zhang_wei)
    await LedgerClient(zhang_wei).assign_duty("1002", local("2026-12-12 09:00").date())
    app = lead_app(hall)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await lead_without_window(pilot)
        balances = screen.query_one(BalancesTable)
        await wait_for(pilot, lambda: balances.row_count == 5)
        assert todays_tables(screen) and balances.display
        assert "王芳 1002 综合受理 0 min 0 — — 1" in rows(balances)
        await pilot.press("h")
        handoffs = screen.query_one(HandOffsTable)
        await wait_for(pilot, lambda: handoffs.display and handoffs.row_count == 1)
        assert todays_tables(screen) and not balances.display
        assert rows(handoffs)[0].startswith("D001 公安户政 公积金 · 公积金提取")
