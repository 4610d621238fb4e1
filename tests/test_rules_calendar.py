"""The hall calendar at the counter: opening hours, closing, the kiosk cutoff, local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerkdesk.hall.rules.calendar import (
    DutySession,
    HallCalendar,
    OpeningInterval,
    WeeklySchedule,
    accepts_tickets,
    closing_time,
    day_closing,
    day_info,
    is_open,
    minutes_until_closing,
    next_opening,
    opening_intervals,
    service_cutoff,
    service_day,
    sessions_on,
    split_by_local_date,
    worked_parts,
    working_day_end,
)
from clerkdesk.hall.rules.day_types import DayType

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
SAT, THU = 5, 3


def hours(start: str, end: str) -> OpeningInterval:
    return OpeningInterval(time.fromisoformat(start), time.fromisoformat(end))


def local(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    """A hall-local wall-clock moment, e.g. "2026-12-11 17:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def utc(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return local(text, zone).astimezone(UTC)


ORDINARY = WeeklySchedule.workdays([hours("09:00", "17:30")])
SATURDAY_DUTY = DutySession(None, SAT, (hours("09:00", "12:00"),), "周六值班")


def hall(
    *sessions: DutySession,
    weekly: WeeklySchedule = ORDINARY,
    zone: str = "Asia/Shanghai",
    overrides: dict[date, DayType] | None = None,
) -> HallCalendar:
    return HallCalendar(zone, weekly, sessions, overrides or {})


def test_friday_2026_12_11_opens_0900_to_1730_in_the_hall_zone() -> None:
    intervals = opening_intervals(hall(), date(2026, 12, 11))
    assert intervals == [(local("2026-12-11 09:00"), local("2026-12-11 17:30"))]
    assert all(start.tzinfo == SHANGHAI for start, _ in intervals)


def test_saturday_2026_02_14_is_a_make_up_workday_with_ordinary_hours() -> None:
    calendar = hall(SATURDAY_DUTY)
    assert day_info(calendar, date(2026, 2, 14)).make_up_workday
    assert opening_intervals(calendar, date(2026, 2, 14)) == [
        (local("2026-02-14 09:00"), local("2026-02-14 17:30"))
    ]
    assert sessions_on(calendar, date(2026, 2, 14)) == ()  # ordinary hours: no duty


def test_a_make_up_workday_takes_friday_hours_unless_configured() -> None:
    weekly = WeeklySchedule(
        ((hours("09:00", "17:30"),),) * 4 + ((hours("09:00", "16:00"),), (), ())
    )
    assert day_closing(hall(weekly=weekly), date(2025, 9, 28)) == local("2025-09-28 16:00")
    configured = WeeklySchedule.workdays([hours("09:00", "17:30")], [hours("08:30", "12:00")])
    assert day_closing(hall(weekly=configured), date(2025, 9, 28)) == local("2025-09-28 12:00")


def test_saturday_2026_12_12_is_open_only_in_the_duty_session() -> None:
    calendar = hall(SATURDAY_DUTY)
    assert opening_intervals(calendar, date(2026, 12, 12)) == [
        (local("2026-12-12 09:00"), local("2026-12-12 12:00"))
    ]
    assert is_open(calendar, utc("2026-12-12 10:00"))
    assert not is_open(calendar, utc("2026-12-12 13:00"))
    assert sessions_on(calendar, date(2026, 12, 12)) == (SATURDAY_DUTY,)
    assert opening_intervals(hall(), date(2026, 12, 12)) == []


def test_swapped_rest_day_friday_2026_02_20_is_closed_without_a_session() -> None:
    assert opening_intervals(hall(), date(2026, 2, 20)) == []
    assert not is_open(hall(), utc("2026-02-20 10:00"))


def test_national_day_2026_10_01_is_closed_unless_a_session_is_set() -> None:
    thursday_rule = DutySession(None, THU, (hours("09:00", "12:00"),), "周四延时")
    assert opening_intervals(hall(thursday_rule), date(2026, 10, 1)) == []
    on_the_day = DutySession(date(2026, 10, 1), None, (hours("09:00", "12:00"),), "国庆值班")
    calendar = hall(thursday_rule, on_the_day)
    assert opening_intervals(calendar, date(2026, 10, 1)) == [
        (local("2026-10-01 09:00"), local("2026-10-01 12:00"))
    ]
    assert sessions_on(calendar, date(2026, 10, 1)) == (on_the_day,)


def test_saturday_national_day_2026_10_03_ignores_the_saturday_rule() -> None:
    assert opening_intervals(hall(SATURDAY_DUTY), date(2026, 10, 3)) == []


def test_a_dated_session_adds_evening_hours_to_an_ordinary_workday() -> None:
    evening = DutySession(date(2026, 12, 11), None, (hours("18:00", "20:00"),), "夜间服务")
    assert opening_intervals(hall(evening), date(2026, 12, 11)) == [
        (local("2026-12-11 09:00"), local("2026-12-11 17:30")),
        (local("2026-12-11 18:00"), local("2026-12-11 20:00")),
    ]
    assert day_closing(hall(evening), date(2026, 12, 11)) == local("2026-12-11 20:00")


def test_an_admin_override_opens_or_closes_a_day() -> None:
    closed = hall(overrides={date(2026, 12, 11): DayType.STATUTORY_HOLIDAY})
    assert opening_intervals(closed, date(2026, 12, 11)) == []
    opened = hall(overrides={date(2026, 12, 12): DayType.WORKDAY})
    assert day_closing(opened, date(2026, 12, 12)) == local("2026-12-12 17:30")


LUNCH = WeeklySchedule.workdays([hours("09:00", "12:00"), hours("13:30", "17:30")])


def test_a_lunch_break_closes_at_noon_and_reopens_at_1330() -> None:
    calendar = hall(weekly=LUNCH)
    assert closing_time(calendar, utc("2026-12-11 11:50")) == utc("2026-12-11 12:00")
    assert closing_time(calendar, utc("2026-12-11 11:50")).tzinfo is UTC  # type: ignore[union-attr]
    assert not is_open(calendar, utc("2026-12-11 12:00"))  # half-open: closed at the end
    assert closing_time(calendar, utc("2026-12-11 12:10")) is None
    assert next_opening(calendar, utc("2026-12-11 12:10")) == utc("2026-12-11 13:30")
    assert minutes_until_closing(calendar, utc("2026-12-11 11:50")) == 10
    assert day_closing(calendar, date(2026, 12, 11)) == local("2026-12-11 17:30")


def test_next_opening_inside_an_open_stretch_is_the_next_stretch() -> None:
    calendar = hall(weekly=LUNCH)
    assert next_opening(calendar, utc("2026-12-11 10:00")) == utc("2026-12-11 13:30")
    assert next_opening(calendar, utc("2026-12-11 09:00")) == utc("2026-12-11 09:00")


def test_after_friday_closing_the_next_opening_is_monday_or_the_saturday_session() -> None:
    friday_evening = utc("2026-12-11 18:00")
    assert next_opening(hall(), friday_evening) == utc("2026-12-14 09:00")
    assert next_opening(hall(SATURDAY_DUTY), friday_evening) == utc("2026-12-12 09:00")


def test_after_the_eve_of_national_day_2026_the_hall_reopens_on_october_8() -> None:
    assert next_opening(hall(SATURDAY_DUTY), utc("2026-09-30 18:00")) == utc("2026-10-08 09:00")


def test_make_up_sunday_2026_09_20_opens_at_0900() -> None:
    assert next_opening(hall(), utc("2026-09-19 12:00")) == utc("2026-09-20 09:00")


def test_a_hall_that_never_opens_has_no_next_opening() -> None:
    never = hall(weekly=WeeklySchedule())
    assert next_opening(never, utc("2026-12-11 08:00")) is None
    assert day_closing(never, date(2026, 12, 11)) is None


def test_kiosk_cutoff_is_n_minutes_before_closing() -> None:
    calendar = hall()
    closing = closing_time(calendar, utc("2026-12-11 16:00"))
    assert closing == utc("2026-12-11 17:30")
    assert service_cutoff(closing, 15) == utc("2026-12-11 17:15")
    assert service_cutoff(local("2026-12-11 17:30"), 0) == local("2026-12-11 17:30")
    assert accepts_tickets(calendar, utc("2026-12-11 17:14"), 15)
    assert not accepts_tickets(calendar, utc("2026-12-11 17:15"), 15)
    assert not accepts_tickets(calendar, utc("2026-12-11 08:59"), 15)
    with pytest.raises(ValueError):
        service_cutoff(closing, -1)


def test_kiosk_stops_before_the_lunch_break_too() -> None:
    assert not accepts_tickets(hall(weekly=LUNCH), utc("2026-12-11 11:50"), 15)
    assert accepts_tickets(hall(weekly=LUNCH), utc("2026-12-11 11:44"), 15)


def test_countdown_minutes_round_up_and_none_when_closed() -> None:
    calendar = hall()
    assert minutes_until_closing(calendar, utc("2026-12-11 17:00")) == 30
    assert minutes_until_closing(calendar, utc("2026-12-11 17:29:30")) == 1
    assert minutes_until_closing(calendar, utc("2026-12-11 17:30")) is None


LATE_SATURDAY = DutySession(date(2026, 12, 12), None, (hours("20:00", "02:00"),), "夜间值班")


def test_a_duty_session_crossing_local_midnight_is_split_at_midnight() -> None:
    calendar = hall(LATE_SATURDAY)
    [(start, end)] = opening_intervals(calendar, date(2026, 12, 12))
    assert (start, end) == (local("2026-12-12 20:00"), local("2026-12-13 02:00"))
    assert split_by_local_date(calendar, start, end) == [
        (date(2026, 12, 12), utc("2026-12-12 20:00"), utc("2026-12-13 00:00")),
        (date(2026, 12, 13), utc("2026-12-13 00:00"), utc("2026-12-13 02:00")),
    ]


def test_after_midnight_the_hall_is_still_open_in_saturdays_session() -> None:
    calendar = hall(LATE_SATURDAY)
    assert is_open(calendar, utc("2026-12-13 01:00"))
    assert closing_time(calendar, utc("2026-12-13 01:00")) == utc("2026-12-13 02:00")
    assert opening_intervals(calendar, date(2026, 12, 13)) == []  # the interval is Saturday's


def test_a_sign_in_ends_at_local_midnight_unless_the_hall_is_open_across_it() -> None:
    calendar = hall(LATE_SATURDAY)
    # An ordinary Friday: the working day ends at midnight, hours after the 17:30 closing.
    assert working_day_end(calendar, utc("2026-12-11 08:50")) == utc("2026-12-12 00:00")
    # Saturday's night session runs to 02:00: signed in before it or during it, the day ends
    # two hours after it (room for an extension), not at midnight in front of a citizen.
    assert working_day_end(calendar, utc("2026-12-12 19:30")) == utc("2026-12-13 04:00")
    assert working_day_end(calendar, utc("2026-12-12 23:40")) == utc("2026-12-13 04:00")
    # A session closing at 23:50: room for an extension past midnight too.
    late = hall(DutySession(date(2026, 12, 11), None, (hours("20:00", "23:50"),), "晚间"))
    assert working_day_end(late, utc("2026-12-11 19:30")) == utc("2026-12-12 01:50")
    # Signed in after midnight on Sunday (no hours of its own): Sunday's midnight.
    assert working_day_end(calendar, utc("2026-12-13 00:30")) == utc("2026-12-14 00:00")


def test_a_night_session_belongs_to_the_service_day_it_opened_on() -> None:
    night = DutySession(date(2026, 12, 11), None, (hours("22:00", "00:30"),), "夜间值班")
    calendar = hall(night)
    friday, saturday = date(2026, 12, 11), date(2026, 12, 12)
    assert service_day(calendar, utc("2026-12-11 09:00")) == friday
    assert service_day(calendar, utc("2026-12-11 23:50")) == friday
    # Past midnight, still Friday's session: still Friday's service day.
    assert service_day(calendar, utc("2026-12-12 00:00")) == friday
    assert service_day(calendar, utc("2026-12-12 00:29")) == friday
    # Closing up after it (an extension to 00:45): Friday's, for two hours at most.
    assert service_day(calendar, utc("2026-12-12 00:46")) == friday
    assert service_day(calendar, utc("2026-12-12 02:30")) == saturday
    # An ordinary evening and the small hours after it belong to their own date.
    assert service_day(hall(), utc("2026-12-11 20:00")) == friday
    assert service_day(hall(), utc("2026-12-12 00:10")) == saturday
    # Saturday's own morning session is Saturday's.
    assert service_day(hall(SATURDAY_DUTY, night), utc("2026-12-12 09:30")) == saturday


def test_an_overrun_across_midnight_is_split_with_each_dates_day_type() -> None:
    calendar = hall()
    friday, saturday = date(2026, 12, 11), date(2026, 12, 12)
    parts = worked_parts(calendar, utc("2026-12-11 23:50"), utc("2026-12-12 00:20"))
    assert [(p.local_date, p.day_type, p.minutes) for p in parts] == [
        (friday, DayType.WORKDAY, 10),
        (saturday, DayType.REST_DAY, 20),
    ]
    assert (parts[0].end, parts[1].start) == (utc("2026-12-12 00:00"), utc("2026-12-12 00:00"))
    # Closed at 00:46 with the window's end at 00:45: one minute, all of it Saturday's.
    [late] = worked_parts(calendar, utc("2026-12-12 00:45"), utc("2026-12-12 00:46"))
    assert (late.local_date, late.day_type, late.minutes) == (saturday, DayType.REST_DAY, 1)
    # Part minutes add up to the whole span's whole minutes.
    odd = worked_parts(calendar, utc("2026-12-11 23:50:20"), utc("2026-12-12 00:20:40"))
    assert [p.minutes for p in odd] == [9, 21]


def test_touching_intervals_across_midnight_make_one_open_stretch() -> None:
    friday = DutySession(date(2026, 12, 11), None, (hours("20:00", "00:00"),), "夜间")
    saturday = DutySession(date(2026, 12, 12), None, (hours("00:00", "03:00"),), "通宵")
    calendar = hall(friday, saturday)
    assert closing_time(calendar, utc("2026-12-11 23:00")) == utc("2026-12-12 03:00")
    assert next_opening(calendar, utc("2026-12-11 19:00")) == utc("2026-12-11 20:00")


def test_berlin_hall_keeps_local_hours_across_the_spring_dst_change() -> None:
    calendar = hall(zone="Europe/Berlin")
    friday = opening_intervals(calendar, date(2026, 3, 27))
    monday = opening_intervals(calendar, date(2026, 3, 30))
    assert friday[0][0].astimezone(UTC) == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert monday[0][0].astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_berlin_dst_days_split_into_23_and_25_hour_pieces() -> None:
    calendar = hall(zone="Europe/Berlin")
    spring = split_by_local_date(
        calendar, local("2026-03-29 00:00", BERLIN), local("2026-03-30 00:00", BERLIN)
    )
    assert [(d, e - s) for d, s, e in spring] == [(date(2026, 3, 29), timedelta(hours=23))]
    autumn = split_by_local_date(
        calendar, local("2026-10-24 12:00", BERLIN), local("2026-10-26 12:00", BERLIN)
    )
    assert [(d, e - s) for d, s, e in autumn] == [
        (date(2026, 10, 24), timedelta(hours=12)),
        (date(2026, 10, 25), timedelta(hours=25)),
        (date(2026, 10, 26), timedelta(hours=12)),
    ]


def test_functions_taking_an_instant_refuse_naive_datetimes() -> None:
    naive = datetime(2026, 12, 11, 10, 0)
    for function in (is_open, closing_time, next_opening, minutes_until_closing):
        with pytest.raises(ValueError):
            function(hall(), naive)
    with pytest.raises(ValueError):
        split_by_local_date(hall(), naive, naive)


def test_malformed_calendars_are_refused() -> None:
    with pytest.raises(ValueError):
        DutySession(date(2026, 12, 12), SAT, (), "both")
    with pytest.raises(ValueError):
        DutySession(None, None, (), "neither")
    with pytest.raises(ValueError):
        DutySession(None, 7, (), "no such weekday")
    with pytest.raises(ValueError):
        WeeklySchedule(((),) * 6)
    with pytest.raises(ValueError):
        OpeningInterval(time(9, tzinfo=UTC), time(17))
    with pytest.raises(ZoneInfoNotFoundError):
        hall(zone="Mars/Olympus_Mons")


OVERNIGHT = DutySession(None, SAT, (hours("22:00", "02:00"),), "周六夜")
PROPERTY_HALLS = [
    hall(SATURDAY_DUTY, OVERNIGHT, weekly=LUNCH),
    hall(SATURDAY_DUTY, OVERNIGHT, zone="Europe/Berlin"),
]


@settings(max_examples=150, deadline=None)
@given(
    calendar=st.sampled_from(PROPERTY_HALLS),
    at=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1)),
)
def test_open_closing_and_next_opening_agree(calendar: HallCalendar, at: datetime) -> None:
    at = at.replace(tzinfo=UTC)
    local_date = at.astimezone(calendar.zone).date()
    around = [local_date - timedelta(days=1), local_date]
    containing = [
        (start, end)
        for d in around
        for start, end in opening_intervals(calendar, d)
        if start <= at < end
    ]
    assert is_open(calendar, at) == bool(containing)
    closing = closing_time(calendar, at)
    if closing is not None:
        assert closing > at and closing.tzinfo is UTC
        assert not is_open(calendar, closing)
        assert minutes_until_closing(calendar, at) >= 1  # type: ignore[operator]
    opening = next_opening(calendar, at)
    assert opening is not None and opening >= at and opening.tzinfo is UTC
    assert is_open(calendar, opening)
    assert not is_open(calendar, opening - timedelta(microseconds=1))


@settings(deadline=None)
@given(
    calendar=st.sampled_from(PROPERTY_HALLS),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1)),
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)),
)
def test_split_by_local_date_pieces_tile_the_span(
    calendar: HallCalendar, start: datetime, length: timedelta
) -> None:
    start_utc = start.replace(tzinfo=UTC)
    pieces = split_by_local_date(calendar, start_utc, start_utc + length)
    assert sum((end - begin for _, begin, end in pieces), timedelta(0)) == length
    for (_, _, end), (_, begin, _) in pairwise(pieces):
        assert end == begin
    for local_date, begin, end in pieces:
        assert begin.astimezone(calendar.zone).date() == local_date
        assert (end - timedelta(microseconds=1)).astimezone(calendar.zone).date() == local_date
