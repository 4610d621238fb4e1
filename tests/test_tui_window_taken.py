"""王芳's window 8 is taken over by 刘洋 (1004, also 综合受理) at 09:07: her counter says who took
it and when, and goes back to the window picker, whether the hall's event tells her at once or
she only finds out when the hall refuses her next action."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual import events

from clerkdesk.api.client import HallClient
from clerkdesk.api.events import StreamStatus
from clerkdesk.api.schemas import TicketStatus
from clerkdesk.screens.counter import screen as counter_screen
from clerkdesk.screens.counter.ticket_dialogs import ParkDialog
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from tests.conftest import RunningHall, signed_in
from tests.test_tui_closing import told
from tests.tui_support import app_for, at_counter, screen_text, wait_for


async def test_a_take_over_seen_live_says_who_and_when_and_goes_back_to_the_picker(
    hall: RunningHall, kiosk: HallClient
) -> None:
    """王芳 has called F001 and is about to park it (the dialog is open) when 刘洋 takes over."""
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ParkDialog))

        hall.clock.advance(minutes=7)
        liu = await signed_in(hall, "1004")
        await liu.sign_in(8, force=True)
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: "刘洋" in screen_text(app))
        assert "刘洋 took over window 8 at 09:07: pick a window." in screen_text(app)
        assert len(app.screen_stack) == 2  # the park dialog went with the counter
        await liu.aclose()


class SilentStream:
    """The counter's event stream, connected but saying nothing (its events lost on the way):
    the counter learns of the take-over only from the hall's refusal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    async def __aiter__(self) -> AsyncIterator[StreamStatus]:
        yield StreamStatus(connected=True)
        await asyncio.Event().wait()  # until the counter goes


@pytest.fixture
def no_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counter_screen, "EventSubscription", SilentStream)


async def test_a_take_over_found_out_by_a_refusal_says_who_and_when(
    hall: RunningHall, kiosk: HallClient, no_events: None
) -> None:
    """No event reaches 王芳's counter; she types `n s c` at 09:07 and the hall refuses the call:
    she is told 刘洋 holds window 8 since 09:05 and is back at the picker, and that the two keys
    typed after n were not used."""
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        hall.clock.advance(minutes=5)
        liu = await signed_in(hall, "1004")
        await liu.sign_in(8, force=True)
        hall.clock.advance(minutes=2)
        assert screen.model.held_by_me  # nothing told the counter yet
        notes = told(app)
        burst = ["n", "s", "c"]  # typed in one go: s and c wait for the answer to n
        for key in burst:
            app.post_message(events.Key(key, key))
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: "刘洋 took over window 8 at 09:05" in screen_text(app))
        await wait_for(pilot, lambda: notes)
        assert notes == [
            "2 keys typed ahead were not used: the screen they were typed at has closed."
        ]
        await liu.aclose()
    assert (await kiosk.ticket(1)).status == TicketStatus.waiting


async def test_leave_on_a_window_taken_unseen_goes_back_to_the_picker(
    hall: RunningHall, kiosk: HallClient, no_events: None
) -> None:
    """The same, found out by l (leave): refused by the hall, then the picker says who."""
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        await at_counter(pilot)
        liu = await signed_in(hall, "1004")
        await liu.sign_in(8, force=True)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: "刘洋 took over window 8 at 09:00" in screen_text(app))
        await liu.aclose()
