"""The clerk sees that a ticket is an appointment (预约) and for which slot: Saturday 2026-12-12,
王芳 at window 8. 周敏 booked 户籍业务 at 10:00 (on Friday, through the city's app) and checked
in at the kiosk at 09:35; 吴涛 took a normal ticket at 09:34."""

from __future__ import annotations

from clerkdesk.api.appointments import AppointmentsClient
from tests.conftest import RunningHall, local, signed_in
from tests.tui_support import app_for, at_counter, screen_text, wait_for


async def test_the_counter_shows_an_appointment_with_its_slot(hall: RunningHall) -> None:
    app_client = AppointmentsClient(await signed_in(hall, "kiosk1"))  # Friday 09:00
    zhou = await app_client.book("hukou", local("2026-12-12 10:00"), "13800138001", "周敏")
    await app_client.client.aclose()
    hall.clock.set(local("2026-12-12 09:34"))
    kiosk = await signed_in(hall, "kiosk1")
    try:
        wu_tao = await kiosk.issue("hukou")
        hall.clock.set(local("2026-12-12 09:35"))
        checked_in = await AppointmentsClient(kiosk).check_in(zhou.code)
    finally:
        await kiosk.aclose()
    appointment = checked_in.ticket.code

    app = app_for(hall)  # 王芳 at window 8
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)
        await wait_for(pilot, lambda: len(screen.model.queue) == 2)
        text = screen_text(app)
        assert f"2 {appointment} 户籍业务" in text and "appointment 10:00" in text
        assert "周敏" not in text  # the booking's name stays with the booking
        assert [t.code for t in screen.model.queue] == [wu_tao.code, appointment]
        hall.clock.set(local("2026-12-12 10:00"))  # the slot has begun: first in line now
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.model.current is not None)
        assert screen.model.current is not None and screen.model.current.code == appointment
        await wait_for(pilot, lambda: "户籍业务 · called · appointment 10:00" in screen_text(app))
