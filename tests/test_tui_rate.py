"""The rating pad at window 8 (`clerkdesk rate --window 8`), driven with keys against a real hall
on 127.0.0.1: Friday 2026-12-11, 王芳 at window 8 completes cases, the citizens rate them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from textual.widgets import Button, Input

from clerkdesk.api import errors
from clerkdesk.api.appointment_schemas import RatingReason
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import HallClient
from clerkdesk.screens.rate.app import RateApp
from clerkdesk.state.rating_pad import Phase
from tests.conftest import RunningHall, signed_in
from tests.tui_support import wait_for


@pytest.fixture
async def pad_client(hall: RunningHall) -> AsyncIterator[HallClient]:
    """The pad's own sign-in (the kiosk role)."""
    client = await signed_in(hall, "kiosk1")
    yield client
    await client.aclose()


async def complete_one(
    hall: RunningHall, kiosk: HallClient, clerk: HallClient, window: int, service: str
) -> int:
    ticket = await kiosk.issue(service)
    hall.clock.advance(seconds=10)  # past the window's minimum interval between calls
    called = await clerk.call_next(window)
    assert called.id == ticket.id
    await clerk.start(called.id)
    await clerk.complete(called.id)
    return called.id


async def rating_of(kiosk: HallClient, ticket_id: int) -> str:
    """Whether the hall has a rating of the case: it refuses a second one."""
    try:
        await AppointmentsClient(kiosk).rate(ticket_id, 3)
    except errors.Conflict as refusal:
        return refusal.code
    return "was not rated"


async def test_two_citizens_rate_their_cases_with_keys(
    hall: RunningHall,
    pad_client: HallClient,
    kiosk: HallClient,
    wang_fang: HallClient,
    li_hua: HallClient,
) -> None:
    """F001 is done at window 8: 4 (satisfied), reason 1 (quick). A case done at window 1 is
    not the pad's. K001 is done at window 8: 2, reason 6 (other), "排队太久", Enter."""
    app = RateApp(pad_client, 8, hall.clock, label="综合受理 8号窗口")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.connected)
        first = await complete_one(hall, kiosk, wang_fang, 8, "hukou")
        await wait_for(pilot, lambda: app.pad.phase is Phase.score)
        assert app.pad.case is not None and app.pad.case.code == "F001"
        await pilot.press("4")
        assert app.pad.phase is Phase.reason
        shown = [str(b.label) for b in app.query("#reasons Button") if b.display]
        assert shown == [
            "1  Quick service",
            "2  Friendly",
            "3  Clear explanations",
            "4  Other (write it)",
        ]
        await pilot.press("1")
        assert app.pad.phase is Phase.thanks
        await wait_for(pilot, lambda: app.pad.rated == 1)

        await complete_one(hall, kiosk, li_hua, 1, "bdc-transfer")  # window 1: not this pad's
        hall.clock.advance(seconds=6)
        app.tick()  # the thank-you has been up long enough
        assert app.pad.phase is Phase.waiting
        second = await complete_one(hall, kiosk, wang_fang, 8, "shebao-card")
        await wait_for(pilot, lambda: app.pad.phase is Phase.score)
        assert app.pad.case is not None and app.pad.case.code == "K001"
        await pilot.press("2", "6")
        assert app.pad.phase is Phase.comment
        assert app.focused is app.query_one("#words", Input)
        await pilot.press(*"排队太久", "enter")
        await wait_for(pilot, lambda: app.pad.rated == 2)
    assert await rating_of(kiosk, first) == "already_rated"
    assert await rating_of(kiosk, second) == "already_rated"


async def test_touching_the_keys_rates_too_and_enter_sends_without_a_reason(
    hall: RunningHall, pad_client: HallClient, kiosk: HallClient, wang_fang: HallClient
) -> None:
    app = RateApp(pad_client, 8, hall.clock, label="综合受理 8号窗口")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.connected)
        done = await complete_one(hall, kiosk, wang_fang, 8, "hukou")
        await wait_for(pilot, lambda: app.pad.phase is Phase.score)
        # A touch lands where the screen has drawn the keys: the pad's phase changes first, the
        # layout a refresh later (clicked before it, the touch hit nothing; CI, under load).
        await wait_for(pilot, lambda: app.query_one("#score-5").region.area > 0)
        await pilot.click("#score-5")
        assert (app.pad.phase, app.pad.score) == (Phase.reason, 5)
        await pilot.press("escape")  # back: the citizen meant another
        assert app.pad.phase is Phase.score
        await wait_for(pilot, lambda: app.query_one("#score-3").region.area > 0)
        await pilot.click("#score-3")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.pad.rated == 1)
    ratings = AppointmentsClient(kiosk)
    with pytest.raises(errors.Conflict) as again:
        await ratings.rate(done, 1, RatingReason.slow)
    assert again.value.code == "already_rated"


async def test_a_question_nobody_answers_goes_away_and_a_new_case_replaces_an_old_one(
    hall: RunningHall, pad_client: HallClient, kiosk: HallClient, wang_fang: HallClient
) -> None:
    app = RateApp(pad_client, 8, hall.clock, label="综合受理 8号窗口")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.connected)
        gone = await complete_one(hall, kiosk, wang_fang, 8, "hukou")
        await wait_for(pilot, lambda: app.pad.phase is Phase.score)
        next_one = await complete_one(hall, kiosk, wang_fang, 8, "hukou")  # F001 left unrated
        await wait_for(pilot, lambda: app.pad.case is not None and app.pad.case.code == "F002")
        hall.clock.advance(seconds=91)
        app.tick()
        assert (app.pad.phase, app.pad.case) == (Phase.waiting, None)
        assert not [b for b in app.query(Button) if b.has_focus]
    assert await rating_of(kiosk, gone) == "was not rated"
    assert await rating_of(kiosk, next_one) == "was not rated"
