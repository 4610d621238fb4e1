"""The wire contract of the duty lead's day report (issue 13, item 5): per service and per window
of one service day, the figures `clerkdesk report day` prints (GET /hall/day-report/{date})."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from clerkdesk.api.schemas import SpreadOut, Wire


class DayReportRowOut(Wire):
    """One service, one window, or the day as a whole (`key` "*")."""

    key: str = Field(description="The service's code, the window's number, or * for the day")
    label: str = Field(description="The service's name or the window's label")
    issued: int | None = Field(description="Tickets issued (services only)")
    served: int
    no_shows: int
    handoffs: int = Field(description="Cases handed on from here (转办)")
    avg_wait_s: float | None = Field(description="Issue to first call")
    p90_wait_s: float | None
    avg_service_s: float | None = Field(description="Start to finish of the cases served")
    p90_service_s: float | None
    same_day_rate: float | None = Field(description="Issued and finished that day (当日办结率)")
    extensions_asked: int | None = Field(description="Windows only")
    extensions_approved: int | None
    extension_minutes: int | None
    overruns: int | None
    tide_share: float | None = Field(description="Share of the cases served at a tide window")
    ratings: int = Field(default=0, description="Cases the citizen rated (好差评)")
    rating_avg: float | None = Field(default=None, description="Their average score, 1-5")


class DayReportOut(Wire):
    """GET /hall/day-report/{date}: one service day of the hall."""

    hall: str
    local_date: date
    services: list[DayReportRowOut] = Field(description="Each service with cases, then the day")
    windows: list[DayReportRowOut]
    spread: SpreadOut = Field(description="The busy shares' spread over the day (忙闲率差异)")
    first_tide_at: datetime | None
    spread_before_tide: SpreadOut | None
    spread_after_tide: SpreadOut | None
