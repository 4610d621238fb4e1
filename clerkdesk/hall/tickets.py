"""The ticket lifecycle on the server: issue, call, recall, start, complete, no-show, park, cancel.

Each function runs inside the caller's write transaction, records a transition (who, which
window, when) and writes an event row. The state machine and the calling order are the pure
rules in clerkdesk.hall.rules.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.api.schemas import Role
from clerkdesk.hall.auth import Principal
from clerkdesk.hall.cutoff import check_issuing
from clerkdesk.hall.errors import Conflict, Forbidden, Invalid, TooSoon, not_found
from clerkdesk.hall.event_log import append_event
from clerkdesk.hall.models import (
    Hall,
    Service,
    Ticket,
    TicketCounter,
    TicketTransition,
    Window,
    WindowService,
    WindowSession,
)
from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.numbering import ticket_code
from clerkdesk.hall.rules.ticket_states import (
    CALLED,
    SERVING,
    WAITING,
    Action,
    IllegalTransition,
    next_state,
)
from clerkdesk.hall.views import open_session, ticket_out, window_service_ids
from clerkdesk.hall.windows import held_window, held_window_session

_EVENT_OF = {
    Action.issue: w.EventKind.ticket_issued,
    Action.call: w.EventKind.ticket_called,
    Action.recall: w.EventKind.ticket_recalled,
    Action.start: w.EventKind.ticket_started,
    Action.complete: w.EventKind.ticket_completed,
    Action.no_show: w.EventKind.ticket_no_show,
    Action.park: w.EventKind.ticket_parked,
    Action.cancel: w.EventKind.ticket_cancelled,
}


def local_date(hall: Hall, at: datetime) -> date:
    return at.astimezone(ZoneInfo(hall.timezone)).date()


def _record(
    session: Session,
    ticket: Ticket,
    action: Action,
    from_status: str | None,
    who: Principal,
    window_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> w.TicketOut:
    session.add(
        TicketTransition(
            ticket_id=ticket.id,
            action=action.value,
            from_status=from_status,
            to_status=ticket.status,
            staff_id=who.staff_id,
            window_id=window_id,
            at=now,
            reason=reason or None,
        )
    )
    out = ticket_out(session, ticket)
    append_event(session, ticket.hall_id, _EVENT_OF[action], now, ticket=out)
    return out


def _next_number(session: Session, service_id: int, day: date) -> int:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(TicketCounter)
        .values(service_id=service_id, local_date=day, last_number=1)
        .on_conflict_do_update(
            index_elements=[TicketCounter.service_id, TicketCounter.local_date],
            set_={"last_number": TicketCounter.last_number + 1},
        )
        .returning(TicketCounter.last_number)
    )
    return int(session.execute(stmt).scalar_one())


def issue(session: Session, who: Principal, request: w.IssueTicket, now: datetime) -> w.TicketOut:
    who.require(Role.kiosk, Role.lead, Role.admin)
    hall = session.get_one(Hall, who.hall_id)
    service = session.scalars(
        select(Service).where(Service.hall_id == who.hall_id, Service.code == request.service)
    ).one_or_none()
    if service is None or not service.active:
        raise not_found("service", request.service)
    if request.priority in (w.Priority.transferred, w.Priority.carried_over):
        raise Invalid(
            "priority_not_issuable",
            "Transferred-in and carried-over priority come only from a hand-off or the "
            "end-of-day rule; issue as normal, green_channel or appointment.",
        )
    if request.priority == w.Priority.appointment and request.appointment_at is None:
        raise Invalid(
            "appointment_time_missing",
            "An appointment ticket needs appointment_at (its slot): add it and issue again.",
        )
    if request.appointment_at is not None and request.appointment_at.tzinfo is None:
        raise Invalid(
            "appointment_time_naive",
            "appointment_at needs a time zone offset, e.g. 2026-12-11T10:30:00+08:00.",
        )
    check_issuing(session, who, service, now)  # 409 when closed or past the service's cutoff
    day = local_date(hall, now)
    number = _next_number(session, service.id, day)
    ticket = Ticket(
        hall_id=hall.id,
        service_id=service.id,
        number=number,
        code=ticket_code(service.prefix, number),
        local_date=day,
        status=WAITING,
        priority=request.priority.value,
        appointment_at=request.appointment_at,
        issued_at=now,
        queue_at=now,
        recall_count=0,
        notes=request.notes,
    )
    session.add(ticket)
    session.flush()
    return _record(session, ticket, Action.issue, None, who, None, now)


def _order_by(window_id: int, now: datetime) -> list[object]:
    """The SQL twin of rules.queue_order.queue_key (kept together by a property test)."""
    rank = case(
        (
            (Ticket.priority == "appointment")
            & (Ticket.appointment_at.is_(None) | (Ticket.appointment_at > now)),
            queue_order.NORMAL_RANK,
        ),
        *[(Ticket.priority == name, rank) for name, rank in queue_order.PRIORITY_RANK.items()],
        else_=queue_order.NORMAL_RANK,
    )
    return [rank, WindowService.position, Ticket.queue_at, Ticket.id]


def _waiting_for_window(window: Window, now: datetime):
    return (
        select(Ticket)
        .join(
            WindowService,
            (WindowService.service_id == Ticket.service_id)
            & (WindowService.window_id == window.id),
        )
        .where(Ticket.hall_id == window.hall_id, Ticket.status == WAITING)
    )


def queue_for_window(session: Session, window: Window, now: datetime) -> list[w.TicketOut]:
    """This window's waiting tickets in the order the server will call them (the pure rule)."""
    tickets = {t.id: t for t in session.scalars(_waiting_for_window(window, now))}
    ordered = queue_order.order_for_window(
        (
            queue_order.Waiting(t.id, t.service_id, t.priority, t.queue_at, t.appointment_at)
            for t in tickets.values()
        ),
        window_service_ids(session, window.id),
        now,
    )
    return [ticket_out(session, tickets[entry.ticket_id]) for entry in ordered]


def current_ticket(session: Session, window: Window) -> Ticket | None:
    return session.scalars(
        select(Ticket)
        .where(Ticket.window_id == window.id, Ticket.status.in_([CALLED, SERVING]))
        .order_by(Ticket.called_at.desc())
        .limit(1)
    ).one_or_none()


def _ready_to_call(
    session: Session, hall: Hall, window: Window, now: datetime, holder: WindowSession | None = None
) -> None:
    holder = holder or open_session(session, window.id)
    if holder is not None and holder.paused:
        raise Conflict(
            "window_paused",
            f"Window {window.number} is paused: resume it before calling.",
            window=window.number,
        )
    current = current_ticket(session, window)
    if current is not None:
        raise Conflict(
            "ticket_in_hand",
            f"Ticket {current.code} is still {current.status} at window {window.number}: "
            "complete it, mark it a no-show or park it before calling the next.",
            ticket=current.code,
            status=current.status,
        )
    interval = timedelta(seconds=hall.min_call_interval_s)
    if window.last_call_at is not None and now < window.last_call_at + interval:
        raise TooSoon(
            (window.last_call_at + interval - now).total_seconds(),
            interval_s=hall.min_call_interval_s,
        )


def _mark_called(
    session: Session,
    ticket: Ticket,
    window: Window,
    who: Principal,
    now: datetime,
    reason: str | None,
) -> w.TicketOut:
    before = ticket.status
    ticket.status = next_state(before, Action.call)
    ticket.window_id = window.id
    ticket.called_at = now
    ticket.called_by_id = who.staff_id
    ticket.recall_count = 0
    window.last_call_at = now
    return _record(session, ticket, Action.call, before, who, window.id, now, reason)


def call_next(session: Session, who: Principal, number: int, now: datetime) -> w.TicketOut:
    window, holder = held_window_session(session, who, number, lock=True)
    hall = session.get_one(Hall, who.hall_id)
    _ready_to_call(session, hall, window, now, holder)
    claim = (
        _waiting_for_window(window, now)
        .add_columns(Service)  # for the answer; held below so the session need not ask again
        .join(Service, Service.id == Ticket.service_id)
        .order_by(*_order_by(window.id, now))
        .limit(1)
        .with_for_update(skip_locked=True, of=Ticket)
    )
    row = session.execute(claim).one_or_none()
    if row is None:
        raise Conflict(
            "queue_empty",
            f"Nobody is waiting for window {window.number}: wait for the next ticket.",
            window=window.number,
        )
    ticket, _service = row
    return _mark_called(session, ticket, window, who, now, None)


def find_ticket(session: Session, hall_id: int, ref: str, today: date) -> Ticket:
    """A ticket by numeric id, or by today's code (A023)."""
    query = select(Ticket).where(Ticket.hall_id == hall_id)
    if ref.isascii() and ref.isdigit() and len(ref) <= 15:  # not "²", not past 64 bits
        query = query.where(Ticket.id == int(ref))
    else:
        query = query.where(Ticket.code == ref.upper(), Ticket.local_date == today)
    found = session.scalars(query.with_for_update()).all()
    if not found:
        raise not_found("ticket", ref)
    if len(found) > 1:  # two services swapped prefixes during the day (hall file import)
        raise Conflict(
            "ticket_code_ambiguous",
            f"Two tickets today are {ref.upper()}: call it by its id instead.",
            ticket=ref.upper(),
            ids=[t.id for t in found],
        )
    return found[0]


def call_specific(
    session: Session, who: Principal, number: int, request: w.CallSpecific, now: datetime
) -> w.TicketOut:
    window = held_window(session, who, number, lock=True)
    hall = session.get_one(Hall, who.hall_id)
    ticket = find_ticket(session, hall.id, request.ticket, local_date(hall, now))
    if ticket.service_id not in window_service_ids(session, window.id):
        raise Conflict(
            "service_not_at_window",
            f"Ticket {ticket.code} is for a service window {window.number} does not serve: "
            "hand it to a window that serves it.",
            ticket=ticket.code,
        )
    if ticket.status != WAITING:
        next_state(ticket.status, Action.call)  # raises, naming the current state
    _ready_to_call(session, hall, window, now)
    first = session.scalars(
        _waiting_for_window(window, now).order_by(*_order_by(window.id, now)).limit(1)
    ).one_or_none()
    if first is not None and first.id != ticket.id and not request.reason:
        raise Invalid(
            "reason_required",
            f"{ticket.code} is not next in line ({first.code} is): give a reason to call it "
            "out of turn.",
            ticket=ticket.code,
            next=first.code,
        )
    return _mark_called(session, ticket, window, who, now, request.reason or None)


def _ticket_at_held_window(
    session: Session, who: Principal, ticket_id: int, locked: Ticket | None = None
) -> tuple[Ticket, Window]:
    """The ticket (locked; pass it if the caller already locked it) and the window it is at,
    provided `who` holds that window."""
    ticket = (
        locked
        or session.scalars(
            select(Ticket)
            .where(Ticket.id == ticket_id, Ticket.hall_id == who.hall_id)
            .with_for_update()
        ).one_or_none()
    )
    if ticket is None:
        raise not_found("ticket", ticket_id)
    if ticket.window_id is None or ticket.status not in (CALLED, SERVING):
        raise IllegalTransition(Action.start, ticket.status, frozenset({CALLED, SERVING}))
    window = session.get_one(Window, ticket.window_id)
    holder = open_session(session, window.id)
    if holder is None or holder.staff_id != who.staff_id:
        raise Forbidden(
            "not_your_window",
            f"Ticket {ticket.code} is at window {window.number}, which you are not signed in "
            "at: sign in there, or leave it to its clerk.",
            ticket=ticket.code,
            window=window.number,
        )
    return ticket, window


def act(
    session: Session,
    who: Principal,
    ticket_id: int,
    action: Action,
    now: datetime,
    *,
    outcome: w.Outcome | None = None,
    reason: str | None = None,
    position: w.QueuePosition | None = None,
    notes: str | None = None,
) -> w.TicketOut:
    """recall, start, complete, no-show or park the ticket at the clerk's own window."""
    # The service comes along (held until the answer is built, so ticket_out finds it in the
    # session instead of asking again); the lock is on the ticket only.
    row = session.execute(
        select(Ticket, Service)
        .join(Service, Service.id == Ticket.service_id)
        .where(Ticket.id == ticket_id, Ticket.hall_id == who.hall_id)
        .with_for_update(of=Ticket)
    ).one_or_none()
    if row is None:
        raise not_found("ticket", ticket_id)
    ticket, _service = row
    before = ticket.status
    after = next_state(before, action)  # 409 naming the state before anything else
    ticket, window = _ticket_at_held_window(session, who, ticket_id, locked=ticket)
    if action == Action.recall:
        hall = session.get_one(Hall, who.hall_id)
        interval = timedelta(seconds=hall.min_call_interval_s)
        if window.last_call_at is not None and now < window.last_call_at + interval:
            raise TooSoon(
                (window.last_call_at + interval - now).total_seconds(),
                interval_s=hall.min_call_interval_s,
            )
        ticket.recall_count += 1
        window.last_call_at = now
    elif action == Action.start:
        ticket.started_at = now
    elif action == Action.complete:
        ticket.finished_at = now
        ticket.outcome = (outcome or w.Outcome.done).value
        if notes:
            ticket.notes = f"{ticket.notes}\n{notes}".strip()
    elif action == Action.no_show:
        ticket.finished_at = now
        ticket.reason = reason
    elif action == Action.park:
        ticket.window_id = None
        ticket.called_at = None
        ticket.started_at = None
        ticket.reason = reason or None
        ticket.queue_at = _park_queue_at(session, ticket, position or w.QueuePosition.back, now)
    ticket.status = after
    return _record(session, ticket, action, before, who, window.id, now, reason)


def _park_queue_at(
    session: Session, ticket: Ticket, position: w.QueuePosition, now: datetime
) -> datetime:
    """Back: behind everyone now waiting for the service. Front: ahead of all of them."""
    waiting = select(Ticket.queue_at).where(
        Ticket.service_id == ticket.service_id, Ticket.status == WAITING, Ticket.id != ticket.id
    )
    step = timedelta(milliseconds=1)
    if position == w.QueuePosition.back:
        latest = session.scalar(select(func.max(waiting.subquery().c.queue_at)))
        return now if latest is None else max(now, latest + step)
    earliest = session.scalar(select(func.min(waiting.subquery().c.queue_at)))
    return ticket.issued_at if earliest is None else min(ticket.issued_at, earliest - step)


def cancel(
    session: Session, who: Principal, ticket_id: int, reason: str, now: datetime
) -> w.TicketOut:
    ticket = session.scalars(
        select(Ticket)
        .where(Ticket.id == ticket_id, Ticket.hall_id == who.hall_id)
        .with_for_update()
    ).one_or_none()
    if ticket is None:
        raise not_found("ticket", ticket_id)
    before = ticket.status
    after = next_state(before, Action.cancel)
    window_id = ticket.window_id
    _may_cancel(session, who, ticket)
    ticket.status = after
    ticket.finished_at = now
    ticket.reason = reason
    return _record(session, ticket, Action.cancel, before, who, window_id, now, reason)


def _may_cancel(session: Session, who: Principal, ticket: Ticket) -> None:
    """Admins cancel anything; a lead within their department; a clerk the ticket at their own
    window; a kiosk only a waiting ticket it issued itself (a failed print)."""
    if who.has(Role.admin):
        return
    service = session.get_one(Service, ticket.service_id)
    if who.has(Role.lead) and who.department_id in (None, service.department_id):
        return
    if who.has(Role.kiosk) and ticket.status == WAITING:
        issued_here = session.scalar(
            select(func.count())
            .select_from(TicketTransition)
            .where(
                TicketTransition.ticket_id == ticket.id,
                TicketTransition.action == Action.issue.value,
                TicketTransition.staff_id == who.staff_id,
            )
        )
        if issued_here:
            return
    if ticket.window_id is not None and ticket.status in (CALLED, SERVING):
        holder = open_session(session, ticket.window_id)
        if holder is not None and holder.staff_id == who.staff_id:
            return
    raise Forbidden(
        "not_yours_to_cancel",
        f"Ticket {ticket.code} is not at your window and not in your department: ask the duty "
        "lead of its department to cancel it.",
        ticket=ticket.code,
    )
