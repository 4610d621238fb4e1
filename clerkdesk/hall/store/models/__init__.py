"""SQLAlchemy models of the hall, one module per capability. Times are stored in UTC; local
dates are the hall's. Importing the package imports every model, so `Base.metadata` holds the
whole schema (`migrate.create_at_head`, Alembic's comparison)."""

from __future__ import annotations

from clerkdesk.hall.store.models import ledger as ledger  # the leave ledger, on this Base
from clerkdesk.hall.store.models.access import AuthToken, Staff
from clerkdesk.hall.store.models.answers import IdempotentResponse
from clerkdesk.hall.store.models.appointments import (
    Appointment,
    AppointmentPolicy,
    AppointmentRule,
    Rating,
)
from clerkdesk.hall.store.models.base import Base, BigId, UTCDateTime
from clerkdesk.hall.store.models.calendar import (
    ConfirmedYear,
    DayOverride,
    DutySessionHours,
    HallPolicy,
    WeeklyHours,
)
from clerkdesk.hall.store.models.closing import ExtensionRequest, Overrun, WindowClosing
from clerkdesk.hall.store.models.events import Event
from clerkdesk.hall.store.models.hall import Department, Hall, Service, Window, WindowService
from clerkdesk.hall.store.models.handoffs import HandOff
from clerkdesk.hall.store.models.monitor import (
    ServedDay,
    ServiceAlert,
    ServiceAlertRule,
    TideService,
    TideWindow,
)
from clerkdesk.hall.store.models.tickets import Ticket, TicketCounter, TicketTransition
from clerkdesk.hall.store.models.windows import (
    OPEN_SESSION_INDEXES,
    WindowSession,
    include_in_autogenerate,
)

__all__ = [
    "OPEN_SESSION_INDEXES",
    "Appointment",
    "AppointmentPolicy",
    "AppointmentRule",
    "AuthToken",
    "Base",
    "BigId",
    "ConfirmedYear",
    "DayOverride",
    "Department",
    "DutySessionHours",
    "Event",
    "ExtensionRequest",
    "Hall",
    "HallPolicy",
    "HandOff",
    "IdempotentResponse",
    "Overrun",
    "Rating",
    "ServedDay",
    "Service",
    "ServiceAlert",
    "ServiceAlertRule",
    "Staff",
    "Ticket",
    "TicketCounter",
    "TicketTransition",
    "TideService",
    "TideWindow",
    "UTCDateTime",
    "WeeklyHours",
    "Window",
    "WindowClosing",
    "WindowService",
    "WindowSession",
    "include_in_autogenerate",
]
