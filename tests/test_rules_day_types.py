"""Day types at the counter: what kind of day a hall-local date is, and local-date splitting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerkdesk.hall.rules.day_types import (
    DayType,
    as_utc,
    classify_day,
    local_date_pieces,
    swaps_published,
    year_confirmed,
)

WORKDAY, REST_DAY, HOLIDAY = DayType.WORKDAY, DayType.REST_DAY, DayType.STATUTORY_HOLIDAY


def test_national_day_2025_10_01_is_a_statutory_holiday() -> None:
    info = classify_day(date(2025, 10, 1))
    assert info.day_type is HOLIDAY
    assert info.holiday_name == "国庆节"
    assert info.confirmed


def test_sunday_2025_09_28_is_a_make_up_workday() -> None:
    info = classify_day(date(2025, 9, 28))
    assert (info.day_type, info.make_up_workday) == (WORKDAY, True)


def test_saturday_2026_02_14_is_a_make_up_workday() -> None:
    info = classify_day(date(2026, 2, 14))
    assert (info.day_type, info.make_up_workday, info.holiday_name) == (WORKDAY, True, None)


def test_national_day_2026_10_01_is_a_statutory_holiday() -> None:
    assert classify_day(date(2026, 10, 1)).day_type is HOLIDAY


def test_national_day_falling_on_saturday_2026_10_03_is_still_a_statutory_holiday() -> None:
    info = classify_day(date(2026, 10, 3))
    assert (info.day_type, info.make_up_workday) == (HOLIDAY, False)


def test_friday_2026_02_20_is_a_swapped_rest_day_not_a_holiday() -> None:
    info = classify_day(date(2026, 2, 20))
    assert info.day_type is REST_DAY
    assert info.holiday_name is not None and "调休" in info.holiday_name


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 2), date(2026, 2, 23), date(2026, 5, 5), date(2026, 10, 6), date(2026, 10, 7)],
)
def test_every_swapped_day_off_of_2026_is_a_rest_day(day: date) -> None:
    assert classify_day(day).day_type is REST_DAY


@pytest.mark.parametrize("day", [date(2026, 4, 6), date(2026, 5, 4), date(2026, 10, 5)])
def test_bu_jia_monday_after_a_weekend_holiday_is_a_rest_day(day: date) -> None:
    info = classify_day(day)
    assert info.day_type is REST_DAY
    assert info.holiday_name is not None and "补假" in info.holiday_name


def test_qingming_on_sunday_2026_04_05_is_the_statutory_day() -> None:
    assert classify_day(date(2026, 4, 5)).day_type is HOLIDAY


def test_ordinary_saturday_2026_12_12_is_a_rest_day() -> None:
    info = classify_day(date(2026, 12, 12))
    assert (info.day_type, info.make_up_workday, info.holiday_name) == (REST_DAY, False, None)


def test_ordinary_friday_2026_12_11_is_a_workday() -> None:
    info = classify_day(date(2026, 12, 11))
    assert (info.day_type, info.make_up_workday, info.confirmed) == (WORKDAY, False, True)


def test_new_year_across_the_year_end_2025_to_2026() -> None:
    assert classify_day(date(2025, 12, 31)).day_type is WORKDAY
    assert classify_day(date(2026, 1, 1)).day_type is HOLIDAY
    assert classify_day(date(2026, 1, 2)).day_type is REST_DAY
    assert classify_day(date(2026, 1, 3)).day_type is REST_DAY
    assert classify_day(date(2026, 1, 4)).make_up_workday


def test_2026_is_confirmed_by_the_published_swaps() -> None:
    assert swaps_published(2025) and swaps_published(2026)
    assert year_confirmed(2026, frozenset())


def test_2027_is_unconfirmed_until_an_admin_confirms_it() -> None:
    assert not swaps_published(2027)
    assert not year_confirmed(2027, frozenset())
    assert not classify_day(date(2027, 10, 1)).confirmed
    assert year_confirmed(2027, frozenset({2027}))
    assert classify_day(date(2027, 10, 1), confirmed_years=frozenset({2027})).confirmed


def test_2027_still_has_guessed_statutory_days() -> None:
    info = classify_day(date(2027, 10, 1))
    assert (info.day_type, info.confirmed) == (HOLIDAY, False)


def test_an_admin_override_wins_and_counts_as_confirmed() -> None:
    overrides = {date(2027, 10, 1): REST_DAY, date(2027, 9, 25): WORKDAY}
    holiday = classify_day(date(2027, 10, 1), overrides)
    assert (holiday.day_type, holiday.confirmed, holiday.overridden) == (REST_DAY, True, True)
    assert holiday.holiday_name == "国庆节"  # the national name stays, for the record
    saturday = classify_day(date(2027, 9, 25), overrides)
    assert (saturday.day_type, saturday.make_up_workday, saturday.confirmed) == (
        WORKDAY,
        True,
        True,
    )
    assert not classify_day(date(2027, 9, 24), overrides).overridden


def test_an_override_can_make_an_ordinary_workday_a_local_holiday() -> None:
    info = classify_day(date(2026, 12, 11), {date(2026, 12, 11): HOLIDAY})
    assert (info.day_type, info.make_up_workday) == (HOLIDAY, False)


def _all_dates(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_workday_or_not_agrees_with_holidays_is_working_day_for_every_date(year: int) -> None:
    cn = holidays.country_holidays("CN", years=range(year - 1, year + 2))
    for day in _all_dates(year):
        info = classify_day(day)
        assert (info.day_type is WORKDAY) == cn.is_working_day(day), day
        assert info.make_up_workday == (info.day_type is WORKDAY and day.weekday() >= 5), day


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31)))
def test_every_date_has_one_consistent_day_type(day: date) -> None:
    info = classify_day(day)
    assert info.date == day
    if info.day_type is HOLIDAY:
        assert info.holiday_name
    if info.make_up_workday:
        assert info.day_type is WORKDAY and day.weekday() >= 5
    if day.weekday() < 5 and info.holiday_name is None:
        assert info.day_type is WORKDAY


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        as_utc(datetime(2026, 12, 11, 9, 0))
    assert as_utc(datetime(2026, 12, 11, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))) == datetime(
        2026, 12, 11, 1, 0, tzinfo=UTC
    )


ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/Santiago", "America/Havana", "Pacific/Apia"]


@given(
    zone_name=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31)),
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
)
def test_local_date_pieces_are_contiguous_cover_the_span_and_stay_in_one_date(
    zone_name: str, start: datetime, length: timedelta
) -> None:
    zone = ZoneInfo(zone_name)
    start_utc = start.replace(tzinfo=UTC)
    end_utc = start_utc + length
    pieces = local_date_pieces(zone, start_utc, end_utc)
    if length == timedelta(0):
        assert pieces == []
        return
    assert pieces[0][1] == start_utc and pieces[-1][2] == end_utc
    for (_, _, end_a), (_, start_b, _) in pairwise(pieces):
        assert end_a == start_b
    for local_date, piece_start, piece_end in pieces:
        assert piece_start < piece_end
        assert piece_start.tzinfo is UTC and piece_end.tzinfo is UTC
        assert piece_start.astimezone(zone).date() == local_date
        assert (piece_end - timedelta(microseconds=1)).astimezone(zone).date() == local_date
    dates = [local_date for local_date, _, _ in pieces]
    assert dates == sorted(set(dates))


def test_a_span_that_ends_before_it_starts_is_refused() -> None:
    start = datetime(2026, 12, 11, 10, tzinfo=UTC)
    with pytest.raises(ValueError):
        local_date_pieces(ZoneInfo("Asia/Shanghai"), start, start - timedelta(seconds=1))
