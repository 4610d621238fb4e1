"""The counter stays open all day: what it draws after each ticket must not pile up in memory."""

from __future__ import annotations

import contextlib
import gc

from textual.widgets._footer import FooterKey

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import TicketStatus
from clerkdesk.widgets.counter_bars import CounterFooter
from clerkdesk.widgets.textual_compat import watchers_of
from tests.conftest import RunningHall
from tests.tui_support import app_for, at_counter, wait_for


async def test_after_four_citizens_the_footer_holds_only_the_keys_it_shows(
    hall: RunningHall, kiosk: HallClient
) -> None:
    for _citizen in range(4):
        await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        for _citizen in range(4):  # 王芳 calls, starts and completes each: the offer changes
            await pilot.press("n")
            await wait_for(pilot, lambda: screen.model.status == TicketStatus.called)
            hall.clock.advance(seconds=20)
            await pilot.press("s")
            await wait_for(pilot, lambda: screen.model.status == TicketStatus.serving)
            hall.clock.advance(minutes=4)
            await pilot.press("c")  # done, the usual outcome
            await wait_for(pilot, lambda: screen.model.current is None and not screen.link.pending)
            await pilot.pause()
        footer = screen.query_one(CounterFooter)
        shown = list(footer.query(FooterKey))
        bound = watchers_of(footer, "compact")
        assert shown and all(node.is_attached for node in bound)
        assert len(bound) <= len(shown)

        def thrown_away() -> list[FooterKey]:
            gc.collect()
            keys = [o for o in gc.get_objects() if isinstance(o, FooterKey)]
            return [key for key in keys if not key.is_attached]

        # Textual removes a footer's old keys in its own time (a busy machine: a moment
        # later); what is kept for good stays, and the wait ends with the count in the message.
        with contextlib.suppress(AssertionError):
            await wait_for(pilot, lambda: len(thrown_away()) <= 2, timeout=10)
        kept = len(thrown_away())
        assert kept <= 2, f"{kept} footer keys no longer shown are kept"
