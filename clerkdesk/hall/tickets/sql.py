"""The statements of the ticket lifecycle, built once as SQLAlchemy Core (see `tables`).

Each is a module-level statement with named bind parameters, so SQLAlchemy compiles it once
per dialect and every request only binds values. Rows come back with the ticket's columns plus
what its answer needs (`wire.ticket_answer`): the service's code, name and minutes, the
window's number, the staff number of whoever called it. A ticket's own row and its history are
written by `tickets.transitions` alone; these read and lock.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    union_all,
    update,
)

from clerkdesk.hall.rules import queue_order
from clerkdesk.hall.rules.ticket_states import CALLED, NO_SHOW, SERVING, WAITING
from clerkdesk.hall.rules.tide import TIDE_FIRST
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import UTCDateTime

_t = tables.ticket
_s = tables.service
_h = tables.hall
_w = tables.window
_ws = tables.window_service
_wsn = tables.window_session
_staff = tables.staff
_counter = tables.ticket_counter
_tw = tables.tide_window
_ts = tables.tide_service

ANSWER_COLUMNS = (
    *_t.c,
    _s.c.code.label("service_code"),
    _s.c.name.label("service_name"),
    _s.c.estimated_minutes,
)

# --- issue ------------------------------------------------------------------------------------

SERVICE_BY_CODE = (
    select(
        _s.c.id,
        _s.c.active,
        _s.c.prefix,
        _s.c.code,
        _s.c.name,
        _s.c.estimated_minutes,
        _s.c.cutoff_minutes,
        _h.c.timezone,
    )
    .join_from(_s, _h, _h.c.id == _s.c.hall_id)
    .where(_s.c.hall_id == bindparam("hall_id"), _s.c.code == bindparam("code"))
)


def _next_number(insert_: Any) -> Any:
    """Today's next number of a service, in one upsert (bind service_id, local_date)."""
    return (
        insert_(_counter)
        .values(service_id=bindparam("service_id"), local_date=bindparam("day"), last_number=1)
        .on_conflict_do_update(
            index_elements=[_counter.c.service_id, _counter.c.local_date],
            set_={"last_number": _counter.c.last_number + 1},
        )
        .returning(_counter.c.last_number)
    )


@cache
def next_number(dialect: str) -> Any:
    """The upsert for `dialect` ("postgresql" or "sqlite"). The dialect's module is imported on
    first use: importing PostgreSQL's pulls in all of its drivers' modules (about 20 ms of the
    workstation's start on the embedded SQLite hall, which never needs it)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return _next_number(postgresql.insert)
    from sqlalchemy.dialects import sqlite

    return _next_number(sqlite.insert)


# --- calling ----------------------------------------------------------------------------------

_NOW = bindparam("now", type_=UTCDateTime())
RANK = case(
    (
        (_t.c.priority == "appointment")
        & (_t.c.appointment_at.is_(None) | (_t.c.appointment_at > _NOW)),
        queue_order.NORMAL_RANK,
    ),
    *[(_t.c.priority == name, rank) for name, rank in queue_order.PRIORITY_RANK.items()],
    else_=queue_order.NORMAL_RANK,
)
"""The SQL twin of rules.queue_order.effective_rank (kept together by a property test)."""

TIDE_IN_FORCE = and_(
    _tw.c.ended_at.is_(None),
    _tw.c.started_at <= _NOW,
    or_(_tw.c.until.is_(None), _tw.c.until > _NOW),
)
"""A tide window counts (rules.tide.in_force; bind now)."""

_own_and_tide = union_all(
    select(_ws.c.service_id, _ws.c.position).where(_ws.c.window_id == bindparam("window_id")),
    select(_ts.c.service_id, (_ts.c.position + TIDE_FIRST).label("position"))
    .join(_tw, _tw.c.id == _ts.c.tide_id)
    .where(_tw.c.window_id == bindparam("window_id"), TIDE_IN_FORCE),
).subquery("own_and_tide")
SERVED = (
    select(_own_and_tide.c.service_id, func.min(_own_and_tide.c.position).label("position"))
    .group_by(_own_and_tide.c.service_id)
    .subquery("served")
)
"""The services the window calls now (bind window_id, now) with their positions: its own from
0, a tide's first (rules.tide.services_with_tide; a service in both takes the tide's place)."""

_PARKED_BACK_HERE = _t.c.back_window_id == bindparam("window_id")
ORDER_RANK = case((_PARKED_BACK_HERE, _t.c.back_rank), else_=RANK)
ORDER_POSITION = case((_PARKED_BACK_HERE, _t.c.back_position), else_=SERVED.c.position)
"""rules.queue_order.queue_key's first two parts: a ticket parked at the back of this window's
queue ranks there as the last one waiting did when it was parked (service positions are the
window's list from 0, as the hall file import writes them; a tide's services come first)."""


_HOLDER_HERE = select(_wsn.c.staff_id).where(
    _wsn.c.window_id == bindparam("window_id"), _wsn.c.ended_at.is_(None)
)
CALLABLE_HERE = and_(
    or_(_t.c.target_window_id.is_(None), _t.c.target_window_id == bindparam("window_id")),
    or_(_t.c.target_staff_id.is_(None), _t.c.target_staff_id.in_(_HOLDER_HERE)),
)
"""rules.queue_order.callable_at: a ticket handed to another window, or to a clerk who does
not hold this one, is not this window's to call (bind window_id)."""


def _waiting_in_order(*columns: Any) -> Select[Any]:
    """The window's waiting tickets (bind hall_id, window_id, now) in the fair order."""
    return (
        select(*columns)
        .join_from(_t, SERVED, SERVED.c.service_id == _t.c.service_id)
        .where(_t.c.hall_id == bindparam("hall_id"), _t.c.status == WAITING, CALLABLE_HERE)
        .order_by(ORDER_RANK, ORDER_POSITION, _t.c.queue_at, _t.c.id)
        .limit(1)
    )


CLAIM = (
    _waiting_in_order(*ANSWER_COLUMNS)
    .join(_s, _s.c.id == _t.c.service_id)
    .with_for_update(skip_locked=True, of=_t)
)
"""The next ticket for the window, locked; one another transaction holds is skipped."""

FIRST_IN_LINE = _waiting_in_order(_t.c.id, _t.c.code)

CALLABLE_AT = select(_t.c.id).where(_t.c.id == bindparam("ticket_id"), CALLABLE_HERE)
"""The ticket (bind ticket_id), if window window_id may call it as far as its target goes."""

SERVES = select(SERVED.c.position).where(SERVED.c.service_id == bindparam("service_id"))
"""Whether the window calls the service now (bind window_id, service_id, now), tide included."""

# --- one ticket -------------------------------------------------------------------------------


def _ticket_answered() -> Select[Any]:
    """A ticket of the hall (bind hall_id) with all its answer needs."""
    return (
        select(
            *ANSWER_COLUMNS,
            _s.c.department_id.label("service_department_id"),
            _w.c.number.label("window_number"),
            _staff.c.staff_no.label("called_by"),
        )
        .join_from(_t, _s, _s.c.id == _t.c.service_id)
        .outerjoin(_w, _w.c.id == _t.c.window_id)
        .outerjoin(_staff, _staff.c.id == _t.c.called_by_id)
        .where(_t.c.hall_id == bindparam("hall_id"))
    )


def _ticket_locked() -> Select[Any]:
    return _ticket_answered().with_for_update(of=_t)


def in_hand_at(window_id: Any) -> Any:
    """The condition of the ticket in a clerk's hand at a window: called or being served there."""
    return and_(_t.c.window_id == window_id, _t.c.status.in_([CALLED, SERVING]))


TICKET_LOCKED = _ticket_locked().where(_t.c.id == bindparam("ticket_id"))
TICKET_BY_CODE_LOCKED = _ticket_locked().where(
    _t.c.code == bindparam("code"), _t.c.local_date == bindparam("day")
)

TICKET_BY_CODE = _ticket_answered().where(
    _t.c.code == bindparam("code"), _t.c.local_date == bindparam("day")
)
"""A service day's tickets with a code (bind hall_id, code, day): one, or two when services
swapped prefixes during the day."""

NO_SHOWS_SINCE = (
    _ticket_answered()
    .where(
        _t.c.window_id == bindparam("window_id"),
        _t.c.status == NO_SHOW,
        _t.c.finished_at > bindparam("since"),
    )
    .order_by(_t.c.finished_at.desc(), _t.c.id.desc())
    .limit(20)
)
"""A window's no-shows marked after `since` (bind hall_id, window_id, since), the latest
first: those the counter may still reinstate."""

IN_HAND = (
    _ticket_answered()
    .where(in_hand_at(bindparam("window_id")))
    .order_by(_t.c.called_at.desc())
    .limit(1)
)
"""The ticket in the hand of whoever holds the window (bind hall_id, window_id), or none."""

_SERVED_HERE = union_all(
    select(_ws.c.service_id).where(_ws.c.window_id == bindparam("window_id")),
    select(_ts.c.service_id)
    .join(_tw, _tw.c.id == _ts.c.tide_id)
    .where(_tw.c.window_id == bindparam("window_id"), TIDE_IN_FORCE),
)
_other_session = _wsn.alias("other_session")
_served_at = union_all(
    select(_ws.c.window_id, _ws.c.service_id),
    select(_tw.c.window_id, _ts.c.service_id)
    .join(_tw, _tw.c.id == _ts.c.tide_id)
    .where(TIDE_IN_FORCE),
).subquery("served_at")
_CALLABLE_AT_ANOTHER_OPEN_WINDOW = (
    select(_other_session.c.window_id)
    .join(_served_at, _served_at.c.window_id == _other_session.c.window_id)
    .where(
        _other_session.c.ended_at.is_(None),
        _other_session.c.window_id != bindparam("window_id"),
        _served_at.c.service_id == _t.c.service_id,
        or_(
            _t.c.target_window_id.is_(None),
            _t.c.target_window_id == _other_session.c.window_id,
        ),
        or_(_t.c.target_staff_id.is_(None), _t.c.target_staff_id == _other_session.c.staff_id),
    )
    .exists()
)
"""Another open window may call the ticket now: it serves the ticket's service, its own or a
tide's in force, and the ticket is not handed to a third window or to a clerk not there."""
LEFTOVERS_LOCKED = (
    _ticket_locked()
    .where(
        _t.c.status == WAITING,
        _t.c.service_id.in_(_SERVED_HERE),
        ~_CALLABLE_AT_ANOTHER_OPEN_WINDOW,
    )
    .order_by(_t.c.queue_at, _t.c.id)
)
"""Waiting tickets of services the window serves (a tide in force counted) that no other open
window may call (bind hall_id, window_id, now), locked: the end-of-day rule's tickets when the
window closes. Another open window serving the service does not take a ticket handed to a third
window or to a clerk not there: that citizen is still left over."""

PINNED_HERE_LOCKED = (
    _ticket_locked()
    .where(
        _t.c.status == WAITING,
        or_(
            _t.c.target_window_id == bindparam("window_id"),
            _t.c.target_staff_id == bindparam("staff_id"),
        ),
    )
    .order_by(_t.c.queue_at, _t.c.id)
)
"""Waiting tickets handed to the window, or to the clerk who holds it (bind hall_id,
window_id, staff_id), locked: they are unpinned when the window closes for the day."""

WINDOW_HOLDER = (
    select(
        _w.c.number,
        _w.c.last_call_at,
        _h.c.min_call_interval_s,
        select(_wsn.c.staff_id)
        .where(_wsn.c.window_id == _w.c.id, _wsn.c.ended_at.is_(None))
        .scalar_subquery()
        .label("holder_id"),
    )
    .join_from(_w, _h, _h.c.id == _w.c.hall_id)
    .where(_w.c.id == bindparam("window_id"))
)
"""A ticket's window: its number, last call, the hall's call interval and who holds it."""

UPDATE_WINDOW = update(_w).where(_w.c.id == bindparam("window_id_"))


def _waiting_for_service_edge(edge: Any) -> Select[Any]:
    return select(edge(_t.c.queue_at)).where(
        _t.c.service_id == bindparam("service_id"),
        _t.c.status == WAITING,
        _t.c.id != bindparam("ticket_id"),
    )


EARLIEST_WAITING = _waiting_for_service_edge(func.min)

LAST_IN_LINE = (
    select(ORDER_RANK, ORDER_POSITION, _t.c.queue_at, _t.c.id)
    .join_from(_t, SERVED, SERVED.c.service_id == _t.c.service_id)
    .where(_t.c.hall_id == bindparam("hall_id"), _t.c.status == WAITING, CALLABLE_HERE)
    .order_by(ORDER_RANK.desc(), ORDER_POSITION.desc(), _t.c.queue_at.desc(), _t.c.id.desc())
    .limit(1)
)
"""The queue key (rules.queue_order.queue_key) of the last one waiting for the window (bind
hall_id, window_id, now): the fair order reversed."""
