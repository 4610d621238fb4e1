"""The counter fails closed when the hall cannot be reached, comes back by itself, and an action
cut off by a dropped connection happens exactly once."""

from __future__ import annotations

import asyncio

import httpx

from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import TicketStatus
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.widgets.counter_bars import OfflineBanner
from tests.conftest import RunningHall
from tests.tui_support import app_for, at_counter, screen_text, wait_for, workstation


async def test_a_stopped_hall_shows_the_banner_disables_actions_and_resumes_by_itself(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await kiosk.issue("hukou")
    app = app_for(hall)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        banner = screen.query_one(OfflineBanner)
        port = hall.server.port
        await asyncio.to_thread(hall.server.stop)
        await wait_for(pilot, lambda: banner.display, 10)
        assert "Offline" in screen_text(app) and "Next try in" in screen_text(app)
        assert screen.check_action("call_next", ()) is False  # not offered offline
        await pilot.press("n")  # pressed anyway: refused, saying why
        await wait_for(pilot, lambda: "“Call next” cannot be sent until" in screen_text(app))
        assert screen.model.current is None and screen.link.pending is None

        app_again = create_app(HallSettings(hall.database_url, clock=hall.clock, poll_interval=0.2))
        restarted = ServerThread(app_again, port=port)
        await asyncio.to_thread(restarted.start)
        try:
            await wait_for(pilot, lambda: not banner.display, 10)
            assert screen.check_action("call_next", ()) is True
            await kiosk.issue("hukou")  # the stream is live again
            await wait_for(pilot, lambda: len(screen.model.queue) == 2)
            await pilot.press("n")
            await wait_for(pilot, lambda: screen.model.current is not None)
        finally:
            await asyncio.to_thread(restarted.stop)


class DropFirstAnswer(httpx.AsyncBaseTransport):
    """Passes requests to the hall, but loses the answer to the first call-next on the way back
    (the hall has already done it): what a dropped connection looks like to the workstation."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.keys: list[str] = []
        self.dropped = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/call-next"):
            self.keys.append(request.headers["Idempotency-Key"])
            if not self.dropped:
                self.dropped = True
                await response.aread()
                await response.aclose()
                raise httpx.ReadError("connection reset by peer", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_call_cut_off_by_a_dropped_connection_is_sent_again_and_happens_once(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    first = await kiosk.issue("hukou")
    await kiosk.issue("hukou")
    transport = DropFirstAnswer()
    # No retries inside the client: the workstation itself must resend, with the same key.
    app = app_for(hall, ws=workstation(hall, transport=transport, retry_delays=()))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.id == first.id
        assert [t.code for t in screen.model.queue] == ["F002"]
    assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
    called = await zhang_wei.tickets_today(TicketStatus.called)
    assert [t.code for t in called] == ["F001"]
    waiting = await zhang_wei.tickets_today(TicketStatus.waiting)
    assert [t.code for t in waiting] == ["F002"]
