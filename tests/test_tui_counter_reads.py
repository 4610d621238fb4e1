"""When the counter reads the hall again after 王芳's own action: only once its answer is on the
screen. The embedded hall answers in this process, so a read begun in between (the answer's own
event comes right behind it) would hold up the frame that shows the called ticket."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import TicketOut
from tests.conftest import RunningHall
from tests.tui_support import app_for, at_counter, wait_for


async def test_the_called_ticket_is_drawn_before_the_counter_is_read_again(
    hall: RunningHall, kiosk: HallClient
) -> None:
    first = await kiosk.issue("hukou")
    second = await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        frames: list[float] = []
        reads: list[float] = []
        answered: list[float] = []
        display = app._display

        def drawing(screen_: Any, renderable: Any) -> None:
            display(screen_, renderable)
            if renderable is not None:
                frames.append(time.monotonic())

        read = screen.ws.client.counter

        async def reading(window: int) -> Any:
            reads.append(time.monotonic())
            return await read(window)

        apply_ticket = screen.model.apply_ticket

        def applying(ticket: TicketOut) -> None:
            apply_ticket(ticket)
            answered.append(time.monotonic())
            # F001's own event, heard right after its answer arrived: the read it asks for
            # must wait for the frame that shows F001.
            asyncio.get_running_loop().call_soon(screen.request_refresh)

        app._display = drawing  # type: ignore[method-assign]
        screen.ws.client.counter = reading  # type: ignore[method-assign]
        screen.model.apply_ticket = applying  # type: ignore[method-assign]

        await pilot.press("n")
        await wait_for(pilot, lambda: [t.id for t in screen.model.queue] == [second.id])
        assert screen.model.current is not None and screen.model.current.id == first.id
        assert len(answered) == 1
        later = [moment for moment in reads if moment > answered[0]]
        assert later, "the counter was not read again after the call"
        assert all(any(answered[0] < f < moment for f in frames) for moment in later), (
            "a read began before F001 was drawn"
        )
