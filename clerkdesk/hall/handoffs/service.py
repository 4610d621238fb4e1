"""Hand-offs between departments (转办): the case moves, the citizen keeps the number.

- `hand_off`: the ticket at a clerk's counter goes to another department's service, a window or
  a clerk, with a note; it waits there ahead of new arrivals (the hall's placement policy), and
  the sending window is free at once.
- `send_back`: its receiver sends it back to the sender's window, with a reason.
- `back_to_me`: the sender asks the case back; when another department finishes it
  (`return_to_sender`, from the counter's complete), it returns to the sender's window, first in
  line there.
- `watch`: a duty lead's open and today's hand-offs; `ticket_detail`: the chain on the ticket.

Every change of the ticket goes through `tickets.transitions` (the hand-off row, the ticket's
columns, the transition and the event in the request's transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar, service_day_of
from clerkdesk.hall.calendar.cutoff import when
from clerkdesk.hall.errors import Conflict, Invalid, not_found
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.events.projection import View, project_handoff
from clerkdesk.hall.handoffs.rows import END_OPEN, MOVES, OPEN, OPEN_MOVE
from clerkdesk.hall.rules import handoffs as rules
from clerkdesk.hall.rules.calendar import is_open, next_opening
from clerkdesk.hall.rules.queue_order import RETURN_RANK
from clerkdesk.hall.rules.ticket_states import CALLED, SERVING, TERMINAL, Action, next_state
from clerkdesk.hall.rules.tide import services_with_tide
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import (
    Department,
    ExtensionRequest,
    HallPolicy,
    HandOff,
    Service,
    Staff,
    Ticket,
    TideService,
    TideWindow,
    Window,
    WindowService,
    WindowSession,
)
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import lifecycle, transitions
from clerkdesk.hall.tickets.queries import services_now, ticket_for
from clerkdesk.hall.tickets.transitions import TicketRow
from clerkdesk.hall.wire import (
    chain_codes,
    handoff_out,
    handoff_watch_out,
    ticket_detail_out,
)

_h = tables.hand_off
NOT_PARKED_BACK = lifecycle.NOT_PARKED_BACK


def load_handoff_policy(session: Session, hall_id: int) -> rules.HandoffPolicy:
    row = session.get(HallPolicy, hall_id)
    if row is None:
        return rules.HandoffPolicy()
    return rules.HandoffPolicy(
        rules.Placement(row.handoff_placement), row.handoff_flag_after, row.handoff_arrival_minutes
    )


# --- where the case goes ------------------------------------------------------------------------


class Target:
    """A hand-off's resolved target: the service, and the window and clerk it is pinned to."""

    def __init__(
        self, service: Service, window: Window | None, staff: Staff | None, department_id: int
    ) -> None:
        self.service = service
        self.window = window
        self.staff = staff
        self.department_id = department_id


def _window_services(session: Session, window: Window, now: datetime) -> list[int]:
    """The services the window calls now: a tide's in force first, then its own."""
    own, tide = services_now(session, window, now)
    return services_with_tide(own, tide)


def _tide_windows_serving(service_id: int, now: datetime) -> Any:
    """The windows a tide in force makes call the service (a select of window ids)."""
    return (
        select(TideWindow.window_id)
        .join(TideService, TideService.tide_id == TideWindow.id)
        .where(
            TideService.service_id == service_id,
            TideWindow.ended_at.is_(None),
            TideWindow.started_at <= now,
            or_(TideWindow.until.is_(None), TideWindow.until > now),
        )
    )


def _active_service(session: Session, hall_id: int, code: str) -> Service:
    service = session.scalars(
        select(Service).where(Service.hall_id == hall_id, Service.code == code)
    ).one_or_none()
    if service is None or not service.active:
        raise not_found("service", code)
    return service


def _resolve(
    session: Session, who: Principal, row: TicketRow, body: w.HandOff, now: datetime
) -> Target:
    if body.service is None and body.window is None and body.staff_no is None:
        raise Invalid(
            "handoff_target_missing",
            "Say where the case goes: a service, a window or a clerk's staff number.",
        )
    if body.window is not None and body.staff_no is not None:
        raise Invalid(
            "handoff_target_twice",
            "Hand the case to a window or to a clerk, not both: send one of them.",
        )
    service = _active_service(session, who.hall_id, body.service) if body.service else None
    window: Window | None = None
    staff: Staff | None = None
    if body.staff_no is not None:
        staff = session.scalars(
            select(Staff).where(
                Staff.hall_id == who.hall_id, Staff.staff_no == body.staff_no, Staff.active
            )
        ).one_or_none()
        if staff is None:
            raise not_found("staff", body.staff_no)
        held = session.scalars(
            select(WindowSession).where(
                WindowSession.staff_id == staff.id, WindowSession.ended_at.is_(None)
            )
        ).one_or_none()
        if held is None:
            raise Conflict(
                "staff_not_at_window",
                f"{staff.name} ({staff.staff_no}) is at no window now: hand the case to their "
                "service or window instead.",
                staff_no=staff.staff_no,
            )
        window = session.get_one(Window, held.window_id)
    elif body.window is not None:
        window = session.scalars(
            select(Window).where(Window.hall_id == who.hall_id, Window.number == body.window)
        ).one_or_none()
        if window is None or not window.active:
            raise not_found("window", body.window)
    if window is not None:
        served = _window_services(session, window, now)
        if service is not None and service.id not in served:
            raise Conflict(
                "service_not_at_window",
                f"Window {window.number} does not serve {service.name}: pick a window that "
                "serves it, or hand it to the service.",
                window=window.number,
                service=service.code,
            )
        if service is None:
            if not served:
                raise Conflict(
                    "window_serves_nothing",
                    f"Window {window.number} serves no service: pick another window.",
                    window=window.number,
                )
            chosen = row["service_id"] if row["service_id"] in served else served[0]
            service = session.get_one(Service, chosen)
        if window.id == row["window_id"] and row["status"] in (CALLED, SERVING):
            raise Conflict(
                "handoff_to_own_window",
                f"{row['code']} is at window {window.number} already: hand it to another "
                "window, service or clerk.",
                ticket=row["code"],
                window=window.number,
            )
    assert service is not None
    department_id = service.department_id
    if window is not None and window.department_id is not None:
        department_id = window.department_id
    return Target(service, window, staff, department_id)


def _extended_until(session: Session, service_id: int, now: datetime) -> datetime | None:
    """The latest end of an approved extension of a held window serving the service (its own,
    or a tide's in force), if one runs past `now` (the window is open although the hall has
    closed)."""
    serving = select(WindowService.window_id).where(WindowService.service_id == service_id)
    return session.scalar(
        select(func.max(ExtensionRequest.ends_at))
        .join(
            WindowSession,
            (WindowSession.window_id == ExtensionRequest.window_id)
            & WindowSession.ended_at.is_(None),
        )
        .where(
            ExtensionRequest.window_id.in_(serving.union(_tide_windows_serving(service_id, now))),
            ExtensionRequest.status == w.ExtensionStatus.approved.value,
            ExtensionRequest.ends_at > now,
        )
    )


def _admit(
    session: Session, who: Principal, target: Target, settings: rules.HandoffPolicy, now: datetime
) -> None:
    """Only to a service open now or opening before the citizen could get there (409 with the
    next opening, hall-local, else)."""
    calendar = cached_calendar(session, who.hall_id)
    open_now = is_open(calendar, now) or _extended_until(session, target.service.id, now)
    reopen = None if open_now else next_opening(calendar, now)
    verdict = rules.admission(settings, bool(open_now), reopen, now)
    if verdict.accepted:
        return
    zone = calendar.zone
    raise Conflict(
        "handoff_service_closed",
        f"{target.service.name} is closed now and opens again {when(reopen, zone)}: the citizen "
        f"cannot be served there before then. Hand the case to a service open now, or tell "
        "the citizen when to come back.",
        service=target.service.code,
        next_opening=reopen.astimezone(zone).isoformat() if reopen else None,
        arrival_minutes=settings.arrival_minutes,
    )


def _go_to_window(
    session: Session,
    to_window_id: int | None,
    to_staff_id: int | None,
    to_service_id: int,
    now: datetime,
) -> int | None:
    """Where the citizen goes: the target window; the window the target clerk holds; else the
    one held window serving the service (its own, or a tide's in force), if exactly one does."""
    if to_window_id is not None:
        return session.get_one(Window, to_window_id).number
    held = select(WindowSession.window_id).where(WindowSession.ended_at.is_(None))
    if to_staff_id is not None:
        held = held.where(WindowSession.staff_id == to_staff_id)
    else:
        serving = select(WindowService.window_id).where(WindowService.service_id == to_service_id)
        held = held.where(
            WindowSession.window_id.in_(serving.union(_tide_windows_serving(to_service_id, now)))
        )
    found = list(session.scalars(held.limit(2)))
    if len(found) != 1:
        return None
    return session.get_one(Window, found[0]).number


def _out(
    session: Session, move: HandOff, now: datetime, settings: rules.HandoffPolicy
) -> w.HandOffOut:
    ticket = session.get_one(Ticket, move.ticket_id)
    unpinned = (
        move.state == OPEN
        and (move.to_window_id is not None or move.to_staff_id is not None)
        and ticket.target_window_id is None
        and ticket.target_staff_id is None
    )
    go_to = None
    if unpinned:  # its window closed for the day: any window serving the service calls it
        go_to = _go_to_window(session, None, None, ticket.service_id, now)
    elif move.state == OPEN:
        go_to = _go_to_window(session, move.to_window_id, move.to_staff_id, move.to_service_id, now)
    return handoff_out(
        session,
        move,
        ticket.code,
        rules.waited_seconds(move.at, move.called_at, move.ended_at, now),
        rules.flagged(settings, ticket.handoff_count),
        go_to,
        unpinned,
    )


def _from_department(session: Session, row: TicketRow) -> int:
    """The department that hands the case on: its window's, else its service's."""
    if row["window_id"] is not None:
        window = session.get_one(Window, row["window_id"])
        if window.department_id is not None:
            return window.department_id
    return int(row["service_department_id"])


def _chain_with(session: Session, row: TicketRow, *department_ids: int) -> str:
    codes = chain_codes(row["chain_departments"])
    for department_id in department_ids:
        code = session.get_one(Department, department_id).code
        if code not in codes:
            codes.append(code)
    return ",".join(codes)


def _new_move(conn: Connection, values: dict[str, Any]) -> int:
    seq = int(conn.execute(MOVES, {"ticket_id": values["ticket_id"]}).scalar_one()) + 1
    return int(conn.execute(insert(_h).returning(_h.c.id), {**values, "seq": seq}).scalar_one())


def _end_open(
    conn: Connection,
    ticket_id: int,
    state: w.HandOffState,
    who: Principal,
    now: datetime,
    reason: str | None = None,
) -> None:
    conn.execute(
        END_OPEN,
        {
            "of_ticket": ticket_id,
            "state": state.value,
            "ended_at": now,
            "ended_by_id": who.staff_id,
            "end_reason": reason,
        },
    )


def _service_parts(service: Service) -> dict[str, Any]:
    """The answer's service columns after the ticket moved to `service`."""
    return {
        "service_code": service.code,
        "service_name": service.name,
        "estimated_minutes": service.estimated_minutes,
        "service_department_id": service.department_id,
        "window_number": None,
        "called_by": None,
    }


_OFF_THE_COUNTER = {
    "window_id": None,
    "called_at": None,
    "called_by_id": None,
    "started_at": None,
    "recall_count": 0,
}


# --- hand off -----------------------------------------------------------------------------------


def hand_off(
    session: Session, who: Principal, ticket_id: int, body: w.HandOff, now: datetime
) -> w.HandOffAnswer:
    conn = connection_of(session)
    row = lifecycle._locked_ticket(conn, who, ticket_id)
    next_state(row["status"], Action.hand_off)  # 409 naming the state: a finished case
    policy.require_hand_off(conn, who, row)
    target = _resolve(session, who, row, body, now)
    settings = load_handoff_policy(session, who.hall_id)
    _admit(session, who, target, settings, now)
    at_counter = row["status"] in (CALLED, SERVING)
    from_window_id = row["window_id"] if at_counter else None
    from_department_id = _from_department(session, row)
    _end_open(conn, row["id"], w.HandOffState.handed_on, who, now)
    move_id = _new_move(
        conn,
        {
            "hall_id": who.hall_id,
            "ticket_id": row["id"],
            "local_date": service_day_of(session, who.hall_id, now),
            "at": now,
            "from_staff_id": who.staff_id,
            "from_window_id": from_window_id,
            "from_service_id": row["service_id"],
            "from_department_id": from_department_id,
            "to_service_id": target.service.id,
            "to_department_id": target.department_id,
            "to_window_id": target.window.id if target.window and not target.staff else None,
            "to_staff_id": target.staff.id if target.staff else None,
            "note": body.note,
            "kind": w.HandOffKind.hand_off.value,
            "state": OPEN,
        },
    )
    place = rules.place_in_target_queue(settings, row["priority"], row["issued_at"], now)
    changes: dict[str, Any] = {
        **_OFF_THE_COUNTER,
        **NOT_PARKED_BACK,
        "service_id": target.service.id,
        "priority": place.priority,
        "queue_at": place.queue_at,
        "target_window_id": target.window.id if target.window and not target.staff else None,
        "target_staff_id": target.staff.id if target.staff else None,
        "handoff_count": row["handoff_count"] + 1,
        "chain_departments": _chain_with(session, row, from_department_id, target.department_id),
        "reason": body.note,
    }
    return _moved(
        session,
        row,
        Action.hand_off,
        changes,
        who,
        from_window_id,
        now,
        body.note,
        move_id,
        target.service,
        settings,
    )


def _moved(
    session: Session,
    row: TicketRow,
    action: Action,
    changes: dict[str, Any],
    who: Principal,
    window_id: int | None,
    now: datetime,
    reason: str | None,
    move_id: int,
    service: Service,
    settings: rules.HandoffPolicy,
) -> w.HandOffAnswer:
    session.expire_all()  # the ORM reads the rows the Core statements just wrote
    moved: dict[str, w.HandOffOut] = {}

    def event(_ticket: w.TicketOut) -> dict[str, w.Wire | None]:
        moved["out"] = _out(session, session.get_one(HandOff, move_id), now, settings)
        return {"handoff": moved["out"]}

    ticket = transitions.change(
        session,
        row,
        action,
        changes,
        who,
        window_id,
        now,
        reason,
        event=event,
        **_service_parts(service),
    )
    return w.HandOffAnswer(ticket=ticket, handoff=moved["out"])


# --- send back ----------------------------------------------------------------------------------


def _open_move(conn: Connection, row: TicketRow) -> Any:
    return conn.execute(OPEN_MOVE, {"ticket_id": row["id"]}).first()


def _back_to(
    session: Session,
    row: TicketRow,
    who: Principal,
    now: datetime,
    kind: w.HandOffKind,
    note: str,
    to_service_id: int,
    to_window_id: int | None,
    to_department_id: int,
) -> tuple[int, dict[str, Any]]:
    """The move of a case back to a sender's window, first in line there, and the ticket's
    new columns."""
    conn = connection_of(session)
    from_department_id = _from_department(session, row)
    move_id = _new_move(
        conn,
        {
            "hall_id": who.hall_id,
            "ticket_id": row["id"],
            "local_date": service_day_of(session, who.hall_id, now),
            "at": now,
            "from_staff_id": who.staff_id,
            "from_window_id": row["window_id"],
            "from_service_id": row["service_id"],
            "from_department_id": from_department_id,
            "to_service_id": to_service_id,
            "to_department_id": to_department_id,
            "to_window_id": to_window_id,
            "to_staff_id": None,
            "note": note,
            "kind": kind.value,
            "state": OPEN,
        },
    )
    first_there = (
        {"back_window_id": to_window_id, "back_rank": RETURN_RANK, "back_position": RETURN_RANK}
        if to_window_id is not None
        else NOT_PARKED_BACK
    )
    changes = {
        **_OFF_THE_COUNTER,
        **first_there,
        "service_id": to_service_id,
        "priority": rules.TRANSFERRED,
        "queue_at": now,
        "target_window_id": to_window_id,
        "target_staff_id": None,
        "return_handoff_id": None,
        "chain_departments": _chain_with(session, row, from_department_id, to_department_id),
    }
    return move_id, changes


def send_back(
    session: Session, who: Principal, ticket_id: int, body: w.SendBack, now: datetime
) -> w.HandOffAnswer:
    conn = connection_of(session)
    row = lifecycle._locked_ticket(conn, who, ticket_id)
    next_state(row["status"], Action.send_back)
    policy.require_receiver(conn, who, row)
    move = _open_move(conn, row)
    if move is None:
        raise Conflict(
            "not_handed_off",
            f"{row['code']} was not handed to you by another counter: there is nobody to send "
            "it back to. Hand it on instead.",
            ticket=row["code"],
        )
    _end_open(conn, row["id"], w.HandOffState.sent_back, who, now, body.reason)
    move_id, changes = _back_to(
        session,
        row,
        who,
        now,
        w.HandOffKind.send_back,
        body.reason,
        move.from_service_id,
        move.from_window_id,
        move.from_department_id,
    )
    changes["reason"] = body.reason
    settings = load_handoff_policy(session, who.hall_id)
    service = session.get_one(Service, move.from_service_id)
    return _moved(
        session,
        row,
        Action.send_back,
        changes,
        who,
        row["window_id"],
        now,
        body.reason,
        move_id,
        service,
        settings,
    )


# --- back to me ---------------------------------------------------------------------------------


def back_to_me(session: Session, who: Principal, ticket_id: int, now: datetime) -> w.HandOffAnswer:
    """The sender asks the case back: when another department finishes it, it returns to the
    sender's window (`return_to_sender`). Asking again changes nothing."""
    conn = connection_of(session)
    row = lifecycle._locked_ticket(conn, who, ticket_id)
    held = select(tables.window_session.c.window_id).where(
        tables.window_session.c.staff_id == who.staff_id,
        tables.window_session.c.ended_at.is_(None),
    )
    sent = conn.execute(
        select(_h)
        .where(
            _h.c.ticket_id == row["id"],
            _h.c.kind == w.HandOffKind.hand_off.value,
            or_(_h.c.from_staff_id == who.staff_id, _h.c.from_window_id.in_(held)),
        )
        .order_by(_h.c.seq.desc())
        .limit(1)
    ).first()
    if sent is None:
        latest = conn.execute(
            select(_h.c.from_staff_id, _h.c.from_window_id)
            .where(_h.c.ticket_id == row["id"])
            .order_by(_h.c.seq.desc())
            .limit(1)
        ).first()
        if latest is None:
            raise Conflict(
                "not_handed_off",
                f"{row['code']} was never handed to another department: there is nothing to "
                "ask back.",
                ticket=row["code"],
            )
        policy.require_sender(conn, who, row["code"], latest.from_staff_id, latest.from_window_id)
        raise AssertionError("require_sender refuses whoever did not send it")  # pragma: no cover
    if row["status"] in TERMINAL:
        raise Conflict(
            "case_finished",
            f"{row['code']} is {row['status']} already: there is no case to ask back.",
            ticket=row["code"],
            status=row["status"],
        )
    open_move = _open_move(conn, row)
    if open_move is None or open_move.kind != w.HandOffKind.hand_off.value:
        raise Conflict(
            "case_not_away",
            f"{row['code']} is not with another department now: it is on its way back already.",
            ticket=row["code"],
        )
    if sent.back_asked_at is None:
        conn.execute(update(_h).where(_h.c.id == sent.id), {"back_asked_at": now})
    transitions.set_columns(session, row["id"], {"return_handoff_id": sent.id})
    settings = load_handoff_policy(session, who.hall_id)
    session.expire_all()
    out = _out(session, session.get_one(HandOff, sent.id), now, settings)
    answer = ticket_for(session, who, row["id"])
    append_event(
        session, who.hall_id, w.EventKind.handoff_back_asked, now, ticket=answer, handoff=out
    )
    return w.HandOffAnswer(ticket=answer, handoff=out)


def return_to_sender(
    session: Session,
    row: TicketRow,
    who: Principal,
    window_id: int,
    now: datetime,
    notes: str | None,
) -> w.TicketOut:
    """The receiver finished a case its sender asked back: it returns to the sender's window,
    first in line there, instead of ending (called from the counter's complete)."""
    conn = connection_of(session)
    asked = conn.execute(select(_h).where(_h.c.id == row["return_handoff_id"])).one()
    _end_open(conn, row["id"], w.HandOffState.returned, who, now)
    note = notes or ""
    move_id, changes = _back_to(
        session,
        row,
        who,
        now,
        w.HandOffKind.returned,
        note,
        asked.from_service_id,
        asked.from_window_id,
        asked.from_department_id,
    )
    if notes:
        changes["notes"] = f"{row['notes']}\n{notes}".strip()
    settings = load_handoff_policy(session, who.hall_id)
    service = session.get_one(Service, asked.from_service_id)
    return _moved(
        session,
        row,
        Action.back_to_me,
        changes,
        who,
        window_id,
        now,
        notes or None,
        move_id,
        service,
        settings,
    ).ticket


# --- reading ------------------------------------------------------------------------------------


def ticket_detail(
    session: Session, who: Principal, ticket_id: int, now: datetime
) -> w.TicketDetail:
    """GET /tickets/{id}: the ticket (404 unless `who` may see it), its chain and the time in
    the hall. The kiosk, which sees every ticket, gets the chain without notes and names."""
    ticket = ticket_for(session, who, ticket_id)
    settings = load_handoff_policy(session, who.hall_id)
    moves = session.scalars(
        select(HandOff).where(HandOff.ticket_id == ticket_id).order_by(HandOff.seq)
    )
    view = View.full if policy.may_read_handoff_notes(who) else View.public
    chain = [project_handoff(_out(session, move, now, settings), view) for move in moves]
    return ticket_detail_out(
        ticket,
        chain,
        rules.seconds_in_hall(ticket.issued_at, ticket.finished_at, now),
        rules.flagged(settings, ticket.handoffs),
    )


def watch(session: Session, who: Principal, now: datetime) -> w.HandOffWatch:
    """GET /hand-offs: open ones (any day) and the service day's, the lead's department's
    (sent or received) or, hall-wide, all; with the tickets handed on too often."""
    department_id = policy.handoff_watch_department(who)
    settings = load_handoff_policy(session, who.hall_id)
    day = service_day_of(session, who.hall_id, now)
    query = select(HandOff).where(HandOff.hall_id == who.hall_id)
    if department_id is not None:
        query = query.where(
            or_(
                HandOff.from_department_id == department_id,
                HandOff.to_department_id == department_id,
            )
        )
    open_rows = session.scalars(query.where(HandOff.state == OPEN).order_by(HandOff.at))
    today_rows = list(session.scalars(query.where(HandOff.local_date == day).order_by(HandOff.at)))
    open_ = [_out(session, move, now, settings) for move in open_rows]
    today = [_out(session, move, now, settings) for move in today_rows]
    flagged = sorted({m.ticket for m in [*open_, *today] if m.flagged})
    return handoff_watch_out(now, open_, today, flagged, settings.flag_after)


def mine(session: Session, who: Principal, now: datetime) -> w.MyHandOffs:
    """GET /me/hand-offs: the cases `who` handed off, the service day's and any still open,
    oldest first, and which of them are with another department now (the ones the hall would
    let them ask back). Only their own moves: the receivers' later notes are not in it."""
    policy.require_own_handoffs(who)
    settings = load_handoff_policy(session, who.hall_id)
    day = service_day_of(session, who.hall_id, now)
    sent = list(
        session.scalars(
            select(HandOff)
            .where(
                HandOff.hall_id == who.hall_id,
                HandOff.from_staff_id == who.staff_id,
                HandOff.kind == w.HandOffKind.hand_off.value,
                or_(HandOff.local_date == day, HandOff.state == OPEN),
            )
            .order_by(HandOff.at, HandOff.id)
        )
    )
    tickets = {move.ticket_id for move in sent}
    away = session.scalars(
        select(HandOff.ticket_id).where(
            HandOff.ticket_id.in_(tickets),
            HandOff.state == OPEN,
            HandOff.kind == w.HandOffKind.hand_off.value,
        )
    )
    return w.MyHandOffs(
        now=now,
        sent=[_out(session, move, now, settings) for move in sent],
        away=sorted(set(away)),
    )
