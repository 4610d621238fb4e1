"""What may be booked: the hall's appointment services, their slots and the places held.

The places held in a slot are counted from the bookings when asked (`holds_place`): a booking
missed past its check-in time frees its place at that moment, with nothing to run."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.calendar.cache import cached_calendar
from clerkdesk.hall.errors import Conflict, not_found
from clerkdesk.hall.rules import appointments as rules
from clerkdesk.hall.rules.calendar import HallCalendar
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import (
    AppointmentPolicy,
    AppointmentRule,
    Department,
    Service,
    UTCDateTime,
)
from clerkdesk.hall.store.tables import connection_of
from clerkdesk.hall.wire import slot_out

_a = tables.appointment
_NOW = bindparam("now", type_=UTCDateTime())
HOLDS_PLACE = or_(
    _a.c.status == rules.CHECKED_IN,
    and_(_a.c.status == rules.BOOKED, _a.c.check_in_until > _NOW),
)
"""The SQL twin of `rules.holds_place` (bind now)."""
HELD = (
    select(_a.c.slot_start, func.count().label("held"))
    .where(
        _a.c.service_id == bindparam("service_id"),
        _a.c.slot_start >= bindparam("first", type_=UTCDateTime()),
        _a.c.slot_start < bindparam("until", type_=UTCDateTime()),
        HOLDS_PLACE,
    )
    .group_by(_a.c.slot_start)
)


def load_policy(session: Session, hall_id: int) -> rules.Policy:
    row = session.get(AppointmentPolicy, hall_id)
    if row is None:
        return rules.Policy()
    return rules.Policy(row.early_minutes, row.grace_minutes, row.days_ahead)


def slot_rule(row: AppointmentRule) -> rules.SlotRule:
    kinds = frozenset(k for k in row.sessions.split(",") if k)
    return rules.SlotRule(row.slot_minutes, row.capacity, kinds)


def service_with_rule(
    session: Session, who: Principal, code: str
) -> tuple[Service, rules.SlotRule]:
    """The hall's active service `code` and its slot rule (404 unknown, 409 no bookings)."""
    service = session.scalars(
        select(Service).where(Service.hall_id == who.hall_id, Service.code == code)
    ).one_or_none()
    if service is None or not service.active:
        raise not_found("service", code)
    rule = session.get(AppointmentRule, service.id)
    if rule is None:
        raise Conflict(
            "no_appointments",
            f"{service.name} takes no appointments: take a ticket at the kiosk on the day.",
            service=service.code,
        )
    return service, slot_rule(rule)


def held_places(
    conn: Connection, service_id: int, first: datetime, until: datetime, now: datetime
) -> dict[datetime, int]:
    """Places held per slot start (UTC) of the service's slots starting in [first, until)."""
    rows = conn.execute(
        HELD, {"service_id": service_id, "first": first, "until": until, "now": now}
    )
    return {start: held for start, held in rows}


def today(calendar: HallCalendar, now: datetime) -> date:
    return now.astimezone(calendar.zone).date()


def appointment_services(
    session: Session, who: Principal, now: datetime
) -> aw.AppointmentServicesOut:
    policy.require(who, policy.Can.see_slots)
    calendar = cached_calendar(session, who.hall_id)
    found = session.execute(
        select(AppointmentRule, Service, Department.code)
        .join(Service, Service.id == AppointmentRule.service_id)
        .join(Department, Department.id == Service.department_id)
        .where(Service.hall_id == who.hall_id, Service.active)
        .order_by(Service.code)
    ).all()
    hall_policy = load_policy(session, who.hall_id)
    return aw.AppointmentServicesOut(
        timezone=calendar.timezone,
        check_in_early_minutes=hall_policy.early_minutes,
        grace_minutes=hall_policy.grace_minutes,
        days_ahead=hall_policy.days_ahead,
        services=[
            aw.AppointmentServiceOut(
                service=service.code,
                service_name=service.name,
                department=department,
                slot_minutes=rule.slot_minutes,
                capacity=rule.capacity,
                sessions=[
                    aw.SessionKind(k) for k in rules.SESSION_KINDS if k in slot_rule(rule).sessions
                ],
            )
            for rule, service, department in found
        ],
    )


def appointment_slots(
    session: Session,
    who: Principal,
    code: str,
    first: date | None,
    days: int,
    now: datetime,
) -> aw.SlotsOut:
    """The service's slots not over yet on `days` dates from `first` (default today), up to
    the last date bookable now; each with its places held and left."""
    policy.require(who, policy.Can.see_slots)
    service, rule = service_with_rule(session, who, code)
    calendar = cached_calendar(session, who.hall_id)
    zone = calendar.zone
    hall_policy = load_policy(session, who.hall_id)
    now_day = today(calendar, now)
    last_date = rules.last_bookable_date(now_day, hall_policy)
    start_day = first or now_day
    last = min(start_day + timedelta(days=days - 1), last_date)
    slots = [
        slot for slot in rules.slots_between(calendar, start_day, last, rule) if slot.end > now
    ]
    conn = connection_of(session)
    held = held_places(conn, service.id, slots[0].start, slots[-1].end, now) if slots else {}
    return aw.SlotsOut(
        service=service.code,
        service_name=service.name,
        timezone=calendar.timezone,
        now=now.astimezone(zone),
        last_date=last_date,
        slots=[
            slot_out(
                slot,
                zone,
                rule.capacity,
                held.get(slot.start, 0),
                rules.bookable(slot, now, last_date),
            )
            for slot in slots
        ],
    )
