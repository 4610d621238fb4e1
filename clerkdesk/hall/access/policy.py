"""Who may do what in the hall: every may/require rule in one place, and one table of roles.

A rule answers from the signed-in principal, and where it must, from a few rows: the ticket's
service and window, the window's department and who holds it. Refusals say what to do. A ticket
that is not the caller's to see is refused as if it did not exist (404, the same answer as for
an unknown ticket): its number, state and citizen are not the caller's to learn.

Scope: an admin oversees the whole hall; a lead their department's windows and tickets (a lead
without a department: the whole hall). A clerk works at the window they hold.

Overtime and comp leave: everyone sees their own; a lead sees and decides for their
department's staff (a lead without a department: the whole hall), an admin for everyone. Nobody
decides their own claim or leave request, even holding the lead role. Staff outside one's scope
are answered as not found.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session

from clerkdesk.api.schemas import Role
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Forbidden, NotFound, not_found
from clerkdesk.hall.rules.ticket_states import CALLED, SERVING, WAITING
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import Department, Staff, Window, WindowSession


class Can(StrEnum):
    """What a role allows; the scope rules below narrow some of these to a department."""

    work_at_window = "work_at_window"  # sign in at a window, call and serve there
    sign_in_anywhere = "sign_in_anywhere"  # also at another department's window
    issue_ticket = "issue_ticket"
    issue_past_cutoff = "issue_past_cutoff"  # after the kiosk's cutoff, or while closed
    list_tickets = "list_tickets"  # today's tickets (scoped)
    see_any_ticket = "see_any_ticket"  # any ticket of the hall, notes included
    cancel_failed_print = "cancel_failed_print"  # a waiting ticket one issued oneself
    reinstate_ticket = "reinstate_ticket"  # a no-show who came back (scoped: serving department)
    oversee_department = "oversee_department"  # watch, cancel and decide in one's department
    oversee_hall = "oversee_hall"  # watch, cancel and decide anywhere in the hall
    decide = "decide"  # approve or deny extensions, confirm or reject overruns
    see_unconfirmed_years = "see_unconfirmed_years"
    confirm_calendar_year = "confirm_calendar_year"
    watch_hall = "watch_hall"  # the hall monitor and its congestion alerts (issue 13)
    open_tide = "open_tide"  # re-point a window (潮汐窗口), open a reserve one (scoped)
    hand_off = "hand_off"  # hand a case to another department (scoped: see require_hand_off)
    watch_handoffs = "watch_handoffs"  # the open and today's hand-offs (scoped: department)
    read_metrics = "read_metrics"  # GET /metrics (also a scrape token: see require_metrics_reader)
    see_slots = "see_slots"  # appointment services and their slots with places left
    book_appointment = "book_appointment"  # book a slot for a citizen (the kiosk, the city's app)
    check_in_appointment = "check_in_appointment"  # a booking becomes a ticket (the kiosk)
    read_appointment = "read_appointment"  # one booking (kiosk: contact masked; lead: scoped)
    cancel_appointment = "cancel_appointment"  # kiosk: with the booking code; lead: scoped
    list_appointments = "list_appointments"  # a date's bookings (scoped: department)
    rate_case = "rate_case"  # the citizen's rating of a completed case (好差评), at a device
    keep_leave = "keep_leave"  # claim overtime and ask for comp leave: staff, not the devices


Y, n = True, False

# fmt: off
ROLE_TABLE: dict[Can, tuple[bool, bool, bool, bool]] = {
    #                          clerk lead admin kiosk
    Can.work_at_window:        (Y,   Y,   n,    n),
    Can.sign_in_anywhere:      (n,   n,   Y,    n),
    Can.issue_ticket:          (n,   Y,   Y,    Y),
    Can.issue_past_cutoff:     (n,   Y,   Y,    n),
    Can.list_tickets:          (n,   Y,   Y,    n),
    Can.see_any_ticket:        (n,   n,   Y,    Y),
    Can.cancel_failed_print:   (n,   n,   n,    Y),
    Can.reinstate_ticket:      (Y,   Y,   Y,    n),
    Can.oversee_department:    (n,   Y,   n,    n),
    Can.oversee_hall:          (n,   n,   Y,    n),
    Can.decide:                (n,   Y,   Y,    n),
    Can.see_unconfirmed_years: (n,   Y,   Y,    n),
    Can.confirm_calendar_year: (n,   n,   Y,    n),
    Can.watch_hall:            (n,   Y,   Y,    n),
    Can.open_tide:             (n,   Y,   Y,    n),
    Can.hand_off:              (Y,   Y,   Y,    n),
    Can.watch_handoffs:        (n,   Y,   Y,    n),
    Can.read_metrics:          (n,   n,   Y,    n),
    Can.see_slots:             (Y,   Y,   Y,    Y),
    Can.book_appointment:      (n,   Y,   Y,    Y),
    Can.check_in_appointment:  (n,   Y,   Y,    Y),
    Can.read_appointment:      (n,   Y,   Y,    Y),
    Can.cancel_appointment:    (n,   Y,   Y,    Y),
    Can.list_appointments:     (n,   Y,   Y,    n),
    Can.rate_case:             (n,   n,   n,    Y),
    Can.keep_leave:            (Y,   Y,   Y,    n),
}
# fmt: on
COLUMNS = (Role.clerk, Role.lead, Role.admin, Role.kiosk)
# The hall board (Role.board, the TV over the counters) holds none of these: it reads GET /board
# and the event stream's public view, as any signed-in caller may, and changes nothing.
STAFF = frozenset({Role.clerk, Role.lead, Role.admin})
"""The staff roles; the kiosk and the board are the hall's devices, not staff."""

GRANTED: dict[Can, tuple[Role, ...]] = {
    can: tuple(role for role, yes in zip(COLUMNS, row, strict=True) if yes)
    for can, row in ROLE_TABLE.items()
}
"""For each permission, the roles that hold it (the table read by rows)."""


def may(who: Principal, can: Can) -> bool:
    return not who.roles.isdisjoint(GRANTED[can])


def require(who: Principal, can: Can) -> None:
    if not may(who, can):
        roles = GRANTED[can]
        names = " or ".join(r.value for r in roles)
        raise Forbidden(
            "role_required",
            f"This needs the {names} role; {who.staff_no} does not have it. "
            "Ask an admin to grant it.",
            roles=[r.value for r in roles],
        )


# --- scope ----------------------------------------------------------------------------------


def oversees(who: Principal, department_id: int | None) -> bool:
    """Admins: the whole hall; a lead: their department (no department on either side: all)."""
    if may(who, Can.oversee_hall):
        return True
    return may(who, Can.oversee_department) and (
        who.department_id is None or department_id in (None, who.department_id)
    )


def in_scope(who: Principal, window: Window) -> bool:
    """`who` oversees this window (its requests, overruns, queue and closing)."""
    return oversees(who, window.department_id)


# --- windows --------------------------------------------------------------------------------


def may_view_window(who: Principal, window: Window, holder: WindowSession | None) -> bool:
    """The clerk who holds it, and whoever oversees it."""
    if holder is not None and holder.staff_id == who.staff_id:
        return True
    return in_scope(who, window)


def require_window_visible(who: Principal, window: Window, holder: WindowSession | None) -> None:
    if not may_view_window(who, window, holder):
        raise Forbidden(
            "window_not_visible",
            f"Window {window.number} is not yours to watch: sign in there, or ask its duty lead.",
            window=window.number,
        )


def require_sign_in(who: Principal, window: Window) -> None:
    """Clerks and leads (`Can.work_at_window`, checked first) sign in at their department's
    windows (at any, without a department)."""
    if (
        who.department_id is not None
        and window.department_id is not None
        and window.department_id != who.department_id
        and not may(who, Can.sign_in_anywhere)
    ):
        raise Forbidden(
            "other_department",
            f"Window {window.number} belongs to another department: pick one of your "
            "department's windows.",
            window=window.number,
        )


# --- tickets --------------------------------------------------------------------------------

_t, _s, _w, _ws = tables.ticket, tables.service, tables.window, tables.window_service


def may_view_ticket(
    conn: Session | Connection,
    who: Principal,
    service_id: int,
    window_id: int | None,
    chain_departments: str = "",
) -> bool:
    """A ticket carries a citizen's notes: the kiosk that issues tickets and admins see every
    ticket of the hall; clerks and leads those of their department's services, those a
    window of their department serves or was called to (a 综合受理 window serves several
    departments' services), and those their department handed on or received (转办: the
    ticket's `chain_departments`, comma-separated codes). A reader who is none of the staff
    and may not see every ticket (the hall board) sees none: no department does not make it
    hall-wide."""
    if may(who, Can.see_any_ticket):
        return True
    if not who.roles & STAFF:
        return False
    if who.department_id is None:
        return True
    if chain_departments and _department_code(conn, who) in chain_departments.split(","):
        return True
    own_service = select(_s.c.id).where(
        _s.c.id == service_id, _s.c.department_id == who.department_id
    )
    served_here = (
        select(_ws.c.window_id)
        .join(_w, _w.c.id == _ws.c.window_id)
        .where(_ws.c.service_id == service_id, _w.c.department_id == who.department_id)
    )
    called_here = select(_w.c.id).where(
        _w.c.id == window_id, _w.c.department_id == who.department_id
    )
    exists = own_service.exists() | served_here.exists()
    if window_id is not None:
        exists = exists | called_here.exists()
    return bool(conn.execute(select(exists)).scalar())


def require_ticket_visible(
    conn: Connection, who: Principal, ticket: Mapping[Any, Any], ref: object
) -> None:
    """404 for a ticket not `who`'s to see: the same answer as for no ticket `ref` at all.
    `ticket` is a row of the lifecycle's statements (with `service_department_id`)."""
    if who.department_id is not None and ticket["service_department_id"] == who.department_id:
        return  # the common case at the counter, decided without a query
    chain = ticket.get("chain_departments") or ""
    if not may_view_ticket(conn, who, ticket["service_id"], ticket["window_id"], chain):
        raise not_found("ticket", ref)


def _department_code(conn: Session | Connection, who: Principal) -> str | None:
    if who.department_id is None:
        return None
    d = tables.department
    return conn.execute(select(d.c.code).where(d.c.id == who.department_id)).scalar()


def ticket_list_department(who: Principal) -> int | None:
    """The department whose tickets `who` lists (None: the whole hall)."""
    require(who, Can.list_tickets)
    return None if may(who, Can.see_any_ticket) else who.department_id


def _issued_by(conn: Connection, ticket_id: int, staff_id: int) -> bool:
    tt = tables.ticket_transition
    query = select(tt.c.id).where(
        tt.c.ticket_id == ticket_id, tt.c.action == "issue", tt.c.staff_id == staff_id
    )
    return conn.execute(query.limit(1)).first() is not None


def _holds(conn: Connection, who: Principal, window_id: int) -> bool:
    wsn = tables.window_session
    query = select(wsn.c.id).where(
        wsn.c.window_id == window_id, wsn.c.staff_id == who.staff_id, wsn.c.ended_at.is_(None)
    )
    return conn.execute(query.limit(1)).first() is not None


def require_cancel(conn: Connection, who: Principal, ticket: Mapping[Any, Any]) -> None:
    """Admins cancel anything; a lead within their department; a clerk the ticket at their own
    window; a kiosk only a waiting ticket it issued itself (a failed print)."""
    if oversees(who, ticket["service_department_id"]):
        return
    failed_print = ticket["status"] == WAITING and may(who, Can.cancel_failed_print)
    if failed_print and _issued_by(conn, ticket["id"], who.staff_id):
        return
    at_counter = ticket["window_id"] is not None and ticket["status"] in (CALLED, SERVING)
    if at_counter and _holds(conn, who, ticket["window_id"]):
        return
    raise Forbidden(
        "not_yours_to_cancel",
        f"Ticket {ticket['code']} is not at your window and not in your department: ask the "
        "duty lead of its department to cancel it.",
        ticket=ticket["code"],
    )


def serves_department_of(conn: Connection, who: Principal, ticket: Mapping[Any, Any]) -> bool:
    """Admins, and leads without a department: the whole hall. Others: their department's
    services, and those an active window of their department serves."""
    if may(who, Can.oversee_hall) or who.department_id is None:
        return True
    if ticket["service_department_id"] == who.department_id:
        return True
    query = (
        select(_ws.c.window_id)
        .join(_w, _w.c.id == _ws.c.window_id)
        .where(
            _ws.c.service_id == ticket["service_id"],
            _w.c.department_id == who.department_id,
            _w.c.active,
        )
    )
    return conn.execute(query.limit(1)).first() is not None


def require_reinstate(conn: Connection, who: Principal, ticket: Mapping[Any, Any]) -> None:
    """A clerk of a department serving the ticket's service, a lead (of such a department, or
    without one), an admin (`Can.reinstate_ticket`, checked first). Another department's
    no-show: 404, as if it did not exist."""
    if not serves_department_of(conn, who, ticket):
        raise not_found("ticket", ticket["id"])


# --- the duty lead's decisions --------------------------------------------------------------


def worked_window_since(session: Session, who: Principal, window_id: int, since: datetime) -> bool:
    """`who` holds the window now, or held it at some moment after `since`."""
    query = select(WindowSession.id).where(
        WindowSession.window_id == window_id,
        WindowSession.staff_id == who.staff_id,
        or_(WindowSession.ended_at.is_(None), WindowSession.ended_at > since),
    )
    return session.scalars(query.limit(1)).first() is not None


def require_decider(
    session: Session,
    who: Principal,
    requester_id: int,
    window: Window,
    what: str,
    since: datetime,
) -> None:
    """A lead or an admin who oversees the window decides, never on their own request, nor for
    a window they hold or held since `since` (taking a window over and approving its request
    would extend their own session)."""
    require(who, Can.decide)
    if requester_id == who.staff_id:
        raise Forbidden(
            "own_request",
            f"This {what} is your own: another duty lead or an admin must decide it.",
            window=window.number,
        )
    if not in_scope(who, window):
        raise Forbidden(
            "other_department",
            f"Window {window.number} belongs to another department: its own duty lead decides "
            f"this {what}.",
            window=window.number,
        )
    if worked_window_since(session, who, window.id, since):
        raise Forbidden(
            "own_window",
            f"You work (or worked) at window {window.number} since this {what}: another duty "
            "lead or an admin must decide it.",
            window=window.number,
        )


# --- the hall calendar ----------------------------------------------------------------------


def may_see_unconfirmed_years(who: Principal) -> bool:
    return may(who, Can.see_unconfirmed_years)


def require_calendar_admin(who: Principal) -> None:
    require(who, Can.confirm_calendar_year)


# --- the duty lead's hall (monitor, alerts, tide windows) ---------------------------------


def require_hall_watcher(who: Principal) -> None:
    """The hall monitor: leads and admins (the whole hall: counts, states and ticket numbers,
    no citizen's notes)."""
    require(who, Can.watch_hall)


def require_tide(who: Principal, window: Window) -> None:
    """A lead re-points a window of their department (any, without one); an admin any."""
    require(who, Can.open_tide)
    if not in_scope(who, window):
        raise Forbidden(
            "other_department",
            f"Window {window.number} belongs to another department: its own duty lead opens "
            "or ends a tide window there.",
            window=window.number,
        )


# --- hand-offs between departments (转办) ----------------------------------------------------


def require_hand_off(conn: Connection, who: Principal, ticket: Mapping[Any, Any]) -> None:
    """A clerk hands off the ticket at their own window (called or being served there); a
    lead or an admin also a waiting ticket of the department they oversee."""
    require(who, Can.hand_off)
    at_counter = ticket["window_id"] is not None and ticket["status"] in (CALLED, SERVING)
    if at_counter and _holds(conn, who, ticket["window_id"]):
        return
    if ticket["status"] == WAITING and oversees(who, ticket["service_department_id"]):
        return
    raise Forbidden(
        "not_yours_to_hand_off",
        f"Ticket {ticket['code']} is not at your window: call it first, or ask the duty lead "
        "of its department to hand it on.",
        ticket=ticket["code"],
    )


def require_receiver(conn: Connection, who: Principal, ticket: Mapping[Any, Any]) -> None:
    """The ticket is at `who`'s window (called or being served): they may send it back."""
    at_counter = ticket["window_id"] is not None and ticket["status"] in (CALLED, SERVING)
    if at_counter and _holds(conn, who, ticket["window_id"]):
        return
    raise Forbidden(
        "not_at_your_window",
        f"Ticket {ticket['code']} is not at your window: its receiver sends it back.",
        ticket=ticket["code"],
    )


def require_sender(
    conn: Connection, who: Principal, code: str, sender_id: int, from_window_id: int | None
) -> None:
    """The clerk who handed the case off, or whoever holds the window it was handed from."""
    if sender_id == who.staff_id:
        return
    if from_window_id is not None and _holds(conn, who, from_window_id):
        return
    raise Forbidden(
        "not_the_sender",
        f"Only the clerk who handed {code} off (or the one at that window now) can ask it back.",
        ticket=code,
    )


def may_read_handoff_notes(who: Principal) -> bool:
    """Of whoever may see the ticket (`may_view_ticket`), staff read its hand-off notes: they
    are the departments of the chain or serving it, hall-wide leads and admins. The kiosk,
    which sees every ticket, never does."""
    return bool(who.roles & {Role.admin, Role.lead, Role.clerk})


def handoff_watch_department(who: Principal) -> int | None:
    """The department whose hand-offs `who` watches (None: the whole hall)."""
    require(who, Can.watch_handoffs)
    return None if may(who, Can.oversee_hall) else who.department_id


def require_own_handoffs(who: Principal) -> None:
    """GET /me/hand-offs: whoever may hand a case off reads the ones they handed off."""
    require(who, Can.hand_off)


# --- overtime and comp leave: whose leave, claims and duties -------------------------------


def leads_staff(who: Principal, staff: Staff) -> bool:
    """Whether `who` leads `staff` (admins: everyone; a lead: their department's staff, or
    everyone without a department)."""
    if may(who, Can.oversee_hall):
        return True
    return may(who, Can.oversee_department) and (
        who.department_id is None or staff.department_id == who.department_id
    )


def may_see_staff(who: Principal, staff: Staff) -> bool:
    """One's own leave and overtime, and those of the staff one leads."""
    return staff.id == who.staff_id or leads_staff(who, staff)


def require_staff_decider(who: Principal, staff: Staff, what: str) -> None:
    """A lead or an admin who leads `staff` decides their claim or leave request, never their
    own."""
    require(who, Can.decide)
    if staff.id == who.staff_id:
        raise Forbidden(
            "own_request",
            f"This {what} is your own: another duty lead or an admin must decide it.",
        )
    if not leads_staff(who, staff):
        raise Forbidden(
            "other_department",
            f"{staff.name} ({staff.staff_no}) is in another department: their own duty lead "
            f"decides this {what}.",
            staff_no=staff.staff_no,
        )


def visible_staff(session: Session, who: Principal, staff_no: str) -> Staff:
    """The staff member `staff_no`, when `who` may see them; else not found (no hint)."""
    staff = session.scalars(
        select(Staff).where(Staff.staff_no == staff_no, Staff.hall_id == who.hall_id)
    ).one_or_none()
    if staff is None or not may_see_staff(who, staff):
        raise NotFound(
            "staff_not_found",
            f"No staff member {staff_no} among those you lead: check the staff number.",
            key=staff_no,
        )
    return staff


# --- appointments (预约) and ratings (好差评) ----------------------------------------------------


def may_read_citizen_contact(who: Principal) -> bool:
    """A booking's name and phone: leads and admins read them; the kiosk (a screen anyone in
    the hall may stand at, and the city's app for now) reads them masked."""
    return bool(who.roles & {Role.admin, Role.lead})


def require_appointment_visible(
    who: Principal, appointment_id: int, department_id: int | None
) -> None:
    """One booking: a lead of its service's department (any, without one), admins, the kiosk.
    Another department's: no such appointment (404), as for an unknown id."""
    require(who, Can.read_appointment)
    if Role.kiosk in who.roles or oversees(who, department_id):
        return
    raise not_found("appointment", appointment_id)


def require_appointment_cancel(
    who: Principal, appointment: Mapping[Any, Any], given_code: str | None
) -> None:
    """A lead of its service's department (any, without one) and admins cancel a booking; the
    kiosk (and the city's app) only with its booking code. A wrong or missing code: no such
    appointment (404), the same answer as for an unknown id, so ids cannot be tried."""
    require(who, Can.cancel_appointment)
    if oversees(who, appointment["department_id"]):
        return
    if Role.kiosk in who.roles and given_code == appointment["code"]:
        return
    raise not_found("appointment", appointment["id"])


def appointment_list_department(who: Principal) -> int | None:
    """The department whose bookings `who` lists (None: the whole hall)."""
    require(who, Can.list_appointments)
    return None if may(who, Can.oversee_hall) else who.department_id


def balances_department(session: Session, who: Principal, code: str | None) -> int | None:
    """Whose balances `who` lists (GET /leave/balances): a lead's own department, also when
    asked for none (another one is not found, as for GET /staff/{staff_no}/leave); an admin
    or a lead without a department, the department asked for, or the whole hall (None)."""
    require(who, Can.decide)
    department = None
    if code is not None:
        department = session.scalars(
            select(Department).where(Department.hall_id == who.hall_id, Department.code == code)
        ).one_or_none()
    hall_wide = may(who, Can.oversee_hall) or who.department_id is None
    if code is not None and (
        department is None or not (hall_wide or department.id == who.department_id)
    ):
        raise NotFound(
            "department_not_found",
            f"No department {code} among those you lead: check the department's code.",
            key=code,
        )
    if department is not None:
        return department.id
    return None if hall_wide else who.department_id


# --- operations -------------------------------------------------------------------------------


def scrape_token_matches(given: str | None, configured: str | None) -> bool:
    """The bearer token is the scrape token `clerkdesk serve` was given (compared in constant
    time: how much of a guess was right does not show in how long the answer takes)."""
    if not given or not configured:
        return False
    return hmac.compare_digest(given.encode(), configured.encode())


def require_metrics_reader(who: Principal | None) -> None:
    """GET /metrics: admins (and a scraper with the scrape token, checked before this). For
    anyone else, signed in or not, there is no such route: the 404 of an unknown path, so
    that what the service runs and how busy it is are not told to a guesser."""
    if who is not None and may(who, Can.read_metrics):
        return
    raise NotFound(
        "http_404",
        "Not Found: there is no /metrics here; check the address (the API is described at "
        "/docs when the service runs with --api-docs).",
    )
