"""Appointments (预约) over HTTP against the demo hall: slots that follow the hall calendar,
booking up to a slot's capacity, check-in at the kiosk early, in time and late, a missed
booking giving its place back, cancelling, and the citizen's contact kept out of every event.

The demo hall (`clerkdesk/examples/hall.toml`): 户籍业务 (hukou) takes bookings on weekend and
holiday duty sessions, 30-minute slots, 3 places; 不动产转移登记 (bdc-transfer) every kind of
day, 30 minutes, 2 places; 公积金贷款 (gjj-loan) workdays only, an hour, 1 place. Check-in opens
30 minutes before a slot and closes 10 minutes after its start. Friday 2026-12-11 is an
ordinary workday (09:00-17:30); Saturday 2026-12-12 has the weekend duty session 09:00-12:00.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import select

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.appointment_schemas import AppointmentStatus, SessionKind
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import HallClient
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Event
from tests.conftest import RunningHall, local, signed_in

SATURDAY = date(2026, 12, 12)
FRIDAY = date(2026, 12, 11)
# The citizens (name, phone)
ZHOU_MIN = ("周敏", "13800138001")
SUN_LEI = ("孙磊", "13900139002")
WU_TAO = ("吴涛", "13700137003")
QIAN_LI = ("钱丽", "13600136004")
HE_JING = ("何静", "13500135005")


async def kiosk_at(hall: RunningHall, moment: str) -> AppointmentsClient:
    """The hall's clock moved to `moment` and the kiosk signed in then (a sign-in ends at the
    hall's local midnight)."""
    hall.clock.set(local(moment))
    return AppointmentsClient(await signed_in(hall, "kiosk1"))


@pytest.fixture
async def kiosk(hall: RunningHall) -> AsyncIterator[AppointmentsClient]:
    """The kiosk on Friday at 09:00 (the city's app books through the kiosk role too)."""
    client = AppointmentsClient(await signed_in(hall, "kiosk1"))
    yield client
    await client.client.aclose()


async def refused(call: object) -> errors.ApiError:
    try:
        await call  # type: ignore[misc]
    except errors.ApiError as refusal:
        return refusal
    raise AssertionError("it was not refused")


def hm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


# --- slots -------------------------------------------------------------------------------------


async def test_the_saturday_duty_session_gives_six_half_hour_hukou_slots(
    kiosk: AppointmentsClient,
) -> None:
    offered = await kiosk.services()
    assert [s.service for s in offered.services] == [
        "bdc-transfer",
        "gjj-loan",
        "hukou",
        "shebao-card",
    ]
    assert (offered.check_in_early_minutes, offered.grace_minutes) == (30, 10)

    saturday = await kiosk.slots("hukou", SATURDAY)
    assert [(hm(s.start), hm(s.end)) for s in saturday.slots] == [
        ("09:00", "09:30"),
        ("09:30", "10:00"),
        ("10:00", "10:30"),
        ("10:30", "11:00"),
        ("11:00", "11:30"),
        ("11:30", "12:00"),
    ]
    assert {(s.kind, s.capacity, s.booked, s.left, s.open) for s in saturday.slots} == {
        (SessionKind.weekend, 3, 0, 3, True)
    }
    assert saturday.slots[0].start.isoformat() == "2026-12-12T09:00:00+08:00"
    # 户籍业务 takes no bookings on a workday; 公积金贷款 only on workdays.
    assert (await kiosk.slots("hukou", FRIDAY)).slots == []
    assert (await kiosk.slots("gjj-loan", SATURDAY)).slots == []


async def test_an_ordinary_friday_gives_the_slots_left_of_the_open_hours(
    hall: RunningHall, kiosk: AppointmentsClient
) -> None:
    hall.clock.set(local("2026-12-11 15:10"))
    loans = await kiosk.slots("gjj-loan")  # today: those not over yet
    assert [(hm(s.start), s.kind, s.open) for s in loans.slots] == [
        ("15:00", SessionKind.ordinary, True),  # under way: still bookable until 16:00
        ("16:00", SessionKind.ordinary, True),  # 17:00-18:00 would run past closing
    ]
    week = await kiosk.slots("gjj-loan", FRIDAY, days=4)  # Friday .. Monday
    assert sorted({s.local_date for s in week.slots}) == [FRIDAY, date(2026, 12, 14)]
    assert week.last_date == date(2026, 12, 25)  # 14 days ahead


async def test_slots_beyond_the_days_ahead_are_not_offered_and_not_booked(
    kiosk: AppointmentsClient,
) -> None:
    assert (await kiosk.slots("hukou", date(2026, 12, 26))).slots == []
    refusal = await refused(
        kiosk.book("hukou", local("2026-12-26 09:00"), ZHOU_MIN[1], ZHOU_MIN[0])
    )
    assert (refusal.status, refusal.code) == (409, "too_far_ahead")
    assert refusal.params["last_date"] == "2026-12-25"


async def test_a_start_that_is_no_slot_and_a_service_without_bookings_are_refused(
    kiosk: AppointmentsClient,
) -> None:
    not_a_slot = await refused(kiosk.book("hukou", local("2026-12-12 09:15"), ZHOU_MIN[1]))
    assert (not_a_slot.status, not_a_slot.code) == (409, "not_a_slot")
    none = await refused(kiosk.book("id-card", local("2026-12-12 09:00"), ZHOU_MIN[1]))
    assert (none.status, none.code) == (409, "no_appointments")
    unknown = await refused(kiosk.slots("no-such-service"))
    assert (unknown.status, unknown.code) == (404, "service_not_found")


# --- booking up to capacity ----------------------------------------------------------------------


async def test_the_fourth_booking_of_a_three_place_slot_is_told_the_next_free_ones(
    kiosk: AppointmentsClient,
) -> None:
    ten = local("2026-12-12 10:00")
    for name, phone in (ZHOU_MIN, SUN_LEI, WU_TAO):
        booked = await kiosk.book("hukou", ten, phone, name)
        assert booked.status is AppointmentStatus.booked
        assert len(booked.code) == 6 and booked.code.isdigit()
    # the 10:30 slot fills too; 09:00 and 09:30 come before 10:00: not offered
    for name, phone in (("甲", "13100000001"), ("乙", "13100000002"), ("丙", "13100000003")):
        await kiosk.book("hukou", local("2026-12-12 10:30"), phone, name)

    full = await refused(kiosk.book("hukou", ten, QIAN_LI[1], QIAN_LI[0]))
    assert (full.status, full.code) == (409, "slot_full")
    assert full.params["next_free"] == [
        "2026-12-12T11:00:00+08:00",
        "2026-12-12T11:30:00+08:00",
        "2026-12-19T09:00:00+08:00",  # the next Saturday's session
    ]
    slots = {hm(s.start): s for s in (await kiosk.slots("hukou", SATURDAY)).slots}
    assert (slots["10:00"].booked, slots["10:00"].left, slots["10:00"].open) == (3, 0, False)
    assert (slots["11:00"].booked, slots["11:00"].left) == (0, 3)


async def test_one_phone_holds_one_booking_of_a_service_a_day(kiosk: AppointmentsClient) -> None:
    await kiosk.book("hukou", local("2026-12-12 09:00"), ZHOU_MIN[1], ZHOU_MIN[0])
    twice = await refused(kiosk.book("hukou", local("2026-12-12 11:00"), "138 0013 8001"))
    assert (twice.status, twice.code) == (409, "already_booked")
    assert twice.params["start"] == "2026-12-12T09:00:00+08:00"
    # another service the same day is her right
    await kiosk.book("bdc-transfer", local("2026-12-12 09:00"), ZHOU_MIN[1], ZHOU_MIN[0])


async def test_a_double_tap_books_one_place(kiosk: AppointmentsClient) -> None:
    key = uuid.uuid4().hex
    first = await kiosk.book("hukou", local("2026-12-12 09:00"), ZHOU_MIN[1], ZHOU_MIN[0], key=key)
    again = await kiosk.book("hukou", local("2026-12-12 09:00"), ZHOU_MIN[1], ZHOU_MIN[0], key=key)
    assert again == first
    slot = (await kiosk.slots("hukou", SATURDAY)).slots[0]
    assert slot.booked == 1


# --- check-in at the kiosk -----------------------------------------------------------------------


async def test_saturday_check_in_early_in_time_and_late(hall: RunningHall) -> None:
    """周敏 booked hukou at 10:00, 孙磊 at 10:30 (from the city's app, on Friday). On Saturday
    周敏 comes at 09:20: too early, back at 09:30; at 09:35 she gets her ticket. 吴涛 takes a
    normal hukou ticket at 09:34. At 09:50 王芳 (window 8) would call 吴涛 first: 周敏's slot has
    not begun; at 10:00 周敏 goes first. 孙磊 comes at 10:41: missed, a normal ticket for him."""
    app = AppointmentsClient(await signed_in(hall, "kiosk1"))  # Friday 09:00
    zhou = await app.book("hukou", local("2026-12-12 10:00"), ZHOU_MIN[1], ZHOU_MIN[0])
    sun = await app.book("hukou", local("2026-12-12 10:30"), SUN_LEI[1], SUN_LEI[0])
    await app.client.aclose()

    kiosk = await kiosk_at(hall, "2026-12-12 09:20")
    wang_fang = await signed_in(hall, "1002")
    await wang_fang.sign_in(8)
    try:
        early = await refused(kiosk.check_in(zhou.code))
        assert (early.status, early.code) == (409, "check_in_too_early")
        assert early.params["check_in_from"] == "2026-12-12T09:30:00+08:00"

        hall.clock.set(local("2026-12-12 09:34"))
        wu_tao = await kiosk.client.issue("hukou")
        hall.clock.set(local("2026-12-12 09:35"))
        answer = await kiosk.check_in(zhou.code)
        assert answer.appointment.status is AppointmentStatus.checked_in
        assert answer.appointment.ticket == answer.ticket.code
        assert answer.ticket.priority is w.Priority.appointment
        assert answer.ticket.appointment_at == local("2026-12-12 10:00")
        assert answer.ticket.service == "hukou"

        hall.clock.set(local("2026-12-12 09:50"))
        queue = await wang_fang.queue(8)
        assert [t.code for t in queue.tickets] == [wu_tao.code, answer.ticket.code]
        hall.clock.set(local("2026-12-12 10:00"))
        queue = await wang_fang.queue(8)
        assert [t.code for t in queue.tickets] == [answer.ticket.code, wu_tao.code]
        called = await wang_fang.call_next(8)
        assert called.code == answer.ticket.code

        hall.clock.set(local("2026-12-12 10:41"))
        late = await refused(kiosk.check_in(sun.code))
        assert (late.status, late.code) == (409, "appointment_missed")
        assert late.params["check_in_until"] == "2026-12-12T10:40:00+08:00"
        assert (await kiosk.by_code(sun.code)).status is AppointmentStatus.missed
        normal = await kiosk.client.issue("hukou")  # what the refusal told him to do
        assert normal.priority is w.Priority.normal
    finally:
        await kiosk.client.aclose()
        await wang_fang.aclose()


async def test_an_appointment_ticket_is_issued_past_the_kiosk_cutoff(hall: RunningHall) -> None:
    """A Saturday 11:30 slot: the kiosk stops issuing hukou tickets at 11:50 (ten minutes
    before the 12:00 closing), yet 何静, booked at 11:30, checks in at 11:38 and gets hers."""
    app = AppointmentsClient(await signed_in(hall, "kiosk1"))
    he_jing = await app.book("hukou", local("2026-12-12 11:30"), HE_JING[1], HE_JING[0])
    await app.client.aclose()
    kiosk = await kiosk_at(hall, "2026-12-12 11:51")
    try:
        cut = await refused(kiosk.client.issue("hukou"))
        assert cut.code == "service_closed_for_today"
        hall.clock.set(local("2026-12-12 11:39"))
        answer = await kiosk.check_in(he_jing.code)
        assert answer.ticket.priority is w.Priority.appointment
    finally:
        await kiosk.client.aclose()


async def test_a_second_check_in_says_which_ticket_and_a_repeat_replays(
    hall: RunningHall,
) -> None:
    app = AppointmentsClient(await signed_in(hall, "kiosk1"))
    zhou = await app.book("hukou", local("2026-12-12 09:00"), ZHOU_MIN[1], ZHOU_MIN[0])
    await app.client.aclose()
    kiosk = await kiosk_at(hall, "2026-12-12 08:45")
    try:
        key = uuid.uuid4().hex
        first = await kiosk.check_in(zhou.code, key=key)
        assert await kiosk.check_in(zhou.code, key=key) == first  # a double tap: one ticket
        again = await refused(kiosk.check_in(zhou.code))
        assert (again.status, again.code) == (409, "already_checked_in")
        assert again.params["ticket"] == first.ticket.code
        wrong = await refused(kiosk.check_in("000000" if zhou.code != "000000" else "000001"))
        assert (wrong.status, wrong.code) == (404, "appointment_not_found")
    finally:
        await kiosk.client.aclose()


async def test_a_check_in_whose_ticket_did_not_print_can_be_made_again(
    hall: RunningHall,
) -> None:
    """周敏 checks in at 08:50 for 09:00; the kiosk's printer jams, so it cancels the ticket
    (`print_failed`). Her booking is hers again: the same code checks her in once more, with
    a new appointment ticket, and the jammed one stays cancelled."""
    app = AppointmentsClient(await signed_in(hall, "kiosk1"))
    zhou = await app.book("hukou", local("2026-12-12 09:00"), ZHOU_MIN[1], ZHOU_MIN[0])
    await app.client.aclose()
    kiosk = await kiosk_at(hall, "2026-12-12 08:50")
    try:
        jammed = await kiosk.check_in(zhou.code)
        cancelled = await kiosk.client.cancel(jammed.ticket.id, "print_failed")
        assert cancelled.status is w.TicketStatus.cancelled
        again = await kiosk.check_in(zhou.code)
        assert again.ticket.id != jammed.ticket.id
        assert again.ticket.priority is w.Priority.appointment
        assert again.appointment.status is AppointmentStatus.checked_in
    finally:
        await kiosk.client.aclose()


async def test_a_missed_booking_gives_its_place_back_after_the_grace_minutes(
    hall: RunningHall,
) -> None:
    """The 09:00 hukou slot is full (three bookings). Nobody of them comes: at 09:10 the places
    are free, 钱丽 books 09:00 at the kiosk at 09:12 and checks in at once; she has until
    09:22."""
    app = AppointmentsClient(await signed_in(hall, "kiosk1"))
    nine = local("2026-12-12 09:00")
    for name, phone in (ZHOU_MIN, SUN_LEI, WU_TAO):
        await app.book("hukou", nine, phone, name)
    await app.client.aclose()

    kiosk = await kiosk_at(hall, "2026-12-12 09:09")
    try:
        assert (await refused(kiosk.book("hukou", nine, QIAN_LI[1]))).code == "slot_full"
        hall.clock.set(local("2026-12-12 09:10"))
        slot = (await kiosk.slots("hukou", SATURDAY)).slots[0]
        assert (hm(slot.start), slot.booked, slot.left, slot.open) == ("09:00", 0, 3, True)
        hall.clock.set(local("2026-12-12 09:12"))
        qian = await kiosk.book("hukou", nine, QIAN_LI[1], QIAN_LI[0])
        assert qian.check_in_until == local("2026-12-12 09:22")
        answer = await kiosk.check_in(qian.code)
        assert answer.ticket.priority is w.Priority.appointment
        # the slot is over at 09:30: nothing is booked into it any more
        hall.clock.set(local("2026-12-12 09:30"))
        over = await refused(kiosk.book("hukou", nine, HE_JING[1]))
        assert over.code == "slot_over"
    finally:
        await kiosk.client.aclose()


async def test_an_ordinary_day_booking_checks_in_and_is_called_at_its_slot(
    hall: RunningHall, li_hua: HallClient
) -> None:
    """Friday: 吴涛 books 不动产转移登记 at 14:00, checks in at 13:50 and is called by 李华
    (window 1) at 14:02 ahead of the deed transfer issued at 13:40."""
    kiosk = AppointmentsClient(await signed_in(hall, "kiosk1"))
    try:
        wu = await kiosk.book("bdc-transfer", local("2026-12-11 14:00"), WU_TAO[1], WU_TAO[0])
        assert wu.kind is SessionKind.ordinary
        hall.clock.set(local("2026-12-11 13:40"))
        walk_in = await kiosk.client.issue("bdc-transfer")
        hall.clock.set(local("2026-12-11 13:50"))
        answer = await kiosk.check_in(wu.code)
        hall.clock.set(local("2026-12-11 14:02"))
        called = await li_hua.call_next(1)
        assert called.code == answer.ticket.code
        assert called.priority is w.Priority.appointment
        assert (await li_hua.queue(1)).tickets[0].code == walk_in.code
    finally:
        await kiosk.client.aclose()


# --- cancelling ----------------------------------------------------------------------------------


async def test_cancelling_needs_the_code_at_the_kiosk_and_frees_the_place(
    hall: RunningHall, kiosk: AppointmentsClient, zhang_wei: HallClient
) -> None:
    ten = local("2026-12-12 10:00")
    zhou = await kiosk.book("hukou", ten, ZHOU_MIN[1], ZHOU_MIN[0])
    sun = await kiosk.book("hukou", ten, SUN_LEI[1], SUN_LEI[0])
    wrong = "111111" if zhou.code != "111111" else "222222"
    for code in (None, wrong):
        refusal = await refused(kiosk.cancel(zhou.id, code=code))
        assert (refusal.status, refusal.code) == (404, "appointment_not_found")
    cancelled = await kiosk.cancel(zhou.id, code=zhou.code, reason="有事来不了")
    assert cancelled.status is AppointmentStatus.cancelled
    twice = await refused(kiosk.cancel(zhou.id, code=zhou.code))
    assert twice.code == "appointment_cancelled"
    # the duty lead cancels without the code
    lead = AppointmentsClient(zhang_wei)
    by_lead = await lead.cancel(sun.id, reason="citizen phoned")
    assert by_lead.status is AppointmentStatus.cancelled
    slot = {hm(s.start): s for s in (await kiosk.slots("hukou", SATURDAY)).slots}["10:00"]
    assert (slot.booked, slot.left) == (0, 3)
    saturday = await kiosk_at(hall, "2026-12-12 09:45")  # 周敏 came after all
    try:
        gone = await refused(saturday.check_in(zhou.code))
        assert (gone.status, gone.code) == (409, "appointment_cancelled")
    finally:
        await saturday.client.aclose()


# --- personal data -------------------------------------------------------------------------------


async def test_the_kiosk_reads_the_contact_masked_and_no_event_carries_it(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    app = AppointmentsClient(await signed_in(hall, "kiosk1"))
    zhou = await app.book("hukou", local("2026-12-12 09:30"), "138-0013-8001", ZHOU_MIN[0])
    assert (zhou.name, zhou.phone) == ("周*", "138****8001")
    lead = AppointmentsClient(zhang_wei)
    assert ((await lead.appointment(zhou.id)).name, (await lead.appointment(zhou.id)).phone) == (
        "周敏",
        "13800138001",
    )
    assert [a.code for a in await lead.appointments(SATURDAY)] == [zhou.code]
    await app.client.aclose()

    kiosk = await kiosk_at(hall, "2026-12-12 09:05")
    try:
        shown = await kiosk.by_code(zhou.code)
        assert (shown.name, shown.phone) == ("周*", "138****8001")
        answer = await kiosk.check_in(zhou.code)
        assert answer.ticket.notes == ""
        raw = await _replay_text(hall, kiosk.client)
        assert answer.ticket.code in raw
        assert '"priority":"normal"' in raw
        assert '"priority":"appointment"' not in raw  # the kiosk's stream: number, service, window
    finally:
        await kiosk.client.aclose()
    engine = make_engine(hall.database_url)
    try:
        with engine.connect() as conn:
            payloads = " ".join(str(p) for p in conn.scalars(select(Event.payload)))
    finally:
        engine.dispose()
    assert "周敏" not in payloads and "13800138001" not in payloads


async def _replay_text(hall: RunningHall, client: HallClient) -> str:
    """The kiosk's event stream from the start, as sent, up to the newest event now."""
    engine = make_engine(hall.database_url)
    try:
        with engine.connect() as conn:
            newest = max(conn.scalars(select(Event.id)))
    finally:
        engine.dispose()
    text, last_seen = "", False
    headers = {**client.auth_headers(), "Last-Event-ID": "0"}
    async with (
        httpx.AsyncClient(base_url=hall.url, timeout=10) as http,
        http.stream("GET", "/events", headers=headers) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            text += line + "\n"
            if last_seen and not line:  # the newest event's data has come
                return text
            last_seen = last_seen or line == f"id: {newest}"
    raise AssertionError("the replay ended early")
