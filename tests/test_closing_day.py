"""Closing time at the counter: the hall calendar, the kiosk cutoff, the closing banner and a
workday close with citizens still waiting, against a real hall service on 127.0.0.1.

The demo hall opens Monday to Friday 09:00-17:30 and on Saturdays 09:00-12:00 (周六值班).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date, time

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import DutySessionHours, Hall, HallPolicy, Staff, WeeklyHours
from tests.conftest import RunningHall, local, signed_in

# --- helpers --------------------------------------------------------------------------------


@contextmanager
def hall_database(hall: RunningHall) -> Iterator[Session]:
    """The running hall's database, for what an admin sets up outside the API."""
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def hall_id(session: Session) -> int:
    return session.scalars(select(Hall.id).where(Hall.code == "huainan")).one()


def add_session(hall: RunningHall, on: date, start: str, end: str, label: str) -> None:
    with hall_database(hall) as session:
        session.add(
            DutySessionHours(
                hall_id=hall_id(session),
                on_date=on,
                weekday=None,
                start_time=time.fromisoformat(start),
                end_time=time.fromisoformat(end),
                label=label,
            )
        )


def set_policy(hall: RunningHall, **fields: object) -> None:
    with hall_database(hall) as session:
        policy = session.get_one(HallPolicy, hall_id(session))
        for name, value in fields.items():
            setattr(policy, name, value)


def give_demo_password(hall: RunningHall, staff_no: str) -> None:
    """The demo password for a staff member of the hall file (copied: hashing is slow)."""
    with hall_database(hall) as session:
        demo = session.scalars(select(Staff).where(Staff.staff_no == "2001")).one()
        staff = session.scalars(select(Staff).where(Staff.staff_no == staff_no)).one()
        staff.password_hash = demo.password_hash


async def at_window(hall: RunningHall, staff_no: str, window: int) -> HallClient:
    client = await signed_in(hall, staff_no)
    await client.sign_in(window)
    return client


async def serve_next(
    clerk: HallClient, window: int, hall: RunningHall, minutes: float
) -> w.TicketOut:
    """Call the next citizen, serve them for `minutes`, finish the case."""
    hall.clock.advance(seconds=5)
    ticket = await clerk.call_next(window)
    await clerk.start(ticket.id)
    hall.clock.advance(minutes=minutes)
    return await clerk.complete(ticket.id)


class Live:
    """A signed-in screen following the hall's events from now on."""

    def __init__(self, client: HallClient, after: int) -> None:
        self._stream: AsyncIterator[w.EventOut | StreamStatus] = aiter(
            EventSubscription(client, after=after)
        )

    async def next(self, kind: w.EventKind, timeout: float = 10.0) -> w.EventOut:
        async def find() -> w.EventOut:
            while True:
                item = await anext(self._stream)
                if isinstance(item, w.EventOut) and item.kind == kind:
                    return item

        return await asyncio.wait_for(find(), timeout)

    async def close(self) -> None:
        await self._stream.aclose()  # type: ignore[attr-defined]


async def live(client: HallClient, window: int) -> Live:
    return Live(client, (await client.counter(window)).last_event_id)


# --- a workday close ------------------------------------------------------------------------


async def test_a_friday_close_with_three_citizens_waiting_is_extended_and_recorded(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    # The morning: three 不动产转移登记 cases of 18, 16 and 20 minutes set the estimate.
    for _ in range(3):
        await kiosk.issue("bdc-transfer")
    for minutes in (18, 16, 20):
        await serve_next(li_hua, 1, hall, minutes)

    hall.clock.set(local("2026-12-11 16:55"))
    waiting = [await kiosk.issue("bdc-transfer") for _ in range(3)]
    clerk, lead = ClosingClient(li_hua), ClosingClient(zhang_wei)

    hall.clock.set(local("2026-12-11 16:59"))
    early = await clerk.closing(1)
    assert (early.phase, early.minutes_left, early.notice) == (w.WindowPhase.open, 31, False)

    hall.clock.set(local("2026-12-11 17:00"))
    banner = await clerk.closing(1)
    assert banner.phase == w.WindowPhase.open
    assert banner.scheduled_end == banner.window_end == local("2026-12-11 17:30")
    assert (banner.minutes_left, banner.notice, banner.final_closing) == (30, True, True)
    assert [t.code for t in banner.waiting] == [t.code for t in waiting]
    assert banner.service_minutes["bdc-transfer"] == 18  # the median of today's cases
    assert banner.service_minutes["bdc-mortgage"] == 15  # no cases yet: its estimate
    assert (banner.minutes_needed, banner.suggested_minutes) == (54, 25)
    assert banner.extension is None

    clerk_screen, lead_screen = await live(li_hua, 1), await live(zhang_wei, 1)
    try:
        asked = await clerk.request_extension(1, banner.suggested_minutes, "三位群众仍在等候")
        assert (asked.status, asked.minutes_requested, asked.window) == (
            w.ExtensionStatus.pending,
            25,
            1,
        )
        seen = await lead_screen.next(w.EventKind.extension_requested)
        assert seen.extension is not None and seen.extension.id == asked.id

        [item] = await lead.extensions(w.ExtensionStatus.pending)
        assert (item.extension.staff.name, item.window_label) == ("李华", "不动产登记 1号窗口")
        assert (len(item.waiting), item.minutes_needed, item.minutes_left) == (3, 54, 30)

        hall.clock.advance(minutes=2)
        approved = await lead.approve_extension(asked.id, minutes=45)
        assert approved.status == w.ExtensionStatus.approved
        assert approved.ends_at == local("2026-12-11 18:15")
        assert approved.decided_by is not None and approved.decided_by.staff_no == "2001"
        decided = await clerk_screen.next(w.EventKind.extension_decided)
        assert decided.extension is not None and decided.extension.ends_at == approved.ends_at
    finally:
        await clerk_screen.close()
        await lead_screen.close()

    moved = await clerk.closing(1)
    assert moved.window_end == local("2026-12-11 18:15")
    assert moved.scheduled_end == local("2026-12-11 17:30")
    assert moved.extension is not None and moved.extension.id == asked.id

    for minutes in (18, 20, 19):
        await serve_next(li_hua, 1, hall, minutes)
    assert (await clerk.closing(1)).phase == w.WindowPhase.extended

    hall.clock.set(local("2026-12-11 18:05"))
    closed = await clerk.close_window(1)
    assert closed.scheduled_end == local("2026-12-11 17:30")
    assert closed.window_end == local("2026-12-11 18:15")
    assert closed.actual_end == local("2026-12-11 18:05")
    assert (closed.extension_minutes, closed.overrun, closed.local_date) == (
        45,
        None,
        date(2026, 12, 11),
    )
    assert closed.leftover_tickets == []
    window = next(win for win in await li_hua.windows() if win.number == 1)
    assert window.holder is None  # closing signs the clerk out


async def test_closing_is_refused_while_a_citizen_is_at_the_counter(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    with pytest.raises(errors.Conflict) as refused:
        await ClosingClient(li_hua).close_window(1)
    assert (refused.value.code, refused.value.params["ticket"]) == ("ticket_in_hand", called.code)


async def test_leaving_the_window_after_its_end_is_its_closing_with_the_overrun_recorded(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    hall.clock.set(local("2026-12-11 17:20"))
    await serve_next(li_hua, 1, hall, 22)  # called at 17:20:05, the case runs to 17:42:05

    left = await li_hua.sign_out(1)  # F12 at the counter, no extension asked for
    assert left.holder is None
    [overrun] = await ClosingClient(zhang_wei).overruns(w.OverrunStatus.pending)
    assert (overrun.window, overrun.staff.name, overrun.minutes) == (1, "李华", 12)
    assert (overrun.window_end, overrun.actual_end) == (
        local("2026-12-11 17:30"),
        local("2026-12-11 17:42:05"),
    )


async def test_leaving_after_the_end_with_citizens_waiting_is_refused_under_serve_all(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 16:50"))
    waiting = [await kiosk.issue("bdc-transfer") for _ in range(2)]
    hall.clock.set(local("2026-12-11 17:35"))
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.sign_out(1)
    assert refused.value.code == "citizens_still_waiting"
    assert refused.value.params["tickets"] == [t.code for t in waiting]
    window = next(win for win in await li_hua.windows() if win.number == 1)
    assert window.holder is not None and window.holder.staff.name == "李华"  # still hers


async def test_leaving_for_a_break_before_the_end_is_a_plain_sign_out(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 15:00"))
    await kiosk.issue("bdc-transfer")  # someone is waiting: another clerk may come
    left = await li_hua.sign_out(1)
    assert left.holder is None
    assert await ClosingClient(zhang_wei).overruns() == []
    assert (await kiosk.issue("bdc-transfer")).status == w.TicketStatus.waiting


# --- the kiosk cutoff -----------------------------------------------------------------------


async def test_the_kiosk_stops_each_service_at_its_cutoff_and_says_when_it_opens_next(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 16:49"))
    await kiosk.issue("gjj-loan")  # 公积金贷款 stops 40 minutes before closing (hall file)
    hall.clock.set(local("2026-12-11 16:50"))
    with pytest.raises(errors.Conflict) as loan:
        await kiosk.issue("gjj-loan")
    assert loan.value.code == "service_closed_for_today"
    assert loan.value.params["cutoff_minutes"] == 40

    hall.clock.set(local("2026-12-11 17:09"))
    await kiosk.issue("bdc-transfer")  # 20 minutes: its estimated duration
    hall.clock.set(local("2026-12-11 17:10"))
    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("bdc-transfer")
    assert refused.value.code == "service_closed_for_today"
    assert refused.value.params["next_opening"] == "2026-12-12T09:00:00+08:00"  # 周六值班
    assert "不动产转移登记" in refused.value.message
    assert "Sat 2026-12-12 09:00" in refused.value.message
    assert (await kiosk.issue("hukou")).code == "F001"  # 10 minutes: still issued

    lead_issue = await zhang_wei.issue("bdc-transfer")  # the duty lead may make an exception
    assert lead_issue.status == w.TicketStatus.waiting


async def test_a_lunch_break_is_a_closing_for_the_kiosk(hall: RunningHall) -> None:
    with hall_database(hall) as session:
        hid = hall_id(session)
        session.execute(delete(WeeklyHours).where(WeeklyHours.hall_id == hid))
        for weekday in range(5):
            for start, end in (("09:00", "12:00"), ("13:30", "17:30")):
                session.add(
                    WeeklyHours(
                        hall_id=hid,
                        weekday=weekday,
                        start_time=time.fromisoformat(start),
                        end_time=time.fromisoformat(end),
                    )
                )
    hall.clock.set(local("2026-12-11 11:55"))
    kiosk = await signed_in(hall, "kiosk1")
    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("hukou")
    assert refused.value.code == "service_closed_before_break"
    assert refused.value.params["next_opening"] == "2026-12-11T13:30:00+08:00"
    await kiosk.aclose()


# --- day types ------------------------------------------------------------------------------


async def test_make_up_saturday_2026_02_14_keeps_ordinary_workday_hours(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    hall.clock.set(local("2026-02-14 12:30"))  # the clients' sign-ins are still valid then
    today = await ClosingClient(li_hua).calendar_today()
    assert (today.day.day_type, today.day.make_up_workday) == (w.DayType.workday, True)
    assert today.day.sessions == []  # 调休上班: ordinary hours, no Saturday duty
    assert [(i.start, i.end) for i in today.day.intervals] == [
        (local("2026-02-14 09:00"), local("2026-02-14 17:30"))
    ]
    assert (await kiosk.issue("bdc-transfer")).local_date == date(2026, 2, 14)  # past 12:00

    hall.clock.set(local("2026-02-14 17:00"))
    banner = await ClosingClient(li_hua).closing(1)
    assert (banner.scheduled_end, banner.minutes_left) == (local("2026-02-14 17:30"), 30)


async def test_national_day_2026_10_01_is_closed_unless_a_session_is_set(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-10-01 10:00"))
    lead = ClosingClient(zhang_wei)
    today = await lead.calendar_today()
    assert (today.day.day_type, today.day.holiday_name) == (w.DayType.statutory_holiday, "国庆节")
    assert (today.day.intervals, today.open_now) == ([], False)
    assert today.next_opening == local("2026-10-08 09:00")  # the Saturday rule skips 10-03
    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("hukou")
    assert refused.value.code == "hall_closed"
    assert refused.value.params["next_opening"] == "2026-10-08T09:00:00+08:00"

    add_session(hall, date(2026, 10, 1), "09:00", "12:00", "国庆值班")
    today = await lead.calendar_today()
    assert today.day.day_type == w.DayType.statutory_holiday
    assert today.day.sessions == ["国庆值班"]
    assert (today.open_now, today.closes_at) == (True, local("2026-10-01 12:00"))
    assert (await kiosk.issue("hukou")).code == "F001"


async def test_a_saturday_duty_session_opens_the_hall_for_the_morning(hall: RunningHall) -> None:
    hall.clock.set(local("2026-12-12 09:00"))
    kiosk, wang = await signed_in(hall, "kiosk1"), await at_window(hall, "1002", 8)
    today = await ClosingClient(wang).calendar_today()
    assert (today.day.day_type, today.day.sessions) == (w.DayType.rest_day, ["周六值班"])
    assert today.closes_at == local("2026-12-12 12:00")
    ticket = await kiosk.issue("hukou")
    done = await serve_next(wang, 8, hall, 12)
    assert done.code == ticket.code
    banner = await ClosingClient(wang).closing(8)
    assert (banner.scheduled_end, banner.final_closing) == (local("2026-12-12 12:00"), True)
    assert banner.next_opening == local("2026-12-14 09:00")

    hall.clock.set(local("2026-12-12 11:51"))
    with pytest.raises(errors.Conflict) as refused:
        await kiosk.issue("hukou")
    assert refused.value.code == "service_closed_for_today"
    assert refused.value.params["next_opening"] == "2026-12-14T09:00:00+08:00"
    assert "Mon 2026-12-14 09:00" in refused.value.message
    for client in (kiosk, wang):
        await client.aclose()


async def test_a_night_session_crossing_midnight_belongs_to_the_day_it_starts(
    hall: RunningHall,
) -> None:
    add_session(hall, date(2026, 12, 12), "20:00", "02:00", "夜间值班")
    hall.clock.set(local("2026-12-12 23:40"))
    kiosk, wang = await signed_in(hall, "kiosk1"), await at_window(hall, "1002", 8)
    before = await kiosk.issue("hukou")
    assert (before.code, before.local_date) == ("F001", date(2026, 12, 12))

    # Signed in before midnight, 王芳 keeps working: her sign-in lasts the night session and
    # two hours more for an extension (not local midnight, as on an ordinary day).
    assert (await wang.me()).token_expires_at == local("2026-12-13 04:00")

    hall.clock.set(local("2026-12-13 00:30"))
    after = await kiosk.issue("hukou")  # a new local date, but the same service day
    assert (after.code, after.local_date) == ("F002", date(2026, 12, 12))
    today = await ClosingClient(wang).calendar_today()
    assert (today.day.local_date, today.day.intervals) == (date(2026, 12, 13), [])
    assert (today.open_now, today.closes_at) == (True, local("2026-12-13 02:00"))
    banner = await ClosingClient(wang).closing(8)
    assert (banner.phase, banner.scheduled_end) == (w.WindowPhase.open, local("2026-12-13 02:00"))
    assert [t.code for t in banner.waiting] == ["F001", "F002"]

    for _ in range(2):
        await serve_next(wang, 8, hall, 10)
    hall.clock.set(local("2026-12-13 02:10"))
    closed = await ClosingClient(wang).close_window(8)
    assert closed.local_date == date(2026, 12, 12)  # Saturday's session, closed on Sunday
    assert closed.overrun is not None
    assert (closed.overrun.minutes, closed.overrun.status) == (10, w.OverrunStatus.pending)
    for client in (kiosk, wang):
        await client.aclose()


# --- the unconfirmed year -------------------------------------------------------------------


async def test_2027_is_flagged_unconfirmed_to_leads_until_an_admin_confirms_it(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    give_demo_password(hall, "admin")
    admin = await signed_in(hall, "admin")
    lead, clerk = ClosingClient(zhang_wei), ClosingClient(li_hua)
    assert (await lead.calendar_today()).unconfirmed_years == [2027]  # December: next year shows
    assert (await clerk.calendar_today()).unconfirmed_years == []  # not the clerk's business
    assert not (await lead.calendar_day(date(2027, 10, 1))).confirmed

    with pytest.raises(errors.Forbidden) as refused:
        await lead.confirm_year(2027)
    assert refused.value.code == "role_required"

    lead_screen = await live(zhang_wei, 1)
    try:
        confirmed = await ClosingClient(admin).confirm_year(2027)
        assert (confirmed.year, confirmed.confirmed_by) == (2027, "admin")
        event = await lead_screen.next(w.EventKind.calendar_updated)
        assert event.year is not None and event.year.year == 2027
    finally:
        await lead_screen.close()
    assert (await lead.calendar_today()).unconfirmed_years == []
    assert (await lead.calendar_day(date(2027, 10, 1))).confirmed
    await admin.aclose()


async def test_in_2027_the_year_itself_is_flagged(hall: RunningHall) -> None:
    hall.clock.set(local("2027-03-01 10:00"))
    zhang = await signed_in(hall, "2001")
    today = await ClosingClient(zhang).calendar_today()
    assert (today.unconfirmed_years, today.day.confirmed) == ([2027], False)
    await zhang.aclose()


def test_the_example_hall_file_carries_the_calendar() -> None:
    from clerkdesk.demo import example_hall

    calendar = example_hall().calendar
    assert calendar.weekly["fri"] == ["09:00-17:30"]
    assert [(s.weekday, s.hours) for s in calendar.sessions] == [("sat", ["09:00-12:00"])]
    assert calendar.end_of_day == w.EndOfDayRule.serve_all
    assert calendar.auto_approve_minutes == 0


def test_a_hall_file_calendar_is_checked_before_import() -> None:
    from clerkdesk.hall.setup.hall_file import HallFileError, parse_hall

    base = {"hall": {"code": "h", "name": "某中心"}}
    problems = [
        {"weekly": {"sat": ["09:00-12:00"]}},  # weekends are duty sessions
        {"weekly": {"mon": ["9-17"]}},
        {"sessions": [{"hours": ["09:00-12:00"]}]},  # neither a date nor a weekday
        {"end_of_day": "forget_them"},
    ]
    for calendar in problems:
        with pytest.raises(HallFileError):
            parse_hall({**base, "calendar": calendar})
    night = parse_hall(
        {**base, "calendar": {"sessions": [{"date": date(2026, 12, 12), "hours": ["20:00-02:00"]}]}}
    )
    assert night.calendar.sessions[0].date == date(2026, 12, 12)
