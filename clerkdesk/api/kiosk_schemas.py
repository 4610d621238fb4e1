"""The wire contract of the ticket kiosk (取号机) and of a ticket's public status link: what the
kiosk's home shows per service, what a printed ticket carries, what a phone that scanned the
ticket's QR code is told. No names, no notes: a citizen's side of the hall."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from clerkdesk.api.schemas import Priority, TicketStatus, Wire


class Issuing(StrEnum):
    """Whether the kiosk issues a service's tickets now (the hall's cutoff rule)."""

    open = "open"
    closed_before_break = "service_closed_before_break"  # again later today (after a break)
    closed_for_today = "service_closed_for_today"  # past today's cutoff
    hall_closed = "hall_closed"  # the hall is closed now


class KioskServiceOut(Wire):
    service: str
    service_name: str
    department: str
    department_name: str
    prefix: str
    issuing: Issuing
    waiting: int = Field(description="Citizens waiting for it now")
    estimated_wait_s: int | None = Field(
        description="What a citizen taking a ticket now can expect to wait; None: no window "
        "is open for it now"
    )
    open_windows: int
    cutoff_at: datetime | None = Field(
        description="While it issues: when the kiosk stops (hall-local time)"
    )
    closing: datetime | None = Field(description="The end of the hall's open stretch now")
    next_opening: datetime | None = Field(
        description="While it does not issue: when it issues again (None: nothing scheduled "
        "in the coming month)"
    )


class KioskHallOut(Wire):
    """GET /kiosk/services: the services as the kiosk's home shows them."""

    at: datetime
    hall_name: str
    timezone: str
    services: list[KioskServiceOut]
    last_event_id: int


class TicketSlipOut(Wire):
    """GET /kiosk/tickets/{id}/slip: what the kiosk prints on a ticket."""

    ticket_id: int
    code: str
    service: str
    service_name: str
    department_name: str
    priority: Priority
    status: TicketStatus
    issued_at: datetime
    local_date: date
    people_ahead: int | None = Field(description="Waiting before it (None: no longer waiting)")
    status_path: str = Field(description="The ticket's public status link, /t/{token}")


class TicketStatusOut(Wire):
    """GET /t/{token}: a ticket as its holder may follow it, without signing in."""

    code: str
    service_name: str
    status: TicketStatus
    window: int | None = Field(description="The window it is called to (while called)")
    people_ahead: int | None = Field(description="Waiting before it (None: no longer waiting)")
    issued_at: datetime = Field(description="In the hall's time")
    local_date: date
    at: datetime = Field(description="The hall's time of this answer")
