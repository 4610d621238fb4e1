"""The `[calendar]` section of the hall file: opening hours, duty sessions, day-type overrides,
confirmed years and the closing policy.

```toml
[calendar]
end_of_day = "serve_all"          # serve_all | carry_over | cancel_with_notice
auto_approve_minutes = 0          # approve extension requests up to N minutes; 0 = off
closing_notice_minutes = 30       # the counter's closing banner starts this long before the end
confirmed_years = []              # years whose official swaps an admin has checked
makeup_workday = ["09:00-17:30"]  # hours of a make-up workday (调休上班); default: Friday's

[calendar.weekly]                 # ordinary workdays; a day left out is closed
mon = ["09:00-12:00", "13:30-17:30"]

[[calendar.sessions]]             # weekend / holiday duty (错时服务): a weekday or a date
weekday = "sat"
hours = ["09:00-12:00"]
label = "周六值班"

[[calendar.overrides]]            # an admin's day type for one date
date = 2026-12-31
day_type = "rest_day"
```

Importing replaces the hours, sessions and overrides; confirmed years are only ever added.
"""

from __future__ import annotations

import re
from datetime import date as LocalDate
from datetime import datetime, time
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlalchemy import delete
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.calendar.store import confirm_year, move_sign_in_ends
from clerkdesk.hall.store.models import DayOverride, DutySessionHours, Hall, HallPolicy, WeeklyHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Hours = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_HOURS.pattern)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


def parse_hours(text: str) -> tuple[time, time]:
    """ "09:00-17:30" -> (09:00, 17:30); an end at or before the start runs past midnight."""
    match = _HOURS.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r}: write hours as HH:MM-HH:MM, e.g. 09:00-17:30")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        return time(h1, m1), time(h2 % 24, m2) if (h2, m2) == (24, 0) else time(h2, m2)
    except ValueError:
        raise ValueError(f"{text!r}: not a time of day") from None


def _check_hours(values: list[str]) -> list[str]:
    for value in values:
        parse_hours(value)
    return values


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionSpec(_Spec):
    date: LocalDate | None = None
    weekday: str | None = Field(default=None, pattern="^(mon|tue|wed|thu|fri|sat|sun)$")
    hours: list[Hours] = Field(min_length=1)
    label: Label = ""

    _hours_ok = field_validator("hours")(_check_hours)

    @model_validator(mode="after")
    def _date_or_weekday(self) -> SessionSpec:
        if (self.date is None) == (self.weekday is None):
            raise ValueError("a duty session has either a date or a weekday (mon..sun)")
        return self


class OverrideSpec(_Spec):
    date: LocalDate
    day_type: w.DayType
    note: Label = ""


def _default_weekly() -> dict[str, list[str]]:
    return {day: ["09:00-17:30"] for day in WEEKDAYS[:5]}


class CalendarSpec(_Spec):
    weekly: dict[str, list[Hours]] = Field(default_factory=_default_weekly)
    makeup_workday: list[Hours] | None = None
    sessions: list[SessionSpec] = Field(default_factory=list)
    overrides: list[OverrideSpec] = Field(default_factory=list)
    confirmed_years: list[int] = Field(default_factory=list)
    end_of_day: w.EndOfDayRule = w.EndOfDayRule.serve_all
    auto_approve_minutes: int = Field(default=0, ge=0, le=240)
    closing_notice_minutes: int = Field(default=30, ge=1, le=240)

    @field_validator("weekly")
    @classmethod
    def _weekdays_only(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, hours in value.items():
            if day in ("sat", "sun"):
                raise ValueError(
                    f"{day}: weekend hours are duty sessions; add [[calendar.sessions]] with "
                    f'weekday = "{day}"'
                )
            if day not in WEEKDAYS:
                raise ValueError(f"{day}: use mon, tue, wed, thu or fri")
            _check_hours(hours)
        return value

    @field_validator("makeup_workday")
    @classmethod
    def _makeup_hours(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_hours(value)

    @field_validator("overrides")
    @classmethod
    def _one_override_per_date(cls, value: list[OverrideSpec]) -> list[OverrideSpec]:
        dates = [o.date for o in value]
        twice = sorted({d for d in dates if dates.count(d) > 1})
        if twice:
            raise ValueError(f"{twice[0]} has two overrides: keep one")
        return value


def import_calendar(session: Session, hall: Hall, spec: CalendarSpec, now: datetime) -> None:
    """Replace the hall's hours, sessions and overrides; add confirmed years; set the policy."""
    for table in (WeeklyHours, DutySessionHours, DayOverride):
        session.execute(delete(table).where(table.hall_id == hall.id))
    for day, hours in spec.weekly.items():
        for text in hours:
            start, end = parse_hours(text)
            session.add(
                WeeklyHours(
                    hall_id=hall.id, weekday=WEEKDAYS.index(day), start_time=start, end_time=end
                )
            )
    for text in spec.makeup_workday or ():
        start, end = parse_hours(text)
        session.add(WeeklyHours(hall_id=hall.id, weekday=None, start_time=start, end_time=end))
    for item in spec.sessions:
        for text in item.hours:
            start, end = parse_hours(text)
            session.add(
                DutySessionHours(
                    hall_id=hall.id,
                    on_date=item.date,
                    weekday=WEEKDAYS.index(item.weekday) if item.weekday else None,
                    start_time=start,
                    end_time=end,
                    label=item.label,
                )
            )
    for override in spec.overrides:
        session.add(
            DayOverride(
                hall_id=hall.id,
                local_date=override.date,
                day_type=override.day_type.value,
                note=override.note,
            )
        )
    for year in spec.confirmed_years:
        confirm_year(session, hall.id, year, None, now)
    policy = session.get(HallPolicy, hall.id) or HallPolicy(hall_id=hall.id)
    policy.end_of_day = spec.end_of_day.value
    policy.auto_approve_minutes = spec.auto_approve_minutes
    policy.closing_notice_minutes = spec.closing_notice_minutes
    session.add(policy)
    session.flush()
    move_sign_in_ends(session, hall.id, now)
