"""The kiosk cutoff: a service's tickets stop N minutes before the hall closes (per service;
default its estimated minutes), and the refusal says when the service opens next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.store import load_calendar
from clerkdesk.hall.errors import Conflict
from clerkdesk.hall.rules.calendar import (
    HallCalendar,
    accepts_tickets,
    closing_time,
    next_opening,
    service_cutoff,
)
from clerkdesk.hall.store.models import Service


def cutoff_minutes(service: Service) -> int:
    return service.estimated_minutes if service.cutoff_minutes is None else service.cutoff_minutes


def next_issuing(calendar: HallCalendar, at: datetime, cutoff: int) -> datetime | None:
    """The next moment after `at` when the kiosk issues this service's tickets again."""
    candidate = next_opening(calendar, at)
    for _ in range(16):  # skip stretches shorter than the cutoff
        if candidate is None or accepts_tickets(calendar, candidate, cutoff):
            return candidate
        end = closing_time(calendar, candidate)
        candidate = next_opening(calendar, end) if end is not None else None
    return None


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "no opening is scheduled in the next month: ask the duty lead"
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Issuing:
    """Whether the kiosk issues a service's tickets at a moment, and the hours around it.

    `refusal` is None while it issues, else the stable code of the refusal: `hall_closed`,
    `service_closed_before_break` (past the cutoff, it issues again later the same day) or
    `service_closed_for_today`. `cutoff_at` is when it stops (while it issues), `closing` the
    open stretch's end, `reopens` when it issues again (while it does not)."""

    refusal: str | None
    minutes: int
    closing: datetime | None
    cutoff_at: datetime | None
    reopens: datetime | None


def issuing_at(calendar: HallCalendar, now: datetime, minutes: int) -> Issuing:
    closing = closing_time(calendar, now)
    if accepts_tickets(calendar, now, minutes):
        assert closing is not None
        return Issuing(None, minutes, closing, service_cutoff(closing, minutes), None)
    reopen = next_issuing(calendar, now, minutes)
    if closing is None:
        return Issuing("hall_closed", minutes, None, None, reopen)
    local_closing = closing.astimezone(calendar.zone)
    same_day = reopen is not None and reopen.astimezone(calendar.zone).date() == (
        local_closing.date()
    )
    code = "service_closed_before_break" if same_day else "service_closed_for_today"
    return Issuing(code, minutes, closing, service_cutoff(closing, minutes), reopen)


def check_issuing(session: Session, who: Principal, service: Service, now: datetime) -> None:
    """Refuse a kiosk ticket while the hall is closed or past the service's cutoff (409, with
    `next_opening` as a hall-local ISO time). Leads and admins may issue past it on purpose."""
    if policy.may(who, policy.Can.issue_past_cutoff):
        return
    calendar = load_calendar(session, who.hall_id)
    issuing = issuing_at(calendar, now, cutoff_minutes(service))
    if issuing.refusal is None:
        return
    zone = calendar.zone
    reopen, minutes = issuing.reopens, issuing.minutes
    params: dict[str, Any] = {
        "service": service.code,
        "next_opening": reopen.astimezone(zone).isoformat() if reopen else None,
    }
    if issuing.closing is None:
        raise Conflict(
            "hall_closed",
            f"The hall is closed now: {service.name} tickets are issued again from "
            f"{when(reopen, zone)}.",
            **params,
        )
    local_closing = issuing.closing.astimezone(zone)
    params |= {"closing": local_closing.isoformat(), "cutoff_minutes": minutes}
    raise Conflict(
        issuing.refusal,
        f"{service.name} tickets stop {minutes} minutes before the {local_closing:%H:%M} "
        f"closing: they are issued again from {when(reopen, zone)}.",
        **params,
    )
