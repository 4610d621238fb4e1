"""Bookings: book a place, cancel it, check in at the kiosk (the booking becomes a ticket).

Never over a slot's capacity: the places held are counted and the booking written in one
transaction that no other booking of the service on that date can interleave with — on SQLite
every write transaction is `BEGIN IMMEDIATE` (one writer at a time); on PostgreSQL the booking
first takes a transaction-scoped advisory lock on (service, date) and counts after it, so it
counts every booking committed before it (READ COMMITTED: each statement sees the commits that
came before it).

A booking's name and phone never go into an event or a ticket: the ticket a check-in issues
carries the slot (`appointment_at`) and nothing about the citizen.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import schemas as w
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.appointments.slots import (
    held_places,
    load_policy,
    service_with_rule,
    today,
)
from clerkdesk.hall.calendar.cache import cached_calendar, service_day_of
from clerkdesk.hall.errors import Conflict, Invalid, NotFound, not_found
from clerkdesk.hall.rules import appointments as rules
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.tickets import lifecycle
from clerkdesk.hall.tickets import sql as ticket_sql
from clerkdesk.hall.wire import appointment_out

_a, _s, _t = tables.appointment, tables.service, tables.ticket

ROWS = (
    select(
        *_a.c,
        _s.c.code.label("service_code"),
        _s.c.name.label("service_name"),
        _s.c.department_id,
        _t.c.code.label("ticket_code"),
    )
    .join_from(_a, _s, _s.c.id == _a.c.service_id)
    .outerjoin(_t, _t.c.id == _a.c.ticket_id)
)
"""Bookings with what their answer needs (`wire.appointment_out`)."""
BY_ID = ROWS.where(_a.c.hall_id == bindparam("hall_id"), _a.c.id == bindparam("id"))
BY_CODE = ROWS.where(
    _a.c.hall_id == bindparam("hall_id"),
    _a.c.code == bindparam("code"),
    _a.c.local_date.in_(bindparam("days", expanding=True)),
).order_by(_a.c.slot_start)
_LOCK_BASE = 0x415050 << 40  # "APP": apart from the event and migration locks
_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))
CODE_TRIES = 20


def _lock_service_day(conn: Connection, service_id: int, day: date) -> None:
    """PostgreSQL: one booking of a service's date at a time (SQLite: already so)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"key": _LOCK_BASE + (service_id << 20) + day.toordinal()})


def _answer(session: Session, who: Principal, row: Any, now: datetime) -> aw.AppointmentOut:
    calendar = cached_calendar(session, who.hall_id)
    early = load_policy(session, who.hall_id).early
    contact = policy.may_read_citizen_contact(who)
    return appointment_out(row._mapping, calendar.zone, now, early, contact)


def _local(moment: datetime, session: Session, who: Principal) -> str:
    return moment.astimezone(cached_calendar(session, who.hall_id).zone).isoformat()


# --- book ------------------------------------------------------------------------------------


def book(
    session: Session, who: Principal, body: aw.BookAppointment, now: datetime
) -> aw.AppointmentOut:
    policy.require(who, policy.Can.book_appointment)
    conn = connection_of(session)
    service, rule = service_with_rule(session, who, body.service)
    if body.start.tzinfo is None:
        raise Invalid(
            "time_naive",
            "start needs a time zone offset, e.g. 2026-12-12T09:00:00+08:00 (take it from the "
            "slots).",
        )
    calendar = cached_calendar(session, who.hall_id)
    zone = calendar.zone
    hall_policy = load_policy(session, who.hall_id)
    slot = rules.find_slot(calendar, body.start, rule)
    if slot is None:
        raise Conflict(
            "not_a_slot",
            f"No slot of {service.name} starts at {body.start.astimezone(zone):%Y-%m-%d %H:%M}: "
            "pick a start from GET /appointments/slots.",
            service=service.code,
            start=body.start.astimezone(zone).isoformat(),
        )
    last_date = rules.last_bookable_date(today(calendar, now), hall_policy)
    if now >= slot.end:
        raise Conflict(
            "slot_over",
            f"The {slot.start.astimezone(zone):%Y-%m-%d %H:%M} slot is over: pick a later one.",
            start=slot.start.astimezone(zone).isoformat(),
        )
    if slot.local_date > last_date:
        raise Conflict(
            "too_far_ahead",
            f"Bookings open {hall_policy.days_ahead} days ahead: {slot.local_date} can be booked "
            f"from {slot.local_date - timedelta(days=hall_policy.days_ahead)}.",
            last_date=last_date.isoformat(),
        )
    _lock_service_day(conn, service.id, slot.local_date)
    phone = rules.normal_phone(body.phone)
    for same in conn.execute(
        ROWS.where(
            _a.c.service_id == service.id,
            _a.c.local_date == slot.local_date,
            _a.c.phone == phone,
        )
    ):
        if rules.holds_place(same.status, same.check_in_until, now):
            start = same.slot_start.astimezone(zone)
            raise Conflict(
                "already_booked",
                f"This phone already holds a {service.name} appointment at {start:%H:%M} on "
                f"{slot.local_date}: keep it, or cancel it before booking another.",
                appointment=same.id,
                start=start.isoformat(),
            )
    held = held_places(conn, service.id, slot.start, slot.end, now).get(slot.start, 0)
    if held >= rule.capacity:
        later = [s for s in rules.slots_between(calendar, slot.local_date, last_date, rule)]
        later = [s for s in later if s.start > slot.start]
        counts = held_places(conn, service.id, later[0].start, later[-1].end, now) if later else {}
        free = rules.next_free(later, counts, rule.capacity, now)
        hint = (
            "the next with a place: "
            + ", ".join(f"{s.start.astimezone(zone):%m-%d %H:%M}" for s in free)
            if free
            else f"no later slot up to {last_date} has a place"
        )
        raise Conflict(
            "slot_full",
            f"The {slot.start.astimezone(zone):%Y-%m-%d %H:%M} slot of {service.name} is fully "
            f"booked ({rule.capacity} places): {hint}.",
            start=slot.start.astimezone(zone).isoformat(),
            capacity=rule.capacity,
            next_free=[s.start.astimezone(zone).isoformat() for s in free],
        )
    until = rules.check_in_until(slot.start, now, hall_policy)
    values = {
        "hall_id": who.hall_id,
        "service_id": service.id,
        "local_date": slot.local_date,
        "slot_start": slot.start,
        "slot_end": slot.end,
        "kind": slot.kind,
        "status": rules.BOOKED,
        "name": body.name,
        "phone": phone,
        "booked_at": now,
        "booked_by_id": who.staff_id,
        "check_in_until": until,
    }
    new_id = _insert_with_code(conn, who.hall_id, slot.local_date, values)
    row = conn.execute(BY_ID, {"hall_id": who.hall_id, "id": new_id}).one()
    return _answer(session, who, row, now)


def _insert_with_code(conn: Connection, hall_id: int, day: date, values: dict[str, Any]) -> int:
    """Insert the booking with a fresh random code of the date (a clash, even with a booking
    committed meanwhile by another server, is tried again with another code)."""
    for _attempt in range(CODE_TRIES):
        code = f"{secrets.randbelow(10**aw.BOOKING_CODE_DIGITS):0{aw.BOOKING_CODE_DIGITS}d}"
        taken = conn.execute(
            select(_a.c.id).where(
                _a.c.hall_id == hall_id, _a.c.local_date == day, _a.c.code == code
            )
        ).first()
        if taken is not None:
            continue
        try:
            with conn.begin_nested():
                return int(
                    conn.execute(
                        insert(_a).returning(_a.c.id), {**values, "code": code}
                    ).scalar_one()
                )
        except IntegrityError:
            continue
    raise Conflict(
        "codes_exhausted",
        f"No free booking code for {day} after {CODE_TRIES} tries: try again.",
    )


# --- read ------------------------------------------------------------------------------------


def appointment(
    session: Session, who: Principal, appointment_id: int, now: datetime
) -> aw.AppointmentOut:
    conn = connection_of(session)
    row = conn.execute(BY_ID, {"hall_id": who.hall_id, "id": appointment_id}).first()
    if row is None:
        policy.require(who, policy.Can.read_appointment)
        raise not_found("appointment", appointment_id)
    policy.require_appointment_visible(who, appointment_id, row.department_id)
    return _answer(session, who, row, now)


def _days_of(session: Session, who: Principal, now: datetime) -> list[date]:
    """The dates a booking code is looked up on now: the service day, and the local date when
    it differs (just past midnight after a night session)."""
    calendar = cached_calendar(session, who.hall_id)
    return sorted({service_day_of(session, who.hall_id, now), today(calendar, now)})


def _by_code(conn: Connection, who: Principal, code: str, days: list[date], now: datetime) -> Any:
    """The booking with this code on one of `days` (one still holding its place first)."""
    rows = conn.execute(BY_CODE, {"hall_id": who.hall_id, "code": code, "days": days}).all()
    live = [r for r in rows if rules.holds_place(r.status, r.check_in_until, now)]
    found = live or rows
    return found[0] if found else None


def _no_booking(code: str) -> NotFound:
    return NotFound(
        "appointment_not_found",
        f"No booking with code {code} today: check the six digits, or take a normal ticket.",
        key=code,
    )


def by_code(session: Session, who: Principal, code: str, now: datetime) -> aw.AppointmentOut:
    """Today's booking with this code (the kiosk shows it before checking in)."""
    policy.require(who, policy.Can.read_appointment)
    row = _by_code(connection_of(session), who, code, _days_of(session, who, now), now)
    if row is None:
        raise _no_booking(code)
    policy.require_appointment_visible(who, row.id, row.department_id)
    return _answer(session, who, row, now)


def appointments_of(
    session: Session, who: Principal, day: date | None, now: datetime
) -> list[aw.AppointmentOut]:
    """A date's bookings by slot (leads: their department's; admins: the hall's)."""
    department = policy.appointment_list_department(who)
    calendar = cached_calendar(session, who.hall_id)
    query = ROWS.where(
        _a.c.hall_id == who.hall_id, _a.c.local_date == (day or today(calendar, now))
    )
    if department is not None:
        query = query.where(_s.c.department_id == department)
    rows = connection_of(session).execute(query.order_by(_a.c.slot_start, _a.c.id)).all()
    return [_answer(session, who, row, now) for row in rows]


# --- cancel ----------------------------------------------------------------------------------


def _refuse_unless_booked(session: Session, who: Principal, row: Any, now: datetime) -> None:
    status = rules.status_at(row.status, row.check_in_until, now)
    if status == rules.CHECKED_IN:
        raise Conflict(
            "already_checked_in",
            f"Booking {row.code} was checked in already: the ticket is {row.ticket_code}.",
            appointment=row.id,
            ticket=row.ticket_code,
        )
    if status == rules.CANCELLED:
        raise Conflict(
            "appointment_cancelled",
            f"Booking {row.code} was cancelled: book again, or take a normal ticket.",
            appointment=row.id,
        )
    if status == rules.MISSED:
        until = _local(row.check_in_until, session, who)
        raise Conflict(
            "appointment_missed",
            f"Booking {row.code} was missed: check-in closed at {until[11:16]}. Take a normal "
            "ticket at the kiosk.",
            appointment=row.id,
            check_in_until=until,
        )


def cancel(
    session: Session,
    who: Principal,
    appointment_id: int,
    body: aw.CancelAppointment,
    now: datetime,
) -> aw.AppointmentOut:
    conn = connection_of(session)
    row = conn.execute(
        BY_ID.with_for_update(of=_a), {"hall_id": who.hall_id, "id": appointment_id}
    ).first()
    if row is None:
        policy.require(who, policy.Can.cancel_appointment)
        raise not_found("appointment", appointment_id)
    policy.require_appointment_cancel(who, row._mapping, body.code)
    _refuse_unless_booked(session, who, row, now)
    conn.execute(
        update(_a)
        .where(_a.c.id == row.id)
        .values(
            status=rules.CANCELLED,
            cancelled_at=now,
            cancelled_by_id=who.staff_id,
            cancel_reason=body.reason or None,
        )
    )
    return _answer(
        session, who, conn.execute(BY_ID, {"hall_id": who.hall_id, "id": row.id}).one(), now
    )


# --- check in at the kiosk -------------------------------------------------------------------


def check_in(session: Session, who: Principal, body: aw.CheckIn, now: datetime) -> aw.CheckInAnswer:
    """Today's booking with this code becomes a waiting ticket of its service, with priority
    `appointment` from the slot's start; the kiosk cutoff does not apply to it."""
    policy.require(who, policy.Can.check_in_appointment)
    conn = connection_of(session)
    days = _days_of(session, who, now)
    found = _by_code(conn, who, body.code, days, now)
    if found is None:
        raise _no_booking(body.code)
    row = conn.execute(BY_ID.with_for_update(of=_a), {"hall_id": who.hall_id, "id": found.id}).one()
    _refuse_unless_booked(session, who, row, now)
    hall_policy = load_policy(session, who.hall_id)
    verdict = rules.check_in_verdict(row.slot_start, row.check_in_until, now, hall_policy)
    if verdict is rules.CheckIn.too_early:
        opens = _local(rules.check_in_from(row.slot_start, hall_policy), session, who)
        raise Conflict(
            "check_in_too_early",
            f"Booking {row.code} is for {_local(row.slot_start, session, who)[11:16]}: check in "
            f"from {opens[11:16]} on {opens[:10]}.",
            appointment=row.id,
            check_in_from=opens,
            start=_local(row.slot_start, session, who),
        )
    service = conn.execute(
        ticket_sql.SERVICE_BY_CODE, {"hall_id": who.hall_id, "code": row.service_code}
    ).one()
    if not service.active:
        raise Conflict(
            "service_retired",
            f"{row.service_name} is no longer offered here: ask at the information desk.",
            service=row.service_code,
        )
    ticket = lifecycle.issue_for_service(
        session, who, service._mapping, w.Priority.appointment, row.slot_start, "", now
    )
    conn.execute(
        update(_a)
        .where(_a.c.id == row.id)
        .values(status=rules.CHECKED_IN, checked_in_at=now, ticket_id=ticket.id)
    )
    answer = conn.execute(BY_ID, {"hall_id": who.hall_id, "id": row.id}).one()
    return aw.CheckInAnswer(appointment=_answer(session, who, answer, now), ticket=ticket)
