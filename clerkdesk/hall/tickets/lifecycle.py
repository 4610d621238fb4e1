"""The ticket lifecycle on the server: issue, call, recall, start, complete, no-show, park, cancel.

Each function runs inside the caller's write transaction and hands its change to
`transitions`, which records who, which window and when, and writes the event row. The state
machine and the calling order are the pure rules in clerkdesk.hall.rules. These are the hall's
hottest paths: they run Core statements (`tickets.sql`) on the session's connection, a handful
per request, and build the answer straight from the rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar, service_day_of
from clerkdesk.hall.calendar.cutoff import check_issuing
from clerkdesk.hall.calendar.store import load_counter_policy
from clerkdesk.hall.errors import Conflict, Forbidden, Invalid, TooSoon, not_found
from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.appointments import BOOKED, CHECKED_IN
from clerkdesk.hall.rules.calendar import accepts_tickets
from clerkdesk.hall.rules.counter_policy import no_show_wait, reinstate_until
from clerkdesk.hall.rules.numbering import ticket_code
from clerkdesk.hall.rules.ticket_states import (
    CALLED,
    SERVING,
    WAITING,
    Action,
    IllegalTransition,
    next_state,
)
from clerkdesk.hall.store import pipeline, tables
from clerkdesk.hall.store.models import Service
from clerkdesk.hall.store.pipeline import Ahead
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import sql as q
from clerkdesk.hall.tickets import transitions
from clerkdesk.hall.tickets.transitions import TicketRow
from clerkdesk.hall.windows.held import HeldWindow, held_window, held_window_ahead

# --- sent ahead (PostgreSQL) ------------------------------------------------------------------
#
# A write's first reads, sent with its token check in one wait (store.pipeline.send_ahead): the
# route passes them with the work; the work's own reads below take their rows by these names.

_AS_SERVICE = pipeline.ahead("service")
_AS_TICKET = pipeline.ahead("ticket")
_AS_TICKET_WINDOW = pipeline.ahead("ticket_window")
_AS_CLAIM = pipeline.ahead("claim")


def issue_ahead(request: w.IssueTicket) -> Ahead:
    """`issue`'s first read: the service."""
    return [("service", q.SERVICE_BY_CODE_AHEAD, {"code": request.service})]


def call_next_ahead(number: int) -> Ahead:
    """`call_next`'s reads: the window locked, who holds it, and the claim. The claim goes
    before the checks of the window (paused, a ticket in hand, too soon) have looked at the
    window: when one refuses, the ticket it locked is free again with the rollback (another
    window calling in that millisecond passed over it to the next in line)."""
    return [*held_window_ahead(number), ("claim", q.CLAIM_AHEAD, {"number": number})]


def act_ahead(ticket_id: int) -> Ahead:
    """`act`'s reads: the ticket locked, then its window and who holds it."""
    return [
        *locked_ticket_ahead(ticket_id),
        ("ticket_window", q.WINDOW_HOLDER_AHEAD, {"ticket_id": ticket_id}),
    ]


def locked_ticket_ahead(ticket_id: int) -> Ahead:
    """The first read of `cancel` and `reinstate`: the ticket locked."""
    return [("ticket", q.TICKET_LOCKED_AHEAD, {"ticket_id": ticket_id})]


# --- issue ------------------------------------------------------------------------------------


def issue(session: Session, who: Principal, request: w.IssueTicket, now: datetime) -> w.TicketOut:
    policy.require(who, policy.Can.issue_ticket)
    conn = connection_of(session)
    service = conn.execute(
        q.SERVICE_BY_CODE,
        {"hall_id": who.hall_id, "code": request.service},
        execution_options=_AS_SERVICE,
    ).first()
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
    _check_issuing(session, who, service._mapping, now)
    return issue_for_service(
        session, who, service._mapping, request.priority, request.appointment_at, request.notes, now
    )


def issue_for_service(
    session: Session,
    who: Principal,
    service: TicketRow,
    priority: w.Priority,
    appointment_at: datetime | None,
    notes: str,
    now: datetime,
) -> w.TicketOut:
    """Number and insert a waiting ticket of `service` (a row of `SERVICE_BY_CODE`) and record
    its issue. Who may, and the kiosk cutoff, are the caller's to check: `issue` above, and an
    appointment's check-in (`appointments.bookings`), whose slot the cutoff does not touch."""
    conn = connection_of(session)
    day = service_day_of(session, who.hall_id, now)  # a night session keeps its numbers
    drawn = {"service_id": service["id"], "day": day}
    ticket_id = None
    if conn.dialect.name == "postgresql":  # the number and the id in one wait
        number, ticket_id = conn.execute(q.number_and_id(), drawn).one()
    else:
        number = int(conn.execute(q.next_number(conn.dialect.name), drawn).scalar_one())
    ticket: dict[str, Any] = {} if ticket_id is None else {"id": ticket_id}
    ticket |= {
        "hall_id": who.hall_id,
        "service_id": service["id"],
        "number": number,
        "code": ticket_code(service["prefix"], number),
        "local_date": day,
        "status": WAITING,
        "priority": priority.value,
        "appointment_at": appointment_at,
        "issued_at": now,
        "queue_at": now,
        "window_id": None,
        "called_at": None,
        "called_by_id": None,
        "recall_count": 0,
        "started_at": None,
        "finished_at": None,
        "outcome": None,
        "reason": None,
        "notes": notes,
        "issued_service_id": service["id"],
        "target_window_id": None,
        "target_staff_id": None,
        "handoff_count": 0,
        "chain_departments": "",
        "return_handoff_id": None,
    }
    return transitions.issue(
        session,
        ticket,
        who,
        now,
        service_code=service["code"],
        service_name=service["name"],
        estimated_minutes=service["estimated_minutes"],
        window_number=None,
        called_by=None,
    )


def _check_issuing(session: Session, who: Principal, service: TicketRow, now: datetime) -> None:
    """The kiosk cutoff (409 when closed or past it). "Yes" may come from the cached calendar;
    a "no" is always decided again on the calendar as stored (`cutoff.check_issuing`)."""
    if policy.may(who, policy.Can.issue_past_cutoff):
        return
    cutoff = service["cutoff_minutes"]
    minutes = service["estimated_minutes"] if cutoff is None else cutoff
    if accepts_tickets(cached_calendar(session, who.hall_id), now, minutes):
        return
    check_issuing(session, who, session.get_one(Service, service["id"]), now)


# --- calling ----------------------------------------------------------------------------------


def _ready_to_call(window: HeldWindow, now: datetime) -> None:
    if window.paused:
        raise Conflict(
            "window_paused",
            f"Window {window.number} is paused: resume it before calling.",
            window=window.number,
        )
    window.require_empty_hands("calling the next")
    _check_interval(window.last_call_at, window.min_call_interval_s, now)


def _check_interval(last_call_at: datetime | None, interval_s: int, now: datetime) -> None:
    interval = timedelta(seconds=interval_s)
    if last_call_at is not None and now < last_call_at + interval:
        raise TooSoon((last_call_at + interval - now).total_seconds(), interval_s=interval_s)


def _mark_called(
    session: Session,
    row: TicketRow,
    window: HeldWindow,
    who: Principal,
    now: datetime,
    reason: str | None,
) -> w.TicketOut:
    changes = {
        "window_id": window.id,
        "called_at": now,
        "called_by_id": who.staff_id,
        "recall_count": 0,
        **NOT_PARKED_BACK,
    }
    connection_of(session).execute(q.UPDATE_WINDOW, {"window_id_": window.id, "last_call_at": now})
    return transitions.change(
        session,
        row,
        Action.call,
        changes,
        who,
        window.id,
        now,
        reason,
        window_number=window.number,
        called_by=who.staff_no,
    )


def call_next(session: Session, who: Principal, number: int, now: datetime) -> w.TicketOut:
    conn = connection_of(session)
    window = held_window(session, who, number)
    _ready_to_call(window, now)
    where = {"hall_id": who.hall_id, "window_id": window.id, "now": now}
    row = conn.execute(q.claim(conn.dialect.name), where, execution_options=_AS_CLAIM).first()
    if row is None and conn.dialect.name == "postgresql":
        # Every candidate was being called by other windows: the whole queue decides.
        row = conn.execute(q.CLAIM_UNBOUNDED, where).first()
    if row is None:
        raise Conflict(
            "queue_empty",
            f"Nobody is waiting for window {number}: wait for the next ticket.",
            window=number,
        )
    return _mark_called(session, row._mapping, window, who, now, None)


def _find_ticket(conn: Connection, hall_id: int, ref: str, today: date) -> TicketRow:
    """A ticket (locked) by numeric id, or by today's code (A023)."""
    if ref.isascii() and ref.isdigit() and len(ref) <= 15:  # not "²", not past 64 bits
        found = conn.execute(q.TICKET_LOCKED, {"hall_id": hall_id, "ticket_id": int(ref)}).all()
    else:
        found = conn.execute(
            q.TICKET_BY_CODE_LOCKED, {"hall_id": hall_id, "code": ref.upper(), "day": today}
        ).all()
    if not found:
        raise not_found("ticket", ref)
    if len(found) > 1:  # two services swapped prefixes during the day (hall file import)
        raise Conflict(
            "ticket_code_ambiguous",
            f"Two tickets today are {ref.upper()}: call it by its id instead.",
            ticket=ref.upper(),
            ids=[t.id for t in found],
        )
    return found[0]._mapping


def call_specific(
    session: Session, who: Principal, number: int, request: w.CallSpecific, now: datetime
) -> w.TicketOut:
    conn = connection_of(session)
    window = held_window(session, who, number)
    row = _find_ticket(conn, who.hall_id, request.ticket, service_day_of(session, who.hall_id, now))
    policy.require_ticket_visible(conn, who, row, request.ticket)
    serves = {"window_id": window.id, "service_id": row["service_id"], "now": now}
    if conn.execute(q.SERVES, serves).first() is None:
        raise Conflict(
            "service_not_at_window",
            f"Ticket {row['code']} is for a service window {number} does not serve: "
            "hand it to a window that serves it.",
            ticket=row["code"],
        )
    if row["status"] != WAITING:
        next_state(row["status"], Action.call)  # raises, naming the current state
    _require_handed_here(conn, row, window)
    _ready_to_call(window, now)
    first = conn.execute(
        q.first_in_line(conn.dialect.name),
        {"hall_id": who.hall_id, "window_id": window.id, "now": now},
    ).first()
    if first is not None and first.id != row["id"] and not request.reason:
        raise Invalid(
            "reason_required",
            f"{row['code']} is not next in line ({first.code} is): give a reason to call it "
            "out of turn.",
            ticket=row["code"],
            next=first.code,
        )
    return _mark_called(session, row, window, who, now, request.reason or None)


def _require_handed_here(conn: Connection, row: TicketRow, window: HeldWindow) -> None:
    """A ticket handed to another window, or to a clerk not at this one, is theirs (409)."""
    if row["target_window_id"] is None and row["target_staff_id"] is None:
        return
    found = conn.execute(q.CALLABLE_AT, {"ticket_id": row["id"], "window_id": window.id}).first()
    if found is None:
        raise Conflict(
            "handed_to_other_window",
            f"{row['code']} was handed to another window or clerk: leave it to them, or ask "
            "the duty lead to hand it on.",
            ticket=row["code"],
        )


# --- the ticket at the counter ----------------------------------------------------------------


def _locked_ticket(conn: Connection, who: Principal, ticket_id: int) -> TicketRow:
    row = conn.execute(
        q.TICKET_LOCKED,
        {"hall_id": who.hall_id, "ticket_id": ticket_id},
        execution_options=_AS_TICKET,
    ).first()
    if row is None:
        raise not_found("ticket", ticket_id)
    policy.require_ticket_visible(conn, who, row._mapping, ticket_id)
    return row._mapping


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
    conn = connection_of(session)
    row = _locked_ticket(conn, who, ticket_id)
    before = row["status"]
    next_state(before, action)  # 409 naming the state before anything else
    window_id = row["window_id"]
    if window_id is None or before not in (CALLED, SERVING):
        raise IllegalTransition(Action.start, before, frozenset({CALLED, SERVING}))
    window = conn.execute(
        q.WINDOW_HOLDER, {"window_id": window_id}, execution_options=_AS_TICKET_WINDOW
    ).one()
    if window.holder_id != who.staff_id:
        raise Forbidden(
            "not_your_window",
            f"Ticket {row['code']} is at window {window.number}, which you are not signed in "
            "at: sign in there, or leave it to its clerk.",
            ticket=row["code"],
            window=window.number,
        )
    changes: dict[str, Any] = {}
    parts: dict[str, Any] = {}
    if action == Action.recall:
        _check_interval(window.last_call_at, window.min_call_interval_s, now)
        changes["recall_count"] = row["recall_count"] + 1
        conn.execute(q.UPDATE_WINDOW, {"window_id_": window_id, "last_call_at": now})
    elif action == Action.start:
        changes["started_at"] = now
    elif action == Action.complete:
        if row["return_handoff_id"] is not None:  # its sender asked it back: it returns
            from clerkdesk.hall.handoffs.service import return_to_sender

            return return_to_sender(session, row, who, window_id, now, notes)
        changes["finished_at"] = now
        changes["outcome"] = (outcome or w.Outcome.done).value
        if notes:
            changes["notes"] = f"{row['notes']}\n{notes}".strip()
    elif action == Action.no_show:
        _may_mark_no_show(session, row, now)
        changes["finished_at"] = now
        changes["reason"] = reason
    elif action == Action.park:
        changes |= {"window_id": None, "called_at": None, "started_at": None}
        changes["reason"] = reason or None
        changes |= _park_place(conn, row, window_id, position or w.QueuePosition.back, now)
        parts["window_number"] = None
    return transitions.change(session, row, action, changes, who, window_id, now, reason, **parts)


def _may_mark_no_show(session: Session, ticket: TicketRow, now: datetime) -> None:
    """The hall's policy: enough recalls and time since the first call (409 saying what is
    missing)."""
    counter = load_counter_policy(session, ticket["hall_id"])
    called_at: datetime = ticket["called_at"]
    wait = no_show_wait(counter, ticket["recall_count"], called_at, now)
    if wait is None:
        return
    missing = []
    if wait.recalls_needed:
        missing.append(f"recall it {wait.recalls_needed} more time(s)")
    if wait.seconds_left:
        missing.append(f"wait {wait.seconds_left} more seconds")
    called = ticket["recall_count"] + 1
    raise Conflict(
        "no_show_too_soon",
        f"{ticket['code']} was called {called}x, {int((now - called_at).total_seconds())} s ago: "
        f"{' and '.join(missing)} before marking a no-show (this hall waits for "
        f"{counter.no_show_min_recalls} recall(s) and {counter.no_show_min_seconds} s).",
        ticket=ticket["code"],
        times_called=called,
        called_at=called_at.isoformat(),
        recalls_needed=wait.recalls_needed,
        seconds_left=wait.seconds_left,
        min_recalls=counter.no_show_min_recalls,
        min_seconds=counter.no_show_min_seconds,
    )


def _park_place(
    conn: Connection, ticket: TicketRow, window_id: int, position: w.QueuePosition, now: datetime
) -> dict[str, Any]:
    """Back: behind everyone now waiting for the window it was at, whatever their service or
    priority (`queue_order.back_of`). Front: ahead of everyone waiting for its service."""
    if position == w.QueuePosition.back:
        window = {"hall_id": ticket["hall_id"], "window_id": window_id, "now": now}
        last = conn.execute(q.LAST_IN_LINE, window).first()
        back = queue_order.back_of(None if last is None else tuple(last), now)
        return {
            "queue_at": back.queue_at,
            "back_window_id": window_id if back.rank is not None else None,
            "back_rank": back.rank,
            "back_position": back.position,
        }
    others = {"service_id": ticket["service_id"], "ticket_id": ticket["id"]}
    earliest = conn.execute(q.EARLIEST_WAITING, others).scalar()
    issued_at: datetime = ticket["issued_at"]
    queue_at = issued_at if earliest is None else min(issued_at, earliest - queue_order.STEP)
    return {"queue_at": queue_at, **NOT_PARKED_BACK}


NOT_PARKED_BACK = {"back_window_id": None, "back_rank": None, "back_position": None}


def cancel(
    session: Session, who: Principal, ticket_id: int, reason: str, now: datetime
) -> w.TicketOut:
    conn = connection_of(session)
    row = _locked_ticket(conn, who, ticket_id)
    before = row["status"]
    next_state(before, Action.cancel)
    policy.require_cancel(conn, who, row)
    changes = {"finished_at": now, "reason": reason}
    if policy.may(who, policy.Can.cancel_failed_print):
        _reopen_booking(conn, ticket_id)
    return transitions.change(
        session, row, Action.cancel, changes, who, row["window_id"], now, reason
    )


def _reopen_booking(conn: Connection, ticket_id: int) -> None:
    """The kiosk cancels a ticket it could not print: a booking checked in as that ticket is
    booked again, so the citizen checks in once more with the same code and keeps the slot."""
    booking = tables.appointment
    conn.execute(
        pipeline.queued(update(booking))  # nobody reads its row count: it goes with the COMMIT
        .where(booking.c.ticket_id == ticket_id, booking.c.status == CHECKED_IN)
        .values(status=BOOKED, ticket_id=None, checked_in_at=None)
    )


# --- a no-show comes back ---------------------------------------------------------------------


def reinstate(
    session: Session, who: Principal, ticket_id: int, reason: str, now: datetime
) -> w.TicketOut:
    """The citizen marked a no-show came back: within the hall's policy window the ticket goes
    back to the front of its queue (a clerk of a department serving it, a lead, an admin)."""
    policy.require(who, policy.Can.reinstate_ticket)
    conn = connection_of(session)
    row = _locked_ticket(conn, who, ticket_id)
    policy.require_reinstate(conn, who, row)
    before = row["status"]
    next_state(before, Action.reinstate)  # 409 naming the state unless a no-show
    counter = load_counter_policy(session, who.hall_id)
    marked_at: datetime = row["finished_at"]
    until = reinstate_until(counter, marked_at)
    if now >= until:
        raise Conflict(
            "reinstate_too_late",
            f"{row['code']} was marked a no-show at {marked_at.isoformat()}, more than "
            f"{counter.reinstate_minutes} minutes ago: issue the citizen a new ticket.",
            ticket=row["code"],
            marked_at=marked_at.isoformat(),
            until=until.isoformat(),
            minutes=counter.reinstate_minutes,
        )
    changes: dict[str, Any] = {
        "window_id": None,
        "called_at": None,
        "called_by_id": None,
        "recall_count": 0,
        "started_at": None,
        "finished_at": None,
        "reason": reason,
    }
    changes |= _park_place(conn, row, row["window_id"], w.QueuePosition.front, now)
    return transitions.change(
        session,
        row,
        Action.reinstate,
        changes,
        who,
        row["window_id"],
        now,
        reason,
        window_number=None,
        called_by=None,
    )
