"""The kiosk's longer errands on the appointments' API: Friday 2026-12-11 in the demo hall (周六值班
opens Saturday 09:00-12:00), the kiosk signed in as kiosk1, 李华 (不动产登记) at window 1, 张伟 the
duty lead."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api import errors
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import Priority
from clerkdesk.kiosk import KioskApp
from clerkdesk.screens.kiosk.steps import ChoiceScreen, KeypadScreen, LastWordScreen
from tests.conftest import RunningHall, local
from tests.kiosk_support import at_home, kiosk_app
from tests.test_kiosk_tui import screen_words, ticket_shown
from tests.tui_support import wait_for


async def step(pilot: Pilot[Any], kind: type, title: str) -> Any:
    app = pilot.app

    def there() -> bool:
        screen = app.screen
        return isinstance(screen, kind) and getattr(screen, "title_text", title) == title

    await wait_for(pilot, there)
    return app.screen


def said(app: KioskApp, words: str) -> bool:
    return words in screen_words(app)


async def test_a_citizen_books_saturday_morning_for_hukou_with_a_phone_number(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.press("b")
        services = await step(pilot, ChoiceScreen, "Book a time: choose the service")
        names = [o.title for o in services.options]
        await pilot.press(str(names.index("户籍业务") + 1))
        days = await step(pilot, ChoiceScreen, "户籍业务: choose the day")
        assert days.options[0].title.startswith("12/12 Sat")  # weekend duty only
        await pilot.press("1")
        times = await step(pilot, ChoiceScreen, "户籍业务, 12/12 Sat: choose the time")
        assert [o.title for o in times.options][:2] == ["9:00–9:30", "9:30–10:00"]
        assert times.options[0].detail == "3 places left"
        await pilot.click("#choice-2")  # 9:30-10:00, tapped
        await step(pilot, KeypadScreen, "Your phone number")
        for digit in "1390":
            await pilot.click(f"#key-{digit}")
        await pilot.press(*"0012345", "backspace", "6", "enter")
        confirm = await step(pilot, ChoiceScreen, "Confirm the booking")
        assert "139****2346" in confirm.text
        await pilot.press("1", "1")  # a double tap
        await wait_for(pilot, lambda: isinstance(app.screen, LastWordScreen))
        last = app.screen
        assert isinstance(last, LastWordScreen)
        assert "Check in at this kiosk from 9:00 to 9:40" in last.body  # 30 min early, 10 late
    (booked,) = await AppointmentsClient(zhang_wei).appointments(date(2026, 12, 12))
    assert (booked.service, booked.start, booked.phone) == (
        "hukou",
        local("2026-12-12 09:30"),
        "13900012346",
    )
    assert last.big == booked.code


async def test_a_full_time_cannot_be_picked(hall: RunningHall, kiosk: HallClient) -> None:
    """Two places at 09:00 for 不动产转移登记, both taken by the city's app."""
    city = AppointmentsClient(kiosk)
    for phone in ("13800000001", "13800000002"):
        await city.book("bdc-transfer", local("2026-12-11 09:00"), phone)
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.press("b", "1")  # 不动产转移登记
        await step(pilot, ChoiceScreen, "不动产转移登记: choose the day")
        await pilot.press("1")  # today
        times = await step(pilot, ChoiceScreen, "不动产转移登记, 12/11 Fri: choose the time")
        assert (times.options[0].detail, times.options[0].enabled) == ("Full", False)
        await pilot.press("1")
        await pilot.pause(0.1)
        assert app.screen is times  # nothing happens on a full time


async def test_a_citizen_checks_in_with_the_code_and_takes_an_appointment_ticket(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    booked = await AppointmentsClient(kiosk).book(
        "bdc-transfer", local("2026-12-11 09:30"), "13800138000", "周敏"
    )
    hall.clock.set(local("2026-12-11 09:20"))
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.press("c")
        keypad = await step(pilot, KeypadScreen, "Check in with your booking code")
        await pilot.press(*"000000", "enter")
        await wait_for(pilot, lambda: said(app, "No appointment today with this code"))
        keypad.typed = ""
        await pilot.press(*booked.code, "enter")
        confirm = await step(pilot, ChoiceScreen, "Check in")
        assert "不动产转移登记" in confirm.text and "周*" in confirm.text
        await pilot.press("1")
        shown = await ticket_shown(pilot)
        assert shown.printed.appointment_at == local("2026-12-11 09:30")
        assert "Appointment at 09:30" in screen_words(app)
    (ticket,) = await zhang_wei.tickets_today()
    assert (ticket.code, ticket.priority) == (shown.printed.code, Priority.appointment)


async def test_a_citizen_rates_the_case_li_hua_completed(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    ticket = await kiosk.issue("bdc-transfer")
    await li_hua.call_next(1)
    await li_hua.start(ticket.id)
    hall.clock.advance(minutes=12)
    await li_hua.complete(ticket.id)
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.press("r")
        await step(pilot, KeypadScreen, "Rate a finished case")
        await pilot.click("#key-A")
        await pilot.press(*"001", "enter")
        scores = await step(pilot, ChoiceScreen, "How was the service for A001? (1-5)")
        assert "window 1" in scores.text
        await pilot.press("5")
        reasons = await step(pilot, ChoiceScreen, "What stood out? (you may skip)")
        assert reasons.options[0].title == "Quick service"
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, LastWordScreen))
    with pytest.raises(errors.Conflict) as again:
        await AppointmentsClient(kiosk).rate(ticket.id, 1)
    assert again.value.code == "already_rated"


async def test_a_case_still_waiting_cannot_be_rated(hall: RunningHall, kiosk: HallClient) -> None:
    await kiosk.issue("hukou")
    app = kiosk_app(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_home(pilot)
        await pilot.press("r", "f", *"001", "enter")
        await wait_for(pilot, lambda: said(app, "This case is not completed yet"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, KeypadScreen))
