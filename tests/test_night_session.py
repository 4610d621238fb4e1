"""A night session across midnight (夜间值班), against a real hall service on 127.0.0.1.

Friday 2026-12-11 the 淮南 hall opens again 22:00 → 00:30 (Saturday 2026-12-12 is a rest day).
Everything of that session belongs to Friday's service day: ticket numbers, the duty lead's
lists; overtime is split at local midnight, since the day type belongs to the calendar date.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.closing import ClosingClient
from clerkdesk.hall.calendar import admin as calendar_admin
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import add_session, at_window, hall_database

FRIDAY, SATURDAY = date(2026, 12, 11), date(2026, 12, 12)


async def test_tickets_at_2350_and_at_midnight_are_numbered_on_in_one_service_day(
    hall: RunningHall,
) -> None:
    add_session(hall, FRIDAY, "22:00", "00:30", "夜间值班")
    hall.clock.set(local("2026-12-11 23:50"))
    kiosk = await signed_in(hall, "kiosk1")
    before = await kiosk.issue("bdc-transfer")
    hall.clock.set(local("2026-12-12 00:00"))
    after = await kiosk.issue("bdc-transfer")
    assert (before.code, before.local_date) == ("A001", FRIDAY)
    assert (after.code, after.local_date) == ("A002", FRIDAY)  # not a second A001 in the queue

    # The next day's first opening starts the numbers again.
    hall.clock.set(local("2026-12-14 09:00"))
    kiosk = await signed_in(hall, "kiosk1")
    monday = await kiosk.issue("bdc-transfer")
    assert (monday.code, monday.local_date) == ("A001", date(2026, 12, 14))
    await kiosk.aclose()


async def test_after_midnight_the_leads_lists_keep_the_nights_citizens_requests_and_overruns(
    hall: RunningHall,
) -> None:
    add_session(hall, FRIDAY, "22:00", "00:30", "夜间值班")
    hall.clock.set(local("2026-12-11 23:45"))
    kiosk, lead = await signed_in(hall, "kiosk1"), await signed_in(hall, "2001")
    li_hua = await at_window(hall, "1001", 1)
    hall.clock.set(local("2026-12-11 23:50"))
    waiting = [(await kiosk.issue("bdc-transfer")).code, (await kiosk.issue("bdc-mortgage")).code]

    asked = await ClosingClient(li_hua).request_extension(1, 15, "两位群众还在等候")
    await ClosingClient(lead).approve_extension(asked.id)

    hall.clock.set(local("2026-12-12 00:01"))
    still_waiting = await lead.tickets_today(w.TicketStatus.waiting)
    assert [t.code for t in still_waiting] == waiting
    [decided] = await ClosingClient(lead).extensions()
    assert decided.extension.id == asked.id
    assert decided.extension.status == w.ExtensionStatus.approved

    for _ in waiting:
        ticket = await li_hua.call_next(1)
        await li_hua.start(ticket.id)
        await li_hua.complete(ticket.id)
        hall.clock.advance(seconds=5)
    hall.clock.set(local("2026-12-12 00:46"))  # the extension ended at 00:45
    closed = await ClosingClient(li_hua).close_window(1)
    assert closed.overrun is not None
    await ClosingClient(lead).confirm_overrun(closed.overrun.id)

    hall.clock.set(local("2026-12-12 00:50"))
    [confirmed] = await ClosingClient(lead).overruns()
    assert (confirmed.id, confirmed.status) == (closed.overrun.id, w.OverrunStatus.confirmed)
    for client in (kiosk, lead, li_hua):
        await client.aclose()


async def test_an_overrun_after_midnight_is_dated_by_its_local_date_with_its_day_type(
    hall: RunningHall,
) -> None:
    add_session(hall, FRIDAY, "22:00", "00:30", "夜间值班")
    hall.clock.set(local("2026-12-11 23:40"))
    lead, li_hua = await signed_in(hall, "2001"), await at_window(hall, "1001", 1)
    asked = await ClosingClient(li_hua).request_extension(1, 15, "收尾")
    await ClosingClient(lead).approve_extension(asked.id)

    hall.clock.set(local("2026-12-12 00:46"))  # the window's end: 00:45
    closed = await ClosingClient(li_hua).close_window(1)
    overrun = closed.overrun
    assert overrun is not None
    assert (closed.local_date, overrun.service_day) == (FRIDAY, FRIDAY)  # Friday's session
    assert (overrun.local_date, overrun.minutes) == (SATURDAY, 1)  # worked on Saturday
    assert [(p.local_date, p.day_type, p.minutes) for p in overrun.parts] == [
        (SATURDAY, w.DayType.rest_day, 1)
    ]
    for client in (lead, li_hua):
        await client.aclose()


async def test_an_overrun_across_midnight_is_split_in_two_parts(hall: RunningHall) -> None:
    add_session(hall, FRIDAY, "20:00", "23:50", "晚间值班")
    hall.clock.set(local("2026-12-11 20:00"))
    li_hua = await at_window(hall, "1001", 1)
    hall.clock.set(local("2026-12-12 00:20"))
    closed = await ClosingClient(li_hua).close_window(1)
    overrun = closed.overrun
    assert overrun is not None
    assert (overrun.local_date, overrun.minutes, overrun.service_day) == (FRIDAY, 30, FRIDAY)
    assert [(p.local_date, p.day_type, p.minutes) for p in overrun.parts] == [
        (FRIDAY, w.DayType.workday, 10),
        (SATURDAY, w.DayType.rest_day, 20),
    ]
    assert overrun.parts[0].end == overrun.parts[1].start == local("2026-12-12 00:00")
    await li_hua.aclose()


async def test_a_clerk_signed_in_before_the_admin_adds_the_night_session_works_past_midnight(
    hall: RunningHall,
) -> None:
    hall.clock.set(local("2026-12-11 21:00"))
    li_hua = await signed_in(hall, "1001")
    assert (await li_hua.me()).token_expires_at == local("2026-12-12 00:00")

    with hall_database(hall) as session:  # as `clerkdesk admin calendar add-session` does
        spec = calendar_admin.SessionSpec(FRIDAY, None, time(22), time(0, 30), "夜间值班")
        calendar_admin.add_session(
            session, calendar_admin.only_hall(session), spec, hall.clock.now()
        )

    hall.clock.set(local("2026-12-12 00:00"))
    me = await li_hua.me()  # still signed in, in front of the night's citizens
    assert me.token_expires_at == local("2026-12-12 02:30")  # the session's end and two hours

    with hall_database(hall) as session:  # the session is called off again
        huainan = calendar_admin.only_hall(session)
        night = calendar_admin.view(session, huainan, FRIDAY, 1, FRIDAY).sessions[-1]
        calendar_admin.remove_session(session, huainan, night.id, hall.clock.now())
    # Never cut short behind the clerk's back: the sign-in keeps its end.
    assert (await li_hua.me()).token_expires_at == local("2026-12-12 02:30")
    hall.clock.set(local("2026-12-12 02:30"))
    with pytest.raises(errors.Unauthorized):
        await li_hua.me()
    await li_hua.aclose()
