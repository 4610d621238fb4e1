"""The wire contract: the server answers with these models and the client parses them.

The server imports this module; the client never imports the server.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    clerk = "clerk"
    lead = "lead"
    admin = "admin"
    kiosk = "kiosk"
    board = "board"  # the hall board over the counters: reads, never changes anything


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
    carried_over = "carried_over"  # left waiting at yesterday's closing (end-of-day rule)
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


_Moment = TypeVar("_Moment", date, datetime)


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text cannot contain NUL characters (\\u0000); remove them")
    return text


NoNul = AfterValidator(_no_nul)  # PostgreSQL cannot store NUL in text
StaffNo = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32), NoNul
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul
]
OptionalReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32), NoNul]
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)
"""The dates a hall's calendar and its tickets may name (the years an admin may confirm)."""


def _within_hall_years(moment: _Moment) -> _Moment:
    day = moment.date() if isinstance(moment, datetime) else moment
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(
            f"dates run from {FIRST_DATE} to {LAST_DATE} here; {day} is outside: check the year"
        )
    return moment


HallDate = Annotated[date, AfterValidator(_within_hall_years)]
"""A hall-local date within FIRST_DATE .. LAST_DATE (422 outside it, never an overflow)."""
HallMoment = Annotated[datetime, AfterValidator(_within_hall_years)]
"""A moment whose date is within FIRST_DATE .. LAST_DATE."""

Number = Annotated[int, Strict()]
"""A whole number in a request body: a JSON integer, never `true` or `"30"` (422 wrong_type)."""
Flag = Annotated[bool, Strict()]
"""A yes/no in a request body: JSON `true` or `false`, never `"yes"` or `1` (422 wrong_type)."""


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


class HallClock(Wire):
    """GET /clock: the hall's own time. A workstation shows and counts down in this time, not
    its PC's: a demo hall may start elsewhere in time and run `speed` times faster."""

    now: datetime = Field(description="The hall's clock at the answer (UTC)")
    speed: float = Field(
        description="Hall seconds per real second: 1 normally, the demo's --speed, 0 for a "
        "clock that moves only when told (tests)"
    )


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
    tide: TideOut | None = Field(
        default=None,
        description="A tide window (潮汐窗口) in force: its services are called first",
    )
    reserve: bool = Field(default=False, description="Staffed only as a tide window")


class HallOut(Wire):
    code: str
    name: str
    timezone: str
    departments: list[DepartmentOut]
    services: list[ServiceOut]
    windows: list[WindowOut]


class WindowSignIn(Wire):
    force: Flag = False


# --- tickets --------------------------------------------------------------------------------


class IssueTicket(Wire):
    service: Code
    priority: Priority = Priority.normal
    appointment_at: HallMoment | None = None
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
    times_called: int = Field(
        default=0, description="The call and its recalls (0: not called); since called_at"
    )
    started_at: datetime | None
    finished_at: datetime | None
    outcome: Outcome | None
    reason: str | None
    notes: str
    estimated_minutes: int
    handoffs: int = Field(
        default=0, description="How often it was handed on to another department (转办)"
    )
    chain_departments: list[str] = Field(
        default_factory=list,
        description="Codes of the departments its hand-offs went from and to (they see its "
        "notes and the hand-off notes)",
    )


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


class Reinstate(Wire):
    """A no-show came back: why they are served after all (the hall's policy window applies)."""

    reason: Reason


class QueueOut(Wire):
    window: int
    tickets: list[TicketOut]


class DayCounts(Wire):
    served: int
    no_shows: int
    average_service_seconds: float | None


class CounterPolicyOut(Wire):
    """The hall's counter policy (the hall file's `[policy]`): the counter says what is still
    missing before a no-show instead of sending it, and how long a no-show may come back."""

    no_show_min_recalls: int = Field(default=1, description="Recalls before a no-show")
    no_show_min_seconds: int = Field(default=60, description="Seconds since the first call")
    reinstate_minutes: int = Field(default=30, description="A no-show may come back this long")


class CounterState(Wire):
    """Everything the counter screen shows, in one answer (used after a reconnect)."""

    window: WindowOut
    current: TicketOut | None
    queue: list[TicketOut]
    counts: DayCounts
    last_event_id: int
    policy: CounterPolicyOut = Field(default_factory=CounterPolicyOut)
    no_shows: list[TicketOut] = Field(
        default_factory=list,
        description="This window's no-shows that may still be reinstated, the latest first",
    )


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
    ticket_reinstated = "ticket.reinstated"
    ticket_handed_off = "ticket.handed_off"
    ticket_sent_back = "ticket.sent_back"
    ticket_returned = "ticket.returned"
    ticket_unpinned = "ticket.unpinned"  # its target window closed for the day: service queue
    handoff_back_asked = "handoff.back_asked"
    window_signed_in = "window.signed_in"
    window_signed_out = "window.signed_out"
    window_paused = "window.paused"
    window_resumed = "window.resumed"
    hall_updated = "hall.updated"
    reset = "reset"
    extension_requested = "extension.requested"
    extension_decided = "extension.decided"
    window_closed = "window.closed"
    overrun_recorded = "overrun.recorded"
    overrun_decided = "overrun.decided"
    ticket_carried_over = "ticket.carried_over"
    calendar_updated = "calendar.updated"
    claim_requested = "claim.requested"
    claim_decided = "claim.decided"
    leave_requested = "leave.requested"
    leave_decided = "leave.decided"
    leave_cancelled = "leave.cancelled"
    overtime_credited = "overtime.credited"
    leave_expired = "leave.expired"  # what was left of credits reached their expiry date
    tide_opened = "tide.opened"
    tide_ended = "tide.ended"
    alert_raised = "alert.raised"
    alert_cleared = "alert.cleared"


LEDGER_EVENT_KINDS = frozenset(
    {
        EventKind.claim_requested,
        EventKind.claim_decided,
        EventKind.leave_requested,
        EventKind.leave_decided,
        EventKind.leave_cancelled,
        EventKind.overtime_credited,
        EventKind.leave_expired,
    }
)
"""The events that carry a `LedgerEventOut`: someone's overtime claims, leave or balance moved."""


class LedgerEventOut(Wire):
    """Whose overtime or leave changed (an overtime claim, a leave request, credited overtime):
    enough for "My leave" and a lead's inbox to reload, and for the stream to show it only to
    that staff member, their department's leads and admins. `department` is its code."""

    staff_no: str
    department: str | None
    claim: int | None = None
    leave_request: int | None = None
    status: str | None = None
    minutes: int = 0


class EventOut(Wire):
    id: int
    kind: EventKind
    at: datetime
    ticket: TicketOut | None = None
    window: WindowOut | None = None
    extension: ExtensionOut | None = None
    overrun: OverrunOut | None = None
    closing: WindowClosingOut | None = None
    year: ConfirmedYearOut | None = None
    ledger: LedgerEventOut | None = None
    tide: TideOut | None = None
    alert: AlertOut | None = None
    handoff: HandOffOut | None = None


# --- hall calendar and closing ---------------------------------------------------------------


class DayType(StrEnum):
    """What kind of day a hall-local date is (DESIGN.md, "Day types")."""

    workday = "workday"
    rest_day = "rest_day"
    statutory_holiday = "statutory_holiday"


class EndOfDayRule(StrEnum):
    """What happens to tickets still waiting when the hall closes for the day."""

    serve_all = "serve_all"  # nothing is cancelled: the last window serving them must extend
    carry_over = "carry_over"  # they wait for the next opening, ahead of new tickets
    cancel_with_notice = "cancel_with_notice"  # they are cancelled with a notice


class WindowPhase(StrEnum):
    closed = "closed"  # in no open stretch now (before opening, break, rest day)
    open = "open"  # before the scheduled end
    extended = "extended"  # past the scheduled end, inside an approved extension
    overrunning = "overrunning"  # past the end without (enough) approved extension


class ExtensionStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    denied = "denied"
    withdrawn = "withdrawn"  # the window closed before its end with the request undecided


class OverrunStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"
    covered = "covered"  # an extension approved after the close covers it


class OpeningIntervalOut(Wire):
    start: datetime = Field(description="Hall-local, with offset")
    end: datetime = Field(description="Hall-local; past midnight for a late session")


class CalendarDayOut(Wire):
    local_date: date
    day_type: DayType
    make_up_workday: bool = Field(description="调休上班: a working Saturday or Sunday")
    holiday_name: str | None
    overridden: bool = Field(description="An admin set this date's day type")
    confirmed: bool = Field(description="False: the year's official swaps are not confirmed")
    intervals: list[OpeningIntervalOut] = Field(description="Open hours, merged, in order")
    sessions: list[str] = Field(description="Labels of the duty sessions open on this date")


class CalendarToday(Wire):
    """GET /calendar/today: today's hours and whether the hall is open now."""

    now: datetime = Field(description="The hall's clock, hall-local")
    timezone: str
    day: CalendarDayOut
    open_now: bool
    closes_at: datetime | None = Field(description="End of the open stretch now, hall-local")
    next_opening: datetime | None = Field(description="Next start of an open stretch")
    end_of_day: EndOfDayRule
    auto_approve_minutes: int = Field(description="Requests up to this are approved; 0 = off")
    unconfirmed_years: list[int] = Field(
        description="Years (this one, and the next from October) whose official swaps nobody "
        "confirmed; only leads and admins see them, for others it is empty"
    )


class ConfirmYear(Wire):
    year: Number = Field(ge=2000, le=2100)


class ConfirmedYearOut(Wire):
    year: int
    confirmed_at: datetime
    confirmed_by: str | None = Field(description="Staff number; None: from the hall file")


class RequestExtension(Wire):
    minutes: Number = Field(ge=1, le=240, description="Prefilled with the closing estimate")
    reason: Reason


class ApproveExtension(Wire):
    minutes: Number | None = Field(
        default=None, ge=1, le=240, description="Approve other minutes than requested"
    )


class DenyExtension(Wire):
    reason: Reason


class ConfirmOverrun(Wire):
    note: OptionalReason = ""


class RejectOverrun(Wire):
    reason: Reason


class ExtensionOut(Wire):
    id: int
    window: int
    staff: StaffOut = Field(description="The clerk who asked")
    status: ExtensionStatus
    local_date: date
    requested_at: datetime
    minutes_requested: int
    reason: str
    scheduled_end: datetime = Field(description="The scheduled closing it extends")
    base_end: datetime = Field(description="The end it adds to (scheduled or extended before)")
    waiting_at_request: int
    needed_at_request: int = Field(description="Estimated minutes needed when asked")
    minutes_approved: int | None
    ends_at: datetime | None = Field(description="The window's new end, once approved")
    decided_at: datetime | None
    decided_by: StaffOut | None = Field(description="None when auto-approved or undecided")
    decision_reason: str | None = Field(description="Why it was denied")
    auto_approved: bool


class ClosingStatus(Wire):
    """GET /windows/{number}/closing: what the closing banner shows."""

    window: int
    now: datetime = Field(description="The hall's clock: count down from here, not the PC's")
    phase: WindowPhase
    scheduled_end: datetime | None = Field(description="End of the open stretch, hall-local")
    window_end: datetime | None = Field(description="Scheduled end or approved extension end")
    minutes_left: int | None = Field(description="Until window_end, rounded up; <0 past it")
    notice: bool = Field(description="Within notice_minutes of the end, or past it: show")
    notice_minutes: int
    final_closing: bool = Field(description="This end is the hall's last closing of the day")
    next_opening: datetime | None
    in_hand: TicketOut | None
    waiting: list[TicketOut] = Field(description="This window's queue, in calling order")
    minutes_needed: int = Field(description="For the ticket in hand and the waiting ones")
    service_minutes: dict[str, int] = Field(description="Minutes per ticket used, by service")
    suggested_minutes: int = Field(description="Extension that covers minutes_needed; 0: none")
    extension: ExtensionOut | None = Field(description="Pending, else latest approved, request")
    end_of_day: EndOfDayRule


class ExtensionInboxItem(Wire):
    """A request with what the duty lead needs to decide it (GET /extensions)."""

    extension: ExtensionOut
    window_label: str
    department: str | None
    phase: WindowPhase
    window_end: datetime | None
    minutes_left: int | None
    waiting: list[TicketOut]
    minutes_needed: int


class OverrunPart(Wire):
    """The piece of an overrun on one hall-local date: overtime is credited per calendar date
    with that date's day type, so an overrun across midnight has two parts."""

    local_date: date
    day_type: DayType
    start: datetime
    end: datetime
    minutes: int = Field(description="Whole minutes; the parts add up to the overrun's minutes")


class OverrunOut(Wire):
    id: int
    window: int
    staff: StaffOut
    local_date: date = Field(description="The hall-local date the overrun starts on")
    window_end: datetime
    actual_end: datetime
    minutes: int
    status: OverrunStatus
    recorded_at: datetime
    decided_at: datetime | None
    decided_by: StaffOut | None
    decision_reason: str | None
    service_day: date | None = Field(
        default=None, description="The service day of the stretch it ran past (DESIGN.md)"
    )
    parts: list[OverrunPart] = Field(
        default_factory=list, description="Split at local midnight, each with its day type"
    )


class WindowClosingOut(Wire):
    """POST /windows/{number}/close: the recorded facts of the window's closing."""

    id: int
    window: int
    staff: StaffOut
    local_date: date = Field(description="The hall-local date of the stretch that closed")
    started_at: datetime = Field(description="When the clerk signed in at the window")
    scheduled_end: datetime | None
    window_end: datetime | None
    actual_end: datetime
    extension_minutes: int = Field(description="window_end - scheduled_end, in minutes")
    overrun: OverrunOut | None
    end_of_day_rule: EndOfDayRule | None = Field(
        description="Set when this close ended the hall's day with tickets still waiting"
    )
    leftover_tickets: list[str] = Field(description="Codes the end-of-day rule applied to")


# --- the duty lead's hall: monitor, congestion alerts, tide windows (issue 13) ---------------


class OpenTide(Wire):
    """POST /windows/{number}/tide: re-point the window to congested services (first in its
    order) or open a reserve window, until a time or until revoked."""

    services: list[Code] = Field(min_length=1, max_length=10)
    until: HallMoment | None = Field(default=None, description="None: until revoked")
    reason: Reason
    clerk: StaffNo | None = Field(
        default=None, description="The clerk assigned to the window (a reserve window's)"
    )


class TideEnd(StrEnum):
    revoked = "revoked"
    expired = "expired"
    replaced = "replaced"


class TideOut(Wire):
    id: int
    window: int
    services: list[str] = Field(description="Service codes, first in the window's order")
    service_names: list[str] = Field(
        default_factory=list, description="Their names, in the same order (the counter shows them)"
    )
    started_at: datetime
    until: datetime | None
    ended_at: datetime | None
    end_reason: TideEnd | None
    started_by: str = Field(description="The lead's staff number")
    ended_by: str | None
    reason: str
    clerk: str | None
    reserve: bool


class AlertOut(Wire):
    """A congestion alert on a service, with the windows that could take its load."""

    id: int
    service: str
    service_name: str
    raised_at: datetime
    cleared_at: datetime | None
    waiting: int
    longest_wait_s: int
    estimated_wait_s: int | None
    candidates: list[int] = Field(
        default_factory=list, description="Idle, quiet or reserve windows, best first"
    )


class WindowState(StrEnum):
    idle = "idle"
    calling = "calling"
    serving = "serving"
    paused = "paused"
    closed = "closed"


class ServiceLoadOut(Wire):
    service: str
    service_name: str
    department: str
    waiting: int
    longest_wait_s: int
    estimated_wait_s: int | None = Field(description="For a new arrival; None: no window open")
    open_windows: int
    alert: AlertOut | None


class WindowLoadOut(Wire):
    number: int
    label: str
    department: str | None
    services: list[str]
    state: WindowState
    extended: bool = Field(description="Open past its scheduled end on an approved extension")
    reserve: bool
    tide: TideOut | None
    clerk: str | None = Field(description="Staff number of whoever holds the window")
    clerk_name: str | None
    ticket: str | None = Field(description="The ticket called or being served there")
    ticket_since: datetime | None = Field(description="Called at, or started at when serving")
    busy_share: float | None = Field(description="Serving time / signed-in time today")


class SpreadOut(Wire):
    windows: int
    highest: float | None
    lowest: float | None
    spread: float | None = Field(description="Highest minus lowest busy share (忙闲率差异)")
    std_dev: float | None


class HallMonitorOut(Wire):
    """GET /hall/monitor: the hall now, for the duty lead's monitor to start from."""

    at: datetime
    local_date: date
    services: list[ServiceLoadOut]
    windows: list[WindowLoadOut]
    spread: SpreadOut
    alerts: list[AlertOut]
    last_event_id: int


# --- hand-offs between departments (转办) ------------------------------------------------------


class HandOff(Wire):
    """POST /tickets/{id}/hand-off: to another department's service, a window or a clerk.

    `service` alone: any window serving it calls the ticket. `window`: that window alone (the
    service: `service` if given, else the ticket's own if the window serves it, else the
    window's first). `staff_no`: the window that clerk holds, and only they call it."""

    service: Code | None = None
    window: Number | None = Field(default=None, ge=1, le=9999)
    staff_no: StaffNo | None = None
    note: Reason = Field(description="What was done, what is missing: required")


class SendBack(Wire):
    reason: Reason


class HandOffKind(StrEnum):
    hand_off = "hand_off"
    send_back = "send_back"  # the receiver sent it back to the sender's window
    returned = "returned"  # finished at the target; back to the sender who asked for it


class HandOffState(StrEnum):
    open = "open"  # waiting for, or at, its receiver
    done = "done"  # finished at the receiver
    returned = "returned"  # finished at the receiver and back to its sender (back to me)
    sent_back = "sent_back"
    handed_on = "handed_on"
    closed = "closed"  # no-show or cancelled at the receiver


class HandOffOut(Wire):
    """One move of a ticket between departments. The note, the reason and the names are the
    citizen's and the staff's: only the departments of the chain, hall-wide leads and admins
    read them (others get them empty)."""

    id: int
    ticket_id: int
    ticket: str = Field(description="The ticket's code: it keeps its number")
    seq: int = Field(description="1 for the ticket's first move, then 2, 3, ...")
    kind: HandOffKind
    state: HandOffState
    at: datetime
    from_window: int | None
    from_staff: str | None = Field(description="Staff number of the sender")
    from_staff_name: str | None
    from_department: str
    from_service: str
    to_service: str
    to_department: str
    to_window: int | None = Field(description="Handed to this window (or the clerk's window)")
    to_staff: str | None
    to_staff_name: str | None
    go_to_window: int | None = Field(description="Where the citizen goes now, when known")
    note: str
    called_at: datetime | None = Field(description="When the receiver first called the citizen")
    ended_at: datetime | None
    end_reason: str | None = Field(description="Why it was sent back")
    back_asked_at: datetime | None = Field(description="The sender asked the case back")
    waited_seconds: int = Field(description="From the hand-off until the receiver called")
    flagged: bool = Field(description="The ticket was handed on more often than the hall's limit")
    unpinned: bool = Field(
        default=False,
        description="Handed to a window or clerk whose day ended before the citizen was "
        "served there: the ticket waits in its service's queue now, at its place",
    )


class HandOffAnswer(Wire):
    ticket: TicketOut
    handoff: HandOffOut


class TicketDetail(TicketOut):
    """GET /tickets/{id}: the ticket with its chain of hand-offs and the citizen's time in the
    hall (the chain's notes only for the departments of the chain, leads and admins)."""

    chain: list[HandOffOut] = Field(default_factory=list)
    seconds_in_hall: int = 0
    flagged: bool = False


class HandOffWatch(Wire):
    """GET /hand-offs: the duty lead's watch (their department's; hall-wide: all)."""

    now: datetime
    open: list[HandOffOut] = Field(description="Still waiting for or at their receiver")
    today: list[HandOffOut] = Field(description="Every move of the service day")
    flagged: list[str] = Field(description="Codes of tickets handed on more than the limit")
    flag_after: int


class MyHandOffs(Wire):
    """GET /me/hand-offs: the cases the caller handed off, the service day's and any still open
    (each with its own note: the caller wrote it), so that a restarted workstation can still
    ask them back. Other people's moves of those cases are not in it."""

    now: datetime
    sent: list[HandOffOut] = Field(description="The caller's hand-offs, oldest first")
    away: list[int] = Field(
        description="Ids of the tickets among them that are with another department now (an "
        "open hand-off): the ones the caller can ask back"
    )


class SameDayCompletion(Wire):
    """GET /reports/day: 当日办结. A case counts once however many departments it passed."""

    local_date: date
    issued: int
    completed: int
    completed_after_hand_offs: int
    average_seconds_in_hall: float | None
    longest_seconds_in_hall: int | None


for _model in (WindowOut, HallOut, CounterState, EventOut):
    _model.model_rebuild()
