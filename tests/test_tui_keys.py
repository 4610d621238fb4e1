"""Every key at the counter and on the duty lead's screen is either applied or refused with a
word on the message line; the footer offers only what can be done now; keys typed ahead of the
hall's answer are applied in order once it has come. Against a real hall on 127.0.0.1.

王芳 (1002) works window 8 (综合受理) on Friday 2026-12-11 from 09:00; 张伟 (2001) is the duty lead.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from textual import events

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.clock import ManualClock
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.counter.ticket_dialogs import OutcomeDialog
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.state.actions import ACTION_NAMES
from clerkdesk.state.lead import LEAD_ACTION_NAMES
from clerkdesk.widgets.counter_bars import OfflineBanner
from clerkdesk.widgets.message_line import MessageLine
from tests.conftest import RunningHall, local
from tests.test_tui_duty_lead import lead_app, lead_without_window, three_waiting_at_window_8
from tests.tui_support import app_for, at_counter, at_duty_lead, screen_text, wait_for


class WorkingClock(ManualClock):
    """The hall's clock while 王芳 works: a second passes each time the hall looks at it, so
    the hall's three seconds between two calls from one window pass as she works, without the
    test waiting for the wall clock."""

    def now(self) -> datetime:
        return self.advance(timedelta(seconds=1))


@pytest.fixture
def clock() -> ManualClock:
    return WorkingClock(local("2026-12-11 09:00"))


def said(screen: Any) -> list[str]:
    """Every line the screen's message line shows from now on, in order."""
    line = screen.query_one(MessageLine)
    lines: list[str] = []
    say = line.say

    def recording(text: str, error: bool = False) -> None:
        lines.append(text)
        say(text, error)

    line.say = recording
    return lines


def burst(app: Any, keys: list[str]) -> None:
    """Keys as a fast typist (or a paste) sends them: all in the app's queue at once."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def offered(screen: Any, actions: frozenset[str]) -> set[str]:
    """The screen's actions the footer shows (greyed ones too)."""
    return {
        b.binding.action
        for b in screen.active_bindings.values()
        if b.binding.show and b.binding.action in actions
    }


NOTHING_HERE = "“{key}” does nothing here: the footer shows what can be done now."


async def test_a_burst_of_n_s_c_1_three_times_serves_three_citizens_in_order(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """王芳 types `n s c 1` three times without waiting for the hall (the outcome dialog's
    habit: c now completes as done at once): call, start and complete F001, F002 and F003,
    and each 1 says it does nothing. Before, C001 was called and 11 keys were dropped."""
    for _citizen in range(3):
        await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        lines = said(screen)
        burst(app, list("nsc1" * 3))
        await wait_for(pilot, lambda: len(lines) == 12)
        assert lines == [
            line.format(ticket=ticket, key="1")
            for ticket in ("F001", "F002", "F003")
            for line in (
                "Called {ticket}.",
                "Serving {ticket}.",
                "{ticket} completed: the case is handled.",
                NOTHING_HERE,
            )
        ]
        await wait_for(pilot, lambda: screen.model.counts and screen.model.counts.served == 3)
        assert screen.model.current is None and screen.model.queue == []
        assert not app.type_ahead.held and screen.keys_ready()
        assert offered(screen, ACTION_NAMES) == {"call_next", "call_ticket", "pause", "leave"}


async def test_a_burst_with_shift_c_picks_the_outcome_in_its_dialog(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """`n s C 2` twice in one go: Shift+C opens the outcome dialog once it is up, 2 picks
    "consultation only" there, and the next n waits for that answer."""
    first = await kiosk.issue("hukou")
    second = await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        lines = said(screen)
        burst(app, [*"nsC2", *"nsC2"])
        await wait_for(pilot, lambda: len(lines) == 6)
        assert lines == [
            "Called F001.",
            "Serving F001.",
            "F001 completed: Consultation only.",
            "Called F002.",
            "Serving F002.",
            "F002 completed: Consultation only.",
        ]
        assert app.screen is screen
    for ticket in (first, second):
        done = await kiosk.ticket(ticket.id)
        assert (done.status, done.outcome) == (w.TicketStatus.done, w.Outcome.consultation)


async def test_a_burst_the_hall_refuses_part_of_says_why_for_each_key(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """One citizen waits: `n s c 1 n s c 1` serves F001, then nobody is left: the second n is
    refused by the hall, and s, c and 1 each say why they do nothing. No key goes unanswered."""
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        lines = said(screen)
        burst(app, list("nsc1" * 2))
        await wait_for(pilot, lambda: len(lines) == 8)
        await pilot.pause(0.2)
        assert lines == [
            "Called F001.",
            "Serving F001.",
            "F001 completed: the case is handled.",
            NOTHING_HERE.format(key="1"),
            "Nobody is waiting for this window: wait for the next ticket.",  # the hall's word
            "No citizen at the counter: call the next one first (F2 n).",
            "No citizen at the counter: call the next one first (F2 n).",
            NOTHING_HERE.format(key="1"),
        ]


async def test_keys_the_counter_does_not_offer_now_say_why_and_the_footer_hides_them(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """b while F001 is called, c and Shift+C before it is started, l while serving, i (issuing
    is for leads and admins) at a clerk's counter, n and c offline."""
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        assert offered(screen, ACTION_NAMES) == {"call_next", "call_ticket", "pause", "leave"}
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.status == w.TicketStatus.called)
        assert offered(screen, ACTION_NAMES) == {"recall", "start", "no_show", "park", "hand_off"}
        await pilot.press("b")
        await wait_for(pilot, lambda: "F001 is called: start serving it" in screen_text(app))
        assert not screen.model.paused
        for key in ("c", "C"):
            screen.say("")
            await pilot.press(key)
            await wait_for(
                pilot, lambda: "F001 is not being served yet: start first" in screen_text(app)
            )
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.model.status == w.TicketStatus.serving)
        assert offered(screen, ACTION_NAMES) == {"complete", "complete_as", "park", "hand_off"}
        await pilot.press("l")
        await wait_for(
            pilot, lambda: "F001 is being served: complete it or park it" in screen_text(app)
        )
        assert isinstance(app.screen, CounterScreen)
        await pilot.press("i")
        await wait_for(pilot, lambda: "“i” does nothing here" in screen_text(app))

        await asyncio.to_thread(hall.server.stop)
        await wait_for(pilot, lambda: screen.query_one(OfflineBanner).display, 10)
        assert offered(screen, ACTION_NAMES) == set()  # nothing can be sent: nothing offered
        await pilot.press("c")
        await wait_for(pilot, lambda: "Offline: “Done” cannot be sent until" in screen_text(app))
        await pilot.press("C")
        await wait_for(pilot, lambda: "“Outcome…” cannot be sent until" in screen_text(app))
        assert not isinstance(app.screen, OutcomeDialog)


async def test_keys_typed_ahead_into_a_dialog_follow_it_in_order(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """`n p Enter n` in one go: F001 is called, parked at the back (the park dialog's first
    choice, taken by Enter once the dialog is up), and F002 called next."""
    await kiosk.issue("hukou")
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        burst(app, ["n", "p", "enter", "n"])
        await wait_for(pilot, lambda: screen.model.current and screen.model.current.code == "F002")
        await wait_for(pilot, lambda: [t.code for t in screen.model.queue] == ["F001"])
        assert app.screen is screen


async def test_a_ticket_number_and_reason_typed_with_t_in_one_go_fill_the_dialog(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """`t f002 Enter elderly Enter` typed in one go (before the dialog is up): the number goes
    into the number field, the reason into the reason field, and F002 is called out of turn."""
    await kiosk.issue("hukou")
    second = await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        burst(app, ["t", *"f002", "enter", *"elderly", "enter"])
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.id == second.id
        assert app.screen is screen
    called = await kiosk.ticket(second.id)
    assert called.status == w.TicketStatus.called


async def test_a_lead_issues_and_calls_a_ticket_with_keys_typed_in_one_go(
    hall: RunningHall,
) -> None:
    """张伟 at window 8 types `i 6 n`: the issue dialog comes once the hall's services are read,
    6 picks 户籍业务 (F001) there, and n calls it once it is issued."""
    app = app_for(hall, staff_no="2001")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        burst(app, ["i", "6", "n"])
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.code == "F001"
        assert app.screen is screen


async def test_the_lead_says_why_a_decision_key_does_nothing_and_applies_keys_typed_ahead(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    """张伟 presses a with nothing to decide; then 王芳 asks, and he types `a Esc` in one go:
    approved, then back to the window picker (Esc waited for the hall's answer)."""
    await three_waiting_at_window_8(hall, kiosk)
    app = lead_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lead_without_window(pilot)
        assert offered(screen, LEAD_ACTION_NAMES) == set()
        await pilot.press("a")
        await wait_for(pilot, lambda: "No request waits for your decision." in screen_text(app))
        await pilot.press("c")
        await wait_for(pilot, lambda: "No overrun waits for a decision." in screen_text(app))

        asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
        await wait_for(pilot, lambda: len(screen.desk.inbox) == 1)
        assert offered(screen, LEAD_ACTION_NAMES) == {"approve", "approve_minutes", "deny"}
        burst(app, ["a", "escape"])
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
    decided = (await ClosingClient(wang_fang).closing(8)).extension
    assert decided is not None and decided.id == asked.id
    assert decided.status == w.ExtensionStatus.approved


async def test_keys_typed_ahead_follow_the_lead_from_his_counter_to_his_screen_and_back(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    """张伟 at his counter (window 9) types `d a Esc` in one go: his lead screen opens, reads the
    inbox, approves 王芳's request, and he is back at his counter."""
    await three_waiting_at_window_8(hall, kiosk)
    asked = await ClosingClient(wang_fang).request_extension(8, 20, "三位群众等候")
    app = app_for(hall, staff_no="2001", window=9)
    async with app.run_test(size=(80, 24)) as pilot:
        counter = await at_counter(pilot)
        burst(app, ["d", "a", "escape"])
        await wait_for(
            pilot, lambda: isinstance(app.screen, CounterScreen) and app.screen is not counter
        )
        await at_counter(pilot)  # his counter again, read and following the hall
    decided = (await ClosingClient(wang_fang).closing(8)).extension
    assert decided is not None and decided.id == asked.id
    assert decided.status == w.ExtensionStatus.approved


async def test_his_own_request_is_greyed_and_a_says_another_lead_decides(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await three_waiting_at_window_8(hall, kiosk)
    app = app_for(hall, staff_no="2001", window=9)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_counter(pilot)
        await ClosingClient(app.ws.client).request_extension(9, 15, "还有群众")
        await pilot.press("d")
        lead = await at_duty_lead(pilot)
        assert lead.check_action("approve", ()) is None  # shown, but off
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: (
                "This is your own request: another duty lead or an admin must decide it."
                in screen_text(app)
            ),
        )
        assert lead.desk.inbox and lead.link.pending is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_refused_key_says_why_on_one_line_at_80_columns(lang: str) -> None:
    """Whatever the counter's state, a counter action it does not offer has a reason that fits
    the message line (78 cells at 80 columns), in either language; one it offers has none."""
    from itertools import product

    from rich.cells import cell_len

    from clerkdesk.i18n import set_language
    from clerkdesk.state.actions import COUNTER_ACTIONS, applies
    from clerkdesk.state.lead import LEAD_ACTIONS
    from clerkdesk.state.refusals import CounterNow, LeadNow, counter_refusal, lead_refusal

    set_language(lang)
    try:
        statuses = (None, w.TicketStatus.called, w.TicketStatus.serving)
        for action, loaded, online, held, status, paused, pending, closing in product(
            COUNTER_ACTIONS, *[(True, False)] * 3, statuses, *[(True, False)] * 3
        ):
            now = CounterNow(
                loaded, online, held, "A1023" if status else "", status, paused, pending,
                keys=lambda name: "F10 e",
            )  # fmt: skip
            why = counter_refusal(action.name, now, closing)
            can = loaded and online and applies(action.name, status, paused, held, closing)
            assert (why is None) == can, (action.name, now, closing)
            assert why is None or 0 < cell_len(why) <= 78, why
        for action, flags in product(LEAD_ACTIONS, product((True, False), repeat=9)):
            online, request, own_request, overrun, own_overrun, admin, years, on_leave, item = flags
            now_lead = LeadNow(
                online, request, 3, own_request, overrun, 2, own_overrun, admin, years,
                leave_focused=on_leave, leave_item=item, leave_items=4,
            )  # fmt: skip
            why = lead_refusal(action.name, action.label, now_lead)
            assert 0 < cell_len(why) <= 78, why
        key = events.Key("ctrl+pageup", None)
        from clerkdesk.screens.type_ahead import nothing_here

        assert cell_len(nothing_here(key)) <= 78
    finally:
        set_language("en")
