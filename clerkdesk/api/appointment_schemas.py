"""The wire contract of appointments (预约) and ratings (好差评).

Appointments: slots per service, following the hall calendar's open hours on ordinary workdays,
weekend and holiday duty sessions (`SessionKind`); a booking holds one place of a slot until it
is checked in at the kiosk (it becomes a ticket with priority `appointment`), cancelled, or
missed (not checked in by `check_in_until`: its place is free again). A citizen's name and
phone are personal data: they are never in an event, and the kiosk reads them masked.

Ratings: a completed case (a ticket, with all its hand-offs: one case) is rated once, 1-5, with
an optional reason and comment.

Times are hall-local with their offset; a booking names its slot by the slot's `start`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from clerkdesk.api.schemas import (
    Code,
    HallMoment,
    NoNul,
    Number,
    OptionalReason,
    TicketOut,
    Wire,
)

BOOKING_CODE_DIGITS = 6
BookingCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$"), NoNul]
"""The six digits a citizen types at the kiosk to check in (unique per hall and date)."""
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 -]{4,18}[0-9]$"),
    NoNul,
]
"""A phone number: digits, spaces and dashes, an optional leading +, 6 to 20 characters."""
CitizenName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), NoNul]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul]

SLOT_DAYS_MAX = 31
"""The most dates one GET /appointments/slots answers for."""


class SessionKind(StrEnum):
    """Which open hours a slot lies in, by the day type of its date."""

    ordinary = "ordinary"  # a workday (a make-up workday, 调休上班, included)
    weekend = "weekend"  # a rest day's duty session (周末值班)
    holiday = "holiday"  # a statutory holiday's duty session (节假日值班)


class AppointmentStatus(StrEnum):
    booked = "booked"  # holds its place; check in at the kiosk within the window
    checked_in = "checked_in"  # a ticket was issued for it
    cancelled = "cancelled"
    missed = "missed"  # not checked in by check_in_until: its place is free again


# --- the hall's appointment services and their slots ----------------------------------------


class AppointmentServiceOut(Wire):
    service: str
    service_name: str
    department: str
    slot_minutes: int
    capacity: int = Field(description="Places per slot")
    sessions: list[SessionKind] = Field(description="The kinds of day it takes bookings on")


class AppointmentServicesOut(Wire):
    """GET /appointments/services: what may be booked, and the hall's rules."""

    timezone: str
    check_in_early_minutes: int = Field(description="Check-in opens this long before the slot")
    grace_minutes: int = Field(
        description="Check-in closes this long after the slot starts (or after a booking made "
        "once the slot had started); later, the booking is missed and its place free"
    )
    days_ahead: int = Field(description="Bookable from today to today + days_ahead")
    services: list[AppointmentServiceOut]


class SlotOut(Wire):
    start: datetime = Field(description="Hall-local, with offset: what a booking names")
    end: datetime
    local_date: date
    kind: SessionKind
    capacity: int
    booked: int = Field(description="Places held: booked (not missed) and checked in")
    left: int = Field(description="Places free now")
    open: bool = Field(description="Bookable now: not over, within days_ahead, a place left")


class SlotsOut(Wire):
    """GET /appointments/slots: a service's slots not yet over, date by date."""

    service: str
    service_name: str
    timezone: str
    now: datetime = Field(description="The hall's clock, hall-local")
    last_date: date = Field(description="The last date bookable now")
    slots: list[SlotOut]


# --- bookings ----------------------------------------------------------------------------------


class BookAppointment(Wire):
    """POST /appointments: one place in the slot of `service` starting at `start`."""

    service: Code
    start: HallMoment = Field(description="The slot's start, with its offset (from the slots)")
    phone: Phone
    name: CitizenName = ""


class CancelAppointment(Wire):
    """POST /appointments/{id}/cancel. The kiosk (and the city's app) must give the booking
    code; a duty lead or an admin need not."""

    code: BookingCode | None = None
    reason: OptionalReason = ""


class CheckIn(Wire):
    """POST /appointments/check-in at the kiosk, with the code of today's booking."""

    code: BookingCode


class AppointmentOut(Wire):
    id: int
    code: str = Field(description="The booking code, typed at the kiosk to check in")
    service: str
    service_name: str
    local_date: date
    start: datetime = Field(description="Hall-local")
    end: datetime
    kind: SessionKind
    status: AppointmentStatus
    name: str = Field(description="Masked for the kiosk (王*)")
    phone: str = Field(description="Masked for the kiosk (138****5678)")
    booked_at: datetime
    check_in_from: datetime = Field(description="Hall-local: the kiosk checks in from then")
    check_in_until: datetime = Field(description="Hall-local: missed after this")
    checked_in_at: datetime | None = None
    ticket_id: int | None = None
    ticket: str | None = Field(default=None, description="The ticket's code once checked in")
    cancelled_at: datetime | None = None


class CheckInAnswer(Wire):
    appointment: AppointmentOut
    ticket: TicketOut = Field(
        description="Priority `appointment`: called ahead of normal tickets once the slot starts"
    )


# --- ratings (好差评) ---------------------------------------------------------------------------


class RatingReason(StrEnum):
    """A short list the citizen picks from (the screens translate them); `comment` for more."""

    quick = "quick"
    friendly = "friendly"
    clear = "clear"
    long_wait = "long_wait"
    slow = "slow"
    unfriendly = "unfriendly"
    unclear = "unclear"
    come_again = "come_again"  # asked to come back another time (多次跑)
    other = "other"


GOOD_REASONS = (RatingReason.quick, RatingReason.friendly, RatingReason.clear)
POOR_REASONS = (
    RatingReason.long_wait,
    RatingReason.slow,
    RatingReason.unfriendly,
    RatingReason.unclear,
    RatingReason.come_again,
)


def reasons_for(score: int) -> tuple[RatingReason, ...]:
    """The reasons a screen offers after `score`: praise for 4-5, complaints for 1-3, and
    `other` always last."""
    return (*(GOOD_REASONS if score >= 4 else POOR_REASONS), RatingReason.other)


class RateCase(Wire):
    """POST /tickets/{id}/rating: the citizen's rating of the completed case."""

    score: Number = Field(ge=1, le=5, description="1 very dissatisfied .. 5 very satisfied")
    reason: RatingReason | None = None
    comment: Comment = ""


class RatingOut(Wire):
    id: int
    ticket_id: int
    ticket: str = Field(description="The ticket's code")
    service: str = Field(description="The service it was completed in")
    window: int | None = Field(description="The window that completed it")
    local_date: date = Field(description="The ticket's service day")
    score: int
    reason: RatingReason | None
    comment: str
    rated_at: datetime
