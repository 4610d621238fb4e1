"""Appointment slots, places and check-in as pure rules (rules.appointments): the kinds of day,
a make-up workday, a holiday session, a night session past midnight, the check-in window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerkdesk.hall.rules import appointments as rules
from clerkdesk.hall.rules.calendar import DutySession, HallCalendar, OpeningInterval, WeeklySchedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAT = 5


def hours(start: str, end: str) -> OpeningInterval:
    return OpeningInterval(time.fromisoformat(start), time.fromisoformat(end))


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def utc(text: str) -> datetime:
    return local(text).astimezone(UTC)


CALENDAR = HallCalendar(
    "Asia/Shanghai",
    WeeklySchedule.workdays([hours("09:00", "12:00"), hours("13:30", "17:30")]),
    (
        DutySession(None, SAT, (hours("09:00", "12:00"),), "周六值班"),
        DutySession(date(2026, 10, 1), None, (hours("09:00", "11:00"),), "国庆值班"),
        DutySession(date(2026, 12, 18), None, (hours("22:00", "00:30"),), "夜间值班"),
    ),
)
EVERY_DAY = rules.SlotRule(30, 2, frozenset(rules.SESSION_KINDS))
WEEKEND_ONLY = rules.SlotRule(30, 3, frozenset({rules.WEEKEND, rules.HOLIDAY}))
POLICY = rules.Policy(early_minutes=30, grace_minutes=10, days_ahead=14)


def starts(slots: list[rules.Slot]) -> list[str]:
    return [f"{s.start.astimezone(SHANGHAI):%H:%M}" for s in slots]


def test_a_workday_with_a_lunch_break_has_no_slot_across_the_break() -> None:
    friday = rules.slots_on(
        CALENDAR, date(2026, 12, 11), rules.SlotRule(45, 1, frozenset({"ordinary"}))
    )
    assert starts(friday) == [
        "09:00", "09:45", "10:30",  # 11:15-12:00 ends at the break: offered
        "11:15",
        "13:30", "14:15", "15:00", "15:45", "16:30",  # 17:15 would end 18:00: not offered
    ]  # fmt: skip
    assert {s.kind for s in friday} == {rules.ORDINARY}


def test_the_saturday_session_is_weekend_and_a_weekend_only_service_skips_workdays() -> None:
    saturday = rules.slots_on(CALENDAR, date(2026, 12, 12), WEEKEND_ONLY)
    assert starts(saturday) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert {s.kind for s in saturday} == {rules.WEEKEND}
    assert rules.slots_on(CALENDAR, date(2026, 12, 11), WEEKEND_ONLY) == []
    assert rules.slots_on(CALENDAR, date(2026, 12, 13), EVERY_DAY) == []  # Sunday: closed


def test_a_make_up_workday_saturday_is_ordinary_and_national_day_is_holiday() -> None:
    makeup = rules.slots_on(CALENDAR, date(2026, 2, 14), EVERY_DAY)  # 调休上班
    assert {s.kind for s in makeup} == {rules.ORDINARY}
    assert starts(makeup)[0] == "09:00" and starts(makeup)[-1] == "17:00"
    assert rules.slots_on(CALENDAR, date(2026, 2, 14), WEEKEND_ONLY) == []
    national_day = rules.slots_on(CALENDAR, date(2026, 10, 1), WEEKEND_ONLY)
    assert starts(national_day) == ["09:00", "09:30", "10:00", "10:30"]
    assert {s.kind for s in national_day} == {rules.HOLIDAY}
    assert rules.slots_on(CALENDAR, date(2026, 10, 2), EVERY_DAY) == []  # a holiday, no session


def test_a_night_session_past_midnight_keeps_its_date_and_is_found_from_either_side() -> None:
    night = [
        s
        for s in rules.slots_on(CALENDAR, date(2026, 12, 18), EVERY_DAY)
        if s.start >= utc("2026-12-18 22:00")
    ]
    assert starts(night) == ["22:00", "22:30", "23:00", "23:30", "00:00"]
    assert {s.local_date for s in night} == {date(2026, 12, 18)}
    found = rules.find_slot(CALENDAR, local("2026-12-19 00:00"), EVERY_DAY)
    assert found is not None and found.local_date == date(2026, 12, 18)
    assert rules.find_slot(CALENDAR, local("2026-12-19 00:15"), EVERY_DAY) is None


def test_the_check_in_window_and_when_a_booking_is_missed() -> None:
    ten = utc("2026-12-12 10:00")
    booked_friday = utc("2026-12-11 09:00")
    until = rules.check_in_until(ten, booked_friday, POLICY)
    assert until == utc("2026-12-12 10:10")
    assert rules.check_in_from(ten, POLICY) == utc("2026-12-12 09:30")
    verdicts = {
        moment: rules.check_in_verdict(ten, until, utc(f"2026-12-12 {moment}"), POLICY)
        for moment in ("09:29", "09:30", "10:09", "10:10")
    }
    assert verdicts == {
        "09:29": rules.CheckIn.too_early,
        "09:30": rules.CheckIn.ok,
        "10:09": rules.CheckIn.ok,
        "10:10": rules.CheckIn.missed,
    }
    assert rules.status_at(rules.BOOKED, until, utc("2026-12-12 10:10")) == rules.MISSED
    assert not rules.holds_place(rules.BOOKED, until, utc("2026-12-12 10:10"))
    assert rules.holds_place(rules.CHECKED_IN, until, utc("2026-12-12 11:00"))
    # booked at 10:12 into the place a missed booking freed: ten minutes from then
    assert rules.check_in_until(ten, utc("2026-12-12 10:12"), POLICY) == utc("2026-12-12 10:22")


@given(
    early=st.integers(0, 240),
    grace=st.integers(0, 120),
    offset=st.integers(-300, 300),
    booked_before=st.integers(-60, 3000),
)
def test_a_booking_holds_its_place_exactly_until_it_is_missed(
    early: int, grace: int, offset: int, booked_before: int
) -> None:
    policy = rules.Policy(early, grace, 14)
    start = utc("2026-12-12 10:00")
    booked = start - timedelta(minutes=booked_before)
    until = rules.check_in_until(start, booked, policy)
    now = start + timedelta(minutes=offset)
    holds = rules.holds_place(rules.BOOKED, until, now)
    verdict = rules.check_in_verdict(start, until, now, policy)
    assert holds == (verdict is not rules.CheckIn.missed)
    assert until >= start + timedelta(minutes=grace)


def test_next_free_skips_full_and_finished_slots() -> None:
    saturday = rules.slots_on(CALENDAR, date(2026, 12, 12), WEEKEND_ONLY)
    held = {saturday[0].start: 3, saturday[1].start: 3, saturday[2].start: 1}
    free = rules.next_free(saturday, held, 3, utc("2026-12-12 08:00"), count=2)
    assert starts(free) == ["10:00", "10:30"]
    later = rules.next_free(saturday, {}, 3, utc("2026-12-12 11:45"))
    assert starts(later) == ["11:30"]  # under way until 12:00


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13800138001", "138****8001"), ("+8613800138001", "+86*******8001"), ("12345", "***45")],
)
def test_the_kiosk_reads_a_phone_masked(phone: str, masked: str) -> None:
    assert rules.mask_phone(phone) == masked


def test_names_are_masked_and_phones_compared_without_spaces() -> None:
    assert [rules.mask_name(n) for n in ("周敏", "欧阳娜娜", "", "Li")] == [
        "周*",
        "欧***",
        "",
        "L*",
    ]
    assert rules.normal_phone("138 0013-8001") == "13800138001"
