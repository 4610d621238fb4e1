"""The wire contract: the server answers with these models and the client parses them.

The server imports this module; the client never imports the server.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    clerk = "clerk"
    lead = "lead"
    admin = "admin"
    kiosk = "kiosk"


class TicketStatus(StrEnum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    done = "done"
    no_show = "no_show"
    cancelled = "cancelled"


class Priority(StrEnum):
    """Priority classes, strongest first (DESIGN.md, "Calling")."""

    transferred = "transferred"
    green_channel = "green_channel"
    appointment = "appointment"
    normal = "normal"


class Outcome(StrEnum):
    done = "done"
    consultation = "consultation"
    materials_incomplete = "materials_incomplete"
    wrong_service = "wrong_service"


class QueuePosition(StrEnum):
    front = "front"
    back = "back"


StaffNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
OptionalReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


# --- errors ---------------------------------------------------------------------------------


class ErrorBody(Wire):
    """Every refusal carries a stable code (the client translates it), its parameters, and an
    English message that says what to do."""

    code: str
    message: str
    params: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(Wire):
    error: ErrorBody


# --- health ---------------------------------------------------------------------------------


class Health(Wire):
    status: Literal["ok"]
    version: str
    database: str
    now: datetime


# --- staff and sign-in ----------------------------------------------------------------------


class LoginRequest(Wire):
    staff_no: StaffNo
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class StaffOut(Wire):
    id: int
    staff_no: str
    name: str
    department: str | None
    roles: list[Role]


class LoginResponse(Wire):
    token: str
    expires_at: datetime
    staff: StaffOut


class WindowSessionOut(Wire):
    id: int
    window: int
    staff: StaffOut
    started_at: datetime
    paused: bool
    took_over_from: str | None = None


class MeOut(Wire):
    staff: StaffOut
    hall: str
    hall_name: str
    timezone: str
    session: WindowSessionOut | None
    token_expires_at: datetime


# --- hall structure -------------------------------------------------------------------------


class DepartmentOut(Wire):
    code: str
    name: str


class ServiceOut(Wire):
    code: str
    name: str
    department: str
    prefix: str
    estimated_minutes: int


class WindowOut(Wire):
    number: int
    label: str
    department: str | None
    services: list[str]
    holder: WindowSessionOut | None


class HallOut(Wire):
    code: str
    name: str
    timezone: str
    departments: list[DepartmentOut]
    services: list[ServiceOut]
    windows: list[WindowOut]


class WindowSignIn(Wire):
    force: bool = False


# --- tickets --------------------------------------------------------------------------------


class IssueTicket(Wire):
    service: Code
    priority: Priority = Priority.normal
    appointment_at: datetime | None = None
    notes: OptionalReason = ""


class TicketOut(Wire):
    id: int
    code: str
    service: str
    service_name: str
    status: TicketStatus
    priority: Priority
    appointment_at: datetime | None
    issued_at: datetime
    local_date: date
    window: int | None
    called_at: datetime | None
    called_by: str | None
    recall_count: int
    started_at: datetime | None
    finished_at: datetime | None
    outcome: Outcome | None
    reason: str | None
    notes: str
    estimated_minutes: int


class CallSpecific(Wire):
    ticket: Code = Field(description="Ticket code such as A023, or its numeric id")
    reason: OptionalReason = ""


class Complete(Wire):
    outcome: Outcome = Outcome.done
    notes: OptionalReason = ""


class NoShow(Wire):
    reason: Reason


class Park(Wire):
    position: QueuePosition = QueuePosition.back
    reason: OptionalReason = ""


class Cancel(Wire):
    reason: Reason


class QueueOut(Wire):
    window: int
    tickets: list[TicketOut]


class DayCounts(Wire):
    served: int
    no_shows: int
    average_service_seconds: float | None


class CounterState(Wire):
    """Everything the counter screen shows, in one answer (used after a reconnect)."""

    window: WindowOut
    current: TicketOut | None
    queue: list[TicketOut]
    counts: DayCounts
    last_event_id: int


# --- events ---------------------------------------------------------------------------------


class EventKind(StrEnum):
    ticket_issued = "ticket.issued"
    ticket_called = "ticket.called"
    ticket_recalled = "ticket.recalled"
    ticket_started = "ticket.started"
    ticket_completed = "ticket.completed"
    ticket_no_show = "ticket.no_show"
    ticket_parked = "ticket.parked"
    ticket_cancelled = "ticket.cancelled"
    window_signed_in = "window.signed_in"
    window_signed_out = "window.signed_out"
    window_paused = "window.paused"
    window_resumed = "window.resumed"
    hall_updated = "hall.updated"
    reset = "reset"


class EventOut(Wire):
    id: int
    kind: EventKind
    at: datetime
    ticket: TicketOut | None = None
    window: WindowOut | None = None
