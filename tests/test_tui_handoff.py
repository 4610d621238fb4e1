"""Hand-offs at the counter (转办, issue 12), with the keyboard, against a real hall on 127.0.0.1.

Friday 2026-12-11 in the demo hall: 陈明 (1003) at window 3 of 市场监管 (营业执照办理 D);
赵丽 (1005) at window 5 of 税务 (发票领用 H, 税费申报 J).
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.i18n import set_language
from clerkdesk.screens.counter.handoff_dialog import (
    TO_WINDOW,
    BackToMeDialog,
    ChainDialog,
    HandOffDialog,
)
from clerkdesk.screens.dialogs import ReasonDialog
from clerkdesk.widgets.handoff_chain import HandOffChain
from tests.conftest import RunningHall, local
from tests.handoff_support import SUN_QIANG, ZHAO_LI, add_staff, at_window
from tests.tui_support import app_for, at_counter, screen_text, wait_for

NOTE = "执照已核发缺法人身份证复印件"  # typed key by key: no punctuation
REASON = "发票领用须加盖公章"


def at(hall: RunningHall, moment: str) -> None:
    hall.clock.set(local(f"2026-12-11 {moment}"))


async def pick(pilot: Pilot[Any], option_id: str) -> None:
    """Highlight the hand-off dialog's option (a service code, a window, a clerk)."""
    dialog = pilot.app.screen
    assert isinstance(dialog, HandOffDialog)
    options = dialog.query_one(OptionList)
    options.highlighted = options.get_option_index(option_id)
    await pilot.pause()


async def serve_next(pilot: Pilot[Any], code: str) -> None:
    screen = await at_counter(pilot)
    await pilot.press("n")
    try:
        await wait_for(pilot, lambda: screen.model.current is not None, 5)
    except AssertionError:
        raise AssertionError(screen_text(pilot.app)) from None
    assert screen.model.current is not None and screen.model.current.code == code
    await pilot.press("s")
    await wait_for(pilot, lambda: screen.model.status == w.TicketStatus.serving)


async def test_chen_ming_hands_d001_to_tax_and_the_message_names_the_window(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """09:02 陈明 serves D001; at 09:20 he presses h, picks 税务 · 发票领用, writes what is
    missing and confirms: the counter says "D001: please go to window 5" (赵丽's, the one
    window serving it now) and window 3 is free; D001 waits first at window 5."""
    add_staff(hall, ZHAO_LI)
    zhao_li = await at_window(hall, "1005", 5)
    try:
        await kiosk.issue("tax-invoice")  # H001, who came first
        at(hall, "09:02")
        d001 = await kiosk.issue("biz-license")
        app = app_for(hall, staff_no="1003", window=3)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await serve_next(pilot, "D001")
            at(hall, "09:20")
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HandOffDialog))
            offered = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
            assert "税务 · 发票领用  (H)" in offered
            assert not any(o.startswith("市场监管") for o in offered)  # his own department
            await pick(pilot, "tax-invoice")
            await pilot.press("enter")  # on to the note
            await pilot.press("enter")  # no note: the dialog asks for one, sends nothing
            await wait_for(pilot, lambda: "A note is needed" in screen_text(app))
            await pilot.press(*NOTE, "enter")
            await wait_for(pilot, lambda: "D001: please go to window 5" in screen_text(app))
            assert screen.model.current is None
        queue = await zhao_li.queue(5)
        assert [t.code for t in queue.tickets] == ["D001", "H001"]
        detail = await zhao_li.ticket(d001.id)
        assert [(m.from_staff_name, m.note) for m in detail.chain] == [("陈明", NOTE)]
    finally:
        await zhao_li.aclose()


async def test_zhao_li_sees_the_note_and_the_chain_then_sends_it_back_with_a_reason(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """陈明 handed D001 to 发票领用 at 09:20 with a note. At 09:25 赵丽 calls it: the card says it
    came from window 3, 陈明, at 09:20, with the note and the citizen's 23 minutes in the hall;
    o shows the whole chain. The seal is missing: k, a reason, and D001 goes back to window 3,
    first in line there, marked as handed over."""
    add_staff(hall, ZHAO_LI)
    chen_ming = await at_window(hall, "1003", 3)
    try:
        at(hall, "09:02")
        d001 = await kiosk.issue("biz-license")
        await kiosk.issue("biz-change")  # E001 waits at window 3
        await chen_ming.call_next(3)
        await chen_ming.start(d001.id)
        at(hall, "09:20")
        await chen_ming.hand_off(d001.id, NOTE, service="tax-invoice")
        at(hall, "09:25")
        app = app_for(hall, staff_no="1005", window=5)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: screen.model.current is not None)
            card = screen.query_one(HandOffChain)
            await wait_for(pilot, lambda: NOTE in str(card.render()))
            line = str(card.render())
            assert "09:20 window 3 陈明 · 市场监管 → 发票领用" in line
            assert "in the hall 23 min · ⇧F9 o: the whole chain" in line
            await pilot.press("o")
            await wait_for(pilot, lambda: isinstance(app.screen, ChainDialog))
            assert "D001 handed over 1× · in the hall 23 min" in screen_text(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
            await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
            assert "Send D001 back to window 3: why?" in screen_text(app)
            await pilot.press(*REASON, "enter")
            await wait_for(
                pilot, lambda: "D001 sent back: please go to window 3" in screen_text(app)
            )
            assert screen.model.current is None
        queue = await chen_ming.queue(3)
        first = queue.tickets[0]
        assert (first.code, first.priority) == ("D001", w.Priority.transferred)
        detail = await chen_ming.ticket(d001.id)
        assert [(m.kind, m.note) for m in detail.chain] == [
            (w.HandOffKind.hand_off, NOTE),
            (w.HandOffKind.send_back, REASON),
        ]
    finally:
        await chen_ming.aclose()


async def test_chen_ming_asks_his_case_back_and_it_returns_first_in_his_queue(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """陈明 hands D001 to window 5 itself, then asks it back (g): when 赵丽 finishes it, D001
    comes back to window 3 at the top of his queue, marked as handed over."""
    add_staff(hall, ZHAO_LI)
    zhao_li = await at_window(hall, "1005", 5)
    try:
        d001 = await kiosk.issue("biz-license")
        await kiosk.issue("biz-change")  # E001 waits at window 3
        app = app_for(hall, staff_no="1003", window=3)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await serve_next(pilot, "D001")
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HandOffDialog))
            await pick(pilot, TO_WINDOW)
            await pilot.press("enter", "5", "enter", *NOTE, "enter")
            await wait_for(pilot, lambda: "D001: please go to window 5" in screen_text(app))
            await wait_for(pilot, lambda: screen.check_action("back_to_me", ()) is True)
            await pilot.press("g")
            await wait_for(pilot, lambda: "D001 comes back to your window" in screen_text(app))
            await zhao_li.call_next(5)
            await zhao_li.start(d001.id)
            await zhao_li.complete(d001.id, w.Outcome.done)
            await wait_for(pilot, lambda: [t.code for t in screen.model.queue][:1] == ["D001"])
            first = [row for row in screen_text(app).splitlines() if row.startswith("1 D001 ")]
            assert first and first[0].endswith("transferred"), first  # its priority marker
    finally:
        await zhao_li.aclose()


async def test_a_hand_off_to_a_closed_service_names_the_next_opening(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """陈明 serves D001 past the 17:30 closing; at 17:40 he hands it to 税务, closed: the hall
    refuses, and the counter says it opens again Saturday 12-12 at 09:00, in Chinese too; D001
    stays at his counter."""
    at(hall, "17:00")
    await kiosk.issue("biz-license")
    set_language("zh")
    try:
        app = app_for(hall, staff_no="1003", window=3)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await serve_next(pilot, "D001")
            at(hall, "17:40")
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HandOffDialog))
            await pick(pilot, "tax-invoice")
            await pilot.press("enter", *NOTE, "enter")
            await wait_for(pilot, lambda: "12-12 09:00" in screen_text(app))
            assert "该事项暂停受理，12-12 09:00 起受理" in screen_text(app)
            assert screen.model.current is not None and screen.model.current.code == "D001"
    finally:
        set_language("en")


async def test_sun_qiang_a_lead_is_offered_no_send_back_for_a_ticket_never_handed_over(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """Send back and the chain are offered only for a ticket that came from another counter."""
    add_staff(hall, SUN_QIANG)
    await kiosk.issue("biz-license")
    app = app_for(hall, staff_no="2002", window=3)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await serve_next(pilot, "D001")
        assert screen.check_action("hand_off", ()) is True
        assert screen.check_action("send_back", ()) is False
        assert screen.check_action("show_chain", ()) is False
        assert screen.check_action("back_to_me", ()) is False


async def test_hand_offs_arrive_live_and_a_case_sent_back_is_no_longer_asked_back(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """赵丽's counter is open when 陈明 hands D001 to her window: it appears at the top of her
    queue, marked as handed over, without a key pressed. Then, with 陈明's counter open after
    his own hand-off of D002, 赵丽 sends D002 back: his counter hears it, and D002 is no longer
    offered to ask back (D001, still waiting at window 5, is: his counter read his hand-offs
    of the day from the hall when it started)."""
    add_staff(hall, ZHAO_LI)
    await kiosk.issue("tax-invoice")  # H001 waits at window 5
    d001 = await kiosk.issue("biz-license")
    chen_ming = await at_window(hall, "1003", 3)
    try:
        await chen_ming.call_next(3)
        app = app_for(hall, staff_no="1005", window=5)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            assert [t.code for t in screen.model.queue] == ["H001"]
            await chen_ming.hand_off(d001.id, NOTE, window=5)
            await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["D001", "H001"])
            row = next(r for r in screen_text(app).splitlines() if r.startswith("1 D001 "))
            assert row.endswith("transferred")
        await chen_ming.sign_out(3)
    finally:
        await chen_ming.aclose()

    hall.clock.advance(minutes=5)
    zhao_li = await at_window(hall, "1005", 5)
    try:
        d002 = await kiosk.issue("biz-license")
        app = app_for(hall, staff_no="1003", window=3)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await serve_next(pilot, "D002")
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HandOffDialog))
            await pick(pilot, TO_WINDOW)
            await pilot.press("enter", "5", "enter", *NOTE, "enter")
            away = screen.handoffs.sent.open_moves
            await wait_for(pilot, lambda: [m.ticket for m in away()] == ["D002", "D001"])
            await zhao_li.call_ticket(5, "D002", "转来的件")
            await zhao_li.send_back(d002.id, REASON)
            await wait_for(pilot, lambda: [m.ticket for m in away()] == ["D001"])
            await wait_for(pilot, lambda: [t.code for t in screen.model.queue][:1] == ["D002"])
    finally:
        await zhao_li.aclose()


async def test_with_two_cases_away_chen_ming_picks_the_one_to_ask_back(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """陈明 hands D001 and then D002 to window 5; g asks which: the latest first, he picks D001."""
    add_staff(hall, ZHAO_LI)
    zhao_li = await at_window(hall, "1005", 5)
    try:
        for _citizen in range(2):
            await kiosk.issue("biz-license")
        app = app_for(hall, staff_no="1003", window=3)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            for code in ("D001", "D002"):
                await serve_next(pilot, code)
                await pilot.press("h")
                await wait_for(pilot, lambda: isinstance(app.screen, HandOffDialog))
                await pick(pilot, TO_WINDOW)
                await pilot.press("enter", "5", "enter", *NOTE, "enter")
                said = f"{code}: please go to window 5"
                await wait_for(pilot, lambda said=said: said in screen_text(app))
                hall.clock.advance(minutes=2)
            await pilot.press("g")
            await wait_for(pilot, lambda: isinstance(app.screen, BackToMeDialog))
            rows = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
            assert [r.split(" ")[0] for r in rows] == ["D002", "D001"]
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: "D001 comes back to your window" in screen_text(app))
            assert [m.ticket for m in screen.handoffs.sent.open_moves()] == ["D002"]
    finally:
        await zhao_li.aclose()


async def test_chen_ming_signs_out_and_in_again_and_still_asks_d001_back(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """陈明 hands D001 to window 5, leaves his window and signs out. Back at his counter on a
    new start of the workstation (nothing kept of the first), g still asks D001 back: his
    counter read his hand-offs of the day from the hall. When 赵丽 finishes D001, it returns to
    window 3, first in his queue."""
    from clerkdesk.screens.start.sign_in import SignInScreen
    from clerkdesk.screens.start.window_picker import WindowPickerScreen

    add_staff(hall, ZHAO_LI)
    zhao_li = await at_window(hall, "1005", 5)
    try:
        d001 = await kiosk.issue("biz-license")
        await kiosk.issue("biz-change")  # E001 waits at window 3
        first = app_for(hall, staff_no="1003", window=3)
        async with first.run_test(size=(100, 30)) as pilot:
            await serve_next(pilot, "D001")
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(first.screen, HandOffDialog))
            await pick(pilot, TO_WINDOW)
            await pilot.press("enter", "5", "enter", *NOTE, "enter")
            await wait_for(pilot, lambda: "D001: please go to window 5" in screen_text(first))
            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(first.screen, WindowPickerScreen))
            await pilot.press("ctrl+o")
            await wait_for(pilot, lambda: isinstance(first.screen, SignInScreen))

        again = app_for(hall, staff_no="1003", window=3)  # a new start, a new sign-in
        async with again.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await wait_for(pilot, lambda: screen.check_action("back_to_me", ()) is True)
            await pilot.press("g")
            await wait_for(pilot, lambda: "D001 comes back to your window" in screen_text(again))
            await zhao_li.call_next(5)
            await zhao_li.start(d001.id)
            await zhao_li.complete(d001.id, w.Outcome.done)
            await wait_for(pilot, lambda: [t.code for t in screen.model.queue][:1] == ["D001"])
    finally:
        await zhao_li.aclose()
