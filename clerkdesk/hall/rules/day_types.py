"""Which local date a moment falls on, and what kind of day that date is.

Day types (workday, rest day, statutory holiday) come from the `holidays` CN calendar plus
admin overrides; time is stored in UTC and split at the hall's local midnights.

Pure: no I/O and no clock reads. The national calendar is passed in (`NationalCalendar`, by
default the library's own `country_holidays("CN")`; the hall passes the one it loads without
the library's 250 other countries, `hall/calendar/national.py`); what it yields is computed
once per three-year window and kept in memory (a computation, not I/O).

How a date is classified, from the library's own data rather than from its labels:

- *Substituted day off* (调休休息日, "Day off (substituted from …)"): the date is the target of
  an entry in the library's substitution table (``special_public_holidays`` entries of the form
  ``(to_month, to_day, from_month, from_day[, from_year])``) -> rest day.
- *补假 / observed day*: a date present with ``observed=True`` but absent with ``observed=False``
  -> rest day.
- *Statutory holiday* (法定节假日): any other named date of the public-holiday calendar.
- *Make-up workday* (调休上班): a weekend date in the library's ``weekend_workdays`` (what
  ``is_working_day()`` consults) -> workday with ``make_up_workday=True``.
- Any other weekend date is a rest day; any other weekday is a workday.

A year is *confirmed* when the library holds official swaps for it (a substituted day off or a
make-up working weekend); later years are the library's guess and stay unconfirmed until an
admin confirms them. A per-date admin override always wins and counts as confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache, partial
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from holidays.holiday_base import HolidayBase

__all__ = [
    "LIBRARY_CN",
    "DayInfo",
    "DayType",
    "NationalCalendar",
    "as_utc",
    "classify_day",
    "local_date_pieces",
    "swaps_published",
    "year_confirmed",
]

_WEEKEND = frozenset({5, 6})

NationalCalendar = Callable[..., HolidayBase]
"""Builds the CN calendar as `holidays.country_holidays("CN", years=..., observed=...,
language=..., expand=...)` does."""
LIBRARY_CN: NationalCalendar = partial(holidays.country_holidays, "CN")
"""The library's own way (it imports every country the first time: see hall/calendar/national)."""


class DayType(StrEnum):
    WORKDAY = "workday"
    REST_DAY = "rest_day"
    STATUTORY_HOLIDAY = "statutory_holiday"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What kind of day a local date is.

    ``holiday_name`` is the Chinese name from the national calendar (e.g. "国庆节",
    "休息日（由 2026-02-14 调休）", "清明节（补假）"), kept even when an override changes the
    day type; ``None`` on ordinary days. ``make_up_workday`` is true for a workday that falls on
    a weekend (调休上班), whether it comes from the national calendar or from an override.
    """

    date: date
    day_type: DayType
    make_up_workday: bool = False
    holiday_name: str | None = None
    confirmed: bool = True
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class _NationalData:
    names: Mapping[date, str]
    statutory: frozenset[date]
    substituted: frozenset[date]
    make_up_workdays: frozenset[date]
    swap_years: frozenset[int]


@lru_cache(maxsize=32)
def _national_data(china: NationalCalendar, years: tuple[int, ...]) -> _NationalData:
    with_observed = china(years=years, observed=True, language="zh_CN", expand=False)
    without_observed = china(years=years, observed=False, language="zh_CN", expand=False)
    table = getattr(with_observed, "special_public_holidays", {})
    substituted = {
        date(year, entry[0], entry[1])
        for year in years
        for entry in _entries(table.get(year, ()))
        if len(entry) >= 4
    } & set(with_observed.keys())
    make_up = {d for d in with_observed.weekend_workdays if d.weekday() in _WEEKEND}
    return _NationalData(
        names=MappingProxyType(dict(with_observed.items())),
        statutory=frozenset(set(without_observed.keys()) - substituted),
        substituted=frozenset(substituted),
        make_up_workdays=frozenset(make_up),
        swap_years=frozenset(d.year for d in substituted | make_up),
    )


def _entries(value: object) -> tuple[tuple[int, ...], ...]:
    """The library stores one entry as a bare tuple and several as a tuple of tuples."""
    if not isinstance(value, tuple) or not value:
        return ()
    if isinstance(value[0], tuple):
        return value
    return (value,)


def _data_for(year: int, national: NationalCalendar) -> _NationalData:
    """The calendar for `year`, loaded with its neighbours (swaps and 补假 cross year ends)."""
    return _national_data(national, (year - 1, year, year + 1))


def swaps_published(year: int, national: NationalCalendar = LIBRARY_CN) -> bool:
    """True when the installed CN calendar holds official swaps for `year` (no admin needed)."""
    return year in _data_for(year, national).swap_years


def year_confirmed(
    year: int,
    confirmed_years: frozenset[int] = frozenset(),
    national: NationalCalendar = LIBRARY_CN,
) -> bool:
    """True when `year`'s day types are official: swaps published, or confirmed by an admin."""
    return year in confirmed_years or swaps_published(year, national)


def _national_day_type(day: date, data: _NationalData) -> tuple[DayType, bool]:
    """The day type from the national calendar alone, and the make-up-workday flag."""
    weekend = day.weekday() in _WEEKEND
    if weekend and day in data.make_up_workdays:
        return DayType.WORKDAY, True
    if day in data.substituted:
        return DayType.REST_DAY, False
    if day in data.statutory:
        return DayType.STATUTORY_HOLIDAY, False
    if day in data.names or weekend:  # 补假 (observed) day, or an ordinary weekend day
        return DayType.REST_DAY, False
    return DayType.WORKDAY, False


def classify_day(
    day: date,
    overrides: Mapping[date, DayType] | None = None,
    confirmed_years: frozenset[int] = frozenset(),
    national: NationalCalendar = LIBRARY_CN,
) -> DayInfo:
    """Classify a hall-local date; an admin override for the date always wins."""
    data = _data_for(day.year, national)
    name = data.names.get(day)
    override = (overrides or {}).get(day)
    if override is not None:
        day_type = DayType(override)
        make_up = day_type is DayType.WORKDAY and day.weekday() in _WEEKEND
        return DayInfo(day, day_type, make_up, name, confirmed=True, overridden=True)
    day_type, make_up = _national_day_type(day, data)
    confirmed = year_confirmed(day.year, confirmed_years, national)
    return DayInfo(day, day_type, make_up, name, confirmed)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; a naive datetime is a ``ValueError``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(UTC)


def local_date_pieces(
    zone: ZoneInfo, start_utc: datetime, end_utc: datetime
) -> list[tuple[date, datetime, datetime]]:
    """Split ``[start_utc, end_utc)`` at local midnights in `zone`.

    Returns ``(local_date, piece_start, piece_end)`` with aware UTC pieces that are contiguous,
    cover the span exactly and each lie within one local date; an empty span gives ``[]``.
    DST-safe: a nonexistent local midnight resolves (zoneinfo, fold=0) to the transition instant.
    """
    start, end = as_utc(start_utc), as_utc(end_utc)
    if end < start:
        raise ValueError("the span ends before it starts")
    pieces: list[tuple[date, datetime, datetime]] = []
    while start < end:
        local_date = start.astimezone(zone).date()
        midnight = datetime.combine(local_date + timedelta(days=1), time(), tzinfo=zone)
        piece_end = min(midnight.astimezone(UTC), end)
        pieces.append((local_date, start, piece_end))
        start = piece_end
    return pieces
