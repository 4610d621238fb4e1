"""王芳 at window 8 works the counter with the keyboard, against a real hall on 127.0.0.1."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import Outcome, TicketStatus
from clerkdesk.config import Settings
from clerkdesk.i18n import set_language
from clerkdesk.screens.counter.ticket_dialogs import CallTicketDialog, OutcomeDialog, ParkDialog
from clerkdesk.screens.dialogs import ReasonDialog
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from tests.conftest import RunningHall
from tests.tui_support import app_for, at_counter, screen_text, wait_for


async def test_wang_fang_calls_starts_and_completes_with_the_keyboard(
    hall: RunningHall, kiosk: HallClient
) -> None:
    first = await kiosk.issue("hukou")
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        assert [t.code for t in screen.model.queue] == ["F001", "F002"]
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.id == first.id
        assert "Called F001." in screen_text(app)
        hall.clock.advance(seconds=30)
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.serving)
        hall.clock.advance(minutes=9)
        await pilot.press("C")  # Shift+C: another outcome than done
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        await pilot.press("2")  # consultation only
        await wait_for(pilot, lambda: screen.model.current is None)
        await wait_for(pilot, lambda: screen.model.counts and screen.model.counts.served == 1)
        assert "F002" in screen_text(app)
        assert screen.model.counts is not None
        assert screen.model.counts.average_service_seconds == 9 * 60
        assert "Average   9 min" in screen_text(app)  # labels padded to one width
    done = await kiosk.ticket(first.id)
    assert (done.status, done.outcome) == (TicketStatus.done, "consultation")


async def test_a_ticket_issued_at_the_kiosk_appears_in_the_queue_without_polling(
    hall: RunningHall, kiosk: HallClient
) -> None:
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        assert screen.model.queue == []
        issued = await kiosk.issue("hukou")
        await wait_for(pilot, lambda: [t.id for t in screen.model.queue] == [issued.id], 2)
        assert "F001" in screen_text(app)
        await kiosk.issue("bdc-transfer")  # window 1's service: window 8 does not show it
        green = await kiosk.issue("hukou", priority="green_channel")  # type: ignore[arg-type]
        await wait_for(pilot, lambda: len(screen.model.queue) == 2, 2)
        assert [t.code for t in screen.model.queue] == [green.code, issued.code]  # server order


async def test_recall_counts_and_a_no_show_takes_a_reason_stating_the_facts(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    """王芳 calls K001 at 09:00:00, recalls it at 09:00:05 and marks it a no-show at 09:01:10:
    the reason offered is what happened (called twice, the first call 1 min 10 s ago), not
    "Called three times"."""
    await kiosk.issue("shebao-card")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.current is not None)
        await pilot.press("r")  # at once: the hall refuses, saying how long to wait
        await wait_for(pilot, lambda: "wait 3 seconds" in screen_text(app))
        hall.clock.advance(seconds=5)
        await pilot.press("f3")
        await wait_for(pilot, lambda: screen.model.current and screen.model.current.recall_count)
        assert "recalled 1×" in screen_text(app)
        hall.clock.advance(seconds=65)  # the hall's policy: a minute after the call
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert app.screen.query_one(Input).value == "Called 2×, first called 1 min 10 s ago"
        await pilot.press("enter")  # the suggested reason
        await wait_for(pilot, lambda: screen.model.counts and screen.model.counts.no_shows == 1)
        assert screen.model.current is None
    gone = (await zhang_wei.tickets_today(TicketStatus.no_show))[0]
    assert gone.reason == "Called 2×, first called 1 min 10 s ago"


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("en", "Called 2×, first called 1 min 10 s ago"),
        ("zh", "已呼叫 2 次，首次呼叫于 1 分 10 秒前"),
    ],
)
async def test_before_the_halls_no_show_policy_is_met_the_key_says_what_is_missing(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient, lang: str, reason: str
) -> None:
    """The demo hall asks for one recall and 60 s since the first call. 王芳 presses x 20 s
    after calling K001: the counter says to recall once more and wait 40 s, and sends nothing;
    after the recall, 10 s more; at 70 s the dialog opens with the facts."""
    await kiosk.issue("shebao-card")
    set_language(lang)
    try:
        app = app_for(hall)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await at_counter(pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)
            hall.clock.advance(seconds=20)
            await pilot.press("x")
            both = {
                "en": "Not yet: recall K001 once more and wait 40 s before a no-show.",
                "zh": "暂不能过号：请再呼叫 K001 1 次，并再等 40 秒。",
            }[lang]
            await wait_for(pilot, lambda: both in screen_text(app))
            assert app.screen is screen and screen.link.pending is None
            hall.clock.advance(seconds=30)
            await pilot.press("r")
            await wait_for(
                pilot, lambda: screen.model.current and screen.model.current.recall_count
            )
            await pilot.press("x")
            wait = {
                "en": "Not yet: wait 10 s more before marking K001 a no-show.",
                "zh": "暂不能过号：请再等 10 秒后再将 K001 记为过号。",
            }[lang]
            await wait_for(pilot, lambda: wait in screen_text(app))
            assert app.screen is screen
            hall.clock.advance(seconds=20)
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
            assert app.screen.query_one(Input).value == reason
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.model.current is None)
    finally:
        set_language("en")
    gone = (await zhang_wei.tickets_today(TicketStatus.no_show))[0]
    assert (gone.reason, gone.times_called) == (reason, 2)


async def test_a_citizen_is_called_started_and_completed_in_three_presses(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """王芳 serves F001 with n, s and c: c completes it as done (the usual outcome) without a
    question; the outcome dialog is Shift+C, and the footer says which is which."""
    first = await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)
        hall.clock.advance(seconds=20)
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.serving)
        await pilot.pause()
        keys = {k.key_display: k.description for k in screen.query(FooterKey)}
        assert (keys.get("F5 c"), keys.get("⇧F5 C")) == ("Done", "Outcome…")
        hall.clock.advance(minutes=6)
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.model.current is None)
        assert app.screen is screen  # no dialog
        await wait_for(pilot, lambda: "F001 completed: the case is handled." in screen_text(app))
        await wait_for(pilot, lambda: screen.model.counts and screen.model.counts.served == 1)
    done = await kiosk.ticket(first.id)
    assert (done.status, done.outcome) == (TicketStatus.done, Outcome.done)


async def test_park_sends_the_ticket_to_the_front_of_the_queue(
    hall: RunningHall, kiosk: HallClient
) -> None:
    first = await kiosk.issue("hukou")
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.current is not None)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ParkDialog))
        await pilot.press("down", "enter")  # the front
        await wait_for(pilot, lambda: screen.model.current is None)
        await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["F001", "F002"])
    assert (await kiosk.ticket(first.id)).status == TicketStatus.waiting


async def test_calling_a_given_ticket_out_of_turn_asks_for_the_reason(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await kiosk.issue("hukou")
    second = await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("down", "enter")  # the second row of the queue
        await wait_for(pilot, lambda: isinstance(app.screen, CallTicketDialog))
        await pilot.press("enter")  # no reason: the hall refuses, naming who is next
        await wait_for(
            pilot, lambda: "F001 is next" in screen_text(app) or "(F001" in screen_text(app)
        )
        assert screen.model.current is None
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, CallTicketDialog))
        await pilot.press(*"f002", "enter", *"old", "enter")
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.id == second.id


async def test_pause_resume_and_leave_the_window(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.model.paused)
        assert screen.check_action("call_next", ()) is False
        assert "Paused: resume to call" in screen_text(app)
        await pilot.press("n")  # not offered while paused: nothing is sent
        await pilot.press("f9")
        await wait_for(pilot, lambda: not screen.model.paused)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: "free" in screen_text(app))
    assert (await kiosk.ticket(1)).status == TicketStatus.waiting
    windows = {x.number: x for x in await zhang_wei.windows()}
    assert windows[8].holder is None


async def test_actions_are_in_the_command_palette(hall: RunningHall, kiosk: HallClient) -> None:
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"call next")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.model.current is not None)


async def test_keys_can_be_remapped_in_the_config(hall: RunningHall, kiosk: HallClient) -> None:
    await kiosk.issue("hukou")
    settings = Settings(extra={"keymap": {"counter.call_next": "f1,j"}})
    app = app_for(hall, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")  # no longer call next
        await pilot.pause(0.1)
        assert screen.model.current is None and screen.link.pending is None
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.model.current is not None)


async def test_a_burst_of_keys_puts_the_reason_in_the_reason_field(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """王芳 types the ticket, Enter, the reason and Enter in one go (as a paste or a scanner
    would): every key reaches the app before the dialog has handled the first Enter. Out of
    turn the hall calls F002 only with a reason, and "F002ELDERLY" is no ticket."""
    await kiosk.issue("hukou")
    second = await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, CallTicketDialog))
        for key in [*"f002", "enter", *"elderly", "enter"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.id == second.id


async def test_a_double_press_in_a_dialog_answers_it_once_and_keeps_the_counter(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """王芳 presses "1" twice (or Enter twice) before the dialog has gone: the second press
    must not answer again, nor close the counter screen underneath (Textual's dismiss pops
    whatever screen is on top)."""
    first = await kiosk.issue("hukou")
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.serving)
        await pilot.press("f17")  # Shift+F5: the outcome dialog
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        for key in ("1", "1"):
            app.post_message(events.Key(key, key))
        await wait_for(pilot, lambda: screen.model.current is None)
        hall.clock.advance(minutes=5)
        await pilot.press("n")  # the counter is still there and answers
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)
        assert app.screen is screen
        hall.clock.advance(seconds=60)  # the hall's policy: one recall, a minute after the call
        await pilot.press("f3")
        await wait_for(pilot, lambda: screen.model.current and screen.model.current.recall_count)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        for key in ("enter", "enter"):
            app.post_message(events.Key(key, None))
        await wait_for(pilot, lambda: screen.model.current is None)
        await pilot.pause(0.2)
        assert app.screen is screen
    assert (await kiosk.ticket(first.id)).status == TicketStatus.done


async def test_the_palettes_search_prompt_is_in_the_workstations_language(
    hall: RunningHall,
) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input

    from clerkdesk.i18n import set_language

    set_language("zh")
    try:
        app = app_for(hall)
        async with app.run_test(size=(80, 24)) as pilot:
            await at_counter(pilot)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            assert app.screen.query_one(Input).placeholder == "搜索命令…"
    finally:
        set_language("en")
